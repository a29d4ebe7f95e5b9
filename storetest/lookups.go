package storetest

import (
	"context"
	"slices"
	"testing"

	"holdspace/store"
)

func (s suite) lookupCases() []tcase {
	ctx := context.Background()
	return []tcase{
		{"ByID", func(t *testing.T, db store.DB) {
			var c1, c2 *store.Client
			update(t, db, func(tx store.Tx) error {
				seedPractitioner(t, tx, "p2", t0)
				seedPractitioner(t, tx, "p1", t0)
				c1 = seedClient(t, tx, "c1", t0, "p2", "p1")
				c2 = seedClient(t, tx, "c2", t0)
				seedClient(t, tx, "c3", t0, "p1")
				for _, id := range []string{"c1", "c3"} {
					if _, err := tx.PutClientKey(ctx, id, []byte("key of "+id), t0); err != nil {
						return err
					}
				}
				return tx.EraseClient(ctx, "c3", t0)
			})
			view(t, db, func(tx store.Tx) error {
				ids := []string{"c1", "c2", "c3", "nobody", "p1"}
				us, err := tx.UsersByID(ctx, ids)
				if err != nil {
					return err
				}
				got := slices.Sorted(func(yield func(string) bool) {
					for id := range us {
						if !yield(id) {
							return
						}
					}
				})
				if !slices.Equal(got, []string{"c1", "c2", "p1"}) { // erased and unknown left out
					t.Errorf("UsersByID: %v", got)
				}
				one, err := tx.User(ctx, "c1")
				if err != nil {
					return err
				}
				same(t, "UsersByID c1", us["c1"], one)
				cs, err := tx.ClientsByID(ctx, ids)
				if err != nil {
					return err
				}
				if len(cs) != 2 {
					t.Errorf("ClientsByID: %d clients, want 2", len(cs))
				}
				same(t, "ClientsByID c1", cs["c1"], c1) // assignment order kept
				same(t, "ClientsByID c2", cs["c2"], c2)
				keys, err := tx.ClientKeys(ctx, ids)
				if err != nil {
					return err
				}
				if len(keys) != 1 || string(keys["c1"]) != "key of c1" { // erasure destroys the key
					t.Errorf("ClientKeys: %q", keys)
				}
				for _, f := range []func() (int, error){
					func() (int, error) { m, err := tx.UsersByID(ctx, nil); return len(m), err },
					func() (int, error) { m, err := tx.ClientsByID(ctx, nil); return len(m), err },
					func() (int, error) { m, err := tx.ClientKeys(ctx, nil); return len(m), err },
				} {
					if n, err := f(); n != 0 || err != nil {
						t.Errorf("no ids: %d, %v", n, err)
					}
				}
				return nil
			})
		}},
	}
}
