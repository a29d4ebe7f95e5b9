package app

import (
	"context"
	"slices"
	"strings"
	"time"

	"holdspace"
	"holdspace/practice"
	"holdspace/store"
)

// CredentialInput is the input of AddCredential. Dates are YYYY-MM-DD or
// RFC 3339; a date-only valid_until lasts to the end of that day (UTC).
type CredentialInput struct {
	Kind       string   `json:"kind"`
	Issuer     string   `json:"issuer"`
	Number     string   `json:"number"`
	ValidFrom  string   `json:"valid_from"`
	ValidUntil string   `json:"valid_until"`
	Covers     []string `json:"covers"`
}

// Credential is a practitioner credential as callers see it: the domain's
// credential and when it was recorded.
type Credential struct {
	practice.Credential
	CreatedAt time.Time `json:"created_at"`
}

// parseTime accepts RFC 3339 or YYYY-MM-DD (UTC midnight, or the day's last
// microsecond when endOfDay).
func parseTime(field, s string, endOfDay bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, holdspace.Invalid("required", field, "A date is required.")
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, holdspace.Invalid("invalid_date", field, "Give a date as YYYY-MM-DD or a time in RFC 3339.")
	}
	if endOfDay {
		t = t.Add(24*time.Hour - time.Microsecond)
	}
	return t, nil
}

func credentialsOut(cs []*store.Credential) []Credential {
	out := make([]Credential, 0, len(cs))
	for i, pc := range practiceCredentials(cs) {
		pc.Covers = nonNil(pc.Covers)
		out = append(out, Credential{Credential: pc, CreatedAt: cs[i].CreatedAt})
	}
	return out
}

func practiceCredentials(cs []*store.Credential) []practice.Credential {
	out := make([]practice.Credential, 0, len(cs))
	for _, c := range cs {
		out = append(out, practice.Credential{ID: c.ID, Kind: c.Kind, Issuer: c.Issuer, Number: c.Number,
			ValidFrom: c.ValidFrom, ValidUntil: c.ValidUntil, Covers: c.Covers, RevokedAt: c.RevokedAt, RevokedReason: c.RevokedReason})
	}
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// AddCredential records a credential for a practitioner. Admins only.
func (a *People) AddCredential(ctx context.Context, ac Actor, practitionerID string, in CredentialInput) (string, error) {
	if !ac.is(holdspace.RoleAdmin) {
		return "", forbidden("Only an admin can record credentials.")
	}
	from, err := parseTime("valid_from", in.ValidFrom, false)
	if err != nil {
		return "", err
	}
	until, err := parseTime("valid_until", in.ValidUntil, true)
	if err != nil {
		return "", err
	}
	pc := practice.Credential{Kind: strings.TrimSpace(in.Kind), Issuer: strings.TrimSpace(in.Issuer),
		Number: strings.TrimSpace(in.Number), ValidFrom: from, ValidUntil: until, Covers: nonNil(in.Covers)}
	if err := pc.Validate(); err != nil {
		return "", err
	}
	if len(pc.Kind) > 200 || len(pc.Issuer) > 200 || len(pc.Number) > 200 {
		return "", holdspace.Invalid("too_long", "kind", "Kind, issuer and number may have at most 200 characters each.")
	}
	c := &store.Credential{ID: newID("crd"), PractitionerID: practitionerID, Kind: pc.Kind, Issuer: pc.Issuer,
		Number: pc.Number, ValidFrom: from, ValidUntil: until, Covers: pc.Covers}
	err = a.update(ctx, func(tx peopleTx) error {
		u, err := tx.User(ctx, practitionerID)
		if err != nil || u.Role != holdspace.RolePractitioner {
			return holdspace.NotFound("practitioner")
		}
		c.CreatedAt = tx.Now()
		if err := tx.CreateCredential(ctx, c); err != nil {
			return err
		}
		if _, err := tx.BumpVersion(ctx, practitionerID); err != nil {
			return err
		}
		return record(ctx, tx, ac, "credential.create", c.ID, "", "practitioner="+practitionerID+" covers="+strings.Join(c.Covers, ","))
	})
	if err != nil {
		return "", err
	}
	return c.ID, nil
}

// RevokeCredential revokes a practitioner's credential with a reason
// (admins only). It is not valid from this instant: the very next
// decision, on every node, no longer counts it.
func (a *People) RevokeCredential(ctx context.Context, ac Actor, practitionerID, credentialID, reason string) error {
	if !ac.is(holdspace.RoleAdmin) {
		return forbidden("Only an admin can revoke credentials.")
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return holdspace.Invalid("required", "reason", "Say why the credential is revoked.")
	}
	if n := len([]rune(reason)); n > 500 {
		return holdspace.Invalid("too_long", "reason", "A reason may have at most 500 characters.")
	}
	return a.update(ctx, func(tx peopleTx) error {
		cs, err := tx.ListCredentials(ctx, practitionerID)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(cs, func(c *store.Credential) bool { return c.ID == credentialID }) {
			return holdspace.NotFound("credential")
		}
		if err := tx.RevokeCredential(ctx, credentialID, tx.Now(), reason); err != nil {
			return err
		}
		if _, err := tx.BumpVersion(ctx, practitionerID); err != nil {
			return err
		}
		tx.Notify("user:" + practitionerID)
		return record(ctx, tx, ac, "credential.revoke", credentialID, "", "practitioner="+practitionerID)
	})
}
