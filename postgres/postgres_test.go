package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"holdspace"
	"holdspace/postgres"
	"holdspace/postgres/pgtest"
	"holdspace/sqlite"
	"holdspace/sqlstore"
	"holdspace/store"
	"holdspace/storetest"
)

// freshURL creates an empty database for tb; see pgtest.FreshURL.
func freshURL(tb testing.TB) string { return pgtest.FreshURL(tb) }

// openDB opens a migrated database in a fresh PostgreSQL database.
func openDB(tb testing.TB) *postgres.DB {
	tb.Helper()
	db, err := postgres.Open(context.Background(), freshURL(tb), nil)
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
	storetest.Run(t, func(t *testing.T) store.ImportDB { return openDB(t) })
}

// Several nodes starting at once against one empty database migrate it
// exactly once between them.
func TestConcurrentMigrate(t *testing.T) {
	ctx := context.Background()
	u := freshURL(t)
	const nodes = 4
	var wg sync.WaitGroup
	dbs := make([]*postgres.DB, nodes)
	errs := make([]error, nodes)
	applied := make([]int, nodes)
	for i := range nodes {
		wg.Go(func() {
			dbs[i], errs[i] = postgres.OpenUnmigrated(ctx, u, nil)
			if errs[i] == nil {
				applied[i], errs[i] = dbs[i].Migrate(ctx)
			}
		})
	}
	wg.Wait()
	total := 0
	for i := range nodes {
		if errs[i] != nil {
			t.Fatalf("node %d: %v", i, errs[i])
		}
		defer dbs[i].Close()
		total += applied[i]
		if err := dbs[i].Ready(ctx); err != nil {
			t.Fatalf("node %d not ready: %v", i, err)
		}
	}
	ms, err := sqlstore.Migrations(postgres.Migrations())
	if err != nil {
		t.Fatal(err)
	}
	if total != len(ms) {
		t.Fatalf("migrations applied %d times in all, want each once (%d)", total, len(ms))
	}
}

// A topic committed on one node reaches the subscribers of another.
func TestNotifyAcrossNodes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	u := freshURL(t)
	a, err := postgres.Open(ctx, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := postgres.Open(ctx, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ch := b.Subscribe(ctx)
	if err := a.Update(ctx, func(tx store.Tx) error { tx.Notify("revocation:c1"); return nil }); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-ch:
		if got != "revocation:c1" {
			t.Fatalf("node b heard %q", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("node b heard nothing")
	}
}

func TestReadyUnmigrated(t *testing.T) {
	ctx := context.Background()
	db, err := postgres.OpenUnmigrated(ctx, freshURL(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Ready(ctx); holdspace.ErrorCode(err) != holdspace.EUNAVAILABLE {
		t.Fatalf("Ready before migrating = %v, want unavailable", err)
	}
}

func TestOpenUnreachable(t *testing.T) {
	_, err := postgres.Open(context.Background(), "postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=2", nil)
	if err == nil {
		t.Fatal("Open of an unreachable server succeeded")
	}
}

// A practice copied from SQLite into PostgreSQL arrives whole, and back.
func TestCopyBetweenEngines(t *testing.T) {
	ctx := context.Background()
	lite, err := sqlite.Open(ctx, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	storetest.Populate(t, lite)
	pg := openDB(t)
	if err := sqlstore.Copy(ctx, pg, lite, nil); err != nil {
		t.Fatalf("sqlite → postgres: %v", err)
	}
	storetest.CheckSameContent(t, pg, lite)
	back, err := sqlite.Open(ctx, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	if err := sqlstore.Copy(ctx, back, pg, nil); err != nil {
		t.Fatalf("postgres → sqlite: %v", err)
	}
	storetest.CheckSameContent(t, back, lite)
}

func BenchmarkAppendAudit(b *testing.B) {
	storetest.BenchAppendAudit(b, openDB(b))
}

func BenchmarkDecisionRead(b *testing.B) {
	storetest.BenchDecisionRead(b, openDB(b))
}

// When the listener's connection dies, the listener reconnects and
// notifications flow again.
func TestListenerReconnects(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db := openDB(t)
	ch := db.Subscribe(ctx)
	var killed int
	err := db.Writer().QueryRowContext(ctx, `SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND query = 'LISTEN `+postgres.Channel+`'`).Scan(&killed)
	if err != nil || killed != 1 {
		t.Fatalf("terminated %d listeners, err %v; want 1", killed, err)
	}
	// Topics sent while the listener is away are lost (subscribers also
	// poll), so keep sending until one arrives.
	deadline := time.After(20 * time.Second)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		if err := db.Update(ctx, func(tx store.Tx) error { tx.Notify("ping"); return nil }); err != nil {
			t.Fatal(err)
		}
		select {
		case topic, ok := <-ch:
			if !ok {
				t.Fatal("subscription closed when the listener's connection died")
			}
			if topic == "ping" {
				return
			}
		case <-deadline:
			t.Fatal("no notification after the listener's connection was terminated")
		case <-tick.C:
		}
	}
}
