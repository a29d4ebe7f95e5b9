package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"holdspace"

	"holdspace/app"
	"holdspace/app/apptest"
	"holdspace/catalogue"
	"holdspace/consent"
	"holdspace/server"
)

// env is a real holdspace over a SQLite store in a temporary directory,
// served by the very handler cmd/holdspace serves.
type env struct {
	t     *testing.T
	app   *app.Services
	srv   *httptest.Server
	admin app.Actor
	pract app.Actor
	alex  app.Actor // prostate anatomy, assigned to pract
	kim   app.Actor // breasts, assigned to pract
	other app.Actor // a practitioner with no clients
	pw    string
}

func newEnv(t *testing.T) *env { return newEnvWith(t, nil, server.Config{}) }

// newEnvWith is newEnv with the app's configuration adjusted and the
// server's settings given.
func newEnvWith(t *testing.T, configure func(*app.Config), sc server.Config) *env {
	t.Helper()
	ctx := context.Background()
	a := apptest.New(t, configure)
	sc.App = a
	h, err := server.Handler(sc)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, app: a, srv: httptest.NewServer(h), pw: "correct horse battery staple"}
	t.Cleanup(e.srv.Close)
	t.Cleanup(e.srv.CloseClientConnections) // runs first: an open stream must not hang Close
	sys := app.System
	mk := func(role holdspace.Role, name, email string) app.Actor {
		id, err := a.People.CreateUser(ctx, sys, app.NewUser{Role: role, Name: name, Email: email, Password: e.pw})
		if err != nil {
			t.Fatal(err)
		}
		return app.Actor{UserID: id, Role: role, Device: "test"}
	}
	e.admin = mk(holdspace.RoleAdmin, "Ada Admin", "ada@example.test")
	e.pract = mk(holdspace.RolePractitioner, "Robin Reyes", "robin@example.test")
	e.other = mk(holdspace.RolePractitioner, "Sam Okafor", "sam@example.test")
	mkc := func(name, email string, an catalogue.Anatomy) app.Actor {
		id, err := a.People.CreateClient(ctx, sys, app.ClientInput{Name: name, Email: email, Password: e.pw, BirthDate: "1985-04-01",
			Anatomy: an, PractitionerIDs: []string{e.pract.UserID}})
		if err != nil {
			t.Fatal(err)
		}
		return app.Actor{UserID: id, Role: holdspace.RoleClient, Device: "test"}
	}
	e.alex = mkc("Alex Moreau", "alex@example.test", catalogue.Anatomy{Prostate: true})
	e.kim = mkc("Kim Novak", "kim@example.test", catalogue.Anatomy{Breasts: true})
	return e
}

// browser is an HTTP client with its own cookie jar.
type browser struct {
	e    *env
	c    *http.Client
	last string // body of the last page
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: e, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *browser) do(method, path string, form url.Values) *http.Response {
	b.e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.e.srv.URL+path, body)
	if err != nil {
		b.e.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	b.last = string(raw)
	return resp
}

func (b *browser) get(path string) *http.Response { return b.do("GET", path, nil) }

// csrf returns the CSRF token of the last page.
func (b *browser) csrf() string {
	m := csrfRE.FindStringSubmatch(b.last)
	if m == nil {
		b.e.t.Fatalf("no csrf token on the page:\n%s", b.last)
	}
	return m[1]
}

// post posts a form with the CSRF token of the last page.
func (b *browser) post(path string, form url.Values) *http.Response {
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", b.csrf())
	return b.do("POST", path, form)
}

func (b *browser) login(email string) {
	b.e.t.Helper()
	b.get("/login")
	resp := b.post("/login", url.Values{"email": {email}, "password": {b.e.pw}})
	if resp.StatusCode != http.StatusSeeOther {
		b.e.t.Fatalf("login %s: status %d\n%s", email, resp.StatusCode, b.last)
	}
}

