package storetest

import (
	"context"
	"testing"
	"time"

	"holdspace"
	"holdspace/store"
)

// accountCases test the account state of issue 13: disabled accounts,
// second factors, demo marks, token listing and pruning, credential
// revocation.
func (s suite) accountCases() []tcase {
	ctx := context.Background()
	return []tcase{
		{"AccountState", func(t *testing.T, db store.DB) {
			u := user("a1", holdspace.RoleAdmin, "a@x", t0)
			u.Demo = true
			update(t, db, func(tx store.Tx) error { return tx.CreateUser(ctx, u) })
			update(t, db, func(tx store.Tx) error {
				u.DisabledAt = t0.Add(time.Hour)
				u.MustChangePassword = true
				u.TOTPSealed, u.TOTPPendingSealed = []byte("sealed-totp"), []byte("sealed-pending")
				u.RecoveryHashes = []string{"h1", "h2"}
				u.TOTPLastStep = 59_000_000
				u.Demo = false
				return tx.SetAccountState(ctx, u)
			})
			view(t, db, func(tx store.Tx) error {
				got, err := tx.User(ctx, "a1")
				if err != nil {
					return err
				}
				same(t, "User", got, u)
				all, demo, err := tx.CountUsers(ctx)
				if err != nil || all != 1 || demo != 0 {
					t.Fatalf("CountUsers = %d, %d, %v; want 1, 0", all, demo, err)
				}
				return nil
			})
			update(t, db, func(tx store.Tx) error {
				u.DisabledAt, u.MustChangePassword, u.TOTPSealed, u.TOTPPendingSealed, u.RecoveryHashes, u.TOTPLastStep = time.Time{}, false, nil, nil, nil, 0
				u.Demo = true
				if err := tx.SetAccountState(ctx, u); err != nil {
					return err
				}
				if err := tx.CreateUser(ctx, user("a2", holdspace.RoleAdmin, "b@x", t0)); err != nil {
					return err
				}
				wantErr(t, tx.SetAccountState(ctx, &store.User{ID: "nope"}), holdspace.ENOTFOUND, "")
				return nil
			})
			view(t, db, func(tx store.Tx) error {
				got, err := tx.User(ctx, "a1")
				if err != nil {
					return err
				}
				same(t, "User", got, u)
				all, demo, err := tx.CountUsers(ctx)
				if err != nil || all != 2 || demo != 1 {
					t.Fatalf("CountUsers = %d, %d, %v; want 2, 1", all, demo, err)
				}
				return nil
			})
		}},
		{"ListRevokePruneTokens", func(t *testing.T, db store.DB) {
			tok := func(hash, kind string, created time.Time) *store.Token {
				return &store.Token{Hash: []byte(hash), UserID: "a1", Kind: kind, CreatedAt: created, ExpiresAt: created.Add(time.Hour),
					LastSeenAt: created, Device: "web · 192.0.2.1"}
			}
			update(t, db, func(tx store.Tx) error {
				if err := tx.CreateUser(ctx, user("a1", holdspace.RoleAdmin, "a@x", t0)); err != nil {
					return err
				}
				for _, k := range []*store.Token{tok("w1", "web", t0), tok("w2", "web", t0.Add(time.Minute)), tok("a1", "api", t0.Add(2*time.Minute)),
					tok("i1", "invite", t0), tok("old", "web", t0.Add(-3*time.Hour))} {
					if err := tx.CreateToken(ctx, k); err != nil {
						return err
					}
				}
				return nil
			})
			now := t0.Add(5 * time.Minute)
			view(t, db, func(tx store.Tx) error {
				ts, err := tx.ListUserTokens(ctx, "a1", []string{"api", "web"}, now)
				if err != nil {
					return err
				}
				if len(ts) != 3 || string(ts[0].Hash) != "a1" || ts[0].Device != "web · 192.0.2.1" {
					t.Fatalf("ListUserTokens = %d tokens, first %q", len(ts), ts[0].Hash)
				}
				return nil
			})
			update(t, db, func(tx store.Tx) error {
				return tx.RevokeUserTokensExcept(ctx, "a1", []byte("w2"), []string{"api", "web"}, now)
			})
			view(t, db, func(tx store.Tx) error {
				ts, err := tx.ListUserTokens(ctx, "a1", []string{"api", "web", "invite"}, now)
				if err != nil {
					return err
				}
				if len(ts) != 2 {
					t.Fatalf("after revoking the others: %d live tokens, want w2 and the invitation", len(ts))
				}
				return nil
			})
			update(t, db, func(tx store.Tx) error {
				n, err := tx.PruneTokens(ctx, now)
				if err != nil {
					return err
				}
				// "old" expired before now; w1 and a1 were revoked at now (not before).
				if n != 1 {
					t.Fatalf("PruneTokens = %d, want 1", n)
				}
				n, err = tx.PruneTokens(ctx, now.Add(2*time.Hour))
				if err != nil || n != 4 {
					t.Fatalf("PruneTokens later = %d, %v; want 4", n, err)
				}
				_, err = tx.Token(ctx, []byte("w2"))
				wantErr(t, err, holdspace.ENOTFOUND, "")
				return nil
			})
		}},
		{"RevokeCredential", func(t *testing.T, db store.DB) {
			c := &store.Credential{ID: "cr1", PractitionerID: "p1", Kind: "Licence", Issuer: "X", Number: "1",
				ValidFrom: t0, ValidUntil: t0.AddDate(1, 0, 0), Covers: []string{"internal-anorectal"}, CreatedAt: t0}
			update(t, db, func(tx store.Tx) error {
				seedPractitioner(t, tx, "p1", t0)
				return tx.CreateCredential(ctx, c)
			})
			at := t0.Add(time.Hour)
			update(t, db, func(tx store.Tx) error {
				if err := tx.RevokeCredential(ctx, "cr1", at, "suspended by the college"); err != nil {
					return err
				}
				wantErr(t, tx.RevokeCredential(ctx, "cr1", at.Add(time.Hour), "again"), holdspace.ECONFLICT, "already_revoked")
				wantErr(t, tx.RevokeCredential(ctx, "nope", at, "x"), holdspace.ENOTFOUND, "")
				return nil
			})
			view(t, db, func(tx store.Tx) error {
				cs, err := tx.ListCredentials(ctx, "p1")
				if err != nil {
					return err
				}
				want := *c
				want.RevokedAt, want.RevokedReason = at, "suspended by the college"
				same(t, "Credential", cs[0], &want)
				return nil
			})
		}},
	}
}
