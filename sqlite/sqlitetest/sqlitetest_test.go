package sqlitetest_test

import (
	"context"
	"testing"

	"holdspace/sqlite/sqlitetest"
)

// TestOpenGivesIndependentMigratedDatabases: each Open is migrated to the
// latest version, ready, and shares nothing with another.
func TestOpenGivesIndependentMigratedDatabases(t *testing.T) {
	ctx := context.Background()
	a, b := sqlitetest.Open(t), sqlitetest.Open(t)
	if a.Path() == b.Path() {
		t.Fatalf("both databases are %s", a.Path())
	}
	for _, db := range []interface{ Ready(context.Context) error }{a, b} {
		if err := db.Ready(ctx); err != nil {
			t.Fatalf("not ready (not migrated?): %v", err)
		}
	}
	if _, err := a.Writer().ExecContext(ctx, "CREATE TABLE only_in_a (x)"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := b.Writer().QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE name = 'only_in_a'").Scan(&n); err != nil || n != 0 {
		t.Fatalf("a table made in one database is in the other: %d %v", n, err)
	}
}
