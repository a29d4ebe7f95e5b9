package app

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"holdspace"
	"holdspace/consent"
	"holdspace/postgres"
	"holdspace/postgres/pgtest"
	"holdspace/sqlite/sqlitetest"
	"holdspace/store"
)

// engines runs fn on the services over SQLite and over PostgreSQL.
func engines(t *testing.T, fn func(t *testing.T, a *Services)) {
	storeEngines(t, func(t *testing.T, db store.DB) { fn(t, newTestAppOn(t, db)) })
}

// storeEngines runs fn, in parallel subtests, on a fresh migrated SQLite
// database and on a fresh PostgreSQL one, each closed when its subtest
// ends.
func storeEngines(t *testing.T, fn func(t *testing.T, db store.DB)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		fn(t, sqlitetest.Open(t))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		db, err := postgres.Open(context.Background(), pgtest.FreshURL(t), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		fn(t, db)
	})
}

// holdCommitter makes the committer busy with a part that waits until
// release is called, and returns once that part runs, so that what is
// queued next waits for one batch. Its own error comes on the channel.
func holdCommitter(t *testing.T, c *core) (release func(), done <-chan error) {
	t.Helper()
	running, unblock := make(chan struct{}), make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		errc <- c.updateGrouped(context.Background(), func(context.Context, store.Tx) error {
			close(running)
			<-unblock
			return nil
		})
	}()
	<-running
	return sync.OnceFunc(func() { close(unblock) }), errc
}

// queued makes c signal on the returned channel once n parts are queued.
func queued(c *core, n int) <-chan struct{} {
	ch := make(chan struct{})
	once := sync.OnceFunc(func() { close(ch) })
	c.group.mu.Lock()
	c.group.onQueue = func(q int) {
		if q >= n {
			once()
		}
	}
	c.group.mu.Unlock()
	return ch
}

