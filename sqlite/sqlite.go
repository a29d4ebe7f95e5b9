// Package sqlite is the embedded storage engine of holdspace: one SQLite
// database file (pure Go, modernc.org/sqlite) in a data directory, in WAL
// mode with synchronous=FULL, written through a single connection and read
// through a small pool of read-only connections. It implements store.DB
// with the shared sqlstore code.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"holdspace/sqlstore"
	"holdspace/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// FileName is the name of the database file inside the data directory.
const FileName = "holdspace.db"

// readers is the size of the read-only connection pool.
const readers = 4

// DB is an open SQLite holdspace database. It implements store.DB.
type DB struct {
	*sqlstore.DB
	path string
	log  *slog.Logger
	opt  *optimizer // nil until Open has migrated
}

var _ store.DB = (*DB)(nil)

// Migrations returns the embedded SQLite migrations.
func Migrations() fs.FS { return sqlstore.EmbeddedMigrations(migrationFiles) }

// Dialect is how SQLite differs: the single writer connection serializes
// audit appends and migrations, so no lock is needed, and notifications are
// published in-process after commit.
func Dialect() sqlstore.Dialect {
	return sqlstore.Dialect{
		Name:       "sqlite",
		Unique:     unique,
		ForeignKey: foreignKey,
		ColumnsSQL: `SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table'`,
		Positional: true,
	}
}

func unique(err error) (string, bool) {
	var e *msqlite.Error
	if errors.As(err, &e) && (e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY) {
		msg := e.Error()
		if _, after, ok := strings.Cut(msg, "constraint failed: "); ok {
			msg = after
		}
		return msg, true
	}
	return "", false
}

func foreignKey(err error) bool {
	var e *msqlite.Error
	return errors.As(err, &e) && e.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}

// dsn returns the connection string for the database file at path: pragmas
// with busy_timeout first, then WAL, foreign keys, full sync, secure
// delete and temporary files in memory. The writer
// takes the write lock when a transaction begins (_txlock=immediate); a
// reader is query-only.
func dsn(path string, writer bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Add("_pragma", "synchronous(FULL)")
	// Deleted content is overwritten, so that erasure leaves no trace in
	// the file (see Compact for the write-ahead log).
	q.Add("_pragma", "secure_delete(ON)")
	// Temporary files in memory: the statement journal a SAVEPOINT keeps
	// (group commit runs each caller in one) was written to a temporary
	// file, a pwrite per page, 9% of the CPU under load; and no copy of a
	// page's old content lands in a temporary directory.
	q.Add("_pragma", "temp_store(MEMORY)")
	if writer {
		q.Set("_txlock", "immediate")
	} else {
		q.Add("_pragma", "query_only(1)")
	}
	return "file:" + path + "?" + q.Encode()
}

// Open opens (creating it if needed, directory 0700 and file 0600) the
// database holdspace.db in dir and applies pending migrations. The logger
// may be nil.
func Open(ctx context.Context, dir string, logger *slog.Logger) (*DB, error) {
	db, err := open(dir, logger)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: migrate %s: %w", db.path, err)
	}
	if err := db.startOptimizer(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: optimize %s: %w", db.path, err)
	}
	return db, nil
}

// OpenUnmigrated opens the database like Open but applies no migration, so
// that `holdspace migrate` can report and apply them (DB.Migrate) and
// Ready can be checked before.
func OpenUnmigrated(ctx context.Context, dir string, logger *slog.Logger) (*DB, error) {
	db, err := open(dir, logger)
	if err != nil {
		return nil, err
	}
	if err := db.Writer().PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", db.path, err)
	}
	return db, nil
}

func open(dir string, logger *slog.Logger) (*DB, error) {
	if dir == "" {
		return nil, errors.New("sqlite: no data directory")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("sqlite: create data directory: %w", err)
	}
	path := filepath.Join(dir, FileName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlite: create %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("sqlite: create %s: %w", path, err)
	}
	writer, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	writer.SetConnMaxIdleTime(0)
	// The writer connects first so that the file is in WAL mode before any
	// query-only reader opens it.
	if err := writer.Ping(); err != nil {
		writer.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	reader, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	reader.SetMaxOpenConns(readers)
	reader.SetMaxIdleConns(readers)
	return &DB{DB: sqlstore.New(writer, reader, Dialect(), Migrations(), logger), path: path, log: logger}, nil
}

// Path returns the path of the database file.
func (db *DB) Path() string { return db.path }
