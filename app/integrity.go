package app

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"holdspace"
	"holdspace/audit"
	"holdspace/seal"
	"holdspace/store"
)

// Kinds of consent records whose content hash an audit entry carries.
const (
	contentDraft      = "agreement.draft" // an agreement as created
	contentAgreement  = "agreement"       // an agreement as signed
	contentRevocation = "revocation"
	contentEvent      = "event"
	contentClearance  = "clearance"
)

// contentHasher builds the hex SHA-256 of a record's content from
// length-prefixed fields, so that no two records encode alike. Sealed
// fields contribute their seal.Stable part, which a key rotation leaves
// untouched.
type contentHasher struct{ b []byte }

func newContentHasher(kind string) *contentHasher {
	h := &contentHasher{b: []byte("holdspace.content.v1\x00" + kind)}
	return h
}

func (h *contentHasher) str(s string) *contentHasher {
	h.b = binary.BigEndian.AppendUint64(h.b, uint64(len(s)))
	h.b = append(h.b, s...)
	return h
}

func (h *contentHasher) bytes(b []byte) *contentHasher { return h.str(string(b)) }

func (h *contentHasher) sealed(b []byte) *contentHasher { return h.bytes(seal.Stable(b)) }

func (h *contentHasher) time(t time.Time) *contentHasher {
	if t.IsZero() {
		return h.str("")
	}
	return h.str(strconv.FormatInt(t.UnixMicro(), 10))
}

func (h *contentHasher) sum() string {
	s := sha256.Sum256(h.b)
	return hex.EncodeToString(s[:])
}

func draftContent(r *store.Agreement) string {
	h := newContentHasher(contentDraft).str(r.ID).str(r.ClientID).str(r.Intent).str(strconv.Itoa(r.Version)).
		sealed(r.GrantsSealed).time(r.ValidUntil).time(r.CreatedAt).str(r.CreatedBy)
	if r.Language != "" || len(r.TextHashSealed) > 0 {
		// Which words it was shown in (issue 17), covered too; a draft
		// made before they were recorded keeps the hash it had.
		h.str("words").str(r.Language).sealed(r.TextHashSealed)
	}
	return h.sum()
}

func agreementContent(r *store.Agreement) string {
	return newContentHasher(contentAgreement).str(draftContent(r)).time(r.SignedAt).str(r.SignedBy).str(r.SignMethod).
		sealed(r.TypedNameSealed).str(r.ContentHash).str(r.Supersedes).sum()
}

func revocationContent(r *store.Revocation) string {
	h := newContentHasher(contentRevocation).str(r.ID).str(r.AgreementID).str(r.ClientID).str(strconv.Itoa(len(r.Regions)))
	for _, x := range r.Regions {
		h.str(x)
	}
	return h.time(r.At).str(r.By).str(string(r.ByRole)).str(strconv.FormatBool(r.OnClientsWord)).sum()
}

func eventContent(e *store.SessionEvent) string {
	return newContentHasher(contentEvent).str(e.ID).str(e.SessionID).str(strconv.FormatInt(e.Seq, 10)).str(e.Type).time(e.At).
		str(e.ActorID).str(string(e.ActorRole)).str(e.Device).bytes(e.Payload).sealed(e.Sealed).sum()
}

func clearanceContent(c *store.Clearance) string {
	return newContentHasher(contentClearance).str(c.ID).str(c.ClientID).str(c.ScreeningID).str(c.Rule).sealed(c.ClearedBySealed).
		str(c.ClearedOn).sealed(c.NoteSealed).str(c.RecordedBy).time(c.RecordedAt).sum()
}

