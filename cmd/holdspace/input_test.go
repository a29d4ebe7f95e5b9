package main

import (
	"bufio"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestBadInput sends malformed, unknown, oversize, mistyped and
// unauthenticated requests: each gets a clear 4xx with a stable code and
// writes nothing (the audit chain, which records every act, does not grow).
func TestBadInput(t *testing.T) {
	t.Parallel()
	f := newPractice(t, nil)
	n := f.n
	clients := "/api/v1/clients"
	valid := `{"name":"New Person","email":"new@example.test","birth_date":"1990-02-03","practitioner_ids":[]}`
	cases := []struct {
		name, method, path, token, ctype, body string
		status                                 int
		code, field                            string
	}{
		{"MalformedJSON", "POST", clients, f.admin, "application/json", `{"name": "x",`, 400, "malformed_json", ""},
		{"NotAnObject", "POST", clients, f.admin, "application/json", `[1,2]`, 400, "wrong_type", ""},
		{"TwoValues", "POST", clients, f.admin, "application/json", valid + valid, 400, "malformed_json", ""},
		{"EmptyBody", "POST", clients, f.admin, "application/json", ``, 400, "malformed_json", ""},
		{"UnknownField", "POST", clients, f.admin, "application/json", strings.Replace(valid, `"name"`, `"nmae":"typo","name"`, 1), 400, "unknown_field", "nmae"},
		{"WrongType", "POST", clients, f.admin, "application/json", strings.Replace(valid, `"practitioner_ids":[]`, `"practitioner_ids":"p1"`, 1), 400, "wrong_type", "practitioner_ids"},
		{"ImpossibleDate", "POST", clients, f.admin, "application/json", strings.Replace(valid, "1990-02-03", "1990-02-30", 1), 400, "invalid_date", "birth_date"},
		{"BadEmail", "POST", clients, f.admin, "application/json", strings.Replace(valid, "new@example.test", "not an email", 1), 400, "invalid_email", "email"},
		{"DuplicateEmail", "POST", clients, f.admin, "application/json", strings.Replace(valid, "new@example.test", "c1@example.test", 1), 409, "email_taken", ""},
		{"UnknownPractitioner", "POST", clients, f.admin, "application/json", strings.Replace(valid, `[]`, `["prc_nope"]`, 1), 400, "unknown_practitioner", "practitioner_ids"},
		{"Oversize", "POST", clients, f.admin, "application/json", `{"name":"` + strings.Repeat("a", 1<<20+10) + `"}`, 413, "body_too_large", ""},
		{"WrongContentType", "POST", clients, f.admin, "text/plain", valid, 415, "unsupported_media_type", ""},
		{"NoContentType", "POST", clients, f.admin, "", valid, 415, "unsupported_media_type", ""},
		{"MissingToken", "POST", clients, "", "application/json", valid, 401, "missing_token", ""},
		{"BadToken", "POST", clients, "hs_forged", "application/json", valid, 401, "invalid_token", ""},
		{"UnknownRegion", "POST", "/api/v1/clients/" + f.c1ID + "/agreements", f.c1, "application/json",
			`{"intent":"therapeutic","grants":[{"region":"elbow","technique":"touch","answer":"yes"}]}`, 400, "unknown_region", "grants[0].region"},
		{"RegionNotApplicable", "POST", "/api/v1/clients/" + f.c1ID + "/agreements", f.c1, "application/json",
			`{"intent":"therapeutic","grants":[{"region":"vagina","technique":"touch","answer":"yes"}]}`, 400, "not_applicable", "grants[0].region"},
		{"UnknownLinkID", "POST", "/api/v1/clients/" + f.c1ID + "/screenings", f.c1, "application/json",
			`{"answers":{"fever":false,"feelings":true}}`, 400, "unknown_link_id", "answers.feelings"},
		{"AnswerWrongType", "POST", "/api/v1/clients/" + f.c1ID + "/screenings", f.c1, "application/json",
			`{"answers":{"fever":"no"}}`, 400, "wrong_type", "answers.fever"},
		{"EventDoesNotFitState", "POST", "/api/v1/sessions/" + "SESSION" + "/events", f.p1, "application/json", `{"type":"begin"}`, 409, "invalid_transition", ""},
		{"UnknownEventType", "POST", "/api/v1/sessions/" + "SESSION" + "/events", f.p1, "application/json", `{"type":"dance"}`, 400, "unknown_event_type", "type"},
		{"DecisionUnknownTechnique", "POST", "/api/v1/decisions", f.p1, "application/json", `{"session_id":"SESSION","region":"feet","technique":"tickle"}`, 400, "unknown_technique", "technique"},
		{"UnknownRoute", "GET", "/api/v1/nothing-here", f.admin, "", "", 404, "not_found", ""},
	}
	ses := f.session(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := auditCount(t, n.data)
			path := strings.ReplaceAll(tc.path, "SESSION", ses)
			body := strings.ReplaceAll(tc.body, "SESSION", ses)
			req, _ := http.NewRequest(tc.method, n.url+path, strings.NewReader(body))
			if tc.ctype != "" {
				req.Header.Set("Content-Type", tc.ctype)
			}
			if tc.token != "" {
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			r := readResponse(t, resp)
			if r.Status != tc.status || r.errCode() != tc.code {
				t.Fatalf("got %d %q, want %d %q: %s", r.Status, r.errCode(), tc.status, tc.code, r.Raw)
			}
			e, _ := r.Body["error"].(map[string]any)
			if msg, _ := e["message"].(string); msg == "" {
				t.Errorf("no message: %s", r.Raw)
			}
			if tc.field != "" && e["field"] != tc.field {
				t.Errorf("field %v, want %q", e["field"], tc.field)
			}
			if after := auditCount(t, n.data); after != before {
				t.Fatalf("a rejected request wrote %d audit entries", after-before)
			}
		})
	}
}

