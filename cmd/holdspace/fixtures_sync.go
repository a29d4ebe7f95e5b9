package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"

	"holdspace/store"
)

// writerDB is the SQLite store's single write connection pool.
type writerDB interface{ Writer() *sql.DB }

// relaxSync makes SQLite's single writer connection commit without an
// fsync (synchronous=OFF, still WAL, still atomic) and gives it a larger
// page cache, for the fixtures' fill only: what costs there is one fsync
// per batch on a busy disk, not the work. PostgreSQL gets the same through
// the connection's synchronous_commit=off (withRuntimeParam). Nothing else
// changes: every record is sealed and every act audited as ever.
func relaxSync(ctx context.Context, db store.DB) error {
	if db.Engine() != "sqlite" {
		return nil
	}
	w, ok := db.(writerDB)
	if !ok {
		return nil
	}
	for _, q := range []string{"PRAGMA synchronous=OFF", "PRAGMA cache_size=-262144"} {
		if _, err := w.Writer().ExecContext(ctx, q); err != nil {
			return fmt.Errorf("fixtures: %s: %w", q, err)
		}
	}
	return nil
}

// flushSync makes everything the fill wrote durable at once: SQLite goes
// back to synchronous=FULL and checkpoints the log into the database file
// (which syncs it). PostgreSQL's WAL writer flushes asynchronous commits
// by itself within three wal_writer_delay (0.6 s by default).
func flushSync(ctx context.Context, db store.DB) error {
	if db.Engine() != "sqlite" {
		return nil
	}
	w, ok := db.(writerDB)
	if !ok {
		return nil
	}
	for _, q := range []string{"PRAGMA synchronous=FULL", "PRAGMA wal_checkpoint(TRUNCATE)"} {
		if _, err := w.Writer().ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}

// withRuntimeParam adds a run-time parameter to a postgres:// URL (pgx
// sends unknown query parameters to the server as settings).
func withRuntimeParam(raw, name, value string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	q.Set(name, value)
	u.RawQuery = q.Encode()
	return u.String()
}