func TestLoginShowsWhoAndRoutesByRole(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, tc := range []struct {
		email, home, name, role string
	}{
		{"alex@example.test", "/me", "Alex Moreau", "client"},
		{"robin@example.test", "/console", "Robin Reyes", "practitioner"},
		{"ada@example.test", "/admin", "Ada Admin", "admin"},
	} {
		t.Run(tc.role, func(t *testing.T) {
			b := e.browser()
			b.login(tc.email)
			resp := b.get("/")
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != tc.home {
				t.Fatalf("home: %d %q, want redirect to %s", resp.StatusCode, resp.Header.Get("Location"), tc.home)
			}
			resp = b.get(tc.home)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d\n%s", tc.home, resp.StatusCode, b.last)
			}
			if !strings.Contains(b.last, "<strong>"+tc.name+"</strong>") || !strings.Contains(b.last, "("+tc.role+")") {
				t.Errorf("the page does not say who is signed in and as what:\n%s", b.last)
			}
		})
	}
}

func TestLoginCookieAndLogout(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	b := e.browser()
	b.get("/login")
	resp := b.post("/login", url.Values{"email": {"alex@example.test"}, "password": {e.pw}})
	var sess *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "holdspace" {
			sess = c
		}
	}
	if sess == nil || !sess.HttpOnly || sess.SameSite != http.SameSiteLaxMode || sess.Path != "/" {
		t.Fatalf("session cookie = %+v, want HttpOnly, SameSite=Lax, Path=/", sess)
	}
	if _, err := e.app.Accounts.Authenticate(context.Background(), sess.Value, "web"); err != nil {
		t.Fatalf("the cookie is not a live web session: %v", err)
	}
	b.get("/me")
	resp = b.post("/logout", nil)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("logout: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, err := e.app.Accounts.Authenticate(context.Background(), sess.Value, "web"); err == nil {
		t.Fatal("the web session still works after logout")
	}
	resp = b.get("/me")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("after logout /me: %d %s, want a redirect to sign in", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestLoginWrongPasswordAndRateLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	b := e.browser()
	b.get("/login")
	resp := b.post("/login", url.Values{"email": {"alex@example.test"}, "password": {"wrong"}})
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(b.last, "The email or password is not right") {
		t.Fatalf("wrong password: %d\n%s", resp.StatusCode, b.last)
	}
	var limited bool
	for i := 0; i < 30 && !limited; i++ {
		resp = b.post("/login", url.Values{"email": {"alex@example.test"}, "password": {"wrong"}})
		limited = resp.StatusCode == http.StatusTooManyRequests
	}
	if !limited {
		t.Fatal("30 wrong passwords were never rate limited")
	}
	if !strings.Contains(b.last, "please wait") {
		t.Errorf("the rate-limit page does not say how long to wait:\n%s", b.last)
	}
}

func TestIdleOrUnknownSessionRedirectsToLogin(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	b := e.browser()
	u, _ := url.Parse(e.srv.URL)
	b.c.Jar.SetCookies(u, []*http.Cookie{{Name: "holdspace", Value: "not-a-session"}})
	resp := b.get("/me")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?expired=1" {
		t.Fatalf("dead session: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	b.get("/login?expired=1")
	if !strings.Contains(b.last, "signed out after a quiet while") {
		t.Error("the login page does not explain the timeout")
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	b := e.browser()
	b.login("alex@example.test")
	for _, path := range []string{"/login", "/me", "/consent", "/agreements", "/intake"} {
		resp := b.get(path)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		csp := resp.Header.Get("Content-Security-Policy")
		if csp == "" || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: CSP %q", path, csp)
		}
		if got := resp.Header.Get("Referrer-Policy"); got != "no-referrer" {
			t.Errorf("%s: Referrer-Policy %q", path, got)
		}
		if got := resp.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", path, got)
		}
		if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: nosniff missing", path)
		}
		// No inline script or style on any page.
		for _, bad := range []string{"<script>", "style=", "<style", "onclick=", "onload=", "javascript:"} {
			if strings.Contains(b.last, bad) {
				t.Errorf("%s: page contains %q", path, bad)
			}
		}
	}
	// Static files are checksummed and cacheable.
	b.get("/me")
	m := regexp.MustCompile(`src="(/static/[0-9a-f]+/app\.js)"`).FindStringSubmatch(b.last)
	if m == nil {
		t.Fatal("no checksummed script URL")
	}
	resp := b.get(m[1])
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("static: %d %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	if resp := b.get("/static/000000000000/app.js"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a wrong checksum served %d", resp.StatusCode)
	}
}

