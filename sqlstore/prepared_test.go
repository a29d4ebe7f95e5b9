package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
)

// blockingDriver is a database/sql driver whose Prepare blocks until its
// context ends, so that a test can hold a preparation under way.
type blockingDriver struct {
	preparing chan struct{} // receives when a Prepare starts
	inPrepare atomic.Int32  // Prepares under way
	prepares  atomic.Int32  // Prepares started
}

func (d *blockingDriver) Open(string) (driver.Conn, error) { return &blockingConn{d: d}, nil }

type blockingConn struct{ d *blockingDriver }

func (c *blockingConn) Prepare(string) (driver.Stmt, error) {
	return nil, errors.New("blockingConn: use PrepareContext")
}

func (c *blockingConn) PrepareContext(ctx context.Context, _ string) (driver.Stmt, error) {
	c.d.prepares.Add(1)
	c.d.inPrepare.Add(1)
	defer c.d.inPrepare.Add(-1)
	c.d.preparing <- struct{}{}
	<-ctx.Done()
	return nil, ctx.Err()
}

func (c *blockingConn) Close() error { return nil }
func (c *blockingConn) Begin() (driver.Tx, error) {
	return nil, errors.New("blockingConn: no transactions")
}

var registerBlocking = sync.OnceValue(func() *blockingDriver {
	d := &blockingDriver{preparing: make(chan struct{}, 1)}
	sql.Register("holdspace-blocking", d)
	return d
})

// TestStmtCacheCloseWaitsForPreparations: a statement's preparation runs
// in a goroutine of its own; close cancels it and returns only once it has
// ended, so that nothing touches the pool (on SQLite: opens a connection
// and so the write-ahead log's files) after the DB closed it. A
// preparation asked for after close does not start.
func TestStmtCacheCloseWaitsForPreparations(t *testing.T) {
	d := registerBlocking()
	pool, err := sql.Open("holdspace-blocking", "")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	started := d.prepares.Load()
	var c stmtCache
	c.info(pool, "SELECT 1")
	<-d.preparing // the preparation is under way and blocked
	c.close()
	if n := d.inPrepare.Load(); n != 0 {
		t.Fatalf("close returned with %d preparation(s) still under way", n)
	}
	if in := c.info(pool, "SELECT 2"); in.stmt.Load() != nil {
		t.Fatal("a statement is prepared after close")
	}
	c.close() // idempotent, and waits for nothing
	if n := d.prepares.Load() - started; n != 1 {
		t.Fatalf("%d preparations started, want 1 (none after close)", n)
	}
}
