package app

import (
	"context"

	"holdspace"
	"holdspace/catalogue"
	"holdspace/fhir"
	"holdspace/practice"
	"holdspace/store"
)

// TodayInput is the answers of a day-check event (shared/api.md `today`).
// All three are required: a missing answer is never read as yes or no.
type TodayInput struct {
	ClearHeaded *bool `json:"clear_headed"`
	Unwell      *bool `json:"unwell"`
	Changes     *bool `json:"changes"`
}

// answers checks that every answer is given and returns them; nil for a
// nil input. Errors: EINVALID "required" with field "today.<name>".
func (t *TodayInput) answers() (*practice.Today, error) {
	if t == nil {
		return nil, nil
	}
	for _, f := range []struct {
		name string
		v    *bool
	}{{"clear_headed", t.ClearHeaded}, {"unwell", t.Unwell}, {"changes", t.Changes}} {
		if f.v == nil {
			return nil, holdspace.Invalid("required", "today."+f.name, "Answer all three of today's questions (%s is missing).", f.name)
		}
	}
	return &practice.Today{ClearHeaded: *t.ClearHeaded, Unwell: *t.Unwell, Changes: *t.Changes}, nil
}

// afterDayCheck does, in the event's transaction, what follows from a
// day-check, cancel or close event beyond the event itself:
//   - a day check reporting a health change records the change, so the
//     client's screening is stale (for this session and the next) until
//     they answer the questionnaire again;
//   - a session cancelled or closed while its day check blocks it is
//     recorded as ended for capacity or illness in the audit detail.
func (a *Sessions) afterDayCheck(ctx context.Context, tx interface {
	store.AuditLog
	store.Screenings
	store.Sessions
	store.Users
	txBase
}, ac Actor, s *store.Session, ev practice.Event, detail *string) error {
	switch ev.Type {
	case practice.EventDayCheck:
		if ev.Today == nil || !ev.Today.Changes {
			return nil
		}
		h := &store.HealthChange{ID: newID("hch"), ClientID: s.ClientID, RecordedBy: ac.UserID, At: tx.Now()}
		if err := tx.CreateHealthChange(ctx, h); err != nil {
			return err
		}
		if err := a.factsChanged(ctx, tx, s.ClientID); err != nil {
			return err
		}
		return record(ctx, tx, ac, "health_change.create", h.ID, s.ClientID, "day-check session="+s.ID)
	case practice.EventCancel, practice.EventClose:
		f, err := a.decisions.sessionFacts(ctx, tx, s)
		if err != nil {
			return err
		}
		if b := f.DayCheck.Block(); b != "" {
			*detail += " ended_for=" + b
		}
	}
	return nil
}

// FoldEvents folds a session's events, as ListEvents returns them, into its
// facts; events the fold refuses (none, for stored events) are skipped.
func FoldEvents(intent string, evs []EventView) practice.Facts {
	f := practice.NewFacts(catalogue.Intent(intent))
	for _, e := range evs {
		_ = f.Apply(e.Event)
	}
	return f
}

// dayCheckResources returns the FHIR QuestionnaireResponses of a session's
// day checks, preceded by the day-check-v1 Questionnaire when
// withQuestionnaire is set and there is at least one.
func dayCheckResources(s *store.Session, evs []practice.Event, withQuestionnaire bool) ([]any, error) {
	var out []any
	for _, e := range evs {
		if e.Type != practice.EventDayCheck || e.Today == nil {
			continue
		}
		if withQuestionnaire && len(out) == 0 {
			q, err := fhir.DayCheckQuestionnaire()
			if err != nil {
				return nil, err
			}
			out = append(out, q)
		}
		in := fhir.DayCheckInput{ID: e.ID, ClientID: s.ClientID, SessionID: s.ID, At: e.At,
			ClearHeaded: e.Today.ClearHeaded, Unwell: e.Today.Unwell, Changes: e.Today.Changes}
		if e.ActorRole == holdspace.RolePractitioner {
			in.PractitionerID = e.ActorID
		}
		qr, err := fhir.DayCheckResponse(in)
		if err != nil {
			return nil, err
		}
		out = append(out, qr)
	}
	return out, nil
}
