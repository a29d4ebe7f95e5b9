package consent

import (
	"testing"
	"time"

	"holdspace"
	"holdspace/catalogue"
)

func draft() Agreement {
	return Agreement{ID: "a1", ClientID: "c1", Intent: catalogue.Therapeutic, Version: 1, CreatedAt: t0,
		Grants: []Grant{g("glutes", "massage", catalogue.Yes), g("prostate", "touch", catalogue.Ask)}}
}

func TestAgreementValidate(t *testing.T) {
	anat := catalogue.Anatomy{Prostate: true}
	if err := (&Agreement{Intent: catalogue.Sensual, Grants: []Grant{g("genitals", "touch", catalogue.No)}}).Validate(anat); err != nil {
		t.Fatalf("valid: %v", err)
	}
	tests := []struct {
		name          string
		mutate        func(*Agreement)
		reason, field string
	}{
		{"ErrIntent", func(a *Agreement) { a.Intent = "recreational" }, "invalid_intent", "intent"},
		{"ErrEmpty", func(a *Agreement) { a.Grants = nil }, "empty_grants", "grants"},
		{"ErrRegion", func(a *Agreement) { a.Grants[1].Region = "elbow" }, "unknown_region", "grants[1].region"},
		{"ErrNotApplicable", func(a *Agreement) { a.Grants[0].Region = "vagina" }, "not_applicable", "grants[0].region"},
		{"ErrTechnique", func(a *Agreement) { a.Grants[1].Technique = "kiss" }, "unknown_technique", "grants[1].technique"},
		{"ErrAnswer", func(a *Agreement) { a.Grants[0].Answer = "maybe" }, "invalid_answer", "grants[0].answer"},
		{"ErrDuplicate", func(a *Agreement) { a.Grants = append(a.Grants, g("glutes", "massage", catalogue.No)) }, "duplicate_grant", "grants[2]"},
		{"ErrValidUntil", func(a *Agreement) { a.ValidUntil = t0 }, "valid_until_past", "valid_until"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := draft()
			if err := a.Validate(anat); err != nil {
				t.Fatalf("draft invalid: %v", err)
			}
			tt.mutate(&a)
			err := a.Validate(anat)
			if holdspace.ErrorCode(err) != holdspace.EINVALID || holdspace.ErrorReason(err) != tt.reason || holdspace.ErrorField(err) != tt.field {
				t.Fatalf("got %v, want %s %s", err, tt.reason, tt.field)
			}
		})
	}
	// The same grant list is invalid for anatomy without a prostate.
	a := draft()
	if err := a.Validate(catalogue.Anatomy{Vagina: true}); holdspace.ErrorField(err) != "grants[1].region" {
		t.Fatalf("prostate without prostate anatomy: %v", err)
	}
}

func TestSignRevokeStatus(t *testing.T) {
	a := draft()
	if _, err := a.Sign(t0, "fax"); holdspace.ErrorReason(err) != "invalid_sign_method" {
		t.Fatalf("method: %v", err)
	}
	if _, err := a.Revoke(Revocation{At: t0, ByRole: "client"}); holdspace.ErrorReason(err) != "unsigned" {
		t.Fatalf("revoke draft: %v", err)
	}
	exp := a
	exp.ValidUntil = t0.Add(time.Hour)
	if _, err := exp.Sign(t0.Add(time.Hour), SignByClient); holdspace.ErrorReason(err) != "expired" {
		t.Fatalf("sign expired: %v", err)
	}
	s1, err := a.Sign(t0.Add(time.Hour), SignInPerson)
	if err != nil || s1.SignMethod != SignInPerson || !a.SignedAt.IsZero() {
		t.Fatalf("sign: %v %+v (original must stay a draft)", err, s1)
	}
	if _, err := s1.Sign(t0.Add(2*time.Hour), SignByClient); holdspace.ErrorReason(err) != "already_signed" {
		t.Fatalf("resign: %v", err)
	}
	if _, err := s1.Revoke(Revocation{At: t0, ByRole: "admin"}); holdspace.ErrorField(err) != "by_role" {
		t.Fatalf("role: %v", err)
	}
	if _, err := s1.Revoke(Revocation{At: t0, ByRole: "client", Regions: []string{"glutes", "knee"}}); holdspace.ErrorField(err) != "regions[1]" {
		t.Fatalf("region: %v", err)
	}

	all := []Agreement{s1}
	if st := StatusAt(&s1, all, t0); st != StatusDraft {
		t.Fatalf("before signing: %s", st)
	}
	if st := StatusAt(&s1, all, t0.Add(time.Hour)); st != StatusActive {
		t.Fatalf("signed: %s", st)
	}
	part, _ := s1.Revoke(Revocation{At: t0.Add(2 * time.Hour), ByRole: "client", Regions: []string{"glutes"}})
	if len(s1.Revocations) != 0 {
		t.Fatal("Revoke changed the original")
	}
	if st := StatusAt(&part, nil, t0.Add(3*time.Hour)); st != StatusActive || !part.RevokedAt("glutes", t0.Add(2*time.Hour)) || part.RevokedAt("glutes", t0) {
		t.Fatalf("partly revoked: %s", st)
	}
	full, _ := part.Revoke(Revocation{At: t0.Add(3 * time.Hour), ByRole: "practitioner", Regions: []string{"prostate"}})
	if st := StatusAt(&full, nil, t0.Add(3*time.Hour)); st != StatusRevoked {
		t.Fatalf("every region revoked: %s", st)
	}
	whole, _ := s1.Revoke(Revocation{At: t0.Add(2 * time.Hour), ByRole: "client"})
	if st := StatusAt(&whole, nil, t0.Add(2*time.Hour)); st != StatusRevoked {
		t.Fatalf("whole revoked: %s", st)
	}

	expiring := s1
	expiring.ValidUntil = t0.Add(5 * time.Hour)
	if st := StatusAt(&expiring, nil, t0.Add(5*time.Hour)); st != StatusExpired {
		t.Fatalf("expired: %s", st)
	}
	v2 := Agreement{ID: "a2", Intent: catalogue.Therapeutic, Version: 2, SignedAt: t0.Add(4 * time.Hour), Grants: s1.Grants}
	other := Agreement{ID: "s9", Intent: catalogue.Sensual, Version: 9, SignedAt: t0.Add(time.Hour), Grants: s1.Grants}
	all = []Agreement{s1, v2, other}
	if st := StatusAt(&s1, all, t0.Add(4*time.Hour)); st != StatusSuperseded {
		t.Fatalf("superseded: %s", st)
	}
	if st := StatusAt(&s1, all, t0.Add(3*time.Hour)); st != StatusActive {
		t.Fatalf("before v2 signed, and other intent does not supersede: %s", st)
	}
	if c, ok := Current(all, catalogue.Therapeutic, t0.Add(4*time.Hour)); !ok || c.ID != "a2" {
		t.Fatalf("current: %v", c)
	}
	if c, ok := Current(all, catalogue.Therapeutic, t0.Add(90*time.Minute)); !ok || c.ID != "a1" {
		t.Fatalf("current before v2: %v", c)
	}
	if _, ok := Current(all, catalogue.Therapeutic, t0); ok {
		t.Fatal("nothing signed yet")
	}
}
