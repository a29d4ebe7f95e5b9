package sqlstore

import (
	"context"
	"database/sql"
)

// The fact epoch (table fact_epoch, one row) is how every node keeps its
// caches of tokens, sessions, assignments, fact versions and settings
// exactly current without waiting for a notification: a read-write
// transaction that ran any statement that may change such a fact
// (writesFacts: every write but the neutral ones) increments the epoch as
// its last statement before commit, so the increment commits or rolls
// back with the change. A reader reads the epoch before it reads facts,
// tags what it caches with it, and uses a cached fact only while the epoch
// it reads in the same request is still the tag: then no such write has
// committed in between, on any node. Reading the epoch first makes a tag
// at worst older than the fact (a wasted refetch), never newer.
//
// On PostgreSQL the increment takes the epoch row's lock to the commit;
// it is taken last, after the audit lock, so transactions cannot deadlock
// on the two.
const (
	epochSQL     = `SELECT n FROM fact_epoch WHERE id = 1`
	bumpEpochSQL = `UPDATE fact_epoch SET n = n + 1 WHERE id = 1`
)

// bumpEpoch increments the fact epoch if the transaction changed a cached
// fact. It must be the last statement before commit.
func (t *Tx) bumpEpoch(ctx context.Context) error {
	if !t.dirty || t.readOnly {
		return nil
	}
	if _, err := t.runPrepared(ctx, bumpEpochSQL); err != nil {
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
	if t.dirty {
		return -1, nil
	}
	var n int64
	if err := t.queryRowContext(ctx, epochSQL).Scan(&n); err != nil {
		return 0, t.db.internal("read fact epoch", err)
	}
	return n, nil
}

// Epoch returns the fact epoch as last committed, in one statement outside
// any transaction (see Tx.Epoch).
func (db *DB) Epoch(ctx context.Context) (int64, error) {
	var n int64
	var row *sql.Row
	if st := db.stmts.info(db.reader, epochSQL).stmt.Load(); st != nil {
		row = st.QueryRowContext(ctx)
	} else {
		row = db.reader.QueryRowContext(ctx, epochSQL)
	}
	if err := row.Scan(&n); err != nil {
		return 0, db.internal("read fact epoch", err)
	}
	return n, nil
}
