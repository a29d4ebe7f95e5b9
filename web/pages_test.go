package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"holdspace/app"
	"holdspace/catalogue"
	"holdspace/consent"
	"holdspace/practice"
	"holdspace/store"
)

// Tests of issue 15's page fixes that need no browser; the browser checks
// are in e2e/pages_test.go.

// raw sends a GET with the browser's cookies and the given headers, and
// returns the response with its body unread-and-undecoded (no transparent
// gzip).
func (b *browser) raw(path string, hdr map[string]string) (*http.Response, []byte) {
	b.e.t.Helper()
	req, err := http.NewRequest("GET", b.e.srv.URL+path, nil)
	if err != nil {
		b.e.t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

// inProgress books, opens, re-confirms and begins a therapeutic session of
// client with e.pract.
func (e *env) inProgress(client app.Actor) string {
	e.t.Helper()
	ctx := context.Background()
	s, err := e.app.Sessions.CreateSession(ctx, e.pract, app.SessionInput{ClientID: client.UserID, PractitionerID: e.pract.UserID,
		Intent: "therapeutic", StartsAt: time.Now().UTC().Format(time.RFC3339)})
	if err != nil {
		e.t.Fatal(err)
	}
	e.event(s.ID, e.pract, "open")
	e.event(s.ID, client, "reconfirm")
	e.event(s.ID, e.pract, "begin")
	return s.ID
}

func (e *env) event(id string, who app.Actor, typ string) {
	e.t.Helper()
	if _, err := e.app.Sessions.AppendEvent(context.Background(), who, id, app.EventInput{Type: typ}); err != nil {
		e.t.Fatalf("%s: %v", typ, err)
	}
}

func TestNotFoundPageKeepsNavigation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	anon := e.browser()
	if resp := anon.get("/no-such-page"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("anonymous 404: %d", resp.StatusCode)
	}
	if strings.Contains(anon.last, `<nav aria-label="Main">`) {
		t.Error("the anonymous 404 page shows the signed-in navigation")
	}
	for _, tc := range []struct{ email, link string }{
		{"alex@example.test", `href="/consent"`}, {"robin@example.test", `href="/clients"`}, {"ada@example.test", `href="/admin/audit"`},
	} {
		b := e.browser()
		b.login(tc.email)
		if resp := b.get("/no-such-page"); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("%s: 404 page answered %d", tc.email, resp.StatusCode)
		}
		if !strings.Contains(b.last, `<nav aria-label="Main">`) || !strings.Contains(b.last, tc.link) || !strings.Contains(b.last, "Signed in as") {
			t.Errorf("%s: the 404 page lost the navigation:\n%s", tc.email, b.last)
		}
		// Its sign-out form works: the CSRF token is the session's.
		if resp := b.post("/logout", nil); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("%s: sign out from the 404 page: %d", tc.email, resp.StatusCode)
		}
	}
}

func TestFaviconAndFingerprintedStatic(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	b := e.browser()
	resp, body := b.raw("/favicon.ico", nil)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/x-icon" {
		t.Fatalf("/favicon.ico: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if len(body) < 22+8 || !bytes.Equal(body[:6], []byte{0, 0, 1, 0, 1, 0}) || !bytes.Equal(body[22:30], []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("/favicon.ico is not an ICO holding a PNG: % x", body[:min(len(body), 32)])
	}
	b.login("alex@example.test")
	b.get("/me")
	icon := regexp.MustCompile(`<link rel="icon" href="(/static/[0-9a-f]{12}/favicon\.svg)" type="image/svg\+xml">`).FindStringSubmatch(b.last)
	if icon == nil || !strings.Contains(b.last, `<link rel="icon" href="/favicon.ico"`) {
		t.Fatalf("the layout does not link the icons:\n%s", b.last)
	}
	css := regexp.MustCompile(`href="(/static/[0-9a-f]{12}/app\.css)"`).FindStringSubmatch(b.last)
	if css == nil {
		t.Fatal("no fingerprinted stylesheet URL")
	}
	for _, u := range []struct{ path, ct string }{{icon[1], "image/svg+xml"}, {css[1], "text/css; charset=utf-8"}} {
		resp, body := b.raw(u.path, nil)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != u.ct || len(body) == 0 {
			t.Errorf("%s: %d %q", u.path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if got := resp.Header.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
			t.Errorf("%s: Cache-Control %q, want a year, immutable", u.path, got)
		}
	}
	// Pages themselves are never cached.
	if resp, _ := b.raw("/me", nil); resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("/me: Cache-Control %q", resp.Header.Get("Cache-Control"))
	}
}

