package sqlstore

import (
	"context"
	"database/sql"
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
// reads it now, or -1 once the transaction has itself run a statement
// that may change a cached fact (its own uncommitted writes are not in
// any cache, and what it reads must not be cached: it may roll back).
func (t *Tx) Epoch(ctx context.Context) (int64, error) {
	return t.readEpoch(ctx, epochSQL, writesFacts|writesAuth)
}

// AuthEpoch implements store.Tx.AuthEpoch: the auth epoch, as Epoch.
func (t *Tx) AuthEpoch(ctx context.Context) (int64, error) {
	return t.readEpoch(ctx, authEpochSQL, writesAuth)
}

func (t *Tx) readEpoch(ctx context.Context, query string, stale writeKind) (int64, error) {
	if t.dirty&stale != 0 {
		return -1, nil
	}
	var n int64
	if err := t.queryRowContext(ctx, query).Scan(&n); err != nil {
		return 0, t.db.internal("read epoch", err)
	}
	return n, nil
}

// AuthEpoch returns the auth epoch as last committed, in one statement
// outside any transaction (see Tx.AuthEpoch).
func (db *DB) AuthEpoch(ctx context.Context) (int64, error) {
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
