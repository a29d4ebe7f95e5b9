package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"

	"holdspace/audit"
	"holdspace/store"
)

const auditCols = `seq, at, actor, action, target, client_id, detail, prev_hash, hash, content, salt, body_hash`

const insertAudit = `INSERT INTO audit (` + auditCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`

func scanAudit(s scanner) (audit.Entry, error) {
	var e audit.Entry
	err := s.Scan(&e.Seq, timeCol{&e.At}, &e.Actor, &e.Action, &e.Target, &e.ClientID, &e.Detail, &e.PrevHash, &e.Hash, &e.Content, &e.Salt, &e.BodyHash)
	return e, err
}

func auditArgs(e audit.Entry) []any {
	return []any{e.Seq, micros(e.At), e.Actor, e.Action, e.Target, e.ClientID, e.Detail, e.PrevHash, e.Hash, e.Content, e.Salt, e.BodyHash}
}

// AppendAudit implements store.AuditLog: under the dialect's audit lock
// (held to the end of the transaction) e is chained after the last stored
// entry with audit.Next. A zero e.At becomes the transaction's time. The
// lock is taken and the head read once per transaction: later appends of
// the same transaction (the parts of a group commit) chain after the head
// it keeps, which no one else can move meanwhile.
//
// The entry is stored before the transaction commits and before any of
// its statements reads or writes the audit table, together with the other
// entries pending then, in one statement: a batch of decisions makes one
// insert, not one round trip each. An entry that cannot be stored fails
// the transaction.
func (t *Tx) AppendAudit(ctx context.Context, e audit.Entry) (audit.Entry, error) {
	if err := t.HoldAudit(ctx); err != nil {
		return audit.Entry{}, err
	}
	if t.broken != nil {
		return audit.Entry{}, t.broken
	}
	if e.At.IsZero() {
		e.At = t.now
	}
	if e.Salt == "" {
		// A salted (version 2) entry can be redacted on erasure.
		e.Salt = rand.Text()
	}
	next := audit.Next(t.head.last, e)
	t.audit = append(t.audit, next)
	t.head.last = &audit.Entry{Seq: next.Seq, Hash: next.Hash}
	if len(t.audit)-t.inserted >= auditRows {
		if err := t.insertPending(ctx); err != nil {
			return audit.Entry{}, err
		}
	}
	return next, nil
}

// auditRows bounds the entries one statement inserts (12 parameters
// each).
const auditRows = 64

// insertAuditRows[positional][n] inserts n entries, with numbered ($1)
// or positional (?) parameters (see Dialect.Positional).
var insertAuditRows = func() (qs [2][auditRows + 1]string) {
	for p := range 2 {
		for n := 1; n <= auditRows; n++ {
			var b strings.Builder
			b.WriteString(`INSERT INTO audit (` + auditCols + `) VALUES `)
			for i := range n {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteByte('(')
				for c := range 12 {
					if c > 0 {
						b.WriteString(", ")
					}
					if p == 1 {
						b.WriteByte('?')
					} else {
						fmt.Fprintf(&b, "$%d", i*12+c+1)
					}
				}
				b.WriteByte(')')
			}
			qs[p][n] = b.String()
		}
	}
	return qs
}()

// insertPending stores the pending audit entries, in the savepoints of
// the parts running (the insert may hold entries of earlier parts, which
// a rollback of a later part makes pending again; see Savepoint). When no
// part runs, the stored entries are forgotten. An error breaks the
// transaction: entries of several parts may be lost with it.
func (t *Tx) insertPending(ctx context.Context) error {
	if err := t.openFrames(ctx); err != nil {
		return err
	}
	for t.inserted < len(t.audit) {
		rows := t.audit[t.inserted:min(len(t.audit), t.inserted+auditRows)]
		args := make([]any, 0, 12*len(rows))
		for _, e := range rows {
			args = append(args, auditArgs(e)...)
		}
		positional := 0
		if t.db.dialect.Positional {
			positional = 1
		}
		if _, err := t.execStmt(ctx, insertAuditRows[positional][len(rows)], args...); err != nil {
			t.broken = t.db.translate("append audit", err)
			return t.broken
		}
		t.inserted += len(rows)
	}
	if len(t.frames) == 0 {
		t.forgetInserted()
	}
	return nil
}

// forgetInserted drops the entries stored already, which no savepoint
// can take back once no part runs.
func (t *Tx) forgetInserted() {
	n := copy(t.audit, t.audit[t.inserted:])
	clear(t.audit[n:])
	t.audit, t.inserted = t.audit[:n], 0
}

// HoldAudit implements store.AuditLog: the dialect's audit lock is taken
// and the chain's head read, once per transaction.
func (t *Tx) HoldAudit(ctx context.Context) error {
	if t.head.known {
		return nil
	}
	// No entry is pending while the head is unknown: nothing to insert
	// before the head's read.
	if t.db.dialect.LockAudit != nil && !t.readOnly {
		if err := t.db.dialect.LockAudit(ctx, t.tx); err != nil {
			return t.db.internal("lock audit", err)
		}
	}
	// audit.Next needs only the head's seq and hash.
	var last audit.Entry
	err := t.tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1`).Scan(&last.Seq, &last.Hash)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		t.head = auditHead{known: true}
	case err != nil:
		return t.db.internal("read audit head", err)
	default:
		t.head = auditHead{known: true, last: &last}
	}
	return nil
}

