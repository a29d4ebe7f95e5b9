package main

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"holdspace/httpapi/openapitest"
)

// apiRecorder records every response the tests of this package receive
// through http.DefaultClient (the harness's call, http.Get, …). TestMain
// checks them all against the OpenAPI document once the tests have passed:
// every end-to-end flow here doubles as a check of the API's contract.
var apiRecorder = &openapitest.Recorder{Next: http.DefaultTransport}

func TestMain(m *testing.M) {
	http.DefaultClient.Transport = apiRecorder
	code := m.Run()
	if code == 0 {
		if !contractHolds(apiRecorder.Exchanges(), func(f string, a ...any) { fmt.Fprintf(os.Stderr, f+"\n", a...) }) {
			code = 1
		}
	}
	os.Exit(code)
}

// contractHolds validates xs against the OpenAPI document and reports each
// mismatch; it returns whether all matched.
func contractHolds(xs []openapitest.Exchange, report func(string, ...any)) bool {
	rep, err := openapitest.Validate(xs)
	if err != nil {
		report("OpenAPI document: %v", err)
		return false
	}
	for _, f := range rep.Failures {
		report("response does not match the OpenAPI document: %v", f)
	}
	if testing.Verbose() {
		fmt.Fprintln(os.Stderr, rep.Summary())
	}
	return len(rep.Failures) == 0
}

