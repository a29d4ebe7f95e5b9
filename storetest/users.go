package storetest

import (
	"context"
	"testing"
	"time"

	"holdspace"
	"holdspace/store"
)

func (s suite) userCases() []tcase {
	ctx := context.Background()
	return []tcase{
		{"OK", func(t *testing.T, db store.DB) {
			a := user("a1", holdspace.RoleAdmin, "a@example.test", t0)
			update(t, db, func(tx store.Tx) error { return tx.CreateUser(ctx, a) })
			view(t, db, func(tx store.Tx) error {
				got, err := tx.User(ctx, "a1")
				if err != nil {
					return err
				}
				same(t, "User", got, a)
				got, err = tx.UserByEmail(ctx, a.EmailIndex)
				if err != nil {
					return err
				}
				same(t, "UserByEmail", got, a)
				return nil
			})
		}},
		{"NoEmail", func(t *testing.T, db store.DB) {
			// Clients without a portal have no email: several may exist.
			update(t, db, func(tx store.Tx) error {
				for _, id := range []string{"c1", "c2"} {
					if err := tx.CreateUser(ctx, user(id, holdspace.RoleClient, "", t0)); err != nil {
						return err
					}
				}
				return nil
			})
			view(t, db, func(tx store.Tx) error {
				_, err := tx.UserByEmail(ctx, nil)
				wantErr(t, err, holdspace.ENOTFOUND, "")
				u, err := tx.User(ctx, "c2")
				if err != nil {
					return err
				}
				if u.EmailIndex != nil || u.EmailSealed != nil {
					t.Fatalf("email = %q %q, want none", u.EmailIndex, u.EmailSealed)
				}
				return nil
			})
		}},
		{"ErrEmailTaken", func(t *testing.T, db store.DB) {
			update(t, db, func(tx store.Tx) error {
				return tx.CreateUser(ctx, user("a1", holdspace.RoleAdmin, "a@example.test", t0))
			})
			err := db.Update(ctx, func(tx store.Tx) error {
				return tx.CreateUser(ctx, user("a2", holdspace.RoleClient, "a@example.test", t0))
			})
			wantErr(t, err, holdspace.ECONFLICT, "email_taken")
			// The transaction stays usable after the conflict.
			update(t, db, func(tx store.Tx) error {
				err := tx.CreateUser(ctx, user("a2", holdspace.RoleClient, "a@example.test", t0))
				wantErr(t, err, holdspace.ECONFLICT, "email_taken")
				return tx.CreateUser(ctx, user("a2", holdspace.RoleClient, "other@example.test", t0))
			})
			view(t, db, func(tx store.Tx) error {
				_, err := tx.User(ctx, "a2")
				return err
			})
		}},
		{"ErrUserExists", func(t *testing.T, db store.DB) {
			update(t, db, func(tx store.Tx) error {
				return tx.CreateUser(ctx, user("a1", holdspace.RoleAdmin, "a@example.test", t0))
			})
			err := db.Update(ctx, func(tx store.Tx) error {
				return tx.CreateUser(ctx, user("a1", holdspace.RoleAdmin, "b@example.test", t0))
			})
			wantErr(t, err, holdspace.ECONFLICT, "user_exists")
		}},
		{"ErrNotFound", func(t *testing.T, db store.DB) {
			update(t, db, func(tx store.Tx) error {
				_, err := tx.User(ctx, "nobody")
				wantErr(t, err, holdspace.ENOTFOUND, "")
				_, err = tx.UserByEmail(ctx, []byte("idx-nobody"))
				wantErr(t, err, holdspace.ENOTFOUND, "")
				wantErr(t, tx.SetPassword(ctx, "nobody", "h"), holdspace.ENOTFOUND, "")
				_, err = tx.BumpVersion(ctx, "nobody")
				wantErr(t, err, holdspace.ENOTFOUND, "")
				return nil
			})
		}},
		{"ListByRole", func(t *testing.T, db store.DB) {
			update(t, db, func(tx store.Tx) error {
				// Created out of order: the list is oldest first.
				for i, id := range []string{"p3", "p1", "p2"} {
					at := t0.Add(time.Duration([]int{3, 1, 2}[i]) * time.Minute)
					if err := tx.CreateUser(ctx, user(id, holdspace.RolePractitioner, id+"@x", at)); err != nil {
						return err
					}
				}
				return tx.CreateUser(ctx, user("a1", holdspace.RoleAdmin, "a@x", t0))
			})
			view(t, db, func(tx store.Tx) error {
				ps, err := tx.ListUsers(ctx, holdspace.RolePractitioner)
				if err != nil {
					return err
				}
				var ids []string
				for _, p := range ps {
					ids = append(ids, p.ID)
				}
				same(t, "practitioners", ids, []string{"p1", "p2", "p3"})
				cs, err := tx.ListUsers(ctx, holdspace.RoleClient)
				if err != nil {
					return err
				}
				if len(cs) != 0 {
					t.Fatalf("clients = %d, want none", len(cs))
				}
				return nil
			})
		}},
		{"SetPassword", func(t *testing.T, db store.DB) {
			update(t, db, func(tx store.Tx) error {
				if err := tx.CreateUser(ctx, user("a1", holdspace.RoleAdmin, "a@x", t0)); err != nil {
					return err
				}
				return tx.SetPassword(ctx, "a1", "argon2id$new")
			})
			view(t, db, func(tx store.Tx) error {
				u, err := tx.User(ctx, "a1")
				if err != nil {
					return err
				}
				if u.PasswordHash != "argon2id$new" {
					t.Fatalf("PasswordHash = %q", u.PasswordHash)
				}
				return nil
			})
		}},
		{"Versions", func(t *testing.T, db store.DB) {
			update(t, db, func(tx store.Tx) error {
				seedPractitioner(t, tx, "p1", t0)
				seedPractitioner(t, tx, "p2", t0)
				for want := int64(1); want <= 3; want++ {
					v, err := tx.BumpVersion(ctx, "p1")
					if err != nil {
						return err
					}
					if v != want {
						t.Fatalf("BumpVersion = %d, want %d", v, want)
					}
				}
				return nil
			})
			view(t, db, func(tx store.Tx) error {
				vs, err := tx.Versions(ctx, "p1", "p2", "nobody")
				if err != nil {
					return err
				}
				same(t, "Versions", vs, map[string]int64{"p1": 3, "p2": 0})
				vs, err = tx.Versions(ctx)
				if err != nil {
					return err
				}
				if len(vs) != 0 {
					t.Fatalf("Versions() = %v, want empty", vs)
				}
				return nil
			})
		}},
	}
}

