package sqlstore

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// The epochs (table fact_epoch: row 1 the fact epoch, row 2 the auth
// epoch) are how every node keeps its caches exactly current without
// waiting for a notification. A read-write transaction that ran a
// statement that may change a fact nodes cache (classify: every write but
// the neutral ones) increments the fact epoch, and one that may end or
// change a validated token (revoking or deleting tokens, changing or
// erasing an account) increments both, as its last statement before
// commit, so the increment commits or rolls back with the change. A
// reader reads the epoch before it reads facts, tags what it caches with
// it, and uses a cached fact only while the epoch it reads in the same
// request is still the tag: then no such write has committed in between,
// on any node. Reading the epoch first makes a tag at worst older than
// the fact (a wasted refetch), never newer. Two epochs keep session
// events, consent changes and the like from emptying every node's cache of
// tokens.
//
// On PostgreSQL the increment takes the rows' locks to the commit; they
// are taken last, after the audit lock, so transactions cannot deadlock on
// the two.
const (
	epochSQL         = `SELECT n FROM fact_epoch WHERE id = 1`
	authEpochSQL     = `SELECT n FROM fact_epoch WHERE id = 2`
	bumpEpochSQL     = `UPDATE fact_epoch SET n = n + 1 WHERE id = 1`
	bumpBothEpochSQL = `UPDATE fact_epoch SET n = n + 1 WHERE id IN (1, 2)`
)

// bumpEpoch increments the epochs the transaction may have made stale. It
// must be the last statement before commit.
func (t *Tx) bumpEpoch(ctx context.Context) error {
	if t.dirty == writesNothing || t.readOnly {
		return nil
	}
	q := bumpEpochSQL
	if t.dirty&writesAuth != 0 {
		q = bumpBothEpochSQL
	}
	if _, err := t.runPrepared(ctx, q); err != nil {
		return t.db.internal("move fact epoch", err)
	}
	return nil
}

// runPrepared executes query through the statement cache without
// classifying it.
func (t *Tx) runPrepared(ctx context.Context, query string) (sql.Result, error) {
	if st := t.db.stmts.info(t.pool, query).stmt.Load(); st != nil {
		return t.tx.StmtContext(ctx, st).ExecContext(ctx)
	}
	return t.tx.ExecContext(ctx, query)
}

// Epoch implements store.Tx.Epoch: the fact epoch as this transaction
// first read it, or -1 once the transaction has itself run a statement
// that may change a cached fact (its own uncommitted writes are not in
// any cache, and what it reads must not be cached: it may roll back).
//
// The epoch is read once per transaction: every request whose facts the
// transaction answers (the parts of a group commit) began before the
// transaction did, so a write acknowledged before any of them began
// committed before the first read and is seen by it. A write committing
// later, while the transaction runs, is concurrent with every one of them
// and may or may not be seen, as anywhere. What the transaction reads
// itself and caches is then tagged older than it is, at worst a wasted
// refetch, never newer.
func (t *Tx) Epoch(ctx context.Context) (int64, error) {
	return t.readEpoch(ctx, 0, epochSQL, writesFacts|writesAuth)
}

// AuthEpoch implements store.Tx.AuthEpoch: the auth epoch, as Epoch.
func (t *Tx) AuthEpoch(ctx context.Context) (int64, error) {
	return t.readEpoch(ctx, 1, authEpochSQL, writesAuth)
}

func (t *Tx) readEpoch(ctx context.Context, i int, query string, stale writeKind) (int64, error) {
	if t.dirty&stale != 0 {
		return -1, nil
	}
	e := &t.epochs[i]
	if !e.known {
		if err := t.queryRowContext(ctx, query).Scan(&e.n); err != nil {
			return 0, t.db.internal("read epoch", err)
		}
		e.known = true
	}
	return e.n, nil
}

// AuthEpoch returns the auth epoch as last committed, in one statement
// outside any transaction (see Tx.AuthEpoch), shared by the callers that
// ask while another read is under way (sharedRead): every request checks
// its token against it, and at load one read answers many.
func (db *DB) AuthEpoch(ctx context.Context) (int64, error) {
	return db.authReads.read(ctx, db.readAuthEpoch)
}

func (db *DB) readAuthEpoch(ctx context.Context) (int64, error) {
	var row *sql.Row
	if st := db.stmts.info(db.reader, authEpochSQL).stmt.Load(); st != nil {
		row = st.QueryRowContext(ctx)
	} else {
		row = db.reader.QueryRowContext(ctx, authEpochSQL)
	}
	var n int64
	if err := row.Scan(&n); err != nil {
		return 0, db.internal("read auth epoch", err)
	}
	return n, nil
}

// sharedRead coalesces concurrent reads of one value without giving any
// caller a value read before it asked: a caller gets the result of a read
// that began after it called, so a write acknowledged before the call is
// seen, exactly as with a read of its own. Callers arriving while a read
// is under way wait for the next one, which begins when that one ends and
// answers them all. The reads run one after another on a goroutine that
// ends when no one waits; close waits for it.
type sharedRead struct {
	mu      sync.Mutex
	next    *readResult // the read the callers arriving now will get
	running bool
	closed  bool
	reads   sync.WaitGroup
	// joined, if set, is called once a caller waits for a read (tests).
	joined func()
}

type readResult struct {
	done chan struct{}
	n    int64
	err  error
}

// sharedReadTimeout bounds one shared read: it is no one caller's, so no
// caller's context ends it.
const sharedReadTimeout = 30 * time.Second

// read returns the result of fn run after read was called, shared with the
// other callers waiting for the same run. ctx ends only the wait.
func (r *sharedRead) read(ctx context.Context, fn func(context.Context) (int64, error)) (int64, error) {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return fn(ctx)
	}
	if r.next == nil {
		r.next = &readResult{done: make(chan struct{})}
	}
	res := r.next
	if !r.running {
		r.running, r.next = true, nil
		r.reads.Add(1)
		go r.run(res, fn)
	}
	joined := r.joined
	r.mu.Unlock()
	if joined != nil {
		joined()
	}
	select {
	case <-res.done:
		return res.n, res.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// run reads for res, then for the callers that arrived meanwhile, until
// none did.
func (r *sharedRead) run(res *readResult, fn func(context.Context) (int64, error)) {
	defer r.reads.Done()
	for res != nil {
		ctx, cancel := context.WithTimeout(context.Background(), sharedReadTimeout)
		res.n, res.err = fn(ctx)
		cancel()
		close(res.done)
		r.mu.Lock()
		res, r.next = r.next, nil
		r.running = res != nil
		r.mu.Unlock()
	}
}

// close waits for the reads under way; later reads run alone.
func (r *sharedRead) close() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.reads.Wait()
}