func TestPagesAndAPICompressedStreamsNot(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	b := e.browser()
	b.login("alex@example.test")
	gz := map[string]string{"Accept-Encoding": "gzip"}
	for _, path := range []string{"/consent", "/api/v1/openapi.json"} {
		resp, body := b.raw(path, gz)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("%s: %d, Content-Encoding %q; want gzip", path, resp.StatusCode, resp.Header.Get("Content-Encoding"))
		}
		if !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
			t.Errorf("%s: Vary %q", path, resp.Header.Get("Vary"))
		}
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		plain, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if len(plain) <= len(body) {
			t.Errorf("%s: %d bytes compressed to %d", path, len(plain), len(body))
		}
		t.Logf("%s: %d bytes, %d gzipped", path, len(plain), len(body))
		if path == "/consent" && !bytes.Contains(plain, []byte(`id="consent-form"`)) {
			t.Errorf("/consent decompressed is not the body map page")
		}
	}
	// Without Accept-Encoding the page is plain.
	if resp, body := b.raw("/consent", map[string]string{"Accept-Encoding": "identity"}); resp.Header.Get("Content-Encoding") != "" || !bytes.Contains(body, []byte(`id="consent-form"`)) {
		t.Errorf("identity: Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
	// The live page's event stream is never compressed, and its first
	// event arrives at once.
	ctx := context.Background()
	s, err := e.app.Sessions.CreateSession(ctx, e.pract, app.SessionInput{ClientID: e.alex.UserID, Intent: "therapeutic", StartsAt: time.Now().UTC().Format(time.RFC3339)})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", e.srv.URL+"/sessions/"+s.ID+"/events", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	resp, err := b.c.Do(req.WithContext(cctx))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "" || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("event stream: Content-Encoding %q, Content-Type %q", resp.Header.Get("Content-Encoding"), resp.Header.Get("Content-Type"))
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
}

func TestClientFileListsEveryAssignedPractitioner(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if err := e.app.People.AssignPractitioners(context.Background(), e.admin, e.alex.UserID, []string{e.pract.UserID, e.other.UserID}); err != nil {
		t.Fatal(err)
	}
	for _, email := range []string{"robin@example.test", "sam@example.test", "ada@example.test"} {
		b := e.browser()
		b.login(email)
		if resp := b.get("/clients/" + e.alex.UserID); resp.StatusCode != 200 {
			t.Fatalf("%s: client file %d", email, resp.StatusCode)
		}
		if !strings.Contains(b.last, "<dt>Practitioners</dt><dd>Robin Reyes, Sam Okafor</dd>") {
			t.Errorf("%s: the client file does not list both practitioners:\n%s", email, between(b.last, "<dt>Practitioners</dt>", "</dd>"))
		}
	}
	// Kim's practitioner is Robin alone: Sam still cannot open her file.
	b := e.browser()
	b.login("sam@example.test")
	if resp := b.get("/clients/" + e.kim.UserID); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another practitioner's client: %d", resp.StatusCode)
	}
}

func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return "(missing " + from + ")"
	}
	j := strings.Index(s[i:], to)
	if j < 0 {
		return s[i:]
	}
	return s[i : i+j+len(to)]
}

