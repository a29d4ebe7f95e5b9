// Package consent holds consent agreements and the decision engine: given
// the recorded facts about a client, a session and a practitioner, Decide
// says permit, ask or deny for one (region, technique), always with reasons
// (shared/design.md "The decision", rules 1–8). The package is pure: no I/O,
// no clock; every time is passed in.
package consent

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"time"

	"holdspace"
	"holdspace/catalogue"
)

// Grant is a client's answer for one (region, technique).
type Grant struct {
	Region    string           `json:"region"`
	Technique string           `json:"technique"`
	Answer    catalogue.Answer `json:"answer"`
}

// Sign methods.
const (
	SignByClient = "client"    // in the client's own portal
	SignInPerson = "in_person" // on the practitioner's device, practitioner attesting
)

// Revocation withdraws consent given by an agreement, for some regions or,
// when Regions is empty, all of them. It is in force from the moment it is
// recorded.
type Revocation struct {
	At      time.Time `json:"at"`
	Regions []string  `json:"regions,omitempty"`
	ByRole  string    `json:"by_role"`
}

// covers reports whether r revokes region.
func (r *Revocation) covers(region string) bool {
	if len(r.Regions) == 0 {
		return true
	}
	for _, x := range r.Regions {
		if x == region {
			return true
		}
	}
	return false
}

// Agreement is one version of a client's consent for one intent: a set of
// grants, an optional expiry, a signature and the revocations recorded
// against it. Agreements are never edited in place; a change is a new
// version (higher Version, Supersedes naming the old ID).
type Agreement struct {
	ID       string           `json:"id"`
	ClientID string           `json:"client_id"`
	Intent   catalogue.Intent `json:"intent"`
	Version  int              `json:"version"`
	Grants   []Grant          `json:"grants"`
	// ValidUntil is the expiry (exclusive); zero means none.
	ValidUntil time.Time `json:"valid_until,omitzero"`
	CreatedAt  time.Time `json:"created_at"`
	// SignedAt is zero while the agreement is a draft.
	SignedAt    time.Time    `json:"signed_at,omitzero"`
	SignMethod  string       `json:"sign_method,omitempty"`
	Supersedes  string       `json:"supersedes,omitempty"`
	Revocations []Revocation `json:"revocations,omitempty"`
	// GuardianConsent is set when a guardian's consent is recorded with
	// the agreement (needed for a minor's therapeutic work, design rule 9).
	GuardianConsent bool `json:"guardian_consent,omitempty"`
}

// Status is the state of an agreement at some time.
type Status string

// Agreement statuses.
const (
	StatusDraft      Status = "draft"
	StatusActive     Status = "active"
	StatusSuperseded Status = "superseded"
	StatusRevoked    Status = "revoked"
	StatusExpired    Status = "expired"
)

// Validate checks a draft agreement against the client's anatomy. It
// returns an EINVALID *holdspace.Error with one of these reasons and fields:
//   - "invalid_intent", "intent";
//   - "empty_grants", "grants";
//   - "unknown_region", "grants[i].region";
//   - "not_applicable", "grants[i].region" (the region does not exist for
//     this anatomy, e.g. prostate without prostate anatomy);
//   - "unknown_technique", "grants[i].technique";
//   - "invalid_answer", "grants[i].answer";
//   - "duplicate_grant", "grants[i]" (a second grant for the same
//     region and technique);
//   - "valid_until_past", "valid_until" (expiry not after CreatedAt).
func (a *Agreement) Validate(anatomy catalogue.Anatomy) error {
	var ps holdspace.Problems
	if !catalogue.ValidIntent(string(a.Intent)) {
		ps.Add(holdspace.Invalid("invalid_intent", "intent", "The intent is therapeutic or sensual."))
	}
	if len(a.Grants) == 0 {
		ps.Add(holdspace.Invalid("empty_grants", "grants", "An agreement needs at least one answer on the body map."))
	}
	type key struct{ r, t string }
	seen := make(map[key]bool, len(a.Grants))
	for i, g := range a.Grants {
		p := "grants[" + strconv.Itoa(i) + "]"
		reg, ok := catalogue.LookupRegion(g.Region)
		if !ok {
			ps.Add(holdspace.Invalid("unknown_region", p+".region", "%q is not a body region.", g.Region))
			continue
		}
		if !reg.AppliesTo(anatomy) {
			ps.Add(holdspace.Invalid("not_applicable", p+".region", "%s does not apply to this client's recorded anatomy.", reg.Label))
			continue
		}
		if !catalogue.ValidTechnique(g.Technique) {
			ps.Add(holdspace.Invalid("unknown_technique", p+".technique", "%q is not a technique.", g.Technique))
			continue
		}
		if !catalogue.ValidAnswer(string(g.Answer)) {
			ps.Add(holdspace.Invalid("invalid_answer", p+".answer", "An answer is yes, no or ask."))
			continue
		}
		k := key{g.Region, g.Technique}
		if seen[k] {
			ps.Add(holdspace.Invalid("duplicate_grant", p, "%s with %s is answered twice.", reg.Label, g.Technique))
			continue
		}
		seen[k] = true
	}
	if !a.ValidUntil.IsZero() && !a.CreatedAt.IsZero() && !a.ValidUntil.After(a.CreatedAt) {
		ps.Add(holdspace.Invalid("valid_until_past", "valid_until", "The expiry must be in the future."))
	}
	return ps.Err()
}

