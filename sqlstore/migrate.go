package sqlstore

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Migration is one embedded, numbered, forward-only schema change.
type Migration struct {
	Version int64  // the leading number of the file name
	Name    string // the file name, e.g. 0001_init.sql
	SQL     string
}

// Migrations reads the *.sql files at the root of fsys, named
// NNNN_name.sql, ordered by version. Two files with one version, or a name
// without a number, are an error.
func Migrations(fsys fs.FS) ([]Migration, error) {
	if fsys == nil {
		return nil, errors.New("sqlstore: no migrations")
	}
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list migrations: %w", err)
	}
	var ms []Migration
	seen := make(map[int64]string)
	for _, name := range names {
		num, _, ok := strings.Cut(path.Base(name), "_")
		v, err := strconv.ParseInt(num, 10, 64)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("sqlstore: migration %q is not named NNNN_name.sql", name)
		}
		if other, dup := seen[v]; dup {
			return nil, fmt.Errorf("sqlstore: migrations %q and %q share version %d", other, name, v)
		}
		seen[v] = name
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: read migration %q: %w", name, err)
		}
		ms = append(ms, Migration{Version: v, Name: name, SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	return ms, nil
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    BIGINT PRIMARY KEY,
	applied_at BIGINT NOT NULL
)`

// Migrate applies every embedded migration not yet recorded in
// schema_migrations, each in its own transaction under the dialect's
// migration lock, and returns how many it applied. It is safe to run from
// several processes at once.
func (db *DB) Migrate(ctx context.Context) (int, error) {
	ms, err := Migrations(db.migrations)
	if err != nil {
		return 0, err
	}
	applied := 0
	for _, m := range ms {
		did, err := db.applyOne(ctx, m)
		if err != nil {
			return applied, err
		}
		if did {
			applied++
			db.logger.Info("sqlstore: migration applied", "engine", db.dialect.Name, "version", m.Version, "name", m.Name)
		}
	}
	return applied, nil
}

func (db *DB) applyOne(ctx context.Context, m Migration) (bool, error) {
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return false, db.internal("begin migration", err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit this is a no-op
	if db.dialect.LockMigrations != nil {
		if err := db.dialect.LockMigrations(ctx, tx); err != nil {
			return false, db.internal("lock migrations", err)
		}
	}
	if _, err := tx.ExecContext(ctx, createMigrationsTable); err != nil {
		return false, db.internal("create schema_migrations", err)
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = $1`, m.Version).Scan(&n); err != nil {
		return false, db.internal("read schema_migrations", err)
	}
	if n > 0 {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return false, db.internal("apply migration "+m.Name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`,
		m.Version, time.Now().UTC().UnixMicro()); err != nil {
		return false, db.internal("record migration "+m.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return false, db.internal("commit migration "+m.Name, err)
	}
	return true, nil
}

// Pending returns the names of the embedded migrations not yet applied; an
// error when the database does not answer.
func (db *DB) Pending(ctx context.Context) ([]string, error) {
	ms, err := Migrations(db.migrations)
	if err != nil {
		return nil, err
	}
	if err := db.reader.PingContext(ctx); err != nil {
		return nil, db.internal("ping", err)
	}
	done := make(map[int64]bool)
	rows, err := db.reader.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		// No table yet: nothing is applied.
		var pending []string
		for _, m := range ms {
			pending = append(pending, m.Name)
		}
		return pending, nil
	}
	defer rows.Close()
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, db.internal("scan schema_migrations", err)
		}
		done[v] = true
	}
	if err := rows.Err(); err != nil {
		return nil, db.internal("read schema_migrations", err)
	}
	var pending []string
	for _, m := range ms {
		if !done[m.Version] {
			pending = append(pending, m.Name)
		}
	}
	return pending, nil
}

// EmbeddedMigrations returns the "migrations" directory of an engine's
// embedded files. The directory is embedded at build time, so fs.Sub
// cannot fail on it; a build without it panics at start, never on input.
func EmbeddedMigrations(files embed.FS) fs.FS {
	sub, err := fs.Sub(files, "migrations")
	if err != nil {
		panic(err)
	}
	return sub
}
