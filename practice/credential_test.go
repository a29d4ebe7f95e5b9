package practice

import (
	"math/rand/v2"
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
		if got := AnyValidAt(Holders(creds, tt.cover), tt.at); got != tt.want {
			t.Errorf("AnyValidAt(Holders(%q), %v) = %v", tt.cover, tt.at, got)
		}
	}
	if Qualified(nil, catalogue.CoverInternalVaginal, t0) {
		t.Error("no credentials qualify for nothing")
	}
}

// TestHoldersAnswerQualified: for random credentials (covers, periods,
// revocations) and random covers and instants, the holders of a cover
// valid at t answer exactly what Qualified answers.
func TestHoldersAnswerQualified(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	covers := append(catalogue.Covers(), "")
	hour := func() time.Duration { return time.Duration(r.IntN(48)-24) * time.Hour }
	agree := 0
	for range 5000 {
		creds := make([]Credential, r.IntN(4))
		for i := range creds {
			c := Credential{ValidFrom: t0.Add(hour()), ValidUntil: t0.Add(hour())}
			for _, cv := range covers[:len(covers)-1] {
				if r.IntN(3) == 0 {
					c.Covers = append(c.Covers, cv)
				}
			}
			if r.IntN(4) == 0 {
				c.RevokedAt = t0.Add(hour())
			}
			creds[i] = c
		}
		cover, at := covers[r.IntN(len(covers))], t0.Add(hour())
		want := Qualified(creds, cover, at)
		if got := AnyValidAt(Holders(creds, cover), at); got != want {
			t.Fatalf("cover %q at %v over %+v: holders say %v, Qualified %v", cover, at, creds, got, want)
		}
		if want {
			agree++
		}
	}
	if agree == 0 {
		t.Fatal("no case was qualified: the test proved nothing")
	}
}
