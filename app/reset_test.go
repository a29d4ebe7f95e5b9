package app

import (
	"context"
	"errors"
	"regexp"
	"testing"
	"time"

	"holdspace"
	"holdspace/store"
)

func errorsAs(err error, target any) bool { return errors.As(err, target) }

var resetLink = regexp.MustCompile(`https://practice\.example\.test/reset/([A-Za-z0-9_-]+)`)

// TestPasswordReset: the answer is the same for a known and an unknown
// email; the link works once, for 30 minutes; using it sets the password
// and signs the account out everywhere.
func TestPasswordReset(t *testing.T) {
	rec := &recordingSender{}
	f := newMailFixture(t, rec)
	ctx := context.Background()
	old, err := f.a.Accounts.Login(ctx, "pat@example.test", "a long test password", "192.0.2.1", "api")
	if err != nil {
		t.Fatal(err)
	}
	feed, err := f.a.Calendars.CreateCalendarFeed(ctx, f.pract)
	if err != nil {
		t.Fatal(err)
	}
	known := f.a.Accounts.RequestPasswordReset(ctx, "pat@example.test", "192.0.2.1")
	unknown := f.a.Accounts.RequestPasswordReset(ctx, "nobody@example.test", "192.0.2.1")
	if known != nil || unknown != nil {
		t.Fatalf("answers differ or fail: known %v, unknown %v", known, unknown)
	}
	if err := f.a.Accounts.RequestPasswordReset(ctx, "not an email", "192.0.2.1"); holdspace.ErrorCode(err) != holdspace.EINVALID {
		t.Fatalf("a malformed email: %v", err)
	}
	if n := f.send(t); n != 1 || len(rec.to) != 1 || rec.to[0] != "pat@example.test" {
		t.Fatalf("sent %d to %v, want 1 to the known account", n, rec.to)
	}
	body := decodeQPBody(rec.msgs[0])
	m := resetLink.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no link in:\n%s", body)
	}
	token := m[1]
	if err := f.a.Accounts.CheckPasswordReset(ctx, token); err != nil {
		t.Fatal(err)
	}
	if err := f.a.Accounts.ResetPassword(ctx, token, "short", "192.0.2.1"); holdspace.ErrorCode(err) != holdspace.EINVALID {
		t.Fatalf("a weak password: %v", err)
	}
	if err := f.a.Accounts.ResetPassword(ctx, token, "a brand new long password", "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	// Signed out everywhere: the old token, and the calendar feed.
	if _, err := f.a.Accounts.Authenticate(ctx, old.Token, "api"); holdspace.ErrorCode(err) != holdspace.EUNAUTHORIZED {
		t.Fatalf("old token after reset: %v", err)
	}
	if _, err := f.a.Calendars.CalendarFeedICS(ctx, feed.Token); holdspace.ErrorCode(err) != holdspace.ENOTFOUND {
		t.Fatalf("feed after reset: %v", err)
	}
	if _, err := f.a.Accounts.Login(ctx, "pat@example.test", "a brand new long password", "192.0.2.1", "api"); err != nil {
		t.Fatalf("new password: %v", err)
	}
	// Single use.
	if err := f.a.Accounts.ResetPassword(ctx, token, "another long password here", "192.0.2.1"); holdspace.ErrorReason(err) != "reset_unusable" {
		t.Fatalf("second use: %v", err)
	}
	// 30 minutes: a link 31 minutes old does not work.
	f.clk.advance(time.Hour) // past the per-email limit too
	if err := f.a.Accounts.RequestPasswordReset(ctx, "pat@example.test", "192.0.2.2"); err != nil {
		t.Fatal(err)
	}
	f.send(t)
	token2 := resetLink.FindStringSubmatch(decodeQPBody(rec.msgs[len(rec.msgs)-1]))[1]
	f.clk.advance(31 * time.Minute)
	if err := f.a.Accounts.CheckPasswordReset(ctx, token2); holdspace.ErrorReason(err) != "reset_unusable" {
		t.Fatalf("a 31-minute-old link: %v", err)
	}
	// Audited.
	var actions []string
	if err := f.a.DB().View(ctx, func(tx store.Tx) error {
		es, err := tx.ListAudit(ctx, store.AuditFilter{})
		for _, e := range es {
			if e.Action == "auth.reset_requested" || e.Action == "auth.password_reset" {
				actions = append(actions, e.Action)
			}
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(actions) != 3 {
		t.Fatalf("audited %v", actions)
	}
}

// TestPasswordResetRateLimited: requests for one email are limited whether
// or not it has an account, with the same answer.
func TestPasswordResetRateLimited(t *testing.T) {
	f := newMailFixture(t, &recordingSender{})
	ctx := context.Background()
	for _, email := range []string{"pat@example.test", "nobody@example.test"} {
		var last error
		for i := range 5 {
			last = f.a.Accounts.RequestPasswordReset(ctx, email, "192.0.2."+string(rune('1'+i)))
		}
		var rl *RateLimitedError
		if !errorsAs(last, &rl) {
			t.Fatalf("%s: 5 requests: %v", email, last)
		}
	}
}
