package main

import (
	"log/slog"
	"slices"
	"strings"
	"testing"

	"holdspace/httpapi"
	"holdspace/httpedge"
)

// TestAuthorization enumerates every route × role × owner/non-owner and
// asserts the status: 404 for what the caller may not see (never leaking
// existence), 403 for what they may see but not do, 401 without a token.
func TestAuthorization(t *testing.T) {
	t.Parallel()
	f := newPractice(t, nil)
	n := f.n
	ag := f.signedAgreement(t, []map[string]string{grant("shoulders", "massage", "yes"), grant("upper-back", "massage", "yes")})
	draft := n.must(201, "POST", "/api/v1/clients/"+f.c1ID+"/agreements", f.p1, map[string]any{"intent": "therapeutic",
		"grants": []map[string]string{grant("feet", "touch", "yes")}}).str("id")
	ses := f.session(t)
	entered := n.must(201, "POST", "/api/v1/clients/"+f.c1ID+"/screenings", f.p1, map[string]any{"answers": clearAnswers()}).str("id")
	c3 := n.must(201, "POST", "/api/v1/clients", f.admin, map[string]any{"name": "Erin Erased", "email": "c3@example.test",
		"birth_date": "1970-01-01", "practitioner_ids": []string{f.p1ID}}).str("id")

	// A closed session with an adverse event, for the follow-up routes.
	fses := f.inProgress(t, "therapeutic")
	f.event(t, f.p1, fses, map[string]any{"type": "adverse", "kind": "pain"})
	f.event(t, f.p1, fses, map[string]any{"type": "close", "close": map[string]any{"subjective": "sore"}})
	fups, _ := n.must(200, "GET", "/api/v1/follow-ups", f.p1, nil).Body["follow_ups"].([]any)
	if len(fups) != 1 {
		t.Fatalf("follow-ups: %v", fups)
	}
	fup, _ := fups[0].(map[string]any)["id"].(string)
	guardian := map[string]string{"name": "G One", "relationship": "parent", "typed_name": "G One"}
	pz := n.must(201, "POST", "/api/v1/practitioners", f.admin, map[string]string{"name": "Pat Zed", "email": "pz@example.test"}).str("id")
	pzCred := n.must(201, "POST", "/api/v1/practitioners/"+pz+"/credentials", f.admin, map[string]any{"kind": "Licence", "issuer": "X", "number": "2",
		"valid_from": "2026-01-01", "valid_until": "2027-01-01", "covers": []string{}}).str("id")

	tok := map[string]string{"admin": f.admin, "p1": f.p1, "p2": f.p2, "c1": f.c1, "c2": f.c2, "anon": ""}
	cred := map[string]any{"kind": "Licence", "issuer": "X", "number": "1", "valid_from": "2026-01-01", "valid_until": "2027-01-01", "covers": []string{}}
	newClient := func(email string) map[string]any {
		return map[string]any{"name": "New Client", "email": email, "birth_date": "1999-09-09", "practitioner_ids": []string{f.p1ID}}
	}
	decide := map[string]string{"session_id": ses, "region": "shoulders", "technique": "massage"}
	agreement := map[string]any{"intent": "therapeutic", "grants": []map[string]string{grant("hands", "touch", "yes")}}
	type row struct {
		route  string // the pattern it exercises
		method string
		path   string
		body   any
		want   map[string]int
	}
	c1 := "/api/v1/clients/" + f.c1ID
	rows := []row{
		{"GET /api/v1/me", "GET", "/api/v1/me", nil, map[string]int{"admin": 200, "p1": 200, "c1": 200, "anon": 401}},
		{"GET /api/v1/catalogue", "GET", "/api/v1/catalogue", nil, map[string]int{"c1": 200, "p2": 200, "anon": 401}},
		{"POST /api/v1/practitioners", "POST", "/api/v1/practitioners", map[string]string{"name": "P", "email": "px@example.test", "password": fixturePassword},
			map[string]int{"p1": 403, "c1": 403, "anon": 401, "admin": 201}},
		{"GET /api/v1/practitioners", "GET", "/api/v1/practitioners", nil, map[string]int{"admin": 200, "p1": 200, "c1": 200, "anon": 401}},
		{"GET /api/v1/practitioners/{id}", "GET", "/api/v1/practitioners/" + f.p1ID, nil,
			map[string]int{"admin": 200, "p1": 200, "c1": 200, "p2": 404, "c2": 404, "anon": 401}},
		{"POST /api/v1/practitioners/{id}/credentials", "POST", "/api/v1/practitioners/" + f.p2ID + "/credentials", cred,
			map[string]int{"p1": 403, "p2": 403, "c1": 403, "anon": 401, "admin": 201}},
		{"POST /api/v1/clients", "POST", "/api/v1/clients", newClient("n1@example.test"), map[string]int{"c1": 403, "anon": 401, "admin": 201}},
		{"POST /api/v1/clients", "POST", "/api/v1/clients", newClient("n2@example.test"), map[string]int{"p1": 201}},
		{"GET /api/v1/clients", "GET", "/api/v1/clients", nil, map[string]int{"admin": 200, "p2": 200, "c2": 200, "anon": 401}},
		{"GET /api/v1/clients", "GET", "/api/v1/clients?q=casey", nil, map[string]int{"admin": 200, "p1": 200, "p2": 200, "c1": 403, "c2": 403, "anon": 401}},
		{"GET /api/v1/clients/{id}", "GET", c1, nil, map[string]int{"admin": 200, "p1": 200, "c1": 200, "p2": 404, "c2": 404, "anon": 401}},
		{"PUT /api/v1/clients/{id}/practitioners", "PUT", c1 + "/practitioners", map[string]any{"practitioner_ids": []string{f.p1ID}},
			map[string]int{"p1": 403, "c1": 403, "p2": 404, "c2": 404, "anon": 401, "admin": 204}},
		{"GET /api/v1/clients/{id}/export", "GET", c1 + "/export", nil, map[string]int{"admin": 200, "c1": 200, "p1": 403, "p2": 404, "c2": 404, "anon": 401}},
		{"GET /api/v1/clients/{id}/fhir", "GET", c1 + "/fhir", nil, map[string]int{"admin": 200, "p1": 200, "c1": 200, "p2": 404, "c2": 404, "anon": 401}},
		{"GET /api/v1/questionnaires/{name}", "GET", "/api/v1/questionnaires/intake-v1", nil, map[string]int{"c2": 200, "p2": 200, "anon": 401}},
		{"GET /api/v1/questionnaires/{name}", "GET", "/api/v1/questionnaires/day-check-v1", nil, map[string]int{"c2": 200, "p2": 200, "anon": 401}},
		{"POST /api/v1/clients/{id}/screenings", "POST", c1 + "/screenings", map[string]any{"answers": clearAnswers()},
			map[string]int{"admin": 201, "p1": 201, "c1": 201, "p2": 404, "c2": 404, "anon": 401}},
		{"GET /api/v1/clients/{id}/screenings", "GET", c1 + "/screenings", nil, map[string]int{"admin": 200, "p1": 200, "c1": 200, "p2": 404, "c2": 404, "anon": 401}},
		{"GET /api/v1/clients/{id}/screenings/latest", "GET", c1 + "/screenings/latest", nil, map[string]int{"p1": 200, "c1": 200, "p2": 404, "c2": 404, "anon": 401}},
		{"POST /api/v1/clients/{id}/health-changes", "POST", c1 + "/health-changes", map[string]string{"note": "sprained ankle"},
			map[string]int{"p2": 404, "c2": 404, "anon": 401, "c1": 201}},
		// A clearance passes authorization only for the assigned
		// practitioner; then validation answers (no such rule: 400).
		{"POST /api/v1/clients/{id}/clearances", "POST", c1 + "/clearances", map[string]string{"rule": "no-such-rule", "cleared_by": "Dr Who", "cleared_on": "2026-01-01"},
			map[string]int{"admin": 403, "c1": 403, "p2": 404, "c2": 404, "anon": 401, "p1": 400}},
		{"POST /api/v1/clients/{id}/agreements", "POST", c1 + "/agreements", agreement,
			map[string]int{"admin": 403, "p2": 404, "c2": 404, "anon": 401, "p1": 201, "c1": 201}},
		{"GET /api/v1/clients/{id}/agreements", "GET", c1 + "/agreements", nil, map[string]int{"admin": 200, "p1": 200, "c1": 200, "p2": 404, "c2": 404, "anon": 401}},
		{"GET /api/v1/agreements/{id}", "GET", "/api/v1/agreements/" + ag, nil, map[string]int{"admin": 200, "p1": 200, "c1": 200, "p2": 404, "c2": 404, "anon": 401}},
		{"GET /api/v1/agreements/{id}/receipt", "GET", "/api/v1/agreements/" + ag + "/receipt", nil, map[string]int{"p1": 200, "c1": 200, "p2": 404, "c2": 404, "anon": 401}},
		{"POST /api/v1/agreements/{id}/sign", "POST", "/api/v1/agreements/" + draft + "/sign", map[string]any{},
			map[string]int{"admin": 403, "p1": 403, "p2": 404, "c2": 404, "anon": 401, "c1": 200}},
		{"POST /api/v1/sessions", "POST", "/api/v1/sessions", map[string]any{"client_id": f.c1ID, "practitioner_id": f.p1ID, "intent": "therapeutic", "starts_at": "2026-12-01T10:00:00Z"},
			map[string]int{"c1": 403, "p2": 404, "anon": 401, "admin": 201, "p1": 201}},
		{"GET /api/v1/sessions", "GET", "/api/v1/sessions", nil, map[string]int{"admin": 200, "p1": 200, "c2": 200, "anon": 401}},
		{"GET /api/v1/sessions/{id}", "GET", "/api/v1/sessions/" + ses, nil, map[string]int{"admin": 200, "p1": 200, "c1": 200, "p2": 404, "c2": 404, "anon": 401}},
		{"GET /api/v1/sessions/{id}/board", "GET", "/api/v1/sessions/" + ses + "/board", nil, map[string]int{"admin": 200, "p1": 200, "c1": 200, "p2": 404, "c2": 404, "anon": 401}},
		{"GET /api/v1/sessions/{id}/events", "GET", "/api/v1/sessions/" + ses + "/events", nil, map[string]int{"admin": 200, "p1": 200, "c1": 200, "p2": 404, "c2": 404, "anon": 401}},
		{"GET /api/v1/sessions/{id}/stream", "GET", "/api/v1/sessions/" + ses + "/stream", nil, map[string]int{"p2": 404, "c2": 404, "anon": 401}},
		// The client may not open a session (a practitioner's event): 403.
		{"POST /api/v1/sessions/{id}/events", "POST", "/api/v1/sessions/" + ses + "/events", map[string]string{"type": "open"},
			map[string]int{"admin": 403, "c1": 403, "p2": 404, "c2": 404, "anon": 401, "p1": 201}},
		// Today's check: the client, or the practitioner recording the client's in-person answers.
		{"POST /api/v1/sessions/{id}/events", "POST", "/api/v1/sessions/" + ses + "/events", today(true, false, false),
			map[string]int{"admin": 403, "p2": 404, "c2": 404, "anon": 401, "c1": 201, "p1": 201}},
		{"POST /api/v1/decisions", "POST", "/api/v1/decisions", decide, map[string]int{"admin": 403, "p2": 404, "c2": 404, "anon": 401, "p1": 200, "c1": 200}},
		{"POST /api/v1/agreements/{id}/revoke", "POST", "/api/v1/agreements/" + ag + "/revoke", map[string]any{"regions": []string{"upper-back"}},
			map[string]int{"admin": 403, "p2": 404, "c2": 404, "anon": 401, "p1": 200, "c1": 200}},
		{"GET /api/v1/practice/settings", "GET", "/api/v1/practice/settings", nil, map[string]int{"c1": 403, "anon": 401, "p1": 200, "admin": 200}},
		{"PUT /api/v1/practice/settings", "PUT", "/api/v1/practice/settings", map[string]any{"follow_up_window_hours": 48},
			map[string]int{"c1": 403, "p1": 403, "anon": 401, "admin": 200}},
		// The client is an adult: past authorization, a guardian is refused.
		{"POST /api/v1/agreements/{id}/guardian", "POST", "/api/v1/agreements/" + ag + "/guardian", guardian,
			map[string]int{"admin": 403, "c1": 403, "p2": 404, "c2": 404, "anon": 401, "p1": 409}},
		{"GET /api/v1/clients/{id}/guardians", "GET", c1 + "/guardians", nil, map[string]int{"admin": 200, "p1": 200, "c1": 200, "p2": 404, "c2": 404, "anon": 401}},
		{"PUT /api/v1/clients/{id}/birth-date", "PUT", c1 + "/birth-date", map[string]string{"birth_date": "1985-05-05"},
			map[string]int{"c1": 403, "p2": 404, "c2": 404, "anon": 401, "p1": 204, "admin": 204}},
		{"GET /api/v1/follow-ups", "GET", "/api/v1/follow-ups", nil, map[string]int{"admin": 200, "p1": 200, "c1": 200, "anon": 401}},
		{"GET /api/v1/follow-ups/adverse", "GET", "/api/v1/follow-ups/adverse", nil, map[string]int{"p1": 403, "c1": 403, "anon": 401, "admin": 200}},
		{"POST /api/v1/follow-ups/{id}/answer", "POST", "/api/v1/follow-ups/" + fup + "/answer", map[string]any{"wellbeing": 7},
			map[string]int{"admin": 403, "p2": 404, "c2": 404, "anon": 401, "c1": 201}},
		{"POST /api/v1/follow-ups/{id}/acknowledge", "POST", "/api/v1/follow-ups/" + fup + "/acknowledge", nil,
			map[string]int{"p1": 403, "c1": 403, "anon": 401, "admin": 200}},
		{"GET /api/v1/audit", "GET", "/api/v1/audit", nil, map[string]int{"p1": 403, "c1": 403, "anon": 401, "admin": 200}},
		{"GET /api/v1/export/{file}", "GET", "/api/v1/export/sessions.csv", nil, map[string]int{"p1": 403, "c1": 403, "anon": 401, "admin": 200}},
		{"POST /api/v1/screenings/{id}/confirm", "POST", "/api/v1/screenings/" + entered + "/confirm", nil,
			map[string]int{"admin": 403, "p1": 403, "p2": 404, "c2": 404, "anon": 401, "c1": 200}},
		{"GET /api/v1/clients/{id}/consent-history", "GET", c1 + "/consent-history", nil,
			map[string]int{"admin": 200, "p1": 200, "c1": 200, "p2": 404, "c2": 404, "anon": 401}},
		{"POST /api/v1/clients/{id}/consent-history/seen", "POST", c1 + "/consent-history/seen", nil,
			map[string]int{"admin": 403, "p1": 403, "p2": 404, "c2": 404, "anon": 401, "c1": 200}},
		{"POST /api/v1/clients/{id}/stop", "POST", c1 + "/stop", nil,
			map[string]int{"admin": 403, "p1": 403, "p2": 404, "c2": 404, "anon": 401, "c1": 200}},
		{"DELETE /api/v1/auth/token", "DELETE", "/api/v1/auth/token", nil, map[string]int{"anon": 401}},
		// Accounts (issue 13): one's own account, then the admin's acts.
		{"POST /api/v1/me/password", "POST", "/api/v1/me/password", map[string]string{"current_password": "not it at all", "password": "a brand new secret"},
			map[string]int{"anon": 401, "c2": 400, "p2": 400, "admin": 400}},
		{"PUT /api/v1/me/time-zone", "PUT", "/api/v1/me/time-zone", map[string]string{"time_zone": "Europe/Berlin"},
			map[string]int{"anon": 401, "c2": 200, "p2": 200, "admin": 200}},
		{"PUT /api/v1/me/language", "PUT", "/api/v1/me/language", map[string]string{"language": "de"},
			map[string]int{"anon": 401, "c2": 200, "p2": 200, "admin": 200}},
		{"GET /api/v1/me/sessions", "GET", "/api/v1/me/sessions", nil, map[string]int{"anon": 401, "c1": 200, "p1": 200, "admin": 200}},
		{"POST /api/v1/me/sessions/sign-out-others", "POST", "/api/v1/me/sessions/sign-out-others", nil, map[string]int{"anon": 401, "c2": 204}},
		{"POST /api/v1/me/second-factor", "POST", "/api/v1/me/second-factor", nil, map[string]int{"anon": 401, "c2": 201}},
		{"POST /api/v1/me/second-factor/confirm", "POST", "/api/v1/me/second-factor/confirm", map[string]string{"otp": "000000"}, map[string]int{"anon": 401, "c2": 400, "p2": 409}},
		{"POST /api/v1/me/second-factor/disable", "POST", "/api/v1/me/second-factor/disable", map[string]string{"current_password": "not it at all"}, map[string]int{"anon": 401, "c2": 400}},
		{"POST /api/v1/users/{id}/invitations", "POST", "/api/v1/users/" + f.c1ID + "/invitations", nil,
			map[string]int{"anon": 401, "c2": 404, "p2": 404, "c1": 403, "p1": 201, "admin": 201}},
		{"POST /api/v1/users/{id}/second-factor/reset", "POST", "/api/v1/users/" + pz + "/second-factor/reset", nil, map[string]int{"anon": 401, "c1": 404, "p1": 404, "admin": 204}},
		{"POST /api/v1/practitioners/{id}/credentials/{cid}/revoke", "POST", "/api/v1/practitioners/" + pz + "/credentials/" + pzCred + "/revoke", map[string]string{"reason": "lapsed"},
			map[string]int{"anon": 401, "c1": 403, "p1": 403, "p2": 403, "admin": 204}},
		{"POST /api/v1/users/{id}/disable", "POST", "/api/v1/users/" + pz + "/disable", nil, map[string]int{"anon": 401, "c1": 403, "p1": 403, "admin": 204}},
		{"POST /api/v1/users/{id}/enable", "POST", "/api/v1/users/" + pz + "/enable", nil, map[string]int{"anon": 401, "c1": 403, "p1": 403, "admin": 204}},
		{"DELETE /api/v1/clients/{id}", "DELETE", "/api/v1/clients/" + c3, nil, map[string]int{"p1": 403, "c1": 404, "p2": 404, "anon": 401, "admin": 204}},
		// Email and calendars (issue 14). This practice runs without email:
		// a reset request says so (503), the same for every caller.
		{"POST /api/v1/auth/password-reset", "POST", "/api/v1/auth/password-reset", map[string]string{"email": "c1@example.test"}, map[string]int{"anon": 503}},
		{"POST /api/v1/auth/password-reset/confirm", "POST", "/api/v1/auth/password-reset/confirm", map[string]string{"token": "not-a-reset-token", "password": "a brand new long password"},
			map[string]int{"anon": 404}},
		{"GET /api/v1/me/calendar-feed", "GET", "/api/v1/me/calendar-feed", nil, map[string]int{"anon": 401, "c1": 403, "admin": 403, "p1": 200}},
		{"POST /api/v1/me/calendar-feed", "POST", "/api/v1/me/calendar-feed", nil, map[string]int{"anon": 401, "c2": 403, "admin": 403, "p2": 201}},
		{"DELETE /api/v1/me/calendar-feed", "DELETE", "/api/v1/me/calendar-feed", nil, map[string]int{"anon": 401, "c2": 403, "admin": 403, "p2": 204}},
		{"GET /api/v1/sessions/{id}/calendar.ics", "GET", "/api/v1/sessions/" + ses + "/calendar.ics", nil,
			map[string]int{"anon": 401, "p2": 404, "c2": 404, "p1": 403, "admin": 403, "c1": 200}},
		{"GET /feeds/{file}", "GET", "/feeds/not-a-feed-token.ics", nil, map[string]int{"anon": 404, "p1": 404}},
	}
	for _, r := range bookingAuthzRows(t, f) {
		rows = append(rows, row(r))
	}
	order := []string{"anon", "c2", "p2", "c1", "p1", "admin"} // denials before the acts that succeed
	covered := map[string]bool{}
	for _, r := range rows {
		covered[r.route] = true
		for _, who := range order {
			want, ok := r.want[who]
			if !ok {
				continue
			}
			t.Run(strings.ReplaceAll(r.method+" "+r.path, "/", "_")+"/"+who, func(t *testing.T) {
				path := r.path
				if r.route == "GET /api/v1/sessions/{id}/stream" {
					// Streams stay open; only the denials are asserted here.
					if want == 200 {
						t.Fatal("stream rows assert denials only")
					}
				}
				got := n.call(r.method, path, tok[who], r.body)
				if got.Status != want {
					t.Fatalf("status %d, want %d: %s", got.Status, want, got.Raw)
				}
				if want >= 400 && got.errCode() == "" {
					t.Fatalf("error without a code: %s", got.Raw)
				}
			})
		}
	}
	// Every authenticated route of the API has a row.
	srv := httpapi.New(nil, slog.New(slog.DiscardHandler), httpedge.NewMetrics(), nil)
	public := []string{"GET /healthz", "GET /metrics", "GET /api/v1/openapi.json", "POST /api/v1/auth/token", "/api/",
		"GET /fhir/StructureDefinition/{id}"} // definitions describe the format, not anyone's data
	for _, p := range srv.Patterns() {
		if !slices.Contains(public, p) && !covered[p] {
			t.Errorf("route %s has no row in the authorization table", p)
		}
	}
}
