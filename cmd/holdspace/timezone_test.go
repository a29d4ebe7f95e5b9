package main

import (
	"strings"
	"testing"
	"time"
)

// TestTimeZoneAPI: /me says which zone a person sees times in (their own,
// else the practice's), PUT /me/time-zone chooses it, and the API itself
// stays in UTC RFC 3339 whatever the zones.
func TestTimeZoneAPI(t *testing.T) {
	t.Parallel()
	f := newPractice(t, nil)
	n := f.n
	if r := n.must(200, "GET", "/api/v1/me", f.p1, nil); r.str("zone") != "UTC" || r.str("time_zone") != "" {
		t.Fatalf("/me before any zone: %s", r.Raw)
	}
	settings := n.must(200, "GET", "/api/v1/practice/settings", f.admin, nil).Body
	body := map[string]any{}
	for _, k := range []string{"age_of_majority", "sensual_offered", "follow_up_window_hours", "scope"} {
		body[k] = settings[k]
	}
	body["time_zone"] = "America/Los_Angeles"
	n.must(200, "PUT", "/api/v1/practice/settings", f.admin, body)
	if r := n.must(200, "GET", "/api/v1/me", f.p1, nil); r.str("zone") != "America/Los_Angeles" || r.str("time_zone") != "" {
		t.Fatalf("/me in a practice in LA: %s", r.Raw)
	}
	if r := n.must(400, "PUT", "/api/v1/me/time-zone", f.p1, map[string]string{"time_zone": "Europe/Atlantis"}); r.errCode() != "unknown_time_zone" {
		t.Fatalf("unknown zone: %s", r.Raw)
	}
	if r := n.must(400, "PUT", "/api/v1/me/time-zone", f.p1, map[string]any{}); r.errCode() != "required" {
		t.Fatalf("no zone: %s", r.Raw)
	}
	if r := n.must(200, "PUT", "/api/v1/me/time-zone", f.p1, map[string]string{"time_zone": "Europe/Berlin"}); r.str("time_zone") != "Europe/Berlin" || r.str("zone") != "Europe/Berlin" {
		t.Fatalf("choose Berlin: %s", r.Raw)
	}
	if r := n.must(200, "GET", "/api/v1/me", f.p1, nil); r.str("zone") != "Europe/Berlin" {
		t.Fatalf("/me after choosing: %s", r.Raw)
	}
	// Times in and out stay UTC.
	at := time.Now().UTC().Add(2 * time.Hour).Truncate(time.Minute)
	id := n.must(201, "POST", "/api/v1/sessions", f.p1, map[string]any{"client_id": f.c1ID, "practitioner_id": f.p1ID,
		"intent": "therapeutic", "starts_at": at.Format(time.RFC3339)}).str("id")
	got := n.must(200, "GET", "/api/v1/sessions/"+id, f.p1, nil).str("starts_at")
	if !strings.HasSuffix(got, "Z") {
		t.Fatalf("starts_at %q is not UTC", got)
	}
	if ts, err := time.Parse(time.RFC3339, got); err != nil || !ts.Equal(at) {
		t.Fatalf("starts_at %q, want %s", got, at.Format(time.RFC3339))
	}
	if r := n.must(200, "PUT", "/api/v1/me/time-zone", f.p1, map[string]string{"time_zone": ""}); r.str("zone") != "America/Los_Angeles" {
		t.Fatalf("back to the practice's: %s", r.Raw)
	}
}
