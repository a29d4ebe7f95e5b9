package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"holdspace/screening"
)

// TestDemoIsIdempotent runs the demo twice on one data directory: the second
// run creates nothing and prints the same accounts, which can log in.
func TestDemoIsIdempotent(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	first := start(t, data, nil, "demo")
	out1 := first.stdout.String()
	if err := first.stop(); err != nil {
		t.Fatal(err)
	}
	count := auditCount(t, data)
	second := start(t, data, nil, "demo")
	out2 := second.stdout.String()
	accounts := func(out string) []string {
		var lines []string
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, "@demo.holdspace.test") {
				lines = append(lines, strings.Join(strings.Fields(l), " "))
			}
		}
		return lines
	}
	a1, a2 := accounts(out1), accounts(out2)
	if len(a1) != 6 || strings.Join(a1, "\n") != strings.Join(a2, "\n") {
		t.Fatalf("accounts differ between runs:\n%v\n%v", a1, a2)
	}
	var robinPW string
	for _, l := range a1 {
		f := strings.Fields(l)
		if f[1] == "robin@demo.holdspace.test" {
			robinPW = f[3]
		}
	}
	tok := second.login("robin@demo.holdspace.test", robinPW)
	cs := second.must(200, "GET", "/api/v1/clients", tok, nil)
	if n := strings.Count(string(cs.Raw), `"id":"cli_`); n != 2 {
		t.Fatalf("robin sees %d clients, want 2: %s", n, cs.Raw)
	}
	if st, err := os.Stat(filepath.Join(data, demoAccountsFile)); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("demo accounts file: %v %v", st, err)
	}
	if st, err := os.Stat(filepath.Join(data, "master.key")); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("master key file: %v %v", st, err)
	}
	// The second run added only its own reads and logins, no new records.
	second.stop()
	if got := auditCount(t, data); got-count > 10 {
		t.Fatalf("the second demo run wrote %d audit entries", got-count)
	}
}

func TestRulesCheckAndExplain(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "pack.yaml")
	if err := os.WriteFile(good, screening.DefaultPackYAML(), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"rules", "check", good}, testEnv(nil), nil, &out, &errb); err != nil {
		t.Fatalf("rules check of the built-in pack: %v %s", err, errb.String())
	}
	if !strings.Contains(out.String(), "examples pass") {
		t.Fatalf("check output: %s", out.String())
	}
	// A pack whose rule cites no source is refused, naming the rule.
	broken := strings.Replace(string(screening.DefaultPackYAML()), "source:", "sauce:", 1)
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte(broken), 0o600)
	out.Reset()
	err := run(context.Background(), []string{"rules", "check", bad}, testEnv(nil), nil, &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "rule") {
		t.Fatalf("a broken pack passed: %v", err)
	}
	// Explain an anal fissure: anal work contraindicated, the back clear.
	ans := filepath.Join(dir, "answers.json")
	os.WriteFile(ans, []byte(`{"anal-acute": true, "fever": false}`), 0o600)
	out.Reset()
	args := []string{"rules", "explain", "--answers", ans, "--anatomy", "prostate", "--at", "2026-11-26"}
	if err := run(context.Background(), args, testEnv(nil), nil, &out, &errb); err != nil {
		t.Fatalf("explain: %v %s", err, errb.String())
	}
	text := out.String()
	for _, want := range []string{"anal-canal", "contraindicated", "upper-back"} {
		if !strings.Contains(text, want) {
			t.Errorf("explain output lacks %q:\n%s", want, text)
		}
	}
}

func TestUserAddClient(t *testing.T) {
	t.Parallel()
	data := freshData(t)
	add := func(email, anatomy string) error {
		var out, errb bytes.Buffer
		return run(context.Background(), []string{"user", "add", "--data", data, "--role", "client", "--email", email,
			"--name", "Casey Client", "--birth-date", "1980-02-02", "--anatomy", anatomy, "--password-stdin"},
			testEnv(nil), strings.NewReader("a long enough password\n"), &out, &errb)
	}
	if err := add("casey@example.test", "prostate,breasts"); err != nil {
		t.Fatalf("add a client: %v", err)
	}
	if err := add("casey@example.test", "prostate"); err == nil || !strings.Contains(err.Error(), "email") {
		t.Fatalf("a second account with the same email: %v", err)
	}
	if err := add("other@example.test", "elbow"); err == nil || exitCode(err) != 2 {
		t.Fatalf("an unknown anatomy: %v", err)
	}
}

// TestUserPassword: an operator sets a new password; the old one and the
// account's live tokens stop working.
func TestUserPassword(t *testing.T) {
	t.Parallel()
	data := freshData(t)
	addUser(t, data, "practitioner", "pat@example.test", "Pat", "the first password")
	n := start(t, data, nil, "serve")
	tok := n.login("pat@example.test", "the first password")
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"user", "password", "--data", data, "--email", "PAT@example.test", "--password-stdin"},
		testEnv(nil), strings.NewReader("the second password\n"), &out, &errb)
	if err != nil {
		t.Fatalf("user password: %v %s", err, errb.String())
	}
	n.must(401, "GET", "/api/v1/me", tok, nil)
	n.must(401, "POST", "/api/v1/auth/token", "", map[string]string{"email": "pat@example.test", "password": "the first password"})
	n.login("pat@example.test", "the second password")
	err = run(context.Background(), []string{"user", "password", "--data", data, "--email", "nobody@example.test", "--password-stdin"},
		testEnv(nil), strings.NewReader("the third password\n"), &out, &errb)
	if err == nil {
		t.Fatal("an unknown account's password was set")
	}
}
