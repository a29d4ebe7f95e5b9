// Package upgradetest holds the upgrade tests that every SQL engine runs:
// a database written by an older schema, then migrated to the current one.
package upgradetest

import (
	"context"
	"io/fs"
	"testing"
	"testing/fstest"

	"holdspace/sqlstore"
	"holdspace/store"
)

// ClosesExtraLiveSessions: a database from before migration 0002 may hold
// several live sessions of one client; the migration closes all but the
// latest with a recorded automatic close, so that the one-live index holds,
// and keeps everyone else's as they were. db is an empty database opened
// without migrations, on the engine whose migrations and dialect are given.
func ClosesExtraLiveSessions(t *testing.T, db *sqlstore.DB, migrations fs.FS, dialect sqlstore.Dialect) {
	t.Helper()
	ctx := context.Background()
	first, err := fs.ReadFile(migrations, "0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	old := sqlstore.New(db.Writer(), db.Reader(), dialect, fstest.MapFS{"0001_init.sql": {Data: first}}, nil)
	if _, err := old.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO users (id, role, created_at) VALUES ('p1', 'practitioner', 1), ('c1', 'client', 1), ('c2', 'client', 1)`,
		`INSERT INTO clients (id, created_at) VALUES ('c1', 1), ('c2', 1)`,
		`INSERT INTO sessions (id, client_id, practitioner_id, intent, starts_at, state, seq, created_at) VALUES
			('a', 'c1', 'p1', 'therapeutic', 100, 'in-progress', 3, 1),
			('b', 'c1', 'p1', 'therapeutic', 200, 'stopped', 4, 1),
			('c', 'c1', 'p1', 'therapeutic', 300, 'open', 1, 1),
			('d', 'c1', 'p1', 'therapeutic', 50, 'closed', 5, 1),
			('e', 'c2', 'p1', 'therapeutic', 100, 'in-progress', 3, 1)`,
	} {
		if _, err := db.Writer().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := db.Migrate(ctx); err != nil || n < 1 {
		t.Fatalf("Migrate = %d, %v", n, err)
	}
	want := map[string]struct {
		state string
		seq   int64
	}{"a": {"closed", 4}, "b": {"closed", 5}, "c": {"open", 1}, "d": {"closed", 5}, "e": {"in-progress", 3}}
	if err := db.View(ctx, func(tx store.Tx) error {
		for id, w := range want {
			s, err := tx.Session(ctx, id)
			if err != nil {
				return err
			}
			if s.State != w.state || s.Seq != w.seq {
				t.Errorf("session %s: %s seq %d, want %s seq %d", id, s.State, s.Seq, w.state, w.seq)
			}
			evs, err := tx.ListEvents(ctx, id)
			if err != nil {
				return err
			}
			closes := 0
			for _, e := range evs {
				if e.Type == "auto-close" {
					closes++
					if e.Seq != w.seq || e.ActorRole != "system" {
						t.Errorf("session %s: auto-close %+v", id, e)
					}
				}
			}
			if wantCloses := map[bool]int{true: 1, false: 0}[id == "a" || id == "b"]; closes != wantCloses {
				t.Errorf("session %s: %d automatic closes, want %d", id, closes, wantCloses)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
