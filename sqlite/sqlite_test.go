package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"holdspace"
	"holdspace/sqlite"
	"holdspace/sqlite/sqlitetest"
	"holdspace/sqlstore"
	"holdspace/store"
	"holdspace/storetest"
)

// openDB opens a fresh database in a temporary directory, closed when tb
// ends.
func openDB(tb testing.TB) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), tb.TempDir(), nil)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return db
}

func TestStore(t *testing.T) {
	// A copy of a migrated template: the suite opens some 130 databases,
	// and migrating each took 0.7 s under the race detector. The
	// migrations themselves are tested by TestMigrateAndReady and friends
	// on databases openDB creates.
	storetest.Run(t, func(t *testing.T) store.ImportDB { return sqlitetest.Open(t) })
}

func TestPragmas(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	for _, tc := range []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"synchronous", "2"}, // FULL
		{"busy_timeout", "10000"},
		{"secure_delete", "1"},
		{"temp_store", "2"}, // MEMORY
	} {
		var got string
		if err := db.Writer().QueryRowContext(ctx, "PRAGMA "+tc.pragma).Scan(&got); err != nil {
			t.Fatalf("PRAGMA %s: %v", tc.pragma, err)
		}
		if got != tc.want {
			t.Errorf("writer PRAGMA %s = %q, want %q", tc.pragma, got, tc.want)
		}
	}
	var qo string
	if err := db.Reader().QueryRowContext(ctx, "PRAGMA query_only").Scan(&qo); err != nil {
		t.Fatal(err)
	}
	if qo != "1" {
		t.Errorf("reader PRAGMA query_only = %q, want 1", qo)
	}
	if n := db.Writer().Stats().MaxOpenConnections; n != 1 {
		t.Errorf("writer pool allows %d connections, want 1", n)
	}
}

func TestFileModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	db, err := sqlite.Open(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for path, want := range map[string]os.FileMode{dir: 0o700, db.Path(): 0o600} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s mode = %v, want %v", path, got, want)
		}
	}
}

func TestReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlite.Open(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	storetest.Populate(t, db)
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	again, err := sqlite.Open(ctx, dir, nil)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer again.Close()
	err = again.Export(ctx, func(tx store.ImportTx) error {
		u, err := tx.User(ctx, "p1")
		if err != nil {
			return err
		}
		if u.Version != 1 {
			t.Errorf("p1 version after reopen = %d, want 1", u.Version)
		}
		counts, err := tx.Counts(ctx)
		if err != nil {
			return err
		}
		if counts["audit"] != 3 || counts["sessions"] != 2 {
			t.Errorf("counts after reopen = %v", counts)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestMigrateAndReady(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlite.OpenUnmigrated(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Ready(ctx); holdspace.ErrorCode(err) != holdspace.EUNAVAILABLE {
		t.Fatalf("Ready before migrating = %v, want unavailable", err)
	}
	ms, err := sqlstore.Migrations(sqlite.Migrations())
	if err != nil {
		t.Fatal(err)
	}
	n, err := db.Migrate(ctx)
	if err != nil || n != len(ms) {
		t.Fatalf("Migrate = %d, %v; want %d applied", n, err, len(ms))
	}
	if err := db.Ready(ctx); err != nil {
		t.Fatalf("Ready after migrating: %v", err)
	}
	if n, err := db.Migrate(ctx); err != nil || n != 0 {
		t.Fatalf("second Migrate = %d, %v; want nothing to do", n, err)
	}
}

func BenchmarkAppendAudit(b *testing.B) {
	storetest.BenchAppendAudit(b, openDB(b))
}

func BenchmarkDecisionRead(b *testing.B) {
	storetest.BenchDecisionRead(b, openDB(b))
}
