package app

import (
	"context"
	"strings"
	"time"

	"holdspace"
	"holdspace/consent"
	"holdspace/screening"
	"holdspace/store"
)

// byOthers reports whether a screening was entered by someone other than
// the client (a practitioner or admin; older records without a role are
// the client's): it lifts nothing until the client confirms it.
func byOthers(s *store.Screening) bool {
	return s.RecordedRole != "" && s.RecordedRole != holdspace.RoleClient
}

// effectiveScreening is the screening in force for a client at `at` for a
// session opened at liftFrom (zero: none): every screening walked by
// screening.Effective, so that nothing the client reported is lifted behind
// their back.
func (a *core) effectiveScreening(ctx context.Context, tx store.Screenings, clientID string, at, liftFrom time.Time) (screening.Current, error) {
	ss, err := tx.ListScreenings(ctx, clientID)
	if err != nil {
		return screening.Current{}, err
	}
	hist := make([]screening.Entry, 0, len(ss))
	for i := len(ss) - 1; i >= 0; i-- { // the store lists newest first
		s := ss[i]
		v, err := a.openScreening(s, false)
		if err != nil {
			return screening.Current{}, err
		}
		hist = append(hist, screening.Entry{
			Record: screening.Record{ID: s.ID, TakenAt: s.TakenAt, ValidUntil: s.ValidUntil,
				Result: screening.Result{Questionnaire: v.Questionnaire, Outcome: v.Outcome, Regions: v.Regions, Findings: v.Findings}},
			ByPractitioner: byOthers(s), ConfirmedAt: s.ConfirmedAt})
	}
	hcs, err := tx.ListHealthChanges(ctx, clientID)
	if err != nil {
		return screening.Current{}, err
	}
	var changes []time.Time
	for _, h := range hcs {
		changes = append(changes, h.At)
	}
	cls, err := tx.ListClearances(ctx, clientID)
	if err != nil {
		return screening.Current{}, err
	}
	opened, err := a.screeningClearances(cls)
	if err != nil {
		return screening.Current{}, err
	}
	return screening.Effective(hist, changes, opened, liftFrom, at), nil
}

// heldBack fills v.Held with the earlier findings still in force although
// the screening v leaves them out.
func (a *Screenings) heldBack(ctx context.Context, tx interface {
	store.Screenings
	txBase
}, clientID string, v *ScreeningView) error {
	cur, err := a.currentScreening(ctx, tx, clientID, tx.Now())
	if err != nil {
		return err
	}
	if cur.ID != v.ID {
		return nil
	}
	for _, f := range cur.Findings {
		if f.Held != "" {
			v.Held = append(v.Held, f)
		}
	}
	return nil
}

// ConfirmScreeningInput is the input of ConfirmScreening: the client
// confirms from their own account with an empty body; a practitioner
// records the client's in-person confirmation with the client's typed name.
type ConfirmScreeningInput struct {
	InPerson        bool   `json:"in_person"`
	ClientTypedName string `json:"client_typed_name"`
}

// ConfirmScreening records the client's confirmation of a screening someone
// else entered for them: from then on it may lift what earlier screenings
// reported (referrals still need a clearance; a session already open keeps
// the earlier findings until it ends). The client confirms in their own
// account; their assigned practitioner may record it in person with the
// client's typed name, which must match the client's recorded name.
// Errors: ENOTFOUND screening; EFORBIDDEN; ECONFLICT "not_needed" for a
// screening the client entered themselves, "already_confirmed"; EINVALID
// "required" / "typed_name_mismatch" (field client_typed_name),
// "invalid_sign_method" (field in_person).
func (a *Screenings) ConfirmScreening(ctx context.Context, ac Actor, screeningID string, in ConfirmScreeningInput) (ScreeningView, error) {
	var out ScreeningView
	err := a.update(ctx, func(tx screeningsTx) error {
		s, err := tx.Screening(ctx, screeningID)
		if err != nil {
			if holdspace.ErrorCode(err) == holdspace.ENOTFOUND {
				return holdspace.NotFound("screening")
			}
			return err
		}
		c, err := visibleClient(ctx, tx, ac, s.ClientID)
		if err != nil {
			return holdspace.NotFound("screening")
		}
		method := "client"
		switch {
		case ac.is(holdspace.RoleClient):
			if in.InPerson {
				return holdspace.Invalid("invalid_sign_method", "in_person", "A client confirms in their own account.")
			}
		case ac.is(holdspace.RolePractitioner):
			if !in.InPerson {
				return forbidden("Only the client can confirm in their account; a practitioner records it in person with the client's typed name.")
			}
			if err := a.checkTypedName(ctx, tx, c.ID, in.ClientTypedName); err != nil {
				return err
			}
			method = "in_person"
			if s.ConfirmTypedNameSealed, err = a.sealClient(ctx, tx, c.ID, s.ID, "confirm_typed_name", strings.TrimSpace(in.ClientTypedName)); err != nil {
				return err
			}
		default:
			return forbidden("Only the client, or their practitioner in person, can confirm a screening.")
		}
		if !byOthers(s) {
			return holdspace.Conflict("not_needed", "The client entered this screening themselves; it needs no confirmation.")
		}
		s.ConfirmedAt, s.ConfirmedBy, s.ConfirmMethod = tx.Now(), ac.UserID, method
		if err := tx.ConfirmScreening(ctx, s); err != nil {
			return err
		}
		if err := a.factsChanged(ctx, tx, c.ID); err != nil {
			return err
		}
		if out, err = a.openScreening(s, false); err != nil {
			return err
		}
		if err := a.heldBack(ctx, tx, c.ID, &out); err != nil {
			return err
		}
		return record(ctx, tx, ac, "screening.confirm", s.ID, c.ID, "method="+method)
	})
	return out, err
}

// checkTypedName checks the name a client typed in person (to sign an
// agreement or confirm a screening) against their recorded name (see
// consent.CheckClientTypedName).
func (a *core) checkTypedName(ctx context.Context, tx store.Users, clientID, typed string) error {
	u, err := tx.User(ctx, clientID)
	if err != nil {
		return err
	}
	p, err := a.person(u)
	if err != nil {
		return err
	}
	return consent.CheckClientTypedName(typed, p.Name)
}
