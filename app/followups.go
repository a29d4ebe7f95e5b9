package app

import (
	"context"
	"strings"
	"time"

	"holdspace"
	"holdspace/practice"
	"holdspace/store"
)

// FollowUps keeps the follow-ups after sessions: listing, acknowledging
// and answering them.
type FollowUps struct {
	*core
	// sessions appends a client's answer as a session event.
	sessions *Sessions
}

// followUpsTx is the part of the store the FollowUps use cases touch.
type followUpsTx interface {
	store.AuditLog
	store.Clients
	store.FollowUps
	store.Sessions
	store.Users
	txBase
}

// update runs fn in a write transaction that offers only followUpsTx.
func (a *FollowUps) update(ctx context.Context, fn func(followUpsTx) error) error {
	return a.core.update(ctx, func(tx store.Tx) error { return fn(tx) })
}

// view runs fn in a read transaction that offers only followUpsTx.
func (a *FollowUps) view(ctx context.Context, fn func(followUpsTx) error) error {
	return a.core.view(ctx, func(tx store.Tx) error { return fn(tx) })
}

// FollowUpView is a follow-up as callers see it. Status is "due",
// "overdue" or "answered" at the time of the read.
type FollowUpView struct {
	ID             string     `json:"id"`
	SessionID      string     `json:"session_id"`
	ClientID       string     `json:"client_id"`
	ClientName     string     `json:"client_name,omitempty"`
	PractitionerID string     `json:"practitioner_id"`
	Triggers       []string   `json:"triggers"`
	Adverse        bool       `json:"adverse"`
	CreatedAt      time.Time  `json:"created_at"`
	DueAt          time.Time  `json:"due_at"`
	Status         string     `json:"status"`
	AnsweredAt     *time.Time `json:"answered_at,omitempty"`
	AnswerEventID  string     `json:"answer_event_id,omitempty"`
	AcknowledgedAt *time.Time `json:"acknowledged_at,omitempty"`
	AcknowledgedBy string     `json:"acknowledged_by,omitempty"`
}

func followUpView(f *store.FollowUp, now time.Time) FollowUpView {
	v := FollowUpView{ID: f.ID, SessionID: f.SessionID, ClientID: f.ClientID, PractitionerID: f.PractitionerID,
		Triggers: nonNil(f.Triggers), Adverse: f.Adverse, CreatedAt: f.CreatedAt, DueAt: f.DueAt,
		AnsweredAt: timePtr(f.AnsweredAt), AnswerEventID: f.AnswerEventID, AcknowledgedAt: timePtr(f.AcknowledgedAt),
		AcknowledgedBy: f.AcknowledgedBy}
	switch {
	case !f.AnsweredAt.IsZero():
		v.Status = "answered"
	case now.After(f.DueAt):
		v.Status = "overdue"
	default:
		v.Status = "due"
	}
	return v
}

