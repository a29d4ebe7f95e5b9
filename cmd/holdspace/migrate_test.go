package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"holdspace/postgres/pgtest"
)

// TestMigrateData moves a SQLite practice into PostgreSQL, refuses to do it
// again over the copy unless forced, and serves the moved practice from a
// PostgreSQL node with the source's key.
func TestMigrateData(t *testing.T) {
	t.Parallel()
	f := newPractice(t, nil)
	f.n.must(201, "POST", "/api/v1/clients/"+f.c1ID+"/screenings", f.c1, map[string]any{"answers": clearAnswers()})
	f.signedAgreement(t, []map[string]string{grant("feet", "touch", "yes")})
	if err := f.n.stop(); err != nil {
		t.Fatal(err)
	}
	pg := pgtest.FreshURL(t)
	migrate := func(args ...string) (string, error) {
		var out, errb bytes.Buffer
		err := run(context.Background(), append([]string{"migrate-data", "--from", f.n.data, "--to", pg}, args...), testEnv(nil), nil, &out, &errb)
		return out.String() + errb.String(), err
	}
	out, err := migrate()
	if err != nil {
		t.Fatalf("migrate-data: %v\n%s", err, out)
	}
	if !strings.Contains(out, "row counts match and the audit chain verifies") || !strings.Contains(out, "copying records") {
		t.Fatalf("output: %s", out)
	}
	if _, err := migrate(); err == nil || !strings.Contains(err.Error(), "refusing to overwrite") {
		t.Fatalf("second run: %v", err)
	}
	if out, err := migrate("--force"); err != nil {
		t.Fatalf("forced run: %v\n%s", err, out)
	}
	c := &cluster{t: t, dbURL: pg, keyFile: filepath.Join(f.n.data, "master.key")}
	n := c.start()
	tok := n.login("c1@example.test", fixturePassword)
	v := n.must(200, "GET", "/api/v1/clients/"+f.c1ID, tok, nil)
	if v.str("name") != "Casey Client" {
		t.Fatalf("moved client: %s", v.Raw)
	}
	ags := n.must(200, "GET", "/api/v1/clients/"+f.c1ID+"/agreements", tok, nil)
	if !strings.Contains(string(ags.Raw), `"status":"active"`) {
		t.Fatalf("moved agreements: %s", ags.Raw)
	}
}