// Sign returns a copy of a signed at `at` by method (SignByClient or
// SignInPerson). Errors: EINVALID "invalid_sign_method" (field
// "sign_method"); ECONFLICT "already_signed" when a is signed; ECONFLICT
// "expired" when a expires at or before `at`.
func (a Agreement) Sign(at time.Time, method string) (Agreement, error) {
	if method != SignByClient && method != SignInPerson {
		return a, holdspace.Invalid("invalid_sign_method", "sign_method", "An agreement is signed by the client or in person.")
	}
	if !a.SignedAt.IsZero() {
		return a, holdspace.Conflict("already_signed", "This agreement is already signed; a change is a new version.")
	}
	if a.expiredAt(at) {
		return a, holdspace.Conflict("expired", "This agreement has expired before it was signed.")
	}
	a.SignedAt = at
	a.SignMethod = method
	return a, nil
}

// Revoke returns a copy of a with r recorded. Revoking again is allowed
// (every refusal is cheap). Errors: ECONFLICT "unsigned" for a draft (a draft
// gives no consent to withdraw; discard it instead); EINVALID
// "unknown_region" (field "regions[i]"); EINVALID "invalid_role" (field
// "by_role") unless ByRole is "client" or "practitioner".
func (a Agreement) Revoke(r Revocation) (Agreement, error) {
	if a.SignedAt.IsZero() {
		return a, holdspace.Conflict("unsigned", "A draft agreement gives no consent to revoke.")
	}
	if r.ByRole != "client" && r.ByRole != "practitioner" {
		return a, holdspace.Invalid("invalid_role", "by_role", "A revocation is made by the client or by the practitioner on the client's word.")
	}
	for i, reg := range r.Regions {
		if _, ok := catalogue.LookupRegion(reg); !ok {
			return a, holdspace.Invalid("unknown_region", "regions["+strconv.Itoa(i)+"]", "%q is not a body region.", reg)
		}
	}
	r.Regions = append([]string(nil), r.Regions...)
	a.Revocations = append(append([]Revocation(nil), a.Revocations...), r)
	return a, nil
}

func (a *Agreement) signedBy(t time.Time) bool {
	return !a.SignedAt.IsZero() && !a.SignedAt.After(t)
}

func (a *Agreement) expiredAt(t time.Time) bool {
	return !a.ValidUntil.IsZero() && !t.Before(a.ValidUntil)
}

// RevokedAt reports whether region is revoked by a revocation recorded at
// or before t.
func (a *Agreement) RevokedAt(region string, t time.Time) bool {
	for i := range a.Revocations {
		if !a.Revocations[i].At.After(t) && a.Revocations[i].covers(region) {
			return true
		}
	}
	return false
}

// fullyRevokedAt reports whether every granted region (or the whole
// agreement) is revoked at t.
func (a *Agreement) fullyRevokedAt(t time.Time) bool {
	for i := range a.Revocations {
		if !a.Revocations[i].At.After(t) && len(a.Revocations[i].Regions) == 0 {
			return true
		}
	}
	if len(a.Revocations) == 0 || len(a.Grants) == 0 {
		return false
	}
	for _, g := range a.Grants {
		if !a.RevokedAt(g.Region, t) {
			return false
		}
	}
	return true
}