// TestResponsesMatchOpenAPI drives the API's main flows and its error paths
// against one server and validates every response it received against the
// OpenAPI document: status documented, body matching the operation's
// schema. It also checks that a request with several problems lists them
// all in error.problems.
func TestResponsesMatchOpenAPI(t *testing.T) {
	t.Parallel()
	f := newPractice(t, nil)
	n := f.n
	c1 := "/api/v1/clients/" + f.c1ID

	n.must(200, "GET", "/api/v1/openapi.json", "", nil)
	n.must(200, "GET", "/metrics", "", nil)
	n.must(401, "GET", "/api/v1/me", "", nil)
	n.must(401, "GET", "/api/v1/me", "not-a-token", nil)
	n.must(200, "GET", "/api/v1/me", f.c1, nil)
	n.must(200, "GET", "/api/v1/catalogue", f.c1, nil)
	n.must(200, "GET", "/api/v1/practitioners", f.admin, nil)
	n.must(200, "GET", "/api/v1/practitioners/"+f.p1ID, f.admin, nil)
	n.must(404, "GET", "/api/v1/practitioners/nope", f.admin, nil)
	n.must(200, "GET", "/api/v1/clients", f.p1, nil)
	n.must(200, "GET", c1, f.p1, nil)
	n.must(200, "GET", c1+"/export", f.c1, nil)
	n.must(200, "GET", c1+"/fhir", f.p1, nil)
	n.must(200, "GET", "/api/v1/questionnaires/intake-v1", f.c1, nil)
	n.must(200, "GET", "/api/v1/questionnaires/day-check-v1", f.c1, nil)
	n.must(404, "GET", "/api/v1/questionnaires/nope", f.c1, nil)
	invited := n.must(201, "POST", "/api/v1/clients", f.admin, map[string]any{"name": "Ivy Invited", "email": "ivy@example.test",
		"birth_date": "1980-02-02", "practitioner_ids": []string{f.p1ID}})
	if inv, _ := invited.Body["invitation"].(map[string]any); inv["url"] == nil {
		t.Fatalf("a client without a password gets no invitation: %s", invited.Raw)
	}
	ivy := invited.str("id")
	n.must(201, "POST", "/api/v1/users/"+ivy+"/invitations", f.admin, nil)
	n.must(204, "POST", "/api/v1/users/"+ivy+"/disable", f.admin, nil)
	n.must(204, "POST", "/api/v1/users/"+ivy+"/enable", f.admin, nil)
	n.must(204, "PUT", "/api/v1/clients/"+ivy+"/birth-date", f.admin, map[string]string{"birth_date": "1980-03-03"})
	n.must(204, "PUT", "/api/v1/clients/"+ivy+"/practitioners", f.admin, map[string]any{"practitioner_ids": []string{f.p1ID, f.p2ID}})
	n.must(204, "DELETE", "/api/v1/clients/"+ivy, f.admin, nil)
	n.must(404, "GET", "/api/v1/clients/"+ivy, f.admin, nil)

	// Screening: several missing answers are reported at once.
	r := n.must(400, "POST", c1+"/screenings", f.c1, map[string]any{"answers": map[string]any{"fever": false}})
	e, _ := r.Body["error"].(map[string]any)
	problems, _ := e["problems"].([]any)
	if len(problems) < 2 || e["code"] != "missing_answer" {
		t.Fatalf("a screening with many missing answers: %s", r.Raw)
	}
	for _, p := range problems {
		m, _ := p.(map[string]any)
		if m["reason"] != "missing_answer" || !strings.HasPrefix(fmt.Sprint(m["field"]), "answers.") || m["message"] == "" {
			t.Errorf("problem %v", m)
		}
	}
	if first, _ := problems[0].(map[string]any); first["field"] != e["field"] {
		t.Errorf("the first problem %v is not error.field %v", first, e["field"])
	}
	entered := n.must(201, "POST", c1+"/screenings", f.p1, map[string]any{"answers": clearAnswers()}).str("id")
	n.must(200, "POST", "/api/v1/screenings/"+entered+"/confirm", f.c1, nil)
	n.must(200, "GET", c1+"/screenings", f.p1, nil)
	n.must(200, "GET", c1+"/screenings/latest", f.c1, nil)
	n.must(201, "POST", c1+"/health-changes", f.c1, map[string]string{"note": "a sore knee"})
	n.must(413, "POST", c1+"/health-changes", f.c1, `{"note":"`+strings.Repeat("a", 1<<20)+`"}`)
	n.must(400, "POST", c1+"/clearances", f.p1, map[string]string{"rule": "nope", "cleared_by": "Dr X", "cleared_on": "2026-01-01"})
	n.must(201, "POST", c1+"/screenings", f.c1, map[string]any{"answers": clearAnswers()})

	// Agreements: every bad grant at once.
	r = n.must(400, "POST", c1+"/agreements", f.c1, map[string]any{"intent": "therapeutic", "grants": []map[string]string{
		grant("spleen", "touch", "yes"), grant("shoulders", "massage", "maybe")}})
	if e, _ := r.Body["error"].(map[string]any); len(asList(e["problems"])) != 2 {
		t.Errorf("an agreement with two bad grants: %s", r.Raw)
	}
	ag := f.signedAgreement(t, []map[string]string{grant("shoulders", "massage", "yes"), grant("upper-back", "massage", "ask")})
	n.must(200, "GET", c1+"/agreements", f.c1, nil)
	n.must(200, "GET", "/api/v1/agreements/"+ag, f.c1, nil)
	n.must(200, "GET", "/api/v1/agreements/"+ag+"/receipt", f.c1, nil)
	n.must(409, "POST", "/api/v1/agreements/"+ag+"/sign", f.c1, nil)
	n.must(200, "GET", c1+"/consent-history?unseen=true", f.c1, nil)
	n.must(200, "POST", c1+"/consent-history/seen", f.c1, nil)
	n.must(200, "GET", c1+"/guardians", f.p1, nil)

	// A session from booking to close, with the live stream.
	ses := f.session(t)
	req, _ := http.NewRequest("GET", n.url+"/api/v1/sessions/"+ses+"/stream", nil)
	req.Header.Set("Authorization", "Bearer "+f.p1)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("stream: %v", err)
	}
	resp.Body.Close()
	from := url.QueryEscape(time.Now().Add(-time.Hour).UTC().Format(time.RFC3339))
	n.must(200, "GET", "/api/v1/sessions?client_id="+f.c1ID+"&from="+from, f.p1, nil)
	n.must(400, "GET", "/api/v1/sessions?from=yesterday", f.p1, nil)
	n.must(200, "GET", "/api/v1/sessions/"+ses, f.c1, nil)
	f.runToInProgress(t, ses)
	n.must(200, "POST", "/api/v1/decisions", f.p1, map[string]string{"session_id": ses, "region": "shoulders", "technique": "massage"})
	form, _ := http.NewRequest("POST", n.url+"/api/v1/decisions", strings.NewReader("session_id="+ses))
	form.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	form.Header.Set("Authorization", "Bearer "+f.p1)
	if resp, err := http.DefaultClient.Do(form); err != nil || resp.StatusCode != 415 {
		t.Fatalf("a form body for a decision: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	n.must(400, "POST", "/api/v1/decisions", f.p1, `{"session_id":`)
	n.must(400, "POST", "/api/v1/decisions", f.p1, `{"sesion_id":"x"}`)
	n.must(200, "GET", "/api/v1/sessions/"+ses+"/board", f.p1, nil)
	n.must(200, "GET", "/api/v1/sessions/"+ses+"/events", f.c1, nil)
	f.event(t, f.p1, ses, map[string]any{"type": "adverse", "kind": "pain"})
	n.must(409, "POST", "/api/v1/sessions/"+ses+"/events", f.p1, map[string]any{"type": "begin"})
	n.must(200, "POST", c1+"/stop", f.c1, nil)
	n.must(200, "POST", "/api/v1/agreements/"+ag+"/revoke", f.c1, map[string]any{"regions": []string{"upper-back"}})
	f.event(t, f.p1, ses, map[string]any{"type": "close", "close": map[string]any{"subjective": "sore"}})

	fups, _ := n.must(200, "GET", "/api/v1/follow-ups?open=true", f.c1, nil).Body["follow_ups"].([]any)
	if len(fups) == 0 {
		t.Fatal("no follow-up after a closed session")
	}
	fup, _ := fups[0].(map[string]any)["id"].(string)
	n.must(201, "POST", "/api/v1/follow-ups/"+fup+"/answer", f.c1, map[string]any{"wellbeing": 6, "note": "better"})
	n.must(200, "GET", "/api/v1/follow-ups/adverse", f.admin, nil)
	n.must(200, "POST", "/api/v1/follow-ups/"+fup+"/acknowledge", f.admin, nil)
	n.must(403, "GET", "/api/v1/follow-ups/adverse", f.c1, nil)

	// Settings: every bad setting at once.
	n.must(200, "GET", "/api/v1/practice/settings", f.admin, nil)
	r = n.must(400, "PUT", "/api/v1/practice/settings", f.admin, map[string]any{"age_of_majority": 12,
		"scope": []map[string]any{{"group": "elbows", "requires": "nothing", "offered": true}}})
	if e, _ := r.Body["error"].(map[string]any); len(asList(e["problems"])) != 3 {
		t.Errorf("settings with two bad values: %s", r.Raw)
	}
	n.must(200, "GET", "/api/v1/audit?limit=5&order=newest&client_id="+f.c1ID, f.admin, nil)
	n.must(400, "GET", "/api/v1/audit?limit=0", f.admin, nil)
	n.must(403, "GET", "/api/v1/audit", f.p1, nil)

	// Accounts.
	n.must(200, "GET", "/api/v1/me/sessions", f.p2, nil)
	n.must(201, "POST", "/api/v1/me/second-factor", f.p2, nil)
	n.must(400, "POST", "/api/v1/me/second-factor/confirm", f.p2, map[string]string{"otp": "000000"})
	n.must(204, "POST", "/api/v1/users/"+f.p2ID+"/second-factor/reset", f.admin, nil)
	n.must(204, "POST", "/api/v1/me/sessions/sign-out-others", f.p2, nil)
	n.must(204, "POST", "/api/v1/me/password", f.p2, map[string]string{"current_password": fixturePassword, "password": "another long test password"})
	n.must(204, "DELETE", "/api/v1/auth/token", f.p2, nil)
	n.must(401, "POST", "/api/v1/auth/token", "", map[string]string{"email": "p2@example.test", "password": "wrong password here"})

	contractHolds(apiRecorder.ExchangesWith(strings.TrimPrefix(n.url, "http://")), t.Errorf)
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}
