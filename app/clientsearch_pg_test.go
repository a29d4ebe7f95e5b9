package app

import (
	"context"
	"slices"
	"testing"
	"time"

	"holdspace"
	"holdspace/postgres"
	"holdspace/postgres/pgtest"
	"holdspace/seal"
)

// Two nodes on one PostgreSQL database: a client created, assigned or
// erased through node A is found (or not) by a search on node B once B
// has heard the notification, and a search on B never shows an erased or
// unassigned client, even before B heard of the change.
func TestSearchClientsAcrossNodes(t *testing.T) {
	ctx := context.Background()
	url := pgtest.FreshURL(t)
	keys, err := seal.NewKeyring()
	if err != nil {
		t.Fatal(err)
	}
	node := func() *Services {
		db, err := postgres.Open(ctx, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		s, err := New(Config{DB: db, Keys: keys, Policies: Policies{Argon2: cheap}})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	a, b := node(), node()
	w := newSearchWorld(t, a)
	// B builds its index now (it holds the four clients), then reports
	// every client it re-reads on a notification.
	if got := w.search2(t, b, System, "ann"); !slices.Equal(got, []string{"Anna Jones", "Anna Smith"}) {
		t.Fatalf("B, ann: %v", got)
	}
	applied := make(chan string, 64)
	b.core.names.refreshMu.Lock()
	b.core.names.applied = func(id string) { applied <- id }
	b.core.names.refreshMu.Unlock()
	waitFor := func(id string) {
		t.Helper()
		// A guard against a hang, not a timed assertion.
		guard := time.After(time.Minute)
		for {
			select {
			case got := <-applied:
				if got == id {
					return
				}
			case <-guard:
				t.Fatalf("node B never heard of %s", id)
			}
		}
	}

	// Created on A: found on B once notified.
	id, err := a.People.CreateClient(ctx, System, ClientInput{Name: "Zoë Quinn", Email: "zq@example.test", BirthDate: "1991-03-03",
		PractitionerIDs: []string{w.p1.UserID}})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(id)
	if got := w.search2(t, b, System, "zoe qu"); !slices.Equal(got, []string{"Zoë Quinn"}) {
		t.Errorf("B after creation on A: %v", got)
	}
	if got := w.search2(t, b, w.p1, "zoe"); !slices.Equal(got, []string{"Zoë Quinn"}) {
		t.Errorf("B, p1 after creation on A: %v", got)
	}

	// Reassigned on A from p1 to p2. Before B hears of it, p1 must no
	// longer see the client (the store says so); once B heard, p2 finds it.
	if err := a.People.AssignPractitioners(ctx, System, id, []string{w.p2.UserID}); err != nil {
		t.Fatal(err)
	}
	if got := w.search2(t, b, w.p1, "zoe"); len(got) != 0 {
		t.Errorf("B shows p1 a client no longer theirs: %v", got)
	}
	waitFor(id)
	if got := w.search2(t, b, w.p2, "zoe"); !slices.Equal(got, []string{"Zoë Quinn"}) {
		t.Errorf("B, p2 after assignment on A: %v", got)
	}

	// Erased on A: never shown on B, whether or not B heard of it yet.
	if err := a.Records.EraseClient(ctx, System, id); err != nil {
		t.Fatal(err)
	}
	if got := w.search2(t, b, System, "zoe"); len(got) != 0 {
		t.Errorf("B shows an erased client: %v", got)
	}
	waitFor(id)
	if got, n := w.search2(t, b, System, "zoe"), b.core.names.idx.len(); len(got) != 0 || n != 4 {
		t.Errorf("B after hearing of the erasure: %v, %d in the index", got, n)
	}
	if _, err := b.People.SearchClients(ctx, w.clientAc, "zoe", 0); holdspace.ErrorCode(err) != holdspace.EFORBIDDEN {
		t.Errorf("a client's search on B: %v", err)
	}
}

func (w searchWorld) search2(t *testing.T, s *Services, ac Actor, q string) []string {
	t.Helper()
	vs, err := s.People.SearchClients(context.Background(), ac, q, 0)
	if err != nil {
		t.Fatalf("search %q as %s: %v", q, ac.Role, err)
	}
	return names(vs)
}
