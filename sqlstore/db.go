// Package sqlstore is the one implementation of the store contract over
// database/sql, shared by the sqlite and postgres engines. An engine gives it
// a Dialect (what differs: locking, error classification, notification) and
// its embedded migrations; everything else, including every SQL text, is
// common. Both engines accept numbered parameters ($1, $2, …), times are
// BIGINT unix microseconds UTC (NULL when zero), sealed values are blobs and
// string lists are JSON text.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"sync"
	"time"

	"holdspace"
	"holdspace/store"
)

// Dialect is what differs between engines. Nil functions mean "nothing to do".
type Dialect struct {
	// Name is the engine name reported by DB.Engine ("sqlite", "postgres").
	Name string
	// LockAudit serializes audit appends across transactions and nodes for
	// the rest of tx. Nil when the engine's single writer already does.
	LockAudit func(ctx context.Context, tx *sql.Tx) error
	// LockMigrations serializes migration runners (several nodes starting at
	// once) for the rest of tx. Nil when the single writer already does.
	LockMigrations func(ctx context.Context, tx *sql.Tx) error
	// Unique reports whether err is a uniqueness violation and, if so, the
	// violated constraint or column as the driver names it.
	Unique func(err error) (string, bool)
	// ForeignKey reports whether err is a foreign-key violation.
	ForeignKey func(err error) bool
	// NotifySQL, when set, is executed inside the transaction just before
	// commit once per queued topic, with the topic as $1, so that the
	// database delivers it at commit (PostgreSQL pg_notify). When empty the
	// topics are published in-process after a successful commit.
	NotifySQL string
	// ColumnsSQL lists every (table, column) of the schema, for finding
	// the columns that hold sealed values.
	ColumnsSQL string
	// Positional says that statements with many parameters are better
	// written with ? parameters, bound in order: to SQLite a $N is a
	// parameter's name, and binding looks each name up in a list, a cost
	// that grows with the square of a statement's parameters (3.7% of
	// the CPU of decisions under load, for the audit inserts of a batch).
	Positional bool
}

// DB implements store.DB over a writer pool and a reader pool (which may be
// the same *sql.DB). It is safe for concurrent use.
type DB struct {
	writer     *sql.DB
	reader     *sql.DB
	dialect    Dialect
	migrations fs.FS
	logger     *slog.Logger
	hub        *Hub
	stmts      stmtCache
	authReads  sharedRead
	closeOnce  sync.Once
	closeErr   error
}

var _ store.ImportDB = (*DB)(nil)

// New returns a DB that writes through writer and reads (View) through
// reader, with the engine's dialect and migrations (a directory whose *.sql
// files are named NNNN_name.sql). It does not migrate: call Migrate.
func New(writer, reader *sql.DB, d Dialect, migrations fs.FS, logger *slog.Logger) *DB {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if reader == nil {
		reader = writer
	}
	return &DB{writer: writer, reader: reader, dialect: d, migrations: migrations, logger: logger, hub: NewHub()}
}

// Writer returns the pool used by Update, for engine-specific checks.
func (db *DB) Writer() *sql.DB { return db.writer }

// Reader returns the pool used by View.
func (db *DB) Reader() *sql.DB { return db.reader }

// Engine names the engine, as given by the dialect.
func (db *DB) Engine() string { return db.dialect.Name }

// Publish hands topic to every subscriber of this process without blocking.
// The postgres listener calls it for each notification it receives.
func (db *DB) Publish(topic string) { db.hub.Publish(topic) }

// Subscribe implements store.DB.Subscribe for this process; engines whose
// notifications come from the database feed it through Publish.
func (db *DB) Subscribe(ctx context.Context) <-chan string { return db.hub.Subscribe(ctx) }

// Update implements store.DB.Update: fn runs in a read-write transaction
// that commits when fn returns nil; fn's error is returned unchanged.
func (db *DB) Update(ctx context.Context, fn func(store.Tx) error) error {
	return db.run(ctx, db.writer, false, func(t *Tx) error { return fn(t) })
}

// View implements store.DB.View: fn runs in a read-only transaction; any
// write in it fails.
func (db *DB) View(ctx context.Context, fn func(store.Tx) error) error {
	return db.run(ctx, db.reader, true, func(t *Tx) error { return fn(t) })
}

// Import implements store.ImportDB.Import: fn runs in a read-write
// transaction, as with Update, that also offers the Importer methods.
func (db *DB) Import(ctx context.Context, fn func(store.ImportTx) error) error {
	// An import writes tables wholesale: it always moves the epoch.
	return db.run(ctx, db.writer, false, func(t *Tx) error { t.dirty = writesFacts | writesAuth; return fn(t) })
}

// Export implements store.ImportDB.Export: fn runs in a read-only
// transaction, as with View, that also offers the Importer methods.
func (db *DB) Export(ctx context.Context, fn func(store.ImportTx) error) error {
	return db.run(ctx, db.reader, true, func(t *Tx) error { return fn(t) })
}

