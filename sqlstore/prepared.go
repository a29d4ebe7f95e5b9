package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"sync/atomic"
)

// stmtCache holds the statements of one DB prepared once per pool (issue
// 16: parsing and preparing SQL was 17.6% of a decision's CPU on SQLite).
// A transaction runs a cached statement through sql.Tx.StmtContext, which
// reuses the statement already prepared on the transaction's connection
// (or prepares it there once). A text seen for the first time runs
// unprepared while a goroutine prepares it on the pool: preparing on the
// pool takes a connection of its own, which a transaction on a pool of
// one connection (SQLite's writer) would wait for forever. Every SQL text
// of the package is a constant or is built from a small set of shapes,
// so the cache stays small; past maxPrepared texts the rest run
// unprepared.
//
// close waits for the preparations under way, which it cancels: one
// that outlived it could open a connection after the pools closed (on
// SQLite a new connection recreates the write-ahead log's files beside a
// database that its owner is removing).
type stmtCache struct {
	m  sync.Map     // stmtKey → *stmtInfo
	n  atomic.Int64 // entries
	mu sync.Mutex   // guards closed, cancel and starting a preparation
	// closed is set by close: no preparation starts after it.
	closed bool
	// ctx is the preparations' context, cancelled by close; made on the
	// first preparation.
	ctx    context.Context
	cancel context.CancelFunc
	// preparing counts the preparations under way.
	preparing sync.WaitGroup
}

type stmtKey struct {
	pool  *sql.DB
	query string
}

// stmtInfo is what is known of one SQL text on one pool.
type stmtInfo struct {
	stmt atomic.Pointer[sql.Stmt] // nil: not (yet) prepared; run unprepared
	// writes: the epochs the statement moves (see classify).
	writes writeKind
}

// maxPrepared bounds the prepared statements of one DB.
const maxPrepared = 512

// info returns the stmtInfo of query on pool, starting its preparation on
// first use.
func (c *stmtCache) info(pool *sql.DB, query string) *stmtInfo {
	k := stmtKey{pool, query}
	if v, ok := c.m.Load(k); ok {
		return v.(*stmtInfo)
	}
	in := &stmtInfo{writes: classify(query)}
	if c.n.Load() >= maxPrepared {
		return in
	}
	if v, loaded := c.m.LoadOrStore(k, in); loaded {
		return v.(*stmtInfo)
	}
	c.n.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return in
	}
	if c.ctx == nil {
		c.ctx, c.cancel = context.WithCancel(context.Background())
	}
	c.preparing.Add(1)
	go c.prepare(c.ctx, pool, query, in)
	return in
}

// prepare prepares query on pool for in. A failure (a statement that does
// not parse, or close cancelling it) is left to the unprepared runs to
// report, with their context.
func (c *stmtCache) prepare(ctx context.Context, pool *sql.DB, query string, in *stmtInfo) {
	defer c.preparing.Done()
	st, err := pool.PrepareContext(ctx, query)
	if err != nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		st.Close()
		return
	}
	in.stmt.Store(st)
}

// close cancels the preparations under way, waits for them to end and
// closes every prepared statement. No preparation starts after it.
func (c *stmtCache) close() {
	c.mu.Lock()
	c.closed = true
	if c.cancel != nil {
		c.cancel()
	}
	c.mu.Unlock()
	c.preparing.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m.Range(func(k, v any) bool {
		if st := v.(*stmtInfo).stmt.Load(); st != nil {
			st.Close()
		}
		c.m.Delete(k)
		return true
	})
}

// neutralWrites are the writes that change no fact any node caches: the
// audit chain, new tokens (a token is cached only once found), a web
// session's last use (an idle check in memory that fails is checked
// again in the database), pruning tokens that expired or were revoked
// (both already refused), the outbox, keys' checks and wrapped data keys,
// and availability, which decisions never read.
var neutralWrites = []string{
	"INSERT INTO audit ",
	"UPDATE audit ",
	"INSERT INTO tokens ",
	"UPDATE tokens SET last_seen_at ",
	"DELETE FROM tokens WHERE expires_at ",
	"INSERT INTO outbox ",
	"UPDATE outbox ",
	"DELETE FROM outbox ",
	"INSERT INTO key_checks ",
	"UPDATE key_checks ",
	"INSERT INTO client_keys ",
	"INSERT INTO availability ",
	"DELETE FROM availability ",
	"INSERT INTO availability_exceptions ",
	"DELETE FROM availability_exceptions ",
	"INSERT INTO booking_calendars ",
}

// authWrites are the writes that may end or change a validated token:
// revoking or deleting tokens, and changing or erasing an account (but
// not its fact version, which only decisions read).
var authWrites = []string{"UPDATE tokens ", "DELETE FROM tokens ", "UPDATE users ", "DELETE FROM users "}

// writeKind says which epochs a statement moves.
type writeKind uint8

const (
	writesNothing writeKind = 0
	writesFacts   writeKind = 1 << iota // decisions' facts: the fact epoch
	writesAuth                          // tokens and accounts: both epochs
)

// classify returns the epochs query may make stale: none for a SELECT and
// the neutral writes, both for the auth writes, the fact epoch for every
// other write. Unknown writes count, so a new statement is safe until it
// is listed.
func classify(query string) writeKind {
	q := strings.TrimLeft(query, " \t\r\n")
	if len(q) >= 6 && strings.EqualFold(q[:6], "SELECT") {
		return writesNothing
	}
	for _, p := range neutralWrites {
		if strings.HasPrefix(q, p) {
			return writesNothing
		}
	}
	if strings.HasPrefix(q, "UPDATE users SET version ") {
		return writesFacts
	}
	for _, p := range authWrites {
		if strings.HasPrefix(q, p) {
			return writesFacts | writesAuth
		}
	}
	return writesFacts
}

// prepared returns query as a statement of the transaction (prepared once
// per pool) or nil to run it unprepared, and marks the transaction as one
// that changes cached facts when the statement may.
func (t *Tx) prepared(ctx context.Context, query string) *sql.Stmt {
	in := t.db.stmts.info(t.pool, query)
	t.dirty |= in.writes
	st := in.stmt.Load()
	if st == nil {
		return nil
	}
	return t.tx.StmtContext(ctx, st)
}

// execContext is sql.Tx.ExecContext through the statement cache, after
// writeFirst.
func (t *Tx) execContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := t.writeFirst(ctx, query); err != nil {
		return nil, err
	}
	return t.execStmt(ctx, query, args...)
}

// execStmt is execContext without writeFirst.
func (t *Tx) execStmt(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.prepared(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, query, args...)
}

// queryRowContext is sql.Tx.QueryRowContext through the statement cache,
// after writeFirst (whose error the row's Scan returns).
func (t *Tx) queryRowContext(ctx context.Context, query string, args ...any) scanner {
	if err := t.writeFirst(ctx, query); err != nil {
		return errRow{err}
	}
	if st := t.prepared(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, query, args...)
}

// queryContext is sql.Tx.QueryContext through the statement cache, after
// writeFirst.
func (t *Tx) queryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := t.writeFirst(ctx, query); err != nil {
		return nil, err
	}
	if st := t.prepared(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, query, args...)
}

// errRow is a row whose Scan returns err.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }
