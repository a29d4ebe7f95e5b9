package storetest

import (
	"context"
	"testing"

	"holdspace"
	"holdspace/store"
)

// timeZoneCases test a person's own time zone (issue 14): empty by
// default, written by SetAccountState, kept by the importer's reads.
func (s suite) timeZoneCases() []tcase {
	ctx := context.Background()
	return []tcase{
		{"UserTimeZone", func(t *testing.T, db store.DB) {
			u := user("p1", holdspace.RolePractitioner, "p@x", t0)
			update(t, db, func(tx store.Tx) error { return tx.CreateUser(ctx, u) })
			read := func() *store.User {
				var got *store.User
				view(t, db, func(tx store.Tx) error {
					var err error
					got, err = tx.User(ctx, "p1")
					return err
				})
				return got
			}
			if got := read(); got.TimeZone != "" {
				t.Fatalf("new user's time zone = %q, want empty (the practice's)", got.TimeZone)
			}
			update(t, db, func(tx store.Tx) error {
				u.TimeZone = "America/Los_Angeles"
				return tx.SetAccountState(ctx, u)
			})
			got := read()
			same(t, "User", got, u)
			var all []*store.User
			export(t, db, func(tx store.ImportTx) error {
				var err error
				all, err = tx.AllUsers(ctx)
				return err
			})
			if len(all) != 1 || all[0].TimeZone != "America/Los_Angeles" {
				t.Fatalf("AllUsers = %+v; want the time zone kept", all)
			}
			update(t, db, func(tx store.Tx) error {
				u.TimeZone = ""
				return tx.SetAccountState(ctx, u)
			})
			if got := read(); got.TimeZone != "" {
				t.Fatalf("time zone after clearing = %q", got.TimeZone)
			}
			// Created with a zone, it is stored.
			v := user("p2", holdspace.RolePractitioner, "q@x", t0)
			v.TimeZone = "Europe/Berlin"
			update(t, db, func(tx store.Tx) error { return tx.CreateUser(ctx, v) })
			view(t, db, func(tx store.Tx) error {
				got, err := tx.User(ctx, "p2")
				if err != nil {
					return err
				}
				same(t, "User", got, v)
				return nil
			})
		}},
	}
}
