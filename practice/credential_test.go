package practice

import (
	"testing"
	"time"

	"holdspace"
	"holdspace/catalogue"
)

func goodCred() Credential {
	return Credential{ID: "c1", Kind: "pelvic-health", Issuer: "College", Number: "42",
		ValidFrom: t0, ValidUntil: t0.AddDate(1, 0, 0), Covers: []string{catalogue.CoverInternalVaginal}}
}

func TestCredentialValidate(t *testing.T) {
	if err := goodCred().Validate(); err != nil {
		t.Fatalf("good credential: %v", err)
	}
	tests := []struct {
		name          string
		mutate        func(*Credential)
		reason, field string
	}{
		{"ErrKind", func(c *Credential) { c.Kind = " " }, "required", "kind"},
		{"ErrIssuer", func(c *Credential) { c.Issuer = "" }, "required", "issuer"},
		{"ErrFrom", func(c *Credential) { c.ValidFrom = time.Time{} }, "required", "valid_from"},
		{"ErrUntil", func(c *Credential) { c.ValidUntil = time.Time{} }, "required", "valid_until"},
		{"ErrPeriod", func(c *Credential) { c.ValidUntil = t0.Add(-time.Hour) }, "invalid_period", "valid_until"},
		{"ErrCover", func(c *Credential) { c.Covers = []string{catalogue.CoverTraumaInformed, "surgery"} }, "unknown_cover", "covers[1]"},
		{"ErrDuplicate", func(c *Credential) { c.Covers = []string{"trauma-informed", "trauma-informed"} }, "duplicate_cover", "covers[1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := goodCred()
			tt.mutate(&c)
			err := c.Validate()
			if holdspace.ErrorCode(err) != holdspace.EINVALID || holdspace.ErrorReason(err) != tt.reason || holdspace.ErrorField(err) != tt.field {
				t.Fatalf("got %v", err)
			}
		})
	}
}

func TestQualified(t *testing.T) {
	c := goodCred()
	creds := []Credential{c, {Kind: "k", Issuer: "i", ValidFrom: t0, ValidUntil: t0.Add(time.Hour), Covers: []string{catalogue.CoverTraumaInformed}}}
	tests := []struct {
		cover string
		at    time.Time
		want  bool
	}{
		{catalogue.CoverInternalVaginal, t0, true},                   // from is inclusive
		{catalogue.CoverInternalVaginal, c.ValidUntil, true},         // until is inclusive
		{catalogue.CoverInternalVaginal, c.ValidUntil.Add(1), false}, // expired
		{catalogue.CoverInternalVaginal, t0.Add(-1), false},          // not yet valid
		{catalogue.CoverInternalAnorectal, t0, false},                // not covered
		{catalogue.CoverTraumaInformed, t0.Add(30 * time.Minute), true},
		{catalogue.CoverTraumaInformed, t0.Add(2 * time.Hour), false},
		{"", t0, false},
	}
	for _, tt := range tests {
		if got := Qualified(creds, tt.cover, tt.at); got != tt.want {
			t.Errorf("Qualified(%q, %v) = %v", tt.cover, tt.at, got)
		}
	}
	if Qualified(nil, catalogue.CoverInternalVaginal, t0) {
		t.Error("no credentials qualify for nothing")
	}
}
