// Package apptest builds the real services for tests of the layers above it: an
// SQLite store in the test's temporary directory, a fresh keyring and cheap
// password hashing (production uses RFC 9106's parameters).
package apptest

import (
	"testing"

	"holdspace/app"
	"holdspace/authn"
	"holdspace/seal"
	"holdspace/sqlite/sqlitetest"
)

// Argon2 is password hashing cheap enough for test suites.
var Argon2 = authn.Params{Time: 1, MemoryKiB: 8 * 1024, Threads: 1, SaltLen: 16, KeyLen: 32}

// New returns the services over a fresh SQLite database that closes when tb ends.
// configure, if not nil, may change the configuration before the services are
// built.
func New(tb testing.TB, configure func(*app.Config)) *app.Services {
	tb.Helper()
	db := sqlitetest.Open(tb)
	keys, err := seal.NewKeyring()
	if err != nil {
		tb.Fatal(err)
	}
	cfg := app.Config{DB: db, Keys: keys, Policies: app.Policies{Argon2: Argon2}}
	if configure != nil {
		configure(&cfg)
	}
	a, err := app.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}
