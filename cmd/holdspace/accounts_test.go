package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"holdspace/authn"
)

// loginFrom signs in over the API from the address in X-Forwarded-For (the
// server trusts 127.0.0.1 as its proxy), with an optional device cookie.
func loginFrom(t *testing.T, n *node, addr, email, password, device, otp string) response {
	t.Helper()
	body := map[string]string{"email": email, "password": password}
	if device != "" {
		body["device"] = device
	}
	if otp != "" {
		body["otp"] = otp
	}
	b, _ := jsonMarshal(body)
	req, _ := http.NewRequest("POST", n.url+"/api/v1/auth/token", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", addr)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return readResponse(t, resp)
}

// TestAttackerCannotLockOutKnownDevice replays "anyone can lock anyone
// out": an attacker fails hundreds of times from many addresses; the
// holder's known device still signs in at once, is told about the
// attempts, and an unknown browser stays held.
func TestAttackerCannotLockOutKnownDevice(t *testing.T) {
	t.Parallel()
	data := freshData(t)
	addUser(t, data, "admin", "owner@example.test", "Owner", fixturePassword)
	// A long first delay: the lockout must still hold when the holder's
	// browser signs in at the end, however slow the machine (with the
	// default of one second a loaded machine let it run out).
	n := start(t, data, nil, "serve", "--trusted-proxies", "127.0.0.1", "--login-delay", "10m")
	first := loginFrom(t, n, "192.0.2.10", "owner@example.test", fixturePassword, "", "")
	device := first.str("device")
	if first.Status != 200 || !strings.HasPrefix(device, "d1.") {
		t.Fatalf("first sign-in: %d %s", first.Status, first.Raw)
	}
	refused := 0
	for i := range 60 {
		r := loginFrom(t, n, "198.51.100."+strconv.Itoa(i%30), "OWNER@example.test", "wrong guess number "+strconv.Itoa(i), "", "")
		if r.Status == 429 {
			refused++
		}
	}
	if refused == 0 {
		t.Fatal("the attacker was never slowed down")
	}
	// An unknown browser, even with the right password, is held.
	if r := loginFrom(t, n, "203.0.113.5", "owner@example.test", fixturePassword, "", ""); r.Status != 429 {
		t.Fatalf("unknown browser during the lockout: %d %s", r.Status, r.Raw)
	}
	// A forged or another account's device cookie does not help. It is
	// asked right after the unknown browser was held: a held attempt is
	// refused before any password hashing, so both fall inside the same
	// growing delay however slow the machine (asked after the holder's own
	// sign-in, which hashes, a loaded machine let the delay run out).
	if r := loginFrom(t, n, "203.0.113.6", "owner@example.test", fixturePassword, device+"x", ""); r.Status != 429 {
		t.Fatalf("forged device cookie: %d", r.Status)
	}
	// The holder's device is not.
	r := loginFrom(t, n, "192.0.2.10", "owner@example.test", fixturePassword, device, "")
	if r.Status != 200 {
		t.Fatalf("the known device was locked out: %d %s", r.Status, r.Raw)
	}
	if fa, _ := r.Body["failed_attempts"].(float64); fa < 10 || r.Body["locked_out"] != true {
		t.Fatalf("the holder was not told about the attack: %s", r.Raw)
	}

	// The web: the browser holding the device cookie signs in and is shown
	// the lockout.
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(n.url)
	jar.SetCookies(u, []*http.Cookie{{Name: "holdspace-device", Value: r.str("device"), Path: "/"}})
	c := &http.Client{Jar: jar}
	page := webLogin(t, c, n, "owner@example.test", fixturePassword, "")
	if !strings.Contains(page, "failed attempts") || !strings.Contains(page, "paused") {
		t.Fatalf("the web did not show the lockout to the holder:\n%s", page)
	}
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// webLogin signs in through the login form and returns the page landed on.
func webLogin(t *testing.T, c *http.Client, n *node, email, password, otp string) string {
	t.Helper()
	page := webGet(t, c, n.url+"/login")
	m := csrfRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no csrf on the login page")
	}
	return webPost(t, c, n.url+"/login", url.Values{"csrf": {m[1]}, "email": {email}, "password": {password}, "otp": {otp}})
}

func webGet(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func webPost(t *testing.T, c *http.Client, u string, v url.Values) string {
	t.Helper()
	resp, err := c.PostForm(u, v)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return fmt.Sprintf("%d %s\n%s", resp.StatusCode, resp.Request.URL.Path, b)
}

// TestInvitationsNotPasswordsSetByOthers replays "the practitioner sets
// the client's password": refused with 400; the client chooses their own
// through a single-use link; an admin-set password must be replaced at
// the first web sign-in.
func TestInvitationsNotPasswordsSetByOthers(t *testing.T) {
	t.Parallel()
	f := newPractice(t, nil)
	n := f.n
	body := map[string]any{"name": "Ines Invited", "email": "ines@example.test", "birth_date": "1990-02-02", "password": "the practitioner knows it"}
	if r := n.must(400, "POST", "/api/v1/clients", f.p1, body); r.errCode() != "password_not_allowed" {
		t.Fatalf("code %q", r.errCode())
	}
	delete(body, "password")
	r := n.must(201, "POST", "/api/v1/clients", f.p1, body)
	inv, _ := r.Body["invitation"].(map[string]any)
	link, _ := inv["url"].(string)
	if !strings.Contains(link, "/invite/hs_") {
		t.Fatalf("no invitation link: %s", r.Raw)
	}
	// The practitioner cannot log in as the client: no password exists.
	if r := n.call("POST", "/api/v1/auth/token", "", map[string]string{"email": "ines@example.test", "password": "the practitioner knows it"}); r.Status != 401 {
		t.Fatalf("login without a password: %d", r.Status)
	}
	// The client opens the link and chooses a password.
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	page := webGet(t, c, link)
	m := csrfRe.FindStringSubmatch(page)
	if m == nil || !strings.Contains(page, "Choose your password") {
		t.Fatalf("invitation page:\n%s", page)
	}
	weak := webPost(t, c, link, url.Values{"csrf": {m[1]}, "password": {"password1234"}, "password2": {"password1234"}})
	if !strings.HasPrefix(weak, "400") || !strings.Contains(weak, "too common") {
		t.Fatalf("a common password was accepted:\n%s", weak)
	}
	got := webPost(t, c, link, url.Values{"csrf": {m[1]}, "password": {"ines own long secret"}, "password2": {"ines own long secret"}})
	if !strings.HasPrefix(got, "200 /me") {
		t.Fatalf("after choosing the password: %.300s", got)
	}
	// Single use.
	again := webGet(t, &http.Client{}, link)
	if !strings.Contains(again, "has been used") {
		t.Fatalf("the link works twice:\n%.500s", again)
	}
	tok := n.login("ines@example.test", "ines own long secret")
	n.must(200, "GET", "/api/v1/me", tok, nil)

	// An admin may set a first password through the API; the holder
	// must choose their own at the first web sign-in.
	id := n.must(201, "POST", "/api/v1/clients", f.admin, map[string]any{"name": "Migrated Person", "email": "mig@example.test",
		"birth_date": "1970-03-03", "password": "set by the admin 1", "practitioner_ids": []string{f.p1ID}}).str("id")
	if lr := n.must(200, "POST", "/api/v1/auth/token", "", map[string]string{"email": "mig@example.test", "password": "set by the admin 1"}); lr.Body["must_change_password"] != true {
		t.Fatalf("must_change_password missing: %s", lr.Raw)
	}
	jar2, _ := cookiejar.New(nil)
	c2 := &http.Client{Jar: jar2}
	landed := webLogin(t, c2, n, "mig@example.test", "set by the admin 1", "")
	if !strings.HasPrefix(landed, "200 /account/password") {
		t.Fatalf("admin-set password not forced to change: %.300s", landed)
	}
	if p := webGet(t, c2, n.url+"/me"); !strings.Contains(p, "set by someone else") {
		t.Fatalf("another page reachable before choosing a password:\n%.300s", p)
	}
	m = csrfRe.FindStringSubmatch(landed)
	done := webPost(t, c2, n.url+"/account/password", url.Values{"csrf": {m[1]}, "current_password": {"set by the admin 1"},
		"password": {"my very own secret"}, "password2": {"my very own secret"}})
	if !strings.HasPrefix(done, "200 /account") {
		t.Fatalf("change: %.300s", done)
	}
	n.must(200, "GET", "/api/v1/clients/"+id, n.login("mig@example.test", "my very own secret"), nil)

	// A practitioner may issue a new link for their own client only.
	n.must(201, "POST", "/api/v1/users/"+f.c1ID+"/invitations", f.p1, nil)
	n.must(404, "POST", "/api/v1/users/"+f.c2ID+"/invitations", f.p1, nil)
}

// TestSelfServicePasswordAndSessions: a holder changes their own password
// (others are signed out, this session stays), lists their sessions and
// signs out everywhere else.
func TestSelfServicePasswordAndSessions(t *testing.T) {
	t.Parallel()
	f := newPractice(t, nil)
	n := f.n
	other := n.login("c1@example.test", fixturePassword)
	r := n.must(200, "GET", "/api/v1/me/sessions", f.c1, nil)
	ss, _ := r.Body["sessions"].([]any)
	if len(ss) != 2 {
		t.Fatalf("sessions: %s", r.Raw)
	}
	n.must(204, "POST", "/api/v1/me/sessions/sign-out-others", f.c1, nil)
	n.must(401, "GET", "/api/v1/me", other, nil)
	n.must(200, "GET", "/api/v1/me", f.c1, nil)

	other = n.login("c1@example.test", fixturePassword)
	if r := n.must(400, "POST", "/api/v1/me/password", f.c1, map[string]string{"current_password": "wrong one", "password": "a new long secret"}); r.errCode() != "wrong_password" {
		t.Fatalf("code %q", r.errCode())
	}
	if r := n.must(400, "POST", "/api/v1/me/password", f.c1, map[string]string{"current_password": fixturePassword, "password": "aaaaaaaaaaaaaaa"}); r.errCode() != "password_common" {
		t.Fatalf("code %q", r.errCode())
	}
	if r := n.must(400, "POST", "/api/v1/me/password", f.c1, map[string]string{"current_password": fixturePassword, "password": "short one"}); r.errCode() != "password_too_short" {
		t.Fatalf("code %q", r.errCode())
	}
	n.must(204, "POST", "/api/v1/me/password", f.c1, map[string]string{"current_password": fixturePassword, "password": "a new long secret"})
	n.must(401, "GET", "/api/v1/me", other, nil)
	n.must(200, "GET", "/api/v1/me", f.c1, nil)
	n.login("c1@example.test", "a new long secret")
}

// TestDisableAccountAndRevokeCredential replays "no way to disable an
// account or revoke a credential".
func TestDisableAccountAndRevokeCredential(t *testing.T) {
	t.Parallel()
	f := newPractice(t, nil)
	n := f.n
	f.signedAgreement(t, []map[string]string{grant("shoulders", "massage", "yes")})
	ses := f.session(t)
	decide := map[string]string{"session_id": ses, "region": "shoulders", "technique": "massage"}
	n.must(204, "POST", "/api/v1/users/"+f.p1ID+"/disable", f.admin, nil)
	// Signed out everywhere, and cannot sign in.
	n.must(401, "GET", "/api/v1/me", f.p1, nil)
	if r := n.must(401, "POST", "/api/v1/auth/token", "", map[string]string{"email": "p1@example.test", "password": fixturePassword}); r.errCode() != "account_disabled" {
		t.Fatalf("code %q", r.errCode())
	}
	// Every decision in the disabled practitioner's session denies.
	d := n.must(200, "POST", "/api/v1/decisions", f.c1, decide)
	if d.str("decision") != "deny" || !strings.Contains(string(d.Raw), "not_qualified") {
		t.Fatalf("decision with a disabled practitioner: %s", d.Raw)
	}
	n.must(409, "POST", "/api/v1/users/"+mustMeID(t, n, f.admin)+"/disable", f.admin, nil)
	n.must(204, "POST", "/api/v1/users/"+f.p1ID+"/enable", f.admin, nil)
	p1 := n.login("p1@example.test", fixturePassword)
	if d := n.must(200, "POST", "/api/v1/decisions", f.c1, decide); strings.Contains(string(d.Raw), "account is disabled") {
		t.Fatalf("still disabled after enabling: %s", d.Raw)
	}

	// Revoke the internal-work credential: in force for the very next
	// read and decision.
	pr := n.must(200, "GET", "/api/v1/practitioners/"+f.p1ID, p1, nil)
	creds, _ := pr.Body["credentials"].([]any)
	cred, _ := creds[0].(map[string]any)
	cid, _ := cred["id"].(string)
	internal := map[string]string{"session_id": ses, "region": "rectum", "technique": "touch"}
	if d := n.must(200, "POST", "/api/v1/decisions", f.c1, internal); strings.Contains(string(d.Raw), "not_qualified") {
		t.Fatalf("not_qualified before the revocation: %s", d.Raw)
	}
	if r := n.must(400, "POST", "/api/v1/practitioners/"+f.p1ID+"/credentials/"+cid+"/revoke", f.admin, map[string]string{"reason": "  "}); r.errCode() != "required" {
		t.Fatalf("code %q", r.errCode())
	}
	n.must(204, "POST", "/api/v1/practitioners/"+f.p1ID+"/credentials/"+cid+"/revoke", f.admin, map[string]string{"reason": "suspended by the college"})
	n.must(409, "POST", "/api/v1/practitioners/"+f.p1ID+"/credentials/"+cid+"/revoke", f.admin, map[string]string{"reason": "again"})
	pr = n.must(200, "GET", "/api/v1/practitioners/"+f.p1ID, p1, nil)
	if !strings.Contains(string(pr.Raw), `"revoked_reason":"suspended by the college"`) {
		t.Fatalf("revocation not shown: %s", pr.Raw)
	}
	d = n.must(200, "POST", "/api/v1/decisions", f.c1, internal)
	if !strings.Contains(string(d.Raw), "not_qualified") {
		t.Fatalf("internal work right after the revocation: %s", d.Raw)
	}
}

func mustMeID(t *testing.T, n *node, tok string) string {
	t.Helper()
	return n.must(200, "GET", "/api/v1/me", tok, nil).str("id")
}

// TestSecondFactor: TOTP enrolment, sign-in with otp, recovery codes used
// once, and the practice setting that requires it.
func TestSecondFactor(t *testing.T) {
	t.Parallel()
	data := freshData(t)
	addUser(t, data, "admin", "admin@example.test", "Admin One", fixturePassword)
	n := start(t, data, nil, "serve")
	admin := n.login("admin@example.test", fixturePassword)
	st := n.must(201, "POST", "/api/v1/me/second-factor", admin, nil)
	secret := st.str("secret")
	if !strings.HasPrefix(st.str("otpauth_url"), "otpauth://totp/") {
		t.Fatalf("setup: %s", st.Raw)
	}
	if r := n.must(400, "POST", "/api/v1/me/second-factor/confirm", admin, map[string]string{"otp": "000000"}); r.errCode() != "invalid_otp" {
		t.Fatalf("code %q", r.errCode())
	}
	enrolled := time.Now()
	code, _ := authn.TOTPCode(secret, enrolled)
	cr := n.must(200, "POST", "/api/v1/me/second-factor/confirm", admin, map[string]string{"otp": code})
	codes, _ := cr.Body["recovery_codes"].([]any)
	if len(codes) != authn.RecoveryCodeCount {
		t.Fatalf("recovery codes: %s", cr.Raw)
	}
	if r := n.must(401, "POST", "/api/v1/auth/token", "", map[string]string{"email": "admin@example.test", "password": fixturePassword}); r.errCode() != "otp_required" {
		t.Fatalf("code %q", r.errCode())
	}
	if r := n.must(401, "POST", "/api/v1/auth/token", "", map[string]any{"email": "admin@example.test", "password": fixturePassword, "otp": "123456"}); r.errCode() != "invalid_otp" {
		t.Fatalf("code %q", r.errCode())
	}
	// The enrolment's code is spent; the next step's code works once.
	if r := n.must(401, "POST", "/api/v1/auth/token", "", map[string]any{"email": "admin@example.test", "password": fixturePassword, "otp": code}); r.errCode() != "invalid_otp" {
		t.Fatalf("the enrolment code was accepted again: %q", r.errCode())
	}
	code, _ = authn.TOTPCode(secret, enrolled.Add(30*time.Second))
	n.must(200, "POST", "/api/v1/auth/token", "", map[string]any{"email": "admin@example.test", "password": fixturePassword, "otp": code})
	if r := n.must(401, "POST", "/api/v1/auth/token", "", map[string]any{"email": "admin@example.test", "password": fixturePassword, "otp": code}); r.errCode() != "invalid_otp" {
		t.Fatalf("a TOTP code was accepted twice: %q", r.errCode())
	}
	rc, _ := codes[0].(string)
	n.must(200, "POST", "/api/v1/auth/token", "", map[string]any{"email": "admin@example.test", "password": fixturePassword, "otp": rc})
	if r := n.must(401, "POST", "/api/v1/auth/token", "", map[string]any{"email": "admin@example.test", "password": fixturePassword, "otp": rc}); r.errCode() != "invalid_otp" {
		t.Fatalf("recovery code used twice: %q", r.errCode())
	}
	if me := n.must(200, "GET", "/api/v1/me", admin, nil); me.Body["second_factor"] != true {
		t.Fatalf("me: %s", me.Raw)
	}
	// The web: the form takes the code.
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	if p := webLogin(t, c, n, "admin@example.test", fixturePassword, ""); !strings.Contains(p, "second factor") {
		t.Fatalf("web without a code:\n%.400s", p)
	}
	web, _ := codes[1].(string)
	if p := webLogin(t, c, n, "admin@example.test", fixturePassword, web); !strings.HasPrefix(p, "200 /admin") {
		t.Fatalf("web with a recovery code: %.300s", p)
	}
	n.stop()

	// With the practice setting on, a practitioner without a second factor
	// cannot get an API token, and the web sends them to set one up.
	n = start(t, data, map[string]string{"HOLDSPACE_REQUIRE_SECOND_FACTOR": "true"}, "serve")
	third, _ := codes[2].(string)
	admin = n.login2fa("admin@example.test", fixturePassword, third)
	n.must(201, "POST", "/api/v1/practitioners", admin, map[string]string{"name": "Pat", "email": "pat@example.test", "password": fixturePassword})
	if r := n.must(401, "POST", "/api/v1/auth/token", "", map[string]string{"email": "pat@example.test", "password": fixturePassword}); r.errCode() != "second_factor_required" {
		t.Fatalf("code %q", r.errCode())
	}
	jar, _ = cookiejar.New(nil)
	c = &http.Client{Jar: jar}
	// Pat's password was set by the admin: first their own, then the factor.
	landed := webLogin(t, c, n, "pat@example.test", fixturePassword, "")
	m := csrfRe.FindStringSubmatch(landed)
	landed = webPost(t, c, n.url+"/account/password", url.Values{"csrf": {m[1]}, "current_password": {fixturePassword},
		"password": {"pats own long secret"}, "password2": {"pats own long secret"}})
	if !strings.HasPrefix(landed, "200 /account") || !strings.Contains(landed, "requires it") {
		t.Fatalf("not sent to set up the factor: %.400s", landed)
	}
	if p := webGet(t, c, n.url+"/console"); !strings.Contains(p, "Set up a second factor") {
		t.Fatalf("console reachable without the required factor:\n%.300s", p)
	}
}

// login2fa returns a bearer token for an account with a second factor.
func (n *node) login2fa(email, password, otp string) string {
	n.t.Helper()
	return n.must(200, "POST", "/api/v1/auth/token", "", map[string]string{"email": email, "password": password, "otp": otp}).str("token")
}

// TestDemoRefusesAPractice replays "holdspace demo --data PROD".
func TestDemoRefusesAPractice(t *testing.T) {
	t.Parallel()
	data := freshData(t)
	addUser(t, data, "admin", "admin@example.test", "Real Admin", fixturePassword)
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := run(ctx, []string{"demo", "--addr", "127.0.0.1:0", "--data", data}, testEnv(nil), strings.NewReader(""), &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "not demo accounts") {
		t.Fatalf("demo on a practice: %v\n%s", err, out.String())
	}
	if strings.Contains(out.String(), "Demo practice ready") {
		t.Fatal("demo accounts were printed")
	}
	// A stray demo-accounts.txt does not make a practice a demo.
	os.WriteFile(filepath.Join(data, demoAccountsFile), []byte("admin\tA\tadmin@example.test\tx\tnote\nclient\tB\tb@demo.holdspace.test\tx\tnote\n"), 0o600)
	addUser(t, data, "admin", "second@example.test", "Another Real Admin", fixturePassword)
	if err := run(ctx, []string{"demo", "--addr", "127.0.0.1:0", "--data", data}, testEnv(nil), strings.NewReader(""), &out, &errb); err == nil {
		t.Fatal("demo ran on a practice holding a demo-accounts.txt")
	}
	// A demo directory made before accounts were marked is recognised by
	// its demo-accounts.txt naming every account, and marked.
	old := t.TempDir()
	addUser(t, old, "admin", "admin@demo.holdspace.test", "Ada Admin", "an old demo password")
	writeDemoAccounts(filepath.Join(old, demoAccountsFile), []demoAccount{{"admin", "Ada Admin", "admin@demo.holdspace.test", "an old demo password", "runs the practice"}})
	od := start(t, old, nil, "demo")
	if me := od.must(200, "GET", "/api/v1/me", od.login("admin@demo.holdspace.test", "an old demo password"), nil); me.Body["demo"] != true {
		t.Fatalf("old demo account not marked: %s", me.Raw)
	}
	// A demo directory is marked: its accounts say so.
	demo := start(t, "", nil, "demo")
	m := regexp.MustCompile(`admin\s+(\S+)\s+password (\S+)`).FindStringSubmatch(demo.stdout.String())
	if m == nil {
		t.Fatalf("no demo admin in:\n%s", demo.stdout.String())
	}
	if me := demo.must(200, "GET", "/api/v1/me", demo.login(m[1], m[2]), nil); me.Body["demo"] != true {
		t.Fatalf("demo account not marked: %s", me.Raw)
	}
}

// TestInputAndTransportLimits replays the reviewer's list: names, strict
// JSON, trickled bodies, uniform answers, list-view audit, audit filters,
// and login logs.
func TestInputAndTransportLimits(t *testing.T) {
	t.Parallel()
	f := newPractice(t, map[string]string{"HOLDSPACE_LOG_LEVEL": "info", "HOLDSPACE_BODY_READ_TIMEOUT": "2s"})
	n := f.n
	client := func(name, email string) map[string]any {
		return map[string]any{"name": name, "email": email, "birth_date": "1990-01-01", "practitioner_ids": []string{f.p1ID}}
	}
	for i, bad := range []string{"Nul\x00Name", "Line\r\nBreak", "Esc\x1b[31m", "Evil\u202Egnp.exe", "\u200B\u200B\u200B", "   "} {
		r := n.call("POST", "/api/v1/clients", f.admin, client(bad, "bad"+strconv.Itoa(i)+"@example.test"))
		if r.Status != 400 || r.Body["error"].(map[string]any)["field"] != "name" {
			t.Errorf("name %q: %d %s", bad, r.Status, r.Raw)
		}
	}
	// Limits count characters: 200 two-byte characters pass, 201 do not;
	// names are stored in NFC.
	n.must(201, "POST", "/api/v1/clients", f.admin, client(strings.Repeat("é", 200), "long@example.test"))
	n.must(400, "POST", "/api/v1/clients", f.admin, client(strings.Repeat("é", 201), "longer@example.test"))
	id := n.must(201, "POST", "/api/v1/clients", f.admin, client("Zoe\u0301", "nfc@example.test")).str("id")
	if got := n.must(200, "GET", "/api/v1/clients/"+id, f.admin, nil).str("name"); got != "Zoé" {
		t.Errorf("name not NFC: %q", got)
	}
	// Strict JSON: exact names, no duplicates.
	if r := n.must(400, "POST", "/api/v1/auth/token", "", `{"EMAIL":"c1@example.test","password":"x"}`); r.errCode() != "unknown_field" {
		t.Errorf("case-folded key: %s", r.Raw)
	}
	if r := n.must(400, "POST", "/api/v1/auth/token", "", `{"email":"a@example.test","email":"c1@example.test","password":"x"}`); r.errCode() != "duplicate_field" {
		t.Errorf("duplicate key: %s", r.Raw)
	}
	// A trickled body does not hold the connection.
	conn, err := net.Dial("tcp", strings.TrimPrefix(n.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
	startAt := time.Now()
	conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	go func() {
		for range 30 {
			time.Sleep(500 * time.Millisecond)
			if _, err := conn.Write([]byte(" ")); err != nil {
				return
			}
		}
	}()
	reply, _ := io.ReadAll(conn)
	if took := time.Since(startAt); took > 8*time.Second || !strings.Contains(string(reply), "400") {
		t.Errorf("trickled body held the connection %v: %q", took, reply)
	}
	// Uniform answers: a practitioner cannot tell a taken email.
	r := n.must(201, "POST", "/api/v1/clients", f.p1, client("Someone", "c2@example.test"))
	if _, ok := r.Body["invitation"]; !ok {
		t.Errorf("answer differs for a taken email: %s", r.Raw)
	}
	// A list view is one audit entry naming the ids shown.
	n.must(200, "GET", "/api/v1/clients", f.admin, nil)
	au := n.must(200, "GET", "/api/v1/audit?order=newest&limit=3", f.admin, nil)
	es, _ := au.Body["entries"].([]any)
	lists := 0
	for _, e := range es {
		if e.(map[string]any)["action"] == "client.list" {
			lists++
		}
		if e.(map[string]any)["action"] == "client.read" {
			t.Errorf("a list view wrote per-client reads: %s", au.Raw)
		}
	}
	if lists != 1 {
		t.Errorf("want one client.list entry: %s", au.Raw)
	}
	// Filters are validated before they reach the chain.
	if r := n.must(400, "GET", "/api/v1/audit?client_id="+strings.Repeat("x", 5000), f.admin, nil); r.errCode() != "invalid_id" {
		t.Errorf("audit filter: %s", r.Raw)
	}
	// Logins are logged with account id and address, never the email or
	// password.
	n.call("POST", "/api/v1/auth/token", "", map[string]string{"email": "c1@example.test", "password": "not the password"})
	logs := n.stderr.String()
	if !strings.Contains(logs, "login failed") || !strings.Contains(logs, "user_id="+f.c1ID) || !strings.Contains(logs, "address=127.0.0.1") {
		t.Errorf("failed login not logged with id and address:\n%s", logs)
	}
	if !strings.Contains(logs, "msg=login ") {
		t.Errorf("successful login not logged")
	}
	if strings.Contains(logs, "c1@example.test") || strings.Contains(logs, "not the password") || strings.Contains(logs, fixturePassword) {
		t.Errorf("email or password in the logs:\n%s", logs)
	}
}

// TestLoginDelayOutOfRange: a login delay of zero, longer than the window
// the throttle remembers failures for, or not a duration stops serve with
// a usage error before anything is opened.
func TestLoginDelayOutOfRange(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"0s", "-1s", "16m", "soon"} {
		var out, errb bytes.Buffer
		err := run(t.Context(), []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir()},
			testEnv(map[string]string{"HOLDSPACE_LOGIN_DELAY": bad}), strings.NewReader(""), &out, &errb)
		if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error()+errb.String(), "LOGIN_DELAY") && !strings.Contains(err.Error(), "--login-delay") {
			t.Errorf("HOLDSPACE_LOGIN_DELAY=%s: err %v (exit %d), want a usage error naming it", bad, err, exitCode(err))
		}
	}
}
