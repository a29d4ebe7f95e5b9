package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"holdspace"

	"holdspace/app"
	"holdspace/postgres"
	"holdspace/seal"
	"holdspace/sqlite"
	"holdspace/store"
)

// readMode is what a read mode asks for: the admin's first page of the
// client list, a search of it by name, or one client's file.
var readModes = map[string]bool{"list": true, "search": true, "clientfile": true}

// readers are the accounts and ids a read mode needs in a practice that
// `holdspace fixtures` filled: an admin's token, a practitioner's token
// and that practitioner's clients (ids and names).
type readers struct {
	admin, practitioner string // bearer tokens
	clients, names      []string
}

// openPractice opens an existing practice: SQLite in dir, or the
// PostgreSQL database, with its master key (dir/master.key unless keyFile).
func openPractice(ctx context.Context, dir, database, keyFile string) (store.DB, *seal.Keyring, error) {
	var db store.DB
	var err error
	if database != "" {
		if keyFile == "" {
			return nil, nil, errors.New("-database with a read, startup or auditverify mode needs -master-key-file (the key the fixtures were sealed with)")
		}
		db, err = postgres.Open(ctx, database, nil)
	} else {
		if keyFile == "" {
			keyFile = filepath.Join(dir, "master.key")
		}
		if _, serr := os.Stat(keyFile); serr != nil {
			return nil, nil, fmt.Errorf("-data %s holds no practice (fill one: holdspace fixtures --data %s --clients 1000 --events 10000): %w", dir, dir, serr)
		}
		db, err = sqlite.Open(ctx, dir, nil)
	}
	if err != nil {
		return nil, nil, err
	}
	keys, err := seal.LoadKeyring(keyFile)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, keys, nil
}

// prepareReaders signs in an admin made for the load (a demo account, so
// the practice stays one `holdspace fixtures` accepts) and a practitioner
// of the fixtures, whose password it sets, and collects their clients.
func prepareReaders(ctx context.Context, a *app.Services) (*readers, error) {
	const pw = "load test password"
	run := strings.ToLower(rand.Text()[:8])
	email := "load-" + run + "-admin@example.test"
	if _, err := a.People.CreateUser(ctx, app.System, app.NewUser{Role: holdspace.RoleAdmin, Name: "Load Admin", Email: email, Password: pw, Demo: true}); err != nil {
		return nil, fmt.Errorf("admin: %w", err)
	}
	as, err := a.Accounts.Login(ctx, email, pw, "127.0.0.1", "api")
	if err != nil {
		return nil, fmt.Errorf("admin login: %w", err)
	}
	ps, err := a.People.ListPractitioners(ctx, app.System)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if !p.Demo || strings.HasPrefix(p.Email, "load-") {
			continue
		}
		cs, err := a.People.ListClients(ctx, app.Actor{UserID: p.ID, Role: holdspace.RolePractitioner, Device: "cli"})
		if err != nil {
			return nil, err
		}
		if len(cs) == 0 {
			continue
		}
		r := &readers{admin: as.Token}
		for _, c := range cs {
			r.clients = append(r.clients, c.ID)
			r.names = append(r.names, c.Name)
		}
		if err := a.Accounts.SetPassword(ctx, app.System, p.ID, pw); err != nil {
			return nil, fmt.Errorf("practitioner password: %w", err)
		}
		s, err := a.Accounts.Login(ctx, p.Email, pw, "127.0.0.1", "api")
		if err != nil {
			return nil, fmt.Errorf("practitioner login: %w", err)
		}
		r.practitioner = s.Token
		return r, nil
	}
	return nil, errors.New("no fixture practitioner with clients: fill the practice with `holdspace fixtures` first")
}

// readRequest is request i of worker w in a read mode: the URL and the
// token to send.
func readRequest(kind, base string, r *readers, w, i int) (string, string) {
	k := (w*7919 + i) % len(r.clients)
	switch kind {
	case "search":
		return base + "/api/v1/clients?q=" + url.QueryEscape(r.names[k]), r.admin
	case "clientfile":
		return base + "/api/v1/clients/" + r.clients[k], r.practitioner
	}
	return base + "/api/v1/clients", r.admin
}

// get sends a GET with a bearer token and returns the status.
func get(c *http.Client, url, token string) int {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// probe asks a read mode once and says what the server does with it:
// the status, the clients in the answer, and for search whether the
// name filter is honoured (a list as long as the unfiltered one is not).
func probe(c *http.Client, kind string, m *mode) (string, bool) {
	count := func(u, token string) (int, int, error) {
		req, _ := http.NewRequest("GET", u, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := c.Do(req)
		if err != nil {
			return 0, 0, err
		}
		defer resp.Body.Close()
		var body struct {
			Clients []json.RawMessage `json:"clients"`
		}
		if resp.StatusCode != 200 {
			io.Copy(io.Discard, resp.Body)
			return resp.StatusCode, 0, nil
		}
		err = json.NewDecoder(resp.Body).Decode(&body)
		return resp.StatusCode, len(body.Clients), err
	}
	u, tok := readRequest(kind, m.base, m.readers, 0, 0)
	st, n, err := count(u, tok)
	switch {
	case err != nil:
		return fmt.Sprintf("%s: %v", m.name, err), false
	case st != 200:
		if kind == "search" && st == 400 {
			return fmt.Sprintf("%s: search by ?q= is unsupported here (400); measured anyway, every request fails", m.name), true
		}
		return fmt.Sprintf("%s: %s answers %d", m.name, u, st), false
	case kind == "clientfile":
		return fmt.Sprintf("%s: %s answers 200", m.name, strings.TrimPrefix(u, m.base)), true
	case kind == "list":
		return fmt.Sprintf("%s: the first page of the client list holds %d clients", m.name, n), true
	}
	_, all, err := count(m.base+"/api/v1/clients", m.readers.admin)
	if err == nil && n == all && all > 1 {
		return fmt.Sprintf("%s: ?q= is ignored here (the answer is the unfiltered list, %d clients): this measures the list", m.name, n), true
	}
	return fmt.Sprintf("%s: a search for %q finds %d client(s)", m.name, m.readers.names[0], n), true
}
