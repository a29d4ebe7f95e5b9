package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"holdspace/postgres/pgtest"
	"holdspace/seal"
)

// runCLI runs one command through run, as main would, and returns its
// output and error.
func runCLI(env map[string]string, stdin string, args ...string) (string, error) {
	var out, errb bytes.Buffer
	err := run(context.Background(), args, testEnv(env), strings.NewReader(stdin), &out, &errb)
	return out.String() + errb.String(), err
}

// TestWrongKeyRefused replays "the wrong key is accepted": a missing or
// mistyped key file, or a valid key file of other content, used to start
// a server over sealed data. Every command now refuses with a clear
// message, and no key is created for a database that holds data.
func TestWrongKeyRefused(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	addUser(t, data, "admin", "admin@example.test", "Admin One", fixturePassword)
	keyPath := filepath.Join(data, "master.key")
	saved := filepath.Join(t.TempDir(), "saved.key")
	if err := os.Rename(keyPath, saved); err != nil {
		t.Fatal(err)
	}
	commands := [][]string{
		{"serve", "--addr", "127.0.0.1:0", "--data", data},
		{"migrate", "--data", data},
		{"user", "add", "--data", data, "--role", "admin", "--email", "a2@example.test", "--name", "Two", "--password-stdin"},
		{"audit", "verify", "--data", data},
	}
	refuseAll := func(t *testing.T, want string) {
		t.Helper()
		for _, args := range commands {
			out, err := runCLI(nil, fixturePassword+"\n", args...)
			if err == nil || exitCode(err) == 0 {
				t.Fatalf("%s ran with the wrong key: %s", args[0], out)
			}
			if !strings.Contains(err.Error(), want) {
				t.Fatalf("%s: error %q does not say %q", args[0], err, want)
			}
		}
	}
	t.Run("Missing", func(t *testing.T) {
		refuseAll(t, "does not exist, and this database is not new")
		if _, err := os.Stat(keyPath); !os.IsNotExist(err) {
			t.Fatalf("a key file was created over a database that holds data: %v", err)
		}
		// A mistyped path is the same thing.
		out, err := runCLI(map[string]string{"HOLDSPACE_MASTER_KEY_FILE": keyPath + ".typo"}, "", "migrate", "--data", data)
		if err == nil || !strings.Contains(err.Error(), "it holds data sealed under key k1") {
			t.Fatalf("mistyped key path: %v %s", err, out)
		}
	})
	t.Run("OtherContent", func(t *testing.T) {
		if err := seal.CreateKeyFile(keyPath); err != nil {
			t.Fatal(err)
		}
		refuseAll(t, `is not the key "k1" this database was sealed under`)
		os.Remove(keyPath)
	})
	t.Run("RightKey", func(t *testing.T) {
		if err := os.Rename(saved, keyPath); err != nil {
			t.Fatal(err)
		}
		n := start(t, data, nil, "serve")
		n.login("admin@example.test", fixturePassword)
		// Swapping the file under a running server makes it unready.
		other := filepath.Join(t.TempDir(), "other.key")
		if err := seal.CreateKeyFile(other); err != nil {
			t.Fatal(err)
		}
		good, _ := os.ReadFile(keyPath)
		bad, _ := os.ReadFile(other)
		if err := os.WriteFile(keyPath, bad, 0o600); err != nil {
			t.Fatal(err)
		}
		waitHealth(t, n.url, http.StatusServiceUnavailable)
		if err := os.WriteFile(keyPath, good, 0o600); err != nil {
			t.Fatal(err)
		}
		waitHealth(t, n.url, http.StatusOK)
	})
	t.Run("NewDatabase", func(t *testing.T) {
		fresh := t.TempDir()
		if out, err := runCLI(nil, "", "migrate", "--data", fresh); err != nil {
			t.Fatalf("migrate of a new practice: %v %s", err, out)
		}
		if _, err := os.Stat(filepath.Join(fresh, "master.key")); err != nil {
			t.Fatalf("no key created for a brand-new database: %v", err)
		}
	})
}

// TestWrongKeyRefusedPostgres: with PostgreSQL a key file is created only
// with --init, and only for a new database; a key file of other content
// is refused.
func TestWrongKeyRefusedPostgres(t *testing.T) {
	t.Parallel()
	pg := pgtest.FreshURL(t)
	dir := t.TempDir()
	key := filepath.Join(dir, "master.key")
	env := map[string]string{"HOLDSPACE_DATABASE": pg, "HOLDSPACE_MASTER_KEY_FILE": key}
	if out, err := runCLI(env, "", "migrate"); err == nil || !strings.Contains(err.Error(), "pass --init") {
		t.Fatalf("migrate without a key and without --init: %v %s", err, out)
	}
	if _, err := os.Stat(key); !os.IsNotExist(err) {
		t.Fatal("a key file was created without --init")
	}
	if out, err := runCLI(env, "", "migrate", "--init"); err != nil {
		t.Fatalf("migrate --init: %v %s", err, out)
	}
	if out, err := runCLI(env, fixturePassword+"\n", "user", "add", "--role", "admin", "--email", "a@example.test", "--name", "A", "--password-stdin"); err != nil {
		t.Fatalf("user add: %v %s", err, out)
	}
	os.Rename(key, key+".saved")
	if out, err := runCLI(env, "", "migrate", "--init"); err == nil || !strings.Contains(err.Error(), "this database is not new") {
		t.Fatalf("--init over a database with data: %v %s", err, out)
	}
	if err := seal.CreateKeyFile(key); err != nil {
		t.Fatal(err)
	}
	if out, err := runCLI(env, "", "serve", "--addr", "127.0.0.1:0"); err == nil || !strings.Contains(err.Error(), "is not the key") {
		t.Fatalf("serve with another key: %v %s", err, out)
	}
	os.Remove(key)
	os.Rename(key+".saved", key)
	if out, err := runCLI(env, "", "audit", "verify"); err != nil {
		t.Fatalf("audit verify with the right key: %v %s", err, out)
	}
}

// waitHealth polls /healthz until it answers status.
func waitHealth(t *testing.T, url string, status int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == status {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz never answered %d", status)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
