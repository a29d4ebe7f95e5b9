package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"holdspace"
	"holdspace/audit"
	"holdspace/store"
)

// epochCases test the fact epoch (store.Tx.Epoch, issue 16): every
// committed write that changes a fact nodes cache moves it, a rolled-back
// one does not, and writes that change no cached fact (the audit chain, a
// new token, a web session's last use) leave it alone, so that decisions
// keep their caches under load.
func (s suite) epochCases() []tcase {
	ctx := context.Background()
	epochs := func(t *testing.T, db store.DB) (facts, auth int64) {
		t.Helper()
		view(t, db, func(tx store.Tx) error {
			var err error
			if facts, err = tx.Epoch(ctx); err != nil {
				return err
			}
			auth, err = tx.AuthEpoch(ctx)
			return err
		})
		return facts, auth
	}
	epoch := func(t *testing.T, db store.DB) int64 {
		t.Helper()
		n, _ := epochs(t, db)
		return n
	}
	return []tcase{
		{"MovesOnCachedFacts", func(t *testing.T, db store.DB) {
			update(t, db, func(tx store.Tx) error {
				seedPractitioner(t, tx, "p1", t0)
				seedClient(t, tx, "c1", t0, "p1")
				return tx.CreateToken(ctx, &store.Token{Hash: []byte("h1"), UserID: "p1", Kind: "api", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour), LastSeenAt: t0})
			})
			writes := []struct {
				name string
				auth bool // moves the auth epoch too
				fn   func(tx store.Tx) error
			}{
				{"RevokeToken", true, func(tx store.Tx) error { return tx.RevokeToken(ctx, []byte("h1"), t0) }},
				{"RevokeUserTokens", true, func(tx store.Tx) error { return tx.RevokeUserTokens(ctx, "p1", t0) }},
				{"SetPassword", true, func(tx store.Tx) error { return tx.SetPassword(ctx, "p1", "hash") }},
				{"SetAccountState", true, func(tx store.Tx) error {
					u, err := tx.User(ctx, "p1")
					if err != nil {
						return err
					}
					u.DisabledAt = t0
					return tx.SetAccountState(ctx, u)
				}},
				{"BumpVersion", false, func(tx store.Tx) error { _, err := tx.BumpVersion(ctx, "c1"); return err }},
				{"UpdateClient", false, func(tx store.Tx) error {
					c, err := tx.Client(ctx, "c1")
					if err != nil {
						return err
					}
					c.PractitionerIDs = nil
					return tx.UpdateClient(ctx, c)
				}},
			}
			for _, w := range writes {
				before, authBefore := epochs(t, db)
				update(t, db, w.fn)
				after, authAfter := epochs(t, db)
				if after <= before {
					t.Errorf("%s: fact epoch %d → %d, want it moved", w.name, before, after)
				}
				if moved := authAfter != authBefore; moved != w.auth {
					t.Errorf("%s: auth epoch %d → %d, want moved %v", w.name, authBefore, authAfter, w.auth)
				}
			}
			// A transaction that has changed a cached fact reads -1: its
			// reads must neither use nor fill a cache.
			update(t, db, func(tx store.Tx) error {
				if n, err := tx.Epoch(ctx); err != nil || n < 0 {
					t.Errorf("Epoch before any write = %d, %v; want the epoch", n, err)
				}
				if _, err := tx.BumpVersion(ctx, "c1"); err != nil {
					return err
				}
				if n, err := tx.Epoch(ctx); err != nil || n != -1 {
					t.Errorf("Epoch after BumpVersion in the same transaction = %d, %v; want -1", n, err)
				}
				return nil
			})
			// A write that rolls back moves nothing.
			before := epoch(t, db)
			errRollback := errors.New("roll back")
			if err := db.Update(ctx, func(tx store.Tx) error {
				if _, err := tx.BumpVersion(ctx, "c1"); err != nil {
					return err
				}
				return errRollback
			}); !errors.Is(err, errRollback) {
				t.Fatalf("Update = %v, want the rollback error", err)
			}
			if after := epoch(t, db); after != before {
				t.Errorf("rolled back: epoch %d → %d, want unchanged", before, after)
			}
		}},
		{"StillOnNeutralWrites", func(t *testing.T, db store.DB) {
			update(t, db, func(tx store.Tx) error {
				return tx.CreateUser(ctx, user("a1", holdspace.RoleAdmin, "a@x", t0))
			})
			before := epoch(t, db)
			update(t, db, func(tx store.Tx) error {
				if err := tx.CreateToken(ctx, &store.Token{Hash: []byte("h2"), UserID: "a1", Kind: "web", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour), LastSeenAt: t0}); err != nil {
					return err
				}
				if err := tx.TouchToken(ctx, []byte("h2"), t0.Add(time.Minute)); err != nil {
					return err
				}
				_, err := tx.AppendAudit(ctx, audit.Entry{At: t0, Actor: "a1", Action: "decision", Target: "s1"})
				return err
			})
			if after := epoch(t, db); after != before {
				t.Errorf("token, touch and audit: epoch %d → %d, want unchanged", before, after)
			}
		}},
	}
}
