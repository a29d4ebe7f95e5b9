package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"holdspace/audit"
	"holdspace/store"
)

// verifyChain reads the whole log with ScanAudit, checks it with
// audit.Verifier and returns the entries.
func verifyChain(t *testing.T, db store.DB) []audit.Entry {
	t.Helper()
	var entries []audit.Entry
	view(t, db, func(tx store.Tx) error {
		var v audit.Verifier
		err := tx.ScanAudit(context.Background(), func(e audit.Entry) error {
			entries = append(entries, e)
			return v.Add(e)
		})
		if err != nil {
			t.Fatalf("audit chain: %v", err)
		}
		return nil
	})
	for i, e := range entries {
		if e.Seq != int64(i+1) {
			t.Fatalf("entry %d has seq %d", i, e.Seq)
		}
	}
	return entries
}

func (s suite) auditCases() []tcase {
	ctx := context.Background()
	return []tcase{
		{"OK", func(t *testing.T, db store.DB) {
			var first, second audit.Entry
			update(t, db, func(tx store.Tx) error {
				var err error
				first, err = tx.AppendAudit(ctx, audit.Entry{At: t0.Add(987 * time.Nanosecond), Actor: "p1", Action: "client.create",
					Target: "client:c1", ClientID: "c1", Detail: "k=v"})
				if err != nil {
					return err
				}
				second, err = tx.AppendAudit(ctx, audit.Entry{Actor: "p1", Action: "session.read"})
				if err != nil {
					return err
				}
				if !second.At.Equal(tx.Now()) {
					t.Fatalf("a zero At became %v, want the transaction's time %v", second.At, tx.Now())
				}
				return nil
			})
			if first.Seq != 1 || first.PrevHash != "" || second.Seq != 2 || second.PrevHash != first.Hash {
				t.Fatalf("chain = %+v, %+v", first, second)
			}
			entries := verifyChain(t, db)
			same(t, "stored entries", entries, []audit.Entry{first, second})
		}},
		{"ConcurrentChain", func(t *testing.T, db store.DB) {
			const writers, each = 8, 6
			var wg sync.WaitGroup
			errs := make(chan error, writers*each)
			for w := range writers {
				wg.Go(func() {
					for i := range each {
						errs <- db.Update(ctx, func(tx store.Tx) error {
							_, err := tx.AppendAudit(ctx, audit.Entry{Actor: fmt.Sprintf("w%d", w), Action: "test.append",
								Detail: fmt.Sprintf("i=%d", i)})
							return err
						})
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatalf("concurrent AppendAudit: %v", err)
				}
			}
			if n := len(verifyChain(t, db)); n != writers*each {
				t.Fatalf("%d entries, want %d", n, writers*each)
			}
		}},
		{"ListFilters", func(t *testing.T, db store.DB) {
			update(t, db, func(tx store.Tx) error {
				for i := range 10 {
					client := []string{"c1", "c2"}[i%2]
					if _, err := tx.AppendAudit(ctx, audit.Entry{At: t0.Add(time.Duration(i) * time.Minute), Actor: "p1",
						Action: "x", ClientID: client}); err != nil {
						return err
					}
				}
				return nil
			})
			view(t, db, func(tx store.Tx) error {
				for _, tc := range []struct {
					name string
					f    store.AuditFilter
					want []int64
				}{
					{"all", store.AuditFilter{}, []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}},
					{"client", store.AuditFilter{ClientID: "c2"}, []int64{2, 4, 6, 8, 10}},
					{"since inclusive", store.AuditFilter{Since: t0.Add(7 * time.Minute)}, []int64{8, 9, 10}},
					{"after seq", store.AuditFilter{AfterSeq: 8}, []int64{9, 10}},
					{"limit", store.AuditFilter{Limit: 3}, []int64{1, 2, 3}},
					{"newest first", store.AuditFilter{Newest: true, Limit: 3}, []int64{10, 9, 8}},
					{"newest of a client", store.AuditFilter{ClientID: "c1", Newest: true, Limit: 2}, []int64{9, 7}},
					{"before seq, newest first", store.AuditFilter{BeforeSeq: 8, Newest: true, Limit: 3}, []int64{7, 6, 5}},
					{"between seqs", store.AuditFilter{AfterSeq: 3, BeforeSeq: 6}, []int64{4, 5}},
					{"all filters", store.AuditFilter{ClientID: "c1", Since: t0.Add(time.Minute), AfterSeq: 3, Limit: 2}, []int64{5, 7}},
					{"none", store.AuditFilter{ClientID: "c3"}, nil},
				} {
					got, err := tx.ListAudit(ctx, tc.f)
					if err != nil {
						return err
					}
					var seqs []int64
					for _, e := range got {
						seqs = append(seqs, e.Seq)
					}
					same(t, "ListAudit "+tc.name, seqs, tc.want)
				}
				return nil
			})
		}},
		{"ScanStops", func(t *testing.T, db store.DB) {
			update(t, db, func(tx store.Tx) error {
				for range 5 {
					if _, err := tx.AppendAudit(ctx, audit.Entry{Actor: "a", Action: "x"}); err != nil {
						return err
					}
				}
				return nil
			})
			stop := errors.New("enough")
			view(t, db, func(tx store.Tx) error {
				var seen []int64
				err := tx.ScanAudit(ctx, func(e audit.Entry) error {
					seen = append(seen, e.Seq)
					if e.Seq == 3 {
						return stop
					}
					return nil
				})
				if !errors.Is(err, stop) {
					t.Fatalf("ScanAudit err = %v, want fn's error", err)
				}
				same(t, "scanned", seen, []int64{1, 2, 3})
				return nil
			})
		}},
	}
}

// receiveUntil reads topics from ch until it sees last, and returns every
// topic seen before it. It fails the test when ch closes or nothing arrives
// for a long while.
func receiveUntil(t *testing.T, ch <-chan string, last string) []string {
	t.Helper()
	var seen []string
	timeout := time.NewTimer(waitFor)
	defer timeout.Stop()
	for {
		select {
		case topic, ok := <-ch:
			if !ok {
				t.Fatalf("subscription closed before %q; saw %v", last, seen)
			}
			if topic == last {
				return seen
			}
			seen = append(seen, topic)
		case <-timeout.C:
			t.Fatalf("no %q within %v; saw %v", last, waitFor, seen)
		}
	}
}

func (s suite) notifyCases() []tcase {
	return []tcase{
		{"AfterCommitOnly", func(t *testing.T, db store.DB) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			ch := db.Subscribe(ctx)
			update(t, db, func(tx store.Tx) error {
				tx.Notify("committed")
				tx.Notify("committed") // repeats in one transaction may merge
				select {
				case topic := <-ch:
					t.Fatalf("topic %q delivered before commit", topic)
				default:
				}
				return nil
			})
			rollback := errors.New("rollback")
			if err := db.Update(ctx, func(tx store.Tx) error { tx.Notify("rolled-back"); return rollback }); !errors.Is(err, rollback) {
				t.Fatalf("Update err = %v", err)
			}
			update(t, db, func(tx store.Tx) error { tx.Notify("last"); return nil })
			seen := receiveUntil(t, ch, "last")
			if len(seen) == 0 || seen[0] != "committed" {
				t.Fatalf("topics before last = %v, want committed first", seen)
			}
			for _, topic := range seen {
				if topic != "committed" {
					t.Fatalf("unexpected topic %q (rolled back); saw %v", topic, seen)
				}
			}
		}},
		{"FanOut", func(t *testing.T, db store.DB) {
			ctx := context.Background()
			ctx1, cancel1 := context.WithCancel(ctx)
			defer cancel1()
			ctx2, cancel2 := context.WithCancel(ctx)
			defer cancel2()
			a, b := db.Subscribe(ctx1), db.Subscribe(ctx2)
			update(t, db, func(tx store.Tx) error { tx.Notify("client:c1"); return nil })
			receiveUntil(t, a, "client:c1")
			receiveUntil(t, b, "client:c1")
		}},
		{"ClosedWhenDone", func(t *testing.T, db store.DB) {
			ctx, cancel := context.WithCancel(context.Background())
			ch := db.Subscribe(ctx)
			cancel()
			timeout := time.NewTimer(waitFor)
			defer timeout.Stop()
			for {
				select {
				case _, ok := <-ch:
					if !ok {
						return
					}
				case <-timeout.C:
					t.Fatal("subscription not closed after its context ended")
				}
			}
		}},
		{"ViewDeliversNothing", func(t *testing.T, db store.DB) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			ch := db.Subscribe(ctx)
			view(t, db, func(tx store.Tx) error { tx.Notify("from-view"); return nil })
			update(t, db, func(tx store.Tx) error { tx.Notify("last"); return nil })
			if seen := receiveUntil(t, ch, "last"); len(seen) != 0 {
				t.Fatalf("a read-only transaction notified %v", seen)
			}
		}},
	}
}