func (s suite) tokenCases() []tcase {
	ctx := context.Background()
	token := func(hash, userID string, created time.Time) *store.Token {
		return &store.Token{Hash: []byte(hash), UserID: userID, Kind: "web", CreatedAt: created,
			ExpiresAt: created.Add(24 * time.Hour), LastSeenAt: created}
	}
	return []tcase{
		{"OK", func(t *testing.T, db store.DB) {
			k := token("h1", "a1", t0)
			update(t, db, func(tx store.Tx) error {
				if err := tx.CreateUser(ctx, user("a1", holdspace.RoleAdmin, "a@x", t0)); err != nil {
					return err
				}
				return tx.CreateToken(ctx, k)
			})
			seen := t0.Add(time.Minute)
			revoked := t0.Add(2 * time.Minute)
			update(t, db, func(tx store.Tx) error {
				got, err := tx.Token(ctx, k.Hash)
				if err != nil {
					return err
				}
				same(t, "Token", got, k)
				if err := tx.TouchToken(ctx, k.Hash, seen); err != nil {
					return err
				}
				if err := tx.RevokeToken(ctx, k.Hash, revoked); err != nil {
					return err
				}
				// A second revocation keeps the first time.
				return tx.RevokeToken(ctx, k.Hash, revoked.Add(time.Hour))
			})
			view(t, db, func(tx store.Tx) error {
				got, err := tx.Token(ctx, k.Hash)
				if err != nil {
					return err
				}
				want := *k
				want.LastSeenAt, want.RevokedAt = seen, revoked
				same(t, "Token", got, &want)
				return nil
			})
		}},
		{"ErrNotFound", func(t *testing.T, db store.DB) {
			update(t, db, func(tx store.Tx) error {
				_, err := tx.Token(ctx, []byte("nope"))
				wantErr(t, err, holdspace.ENOTFOUND, "")
				wantErr(t, tx.TouchToken(ctx, []byte("nope"), t0), holdspace.ENOTFOUND, "")
				wantErr(t, tx.RevokeToken(ctx, []byte("nope"), t0), holdspace.ENOTFOUND, "")
				return nil
			})
		}},
		{"ErrUserMissing", func(t *testing.T, db store.DB) {
			err := db.Update(ctx, func(tx store.Tx) error { return tx.CreateToken(ctx, token("h1", "nobody", t0)) })
			wantErr(t, err, holdspace.ENOTFOUND, "")
		}},
		{"RevokeUserTokens", func(t *testing.T, db store.DB) {
			early := t0.Add(-time.Hour)
			update(t, db, func(tx store.Tx) error {
				for _, id := range []string{"a1", "a2"} {
					if err := tx.CreateUser(ctx, user(id, holdspace.RoleAdmin, id+"@x", t0)); err != nil {
						return err
					}
				}
				for _, k := range []*store.Token{token("h1", "a1", t0), token("h2", "a1", t0), token("h3", "a2", t0)} {
					if err := tx.CreateToken(ctx, k); err != nil {
						return err
					}
				}
				if err := tx.RevokeToken(ctx, []byte("h2"), early); err != nil {
					return err
				}
				return tx.RevokeUserTokens(ctx, "a1", t0)
			})
			export(t, db, func(tx store.ImportTx) error {
				want := map[string]time.Time{"h1": t0, "h2": early, "h3": {}}
				for h, at := range want {
					k, err := tx.Token(ctx, []byte(h))
					if err != nil {
						return err
					}
					if !k.RevokedAt.Equal(at) {
						t.Errorf("%s RevokedAt = %v, want %v", h, k.RevokedAt, at)
					}
				}
				all, err := tx.AllTokens(ctx)
				if err != nil {
					return err
				}
				if len(all) != 3 {
					t.Errorf("AllTokens = %d, want 3", len(all))
				}
				return nil
			})
		}},
	}
}
