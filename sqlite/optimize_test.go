package sqlite_test

import (
	"context"
	"fmt"
	"testing"

	"holdspace/audit"
	"holdspace/sqlite"
	"holdspace/store"
)

// The planner has statistics without anyone running ANALYZE: Close runs
// PRAGMA optimize, which analyses the tables that grew, and Open runs it
// again for every table (issue 16: sessions?client_id= picked the wrong
// index on a database that was never analysed).
func TestOptimizeGathersStatistics(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlite.Open(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(ctx, func(tx store.Tx) error {
		for i := range 2000 {
			if _, err := tx.AppendAudit(ctx, audit.Entry{Actor: "a", Action: fmt.Sprintf("x.%d", i), ClientID: fmt.Sprintf("c%d", i%50)}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = sqlite.Open(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.Writer().QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'audit'`).Scan(&n); err != nil {
		t.Fatalf("no statistics table: %v", err)
	}
	if n == 0 {
		t.Fatal("the audit table has no planner statistics after close and open")
	}
}