func signedAgreement(t *testing.T, e *env, who app.Actor, grants []consent.Grant) app.AgreementView {
	t.Helper()
	ctx := context.Background()
	ag, err := e.app.Agreements.CreateAgreement(ctx, who, who.UserID, app.AgreementInput{Intent: "therapeutic", Grants: grants})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Agreements.SignAgreement(ctx, who, ag.ID, app.SignInput{}); err != nil {
		t.Fatal(err)
	}
	return ag
}

func TestCSRFRejectedAndNothingWritten(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	ag := signedAgreement(t, e, e.alex, []consent.Grant{{Region: "shoulders", Technique: "touch", Answer: catalogue.Yes}})
	b := e.browser()
	b.login("alex@example.test")
	b.get("/agreements")
	for _, tc := range []struct {
		name, token string
	}{{"missing", ""}, {"wrong", strings.Repeat("0", 64)}, {"other session's", ""}} {
		t.Run(tc.name, func(t *testing.T) {
			token := tc.token
			if tc.name == "other session's" {
				other := e.browser()
				other.login("kim@example.test")
				other.get("/me")
				token = other.csrf()
			}
			form := url.Values{"region": {"shoulders"}}
			if token != "" {
				form.Set("csrf", token)
			}
			resp := b.do("POST", "/agreements/"+ag.ID+"/revoke", form)
			if resp.StatusCode != http.StatusForbidden {
				t.Fatalf("forged revoke: %d, want 403", resp.StatusCode)
			}
			got, err := e.app.Agreements.GetAgreement(ctx, e.alex, ag.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Revocations) != 0 || got.Status != consent.StatusActive {
				t.Fatalf("a forged POST changed the agreement: %+v", got)
			}
		})
	}
	// The login form is protected too.
	fresh := e.browser()
	resp := fresh.do("POST", "/login", url.Values{"email": {"alex@example.test"}, "password": {e.pw}})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("login without the form's token: %d, want 403", resp.StatusCode)
	}
	// With the right token, the same revoke works.
	b.get("/agreements")
	resp = b.post("/agreements/"+ag.ID+"/revoke", url.Values{"region": {"shoulders"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("real revoke: %d\n%s", resp.StatusCode, b.last)
	}
	got, _ := e.app.Agreements.GetAgreement(ctx, e.alex, ag.ID)
	if len(got.Revocations) != 1 {
		t.Fatalf("revocations = %+v", got.Revocations)
	}
}

func TestClientCannotSeeAnotherClient(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	kimAg := signedAgreement(t, e, e.kim, []consent.Grant{{Region: "feet", Technique: "touch", Answer: catalogue.Yes}})
	s, err := e.app.Sessions.CreateSession(ctx, e.pract, app.SessionInput{ClientID: e.kim.UserID, Intent: "therapeutic", StartsAt: time.Now().UTC().Format(time.RFC3339)})
	if err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.login("alex@example.test")
	for _, path := range []string{"/agreements/" + kimAg.ID, "/agreements/" + kimAg.ID + ".pdf", "/sessions/" + s.ID,
		"/sessions/" + s.ID + "/events", "/sessions/" + s.ID + "/controls", "/clients/" + e.kim.UserID, "/console", "/admin/audit"} {
		resp := b.get(path)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, resp.StatusCode)
		}
		if strings.Contains(b.last, "Kim Novak") {
			t.Errorf("%s leaks the other client's name", path)
		}
	}
	b.get("/me")
	resp := b.post("/agreements/"+kimAg.ID+"/revoke", url.Values{})
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("revoking another client's agreement: %d, want 404", resp.StatusCode)
	}
	got, _ := e.app.Agreements.GetAgreement(ctx, e.kim, kimAg.ID)
	if len(got.Revocations) != 0 {
		t.Fatal("another client's revoke was written")
	}
	// A practitioner without the client sees nothing either.
	p := e.browser()
	p.login("sam@example.test")
	if resp := p.get("/clients/" + e.kim.UserID); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unassigned practitioner: %d, want 404", resp.StatusCode)
	}
}

