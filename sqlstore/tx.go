package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"holdspace"
	"holdspace/audit"
	"holdspace/store"
)

// Tx implements store.Tx over one *sql.Tx. It is not safe for concurrent
// use. Every statement is fully read before the next one runs, so engines
// whose connections cannot interleave result sets (pgx) work too.
type Tx struct {
	tx       *sql.Tx
	db       *DB
	now      time.Time
	readOnly bool
	topics   []string
	// after holds the functions queued by AfterCommit.
	after []func()
	// head is the audit chain's last entry as this transaction knows it
	// (see AppendAudit).
	head auditHead
	// savepoints counts the savepoints begun, to name them; frames are
	// the savepoints of the parts running now, outermost first, each
	// opened in the database only before the part's first statement that
	// may write or lock (see Savepoint).
	savepoints int
	frames     []frame
	// audit holds the entries appended in this transaction from the
	// first one not known to be committed with it: the first inserted of
	// them are in the database, the rest are pending, inserted together
	// in one statement (auditlog.go).
	audit    []audit.Entry
	inserted int
	// epochs caches the epochs read (index 0 the fact epoch, 1 the auth
	// epoch; see readEpoch).
	epochs [2]struct {
		known bool
		n     int64
	}
	// broken is set when a savepoint could not be rolled back to: the
	// transaction can neither go on nor commit.
	broken error
	// pool is the pool the transaction runs on (for its prepared
	// statements); dirty collects the epochs its statements may have made
	// stale, moved before commit (epoch.go).
	pool  *sql.DB
	dirty writeKind
}

// auditHead caches the audit chain's head inside one write transaction.
// Once known it is exact until the transaction ends: the transaction
// holds the audit lock (or is the single writer), so no other entry can
// be appended meanwhile.
type auditHead struct {
	known bool
	last  *audit.Entry // nil: the log is empty
}

var _ store.ImportTx = (*Tx)(nil)

// Notify implements store.Tx.Notify: topic is delivered once the
// transaction commits, and never if it rolls back.
func (t *Tx) Notify(topic string) { t.topics = append(t.topics, topic) }

// Now implements store.Tx.Now: the UTC time the transaction began,
// truncated to microseconds.
func (t *Tx) Now() time.Time { return t.now }

// AfterCommit implements store.Savepoints.AfterCommit.
func (t *Tx) AfterCommit(fn func()) { t.after = append(t.after, fn) }

// frame is one part's savepoint.
type frame struct {
	name string
	open bool // SAVEPOINT has run
	// inserted is the count of the transaction's audit entries in the
	// database when the savepoint opened.
	inserted int
}

// Savepoint implements store.Savepoints.Savepoint. The savepoint costs a
// round trip only when the part writes: it is opened before the part's
// first statement that may write or lock rows (writeFirst), so a part
// that only reads and appends to the audit chain (a decision) needs none,
// its entry staying pending until the transaction inserts the pending
// entries together. The savepoint is not released when fn succeeds
// (COMMIT takes it with the rest); savepoints nest, so an error of a
// later part rolls back to that part's own savepoint only.
func (t *Tx) Savepoint(ctx context.Context, fn func() error) error {
	if t.broken != nil {
		return t.broken
	}
	t.savepoints++
	t.frames = append(t.frames, frame{name: "hs_part_" + strconv.Itoa(t.savepoints)})
	depth := len(t.frames)
	topics, after, head, appended := len(t.topics), len(t.after), t.head, len(t.audit)
	err := fn()
	f := t.frames[depth-1]
	t.frames = t.frames[:depth-1]
	if t.broken != nil {
		return errors.Join(err, t.broken)
	}
	if err == nil {
		if len(t.frames) == 0 {
			t.forgetInserted()
		}
		return nil
	}
	// Undo even when the caller's context has ended: the transaction
	// must stay usable for the other parts.
	ctx = context.WithoutCancel(ctx)
	switch {
	case f.open:
		if _, rerr := t.tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT "+f.name); rerr != nil {
			t.broken = t.db.internal("roll back to savepoint", rerr)
			return errors.Join(err, t.broken)
		}
		// The rollback took back the entries inserted since the
		// savepoint opened, those of parts before this one too: they are
		// pending again.
		t.inserted = f.inserted
	case !t.readOnly:
		// The part wrote nothing, but one of its reads may have failed,
		// and on PostgreSQL a failed statement aborts the transaction.
		if _, perr := t.tx.ExecContext(ctx, "SELECT 1"); perr != nil {
			t.broken = t.db.internal("go on after a failed part", perr)
			return errors.Join(err, t.broken)
		}
	}
	// A transaction-scoped lock taken inside the savepoint is released by
	// the rollback, so the head is known again only if it was before.
	clear(t.after[after:])
	t.topics, t.after, t.head = t.topics[:topics], t.after[:after], head
	clear(t.audit[appended:])
	t.audit = t.audit[:appended]
	return err
}

// writeFirst prepares the transaction for query: it inserts the pending
// audit entries before a statement that reads or writes the audit
// table, and opens the parts' savepoints before a statement that may
// write or lock rows. An error breaks the transaction.
func (t *Tx) writeFirst(ctx context.Context, query string) error {
	if t.broken != nil {
		return t.broken
	}
	if t.inserted < len(t.audit) && strings.Contains(query, "audit") {
		if err := t.insertPending(ctx); err != nil {
			return err
		}
	}
	if len(t.frames) > 0 && !t.frames[len(t.frames)-1].open && mayWrite(query) {
		return t.openFrames(ctx)
	}
	return nil
}

