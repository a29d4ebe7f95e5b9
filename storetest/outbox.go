package storetest

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"holdspace"
	"holdspace/store"
)

// outboxCases test the transactional outbox of issue 14: idempotent
// enqueue, due selection, claims as leases (one sender per message even
// when workers race), marking sent (recipient and body removed), deferral,
// rollback and erasure.
func (s suite) outboxCases() []tcase {
	ctx := context.Background()
	msg := func(id, key, userID string, at time.Time) *store.OutboxMessage {
		return &store.OutboxMessage{ID: id, Key: key, Kind: "session_confirmed", UserID: userID, ToSealed: []byte("sealed-to-" + id),
			BodySealed: []byte("sealed-body-" + id), CreatedAt: at, NextAttemptAt: at}
	}
	return []tcase{
		{"OutboxEnqueueIdempotent", func(t *testing.T, db store.DB) {
			m := msg("m1", "k1", "", t0)
			update(t, db, func(tx store.Tx) error {
				ok, err := tx.EnqueueMessage(ctx, m)
				if err != nil || !ok {
					t.Fatalf("first enqueue = %v, %v", ok, err)
				}
				// The same key again, even with another id: not stored, and
				// the transaction stays usable.
				ok, err = tx.EnqueueMessage(ctx, msg("m2", "k1", "", t0.Add(time.Minute)))
				if err != nil || ok {
					t.Fatalf("second enqueue = %v, %v", ok, err)
				}
				_, err = tx.EnqueueMessage(ctx, msg("m3", "k3", "", t0))
				return err
			})
			view(t, db, func(tx store.Tx) error {
				got, err := tx.OutboxMessage(ctx, "k1")
				if err != nil {
					return err
				}
				same(t, "OutboxMessage", got, m)
				_, err = tx.OutboxMessage(ctx, "nope")
				wantErr(t, err, holdspace.ENOTFOUND, "")
				return nil
			})
		}},
		{"OutboxRollback", func(t *testing.T, db store.DB) {
			err := db.Update(ctx, func(tx store.Tx) error {
				if _, err := tx.EnqueueMessage(ctx, msg("m1", "k1", "", t0)); err != nil {
					return err
				}
				return holdspace.Invalid("boom", "", "rolled back")
			})
			wantErr(t, err, holdspace.EINVALID, "boom")
			view(t, db, func(tx store.Tx) error {
				_, err := tx.OutboxMessage(ctx, "k1")
				wantErr(t, err, holdspace.ENOTFOUND, "")
				return nil
			})
		}},
		{"OutboxDueClaimSend", func(t *testing.T, db store.DB) {
			update(t, db, func(tx store.Tx) error {
				for i, m := range []*store.OutboxMessage{msg("a", "ka", "", t0.Add(2*time.Minute)), msg("b", "kb", "", t0), msg("c", "kc", "", t0.Add(time.Hour))} {
					if _, err := tx.EnqueueMessage(ctx, m); err != nil {
						t.Fatalf("enqueue %d: %v", i, err)
					}
				}
				return nil
			})
			now := t0.Add(5 * time.Minute)
			view(t, db, func(tx store.Tx) error {
				due, err := tx.DueMessages(ctx, now, 10)
				if err != nil {
					return err
				}
				if len(due) != 2 || due[0].ID != "b" || due[1].ID != "a" {
					t.Fatalf("due = %v", ids(due))
				}
				due, err = tx.DueMessages(ctx, now, 1)
				if err != nil || len(due) != 1 {
					t.Fatalf("limit 1: %v, %v", ids(due), err)
				}
				return nil
			})
			lease := now.Add(time.Minute)
			update(t, db, func(tx store.Tx) error {
				ok, err := tx.ClaimMessage(ctx, "b", now, lease)
				if err != nil || !ok {
					t.Fatalf("claim = %v, %v", ok, err)
				}
				// Claimed: not due again until the lease ends.
				if ok, err = tx.ClaimMessage(ctx, "b", now, lease); err != nil || ok {
					t.Fatalf("second claim = %v, %v", ok, err)
				}
				if ok, err = tx.ClaimMessage(ctx, "c", now, lease); err != nil || ok {
					t.Fatalf("claim of a message not due = %v, %v", ok, err)
				}
				return nil
			})
			update(t, db, func(tx store.Tx) error {
				if err := tx.MarkMessageSent(ctx, "b", now.Add(time.Second)); err != nil {
					return err
				}
				wantErr(t, tx.MarkMessageSent(ctx, "b", now.Add(2*time.Second)), holdspace.ECONFLICT, "already_sent")
				wantErr(t, tx.MarkMessageSent(ctx, "nope", now), holdspace.ENOTFOUND, "")
				return nil
			})
			view(t, db, func(tx store.Tx) error {
				got, err := tx.OutboxMessage(ctx, "kb")
				if err != nil {
					return err
				}
				if got.Attempts != 1 || !got.SentAt.Equal(now.Add(time.Second)) || got.ToSealed != nil || got.BodySealed != nil {
					t.Fatalf("sent message = %+v: want one attempt, SentAt, recipient and body removed", got)
				}
				due, err := tx.DueMessages(ctx, lease.Add(time.Hour), 10)
				if err != nil || len(due) != 2 {
					t.Fatalf("due after sending b = %v, %v", ids(due), err)
				}
				return nil
			})
			update(t, db, func(tx store.Tx) error {
				if err := tx.DeferMessage(ctx, "a", t0.Add(3*time.Hour), "connection refused"); err != nil {
					return err
				}
				wantErr(t, tx.DeferMessage(ctx, "nope", t0, ""), holdspace.ENOTFOUND, "")
				got, err := tx.OutboxMessage(ctx, "ka")
				if err != nil || got.LastError != "connection refused" || !got.NextAttemptAt.Equal(t0.Add(3*time.Hour)) {
					t.Fatalf("deferred = %+v, %v", got, err)
				}
				n, err := tx.PruneOutbox(ctx, now.Add(time.Hour))
				if err != nil || n != 1 {
					t.Fatalf("PruneOutbox = %d, %v; want 1 (only the sent one)", n, err)
				}
				return nil
			})
		}},
		{"OutboxConcurrentClaims", func(t *testing.T, db store.DB) {
			update(t, db, func(tx store.Tx) error {
				_, err := tx.EnqueueMessage(ctx, msg("m1", "k1", "", t0))
				return err
			})
			var wins atomic.Int32
			var wg sync.WaitGroup
			for range 6 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					err := db.Update(ctx, func(tx store.Tx) error {
						ok, err := tx.ClaimMessage(ctx, "m1", t0, t0.Add(time.Minute))
						if ok {
							wins.Add(1)
						}
						return err
					})
					if err != nil && holdspace.ErrorCode(err) != holdspace.ECONFLICT {
						t.Errorf("claim: %v", err)
					}
				}()
			}
			wg.Wait()
			if wins.Load() != 1 {
				t.Fatalf("%d workers claimed the message, want exactly 1", wins.Load())
			}
		}},
		{"OutboxErasure", func(t *testing.T, db store.DB) {
			update(t, db, func(tx store.Tx) error {
				seedPractitioner(t, tx, "p1", t0)
				populate(t, tx, "c1", "p1", t0)
				if _, err := tx.EnqueueMessage(ctx, msg("m1", "k1", "c1", t0)); err != nil {
					return err
				}
				_, err := tx.EnqueueMessage(ctx, msg("m2", "k2", "p1", t0))
				return err
			})
			update(t, db, func(tx store.Tx) error { return tx.EraseClient(ctx, "c1", t0.Add(time.Hour)) })
			view(t, db, func(tx store.Tx) error {
				_, err := tx.OutboxMessage(ctx, "k1")
				wantErr(t, err, holdspace.ENOTFOUND, "")
				_, err = tx.OutboxMessage(ctx, "k2")
				return err
			})
		}},
	}
}

func ids(ms []*store.OutboxMessage) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}
