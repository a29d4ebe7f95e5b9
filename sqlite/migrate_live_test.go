package sqlite_test

import (
	"context"
	"testing"

	"holdspace/sqlite"
	"holdspace/sqlstore/upgradetest"
)

// TestMigrationClosesExtraLiveSessions: see upgradetest.ClosesExtraLiveSessions.
func TestMigrationClosesExtraLiveSessions(t *testing.T) {
	db, err := sqlite.OpenUnmigrated(context.Background(), t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	upgradetest.ClosesExtraLiveSessions(t, db.DB, sqlite.Migrations(), sqlite.Dialect())
}
