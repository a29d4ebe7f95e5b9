// Package postgres is the scale-out storage engine of holdspace: any number
// of stateless nodes share one PostgreSQL database (pgx v5). It implements
// store.DB with the shared sqlstore code; audit appends and migrations are
// serialized across nodes with transaction-scoped advisory locks, and
// Tx.Notify travels through LISTEN/NOTIFY on the channel "holdspace" so that
// every node hears every commit.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"holdspace/sqlstore"
	"holdspace/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Channel is the LISTEN/NOTIFY channel that carries Tx.Notify topics.
const Channel = "holdspace"

// Advisory lock keys (arbitrary constants, "hs" + purpose).
const (
	auditLockKey     int64 = 0x68730001
	migrationLockKey int64 = 0x68730002
)

// maxConns bounds the connection pool of one node.
const maxConns = 10

// DB is an open PostgreSQL holdspace database. It implements store.DB.
type DB struct {
	*sqlstore.DB
	logger *slog.Logger
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
	err    error
}

var _ store.DB = (*DB)(nil)

// Migrations returns the embedded PostgreSQL migrations.
func Migrations() fs.FS { return sqlstore.EmbeddedMigrations(migrationFiles) }

// Dialect is how PostgreSQL differs: advisory transaction locks serialize
// audit appends and migrations across nodes, unique and foreign-key
// violations are told apart by SQLSTATE, and topics are sent with pg_notify
// inside the transaction, so PostgreSQL delivers them only at commit.
func Dialect() sqlstore.Dialect {
	return sqlstore.Dialect{
		Name:           "postgres",
		LockAudit:      advisoryLock(auditLockKey),
		LockMigrations: advisoryLock(migrationLockKey),
		Unique:         unique,
		ForeignKey:     foreignKey,
		NotifySQL:      `SELECT pg_notify('` + Channel + `', $1)`,
		ColumnsSQL:     `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()`,
	}
}

func advisoryLock(key int64) func(context.Context, *sql.Tx) error {
	return func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, key)
		return err
	}
}

func unique(err error) (string, bool) {
	var e *pgconn.PgError
	if errors.As(err, &e) && e.Code == "23505" {
		return e.ConstraintName, true
	}
	return "", false
}

func foreignKey(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23503"
}

// Open connects to the database at url (a postgres:// URL or key=value
// DSN), applies pending migrations (safe when several nodes start at once)
// and starts listening for notifications. The logger may be nil.
func Open(ctx context.Context, url string, logger *slog.Logger) (*DB, error) {
	db, err := OpenUnmigrated(ctx, url, logger)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: migrate: %w", err)
	}
	return db, nil
}

// OpenUnmigrated connects and listens like Open but applies no migration,
// so that `holdspace migrate` can apply them (DB.Migrate) and Ready can be
// checked before.
func OpenUnmigrated(ctx context.Context, url string, logger *slog.Logger) (*DB, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse database url: %w", err)
	}
	// Statements not prepared by the store's cache are planned at each
	// run: a plan kept by the connection would stay the one made when a
	// table was new and empty (the audit chain's head read by a sequential
	// scan, growing with every entry until autovacuum analyses it again).
	cfg.DefaultQueryExecMode = pgx.QueryExecModeCacheDescribe
	pool := stdlib.OpenDB(*cfg)
	pool.SetMaxOpenConns(maxConns)
	pool.SetMaxIdleConns(maxConns / 2)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	db := &DB{
		DB:     sqlstore.New(pool, pool, Dialect(), Migrations(), logger),
		logger: logger,
		done:   make(chan struct{}),
	}
	// The first LISTEN happens before Open returns, so a Subscribe right
	// after Open hears every later commit.
	conn, err := listen(ctx, cfg)
	if err != nil {
		db.DB.Close()
		return nil, err
	}
	lctx, cancel := context.WithCancel(context.Background())
	db.cancel = cancel
	go db.listenLoop(lctx, cfg, conn)
	return db, nil
}

// listen opens a dedicated connection that listens on Channel.
func listen(ctx context.Context, cfg *pgx.ConnConfig) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, cfg.Copy())
	if err != nil {
		return nil, fmt.Errorf("postgres: connect listener: %w", err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+Channel); err != nil {
		conn.Close(context.Background())
		return nil, fmt.Errorf("postgres: listen: %w", err)
	}
	return conn, nil
}

// Backoff bounds for reconnecting the listener.
const (
	minBackoff = 100 * time.Millisecond
	maxBackoff = 10 * time.Second
)

// listenLoop publishes every notification to the process's subscribers and
// reconnects with exponential backoff when the connection fails, until ctx
// ends. Topics sent while disconnected are lost; subscribers also poll.
func (db *DB) listenLoop(ctx context.Context, cfg *pgx.ConnConfig, conn *pgx.Conn) {
	defer close(db.done)
	backoff := minBackoff
	for {
		if conn != nil {
			err := db.receive(ctx, conn)
			conn.Close(context.Background())
			conn = nil
			if ctx.Err() != nil {
				return
			}
			db.logger.Warn("postgres: notification listener lost its connection", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		c, err := listen(ctx, cfg)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			db.logger.Warn("postgres: notification listener cannot reconnect", "err", err, "retry_in", backoff)
			backoff = min(2*backoff, maxBackoff)
			continue
		}
		db.logger.Info("postgres: notification listener reconnected")
		conn, backoff = c, minBackoff
	}
}

// receive publishes notifications from conn until it fails or ctx ends.
func (db *DB) receive(ctx context.Context, conn *pgx.Conn) error {
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if n.Channel == Channel {
			db.Publish(n.Payload)
		}
	}
}

// Close stops the listener, closes subscriber channels and the pool;
// in-flight transactions finish first. Later calls return the first result.
func (db *DB) Close() error {
	db.once.Do(func() {
		db.cancel()
		<-db.done
		db.err = db.DB.Close()
	})
	return db.err
}