// afterEvent runs, in the event's transaction, what an appended session
// event sets off: closing a session (by the practitioner, or its automatic
// close) that had emotional release, an adverse
// event, a stop or a declined check-in creates its follow-up, due within
// the practice's window (practice.FollowUpTriggers decides); a follow-up
// event answers the session's follow-up (ECONFLICT "no_follow_up" when the
// session has none, "already_answered" when it is answered).
func (a *core) afterEvent(ctx context.Context, tx interface {
	store.AuditLog
	store.FollowUps
	store.Sessions
	store.Settings
	txBase
}, ac Actor, s *store.Session, ev practice.Event, eventID string) error {
	switch ev.Type {
	case practice.EventClose, practice.EventAutoClose:
		recs, err := tx.ListEvents(ctx, s.ID)
		if err != nil {
			return err
		}
		evs := make([]practice.Event, 0, len(recs))
		for _, r := range recs {
			e, err := a.eventOf(r, false)
			if err != nil {
				return err
			}
			evs = append(evs, e)
		}
		triggers := practice.FollowUpTriggers(evs)
		if len(triggers) == 0 {
			return nil
		}
		st, err := a.practiceSettings(ctx, tx)
		if err != nil {
			return err
		}
		f := &store.FollowUp{ID: newID("fup"), SessionID: s.ID, ClientID: s.ClientID, PractitionerID: s.PractitionerID,
			Triggers: triggers, CreatedAt: tx.Now(), DueAt: tx.Now().Add(st.settings.FollowUpWindow())}
		for _, t := range triggers {
			f.Adverse = f.Adverse || t == practice.FollowUpAdverse
		}
		if err := tx.CreateFollowUp(ctx, f); err != nil {
			return err
		}
		tx.Notify("followups")
		return record(ctx, tx, ac, "followup.create", f.ID, s.ClientID, "session="+s.ID+" triggers="+strings.Join(triggers, ","))
	case practice.EventFollowUp:
		fs, err := tx.ListFollowUps(ctx, store.FollowUpFilter{SessionID: s.ID})
		if err != nil {
			return err
		}
		if len(fs) == 0 {
			return holdspace.Conflict("no_follow_up", "This session has no follow-up to answer.")
		}
		if err := tx.AnswerFollowUp(ctx, fs[0].ID, eventID, tx.Now()); err != nil {
			return err
		}
		tx.Notify("followups")
		return record(ctx, tx, ac, "followup.answer", fs[0].ID, s.ClientID, "session="+s.ID)
	}
	return nil
}

// ListFollowUps returns follow-ups, earliest due first: a practitioner's
// own clients' (all, or only unanswered ones with open set), every one for
// an admin, a client's own. The read is audited once per client listed.
func (a *FollowUps) ListFollowUps(ctx context.Context, ac Actor, open bool) ([]FollowUpView, error) {
	var out []FollowUpView
	err := a.update(ctx, func(tx followUpsTx) error {
		f := store.FollowUpFilter{Unanswered: open}
		switch ac.Role {
		case holdspace.RoleAdmin:
		case holdspace.RolePractitioner:
			f.PractitionerID = ac.UserID
		case holdspace.RoleClient:
			f.ClientID = ac.UserID
		default:
			return forbidden("Sign in to see follow-ups.")
		}
		fs, err := tx.ListFollowUps(ctx, f)
		if err != nil {
			return err
		}
		return a.followUpViews(ctx, tx, ac, fs, &out)
	})
	return nonNil(out), err
}

// followUpViews renders fs for ac, dropping those whose client ac may no
// longer see, names the clients for staff, and audits the read.
func (a *FollowUps) followUpViews(ctx context.Context, tx interface {
	store.AuditLog
	store.Clients
	store.Users
	txBase
}, ac Actor, fs []*store.FollowUp, out *[]FollowUpView) error {
	seen := map[string]bool{}
	names := map[string]string{}
	for _, f := range fs {
		if _, err := visibleClient(ctx, tx, ac, f.ClientID); err != nil {
			continue
		}
		v := followUpView(f, tx.Now())
		if !ac.is(holdspace.RoleClient) {
			if _, ok := names[f.ClientID]; !ok {
				if u, err := tx.User(ctx, f.ClientID); err == nil {
					if p, err := a.person(u); err == nil {
						names[f.ClientID] = p.Name
					}
				}
			}
			v.ClientName = names[f.ClientID]
		}
		*out = append(*out, v)
		if !seen[f.ClientID] {
			seen[f.ClientID] = true
			if err := record(ctx, tx, ac, "followup.read", f.ClientID, f.ClientID, "list"); err != nil {
				return err
			}
		}
	}
	return nil
}

// AdverseFollowUps returns the follow-ups after adverse events that no
// admin has acknowledged yet. Admins only; audited.
func (a *FollowUps) AdverseFollowUps(ctx context.Context, ac Actor) ([]FollowUpView, error) {
	var out []FollowUpView
	if !ac.is(holdspace.RoleAdmin) {
		return out, forbidden("Only admins review adverse events.")
	}
	err := a.update(ctx, func(tx followUpsTx) error {
		fs, err := tx.ListFollowUps(ctx, store.FollowUpFilter{Unacknowledged: true})
		if err != nil {
			return err
		}
		return a.followUpViews(ctx, tx, ac, fs, &out)
	})
	return nonNil(out), err
}

