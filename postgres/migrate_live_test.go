package postgres_test

import (
	"context"
	"testing"

	"holdspace/postgres"
	"holdspace/postgres/pgtest"
	"holdspace/sqlstore/upgradetest"
)

// TestMigrationClosesExtraLiveSessions: see upgradetest.ClosesExtraLiveSessions.
func TestMigrationClosesExtraLiveSessions(t *testing.T) {
	db, err := postgres.OpenUnmigrated(context.Background(), pgtest.FreshURL(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	upgradetest.ClosesExtraLiveSessions(t, db.DB, postgres.Migrations(), postgres.Dialect())
}
