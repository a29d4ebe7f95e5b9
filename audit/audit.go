// Package audit defines holdspace's append-only, hash-chained audit log. It
// is pure: it computes and checks hashes; storage engines persist entries,
// writing each in the same transaction as the change it records.
//
// Each Entry's Hash is SHA-256 over its canonical bytes (see Canonical),
// which cover every field but Hash itself, including Seq and PrevHash, so
// each entry commits to all entries before it. The first entry has Seq 1
// and PrevHash "" (the genesis value). Altering, inserting, removing or
// reordering stored entries breaks the chain at the first affected Seq,
// which Verifier reports.
//
// The chain is unkeyed: someone able to rewrite the whole table could
// recompute every hash after the point they changed. Keep the head hash
// (the last entry's Hash, printed by `holdspace audit verify`) somewhere
// the database's writers cannot reach, and check it with NewVerifierAfter
// or by comparing the head after verification. Removing entries from the
// end is only detectable that way.
//
// # What entries may hold
//
// Entries are never deleted and never rewritten, with one exception:
// erasing a client redacts the client's entries (Redact). Actor, Target
// and ClientID hold opaque ids, Action a stable code ("consent.revoke"),
// and Detail only ids and codes — never names or contact details. Codes
// can still reveal health (an outcome, a region), so entries written since
// version 2 of the encoding commit to their body (Action, Detail, Content)
// through a salted BodyHash: redaction removes the body and the salt,
// keeps the ids, time and hashes, and the chain still verifies. Entries of
// version 1 (written before) cannot be redacted.
//
// # Times
//
// At is normalised to UTC truncated to whole microseconds (Normalize)
// before hashing, so storage must keep times with at least microsecond
// precision (PostgreSQL timestamptz does; SQLite must store the text from
// FormatTime or integer microseconds). A time read back with less
// precision fails verification.
package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Entry is one audit record. Hashes are lower-case hex SHA-256.
type Entry struct {
	Seq      int64     `json:"seq"`
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
	Action   string    `json:"action"`
	Target   string    `json:"target"`
	ClientID string    `json:"client_id"`
	Detail   string    `json:"detail"`
	PrevHash string    `json:"prev_hash"`
	Hash     string    `json:"hash"`
	// Content lists the records written with this entry and the hash of
	// each one's content, as space-separated "kind:id:sha256hex" items
	// (see ContentItem), so that a verifier can check the stored records
	// against the chain. Empty when the act wrote no consent record.
	Content string `json:"content,omitempty"`
	// Salt is a random value that makes the entry's body hash impossible
	// to guess from its codes. A version 2 entry has one until it is
	// redacted; see Redact.
	Salt string `json:"-"`
	// BodyHash is, for a version 2 entry, the hex SHA-256 of its salted
	// body (Action, Detail, Content); the entry's Hash covers BodyHash
	// instead of the body itself, so the body can be removed (Redact)
	// while the chain still verifies.
	BodyHash string `json:"body_hash,omitempty"`
}

// RedactedAction is the Action of a redacted entry.
const RedactedAction = "redacted"

// V2 reports whether e uses the version 2 (redactable) encoding.
func (e Entry) V2() bool { return e.Salt != "" || e.BodyHash != "" }

// Redacted reports whether e is a version 2 entry whose body was removed.
func (e Entry) Redacted() bool { return e.Salt == "" && e.BodyHash != "" }

// Redact returns e with its body removed: Action becomes "redacted" and
// Detail, Content and Salt are emptied. BodyHash, and so Hash, stay as
// they were, so a chain of redacted entries still verifies, and without
// the salt the removed body cannot be recovered by guessing. A version 1
// entry is returned unchanged (its hash covers the body itself).
func Redact(e Entry) Entry {
	if !e.V2() {
		return e
	}
	e.Action, e.Detail, e.Content, e.Salt = RedactedAction, "", "", ""
	return e
}

// ContentItem returns one item of an Entry's Content list.
func ContentItem(kind, id, hash string) string { return kind + ":" + id + ":" + hash }

// Normalize returns t in UTC truncated to whole microseconds: the instant
// that an entry's hash covers.
func Normalize(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}

// TimeLayout is the fixed-width layout of times in canonical bytes.
const TimeLayout = "2006-01-02T15:04:05.000000Z07:00"

// FormatTime returns Normalize(t) in TimeLayout, for example
// "2026-11-26T09:30:00.123456Z": the text the hash covers.
func FormatTime(t time.Time) string {
	return Normalize(t).Format(TimeLayout)
}

// domain starts the canonical bytes, so audit hashes cannot collide with
// hashes of anything else and the encoding can be versioned.
const (
	domain     = "holdspace.audit.v1"
	domainV2   = "holdspace.audit.v2"
	bodyDomain = "holdspace.audit.body.v2"
)

func appendFields(b []byte, fields ...string) []byte {
	for _, f := range fields {
		b = binary.BigEndian.AppendUint64(b, uint64(len(f)))
		b = append(b, f...)
	}
	return b
}

