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
// Entries are never rewritten or deleted, not even to erase a client: so
// Actor, Target and ClientID hold opaque ids, Action a stable code
// ("consent.revoke"), and Detail only ids and codes — never names, contact
// details or health data. Erasing a client deletes their data elsewhere and
// leaves these entries intact and non-identifying (a tombstone).
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
}

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
const domain = "holdspace.audit.v1"

// Canonical returns the bytes that e.Hash covers: the domain tag
// "holdspace.audit.v1", then Seq as 8 bytes big-endian, then each of
// FormatTime(At), Actor, Action, Target, ClientID, Detail and PrevHash as
// an 8-byte big-endian length followed by its bytes. Every field but Hash
// is included; length prefixes make the encoding unambiguous.
func (e Entry) Canonical() []byte {
	at := FormatTime(e.At)
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
// computed. Any Seq, PrevHash or Hash already in e is replaced.
func Next(prev *Entry, e Entry) Entry {
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
