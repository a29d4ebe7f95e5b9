package main

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestTokens(t *testing.T) {
	t.Parallel()
	data := freshData(t)
	addUser(t, data, "admin", "admin@example.test", "Admin One", "correct horse battery")
	n := start(t, data, map[string]string{"HOLDSPACE_TOKEN_TTL": "2s"}, "serve")

	t.Run("OK", func(t *testing.T) {
		r := n.must(200, "POST", "/api/v1/auth/token", "", map[string]string{"email": "Admin@Example.test", "password": "correct horse battery"})
		if r.str("role") != "admin" || r.str("user_id") == "" || !strings.HasPrefix(r.str("token"), "hs_") {
			t.Fatalf("token response: %s", r.Raw)
		}
		exp, err := time.Parse(time.RFC3339, r.str("expires_at"))
		if err != nil || exp.Location() != time.UTC || time.Until(exp) > 3*time.Second {
			t.Fatalf("expires_at %q: %v", r.str("expires_at"), err)
		}
		me := n.must(200, "GET", "/api/v1/me", r.str("token"), nil)
		if me.str("email") != "admin@example.test" || me.str("role") != "admin" {
			t.Fatalf("me: %s", me.Raw)
		}
	})
	t.Run("ErrWrongPassword", func(t *testing.T) {
		r := n.must(401, "POST", "/api/v1/auth/token", "", map[string]string{"email": "admin@example.test", "password": "wrong password!"})
		if r.errCode() != "invalid_credentials" {
			t.Fatalf("code %q", r.errCode())
		}
	})
	t.Run("ErrUnknownEmailSameAnswer", func(t *testing.T) {
		r := n.must(401, "POST", "/api/v1/auth/token", "", map[string]string{"email": "nobody@example.test", "password": "correct horse battery"})
		if r.errCode() != "invalid_credentials" {
			t.Fatalf("code %q", r.errCode())
		}
	})
	t.Run("ErrExpired", func(t *testing.T) {
		tok := n.login("admin@example.test", "correct horse battery")
		n.must(200, "GET", "/api/v1/me", tok, nil)
		time.Sleep(2100 * time.Millisecond)
		r := n.must(401, "GET", "/api/v1/me", tok, nil)
		if r.errCode() != "invalid_token" {
			t.Fatalf("code %q", r.errCode())
		}
	})
	t.Run("ErrRevoked", func(t *testing.T) {
		tok := n.login("admin@example.test", "correct horse battery")
		n.must(204, "DELETE", "/api/v1/auth/token", tok, nil)
		if r := n.must(401, "GET", "/api/v1/me", tok, nil); r.errCode() != "invalid_token" {
			t.Fatalf("code %q", r.errCode())
		}
	})
	t.Run("ErrMissingAndMalformedToken", func(t *testing.T) {
		if r := n.must(401, "GET", "/api/v1/me", "", nil); r.errCode() != "missing_token" || r.Header.Get("WWW-Authenticate") == "" {
			t.Fatalf("missing: %s %v", r.Raw, r.Header)
		}
		if r := n.must(401, "GET", "/api/v1/me", "hs_not-a-real-token", nil); r.errCode() != "invalid_token" {
			t.Fatalf("bad: %s", r.Raw)
		}
	})
}

func TestLoginRateLimit(t *testing.T) {
	t.Parallel()
	data := freshData(t)
	addUser(t, data, "admin", "admin@example.test", "Admin One", "correct horse battery")
	n := start(t, data, nil, "serve")
	for i := 0; i < 5; i++ {
		n.must(401, "POST", "/api/v1/auth/token", "", map[string]string{"email": "admin@example.test", "password": "guess number " + strconv.Itoa(i)})
	}
	// The sixth attempt is refused before the password is even checked,
	// the right password included.
	r := n.must(429, "POST", "/api/v1/auth/token", "", map[string]string{"email": "admin@example.test", "password": "correct horse battery"})
	if r.errCode() != "rate_limited" {
		t.Fatalf("code %q", r.errCode())
	}
	ra, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || ra < 1 || ra > 15*60 {
		t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	// Per address too: guesses spread over many accounts from one address.
	for i := 0; i < 20; i++ {
		r := n.call("POST", "/api/v1/auth/token", "", map[string]string{"email": "user" + strconv.Itoa(i) + "@example.test", "password": "guess guess guess"})
		if r.Status == 429 {
			return
		}
	}
	t.Fatal("20 failures from one address were never rate-limited")
}

func TestUserAddRefusesPasswordOnCommandLine(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"user", "add", "--data", t.TempDir(), "--role", "admin", "--email", "a@example.test", "--name", "A"},
		testEnv(nil), strings.NewReader("secret password\n"), &out, &errb)
	if err == nil || exitCode(err) != 2 {
		t.Fatalf("want a usage error, got %v", err)
	}
}

// TestBehindAProxy: with the load balancer trusted, rate limits key on the
// client's address from X-Forwarded-For, so one guesser cannot lock
// everyone else out; cookies are Secure and HSTS is sent.
func TestBehindAProxy(t *testing.T) {
	t.Parallel()
	data := freshData(t)
	addUser(t, data, "admin", "admin@example.test", "Admin One", "correct horse battery")
	n := start(t, data, nil, "serve", "--trusted-proxies", "127.0.0.1", "--secure-cookies")
	login := func(xff, email, pw string) *http.Response {
		req, _ := http.NewRequest("POST", n.url+"/api/v1/auth/token", strings.NewReader(`{"email":"`+email+`","password":"`+pw+`"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", xff)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	limited := false
	for i := 0; i < 25 && !limited; i++ {
		limited = login("198.51.100.66", "guess"+strconv.Itoa(i)+"@example.test", "guess guess guess").StatusCode == 429
	}
	if !limited {
		t.Fatal("the guessing client was never rate-limited")
	}
	r := login("203.0.113.10", "admin@example.test", "correct horse battery")
	if r.StatusCode != 200 {
		t.Fatalf("another client behind the same proxy got %d", r.StatusCode)
	}
	if !strings.Contains(r.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Errorf("no HSTS behind a TLS-ending proxy: %v", r.Header)
	}
	// Web cookies are Secure.
	resp, err := http.Get(n.url + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(resp.Cookies()) == 0 {
		t.Fatal("the sign-in page set no cookie to check")
	}
	for _, c := range resp.Cookies() {
		if !c.Secure {
			t.Errorf("cookie %s is not Secure", c.Name)
		}
	}
}

func TestUnreadableSecretFileIsAnError(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	env := testEnv(map[string]string{"HOLDSPACE_DATABASE_FILE": filepath.Join(t.TempDir(), "missing")})
	err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir()}, env, nil, &out, &errb)
	if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), "HOLDSPACE_DATABASE_FILE") {
		t.Fatalf("want a usage error naming HOLDSPACE_DATABASE_FILE, got %v", err)
	}
}