// AcknowledgeFollowUp records that an admin has reviewed an adverse event's
// follow-up; it then leaves the admin page. Admins only; ECONFLICT
// "not_adverse" for a follow-up without an adverse event,
// "already_acknowledged"; ENOTFOUND.
func (a *FollowUps) AcknowledgeFollowUp(ctx context.Context, ac Actor, id string) (FollowUpView, error) {
	var out FollowUpView
	if !ac.is(holdspace.RoleAdmin) {
		return out, forbidden("Only an admin acknowledges adverse events.")
	}
	err := a.update(ctx, func(tx followUpsTx) error {
		f, err := tx.FollowUp(ctx, id)
		if err != nil {
			return err
		}
		if !f.Adverse {
			return holdspace.Conflict("not_adverse", "Only a follow-up after an adverse event is acknowledged.")
		}
		if err := tx.AcknowledgeFollowUp(ctx, id, ac.UserID, tx.Now()); err != nil {
			return err
		}
		f.AcknowledgedAt, f.AcknowledgedBy = tx.Now(), ac.UserID
		out = followUpView(f, tx.Now())
		tx.Notify("followups")
		return record(ctx, tx, ac, "followup.acknowledge", id, f.ClientID, "session="+f.SessionID)
	})
	return out, err
}

// FollowUpAnswer is the client's answer to "How have you been since your
// session?": 0–10 and an optional note (sealed at rest).
type FollowUpAnswer struct {
	Wellbeing *int   `json:"wellbeing"`
	Note      string `json:"note,omitempty"`
}

// AnswerFollowUp records the answer as a follow-up event on the session
// (see AppendEvent): the client, or their practitioner on the client's
// word. ENOTFOUND for a follow-up the caller may not see.
func (a *FollowUps) AnswerFollowUp(ctx context.Context, ac Actor, id string, in FollowUpAnswer) (AppendEventResult, error) {
	var sessionID string
	err := a.view(ctx, func(tx followUpsTx) error {
		f, err := tx.FollowUp(ctx, id)
		if err != nil {
			return err
		}
		if _, err := visibleSession(ctx, tx, ac, f.SessionID); err != nil {
			return holdspace.NotFound("follow-up")
		}
		sessionID = f.SessionID
		return nil
	})
	if err != nil {
		return AppendEventResult{}, err
	}
	return a.sessions.AppendEvent(ctx, ac, sessionID, EventInput{Type: string(practice.EventFollowUp), Wellbeing: in.Wellbeing, Text: in.Note})
}

// FollowUpRecord is a follow-up with the client's answer opened, for the
// client file.
type FollowUpRecord struct {
	FollowUpView
	Wellbeing *int   `json:"wellbeing,omitempty"`
	Note      string `json:"note,omitempty"`
}

// ClientFollowUps returns a client's follow-ups with their answers, for
// the client file: the client's practitioners, admins and the client may
// read them; the read is audited.
func (a *FollowUps) ClientFollowUps(ctx context.Context, ac Actor, clientID string) ([]FollowUpRecord, error) {
	var out []FollowUpRecord
	err := a.update(ctx, func(tx followUpsTx) error {
		if _, err := visibleClient(ctx, tx, ac, clientID); err != nil {
			return err
		}
		fs, err := tx.ListFollowUps(ctx, store.FollowUpFilter{ClientID: clientID})
		if err != nil {
			return err
		}
		for _, f := range fs {
			r := FollowUpRecord{FollowUpView: followUpView(f, tx.Now())}
			if f.AnswerEventID != "" {
				evs, err := tx.ListEvents(ctx, f.SessionID)
				if err != nil {
					return err
				}
				for _, e := range evs {
					if e.ID != f.AnswerEventID {
						continue
					}
					ev, err := a.eventOf(e, true)
					if err != nil {
						return err
					}
					r.Wellbeing, r.Note = ev.Wellbeing, ev.Text
				}
			}
			out = append(out, r)
		}
		return record(ctx, tx, ac, "followup.read", clientID, clientID, "client")
	})
	return nonNil(out), err
}
