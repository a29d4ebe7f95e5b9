package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"holdspace/postgres/pgtest"
	"holdspace/seal"
)

// rotationLoad keeps reading and writing sealed data through the nodes
// until stop: new practitioners (sealed under the active master key), new
// agreement drafts (under the client's key), and reads that open both.
// It returns a wait function reporting the number of calls and failures.
func rotationLoad(t *testing.T, nodes []*node, admin, client, pract, clientID string, stop *atomic.Bool) func() (int64, []string) {
	var calls atomic.Int64
	var mu sync.Mutex
	var failures []string
	var wg sync.WaitGroup
	fail := func(s string) {
		mu.Lock()
		defer mu.Unlock()
		if len(failures) < 10 {
			failures = append(failures, s)
		}
	}
	for w, n := range nodes {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				var r response
				switch i % 3 {
				case 0:
					r = n.call("POST", "/api/v1/practitioners", admin, map[string]string{"name": "Load Person",
						"email": fmt.Sprintf("load-%d-%d@example.test", w, i), "password": fixturePassword})
				case 1:
					r = n.call("POST", "/api/v1/clients/"+clientID+"/agreements", client, map[string]any{"intent": "therapeutic",
						"grants": []map[string]string{grant("feet", "touch", "yes")}})
				default:
					r = n.call("GET", "/api/v1/clients/"+clientID, pract, nil)
					if r.Status == 200 && r.str("name") != "Casey Client" {
						fail("read a wrong name: " + string(r.Raw))
					}
				}
				calls.Add(1)
				// Two nodes drafting at once may race for a version
				// number (409): an answer, not a failure.
				if r.Status >= 300 && r.Status != 409 {
					fail(fmt.Sprintf("%d %s", r.Status, r.Raw))
				}
			}
		})
	}
	return func() (int64, []string) {
		wg.Wait()
		return calls.Load(), failures
	}
}

func keyIDsInFile(t *testing.T, path string) []string {
	t.Helper()
	kr, err := seal.LoadKeyring(path)
	if err != nil {
		t.Fatal(err)
	}
	return kr.IDs()
}

// TestKeysRotateUnderLoad rotates the master key of a SQLite practice while
// the server keeps reading and writing, then checks that the old key is
// retired, every value is wrapped under the new one, and the practice
// still serves after a restart.
func TestKeysRotateUnderLoad(t *testing.T) {
	t.Parallel()
	f := newPractice(t, nil)
	n := f.n
	keyPath := filepath.Join(n.data, "master.key")
	out, err := runCLI(nil, "", "keys", "status", "--data", n.data)
	if err != nil || !strings.Contains(out, "key file: k1 (active k1)") {
		t.Fatalf("keys status: %v %s", err, out)
	}
	stale := filepath.Join(t.TempDir(), "stale.key")
	copyFile(t, keyPath, stale)
	var stop atomic.Bool
	wait := rotationLoad(t, []*node{n}, f.admin, f.c1, f.p1, f.c1ID, &stop)
	out, err = runCLI(nil, "", "keys", "rotate", "--data", n.data, "--retire-after", "1500ms")
	stop.Store(true)
	calls, failures := wait()
	if err != nil {
		t.Fatalf("keys rotate: %v %s", err, out)
	}
	if len(failures) > 0 || calls < 10 {
		t.Fatalf("during the rotation %d calls, failures: %v", calls, failures)
	}
	if !strings.Contains(out, "new master key k2 is active") || !strings.Contains(out, "retired k1") || !strings.Contains(out, "  k2 wraps ") {
		t.Fatalf("rotate output: %s", out)
	}
	if ids := keyIDsInFile(t, keyPath); len(ids) != 1 || ids[0] != "k2" {
		t.Fatalf("key file after rotation: %v", ids)
	}
	out, err = runCLI(nil, "", "keys", "status", "--data", n.data)
	if err != nil || strings.Contains(out, "k1 wraps") || strings.Contains(out, "NOT in the key file") {
		t.Fatalf("status after rotation: %v %s", err, out)
	}
	// The running server took the new key; after a restart it still serves.
	n.must(201, "POST", "/api/v1/practitioners", f.admin, map[string]string{"name": "After Rotation", "email": "after@example.test", "password": fixturePassword})
	if err := n.stop(); err != nil {
		t.Fatal(err)
	}
	n2 := start(t, n.data, nil, "serve")
	tok := n2.login("after@example.test", fixturePassword)
	if v := n2.must(200, "GET", "/api/v1/clients/"+f.c1ID, f.admin, nil); v.str("name") != "Casey Client" || tok == "" {
		t.Fatalf("after restart: %s", v.Raw)
	}
	if out, err := runCLI(nil, "", "audit", "verify", "--data", n.data); err != nil {
		t.Fatalf("audit verify after rotation: %v %s", err, out)
	}
	// A stale copy of the old key file is refused now that k1 is retired.
	n2.stop()
	if out, err := runCLI(map[string]string{"HOLDSPACE_MASTER_KEY_FILE": stale}, "", "migrate", "--data", n.data); err == nil ||
		!strings.Contains(err.Error(), `the active key "k1" was retired`) {
		t.Fatalf("stale key file: %v %s", err, out)
	}
}

