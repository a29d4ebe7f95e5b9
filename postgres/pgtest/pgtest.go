// Package pgtest gives tests a fresh PostgreSQL database each. PostgreSQL
// must answer at HOLDSPACE_TEST_POSTGRES (default: the local server on
// 127.0.0.1:5432); without it the calling test fails, never skips, because a
// test that skips did not run.
package pgtest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// DefaultURL is the maintenance database used when HOLDSPACE_TEST_POSTGRES
// is not set.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// BaseURL is the maintenance database: HOLDSPACE_TEST_POSTGRES, else
// DefaultURL.
func BaseURL() string {
	if u := os.Getenv("HOLDSPACE_TEST_POSTGRES"); u != "" {
		return u
	}
	return DefaultURL
}

var (
	maintOnce sync.Once
	maint     *sql.DB
	maintErr  error
)

// FreshURL creates an empty database for tb, dropped (with FORCE) when tb
// ends, and returns its URL.
func FreshURL(tb testing.TB) string {
	tb.Helper()
	maintOnce.Do(func() {
		maint, maintErr = sql.Open("pgx", BaseURL())
		if maintErr == nil {
			maintErr = maint.Ping()
		}
	})
	if maintErr != nil {
		tb.Fatalf("PostgreSQL is needed for these tests and is not reachable at %s (set HOLDSPACE_TEST_POSTGRES, or run scripts/test): %v", BaseURL(), maintErr)
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatal(err)
	}
	name := "hs_" + hex.EncodeToString(b[:])
	if _, err := maint.Exec("CREATE DATABASE " + name); err != nil {
		tb.Fatalf("create test database: %v", err)
	}
	tb.Cleanup(func() {
		if _, err := maint.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			tb.Errorf("drop test database %s: %v", name, err)
		}
	})
	u, err := url.Parse(BaseURL())
	if err != nil {
		tb.Fatalf("parse %s: %v", BaseURL(), err)
	}
	u.Path = "/" + name
	return u.String()
}