// TestGroupCommitOneBatch: decisions and session events queued while the
// committer is busy commit in one transaction; a part that fails (after
// writing) is undone alone and only its caller gets the error; the audit
// chain verifies and holds exactly the committed parts' entries.
func TestGroupCommitOneBatch(t *testing.T) {
	engines(t, func(t *testing.T, a *Services) {
		l := newLive(t, a)
		ctx := context.Background()
		c := a.core
		before, _, err := VerifyAudit(ctx, c.db)
		if err != nil {
			t.Fatal(err)
		}
		const deciders = 20
		release, held := holdCommitter(t, c)
		all := queued(c, deciders+3)
		batches0, parts0 := c.group.batches.Load(), c.group.parts.Load()

		var wg sync.WaitGroup
		outcomes := make([]consent.Outcome, deciders)
		errs := make([]error, deciders)
		for i := range deciders {
			wg.Go(func() {
				d, err := a.Decisions.Decide(ctx, l.pract, DecideInput{SessionID: l.session, Region: "feet", Technique: "massage"})
				outcomes[i], errs[i] = d.Outcome, err
			})
		}
		// An admin may not ask: forbidden, alone.
		var adminErr error
		wg.Go(func() {
			_, adminErr = a.Decisions.Decide(ctx, Actor{UserID: "admin", Role: holdspace.RoleAdmin}, DecideInput{SessionID: l.session, Region: "feet", Technique: "massage"})
		})
		// A part that appends, notifies and queues a cache fill, then
		// fails: all of it is undone.
		failed := errors.New("fails after writing")
		filled := false
		var partErr error
		wg.Go(func() {
			partErr = c.updateGrouped(ctx, func(ctx context.Context, tx store.Tx) error {
				if err := record(ctx, tx, System, "test.undone", "x", "", ""); err != nil {
					return err
				}
				tx.AfterCommit(func() { filled = true })
				return failed
			})
		})
		// A session event (a note) in the same batch.
		var evErr error
		wg.Go(func() {
			_, evErr = a.Sessions.AppendEvent(ctx, l.pract, l.session, EventInput{Type: "note", Text: "grouped"})
		})
		<-all
		release()
		wg.Wait()
		if err := <-held; err != nil {
			t.Fatal(err)
		}
		for i := range deciders {
			if errs[i] != nil || outcomes[i] != consent.Permit {
				t.Fatalf("decision %d: %v %v", i, outcomes[i], errs[i])
			}
		}
		if holdspace.ErrorCode(adminErr) != holdspace.EFORBIDDEN {
			t.Fatalf("admin's decision: %v, want EFORBIDDEN", adminErr)
		}
		if !errors.Is(partErr, failed) || filled {
			t.Fatalf("failing part: %v, cache filled %v", partErr, filled)
		}
		if evErr != nil {
			t.Fatalf("note: %v", evErr)
		}
		batches, parts := c.group.batches.Load()-batches0, c.group.parts.Load()-parts0
		if parts != deciders+3+1 || batches != 2 {
			t.Fatalf("%d parts in %d batches, want %d in 2 (the held part, then all the rest)", parts, batches, deciders+4)
		}
		n, _, err := VerifyAudit(ctx, c.db)
		if err != nil {
			t.Fatalf("audit chain: %v", err)
		}
		if want := before + deciders + 1; n != want {
			t.Fatalf("%d audit entries, want %d (one per decision and the event)", n, want)
		}
		err = c.db.View(ctx, func(tx store.Tx) error {
			es, err := tx.ListAudit(ctx, store.AuditFilter{AfterSeq: before})
			for _, e := range es {
				if e.Action != "decision" && e.Action != "session.event" {
					t.Errorf("unexpected entry %s", e.Action)
				}
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// failCommitDB makes every write transaction fail where its commit would
// be: nothing is written and Update returns errCommit.
type failCommitDB struct{ store.DB }

var errCommit = errors.New("commit failed")

func (d failCommitDB) Update(ctx context.Context, fn func(store.Tx) error) error {
	return d.DB.Update(ctx, func(tx store.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return errCommit
	})
}

// TestGroupCommitFailsWhole: when the batch's commit fails, every caller
// in it gets the error, nothing of it is stored, and the caches it would
// have filled stay empty.
func TestGroupCommitFailsWhole(t *testing.T) {
	a := newTestApp(t)
	l := newLive(t, a)
	ctx := context.Background()
	c := a.core
	before, _, err := VerifyAudit(ctx, c.db)
	if err != nil {
		t.Fatal(err)
	}
	a.Decisions.facts = newFactsCache()
	release, held := holdCommitter(t, c)
	all := queued(c, 5)
	c.db = failCommitDB{DB: c.db}
	var wg sync.WaitGroup
	errs := make([]error, 5)
	for i := range 5 {
		wg.Go(func() {
			_, errs[i] = a.Decisions.Decide(ctx, l.pract, DecideInput{SessionID: l.session, Region: "feet", Technique: "massage"})
		})
	}
	<-all
	release()
	wg.Wait()
	// The held part's transaction began before the failing commits.
	if err := <-held; err != nil {
		t.Fatalf("held part: %v", err)
	}
	for i, err := range errs {
		if !errors.Is(err, errCommit) {
			t.Fatalf("decision %d: %v, want the commit's error", i, err)
		}
	}
	c.db = c.db.(failCommitDB).DB
	if n, _, err := VerifyAudit(ctx, c.db); err != nil || n != before {
		t.Fatalf("audit: %d entries (%v), want %d", n, err, before)
	}
	if len(a.Decisions.facts.indexes) != 0 || len(a.Decisions.facts.sessions) != 0 {
		t.Fatal("a failed batch filled the decision cache")
	}
}

// TestGroupCommitCancelWhileQueued: a caller whose context ends while its
// part is still queued gets the context's error and its part never runs.
func TestGroupCommitCancelWhileQueued(t *testing.T) {
	a := newTestApp(t)
	c := a.core
	release, held := holdCommitter(t, c)
	one := queued(c, 1)
	ctx, cancel := context.WithCancel(context.Background())
	ran := false
	errc := make(chan error, 1)
	go func() {
		errc <- c.updateGrouped(ctx, func(context.Context, store.Tx) error { ran = true; return nil })
	}()
	<-one
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled part: %v", err)
	}
	release()
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	// The committer is idle again: a later part runs.
	if err := c.updateGrouped(context.Background(), func(context.Context, store.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if ran {
		t.Fatal("a part abandoned in the queue ran")
	}
}

// TestNoStalePermitGrouped is TestNoStalePermit at 50 concurrent deciders
// under group commit (stops themselves grouped), on both engines. Run it
// with -race.
func TestNoStalePermitGrouped(t *testing.T) {
	engines(t, func(t *testing.T, a *Services) { raceDecisions(t, a, 50) })
}

// TestStoredClientKeyCachedOnCommit: a client data key stored by a
// transaction is cached only once that transaction commits; one stored by a
// part that rolls back is never cached, nor is a read of it inside that
// part, so nothing can be sealed later under a key that was never stored.
func TestStoredClientKeyCachedOnCommit(t *testing.T) {
	a := newTestApp(t)
	c := a.core
	ctx := context.Background()
	undone := errors.New("undone")
	var created []byte
	err := c.updateGrouped(ctx, func(ctx context.Context, tx store.Tx) error {
		k, err := c.clientKey(ctx, auditSealingTx{Tx: tx, a: c}, "cl_legacy")
		if err != nil {
			return err
		}
		created = k
		// t.Fatal would end the committer's goroutine: report and go on.
		if again, err := c.dataKeyIn(ctx, tx, "cl_legacy"); err != nil || !slices.Equal(again, k) {
			t.Errorf("the key read back in its transaction: %v", err)
		}
		if c.ckeys.get("cl_legacy") != nil {
			t.Error("a key was cached before its transaction committed")
		}
		return undone
	})
	if !errors.Is(err, undone) || created == nil {
		t.Fatalf("part: %v", err)
	}
	if c.ckeys.get("cl_legacy") != nil {
		t.Fatal("a key stored by a part that rolled back is cached")
	}
	var kept []byte
	err = c.updateGrouped(ctx, func(ctx context.Context, tx store.Tx) error {
		var err error
		kept, err = c.clientKey(ctx, auditSealingTx{Tx: tx, a: c}, "cl_legacy")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(kept, created) {
		t.Fatal("the rolled-back key came back")
	}
	if got := c.ckeys.get("cl_legacy"); !slices.Equal(got, kept) {
		t.Fatal("the committed key is not cached")
	}
}