// TestKeysRotatePostgres rotates under load with two nodes sharing one
// PostgreSQL database and one key file.
func TestKeysRotatePostgres(t *testing.T) {
	t.Parallel()
	pg := pgtest.FreshURL(t)
	key := filepath.Join(t.TempDir(), "master.key")
	env := map[string]string{"HOLDSPACE_DATABASE": pg, "HOLDSPACE_MASTER_KEY_FILE": key}
	if out, err := runCLI(env, "", "migrate", "--init"); err != nil {
		t.Fatalf("migrate --init: %v %s", err, out)
	}
	if out, err := runCLI(env, fixturePassword+"\n", "user", "add", "--role", "admin", "--email", "admin@example.test", "--name", "Admin", "--password-stdin"); err != nil {
		t.Fatalf("user add: %v %s", err, out)
	}
	a := start(t, "", env, "serve")
	b := start(t, "", env, "serve")
	admin := a.login("admin@example.test", fixturePassword)
	pid := a.must(201, "POST", "/api/v1/practitioners", admin, map[string]string{"name": "Pat One", "email": "p1@example.test", "password": fixturePassword}).str("id")
	cid := a.must(201, "POST", "/api/v1/clients", admin, map[string]any{"name": "Casey Client", "email": "c1@example.test",
		"password": fixturePassword, "birth_date": "1985-05-05", "anatomy": map[string]bool{"prostate": true}, "practitioner_ids": []string{pid}}).str("id")
	client := b.login("c1@example.test", fixturePassword)
	pract := b.login("p1@example.test", fixturePassword)
	var stop atomic.Bool
	wait := rotationLoad(t, []*node{a, b}, admin, client, pract, cid, &stop)
	out, err := runCLI(env, "", "keys", "rotate", "--retire-after", "1500ms")
	stop.Store(true)
	calls, failures := wait()
	if err != nil {
		t.Fatalf("keys rotate: %v %s", err, out)
	}
	if len(failures) > 0 || calls < 10 {
		t.Fatalf("during the rotation %d calls, failures: %v\nnode a:\n%s\nnode b:\n%s", calls, failures, a.stderr.String(), b.stderr.String())
	}
	if ids := keyIDsInFile(t, key); len(ids) != 1 || ids[0] != "k2" {
		t.Fatalf("key file after rotation: %v", ids)
	}
	for _, n := range []*node{a, b} {
		if v := n.must(200, "GET", "/api/v1/clients/"+cid, admin, nil); v.str("name") != "Casey Client" {
			t.Fatalf("after rotation: %s", v.Raw)
		}
	}
	out, err = runCLI(env, "", "keys", "status")
	if err != nil || !strings.Contains(out, "key file: k2 (active k2)") || strings.Contains(out, "k1 wraps") {
		t.Fatalf("status: %v %s", err, out)
	}
}
