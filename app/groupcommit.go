package app

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"holdspace/store"
)

// Group commit. An audited decision or session event is a small write (a
// few rows and one audit entry) whose cost is the durable commit: one
// fsync on SQLite, one WAL flush and one hold of the audit lock on
// PostgreSQL. updateGrouped queues such writes; one committer per core
// takes everything queued when it is free (at most maxGroup), runs each
// caller's work in a savepoint of ONE write transaction, commits once and
// only then answers every caller. No timer gathers a batch: an idle
// server commits a lone write at once, a busy one commits what queued up
// while the previous batch was being flushed.
//
// Each part reads its facts inside the batch's transaction, after every
// part before it, so a decision that starts after a stop or revoke was
// acknowledged sees it as it would alone. A part that fails is rolled back
// to its savepoint and only its caller gets the error; if the commit
// fails, every caller of the batch gets that error. Effects outside the
// database (notifications, caches filled through AfterCommit) happen only
// for parts whose work committed.
//
// On PostgreSQL a batch takes the audit lock first (HoldAudit) and keeps
// it to its commit, so several nodes' batches queue for it rather than
// deadlock. A plain write transaction still takes rows first and the lock
// last: if it holds a row a part of a batch needs, PostgreSQL breaks the
// cycle after deadlock_timeout by failing one side (that part or that
// transaction), never by a wrong answer.

// maxGroup bounds the parts of one batch. Each part is a subtransaction
// on PostgreSQL, which keeps up to 64 of them per transaction in shared
// memory before it has to look them up on disk.
const maxGroup = 64

// groupCommitter is the queue of one core's grouped writes. The zero
// value is ready; its committer goroutine runs only while there is work.
type groupCommitter struct {
	mu      sync.Mutex
	queue   []*groupPart
	running bool
	// batches and parts count the transactions committed (or failed) and
	// the parts they carried.
	batches, parts atomic.Int64
	// onQueue, if set, is called with the queue's length after each
	// enqueue (tests).
	onQueue func(n int)
}

// groupPart is one caller's work waiting for, or in, a batch.
type groupPart struct {
	ctx   context.Context
	fn    func(ctx context.Context, tx store.Tx) error
	state atomic.Int32
	done  chan error
}

// States of a groupPart: the committer takes a queued part; a caller whose
// context ends abandons a part that is still queued.
const (
	partQueued int32 = iota
	partTaken
	partAbandoned
)

// updateGrouped runs fn as one part of a grouped write transaction (see
// above) and returns once that transaction has committed, with fn's error
// or the commit's. fn must use the context it is given (the caller's
// values, but not its cancellation: once the part runs, it is finished
// in the batch). A caller whose ctx ends while its part is still queued
// gets ctx's error and fn never runs; once the part is taken, the caller
// waits for the batch's outcome, which is the part's.
func (a *core) updateGrouped(ctx context.Context, fn func(ctx context.Context, tx store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p := &groupPart{ctx: ctx, fn: fn, done: make(chan error, 1)}
	g := &a.group
	g.mu.Lock()
	g.queue = append(g.queue, p)
	n := len(g.queue)
	start := !g.running
	g.running = true
	hook := g.onQueue
	g.mu.Unlock()
	if hook != nil {
		hook(n)
	}
	if start {
		go a.commitGroups()
	}
	select {
	case err := <-p.done:
		return err
	case <-ctx.Done():
		if p.state.CompareAndSwap(partQueued, partAbandoned) {
			return ctx.Err()
		}
		return <-p.done
	}
}

// commitGroups commits batches until the queue is empty, then ends.
func (a *core) commitGroups() {
	g := &a.group
	for {
		g.mu.Lock()
		n := min(len(g.queue), maxGroup)
		if n == 0 {
			g.running = false
			g.queue = nil
			g.mu.Unlock()
			return
		}
		batch := make([]*groupPart, 0, n)
		for _, p := range g.queue[:n] {
			if p.state.CompareAndSwap(partQueued, partTaken) {
				batch = append(batch, p)
			}
		}
		rest := copy(g.queue, g.queue[n:])
		clear(g.queue[rest:])
		g.queue = g.queue[:rest]
		g.mu.Unlock()
		if len(batch) > 0 {
			a.commitGroup(batch)
		}
	}
}

// commitGroup runs batch in one write transaction, each part in its own
// savepoint (a lone part needs none), and answers every part.
func (a *core) commitGroup(batch []*groupPart) {
	errs := make([]error, len(batch))
	// The transaction is no one caller's: one giving up must not end the
	// others' work.
	ctx := context.Background()
	err := a.update(ctx, func(tx store.Tx) error {
		// Every part appends to the audit chain: the right to append is
		// taken first, before any part locks a row (see HoldAudit), so
		// that batches on several nodes never wait for each other in a
		// cycle.
		if err := tx.HoldAudit(ctx); err != nil {
			return err
		}
		if len(batch) == 1 {
			errs[0] = a.runPart(batch[0], tx)
			return errs[0]
		}
		for i, p := range batch {
			errs[i] = tx.Savepoint(ctx, func() error { return a.runPart(p, tx) })
		}
		return nil
	})
	a.group.batches.Add(1)
	a.group.parts.Add(int64(len(batch)))
	for i, p := range batch {
		if err != nil {
			p.done <- err
		} else {
			p.done <- errs[i]
		}
	}
}

// runPart runs one part's fn; a panic fails that part only (it no longer
// runs on the caller's goroutine, whose server would have recovered it).
func (a *core) runPart(p *groupPart, tx store.Tx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			a.log.Error("group commit: a part panicked", "panic", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("app: internal error in a grouped write: %v", r)
		}
	}()
	return p.fn(context.WithoutCancel(p.ctx), tx)
}
