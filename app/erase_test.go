package app

import (
	"context"
	"errors"
	"strings"
	"testing"

	"holdspace"
	"holdspace/audit"
	"holdspace/seal"
	"holdspace/store"
)

// A copy of a client's sealed value (as a backup would hold it) cannot be
// opened once the client is erased: their data key is gone, on this node
// and on any other (a fresh App over the same database and keys).
func TestErasureShredsCopies(t *testing.T) {
	ctx := context.Background()
	a := newTestApp(t)
	id, err := a.People.CreateClient(ctx, System, ClientInput{Name: "Casey", Email: "c@example.test", BirthDate: "1980-01-01", Notes: "prefers quiet"})
	if err != nil {
		t.Fatal(err)
	}
	var u *store.User
	var c *store.Client
	if err := a.core.db.View(ctx, func(tx store.Tx) (err error) {
		if u, err = tx.User(ctx, id); err != nil {
			return err
		}
		c, err = tx.Client(ctx, id)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, v := range [][]byte{u.NameSealed, u.EmailSealed, c.NotesSealed, c.BirthDateSealed} {
		if !seal.UnderDataKey(v) || seal.DataKeyName(v) != id {
			t.Fatalf("a client field is not sealed under the client's key: %x", v[:4])
		}
	}
	if got, err := a.core.open(id, "notes", c.NotesSealed); err != nil || got != "prefers quiet" {
		t.Fatalf("open before erasure = %q, %v", got, err)
	}
	if err := a.Records.EraseClient(ctx, System, id); err != nil {
		t.Fatal(err)
	}
	other, err := New(Config{DB: a.core.db, Keys: a.core.keys, Policies: Policies{Argon2: cheap}})
	if err != nil {
		t.Fatal(err)
	}
	for _, app := range []*Services{a, other} {
		_, err := app.core.open(id, "notes", c.NotesSealed)
		if holdspace.ErrorCode(err) != holdspace.ENOTFOUND {
			t.Fatalf("a copy of an erased client's value: err = %v, want the data key not found", err)
		}
	}
	// Even the master key cannot open it.
	if _, err := a.core.keys.Open(c.NotesSealed, aad(id, "notes")); !errors.Is(err, seal.ErrTampered) {
		t.Fatalf("master key on a data-key value: %v", err)
	}
}

// Audit details about a client are stored sealed under the client's key
// and opened for an admin's view; a decision's outcome is in the detail,
// not the action.
func TestAuditDetailsSealed(t *testing.T) {
	ctx := context.Background()
	a := newTestApp(t)
	l := newLive(t, a)
	if _, err := a.Decisions.Decide(ctx, l.pract, DecideInput{SessionID: l.session, Region: "shoulders", Technique: "massage"}); err != nil {
		t.Fatal(err)
	}
	var stored []audit.Entry
	if err := a.core.db.View(ctx, func(tx store.Tx) (err error) {
		stored, err = tx.ListAudit(ctx, store.AuditFilter{ClientID: l.client.UserID})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	sealed := 0
	for _, e := range stored {
		if strings.Contains(e.Detail, "region=") || strings.Contains(e.Detail, "intent=") || strings.HasPrefix(e.Action, "decision.") {
			t.Fatalf("stored in clear: %+v", e)
		}
		if strings.HasPrefix(e.Detail, sealedDetailPrefix) {
			sealed++
		}
	}
	if sealed < 3 {
		t.Fatalf("only %d sealed details", sealed)
	}
	admin, err := a.People.CreateUser(ctx, System, NewUser{Role: holdspace.RoleAdmin, Name: "Ada", Email: "ada@example.test"})
	if err != nil {
		t.Fatal(err)
	}
	shown, err := a.Audit.ListAudit(ctx, Actor{UserID: admin, Role: holdspace.RoleAdmin}, store.AuditFilter{ClientID: l.client.UserID})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range shown {
		if e.Action == "decision" && strings.HasPrefix(e.Detail, "outcome=permit region=shoulders technique=massage") {
			found = true
		}
	}
	if !found {
		t.Fatalf("the admin's view does not show the opened decision detail: %+v", shown)
	}
}