// A client on blood thinners has deep pressure ruled out and care with the
// other techniques: the body map is "Fine, with care", not red, and says
// what is ruled out; the practitioner's headings are labels, not codes.
func TestScreeningMapTechniqueLimitedFindings(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	answers := strings.Replace(clearAnswersJSON, `"anticoagulants":false`, `"anticoagulants":true`, 1)
	if _, err := e.app.Screenings.SubmitScreening(ctx, e.alex, e.alex.UserID, app.ScreeningInput{Answers: []byte(answers)}); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.login("alex@example.test")
	if resp := b.get("/screening"); resp.StatusCode != 200 {
		t.Fatalf("/screening: %d", resp.StatusCode)
	}
	if n := strings.Count(b.last, `class="region sev-contraindicated"`); n != 0 {
		t.Errorf("%d regions drawn as ruled out, want none: only deep pressure is", n)
	}
	if !strings.Contains(b.last, `<g class="region sev-precaution" data-region="shoulders" role="img" aria-label="Shoulders: Fine, with care; not for now: deep pressure">`) {
		t.Errorf("shoulders are not shown as open with care and deep pressure ruled out:\n%s", between(b.last, `data-region="shoulders"`, `</g>`))
	}
	if strings.Contains(b.last, "<strong>Not for now</strong>") {
		t.Error(`a region reads plain "Not for now"`)
	}
	p := e.browser()
	p.login("robin@example.test")
	p.get("/clients/" + e.alex.UserID)
	if !strings.Contains(p.last, "<h3>Not for now: Deep pressure</h3>") || !strings.Contains(p.last, "<h3>Fine, with care: Touch, Massage, Instrument</h3>") {
		t.Errorf("finding headings are not in words:\n%s", between(p.last, `id="h-scr"`, "</section>"))
	}
	if regexp.MustCompile(`<h3>[a-z]`).MatchString(p.last) {
		t.Errorf("a heading starts with a lower-case code:\n%s", between(p.last, `id="h-scr"`, "</section>"))
	}
}

func TestHeadingsAreLabels(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ag := signedAgreement(t, e, e.alex, []consent.Grant{{Region: "shoulders", Technique: "touch", Answer: catalogue.Yes}})
	b := e.browser()
	b.login("alex@example.test")
	b.get("/agreements/" + ag.ID)
	if !strings.Contains(b.last, "<h1>Therapeutic agreement, version 1</h1>") {
		t.Errorf("agreement heading:\n%s", between(b.last, "<h1>", "</h1>"))
	}
	b.get("/agreements")
	if !strings.Contains(b.last, ">Therapeutic work, version 1</h2>") {
		t.Errorf("agreements heading:\n%s", between(b.last, "<h2 id=\"ag-", "</h2>"))
	}
	p := e.browser()
	p.login("robin@example.test")
	p.get("/clients/" + e.alex.UserID)
	if !strings.Contains(p.last, "<td>Therapeutic</td><td>1</td><td>In force</td>") || !strings.Contains(p.last, `<option value="therapeutic">Therapeutic</option>`) {
		t.Errorf("client file shows codes:\n%s", between(p.last, `id="h-ag"`, "</table>"))
	}
}

func TestConsentReviewListsChosenAreasOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	b := e.browser()
	b.login("alex@example.test")
	b.get("/consent")
	resp := b.post("/consent/review", url.Values{"intent": {"therapeutic"}, "action": {"review"},
		"g.shoulders.touch": {"yes"}, "g.upper-back.massage": {"ask"}, "g.feet.touch": {"no"}})
	if resp.StatusCode != 200 {
		t.Fatalf("review: %d\n%s", resp.StatusCode, b.last)
	}
	list := between(b.last, `<ul class="list summary">`, "</ul>")
	if got := strings.Count(list, "<li>"); got != 2 || !strings.Contains(list, "<strong>Shoulders</strong>") || !strings.Contains(list, "<strong>Upper back</strong>") {
		t.Errorf("the review lists %d areas, want shoulders and upper back only:\n%s", got, list)
	}
	// Alex (prostate, no breasts, no vagina) has 23 regions: 21 stay No.
	if !strings.Contains(b.last, `You are saying yes, or ask me first, to 2 areas. Every other area (21) stays <strong>No</strong>.`) {
		t.Errorf("no summary of what stays No:\n%s", between(b.last, `id="review-summary"`, "</p>"))
	}
	// Signing still records every answer given.
	b.post("/consent/sign", url.Values{"intent": {"therapeutic"}, "g.shoulders.touch": {"yes"}, "g.upper-back.massage": {"ask"}, "g.feet.touch": {"no"}})
	ags, err := e.app.Agreements.ListAgreements(context.Background(), e.alex, e.alex.UserID)
	if err != nil || len(ags) != 1 || ags[0].Status != consent.StatusActive {
		t.Fatalf("after signing: %+v %v", ags, err)
	}
}