// TestGracefulShutdown stops a server with a live event stream and a stream
// of requests in flight: run returns nil, the stream ends, every request
// that was answered was answered whole, and the database was closed cleanly
// (it opens again with the audit chain intact).
func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	f := newPractice(t, nil)
	n := f.n
	ses := f.session(t)
	req, _ := http.NewRequest("GET", n.url+"/api/v1/sessions/"+ses+"/stream", nil)
	req.Header.Set("Authorization", "Bearer "+f.p1)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("stream: %v %v", err, resp)
	}
	sc := bufio.NewScanner(resp.Body)
	gotState := make(chan bool, 1)
	streamDone := make(chan struct{})
	go func() {
		defer close(streamDone)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "event: state") {
				select {
				case gotState <- true:
				default:
				}
			}
		}
	}()
	select {
	case <-gotState:
	case <-time.After(5 * time.Second):
		t.Fatal("no initial state on the stream")
	}
	stopLoad := make(chan struct{})
	loadDone := make(chan int)
	go func() {
		ok := 0
		for {
			select {
			case <-stopLoad:
				loadDone <- ok
				return
			default:
			}
			r, err := http.Get(n.url + "/healthz")
			if err != nil {
				continue
			}
			if r.StatusCode == 200 || r.StatusCode == 503 {
				ok++
			} else {
				t.Errorf("unexpected status during shutdown: %d", r.StatusCode)
			}
			r.Body.Close()
		}
	}()
	time.Sleep(100 * time.Millisecond)
	if err := n.stop(); err != nil {
		t.Fatalf("run returned %v on shutdown", err)
	}
	close(stopLoad)
	if served := <-loadDone; served == 0 {
		t.Fatal("no request was served while shutting down")
	}
	select {
	case <-streamDone:
	case <-time.After(5 * time.Second):
		t.Fatal("the event stream did not end on shutdown")
	}
	resp.Body.Close()
	auditCount(t, n.data)
}
