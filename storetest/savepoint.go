package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"holdspace"
	"holdspace/audit"
	"holdspace/store"
)

// savepointCases check store.Savepoints, on which group commit stands: a
// part that fails is undone alone (rows, audit appends, notifications,
// after-commit functions) and the chain goes on after the entry before it.
func (s suite) savepointCases() []tcase {
	ctx := context.Background()
	failed := errors.New("this part fails")
	return []tcase{
		{"PartFailsAlone", func(t *testing.T, db store.DB) {
			sub, cancel := context.WithCancel(ctx)
			defer cancel()
			ch := db.Subscribe(sub)
			var ran []string
			var errs [3]error
			update(t, db, func(tx store.Tx) error {
				for i, name := range []string{"a", "b", "c"} {
					errs[i] = tx.Savepoint(ctx, func() error {
						if err := tx.CreateUser(ctx, user("u_"+name, holdspace.RoleClient, name+"@example.test", t0)); err != nil {
							return err
						}
						if _, err := tx.AppendAudit(ctx, audit.Entry{Actor: "p1", Action: "part." + name}); err != nil {
							return err
						}
						tx.Notify("part:" + name)
						tx.AfterCommit(func() { ran = append(ran, name) })
						if name == "b" {
							return failed
						}
						return nil
					})
				}
				if len(ran) != 0 {
					t.Fatalf("after-commit functions ran before the commit: %v", ran)
				}
				return nil
			})
			if errs[0] != nil || !errors.Is(errs[1], failed) || errs[2] != nil {
				t.Fatalf("parts returned %v", errs)
			}
			if !slices.Equal(ran, []string{"a", "c"}) {
				t.Fatalf("after-commit functions ran for %v, want [a c]", ran)
			}
			view(t, db, func(tx store.Tx) error {
				for _, id := range []string{"u_a", "u_c"} {
					if _, err := tx.User(ctx, id); err != nil {
						t.Fatalf("%s of a committed part: %v", id, err)
					}
				}
				if _, err := tx.User(ctx, "u_b"); holdspace.ErrorCode(err) != holdspace.ENOTFOUND {
					t.Fatalf("user of the failed part: %v, want ENOTFOUND", err)
				}
				return nil
			})
			entries := verifyChain(t, db)
			if len(entries) != 2 || entries[0].Action != "part.a" || entries[1].Action != "part.c" {
				t.Fatalf("audit = %+v, want part.a then part.c", entries)
			}
			// Topics come in commit order: b would come between a and c.
			if seen := receiveUntil(t, ch, "part:c"); !slices.Equal(seen, []string{"part:a"}) {
				t.Fatalf("topics before part:c = %v, want [part:a]", seen)
			}
		}},
		{"Nested", func(t *testing.T, db store.DB) {
			update(t, db, func(tx store.Tx) error {
				return tx.Savepoint(ctx, func() error {
					if _, err := tx.AppendAudit(ctx, audit.Entry{Actor: "p1", Action: "outer"}); err != nil {
						return err
					}
					if err := tx.Savepoint(ctx, func() error {
						if _, err := tx.AppendAudit(ctx, audit.Entry{Actor: "p1", Action: "inner"}); err != nil {
							return err
						}
						return failed
					}); !errors.Is(err, failed) {
						t.Fatalf("inner part: %v", err)
					}
					_, err := tx.AppendAudit(ctx, audit.Entry{Actor: "p1", Action: "after"})
					return err
				})
			})
			entries := verifyChain(t, db)
			if len(entries) != 2 || entries[0].Action != "outer" || entries[1].Action != "after" {
				t.Fatalf("audit = %+v, want outer then after", entries)
			}
		}},
		{"FailedPartAfterManyAppends", func(t *testing.T, db store.DB) {
			// A part appends more entries than the store may keep
			// pending, so some of an earlier part's entries may be
			// stored inside the later part; when it fails they stay.
			update(t, db, func(tx store.Tx) error {
				if err := tx.Savepoint(ctx, func() error {
					_, err := tx.AppendAudit(ctx, audit.Entry{Actor: "p1", Action: "kept"})
					return err
				}); err != nil {
					return err
				}
				if err := tx.Savepoint(ctx, func() error {
					for i := range 150 {
						if _, err := tx.AppendAudit(ctx, audit.Entry{Actor: "p1", Action: "lost", Detail: fmt.Sprint(i)}); err != nil {
							return err
						}
					}
					return failed
				}); !errors.Is(err, failed) {
					t.Fatalf("failing part: %v", err)
				}
				return tx.Savepoint(ctx, func() error {
					_, err := tx.AppendAudit(ctx, audit.Entry{Actor: "p1", Action: "after"})
					return err
				})
			})
			entries := verifyChain(t, db)
			if len(entries) != 2 || entries[0].Action != "kept" || entries[1].Action != "after" {
				t.Fatalf("audit = %d entries %+v, want kept then after", len(entries), entries)
			}
		}},
		{"AppendsReadInTheirTransaction", func(t *testing.T, db store.DB) {
			// An entry appended is read back by the transaction that
			// appended it, inside a part and after it, and is gone
			// when the transaction rolls back.
			err := db.Update(ctx, func(tx store.Tx) error {
				if err := tx.Savepoint(ctx, func() error {
					if _, err := tx.AppendAudit(ctx, audit.Entry{Actor: "p1", Action: "one", ClientID: "c9"}); err != nil {
						return err
					}
					es, err := tx.ListAudit(ctx, store.AuditFilter{ClientID: "c9"})
					if err != nil || len(es) != 1 || es[0].Action != "one" {
						t.Fatalf("inside the part: %+v, %v", es, err)
					}
					return nil
				}); err != nil {
					return err
				}
				if _, err := tx.AppendAudit(ctx, audit.Entry{Actor: "p1", Action: "two"}); err != nil {
					return err
				}
				es, err := tx.ListAudit(ctx, store.AuditFilter{Newest: true, Limit: 5})
				if err != nil || len(es) != 2 || es[0].Action != "two" || es[1].Action != "one" {
					t.Fatalf("after the part: %+v, %v", es, err)
				}
				return failed
			})
			if !errors.Is(err, failed) {
				t.Fatalf("Update: %v", err)
			}
			if entries := verifyChain(t, db); len(entries) != 0 {
				t.Fatalf("a rolled-back transaction left %d entries", len(entries))
			}
		}},
		{"AppendInViewFails", func(t *testing.T, db store.DB) {
			err := db.View(ctx, func(tx store.Tx) error {
				_, err := tx.AppendAudit(ctx, audit.Entry{Actor: "p1", Action: "read.only"})
				return err
			})
			if err == nil {
				t.Fatal("an append in a read-only transaction succeeded")
			}
			if entries := verifyChain(t, db); len(entries) != 0 {
				t.Fatalf("a read-only transaction left %d entries", len(entries))
			}
		}},
		{"ReadOnlyPartsOpenNoSavepoint", func(t *testing.T, db store.DB) {
			// Parts that only read and append, some failing, leave
			// the transaction usable and the chain exact.
			seedUsers := func(tx store.Tx) error {
				return tx.CreateUser(ctx, user("u_r", holdspace.RoleClient, "r@example.test", t0))
			}
			update(t, db, seedUsers)
			var errs [4]error
			update(t, db, func(tx store.Tx) error {
				for i := range errs {
					errs[i] = tx.Savepoint(ctx, func() error {
						if _, err := tx.User(ctx, "u_r"); err != nil {
							return err
						}
						if i == 1 {
							_, err := tx.User(ctx, "u_missing")
							return err
						}
						_, err := tx.AppendAudit(ctx, audit.Entry{Actor: "p1", Action: fmt.Sprintf("read.%d", i)})
						return err
					})
				}
				return nil
			})
			if errs[0] != nil || holdspace.ErrorCode(errs[1]) != holdspace.ENOTFOUND || errs[2] != nil || errs[3] != nil {
				t.Fatalf("parts returned %v", errs)
			}
			entries := verifyChain(t, db)
			if len(entries) != 3 || entries[0].Action != "read.0" || entries[1].Action != "read.2" || entries[2].Action != "read.3" {
				t.Fatalf("audit = %+v", entries)
			}
		}},
		{"HoldAuditFirst", func(t *testing.T, db store.DB) {
			update(t, db, func(tx store.Tx) error {
				_, err := tx.AppendAudit(ctx, audit.Entry{Actor: "p1", Action: "first"})
				return err
			})
			update(t, db, func(tx store.Tx) error {
				for range 2 {
					if err := tx.HoldAudit(ctx); err != nil {
						return err
					}
				}
				_, err := tx.AppendAudit(ctx, audit.Entry{Actor: "p1", Action: "second"})
				return err
			})
			if entries := verifyChain(t, db); len(entries) != 2 {
				t.Fatalf("%d entries, want 2", len(entries))
			}
		}},
		{"AfterCommitNeverOnRollback", func(t *testing.T, db store.DB) {
			ran := 0
			if err := db.Update(ctx, func(tx store.Tx) error {
				tx.AfterCommit(func() { ran++ })
				return failed
			}); !errors.Is(err, failed) {
				t.Fatalf("Update: %v", err)
			}
			if ran != 0 {
				t.Fatal("an after-commit function ran for a rolled-back transaction")
			}
			update(t, db, func(tx store.Tx) error { tx.AfterCommit(func() { ran++ }); return nil })
			view(t, db, func(tx store.Tx) error { tx.AfterCommit(func() { ran++ }); return nil })
			if ran != 2 {
				t.Fatalf("after-commit functions ran %d times, want 2 (update and view)", ran)
			}
		}},
		{"ConcurrentGroupedChain", func(t *testing.T, db store.DB) {
			// Transactions of several parts, every third part failing
			// after its append, race with single appends: one linear
			// chain holds exactly the appends of the committed parts.
			const writers, txs, parts = 4, 5, 6
			var wg sync.WaitGroup
			errs := make(chan error, 2*writers*txs)
			var mu sync.Mutex
			want := 0
			for w := range writers {
				wg.Go(func() {
					for i := range txs {
						kept := 0
						errs <- db.Update(ctx, func(tx store.Tx) error {
							kept = 0
							for p := range parts {
								err := tx.Savepoint(ctx, func() error {
									if _, err := tx.AppendAudit(ctx, audit.Entry{Actor: fmt.Sprintf("w%d", w), Action: "test.part",
										Detail: fmt.Sprintf("tx=%d part=%d", i, p)}); err != nil {
										return err
									}
									if p%3 == 2 {
										return failed
									}
									return nil
								})
								switch {
								case err == nil:
									kept++
								case !errors.Is(err, failed):
									return err
								}
							}
							return nil
						})
						errs <- db.Update(ctx, func(tx store.Tx) error {
							_, err := tx.AppendAudit(ctx, audit.Entry{Actor: fmt.Sprintf("w%d", w), Action: "test.single"})
							return err
						})
						mu.Lock()
						want += kept + 1
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatalf("Update: %v", err)
				}
			}
			entries := verifyChain(t, db)
			if len(entries) != want {
				t.Fatalf("%d entries, want %d", len(entries), want)
			}
			for _, e := range entries {
				var tx, part int
				if e.Action == "test.part" {
					if _, err := fmt.Sscanf(e.Detail, "tx=%d part=%d", &tx, &part); err != nil || part%3 == 2 {
						t.Fatalf("entry of a failed part in the chain: %+v", e)
					}
				}
			}
		}},
	}
}
