package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"holdspace/app"
	"holdspace/seal"
	"holdspace/sqlite"
)

// TestFixturesFillAndVerify fills a new practice through the services and
// checks what it holds: the counts asked for, names sealed (not in the
// database file in clear) yet readable with the key, every write audited
// (one entry each, so the chain length is exact) and the chain intact.
func TestFixturesFillAndVerify(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	// 503 events over 50 clients: 10 each (one session) and one more for
	// the first three (a second session): 53 sessions.
	const clients, events, pracs = 50, 503, 3
	out, err := runCLI(nil, "", "fixtures", "--data", data, "--quiet", "--clients", strconv.Itoa(clients),
		"--events", strconv.Itoa(events), "--practitioners", strconv.Itoa(pracs), "--batch", "16")
	if err != nil {
		t.Fatalf("fixtures: %v\n%s", err, out)
	}
	if !strings.Contains(out, "3 practitioners, 50 clients (screened, agreement signed), 53 sessions, 503 events on sqlite") {
		t.Fatalf("fixtures reported %q", out)
	}
	m := regexp.MustCompile(`(\d+) service writes in (\d+) transactions`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no batch figures in %q", out)
	}
	// Session events and decisions commit through the services' own
	// group commit, which hands the batcher one write for several of
	// them, so the batcher sees at most one write per act; the exact
	// count of acts is the audit chain's length, checked below.
	writes, _ := strconv.Atoi(m[1])
	txs, _ := strconv.Atoi(m[2])
	if acts := pracs + 4*clients + 53 + events; writes < 1 || writes > acts || txs < 1 || txs > writes {
		t.Errorf("%d service writes in %d transactions for %d acts", writes, txs, acts)
	}

	// Each practitioner, client, screening, agreement, signature, session
	// and event appends one audit entry.
	out, err = runCLI(nil, "", "audit", "verify", "--data", data)
	if err != nil {
		t.Fatalf("audit verify: %v\n%s", err, out)
	}
	want := pracs + 4*clients + 53 + events
	if !strings.Contains(out, "audit chain intact: "+strconv.Itoa(want)+" entries") {
		t.Fatalf("audit verify: want %d entries, got %q", want, out)
	}

	raw, err := os.ReadFile(filepath.Join(data, "holdspace.db"))
	if err != nil {
		t.Fatal(err)
	}
	wal, _ := os.ReadFile(filepath.Join(data, "holdspace.db-wal"))
	for _, clear := range []string{"Fixture Client", "fixtures.holdspace.test", "lower back tight"} {
		if bytes.Contains(raw, []byte(clear)) || bytes.Contains(wal, []byte(clear)) {
			t.Errorf("%q is stored in clear", clear)
		}
	}

	ctx := context.Background()
	db, err := sqlite.Open(ctx, data, discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	keys, err := seal.LoadKeyring(filepath.Join(data, "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(app.Config{DB: db, Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := a.People.ListClients(ctx, app.System)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != clients {
		t.Fatalf("%d clients, want %d", len(cs), clients)
	}
	names := map[string]bool{}
	for _, c := range cs {
		names[c.Name] = true
		if !strings.HasSuffix(c.Email, "@fixtures.holdspace.test") || c.CanLogIn {
			t.Errorf("client %s: email %q, can log in %v", c.ID, c.Email, c.CanLogIn)
		}
	}
	if !names["Fixture Client 1"] || !names["Fixture Client 50"] {
		t.Errorf("client names not readable with the key: %v", names)
	}
	ss, err := a.Sessions.ListSessions(ctx, app.System, "", time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 53 {
		t.Errorf("%d sessions, want 53", len(ss))
	}
	all, demo, err := a.Accounts.DemoStatus(ctx)
	if err != nil || all != demo || all != clients+pracs {
		t.Errorf("accounts %d, demo %d (%v): want every one of %d marked demo", all, demo, err, clients+pracs)
	}
}

// TestFixturesRefusesAPractice: a database holding a real account is not
// filled unless --force.
func TestFixturesRefusesAPractice(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	addUser(t, data, "admin", "admin@example.test", "Admin One", fixturePassword)
	out, err := runCLI(nil, "", "fixtures", "--data", data, "--quiet", "--clients", "2", "--events", "3")
	if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), "refuses this database") {
		t.Fatalf("fixtures on a practice: %v\n%s", err, out)
	}
	out, err = runCLI(nil, "", "audit", "verify", "--data", data)
	if err != nil || !strings.Contains(out, "audit chain intact: 1 entries") {
		t.Fatalf("refused run wrote something: %v %q", err, out)
	}
	out, err = runCLI(nil, "", "fixtures", "--data", data, "--quiet", "--clients", "2", "--events", "3", "--force")
	if err != nil || !strings.Contains(out, "2 clients") {
		t.Fatalf("fixtures --force: %v\n%s", err, out)
	}
}
