package main

import (
	"strings"
	"testing"
	"time"

	"holdspace/postgres/pgtest"
)

// retentionCase books sessions in the past and checks that `retention run
// --dry-run` lists and erases nothing, and that `retention run` erases the
// client whose last session is older than the policy and the old session
// of a client who stays, with the audit chain still verifying.
func retentionCase(t *testing.T, n *node, env map[string]string, args []string) {
	admin := n.login("admin@example.test", fixturePassword)
	pid := n.must(201, "POST", "/api/v1/practitioners", admin, map[string]string{"name": "Pat One", "email": "p1@example.test", "password": fixturePassword}).str("id")
	client := func(name, email string) string {
		return n.must(201, "POST", "/api/v1/clients", admin, map[string]any{"name": name, "email": email, "password": fixturePassword,
			"birth_date": "1980-01-01", "anatomy": map[string]bool{}, "practitioner_ids": []string{pid}}).str("id")
	}
	gone, stays := client("Old Client", "old@example.test"), client("Current Client", "current@example.test")
	book := func(clientID string, at time.Time) string {
		return n.must(201, "POST", "/api/v1/sessions", admin, map[string]any{"client_id": clientID, "practitioner_id": pid,
			"intent": "therapeutic", "starts_at": at.UTC().Format(time.RFC3339)}).str("id")
	}
	now := time.Now()
	book(gone, now.AddDate(-4, 0, 0))
	book(gone, now.AddDate(-3, 0, 0))
	oldSession := book(stays, now.AddDate(-2, 0, 0))
	newSession := book(stays, now.Add(time.Hour))
	n.must(200, "GET", "/api/v1/sessions/"+oldSession, admin, nil)

	run := func(extra ...string) string {
		t.Helper()
		out, err := runCLI(env, "", append(append([]string{"retention", "run", "--retention", "client=2,session=1"}, args...), extra...)...)
		if err != nil {
			t.Fatalf("retention run %v: %v %s", extra, err, out)
		}
		return out
	}
	out := run("--dry-run")
	if !strings.Contains(out, "would erase client "+gone) || !strings.Contains(out, "would erase session "+oldSession) ||
		strings.Contains(out, stays+" (") || strings.Contains(out, newSession) || !strings.Contains(out, "2 records would erase") {
		t.Fatalf("dry run: %s", out)
	}
	n.must(200, "GET", "/api/v1/clients/"+gone, admin, nil)
	out = run()
	if !strings.Contains(out, "erased client "+gone) || !strings.Contains(out, "erased session "+oldSession) {
		t.Fatalf("run: %s", out)
	}
	n.must(404, "GET", "/api/v1/clients/"+gone, admin, nil)
	n.must(404, "GET", "/api/v1/sessions/"+oldSession, admin, nil)
	n.must(200, "GET", "/api/v1/sessions/"+newSession, admin, nil)
	if v := n.must(200, "GET", "/api/v1/clients/"+stays, admin, nil); v.str("name") != "Current Client" {
		t.Fatalf("the client who stays: %s", v.Raw)
	}
	if out := run("--dry-run"); !strings.Contains(out, "0 records would erase") {
		t.Fatalf("second dry run: %s", out)
	}
	out, err := runCLI(env, "", append([]string{"audit", "verify"}, args...)...)
	if err != nil || strings.Contains(out, "erasure: 0\n") {
		t.Fatalf("audit verify after retention: %v %s", err, out)
	}
	if _, err := runCLI(env, "", append([]string{"retention", "run", "--retention", "client=0"}, args...)...); err == nil {
		t.Fatal("a zero-year policy was accepted")
	}
}

func TestRetentionSQLite(t *testing.T) {
	t.Parallel()
	data := freshData(t)
	addUser(t, data, "admin", "admin@example.test", "Admin One", fixturePassword)
	n := start(t, data, nil, "serve")
	retentionCase(t, n, nil, []string{"--data", data})
}

func TestRetentionPostgres(t *testing.T) {
	t.Parallel()
	env := map[string]string{"HOLDSPACE_DATABASE": pgtest.FreshURL(t), "HOLDSPACE_MASTER_KEY_FILE": t.TempDir() + "/master.key", "HOLDSPACE_INIT": "1"}
	if out, err := runCLI(env, fixturePassword+"\n", "user", "add", "--role", "admin", "--email", "admin@example.test", "--name", "Admin", "--password-stdin"); err != nil {
		t.Fatalf("user add: %v %s", err, out)
	}
	n := start(t, "", env, "serve")
	retentionCase(t, n, env, nil)
}
