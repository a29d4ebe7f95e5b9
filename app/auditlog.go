package app

import (
	"context"
	"strconv"
	"strings"

	"holdspace"

	"holdspace/audit"
	"holdspace/store"
)

// Audit reads the audit log.
type Audit struct {
	*core
}

// auditTx is the part of the store the Audit use cases touch.
type auditTx interface {
	store.AuditLog
	txBase
}

// update runs fn in a write transaction that offers only auditTx.
func (a *Audit) update(ctx context.Context, fn func(auditTx) error) error {
	return a.core.update(ctx, func(tx store.Tx) error { return fn(tx) })
}

// ListAudit returns audit entries for admins, filtered by client, time and
// sequence, oldest first or (Newest) latest first, at most 1000. The read
// itself is audited.
func (a *Audit) ListAudit(ctx context.Context, ac Actor, f store.AuditFilter) ([]audit.Entry, error) {
	es, _, err := a.PageAudit(ctx, ac, f, "")
	return es, err
}

// maxAuditList is the most entries one read of the audit log returns.
const maxAuditList = 1000

// PageAudit is ListAudit a page at a time: cursor is the next cursor of
// the previous page ("" for the first), and next is "" when no entry
// follows. A cursor continues the order it was given out in (oldest or
// newest first); EINVALID bad_cursor when it is malformed, belongs to the
// other order, or is combined with after_seq.
func (a *Audit) PageAudit(ctx context.Context, ac Actor, f store.AuditFilter, cursor string) ([]audit.Entry, string, error) {
	if !ac.is(holdspace.RoleAdmin) {
		return nil, "", forbidden("Only an admin can read the audit log.")
	}
	if f.Limit <= 0 || f.Limit > maxAuditList {
		f.Limit = maxAuditList
	}
	// Filters are validated before they reach the chain: only a
	// well-formed client id is ever written into it.
	if f.ClientID != "" && !wellFormedID("cli", f.ClientID) {
		return nil, "", holdspace.Invalid("invalid_id", "client_id", "Give client_id as a client's id (cli_…).")
	}
	list := "audit"
	if f.Newest {
		list = "audit-newest"
	}
	if cursor != "" {
		if f.AfterSeq > 0 || f.BeforeSeq > 0 {
			return nil, "", holdspace.Invalid("bad_cursor", "cursor", "Give cursor or after_seq, not both.")
		}
		k, err := decodeCursor(list, cursor)
		if err != nil {
			return nil, "", err
		}
		seq, err := strconv.ParseInt(k.ID, 10, 64)
		if err != nil || seq <= 0 {
			return nil, "", errBadCursor()
		}
		if f.Newest {
			f.BeforeSeq = seq
		} else {
			f.AfterSeq = seq
		}
	}
	limit := f.Limit
	f.Limit++
	var out []audit.Entry
	var next string
	err := a.update(ctx, func(tx auditTx) error {
		var err error
		if out, err = tx.ListAudit(ctx, f); err != nil {
			return err
		}
		out, next = cut(list, out, limit, func(e audit.Entry) store.Key { return store.Key{At: e.At, ID: strconv.FormatInt(e.Seq, 10)} })
		a.openDetails(out)
		return record(ctx, tx, ac, "audit.read", f.ClientID, f.ClientID, "")
	})
	if out == nil {
		out = []audit.Entry{}
	}
	return out, next, err
}

// VerifyAudit walks the whole audit chain and returns nil when it is intact,
// or an *audit.BrokenError naming the first bad seq. It also returns how
// many entries it checked and the hash of the last one (the head).
func VerifyAudit(ctx context.Context, db store.DB) (n int64, head string, err error) {
	var v audit.Verifier
	err = db.View(ctx, func(tx store.Tx) error {
		return tx.ScanAudit(ctx, func(e audit.Entry) error {
			n++
			head = e.Hash
			return v.Add(e)
		})
	})
	return n, head, err
}

// wellFormedID reports whether id has the shape newID gives ids of the
// prefix: the prefix, "_" and up to 60 lower-case letters and digits.
func wellFormedID(prefix, id string) bool {
	rest, ok := strings.CutPrefix(id, prefix+"_")
	if !ok || rest == "" || len(rest) > 60 {
		return false
	}
	for _, r := range rest {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}