// ComputeBodyHash returns the hex SHA-256 of the body of a version 2
// entry: the domain tag "holdspace.audit.body.v2", then Salt, Action,
// Detail and Content, each with an 8-byte big-endian length prefix.
func (e Entry) ComputeBodyHash() string {
	b := appendFields([]byte(bodyDomain), e.Salt, e.Action, e.Detail, e.Content)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Canonical returns the bytes that e.Hash covers: the domain tag
// "holdspace.audit.v1", then Seq as 8 bytes big-endian, then each of
// FormatTime(At), Actor, Action, Target, ClientID, Detail and PrevHash as
// an 8-byte big-endian length followed by its bytes. Every field but Hash
// is included; length prefixes make the encoding unambiguous.
//
// A version 2 entry (V2) is encoded instead as the domain tag
// "holdspace.audit.v2", Seq as 8 bytes big-endian, then FormatTime(At),
// Actor, Target, ClientID, BodyHash and PrevHash, length-prefixed the
// same way: its body (Action, Detail, Content) is covered through
// BodyHash, so Redact keeps the hash valid.
func (e Entry) Canonical() []byte {
	at := FormatTime(e.At)
	if e.V2() {
		b := binary.BigEndian.AppendUint64([]byte(domainV2), uint64(e.Seq))
		return appendFields(b, at, e.Actor, e.Target, e.ClientID, e.BodyHash, e.PrevHash)
	}
	fields := [...]string{at, e.Actor, e.Action, e.Target, e.ClientID, e.Detail, e.PrevHash}
	n := len(domain) + 8
	for _, f := range fields {
		n += 8 + len(f)
	}
	b := make([]byte, 0, n)
	b = append(b, domain...)
	b = binary.BigEndian.AppendUint64(b, uint64(e.Seq))
	for _, f := range fields {
		b = binary.BigEndian.AppendUint64(b, uint64(len(f)))
		b = append(b, f...)
	}
	return b
}

// ComputeHash returns the hex SHA-256 of e.Canonical(); e.Hash is ignored.
func (e Entry) ComputeHash() string {
	sum := sha256.Sum256(e.Canonical())
	return hex.EncodeToString(sum[:])
}

// Next returns e chained after prev, ready to store: Seq is prev.Seq+1 (1
// when prev is nil), PrevHash is prev.Hash ("" when prev is nil), At is
// normalised, and Hash is
// computed. Any Seq, PrevHash or Hash already in e is replaced. When e has
// a Salt, it is a version 2 entry and its BodyHash is computed too.
func Next(prev *Entry, e Entry) Entry {
	if e.Salt != "" {
		e.BodyHash = e.ComputeBodyHash()
	}
	if prev == nil {
		e.Seq, e.PrevHash = 1, ""
	} else {
		e.Seq, e.PrevHash = prev.Seq+1, prev.Hash
	}
	e.At = Normalize(e.At)
	e.Hash = e.ComputeHash()
	return e
}

// ErrBroken matches every *BrokenError with errors.Is.
var ErrBroken = errors.New("audit: chain broken")

// BrokenError reports the first position where a chain stops verifying.
// Seq is the sequence number at which the chain breaks: every entry before
// it verified, and the entry expected at Seq is altered, missing, or out of
// place. Reason says which, for people.
type BrokenError struct {
	Seq    int64
	Reason string
}

// Error implements error.
func (e *BrokenError) Error() string {
	return fmt.Sprintf("audit: chain broken at seq %d: %s", e.Seq, e.Reason)
}

// Unwrap returns ErrBroken.
func (e *BrokenError) Unwrap() error { return ErrBroken }

// Verifier checks a chain one entry at a time, in Seq order, so chains of
// any length verify in constant memory. The zero Verifier expects the chain
// to start at genesis (Seq 1, PrevHash ""). It is not safe for concurrent
// use.
type Verifier struct {
	last    Entry
	started bool // last is set
	err     *BrokenError
}

// NewVerifierAfter returns a Verifier that trusts anchor (a previously
// verified entry, or a recorded head) and expects the entries after it.
func NewVerifierAfter(anchor Entry) *Verifier {
	return &Verifier{last: anchor, started: true}
}

// Add checks e against the entries added before. It returns nil while the
// chain holds and a *BrokenError (matching ErrBroken) naming the first bad
// Seq once it breaks: a hash that does not match the entry's content
// (altered), a Seq other than the next one (removed, inserted, duplicated
// or reordered), or a PrevHash other than the previous entry's Hash
// (inserted or replaced). After a break every Add returns the same error.
func (v *Verifier) Add(e Entry) error {
	if v.err != nil {
		return v.err
	}
	want, prevHash := int64(1), ""
	if v.started {
		want, prevHash = v.last.Seq+1, v.last.Hash
	}
	fail := func(format string, args ...any) error {
		v.err = &BrokenError{Seq: want, Reason: fmt.Sprintf(format, args...)}
		return v.err
	}
	switch {
	case e.Seq > want:
		return fail("entry missing: next entry has seq %d", e.Seq)
	case e.Seq < want:
		return fail("entry out of order or repeated: got seq %d", e.Seq)
	case e.Hash != e.ComputeHash():
		return fail("entry altered: its hash does not match its content")
	case e.Salt != "" && e.BodyHash != e.ComputeBodyHash():
		return fail("entry altered: its body does not match its body hash")
	case e.Redacted() && (e.Action != RedactedAction || e.Detail != "" || e.Content != ""):
		return fail("entry altered: a redacted entry holds a body")
	case e.PrevHash != prevHash:
		return fail("entry does not follow the previous one: prev_hash mismatch")
	}
	v.last, v.started = e, true
	return nil
}

// Head returns the last entry that verified, and false when none has.
func (v *Verifier) Head() (Entry, bool) {
	return v.last, v.started
}

// Err returns the break found so far, or nil.
func (v *Verifier) Err() error {
	if v.err == nil {
		return nil
	}
	return v.err
}

// Verify checks a whole chain from genesis, in order. It returns nil for an
// intact chain (including an empty one) and a *BrokenError naming the
// first bad Seq otherwise; see Verifier.Add.
func Verify(entries []Entry) error {
	var v Verifier
	for _, e := range entries {
		if err := v.Add(e); err != nil {
			return err
		}
	}
	return nil
}
