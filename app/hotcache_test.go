package app

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"holdspace"
	"holdspace/consent"
	"holdspace/seal"
	"holdspace/sqlite"
)

// twoNodes returns two Services over one SQLite database, each with its
// own caches, as two nodes (or a node and the CLI) sharing a database;
// b's clock is *offset later than the real one.
func twoNodes(t *testing.T, offset *atomic.Int64) (a, b *Services) {
	t.Helper()
	dir := t.TempDir()
	keys, err := seal.NewKeyring()
	if err != nil {
		t.Fatal(err)
	}
	open := func(now func() time.Time) *Services {
		db, err := sqlite.Open(context.Background(), dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		s, err := New(Config{DB: db, Keys: keys, Now: now, Policies: Policies{Argon2: cheap}})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	return open(time.Now), open(func() time.Time { return time.Now().Add(time.Duration(offset.Load())) })
}

// TestTokenCacheExact: a token that node B has validated (and cached) is
// refused by B the moment node A acknowledges its logout, a password
// change, signing out elsewhere or disabling the account; expiry and the
// idle timeout apply by B's clock.
func TestTokenCacheExact(t *testing.T) {
	var offset atomic.Int64
	a, b := twoNodes(t, &offset)
	ctx := context.Background()
	pid, err := a.People.CreateUser(ctx, System, NewUser{Role: holdspace.RolePractitioner, Name: "Pat", Email: "p@example.test", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	pat := Actor{UserID: pid, Role: holdspace.RolePractitioner}
	login := func(kind string) string {
		t.Helper()
		s, err := a.Accounts.Login(ctx, "p@example.test", "correct horse battery", "192.0.2.1", kind)
		if err != nil {
			t.Fatal(err)
		}
		// Validated twice on B: the second answer comes from memory.
		for range 2 {
			if ac, err := b.Accounts.Authenticate(ctx, s.Token, kind); err != nil || ac.UserID != pid {
				t.Fatalf("B refuses a live %s token: %v", kind, err)
			}
		}
		return s.Token
	}
	refused := func(what, tok, kind string) {
		t.Helper()
		if _, err := b.Accounts.Authenticate(ctx, tok, kind); holdspace.ErrorCode(err) != holdspace.EUNAUTHORIZED {
			t.Errorf("after %s on A, B answers %v; want the token refused", what, err)
		}
	}

	tok := login("api")
	if err := a.Accounts.Logout(ctx, pat, tok); err != nil {
		t.Fatal(err)
	}
	refused("logout", tok, "api")

	tok = login("api")
	if err := a.Accounts.SetPassword(ctx, pat, pid, "another horse battery"); err != nil {
		t.Fatal(err)
	}
	refused("a password change", tok, "api")
	if err := a.Accounts.SetPassword(ctx, pat, pid, "correct horse battery"); err != nil {
		t.Fatal(err)
	}

	keep, other := login("web"), login("api")
	if err := a.Accounts.SignOutElsewhere(ctx, pat, keep); err != nil {
		t.Fatal(err)
	}
	refused("signing out elsewhere", other, "api")
	if _, err := b.Accounts.Authenticate(ctx, keep, "web"); err != nil {
		t.Errorf("the session kept by signing out elsewhere is refused on B: %v", err)
	}
	refused("nothing (wrong kind)", keep, "api")

	tok = login("api")
	if err := a.Accounts.SetDisabled(ctx, System, pid, true); err != nil {
		t.Fatal(err)
	}
	refused("disabling the account", tok, "api")
	if err := a.Accounts.SetDisabled(ctx, System, pid, false); err != nil {
		t.Fatal(err)
	}

	// By time, from memory: the idle timeout and the expiry.
	web, api := login("web"), login("api")
	offset.Store(int64(b.core.cfg.WebIdle))
	refused("the idle timeout", web, "web")
	if _, err := b.Accounts.Authenticate(ctx, api, "api"); err != nil {
		t.Fatalf("an API token is refused before it expires: %v", err)
	}
	offset.Store(int64(b.core.cfg.TokenTTL + time.Second))
	refused("the expiry", api, "api")
}

// TestDecisionCacheAcrossNodes: node B decides from memory, and a
// revocation, a stop or taking the practitioner off the client
// acknowledged by node A is in force for B's very next decision.
func TestDecisionCacheAcrossNodes(t *testing.T) {
	var offset atomic.Int64
	a, b := twoNodes(t, &offset)
	l := newLive(t, a)
	ctx := context.Background()
	decideB := func(region string) consent.Outcome {
		t.Helper()
		d, err := b.Decisions.Decide(ctx, l.pract, DecideInput{SessionID: l.session, Region: region, Technique: "massage"})
		if err != nil {
			t.Fatalf("decide on B: %v", err)
		}
		return d.Outcome
	}
	for range 2 {
		if got := decideB("shoulders"); got != consent.Permit {
			t.Fatalf("B: %s before any revoke, want permit", got)
		}
	}
	if _, err := a.Agreements.RevokeAgreement(ctx, l.client, l.agreed, RevokeInput{Regions: []string{"shoulders"}}); err != nil {
		t.Fatal(err)
	}
	if got := decideB("shoulders"); got != consent.Deny {
		t.Errorf("B: %s after A acknowledged the revoke, want deny", got)
	}
	if got := decideB("feet"); got != consent.Permit {
		t.Fatalf("B: feet %s, want permit", got)
	}
	if _, err := a.Sessions.AppendEvent(ctx, l.client, l.session, EventInput{Type: "stop"}); err != nil {
		t.Fatal(err)
	}
	if got := decideB("feet"); got != consent.Deny {
		t.Errorf("B: %s after A acknowledged the stop, want deny", got)
	}
	if _, err := a.Sessions.AppendEvent(ctx, l.client, l.session, EventInput{Type: "resume"}); err != nil {
		t.Fatal(err)
	}
	if got := decideB("feet"); got != consent.Permit {
		t.Fatalf("B: feet %s after resume, want permit", got)
	}
	if err := a.People.AssignPractitioners(ctx, System, l.client.UserID, nil); err != nil {
		t.Fatal(err)
	}
	_, err := b.Decisions.Decide(ctx, l.pract, DecideInput{SessionID: l.session, Region: "feet", Technique: "massage"})
	if holdspace.ErrorCode(err) != holdspace.ENOTFOUND {
		t.Errorf("B decides for a practitioner A took off the client: %v; want not found", err)
	}
}

// BenchmarkAuthenticate measures validating a bearer token: from memory
// (one read of the fact epoch) and from the database (a read transaction
// of the token and its account, as before issue 16).
func BenchmarkAuthenticate(b *testing.B) {
	a := newTestApp(b)
	ctx := context.Background()
	if _, err := a.People.CreateUser(ctx, System, NewUser{Role: holdspace.RolePractitioner, Name: "Pat", Email: "p@example.test", Password: "correct horse battery"}); err != nil {
		b.Fatal(err)
	}
	s, err := a.Accounts.Login(ctx, "p@example.test", "correct horse battery", "192.0.2.1", "api")
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		hot  *hotCache
	}{{"memory", a.core.hot}, {"database", nil}} {
		b.Run(bc.name, func(b *testing.B) {
			a.core.hot = bc.hot
			for b.Loop() {
				if _, err := a.Accounts.Authenticate(ctx, s.Token, "api"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
