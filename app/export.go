package app

import (
	"context"
	"time"

	"holdspace"

	"holdspace/audit"
	"holdspace/consent"
	"holdspace/practice"
	"holdspace/store"
)

// Records hands a client's records out (export, FHIR bundle, consent
// receipts) and erases them (on request, and by retention policy).
type Records struct {
	*core
	// facts is the decision cache (shared with Decisions): erasing a
	// client forgets their cached facts.
	facts *factsCache
}

// Export is everything holdspace holds about one client (GDPR Art. 15 and
// 20), opened and in a portable shape.
type Export struct {
	ExportedAt    time.Time          `json:"exported_at"`
	Client        ClientView         `json:"client"`
	Practitioners []Person           `json:"practitioners"`
	Screenings    []ScreeningView    `json:"screenings"`
	HealthChanges []HealthChangeView `json:"health_changes"`
	Clearances    []ClearanceView    `json:"clearances"`
	Agreements    []AgreementView    `json:"agreements"`
	Sessions      []SessionExport    `json:"sessions"`
	Audit         []audit.Entry      `json:"audit"`
}

// HealthChangeView is a recorded health change.
type HealthChangeView struct {
	ID         string    `json:"id"`
	At         time.Time `json:"at"`
	Note       string    `json:"note,omitempty"`
	RecordedBy string    `json:"recorded_by"`
}

// ClearanceView is a recorded medical clearance.
type ClearanceView struct {
	ID          string    `json:"id"`
	Rule        string    `json:"rule"`
	ScreeningID string    `json:"screening_id"`
	ClearedBy   string    `json:"cleared_by"`
	ClearedOn   string    `json:"cleared_on"`
	Note        string    `json:"note,omitempty"`
	RecordedBy  string    `json:"recorded_by"`
	RecordedAt  time.Time `json:"recorded_at"`
}

// SessionExport is a session with its events, the fold of its day checks
// and, when it ended because of them, why ("capacity" or "illness").
type SessionExport struct {
	SessionView
	Events   []EventView             `json:"events"`
	DayCheck practice.DayCheckRecord `json:"day_check"`
	EndedFor string                  `json:"ended_for,omitempty"`
}

// ExportClient gathers all data held about a client. Admins and the client
// themself may export; practitioners use the client file instead. The
// export is audited.
func (a *Records) ExportClient(ctx context.Context, ac Actor, clientID string) (Export, error) {
	var x Export
	err := a.update(ctx, func(tx store.Tx) error {
		c, err := visibleClient(ctx, tx, ac, clientID)
		if err != nil {
			return err
		}
		if !ac.is(holdspace.RoleAdmin) && !ac.is(holdspace.RoleClient) {
			return forbidden("Only the client or an admin can export the client's data.")
		}
		x.ExportedAt = tx.Now()
		u, err := tx.User(ctx, clientID)
		if err != nil {
			return err
		}
		if x.Client, err = a.clientView(u, c); err != nil {
			return err
		}
		if x.Practitioners, err = a.practitionersOf(ctx, tx, c); err != nil {
			return err
		}
		if x.Screenings, err = a.screeningsOf(ctx, tx, clientID); err != nil {
			return err
		}
		hcs, err := tx.ListHealthChanges(ctx, clientID)
		if err != nil {
			return err
		}
		for _, h := range hcs {
			note, err := a.open(h.ID, "note", h.NoteSealed)
			if err != nil {
				return err
			}
			x.HealthChanges = append(x.HealthChanges, HealthChangeView{ID: h.ID, At: h.At, Note: note, RecordedBy: h.RecordedBy})
		}
		cls, err := tx.ListClearances(ctx, clientID)
		if err != nil {
			return err
		}
		for _, cl := range cls {
			by, err := a.open(cl.ID, "cleared_by", cl.ClearedBySealed)
			if err != nil {
				return err
			}
			cs, err := a.openClearance(cl)
			if err != nil {
				return err
			}
			x.Clearances = append(x.Clearances, ClearanceView{ID: cl.ID, Rule: cs.Rule, ScreeningID: cl.ScreeningID,
				ClearedBy: by, ClearedOn: cl.ClearedOn, Note: cs.Note, RecordedBy: cl.RecordedBy, RecordedAt: cl.RecordedAt})
		}
		ags, recs, err := a.loadAgreements(ctx, tx, clientID)
		if err != nil {
			return err
		}
		for i := range ags {
			x.Agreements = append(x.Agreements, agreementView(recs[i], ags[i], consent.StatusAt(&ags[i], ags, tx.Now())))
		}
		sess, err := tx.ListSessions(ctx, store.SessionFilter{ClientID: clientID})
		if err != nil {
			return err
		}
		for _, s := range sess {
			se := SessionExport{SessionView: a.sessionView(s)}
			evs, err := tx.ListEvents(ctx, s.ID)
			if err != nil {
				return err
			}
			for _, r := range evs {
				ev, err := a.eventOf(r, true)
				if err != nil {
					return err
				}
				se.Events = append(se.Events, EventView{ID: r.ID, Seq: r.Seq, ActorID: r.ActorID, Event: ev})
			}
			se.Events = nonNil(se.Events)
			f := FoldEvents(s.Intent, se.Events)
			se.DayCheck, se.EndedFor = f.DayCheck, f.EndedFor()
			x.Sessions = append(x.Sessions, se)
		}
		if x.Audit, err = tx.ListAudit(ctx, store.AuditFilter{ClientID: clientID}); err != nil {
			return err
		}
		a.openDetails(x.Audit)
		return record(ctx, tx, ac, "client.export", clientID, clientID, "")
	})
	x.Practitioners, x.Screenings, x.HealthChanges = nonNil(x.Practitioners), nonNil(x.Screenings), nonNil(x.HealthChanges)
	x.Clearances, x.Agreements, x.Sessions, x.Audit = nonNil(x.Clearances), nonNil(x.Agreements), nonNil(x.Sessions), nonNil(x.Audit)
	return x, err
}

// EraseClient deletes every record about a client (GDPR Art. 17) and
// revokes their tokens; see erase. Admins only.
func (a *Records) EraseClient(ctx context.Context, ac Actor, clientID string) error {
	err := a.update(ctx, func(tx store.Tx) error {
		if _, err := visibleClient(ctx, tx, ac, clientID); err != nil {
			return err
		}
		if !ac.is(holdspace.RoleAdmin) {
			return forbidden("Only an admin can erase a client.")
		}
		return a.erase(ctx, tx, ac, clientID, "tombstone")
	})
	if err == nil {
		err = a.erased(ctx, clientID)
	}
	return err
}

// practitionersOf opens the accounts of a client's practitioners (erased
// ones are skipped).
func (a *core) practitionersOf(ctx context.Context, tx store.Tx, c *store.Client) ([]Person, error) {
	var out []Person
	for _, pid := range c.PractitionerIDs {
		pu, err := tx.User(ctx, pid)
		if err != nil {
			continue
		}
		p, err := a.person(pu)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}