func (db *DB) run(ctx context.Context, pool *sql.DB, readOnly bool, fn func(*Tx) error) (err error) {
	sqlTx, err := pool.BeginTx(ctx, &sql.TxOptions{ReadOnly: readOnly})
	if err != nil {
		return db.internal("begin transaction", err)
	}
	t := &Tx{
		tx:       sqlTx,
		db:       db,
		now:      time.Now().UTC().Truncate(time.Microsecond),
		readOnly: readOnly,
		pool:     pool,
	}
	committed := false
	defer func() {
		if !committed {
			if rerr := sqlTx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
				db.logger.Warn("sqlstore: rollback failed", "engine", db.dialect.Name, "err", rerr)
			}
		}
	}()
	if err := fn(t); err != nil {
		return err
	}
	if t.broken == nil && t.inserted < len(t.audit) {
		if err := t.insertPending(ctx); err != nil {
			return err
		}
	}
	if t.broken != nil {
		return t.broken
	}
	if readOnly {
		committed = true
		if err := sqlTx.Commit(); err != nil {
			return db.internal("end read transaction", err)
		}
		t.runAfter()
		return nil
	}
	// Last, so that the epoch's row lock is held only to the commit.
	if err := t.bumpEpoch(ctx); err != nil {
		return err
	}
	topics := t.uniqueTopics()
	if db.dialect.NotifySQL != "" {
		for _, topic := range topics {
			if _, err := sqlTx.ExecContext(ctx, db.dialect.NotifySQL, topic); err != nil {
				return db.internal("queue notification", err)
			}
		}
	}
	committed = true
	if err := sqlTx.Commit(); err != nil {
		return db.translate("commit", err)
	}
	if db.dialect.NotifySQL == "" {
		for _, topic := range topics {
			db.hub.Publish(topic)
		}
	}
	t.runAfter()
	return nil
}

// runAfter runs the functions queued by AfterCommit, in order.
func (t *Tx) runAfter() {
	for _, fn := range t.after {
		fn()
	}
	t.after = nil
}

// Ready implements store.DB.Ready: nil when the database answers and every
// embedded migration is recorded as applied; EUNAVAILABLE otherwise.
func (db *DB) Ready(ctx context.Context) error {
	pending, err := db.Pending(ctx)
	if err != nil {
		return &holdspace.Error{Code: holdspace.EUNAVAILABLE, Message: "The database is not ready.", Err: err}
	}
	if len(pending) > 0 {
		return &holdspace.Error{Code: holdspace.EUNAVAILABLE, Message: "The database is not ready.",
			Err: fmt.Errorf("sqlstore: %d migrations pending, first %s", len(pending), pending[0])}
	}
	return nil
}

// Close closes the subscriber channels and both pools; in-flight
// transactions finish first. Later calls return the first result.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		db.hub.Close()
		db.authReads.close()
		db.stmts.close()
		var errs []error
		if db.reader != db.writer {
			errs = append(errs, db.reader.Close())
		}
		errs = append(errs, db.writer.Close())
		db.closeErr = errors.Join(errs...)
	})
	return db.closeErr
}

// internal wraps a driver error with context; its class is EINTERNAL.
func (db *DB) internal(op string, err error) error {
	return fmt.Errorf("sqlstore %s: %s: %w", db.dialect.Name, op, err)
}

// translate classifies a driver error: a uniqueness violation becomes
// ECONFLICT, a foreign-key violation ENOTFOUND, anything else is wrapped.
func (db *DB) translate(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return &holdspace.Error{Code: holdspace.ENOTFOUND, Message: "Not found.", Err: err}
	}
	if db.dialect.Unique != nil {
		if what, ok := db.dialect.Unique(err); ok {
			return &holdspace.Error{Code: holdspace.ECONFLICT, Reason: "exists",
				Message: "A record with the same key exists.", Err: fmt.Errorf("%s: %s: %w", op, what, err)}
		}
	}
	if db.dialect.ForeignKey != nil && db.dialect.ForeignKey(err) {
		return &holdspace.Error{Code: holdspace.ENOTFOUND, Reason: "reference_not_found",
			Message: "A referenced record does not exist.", Err: fmt.Errorf("%s: %w", op, err)}
	}
	return db.internal(op, err)
}

// Hub fans topics out to in-process subscribers. Sends never block: a full
// subscriber channel misses the topic.
type Hub struct {
	mu     sync.Mutex
	subs   map[chan string]struct{}
	closed bool
	done   chan struct{}
}

// NewHub returns an empty hub.
func NewHub() *Hub {
	return &Hub{subs: make(map[chan string]struct{}), done: make(chan struct{})}
}

// subscriberBuffer is how many topics a slow subscriber may lag behind.
const subscriberBuffer = 64

// Subscribe returns a channel receiving topics published after it returns,
// closed when ctx ends or the hub closes.
func (h *Hub) Subscribe(ctx context.Context) <-chan string {
	ch := make(chan string, subscriberBuffer)
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		close(ch)
		return ch
	}
	h.subs[ch] = struct{}{}
	h.mu.Unlock()
	go func() {
		select {
		case <-ctx.Done():
		case <-h.done:
		}
		h.mu.Lock()
		defer h.mu.Unlock()
		if _, ok := h.subs[ch]; ok {
			delete(h.subs, ch)
			close(ch)
		}
	}()
	return ch
}

// Publish delivers topic to every subscriber that has room for it.
func (h *Hub) Publish(topic string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- topic:
		default:
		}
	}
}

// Close closes every subscriber channel; later subscriptions are closed at
// once.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.closed = true
	close(h.done)
	for ch := range h.subs {
		delete(h.subs, ch)
		close(ch)
	}
}
