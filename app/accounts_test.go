package app_test

import (
	"context"
	"testing"
	"time"

	"holdspace"
	"holdspace/app"
	"holdspace/app/apptest"
)

// TestPruneTokens: expired tokens are deleted; live ones stay.
func TestPruneTokens(t *testing.T) {
	ctx := context.Background()
	short := apptest.New(t, func(c *app.Config) { c.TokenTTL = time.Microsecond })
	if _, err := short.People.CreateUser(ctx, app.System, app.NewUser{Role: holdspace.RoleAdmin, Name: "A", Email: "a@example.test", Password: "a long test password"}); err != nil {
		t.Fatal(err)
	}
	s, err := short.Accounts.Login(ctx, "a@example.test", "a long test password", "192.0.2.1", "api")
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Millisecond)
	n, err := short.Accounts.PruneTokens(ctx, 0)
	if err != nil || n != 1 {
		t.Fatalf("PruneTokens = %d, %v; want 1", n, err)
	}
	if _, err := short.Accounts.Authenticate(ctx, s.Token, "api"); holdspace.ErrorCode(err) != holdspace.EUNAUTHORIZED {
		t.Fatalf("pruned token: %v", err)
	}
	long := apptest.New(t, nil)
	if _, err := long.People.CreateUser(ctx, app.System, app.NewUser{Role: holdspace.RoleAdmin, Name: "A", Email: "a@example.test", Password: "a long test password"}); err != nil {
		t.Fatal(err)
	}
	s, err = long.Accounts.Login(ctx, "a@example.test", "a long test password", "192.0.2.1", "api")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := long.Accounts.PruneTokens(ctx, 0); err != nil || n != 0 {
		t.Fatalf("PruneTokens of a live token = %d, %v", n, err)
	}
	if _, err := long.Accounts.Authenticate(ctx, s.Token, "api"); err != nil {
		t.Fatalf("live token after pruning: %v", err)
	}
}
