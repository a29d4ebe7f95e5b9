package sqlite

import (
	"context"
	"sync"
	"time"
)

// optimizeEvery is how often an open database refreshes the query
// planner's statistics. SQLite recommends PRAGMA optimize "once per day or
// once per hour" on long-lived connections; it does nothing when nothing
// changed much, so hourly is cheap.
const optimizeEvery = time.Hour

// optimizer runs PRAGMA optimize on the writer connection when the
// database opens (after migrations), every optimizeEvery, and at close:
// SQLite's own advice for long-lived connections. Without it the planner
// has no statistics (sqlite_stat1 is empty) and picks indexes blind, e.g.
// the practitioner's index for sessions?client_id= (issue 16).
type optimizer struct {
	stop chan struct{}
	done chan struct{}
	once sync.Once
}

// Optimize refreshes the planner's statistics of the tables whose size
// changed much since the last analysis (PRAGMA optimize). It is bounded by
// SQLite's automatic analysis limit, so it is quick on a large database.
func (db *DB) Optimize(ctx context.Context) error {
	_, err := db.Writer().ExecContext(ctx, `PRAGMA optimize`)
	return err
}

// startOptimizer analyses the tables that need it once now (0x10002: every
// table, not only those this connection has queried, as recommended when a
// connection opens) and then every optimizeEvery until Close.
func (db *DB) startOptimizer(ctx context.Context) error {
	if _, err := db.Writer().ExecContext(ctx, `PRAGMA optimize=0x10002`); err != nil {
		return err
	}
	o := &optimizer{stop: make(chan struct{}), done: make(chan struct{})}
	db.opt = o
	go func() {
		defer close(o.done)
		t := time.NewTicker(optimizeEvery)
		defer t.Stop()
		for {
			select {
			case <-o.stop:
				return
			case <-t.C:
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				if err := db.Optimize(ctx); err != nil && db.log != nil {
					db.log.Warn("sqlite: optimize", "err", err)
				}
				cancel()
			}
		}
	}()
	return nil
}

// Close stops the periodic optimizer, runs PRAGMA optimize a last time (so
// the next open starts with fresh statistics) and closes the database.
func (db *DB) Close() error {
	if o := db.opt; o != nil {
		o.once.Do(func() {
			close(o.stop)
			<-o.done
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := db.Optimize(ctx); err != nil && db.log != nil {
				db.log.Warn("sqlite: optimize at close", "err", err)
			}
		})
	}
	return db.DB.Close()
}