// recordContent is record for an act that wrote consent records: items
// (made with audit.ContentItem) put the hash of each record's content
// under the chain, so that `holdspace audit verify` can check the stored
// records against it.
func recordContent(ctx context.Context, tx recordTx, ac Actor, action, target, clientID, detail string, items ...string) error {
	_, err := tx.AppendAudit(ctx, audit.Entry{
		At:       tx.Now(),
		Actor:    ac.UserID,
		Action:   action,
		Target:   target,
		ClientID: clientID,
		Detail:   detail,
		Content:  strings.Join(items, " "),
	})
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// RecordError reports a consent record that does not match the content
// hash the audit entry Seq holds for it: deleted or edited after the fact.
type RecordError struct {
	Seq    int64
	Kind   string
	ID     string
	Reason string // "missing" or "edited"
}

// Error implements error.
func (e *RecordError) Error() string {
	return fmt.Sprintf("consent record %s %s is %s: it does not match the content hash in audit entry seq %d", e.Kind, e.ID, e.Reason, e.Seq)
}

// checkContent checks the records an entry names against their hashes.
func checkContent(ctx context.Context, tx interface {
	store.Agreements
	store.Records
}, e audit.Entry) error {
	for _, item := range strings.Fields(e.Content) {
		parts := strings.SplitN(item, ":", 3)
		if len(parts) != 3 {
			return &RecordError{Seq: e.Seq, Kind: "?", ID: item, Reason: "unreadable"}
		}
		kind, id, want := parts[0], parts[1], parts[2]
		var got string
		var err error
		switch kind {
		case contentDraft, contentAgreement:
			var r *store.Agreement
			if r, err = tx.Agreement(ctx, id); err == nil {
				got = draftContent(r)
				if kind == contentAgreement {
					got = agreementContent(r)
				}
			}
		case contentRevocation:
			var r *store.Revocation
			if r, err = tx.Revocation(ctx, id); err == nil {
				got = revocationContent(r)
			}
		case contentEvent:
			var r *store.SessionEvent
			if r, err = tx.Event(ctx, id); err == nil {
				got = eventContent(r)
			}
		case contentClearance:
			var r *store.Clearance
			if r, err = tx.Clearance(ctx, id); err == nil {
				got = clearanceContent(r)
			}
		default:
			continue // a kind this version does not know
		}
		switch {
		case holdspace.ErrorCode(err) == holdspace.ENOTFOUND:
			return &RecordError{Seq: e.Seq, Kind: kind, ID: id, Reason: "missing"}
		case err != nil:
			return err
		case got != want:
			return &RecordError{Seq: e.Seq, Kind: kind, ID: id, Reason: "edited"}
		}
	}
	return nil
}

// Checkpoint is a recorded head of the audit chain.
type Checkpoint struct {
	Seq  int64
	Hash string
}

// ErrTruncated matches a chain that is shorter than, or differs from, a
// recorded checkpoint.
var ErrTruncated = errors.New("audit chain does not reach a recorded checkpoint")

// AuditReport is what VerifyAuditFull found.
type AuditReport struct {
	Entries  int64
	Head     string
	HeadSeq  int64
	Records  int64 // consent records checked against their content hashes
	Redacted int64 // entries redacted by erasure
}

// VerifyAuditFull walks the whole audit chain as VerifyAudit does, checks
// every consent record an entry names against its content hash (a
// *RecordError for the first deleted or edited one), checks that every
// redacted entry belongs to an erased client or session, and checks the chain against
// the checkpoints: an error wrapping ErrTruncated when the chain ends
// before a checkpoint's seq or holds another hash there.
func VerifyAuditFull(ctx context.Context, db store.DB, checkpoints []Checkpoint) (AuditReport, error) {
	var rep AuditReport
	var v audit.Verifier
	want := make(map[int64]string, len(checkpoints))
	for _, c := range checkpoints {
		want[c.Seq] = c.Hash
	}
	erased := map[string]bool{}
	var redacted []audit.Entry
	err := db.View(ctx, func(tx store.Tx) error {
		return tx.ScanAudit(ctx, func(e audit.Entry) error {
			rep.Entries++
			if err := v.Add(e); err != nil {
				return err
			}
			rep.Head, rep.HeadSeq = e.Hash, e.Seq
			if h, ok := want[e.Seq]; ok && h != e.Hash {
				return fmt.Errorf("%w: checkpoint seq %d has hash %s, the chain %s", ErrTruncated, e.Seq, h, e.Hash)
			}
			switch {
			case e.Redacted():
				rep.Redacted++
				if len(redacted) < 100000 {
					redacted = append(redacted, audit.Entry{Seq: e.Seq, Actor: e.Actor, Target: e.Target, ClientID: e.ClientID})
				}
				return nil
			case e.Action == "client.erased":
				erased[e.ClientID] = true
			case e.Action == "session.erased":
				erased[e.Target] = true
			}
			if e.Content != "" {
				rep.Records += int64(len(strings.Fields(e.Content)))
				return checkContent(ctx, tx, e)
			}
			return nil
		})
	})
	if err != nil {
		return rep, err
	}
	for _, e := range redacted {
		if !erased[e.ClientID] && !erased[e.Actor] && !erased[e.Target] {
			return rep, &audit.BrokenError{Seq: e.Seq, Reason: "entry redacted, but it names no erased client"}
		}
	}
	for _, c := range checkpoints {
		if c.Seq > rep.HeadSeq {
			return rep, fmt.Errorf("%w: a checkpoint records seq %d (hash %s) but the chain ends at seq %d: entries were removed from its tail",
				ErrTruncated, c.Seq, c.Hash, rep.HeadSeq)
		}
	}
	return rep, nil
}

// contentItem is audit.ContentItem: one record of an entry's Content.
func contentItem(kind, id, hash string) string { return audit.ContentItem(kind, id, hash) }