// ListAudit implements store.AuditLog: matching entries by Seq ascending,
// or descending with Newest.
func (t *Tx) ListAudit(ctx context.Context, f store.AuditFilter) ([]audit.Entry, error) {
	var w where
	if f.ClientID != "" {
		w.add("client_id = ?", f.ClientID)
	}
	if !f.Since.IsZero() {
		w.add("at >= ?", f.Since.UnixMicro())
		if !f.Newest && f.AfterSeq == 0 {
			// Read oldest first, the log would be walked by seq from its
			// first entry until at reaches since. The first seq at or after
			// since comes from the index on (at, seq) instead, read from
			// since on (entry times need not grow with seq, so it is the
			// least seq of that range, not its first). The subquery's
			// LIMIT keeps both engines from turning MIN(seq) back into
			// the walk by seq (SQLite's and PostgreSQL's min/max
			// optimisation). Later pages start after their cursor, inside
			// the range already, and need no such look-up.
			var first sql.NullInt64
			if err := t.queryRowContext(ctx, `SELECT MIN(seq) FROM (SELECT seq FROM audit WHERE at >= $1 LIMIT $2) s`,
				f.Since.UnixMicro(), int64(math.MaxInt64)).Scan(&first); err != nil {
				return nil, t.db.internal("audit since", err)
			}
			if !first.Valid {
				return nil, nil
			}
			f.AfterSeq = first.Int64 - 1
		}
	}
	if f.AfterSeq > 0 {
		w.add("seq > ?", f.AfterSeq)
	}
	if f.BeforeSeq > 0 {
		w.add("seq < ?", f.BeforeSeq)
	}
	q := `SELECT ` + auditCols + ` FROM audit` + w.String() + ` ORDER BY seq`
	if f.Newest {
		q += ` DESC`
	}
	if f.Limit > 0 {
		w.args = append(w.args, f.Limit)
		q += ` LIMIT ` + paramList(len(w.args), 1)
	}
	return many(ctx, t, "audit", q, scanAudit, w.args...)
}

// auditPage is how many entries ScanAudit reads per query.
const auditPage = 1000

// ScanAudit implements store.AuditLog: fn sees every entry by Seq
// ascending, read in pages so memory stays bounded; the first error from
// fn stops the scan and is returned.
func (t *Tx) ScanAudit(ctx context.Context, fn func(audit.Entry) error) error {
	after := int64(0)
	for {
		page, err := t.ListAudit(ctx, store.AuditFilter{AfterSeq: after, Limit: auditPage})
		if err != nil {
			return err
		}
		for _, e := range page {
			if err := fn(e); err != nil {
				return err
			}
		}
		if len(page) < auditPage {
			return nil
		}
		after = page[len(page)-1].Seq
	}
}
