package app

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"holdspace"
	"holdspace/catalogue"
	"holdspace/consent"
	"holdspace/practice"
	"holdspace/store"
)

// GuardianInput is a guardian's consent to a minor's therapeutic
// agreement, signed in person on the practitioner's device: the guardian's
// name, their relationship to the client, and the name the guardian typed.
type GuardianInput struct {
	Name         string `json:"name"`
	Relationship string `json:"relationship"`
	TypedName    string `json:"typed_name"`
}

// GuardianView is a recorded guardian's consent.
type GuardianView struct {
	AgreementID  string    `json:"agreement_id"`
	Name         string    `json:"name"`
	Relationship string    `json:"relationship"`
	RecordedAt   time.Time `json:"recorded_at"`
	RecordedBy   string    `json:"recorded_by"`
}

type guardianSealed struct {
	Name         string `json:"name"`
	Relationship string `json:"relationship"`
	TypedName    string `json:"typed_name"`
}

func normName(s string) string { return strings.Join(strings.Fields(s), " ") }

// RecordGuardianConsent records a guardian's consent with a minor client's
// therapeutic agreement (design rule 9): the client's practitioner, in
// person, with the guardian's typed name matching the guardian's name.
// Errors: EINVALID "required" / "too_long" (fields name, relationship,
// typed_name), "typed_name_mismatch" (typed_name); ECONFLICT "not_a_minor"
// when the client is an adult now, "not_therapeutic" for a sensual
// agreement, and when one is recorded already; EFORBIDDEN for anyone but
// the client's practitioner. The guardian's details are sealed; the act is
// audited and in force for the next decision.
func (a *Agreements) RecordGuardianConsent(ctx context.Context, ac Actor, agreementID string, in GuardianInput) (GuardianView, error) {
	var out GuardianView
	g := guardianSealed{Name: normName(in.Name), Relationship: normName(in.Relationship), TypedName: normName(in.TypedName)}
	for _, f := range []struct{ name, v string }{{"name", g.Name}, {"relationship", g.Relationship}, {"typed_name", g.TypedName}} {
		if f.v == "" {
			return out, holdspace.Invalid("required", f.name, "The guardian's %s is required.", strings.ReplaceAll(f.name, "_", " "))
		}
		if len(f.v) > 200 {
			return out, holdspace.Invalid("too_long", f.name, "At most 200 characters.")
		}
	}
	if !consent.TypedNameMatches(g.TypedName, g.Name) {
		return out, holdspace.Invalid("typed_name_mismatch", "typed_name", "The guardian types their own name, as given above, to sign.")
	}
	err := a.update(ctx, func(tx agreementsTx) error {
		r, c, err := a.visibleAgreement(ctx, tx, ac, agreementID)
		if err != nil {
			return err
		}
		if !ac.is(holdspace.RolePractitioner) {
			return forbidden("A guardian signs in person on the client's practitioner's device.")
		}
		if r.Intent != string(catalogue.Therapeutic) {
			return holdspace.Conflict("not_therapeutic", "A guardian can consent only to therapeutic work.")
		}
		st, err := a.practiceSettings(ctx, tx)
		if err != nil {
			return err
		}
		birth, err := a.birthDate(c)
		if err != nil {
			return err
		}
		if !practice.MinorAt(birth, st.settings.AgeOfMajority, st.loc, tx.Now()) {
			return holdspace.Conflict("not_a_minor", "The client is an adult: their own consent is the consent.")
		}
		b, _ := json.Marshal(g)
		rec := &store.GuardianConsent{AgreementID: r.ID, ClientID: c.ID, RecordedBy: ac.UserID, RecordedAt: tx.Now()}
		if rec.Sealed, err = a.sealClient(ctx, tx, c.ID, r.ID, "guardian", string(b)); err != nil {
			return err
		}
		if err := tx.CreateGuardianConsent(ctx, rec); err != nil {
			if holdspace.ErrorCode(err) == holdspace.ECONFLICT {
				return holdspace.Conflict("exists", "A guardian's consent is recorded with this agreement already.")
			}
			return err
		}
		if err := a.factsChanged(ctx, tx, c.ID); err != nil {
			return err
		}
		out = GuardianView{AgreementID: r.ID, Name: g.Name, Relationship: g.Relationship, RecordedAt: rec.RecordedAt, RecordedBy: rec.RecordedBy}
		return record(ctx, tx, ac, "agreement.guardian", r.ID, c.ID, "in_person")
	})
	return out, err
}

// markGuardians sets GuardianConsent on the agreements that carry a
// recorded guardian's consent.
func (a *core) markGuardians(ctx context.Context, tx store.Guardians, clientID string, ags []consent.Agreement) error {
	gs, err := tx.ListGuardianConsents(ctx, clientID)
	if err != nil || len(gs) == 0 {
		return err
	}
	for i := range ags {
		for _, g := range gs {
			if g.AgreementID == ags[i].ID {
				ags[i].GuardianConsent = true
			}
		}
	}
	return nil
}

// Guardians returns the guardians' consents recorded for a client, opened.
// The client, their practitioners and admins may read them; the read is
// audited.
func (a *Agreements) Guardians(ctx context.Context, ac Actor, clientID string) ([]GuardianView, error) {
	var out []GuardianView
	err := a.update(ctx, func(tx agreementsTx) error {
		if _, err := visibleClient(ctx, tx, ac, clientID); err != nil {
			return err
		}
		gs, err := tx.ListGuardianConsents(ctx, clientID)
		if err != nil {
			return err
		}
		for _, g := range gs {
			s, err := a.open(g.AgreementID, "guardian", g.Sealed)
			if err != nil {
				return err
			}
			var v guardianSealed
			if err := json.Unmarshal([]byte(s), &v); err != nil {
				return err
			}
			out = append(out, GuardianView{AgreementID: g.AgreementID, Name: v.Name, Relationship: v.Relationship,
				RecordedAt: g.RecordedAt, RecordedBy: g.RecordedBy})
		}
		return record(ctx, tx, ac, "agreement.guardian.read", clientID, clientID, "")
	})
	return nonNil(out), err
}
