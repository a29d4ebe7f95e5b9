package web_test

import (
	"context"
	"io"
	"mime/quotedprintable"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"holdspace/app"
	"holdspace/server"
)

type sentMail struct {
	mu   sync.Mutex
	msgs []string
}

func (s *sentMail) Send(_ context.Context, _, _ string, msg []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, body, _ := strings.Cut(string(msg), "\r\n\r\n")
	b, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(body)))
	if err != nil {
		return err
	}
	s.msgs = append(s.msgs, string(b))
	return nil
}

var resetPathRE = regexp.MustCompile(`/reset/([A-Za-z0-9_-]+)`)

// TestResetPasswordPages: "Forgot password?" answers the same for a known
// and an unknown email; the emailed link sets a new password once, signs
// the account out everywhere and sends the holder to sign in.
func TestResetPasswordPages(t *testing.T) {
	sent := &sentMail{}
	e := newEnvWith(t, func(c *app.Config) {
		c.Mail = app.MailConfig{Sender: sent, From: "Praxis <praxis@example.test>"}
		c.BaseURL = "https://practice.example.test"
	}, server.Config{})
	signedIn := e.browser()
	signedIn.login("alex@example.test")

	b := e.browser()
	b.get("/login")
	if !strings.Contains(b.last, `href="/forgot"`) {
		t.Fatal("no Forgot password? link on the sign-in page")
	}
	page := func(email string) string {
		b.get("/forgot")
		if resp := b.post("/forgot", url.Values{"email": {email}}); resp.StatusCode != http.StatusOK || !strings.Contains(b.last, `id="reset-sent"`) {
			t.Fatalf("forgot %s: %d\n%s", email, resp.StatusCode, b.last)
		}
		return regexp.MustCompile(`name="csrf" value="[^"]+"`).ReplaceAllString(b.last, "")
	}
	if known, unknown := page("alex@example.test"), page("nobody@example.test"); known != unknown {
		t.Fatal("the answer differs for a known and an unknown email")
	}
	if n, err := e.app.Mail.SendDueMail(context.Background()); err != nil || n != 1 {
		t.Fatalf("sent %d, %v", n, err)
	}
	m := resetPathRE.FindStringSubmatch(sent.msgs[0])
	if m == nil {
		t.Fatalf("no link in %s", sent.msgs[0])
	}
	path := m[0]
	if resp := b.get(path); resp.StatusCode != http.StatusOK {
		t.Fatalf("reset page: %d", resp.StatusCode)
	}
	if resp := b.post(path, url.Values{"password": {"a brand new long password"}, "password2": {"something else entirely"}}); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("mismatch: %d", resp.StatusCode)
	}
	resp := b.post(path, url.Values{"password": {"a brand new long password"}, "password2": {"a brand new long password"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?reset=1" {
		t.Fatalf("reset: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), b.last)
	}
	// Signed out everywhere.
	if resp := signedIn.get("/me"); resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "/login") {
		t.Fatalf("the other browser is still signed in: %d", resp.StatusCode)
	}
	b.get("/login?reset=1")
	if !strings.Contains(b.last, "Your new password is set") {
		t.Fatal("no notice after the reset")
	}
	if resp := b.post("/login", url.Values{"email": {"alex@example.test"}, "password": {"a brand new long password"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in with the new password: %d", resp.StatusCode)
	}
	// The link worked once.
	if resp := b.get(path); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("a used link: %d", resp.StatusCode)
	}
}

// TestForgotPasswordMailOff: without email the page says to ask the
// practice.
func TestForgotPasswordMailOff(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	if resp := b.get("/forgot"); resp.StatusCode != http.StatusOK || !strings.Contains(b.last, `id="mail-off"`) {
		t.Fatalf("forgot with email off: %d\n%s", resp.StatusCode, b.last)
	}
}

var feedURLRE = regexp.MustCompile(`id="feed-url" readonly value="([^"]+)"`)

// TestCalendarFeedPages: a practitioner makes, uses and stops their feed
// from the account page; the feed needs no sign-in; clients have no feed
// but download their own session's file from its page.
func TestCalendarFeedPages(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	s, err := e.app.Sessions.CreateSession(ctx, e.pract, app.SessionInput{ClientID: e.alex.UserID, Intent: "therapeutic",
		StartsAt: time.Now().Add(2 * time.Hour).UTC().Format(time.RFC3339)})
	if err != nil {
		t.Fatal(err)
	}
	robin := e.browser()
	robin.login("robin@example.test")
	robin.get("/account")
	if !strings.Contains(robin.last, `id="feed-off"`) {
		t.Fatalf("no feed section:\n%s", robin.last)
	}
	if resp := robin.post("/account/calendar-feed", nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("make feed: %d", resp.StatusCode)
	}
	m := feedURLRE.FindStringSubmatch(robin.last)
	if m == nil || !strings.HasPrefix(m[1], e.srv.URL+"/feeds/") {
		t.Fatalf("no feed URL on the page:\n%s", robin.last)
	}
	get := func(u string) (*http.Response, string) {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	resp, body := get(m[1])
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/calendar") ||
		!strings.Contains(body, "SUMMARY:Session (A.M.)") || strings.Contains(body, "Alex") || strings.Contains(body, "therapeutic") {
		t.Fatalf("feed: %d %s\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	robin.get("/account")
	if !strings.Contains(robin.last, `id="feed-on"`) {
		t.Fatal("the account page does not show the feed on")
	}
	if resp := robin.post("/account/calendar-feed/revoke", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	if resp, _ := get(m[1]); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("a revoked feed: %d", resp.StatusCode)
	}

	alex := e.browser()
	alex.login("alex@example.test")
	alex.get("/account")
	if strings.Contains(alex.last, "feed-create") {
		t.Fatal("a client is offered a feed")
	}
	if resp := alex.post("/account/calendar-feed", nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("client makes a feed: %d", resp.StatusCode)
	}
	alex.get("/sessions/" + s.ID)
	if !strings.Contains(alex.last, `href="/sessions/`+s.ID+`/calendar.ics"`) {
		t.Fatalf("no Add to calendar link:\n%s", alex.last)
	}
	if resp := alex.get("/sessions/" + s.ID + "/calendar.ics"); resp.StatusCode != http.StatusOK || !strings.Contains(alex.last, "BEGIN:VEVENT") ||
		!strings.Contains(alex.last, "UID:"+s.ID+"@") {
		t.Fatalf("client's file: %d\n%s", resp.StatusCode, alex.last)
	}
	kim := e.browser()
	kim.login("kim@example.test")
	if resp := kim.get("/sessions/" + s.ID + "/calendar.ics"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("another client's file: %d", resp.StatusCode)
	}
}