func TestIntakeValidationAndOutcome(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	b := e.browser()
	b.login("alex@example.test")
	b.get("/intake")
	if !strings.Contains(b.last, "Step 1 of") || !strings.Contains(b.last, "General health") {
		t.Fatalf("first step:\n%s", b.last)
	}
	// Next without answers: each required question says so beside it.
	resp := b.post("/intake", url.Values{"step": {"0"}, "action": {"next"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(b.last, "Please choose an answer") || !strings.Contains(b.last, "Step 1 of") {
		t.Fatalf("missing answers: %d\n%s", resp.StatusCode, b.last)
	}
	// Walk through every step answering no; carry answers between steps.
	form := url.Values{}
	for step := 0; step < 20; step++ {
		for _, m := range regexp.MustCompile(`name="(a\.[a-z0-9-]+)" value="false"`).FindAllStringSubmatch(b.last, -1) {
			form.Set(m[1], "false")
		}
		if strings.Contains(b.last, `name="a.trauma-history"`) {
			form.Set("a.trauma-history", "prefer-not-to-say")
		}
		if strings.Contains(b.last, `name="a.pelvic-surgery-date"`) {
			form.Set("a.pelvic-surgery-date", "2999-01-01") // in the future: refused
		}
		last := strings.Contains(b.last, `value="submit"`)
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		// Carried answers come from the page's hidden fields too.
		for _, m := range regexp.MustCompile(`type="hidden" name="(a\.[a-z0-9-]+)" value="([^"]*)"`).FindAllStringSubmatch(b.last, -1) {
			f.Set(m[1], m[2])
		}
		f.Set("step", regexp.MustCompile(`name="step" value="(\d+)"`).FindStringSubmatch(b.last)[1])
		if last {
			f.Set("action", "submit")
		} else {
			f.Set("action", "next")
		}
		resp = b.post("/intake", f)
		if resp.StatusCode == http.StatusSeeOther {
			break
		}
		if strings.Contains(b.last, "field-error") {
			// The future date: the message sits beside that question.
			if !strings.Contains(b.last, `id="q-pelvic-surgery-date"`) {
				t.Fatalf("an error on an unexpected step:\n%s", b.last)
			}
			i := strings.Index(b.last, `id="q-pelvic-surgery-date"`)
			if j := strings.Index(b.last[i:], "field-error"); j < 0 || j > 600 {
				t.Fatalf("the date error is not beside its question:\n%s", b.last[i:])
			}
			form.Del("a.pelvic-surgery-date")
			f.Del("a.pelvic-surgery-date")
			resp = b.post("/intake", f)
		}
	}
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/screening") {
		t.Fatalf("submit: %d\n%s", resp.StatusCode, b.last)
	}
	sv, _, err := e.app.Screenings.LatestScreening(context.Background(), e.alex, e.alex.UserID)
	if err != nil {
		t.Fatalf("no screening stored: %v", err)
	}
	if sv.Answers["trauma-history"] != "prefer-not-to-say" || sv.Answers["fever"] != false {
		t.Errorf("stored answers = %v", sv.Answers)
	}
	b.get("/screening")
	if !strings.Contains(b.last, "Prostate") || !strings.Contains(b.last, "Clear") {
		t.Errorf("outcome page:\n%s", b.last)
	}
}

func TestBodyMapSignAndRevoke(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	b := e.browser()
	b.login("kim@example.test")
	b.get("/consent")
	// Regions that need another anatomy are not offered.
	if strings.Contains(b.last, `id="r-prostate"`) || strings.Contains(b.last, `id="r-vagina"`) {
		t.Error("the body map offers internal regions the client's anatomy has no place for")
	}
	if !strings.Contains(b.last, `id="r-breasts"`) || !strings.Contains(b.last, `href="#r-shoulders"`) {
		t.Error("the body map lacks a region link")
	}
	// An invalid answer is shown, not signed.
	resp := b.post("/consent/review", url.Values{"intent": {"therapeutic"}, "g.shoulders.touch": {"maybe"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(b.last, "An answer is yes, no or ask") {
		t.Fatalf("bad answer: %d\n%s", resp.StatusCode, b.last)
	}
	resp = b.post("/consent/review", url.Values{"intent": {""}, "g.shoulders.touch": {"yes"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(b.last, "Please choose what the work is for") {
		t.Fatalf("no intent: %d\n%s", resp.StatusCode, b.last)
	}
	b.get("/consent")
	resp = b.post("/consent/review", url.Values{"intent": {"therapeutic"}, "g.shoulders.touch": {"yes"}, "g.shoulders.massage": {"ask"},
		"g.feet.touch": {"yes"}, "g.breasts.touch": {"no"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(b.last, "Yes to touch; Ask me first for massage") {
		t.Fatalf("review: %d\n%s", resp.StatusCode, b.last)
	}
	hidden := url.Values{}
	for _, m := range regexp.MustCompile(`type="hidden" name="([^"]+)" value="([^"]*)"`).FindAllStringSubmatch(b.last, -1) {
		hidden.Set(m[1], m[2])
	}
	hidden.Del("csrf")
	resp = b.post("/consent/sign", hidden)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign: %d\n%s", resp.StatusCode, b.last)
	}
	ags, err := e.app.Agreements.ListAgreements(ctx, e.kim, e.kim.UserID)
	if err != nil || len(ags) != 1 || ags[0].Status != consent.StatusActive || ags[0].SignMethod != consent.SignByClient {
		t.Fatalf("agreements = %+v, %v", ags, err)
	}
	b.get("/agreements")
	if !strings.Contains(b.last, "Shoulders") || !strings.Contains(b.last, "Withdraw all of this agreement") {
		t.Fatalf("my agreements:\n%s", b.last)
	}
	// One tap withdraws a region.
	resp = b.post("/agreements/"+ags[0].ID+"/revoke", url.Values{"region": {"feet"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	got, _ := e.app.Agreements.GetAgreement(ctx, e.kim, ags[0].ID)
	if len(got.Revocations) != 1 || got.Revocations[0].Regions[0] != "feet" {
		t.Fatalf("revocations = %+v", got.Revocations)
	}
	// The printable copy is a PDF.
	resp = b.get("/agreements/" + ags[0].ID + ".pdf")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(b.last, "%PDF-") {
		t.Fatalf("pdf: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	// Export is a JSON download of the client's own data.
	resp = b.get("/export")
	var x app.Export
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") || json.Unmarshal([]byte(b.last), &x) != nil || x.Client.ID != e.kim.UserID {
		t.Fatalf("export: %d %s", resp.StatusCode, resp.Header.Get("Content-Disposition"))
	}
}

func TestSessionFlowWithoutJavaScript(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	ag := signedAgreement(t, e, e.alex, []consent.Grant{{Region: "shoulders", Technique: "touch", Answer: catalogue.Yes},
		{Region: "lower-back", Technique: "massage", Answer: catalogue.Ask}})
	pr := e.browser()
	pr.login("robin@example.test")
	pr.get("/clients/" + e.alex.UserID)
	resp := pr.post("/clients/"+e.alex.UserID+"/sessions", url.Values{"starts_at": {"not a time"}, "intent": {"therapeutic"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(pr.last, "Give a date") {
		t.Fatalf("bad booking: %d\n%s", resp.StatusCode, pr.last)
	}
	resp = pr.post("/clients/"+e.alex.UserID+"/sessions", url.Values{"starts_at": {time.Now().UTC().Format("2006-01-02T15:04")}, "intent": {"therapeutic"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("book: %d\n%s", resp.StatusCode, pr.last)
	}
	sid := strings.TrimPrefix(strings.Split(resp.Header.Get("Location"), "?")[0], "/sessions/")
	ev := func(b *browser, form url.Values) {
		t.Helper()
		b.get("/sessions/" + sid)
		if resp := b.post("/sessions/"+sid+"/event", form); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%v: %d\n%s", form, resp.StatusCode, b.last)
		}
	}
	ev(pr, url.Values{"type": {"open"}})
	cl := e.browser()
	cl.login("alex@example.test")
	cl.get("/sessions/" + sid)
	if !strings.Contains(cl.last, "Is this still right for today?") {
		t.Fatalf("client reconfirm prompt missing:\n%s", cl.last)
	}
	ev(cl, url.Values{"type": {"reconfirm"}, "agreement_id": {ag.ID}})
	// A chaperone "accepted" without a name is shown beside the field.
	pr.get("/sessions/" + sid)
	resp = pr.post("/sessions/"+sid+"/event", url.Values{"type": {"chaperone"}, "chaperone": {"accepted"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(pr.last, "field-error") {
		t.Fatalf("chaperone without name: %d\n%s", resp.StatusCode, pr.last)
	}
	ev(pr, url.Values{"type": {"chaperone"}, "chaperone": {"declined"}})
	ev(pr, url.Values{"type": {"begin"}})
	pr.get("/sessions/" + sid)
	if !strings.Contains(pr.last, `data-region="shoulders" data-outcome="permit"`) || !strings.Contains(pr.last, `data-region="lower-back" data-outcome="ask"`) {
		t.Fatalf("console board:\n%s", pr.last)
	}
	// The STOP button as a plain form.
	ev(cl, url.Values{"type": {"stop"}})
	d, err := e.app.Decisions.Decide(ctx, e.pract, app.DecideInput{SessionID: sid, Region: "shoulders", Technique: "touch"})
	if err != nil || d.Outcome != consent.Deny || !d.Has(consent.CodeStopped) {
		t.Fatalf("after stop: %v %v", d.Outcome, err)
	}
	// Pressing STOP again is not an error.
	ev(cl, url.Values{"type": {"stop"}})
	pr.get("/sessions/" + sid + "/board")
	if !strings.Contains(pr.last, `data-state="stopped"`) {
		t.Fatalf("board fragment after stop:\n%s", pr.last)
	}
	// The log of what happened is part of the live fragment.
	if !strings.Contains(pr.last, `id="log"`) || !strings.Contains(pr.last, "STOP by the client") {
		t.Fatalf("the live fragment lacks the log with the stop:\n%s", pr.last)
	}
	ev(cl, url.Values{"type": {"resume"}})
	ev(pr, url.Values{"type": {"checkin"}, "region": {"lower-back"}, "answer": {"yes"}})
	ev(pr, url.Values{"type": {"emotional-release"}, "intensity": {"4"}, "text": {"tears, welcomed"}})
	pr.get("/sessions/" + sid)
	resp = pr.post("/sessions/"+sid+"/event", url.Values{"type": {"close"}, "pain_before": {"6"}, "pain_after": {"11"}, "tension_before": {"7"}, "tension_after": {"3"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(pr.last, "field-error") {
		t.Fatalf("close with a score of 11: %d", resp.StatusCode)
	}
	ev(pr, url.Values{"type": {"close"}, "aftercare": {"Drink water and rest."}, "pain_before": {"6"}, "pain_after": {"2"}, "tension_before": {"7"}, "tension_after": {"3"}})
	cl.get("/sessions/" + sid)
	if !strings.Contains(cl.last, "Drink water and rest.") {
		t.Error("the client does not see their aftercare plan")
	}
	pr.get("/clients/" + e.alex.UserID)
	if !strings.Contains(pr.last, `<svg class="chart"`) || !strings.Contains(pr.last, "<td>6</td><td>2</td><td>7</td><td>3</td>") {
		t.Errorf("client file lacks the pain chart:\n%s", pr.last)
	}
}

func TestSessionStreamSendsState(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	s, err := e.app.Sessions.CreateSession(ctx, e.pract, app.SessionInput{ClientID: e.alex.UserID, Intent: "therapeutic", StartsAt: time.Now().UTC().Format(time.RFC3339)})
	if err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.login("robin@example.test")
	req, _ := http.NewRequest("GET", e.srv.URL+"/sessions/"+s.ID+"/events", nil)
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	req = req.WithContext(cctx)
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Type") != "text/event-stream" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("stream headers: %v", resp.Header)
	}
	buf := make([]byte, 4096)
	var got strings.Builder
	for !strings.Contains(got.String(), `"state":"scheduled"`) {
		n, err := resp.Body.Read(buf)
		if err != nil {
			t.Fatalf("stream ended: %v (%q)", err, got.String())
		}
		got.Write(buf[:n])
	}
	if _, err := e.app.Sessions.AppendEvent(ctx, e.pract, s.ID, app.EventInput{Type: "open"}); err != nil {
		t.Fatal(err)
	}
	for !strings.Contains(got.String(), `"state":"open"`) {
		n, err := resp.Body.Read(buf)
		if err != nil {
			t.Fatalf("stream ended: %v (%q)", err, got.String())
		}
		got.Write(buf[:n])
	}
}

func TestAdminPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.app.People.AddCredential(ctx, app.System, e.pract.UserID, app.CredentialInput{Kind: "Old licence", Issuer: "College",
		Number: "X1", ValidFrom: "2019-01-01", ValidUntil: "2020-01-01", Covers: []string{"internal-anorectal"}}); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.login("ada@example.test")
	b.get("/admin/practitioners")
	if !strings.Contains(b.last, "Old licence") || !strings.Contains(b.last, "Expired") {
		t.Fatalf("expired credential not flagged in words:\n%s", b.last)
	}
	resp := b.post("/admin/practitioners", url.Values{"name": {"New Person"}, "email": {"not-an-email"}, "password": {e.pw}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(b.last, "This is not a valid email address.") {
		t.Fatalf("bad email: %d", resp.StatusCode)
	}
	resp = b.post("/admin/practitioners", url.Values{"name": {"New Person"}, "email": {"new@example.test"}, "password": {e.pw}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create practitioner: %d\n%s", resp.StatusCode, b.last)
	}
	b.get("/admin/practitioners")
	resp = b.post("/admin/practitioners/"+e.other.UserID+"/credentials", url.Values{"kind": {"Trauma-informed care"}, "issuer": {"Institute"},
		"number": {"T-1"}, "valid_from": {"2024-01-01"}, "valid_until": {"2099-01-01"}, "covers": {"trauma-informed"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add credential: %d\n%s", resp.StatusCode, b.last)
	}
	_, creds, _ := e.app.People.Practitioner(ctx, e.admin, e.other.UserID)
	if len(creds) != 1 {
		t.Fatalf("credentials = %+v", creds)
	}
	b.get("/admin/clients")
	resp = b.post("/admin/clients/"+e.kim.UserID+"/assign", url.Values{"practitioner_ids": {e.other.UserID}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("assign: %d", resp.StatusCode)
	}
	cv, _ := e.app.People.GetClient(ctx, e.admin, e.kim.UserID)
	if len(cv.PractitionerIDs) != 1 || cv.PractitionerIDs[0] != e.other.UserID {
		t.Fatalf("assignment = %v", cv.PractitionerIDs)
	}
	b.get("/admin/audit?client_id=" + e.kim.UserID)
	if !strings.Contains(b.last, "client.assign") {
		t.Error("the filtered audit log lacks the assignment")
	}
	if strings.Contains(b.last, e.alex.UserID) {
		t.Error("the client filter lets other clients' entries through")
	}
	if resp := b.get("/admin/audit?since=yesterday"); resp.StatusCode != http.StatusBadRequest || !strings.Contains(b.last, "YYYY-MM-DD") {
		t.Errorf("bad since: %d", resp.StatusCode)
	}
}

// TestLiveSessionPageKeepsSignedIn: while a live session page's stream is
// open the web session does not idle out, so the client's STOP button still
// works after a quiet spell; once the page is closed the idle timeout runs.
func TestLiveSessionPageKeepsSignedIn(t *testing.T) {
	t.Parallel()
	const idle = 1200 * time.Millisecond
	e := newEnvWith(t, func(c *app.Config) { c.WebIdle = idle }, server.Config{StreamKeepAlive: 100 * time.Millisecond})
	ctx := context.Background()
	s, err := e.app.Sessions.CreateSession(ctx, e.pract, app.SessionInput{ClientID: e.alex.UserID, Intent: "therapeutic", StartsAt: time.Now().UTC().Format(time.RFC3339)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Sessions.AppendEvent(ctx, e.pract, s.ID, app.EventInput{Type: "open"}); err != nil {
		t.Fatal(err)
	}
	// A stream on a session not under way keeps nobody signed in.
	idleView, err := e.app.Sessions.CreateSession(ctx, e.pract, app.SessionInput{ClientID: e.alex.UserID, Intent: "therapeutic", StartsAt: time.Now().UTC().Format(time.RFC3339)})
	if err != nil {
		t.Fatal(err)
	}
	b2 := e.browser()
	b2.login("alex@example.test")
	ictx, istop := context.WithCancel(ctx)
	ireq, _ := http.NewRequestWithContext(ictx, "GET", e.srv.URL+"/sessions/"+idleView.ID+"/events", nil)
	iresp, err := b2.c.Do(ireq)
	if err != nil || iresp.StatusCode != 200 {
		t.Fatalf("stream: %v %v", err, iresp)
	}
	t.Cleanup(func() { istop(); iresp.Body.Close() })
	go io.Copy(io.Discard, iresp.Body)

	b := e.browser()
	b.login("alex@example.test")
	sctx, stop := context.WithCancel(ctx)
	req, _ := http.NewRequestWithContext(sctx, "GET", e.srv.URL+"/sessions/"+s.ID+"/events", nil)
	resp, err := b.c.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("stream: %v %v", err, resp)
	}
	t.Cleanup(func() { stop(); resp.Body.Close() }) // before the server's Close, even on failure
	go io.Copy(io.Discard, resp.Body)
	time.Sleep(3 * idle)
	if r := b.get("/sessions/" + s.ID); r.StatusCode != 200 {
		t.Fatalf("after a quiet spell with the stream open: %d (want the page, not sign-in)", r.StatusCode)
	}
	if r := b2.get("/sessions/" + idleView.ID); r.StatusCode == 200 {
		t.Fatal("a stream on a scheduled session kept its web session alive")
	}
	stop()
	resp.Body.Close()
	time.Sleep(2 * idle)
	if r := b.get("/sessions/" + s.ID); r.StatusCode == 200 {
		t.Fatal("the session did not idle out once the page was closed")
	}
}