// StatusAt returns the status of a at t, given all the client's agreements
// (a itself may be among them). In order:
//   - draft: not signed at t;
//   - revoked: every granted region revoked at or before t;
//   - superseded: another agreement for the same intent with a higher
//     Version was signed at or before t;
//   - expired: ValidUntil is set and t is not before it;
//   - active otherwise.
func StatusAt(a *Agreement, all []Agreement, t time.Time) Status {
	switch {
	case !a.signedBy(t):
		return StatusDraft
	case a.fullyRevokedAt(t):
		return StatusRevoked
	}
	if cur, ok := Current(all, a.Intent, t); ok && cur.Version > a.Version {
		return StatusSuperseded
	}
	if a.expiredAt(t) {
		return StatusExpired
	}
	return StatusActive
}

// Current returns the agreement for intent that is in force at t: the one
// with the highest Version among those signed at or before t; every other
// signed version is superseded by it. It may be revoked or expired (check
// StatusAt): revoking the latest version never brings an older one back.
// ok is false when none is signed. This is the one supersession rule:
// StatusAt, SupersededAt and the decision's Index all read it.
func Current(all []Agreement, intent catalogue.Intent, t time.Time) (a *Agreement, ok bool) {
	i := newest(len(all), func(i int) (catalogue.Intent, int, time.Time) {
		return all[i].Intent, all[i].Version, all[i].SignedAt
	}, intent, t)
	if i < 0 {
		return nil, false
	}
	return &all[i], true
}

// SupersededAt returns when a stopped being Current for its intent among
// all: the earliest time a higher version of the same intent was signed.
// It is zero while no higher version is signed.
func (a *Agreement) SupersededAt(all []Agreement) time.Time {
	var at time.Time
	for i := range all {
		t := all[i].SignedAt
		if all[i].Intent != a.Intent || t.IsZero() || (!at.IsZero() && !t.Before(at)) {
			continue
		}
		if cur, ok := Current(all, a.Intent, t); ok && cur.Version > a.Version {
			at = t
		}
	}
	return at
}

// newest is the supersession rule over n versions, version(i) giving the
// i-th one's intent, Version and signing time (zero: a draft): the index of
// the version for intent with the highest Version signed at or before t,
// or -1 when none is.
func newest(n int, version func(i int) (catalogue.Intent, int, time.Time), intent catalogue.Intent, t time.Time) int {
	best, bestVersion := -1, 0
	for i := range n {
		in, v, signedAt := version(i)
		if in != intent || signedAt.IsZero() || signedAt.After(t) {
			continue
		}
		if best < 0 || v > bestVersion {
			best, bestVersion = i, v
		}
	}
	return best
}

// ContentHash returns "sha256:<hex>" over an unambiguous encoding of
// what the client signed: id, client, intent, version, expiry, creation and
// signing time, sign method, superseded id and the grants sorted by region,
// technique and answer (so storage order does not matter). Each value is
// written as "<byte length>:<bytes>", so no two different contents encode
// alike. Revocations are not part of it: they come after the signature.
// Equal content gives an equal hash; any change to a signed field changes
// it.
func (a *Agreement) ContentHash() string {
	grants := slices.Clone(a.Grants)
	slices.SortFunc(grants, func(x, y Grant) int {
		if c := strings.Compare(x.Region, y.Region); c != 0 {
			return c
		}
		if c := strings.Compare(x.Technique, y.Technique); c != 0 {
			return c
		}
		return strings.Compare(string(x.Answer), string(y.Answer))
	})
	h := sha256.New()
	buf := make([]byte, 0, 256)
	put := func(s string) {
		buf = strconv.AppendInt(buf[:0], int64(len(s)), 10)
		buf = append(buf, ':')
		buf = append(buf, s...)
		h.Write(buf)
	}
	put("holdspace-agreement-v1")
	put(a.ID)
	put(a.ClientID)
	put(string(a.Intent))
	put(strconv.Itoa(a.Version))
	put(hashTime(a.ValidUntil))
	put(hashTime(a.CreatedAt))
	put(hashTime(a.SignedAt))
	put(a.SignMethod)
	put(a.Supersedes)
	put(strconv.Itoa(len(grants)))
	for _, g := range grants {
		put(g.Region)
		put(g.Technique)
		put(string(g.Answer))
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

func hashTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}