// openFrames opens the savepoints of the running parts not open yet,
// outermost first.
func (t *Tx) openFrames(ctx context.Context) error {
	if t.readOnly {
		return nil
	}
	for i := range t.frames {
		f := &t.frames[i]
		if f.open {
			continue
		}
		if _, err := t.tx.ExecContext(ctx, "SAVEPOINT "+f.name); err != nil {
			t.broken = t.db.internal("open savepoint", err)
			return t.broken
		}
		f.open, f.inserted = true, t.inserted
	}
	return nil
}

// mayWrite reports whether query may write or lock rows: anything but a
// plain SELECT.
func mayWrite(query string) bool {
	q := strings.TrimLeft(query, " \t\r\n")
	if len(q) < 6 || !strings.EqualFold(q[:6], "SELECT") {
		return true
	}
	return strings.Contains(q, " FOR UPDATE") || strings.Contains(q, " FOR SHARE") ||
		strings.Contains(q, " FOR NO KEY UPDATE") || strings.Contains(q, " FOR KEY SHARE")
}

// uniqueTopics returns the queued topics once each, in first-queued order.
func (t *Tx) uniqueTopics() []string {
	seen := make(map[string]bool, len(t.topics))
	var out []string
	for _, topic := range t.topics {
		if !seen[topic] {
			seen[topic] = true
			out = append(out, topic)
		}
	}
	return out
}

// exec runs a statement and returns the number of rows it affected, with
// driver errors translated.
func (t *Tx) exec(ctx context.Context, op, query string, args ...any) (int64, error) {
	res, err := t.execContext(ctx, query, args...)
	if err != nil {
		return 0, t.db.translate(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, t.db.internal(op, err)
	}
	return n, nil
}

// exists reports whether query (a SELECT of one row) finds a row.
func (t *Tx) exists(ctx context.Context, op, query string, args ...any) (bool, error) {
	var one int
	err := t.queryRowContext(ctx, query, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, t.db.internal(op, err)
	}
	return true, nil
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// one scans the single row of query with scan; ENOTFOUND (kind) when none.
func one[T any](ctx context.Context, t *Tx, kind, query string, scan func(scanner) (T, error), args ...any) (T, error) {
	v, err := scan(t.queryRowContext(ctx, query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		var zero T
		return zero, &holdspace.Error{Code: holdspace.ENOTFOUND, Message: kind + " not found", Err: err}
	}
	if err != nil {
		var zero T
		return zero, t.db.internal("read "+kind, err)
	}
	return v, nil
}

// many scans every row of query with scan, reading them all before it
// returns.
func many[T any](ctx context.Context, t *Tx, kind, query string, scan func(scanner) (T, error), args ...any) ([]T, error) {
	rows, err := t.queryContext(ctx, query, args...)
	if err != nil {
		return nil, t.db.internal("list "+kind, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, t.db.internal("scan "+kind, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, t.db.internal("list "+kind, err)
	}
	return out, nil
}

// zeroMicros stands for the zero time.Time in NOT NULL time columns.
var zeroMicros = time.Time{}.UnixMicro()

// micros is the column value of a NOT NULL time.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return zeroMicros
	}
	return t.UnixMicro()
}

// nullMicros is the column value of an optional time: NULL when zero.
func nullMicros(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

// fromMicros is the inverse of micros, in UTC.
func fromMicros(v int64) time.Time {
	if v == zeroMicros {
		return time.Time{}
	}
	return time.UnixMicro(v).UTC()
}

// timeCol scans a time column (BIGINT microseconds or NULL) into *t.
type timeCol struct{ t *time.Time }

// Scan implements sql.Scanner.
func (c timeCol) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*c.t = time.Time{}
	case int64:
		*c.t = fromMicros(x)
	default:
		return fmt.Errorf("time column holds %T, want integer microseconds", v)
	}
	return nil
}

// blob is the column value of bytes: NULL when nil.
func blob(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}

// listCol scans a JSON text list column into *l (nil when empty).
type listCol struct{ l *[]string }

// Scan implements sql.Scanner.
func (c listCol) Scan(v any) error {
	var b []byte
	switch x := v.(type) {
	case nil:
		*c.l = nil
		return nil
	case string:
		b = []byte(x)
	case []byte:
		b = x
	default:
		return fmt.Errorf("list column holds %T, want JSON text", v)
	}
	var l []string
	if err := json.Unmarshal(b, &l); err != nil {
		return fmt.Errorf("list column: %w", err)
	}
	if len(l) == 0 {
		l = nil
	}
	*c.l = l
	return nil
}

// list is the column value of a string list: JSON text, "[]" when empty.
func list(l []string) string {
	if len(l) == 0 {
		return "[]"
	}
	b, err := json.Marshal(l)
	if err != nil {
		// Marshalling a []string cannot fail.
		return "[]"
	}
	return string(b)
}

// paramList returns "$from, $from+1, …" for n parameters.
func paramList(from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(from + i))
	}
	return b.String()
}

// where accumulates AND-ed conditions with numbered parameters.
type where struct {
	conds []string
	args  []any
}

// add appends cond, in which "?" stands for the next parameter.
func (w *where) add(cond string, arg any) {
	w.args = append(w.args, arg)
	w.conds = append(w.conds, strings.Replace(cond, "?", "$"+strconv.Itoa(len(w.args)), 1))
}

// String returns " WHERE a AND b", or "" when there is no condition.
func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}
