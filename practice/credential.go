package practice

import (
	"strconv"
	"strings"
	"time"

	"holdspace"
	"holdspace/catalogue"
)

// Credential is a practitioner's qualification: what kind it is, who issued
// it, its number, the period it is valid for (both ends inclusive) and what
// work it covers (catalogue.Cover* codes). holdspace records credentials; it
// does not grant them.
type Credential struct {
	ID         string    `json:"id,omitempty"`
	Kind       string    `json:"kind"`
	Issuer     string    `json:"issuer"`
	Number     string    `json:"number"`
	ValidFrom  time.Time `json:"valid_from"`
	ValidUntil time.Time `json:"valid_until"`
	Covers     []string  `json:"covers"`
	// RevokedAt is when the credential was revoked (zero: never); from
	// that instant on it is not valid, whatever ValidUntil says.
	RevokedAt time.Time `json:"revoked_at,omitzero"`
	// RevokedReason says why it was revoked.
	RevokedReason string `json:"revoked_reason,omitempty"`
}

// Validate checks c and returns an EINVALID *holdspace.Error:
//   - empty kind or issuer → reason "required", field "kind" / "issuer";
//   - zero valid_from or valid_until → "required", field "valid_from" /
//     "valid_until";
//   - valid_until before valid_from → "invalid_period", field "valid_until";
//   - a cover that is not a catalogue cover → "unknown_cover", field
//     "covers[i]"; a repeated cover → "duplicate_cover", field "covers[i]".
//
// A credential may cover nothing (a general massage licence).
func (c Credential) Validate() error {
	if strings.TrimSpace(c.Kind) == "" {
		return holdspace.Invalid("required", "kind", "Say what kind of credential this is.")
	}
	if strings.TrimSpace(c.Issuer) == "" {
		return holdspace.Invalid("required", "issuer", "Say who issued the credential.")
	}
	if c.ValidFrom.IsZero() {
		return holdspace.Invalid("required", "valid_from", "Say from when the credential is valid.")
	}
	if c.ValidUntil.IsZero() {
		return holdspace.Invalid("required", "valid_until", "Say until when the credential is valid.")
	}
	if c.ValidUntil.Before(c.ValidFrom) {
		return holdspace.Invalid("invalid_period", "valid_until", "A credential cannot end before it starts.")
	}
	for i, cv := range c.Covers {
		field := "covers[" + strconv.Itoa(i) + "]"
		if !catalogue.ValidCover(cv) {
			return holdspace.Invalid("unknown_cover", field, "%q is not something a credential can cover.", cv)
		}
		for _, prev := range c.Covers[:i] {
			if prev == cv {
				return holdspace.Invalid("duplicate_cover", field, "%q is listed twice.", cv)
			}
		}
	}
	return nil
}

// ValidAt reports whether c is valid at t: ValidFrom ≤ t ≤ ValidUntil, and
// t is before RevokedAt when the credential was revoked.
func (c Credential) ValidAt(t time.Time) bool {
	if !c.RevokedAt.IsZero() && !t.Before(c.RevokedAt) {
		return false
	}
	return !t.Before(c.ValidFrom) && !t.After(c.ValidUntil)
}

// HasCover reports whether c lists cover.
func (c Credential) HasCover(cover string) bool {
	for _, cv := range c.Covers {
		if cv == cover {
			return true
		}
	}
	return false
}

// Holders returns the credentials of creds that cover cover (none for an
// empty cover), for AnyValidAt: a caller asking Qualified many times for
// one cover picks the holders once.
func Holders(creds []Credential, cover string) []Credential {
	if cover == "" {
		return nil
	}
	var out []Credential
	for i := range creds {
		if creds[i].HasCover(cover) {
			out = append(out, creds[i])
		}
	}
	return out
}

// AnyValidAt reports whether any of creds is valid at t. With creds from
// Holders(all, cover) it answers Qualified(all, cover, t).
func AnyValidAt(creds []Credential, t time.Time) bool {
	for i := range creds {
		if creds[i].ValidAt(t) {
			return true
		}
	}
	return false
}

// Qualified reports whether any of creds covers cover and is valid at t.
// An empty cover is never qualified: callers ask only for real coverage.
func Qualified(creds []Credential, cover string, at time.Time) bool {
	if cover == "" {
		return false
	}
	for i := range creds {
		if creds[i].HasCover(cover) && creds[i].ValidAt(at) {
			return true
		}
	}
	return false
}
