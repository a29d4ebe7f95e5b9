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

// recordsTx is the part of the store the Records use cases touch.
type recordsTx interface {
	bookingsTx // the client's bookings are part of their record
	store.FollowUps
	store.Agreements
	store.AuditLog
	store.Clients
	store.Credentials
	store.Guardians
	store.Keys
	store.Retention
	store.Screenings
	store.Sessions
	store.Settings
	store.Users
	txBase
}

// update runs fn in a write transaction that offers only recordsTx.
func (a *Records) update(ctx context.Context, fn func(recordsTx) error) error {
	return a.core.update(ctx, func(tx store.Tx) error { return fn(tx) })
}

// view runs fn in a read transaction that offers only recordsTx.
func (a *Records) view(ctx context.Context, fn func(recordsTx) error) error {
	return a.core.view(ctx, func(tx store.Tx) error { return fn(tx) })
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
	Bookings      []BookingView      `json:"bookings"`
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
	err := a.update(ctx, func(tx recordsTx) error {
		c, err := visibleClient(ctx, tx, ac, clientID)
		if err != nil {
			return err
		}
		if !ac.is(holdspace.RoleAdmin) && !ac.is(holdspace.RoleClient) {
			return forbidden("Only the client or an admin can export the client's data.")
		}
		x.ExportedAt = tx.Now()
		rec, err := a.gatherClientRecord(ctx, tx, c)
		if err != nil {
			return err
		}
		x.Client, x.Practitioners, x.Screenings = rec.view, rec.practitioners, rec.screenings
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
		ags := rec.agreements
		for i := range ags {
			v, err := a.agreementView(rec.agreementRecs[i], ags[i], consent.StatusAt(&ags[i], ags, tx.Now()))
			if err != nil {
				return err
			}
			x.Agreements = append(x.Agreements, v)
		}
		for _, sr := range rec.sessions {
			s := sr.session
			se := SessionExport{SessionView: a.sessionView(s)}
			for _, r := range sr.events {
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
		if x.Bookings, err = a.bookingsOf(ctx, tx, clientID); err != nil {
			return err
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
