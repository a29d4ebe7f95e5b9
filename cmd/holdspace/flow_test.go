package main

import (
	"bufio"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// decision asks for a decision and returns its outcome and reason codes.
func (f *practiceFixture) decision(t *testing.T, token, ses, region, technique string) (string, []string) {
	t.Helper()
	r := f.n.must(200, "POST", "/api/v1/decisions", token, map[string]string{"session_id": ses, "region": region, "technique": technique})
	var codes []string
	rs, _ := r.Body["reasons"].([]any)
	for _, x := range rs {
		m, _ := x.(map[string]any)
		c, _ := m["code"].(string)
		codes = append(codes, c)
	}
	return r.str("decision"), codes
}

func (f *practiceFixture) event(t *testing.T, token, ses string, ev map[string]any) string {
	t.Helper()
	return f.n.must(201, "POST", "/api/v1/sessions/"+ses+"/events", token, ev).str("state")
}

// TestSessionFlow walks the whole path of a session through the API:
// sign → open → reconfirm → chaperone → begin → decide → check-in → stop →
// decide → resume → revoke → decide → close, asserting every decision.
func TestSessionFlow(t *testing.T) {
	t.Parallel()
	f := newPractice(t, nil)
	n := f.n
	n.must(201, "POST", "/api/v1/clients/"+f.c1ID+"/screenings", f.c1, map[string]any{"answers": clearAnswers()})
	ag := f.signedAgreement(t, []map[string]string{
		grant("shoulders", "massage", "yes"), grant("lower-back", "pressure", "yes"),
		grant("perineum", "touch", "ask"), grant("rectum", "touch", "yes"), grant("prostate", "massage", "ask"),
	})
	ses := f.session(t)

	// Before the session is in progress nothing is permitted.
	if d, codes := f.decision(t, f.p1, ses, "shoulders", "massage"); d != "deny" || !slices.Contains(codes, "session_not_active") {
		t.Fatalf("scheduled: %s %v", d, codes)
	}
	// Live stream from the practitioner's side.
	req, _ := http.NewRequest("GET", n.url+"/api/v1/sessions/"+ses+"/stream", nil)
	req.Header.Set("Authorization", "Bearer "+f.p1)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("stream: %v", err)
	}
	defer resp.Body.Close()
	states := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				states <- d
			}
		}
	}()
	waitFor := func(substr string) time.Duration {
		t.Helper()
		start := time.Now()
		deadline := time.After(5 * time.Second)
		for {
			select {
			case s := <-states:
				if strings.Contains(s, substr) {
					return time.Since(start)
				}
			case <-deadline:
				t.Fatalf("stream never said %q", substr)
			}
		}
	}
	waitFor(`"state":"scheduled"`)

	if st := f.event(t, f.p1, ses, map[string]any{"type": "open"}); st != "open" {
		t.Fatalf("open → %s", st)
	}
	// Re-confirmation is the client's, on their own device.
	f.event(t, f.c1, ses, map[string]any{"type": "reconfirm", "agreement_id": ag})
	// So is today's check, right after.
	f.event(t, f.c1, ses, today(true, false, false))
	f.event(t, f.p1, ses, map[string]any{"type": "begin"})
	waitFor(`"state":"in-progress"`)

	if d, codes := f.decision(t, f.p1, ses, "shoulders", "massage"); d != "permit" {
		t.Fatalf("shoulders: %s %v", d, codes)
	}
	// Internal work needs the chaperone offer recorded first.
	if d, codes := f.decision(t, f.p1, ses, "rectum", "touch"); d != "deny" || !slices.Contains(codes, "chaperone_not_offered") {
		t.Fatalf("rectum before chaperone: %s %v", d, codes)
	}
	f.event(t, f.p1, ses, map[string]any{"type": "chaperone", "chaperone": map[string]any{"offered": true, "accepted": false}})
	if d, codes := f.decision(t, f.p1, ses, "rectum", "touch"); d != "permit" {
		t.Fatalf("rectum after chaperone: %s %v", d, codes)
	}
	// Ask-first until a check-in.
	if d, codes := f.decision(t, f.p1, ses, "perineum", "touch"); d != "ask" || !slices.Contains(codes, "ask_first") {
		t.Fatalf("perineum: %s %v", d, codes)
	}
	f.event(t, f.p1, ses, map[string]any{"type": "checkin", "region": "perineum", "answer": "yes"})
	if d, codes := f.decision(t, f.c1, ses, "perineum", "touch"); d != "permit" {
		t.Fatalf("perineum after yes: %s %v", d, codes)
	}
	f.event(t, f.c1, ses, map[string]any{"type": "checkin", "region": "prostate", "answer": "no"})
	if d, codes := f.decision(t, f.p1, ses, "prostate", "massage"); d != "deny" || !slices.Contains(codes, "checkin_declined") {
		t.Fatalf("prostate after no: %s %v", d, codes)
	}

	// Stop means stop: from the client's device, in force at once.
	stopAt := time.Now()
	if st := f.event(t, f.c1, ses, map[string]any{"type": "stop"}); st != "stopped" {
		t.Fatalf("stop → %s", st)
	}
	for _, rt := range [][2]string{{"shoulders", "massage"}, {"rectum", "touch"}, {"perineum", "touch"}} {
		if d, codes := f.decision(t, f.p1, ses, rt[0], rt[1]); d != "deny" || !slices.Contains(codes, "stopped") {
			t.Fatalf("%v after stop: %s %v", rt, d, codes)
		}
	}
	if lag := waitFor(`"state":"stopped"`); time.Since(stopAt) > 2*time.Second {
		t.Errorf("the stream took %v (+%v) to show the stop", time.Since(stopAt), lag)
	}
	// Only the client resumes.
	if r := n.call("POST", "/api/v1/sessions/"+ses+"/events", f.p1, map[string]any{"type": "resume"}); r.Status != 403 {
		t.Fatalf("practitioner resume: %d %s", r.Status, r.Raw)
	}
	f.event(t, f.c1, ses, map[string]any{"type": "resume"})
	// A resume never restores more than the agreement: the check-in yes is
	// gone, the check-in no stays.
	if d, _ := f.decision(t, f.p1, ses, "perineum", "touch"); d != "ask" {
		t.Fatalf("perineum after resume: %s", d)
	}
	if d, _ := f.decision(t, f.p1, ses, "prostate", "massage"); d != "deny" {
		t.Fatalf("prostate after resume: %s", d)
	}
	// Revoke a region: denied for the very next decision.
	n.must(200, "POST", "/api/v1/agreements/"+ag+"/revoke", f.c1, map[string]any{"regions": []string{"shoulders"}})
	if d, codes := f.decision(t, f.p1, ses, "shoulders", "massage"); d != "deny" || !slices.Contains(codes, "revoked") {
		t.Fatalf("shoulders after revoke: %s %v", d, codes)
	}
	if d, _ := f.decision(t, f.p1, ses, "lower-back", "pressure"); d != "permit" {
		t.Fatalf("lower-back after revoking shoulders: %s", d)
	}
	// An event that does not fit the state is refused and changes nothing.
	if r := n.call("POST", "/api/v1/sessions/"+ses+"/events", f.p1, map[string]any{"type": "begin"}); r.Status != 409 {
		t.Fatalf("begin in progress: %d", r.Status)
	}
	f.event(t, f.p1, ses, map[string]any{"type": "emotional-release", "intensity": 6, "text": "shaking, then calm"})
	if st := f.event(t, f.p1, ses, map[string]any{"type": "close", "close": map[string]any{
		"subjective": "felt safe", "plan": "two weeks", "aftercare": "rest, water", "pain_before": 5, "pain_after": 2,
		"tension_before": 7, "tension_after": 3}}); st != "closed" {
		t.Fatalf("close → %s", st)
	}
	if d, codes := f.decision(t, f.p1, ses, "lower-back", "pressure"); d != "deny" || !slices.Contains(codes, "session_not_active") {
		t.Fatalf("after close: %s %v", d, codes)
	}
	evs := n.must(200, "GET", "/api/v1/sessions/"+ses+"/events", f.p1, nil)
	if !strings.Contains(string(evs.Raw), "shaking, then calm") || !strings.Contains(string(evs.Raw), "rest, water") {
		t.Fatalf("events lack the opened notes: %s", evs.Raw)
	}
	// The client's record as FHIR: one of every kind of resource.
	b := n.must(200, "GET", "/api/v1/clients/"+f.c1ID+"/fhir", f.c1, nil)
	if b.str("resourceType") != "Bundle" || b.str("type") != "collection" {
		t.Fatalf("bundle: %.300s", b.Raw)
	}
	kinds := map[string]int{}
	entries, _ := b.Body["entry"].([]any)
	for _, e := range entries {
		res, _ := e.(map[string]any)["resource"].(map[string]any)
		rt, _ := res["resourceType"].(string)
		kinds[rt]++
	}
	for _, k := range []string{"Patient", "Practitioner", "Consent", "Questionnaire", "QuestionnaireResponse", "Encounter"} {
		if kinds[k] == 0 {
			t.Errorf("the FHIR bundle has no %s: %v", k, kinds)
		}
	}
	// Decisions are counted by outcome.
	m := n.must(200, "GET", "/metrics", "", nil)
	for _, o := range []string{"permit", "ask", "deny"} {
		if !strings.Contains(string(m.Raw), `holdspace_decisions_total{outcome="`+o+`"}`) {
			t.Errorf("/metrics has no %s count", o)
		}
	}
	if !strings.Contains(string(m.Raw), `route="POST /api/v1/decisions"`) {
		t.Error("/metrics has no request count for the decisions route")
	}
	rc := n.must(200, "GET", "/api/v1/agreements/"+ag+"/receipt", f.c1, nil)
	if !strings.Contains(string(rc.Raw), `"withdrawn"`) || !strings.Contains(string(rc.Raw), f.c1ID) {
		t.Errorf("receipt after a revocation: %s", rc.Raw)
	}
}
