package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"holdspace/postgres/pgtest"
	"holdspace/seal"
)

// TestBackupRestoreUnderLoad takes online backups of a SQLite practice
// while clients and practitioners keep writing, restores one into a new
// data directory with the key file kept apart, checks the key and the
// audit chain on the way, and serves the restored practice.
func TestBackupRestoreUnderLoad(t *testing.T) {
	t.Parallel()
	f := newPractice(t, nil)
	n := f.n
	n.must(201, "POST", "/api/v1/clients/"+f.c1ID+"/screenings", f.c1, map[string]any{"answers": clearAnswers()})
	keyApart := filepath.Join(t.TempDir(), "practice.key")
	copyFile(t, filepath.Join(n.data, "master.key"), keyApart)

	var stop atomic.Bool
	var writes atomic.Int64
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				if w == 0 {
					n.must(201, "POST", "/api/v1/clients/"+f.c1ID+"/agreements", f.c1, map[string]any{"intent": "therapeutic",
						"grants": []map[string]string{grant("feet", "touch", "yes")}})
				} else {
					n.must(200, "GET", "/api/v1/clients/"+f.c1ID, f.p1, nil)
				}
				writes.Add(1)
			}
		})
	}
	backups := t.TempDir()
	var files []string
	for i := range 2 {
		time.Sleep(150 * time.Millisecond)
		file := filepath.Join(backups, fmt.Sprintf("b%d.db", i))
		out, err := runCLI(nil, "", "backup", "--to", file, "--data", n.data)
		if err != nil || !strings.Contains(out, "backup written to") || !strings.Contains(out, "keep a copy of") {
			t.Fatalf("backup under load: %v %s", err, out)
		}
		files = append(files, file)
	}
	stop.Store(true)
	wg.Wait()
	if writes.Load() < 10 {
		t.Fatalf("only %d writes during the backups", writes.Load())
	}
	if out, err := runCLI(nil, "", "backup", "--to", files[0], "--data", n.data); err == nil {
		t.Fatalf("backup overwrote a file: %s", out)
	}

	other := filepath.Join(t.TempDir(), "other.key")
	if err := seal.CreateKeyFile(other); err != nil {
		t.Fatal(err)
	}
	restored := t.TempDir()
	if out, err := runCLI(nil, "", "restore", "--from", files[1], "--data", restored, "--master-key-file", other); err == nil ||
		!strings.Contains(err.Error(), "is not the key") {
		t.Fatalf("restore with another key: %v %s", err, out)
	}
	if _, err := os.Stat(filepath.Join(restored, "holdspace.db")); err == nil {
		t.Fatal("a refused restore wrote the database")
	}
	out, err := runCLI(nil, "", "restore", "--from", files[1], "--data", restored, "--master-key-file", keyApart)
	if err != nil || !strings.Contains(out, "the key file matches, the audit chain verifies") {
		t.Fatalf("restore: %v %s", err, out)
	}
	if out, err := runCLI(nil, "", "restore", "--from", files[0], "--data", restored, "--master-key-file", keyApart); err == nil ||
		!strings.Contains(err.Error(), "refusing to replace it") {
		t.Fatalf("restore over a practice: %v %s", err, out)
	}
	out, err = runCLI(map[string]string{"HOLDSPACE_MASTER_KEY_FILE": keyApart}, "", "audit", "verify", "--data", restored)
	if err != nil {
		t.Fatalf("audit verify of the restored practice: %v %s", err, out)
	}
	m := regexp.MustCompile(`intact: (\d+) entries`).FindStringSubmatch(out)
	if m == nil || m[1] == "0" {
		t.Fatalf("restored chain: %s", out)
	}
	r2 := start(t, restored, map[string]string{"HOLDSPACE_MASTER_KEY_FILE": keyApart}, "serve")
	tok := r2.login("c1@example.test", fixturePassword)
	if v := r2.must(200, "GET", "/api/v1/clients/"+f.c1ID, tok, nil); v.str("name") != "Casey Client" {
		t.Fatalf("restored client: %s", v.Raw)
	}
}

// TestBackupRestorePostgres backs a PostgreSQL practice up with pg_dump
// and restores it into a fresh database, with the key checked.
func TestBackupRestorePostgres(t *testing.T) {
	t.Parallel()
	src := pgtest.FreshURL(t)
	key := filepath.Join(t.TempDir(), "master.key")
	env := func(db string) map[string]string {
		return map[string]string{"HOLDSPACE_DATABASE": db, "HOLDSPACE_MASTER_KEY_FILE": key}
	}
	if out, err := runCLI(env(src), "", "migrate", "--init"); err != nil {
		t.Fatalf("migrate --init: %v %s", err, out)
	}
	if out, err := runCLI(env(src), fixturePassword+"\n", "user", "add", "--role", "client", "--email", "c@example.test", "--name", "Casey",
		"--birth-date", "1980-02-02", "--password-stdin"); err != nil {
		t.Fatalf("user add: %v %s", err, out)
	}
	srcOut, err := runCLI(env(src), "", "audit", "verify")
	if err != nil {
		t.Fatal(err)
	}
	dump := filepath.Join(t.TempDir(), "practice.dump")
	if out, err := runCLI(env(src), "", "backup", "--to", dump); err != nil {
		t.Fatalf("backup: %v %s", err, out)
	}
	fresh := pgtest.FreshURL(t)
	out, err := runCLI(env(fresh), "", "restore", "--from", dump)
	if err != nil || !strings.Contains(out, "the key file matches, the audit chain verifies") {
		t.Fatalf("restore: %v %s", err, out)
	}
	dstOut, err := runCLI(env(fresh), "", "audit", "verify")
	if err != nil || strings.Fields(dstOut)[3] != strings.Fields(srcOut)[3] {
		t.Fatalf("restored chain %q, source %q (%v)", dstOut, srcOut, err)
	}
	if out, err := runCLI(env(fresh), "", "restore", "--from", dump); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("restore over a practice: %v %s", err, out)
	}
	other := filepath.Join(t.TempDir(), "other.key")
	if err := seal.CreateKeyFile(other); err != nil {
		t.Fatal(err)
	}
	wrong := pgtest.FreshURL(t)
	out, err = runCLI(map[string]string{"HOLDSPACE_DATABASE": wrong, "HOLDSPACE_MASTER_KEY_FILE": other}, "", "restore", "--from", dump)
	if err == nil || !strings.Contains(err.Error(), "is not the key") {
		t.Fatalf("restore with another key: %v %s", err, out)
	}
}
