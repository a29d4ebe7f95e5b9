package practice

import (
	"testing"
	"time"
)

// TestRevokedCredential: a revoked credential is not valid from its
// revocation instant on, whatever its period says; before it, it is.
func TestRevokedCredential(t *testing.T) {
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := Credential{Kind: "Licence", Issuer: "X", ValidFrom: from, ValidUntil: from.AddDate(2, 0, 0), Covers: []string{"internal-anorectal"}}
	rev := from.AddDate(0, 6, 0)
	c.RevokedAt = rev
	tests := []struct {
		name string
		at   time.Time
		want bool
	}{
		{"BeforeRevocation", rev.Add(-time.Microsecond), true},
		{"AtRevocation", rev, false},
		{"AfterRevocation", rev.AddDate(0, 1, 0), false},
		{"BeforeValidFrom", from.Add(-time.Second), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.ValidAt(tt.at); got != tt.want {
				t.Fatalf("ValidAt(%v) = %v, want %v", tt.at, got, tt.want)
			}
			if got := Qualified([]Credential{c}, "internal-anorectal", tt.at); got != tt.want {
				t.Fatalf("Qualified(%v) = %v, want %v", tt.at, got, tt.want)
			}
		})
	}
	c.RevokedAt = time.Time{}
	if !c.ValidAt(rev.AddDate(0, 1, 0)) {
		t.Fatal("an unrevoked credential is not valid within its period")
	}
}