// The console without JavaScript: the header's state is in the live
// fragment, flashes are shown only in the state they describe, a
// withdrawal made during the session is in "What happened", Stop comes
// before the board, and regions denied for every technique are folded
// away.
func TestLiveConsoleFollowsState(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	ag := signedAgreement(t, e, e.alex, []consent.Grant{{Region: "shoulders", Technique: "touch", Answer: catalogue.Yes},
		{Region: "upper-back", Technique: "massage", Answer: catalogue.Yes}})
	id := e.inProgress(e.alex)
	p := e.browser()
	p.login("robin@example.test")
	p.get("/sessions/" + id)
	stop := strings.Index(p.last, `id="console-stop"`)
	board := strings.Index(p.last, `id="h-board"`)
	if stop < 0 || board < 0 || stop > board {
		t.Fatalf("Stop (at %d) does not come before the board (at %d)", stop, board)
	}
	open := between(p.last, `id="open-regions"`, "</table>")
	if got := strings.Count(open, `<tr data-region=`); got != 2 {
		t.Errorf("the open table has %d regions, want shoulders and upper back:\n%s", got, open)
	}
	if !strings.Contains(p.last, `<details class="closed-regions" id="closed-regions">`) || !strings.Contains(p.last, "Denied for every technique: 21 regions") {
		t.Errorf("denied regions are not folded away:\n%s", between(p.last, `id="closed-regions"`, "</summary>"))
	}
	if strings.Count(p.last, "✕ Deny") > 8 {
		t.Errorf("the board still shows %d Deny cells", strings.Count(p.last, "✕ Deny"))
	}

	e.event(id, e.alex, "stop")
	p.get("/sessions/" + id + "/board")
	if line := between(p.last, `id="session-line"`, "</p>"); !strings.Contains(line, "Stopped") || strings.Contains(line, "In progress") {
		t.Errorf("the stopped board's header line: %s", line)
	}
	if !strings.Contains(p.last, `id="nothing-permitted"`) || strings.Contains(p.last, `id="console-stop"`) {
		t.Error("the stopped board does not say that nothing is permitted, or still offers Stop")
	}

	c := e.browser()
	c.login("alex@example.test")
	c.get("/sessions/" + id + "?done=stopped")
	if !strings.Contains(c.last, `id="session-flash">Stopped. Nothing happens`) {
		t.Errorf("the stopped flash is missing while stopped:\n%s", between(c.last, `<main`, `</main>`))
	}
	c.get("/sessions/" + id + "?done=reconfirmed")
	if strings.Contains(c.last, "Your consent for this session is confirmed") {
		t.Error(`"Your consent for this session is confirmed" is shown while stopped`)
	}
	e.event(id, e.alex, "resume")
	c.get("/sessions/" + id + "/controls?done=stopped")
	if strings.Contains(c.last, "session-flash") {
		t.Error("the stopped flash outlived the stop in the live fragment")
	}

	c.get("/sessions/" + id)
	if resp := c.post("/agreements/"+ag.ID+"/revoke", url.Values{"region": {"shoulders"}, "back": {"/sessions/" + id}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("withdraw: %d", resp.StatusCode)
	}
	p.get("/sessions/" + id)
	log := between(p.last, `id="log"`, "</section>")
	if !strings.Contains(log, `<li class="withdrawal">`) || !strings.Contains(log, "Consent withdrawn for Shoulders (agreement version 1), by the client") {
		t.Errorf("the withdrawal is not in What happened:\n%s", log)
	}
	if strings.Index(log, "The client chose to go on") > strings.Index(log, "Consent withdrawn") {
		t.Error("What happened is not in time order")
	}

	if _, err := e.app.Sessions.AppendEvent(ctx, e.pract, id, app.EventInput{Type: "close", Close: &practice.CloseNotes{PainBefore: 5, PainAfter: 2, TensionBefore: 6, TensionAfter: 3}}); err != nil {
		t.Fatal(err)
	}
	c.get("/sessions/" + id + "?done=resumed")
	if strings.Contains(c.last, "You chose to go on") || !strings.Contains(c.last, "<h2>Finished</h2>") {
		t.Error(`"You chose to go on" is shown on the finished screen`)
	}
	// A withdrawal after the session is over is not part of it.
	if _, err := e.app.Agreements.RevokeAgreement(ctx, e.alex, ag.ID, app.RevokeInput{Regions: []string{"upper-back"}}); err != nil {
		t.Fatal(err)
	}
	p.get("/sessions/" + id)
	if strings.Contains(p.last, "Consent withdrawn for Upper back") {
		t.Error("a withdrawal after the session ended is listed in it")
	}
}

var auditRowRE = regexp.MustCompile(`<tr data-seq="(\d+)">`)

func auditSeqs(t *testing.T, page string) []int {
	t.Helper()
	var out []int
	for _, m := range auditRowRE.FindAllStringSubmatch(page, -1) {
		n, _ := strconv.Atoi(m[1])
		out = append(out, n)
	}
	return out
}

var olderRE = regexp.MustCompile(`<a href="([^"]+)" rel="next">Older →</a>`)
var newerRE = regexp.MustCompile(`<a href="([^"]+)" rel="prev">← Newer</a>`)

func TestAuditLogPagedWithNames(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	for range 120 {
		if _, err := e.app.People.GetClient(ctx, e.pract, e.alex.UserID); err != nil {
			t.Fatal(err)
		}
	}
	b := e.browser()
	b.login("ada@example.test")
	if resp := b.get("/admin/audit"); resp.StatusCode != 200 {
		t.Fatalf("audit: %d", resp.StatusCode)
	}
	first := auditSeqs(t, b.last)
	if len(first) != 50 {
		t.Fatalf("the first page has %d rows, want 50", len(first))
	}
	for i := 1; i < len(first); i++ {
		if first[i] != first[i-1]-1 {
			t.Fatalf("the first page is not the newest entries in order: %v", first)
		}
	}
	if newerRE.MatchString(b.last) {
		t.Error("the newest page offers newer entries")
	}
	// Names where ids were: the practitioner who read, the client read.
	row := between(b.last, `<tr data-seq="`+itoa(first[len(first)-1])+`">`, "</tr>")
	if !strings.Contains(row, "Robin Reyes <span class=\"mono small\">"+e.pract.UserID+"</span>") ||
		!strings.Contains(row, "Alex Moreau <span class=\"mono small\">"+e.alex.UserID+"</span>") {
		t.Errorf("the row does not name the people:\n%s", row)
	}
	m := olderRE.FindStringSubmatch(b.last)
	if m == nil {
		t.Fatalf("no link to older entries:\n%s", between(b.last, "<h1>", "<div class=\"table-wrap\">"))
	}
	b.get(strings.ReplaceAll(m[1], "&amp;", "&"))
	second := auditSeqs(t, b.last)
	if len(second) != 50 || second[0] != first[len(first)-1]-1 {
		t.Fatalf("the older page starts at %v, want %d and 50 rows", second[:min(3, len(second))], first[len(first)-1]-1)
	}
	n := newerRE.FindStringSubmatch(b.last)
	if n == nil {
		t.Fatal("the older page has no link back to newer entries")
	}
	b.get(strings.ReplaceAll(n[1], "&amp;", "&"))
	if back := auditSeqs(t, b.last); len(back) != 50 || back[len(back)-1] != second[0]+1 {
		t.Errorf("newer from the second page: %v…, want it to end at %d", back[:min(3, len(back))], second[0]+1)
	}
	// The client filter carries over to the paging links.
	b.get("/admin/audit?client_id=" + e.alex.UserID)
	if m := olderRE.FindStringSubmatch(b.last); m == nil || !strings.Contains(m[1], "client_id="+e.alex.UserID) {
		t.Errorf("older link of a filtered page: %v", m)
	}
	// Opening client names for the page is audited as a read naming them.
	es, err := e.app.Audit.ListAudit(ctx, e.admin, store.AuditFilter{Newest: true, Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	var named bool
	for _, en := range es {
		named = named || (en.Action == "client.list" && en.Actor == e.admin.UserID && strings.Contains(en.Detail, e.alex.UserID))
	}
	if !named {
		t.Errorf("no client.list entry for the names the audit page opened: %+v", es)
	}
	// A bad page number is a 400 with a message, not a crash.
	if resp := b.get("/admin/audit?before=abc"); resp.StatusCode != http.StatusBadRequest || !strings.Contains(b.last, "That page of the log does not exist") {
		t.Errorf("bad before: %d", resp.StatusCode)
	}
	// Only admins.
	p := e.browser()
	p.login("robin@example.test")
	if resp := p.get("/admin/audit"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("practitioner on the audit page: %d", resp.StatusCode)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
