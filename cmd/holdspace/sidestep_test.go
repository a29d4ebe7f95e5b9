package main

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// Issue 9's five sequences, replayed through the real server as a careless
// or hostile practitioner would try them. Each ends in deny.

// prostateGrants grant massage on the prostate and on the passage to it.
func prostateGrants() []map[string]string {
	return []map[string]string{grant("shoulders", "massage", "yes"), grant("anal-canal", "massage", "yes"),
		grant("rectum", "massage", "yes"), grant("prostate", "massage", "yes")}
}

// runToInProgress runs a booked session to in progress: open, the client's
// re-confirmation, the chaperone offer, begin.
func (f *practiceFixture) runToInProgress(t *testing.T, ses string) {
	t.Helper()
	f.event(t, f.p1, ses, map[string]any{"type": "open"})
	f.event(t, f.c1, ses, map[string]any{"type": "reconfirm"})
	f.event(t, f.p1, ses, map[string]any{"type": "chaperone", "chaperone": map[string]any{"offered": true}})
	f.event(t, f.p1, ses, map[string]any{"type": "begin"})
}

func (f *practiceFixture) mustDeny(t *testing.T, ses, region, technique string, codes ...string) {
	t.Helper()
	d, got := f.decision(t, f.p1, ses, region, technique)
	if d != "deny" {
		t.Fatalf("%s %s: %s %v, want deny", region, technique, d, got)
	}
	for _, c := range codes {
		if !slices.Contains(got, c) {
			t.Fatalf("%s %s: deny %v, want %s among the reasons", region, technique, got, c)
		}
	}
}

func (f *practiceFixture) mustConflict(t *testing.T, token, ses string, ev map[string]any, reason string) {
	t.Helper()
	r := f.n.call("POST", "/api/v1/sessions/"+ses+"/events", token, ev)
	if r.Status != 409 || !strings.Contains(string(r.Raw), reason) {
		t.Fatalf("%v: %d %s, want 409 %s", ev, r.Status, r.Raw, reason)
	}
}

func (f *practiceFixture) bookAt(t *testing.T, startsAt time.Time, minutes int) string {
	t.Helper()
	return f.n.must(201, "POST", "/api/v1/sessions", f.p1, map[string]any{"client_id": f.c1ID, "practitioner_id": f.p1ID,
		"intent": "therapeutic", "starts_at": startsAt.UTC().Format(time.RFC3339), "duration_minutes": minutes}).str("id")
}

// 1. A second session: one live session per client; a session opens only
// around its start; the client's STOP from home stops every live one.
func TestSequenceSecondSession(t *testing.T) {
	t.Parallel()
	f := newPractice(t, nil)
	f.n.must(201, "POST", "/api/v1/clients/"+f.c1ID+"/screenings", f.c1, map[string]any{"answers": clearAnswers()})
	f.signedAgreement(t, prostateGrants())
	a := f.session(t)
	f.runToInProgress(t, a)
	// (General work: it needs nothing else the day may ask for.)
	if d, codes := f.decision(t, f.p1, a, "shoulders", "massage"); d != "permit" {
		t.Fatalf("the first session: %s %v", d, codes)
	}
	b := f.session(t)
	f.mustConflict(t, f.p1, b, map[string]any{"type": "open"}, "live_session")
	f.mustDeny(t, b, "prostate", "massage", "session_not_active")
	// A session booked for 2031 cannot be begun today.
	later := f.bookAt(t, time.Date(2031, 1, 1, 10, 0, 0, 0, time.UTC), 60)
	f.mustConflict(t, f.p1, later, map[string]any{"type": "open"}, "too_early")
	// The client's STOP from home stops the live session.
	r := f.n.must(200, "POST", "/api/v1/clients/"+f.c1ID+"/stop", f.c1, nil)
	if !strings.Contains(string(r.Raw), a) || !strings.Contains(string(r.Raw), `"stopped"`) {
		t.Fatalf("home STOP: %s", r.Raw)
	}
	f.mustDeny(t, a, "prostate", "massage", "stopped")
	f.mustConflict(t, f.p1, b, map[string]any{"type": "open"}, "live_session")
	f.mustDeny(t, b, "prostate", "massage")
}

// 1b. An unclosed session ends itself after its booked time plus grace:
// decisions deny session_not_active, and the automatic close is recorded.
func TestSequenceSessionClosesItself(t *testing.T) {
	t.Parallel()
	f := newPractice(t, map[string]string{"HOLDSPACE_SESSION_GRACE": "1s"})
	f.n.must(201, "POST", "/api/v1/clients/"+f.c1ID+"/screenings", f.c1, map[string]any{"answers": clearAnswers()})
	f.signedAgreement(t, prostateGrants())
	// Booked an hour ago for 60 minutes: it ends within seconds.
	ses := f.bookAt(t, time.Now().Add(-time.Hour+3*time.Second), 60)
	f.runToInProgress(t, ses)
	if d, codes := f.decision(t, f.p1, ses, "shoulders", "massage"); d != "permit" {
		t.Fatalf("before its end: %s %v", d, codes)
	}
	v := f.n.must(200, "GET", "/api/v1/sessions/"+ses, f.p1, nil)
	closes, err := time.Parse(time.RFC3339Nano, v.str("closes_at"))
	if err != nil || time.Until(closes) > 10*time.Second {
		t.Fatalf("closes_at %q: %v", v.str("closes_at"), err)
	}
	time.Sleep(time.Until(closes) + 100*time.Millisecond)
	f.mustDeny(t, ses, "shoulders", "massage", "session_not_active")
	if st := f.n.must(200, "GET", "/api/v1/sessions/"+ses, f.p1, nil).str("state"); st != "closed" {
		t.Fatalf("state after its end: %s", st)
	}
	evs := f.n.must(200, "GET", "/api/v1/sessions/"+ses+"/events", f.p1, nil)
	if strings.Count(string(evs.Raw), `"auto-close"`) != 1 {
		t.Fatalf("the automatic close is not recorded once: %s", evs.Raw)
	}
	f.mustConflict(t, f.c1, ses, map[string]any{"type": "stop"}, "invalid_transition")
	// The next session opens.
	next := f.session(t)
	f.event(t, f.p1, next, map[string]any{"type": "open"})
	f.mustDeny(t, ses, "shoulders", "massage", "session_not_active")
}

// 2. A fresh screening: a practitioner's all-"no" intake lifts nothing the
// client reported, and the referral stands until a clearance.
func TestSequenceFreshScreening(t *testing.T) {
	t.Parallel()
	f := newPractice(t, nil)
	bleeding := clearAnswers()
	bleeding["rectal-bleeding"] = true
	f.n.must(201, "POST", "/api/v1/clients/"+f.c1ID+"/screenings", f.c1, map[string]any{"answers": bleeding})
	f.signedAgreement(t, prostateGrants())
	ses := f.session(t)
	f.runToInProgress(t, ses)
	f.mustDeny(t, ses, "prostate", "massage", "contraindicated", "referral_required")
	r := f.n.must(201, "POST", "/api/v1/clients/"+f.c1ID+"/screenings", f.p1, map[string]any{"answers": clearAnswers()})
	if r.Body["awaiting_client_confirmation"] != true || !strings.Contains(string(r.Raw), "until the client confirms") {
		t.Fatalf("the practitioner's screening does not say what it holds back: %s", r.Raw)
	}
	f.mustDeny(t, ses, "prostate", "massage", "contraindicated", "referral_required")
	// Even confirmed by the client, it lifts nothing mid-session, and the
	// referral stands until a clearance.
	f.n.must(200, "POST", "/api/v1/screenings/"+r.str("id")+"/confirm", f.c1, nil)
	f.mustDeny(t, ses, "prostate", "massage", "contraindicated", "referral_required")
	res := f.n.must(200, "POST", "/api/v1/decisions", f.p1, map[string]string{"session_id": ses, "region": "prostate", "technique": "massage"})
	if !strings.Contains(string(res.Raw), "next session") || !strings.Contains(string(res.Raw), "until a clearance") {
		t.Fatalf("the reasons do not say why earlier findings stand: %s", res.Raw)
	}
}

// 3. Consent rebuilt by the practitioner: a withdrawn region cannot be
// signed back in person during the cooling-off period, and the client sees
// every version made for them.
func TestSequenceConsentRebuilt(t *testing.T) {
	t.Parallel()
	f := newPractice(t, nil)
	f.n.must(201, "POST", "/api/v1/clients/"+f.c1ID+"/screenings", f.c1, map[string]any{"answers": clearAnswers()})
	ag := f.signedAgreement(t, prostateGrants())
	f.n.must(200, "POST", "/api/v1/agreements/"+ag+"/revoke", f.c1, map[string]any{})
	v2 := f.n.must(201, "POST", "/api/v1/clients/"+f.c1ID+"/agreements", f.p1, map[string]any{"intent": "therapeutic", "grants": prostateGrants()}).str("id")
	r := f.n.call("POST", "/api/v1/agreements/"+v2+"/sign", f.p1, map[string]any{"in_person": true, "client_typed_name": "Casey Client"})
	if r.Status != 409 || r.errCode() != "cooling_off" {
		t.Fatalf("in-person signature within the cooling-off period: %d %s", r.Status, r.Raw)
	}
	ses := f.session(t)
	f.event(t, f.p1, ses, map[string]any{"type": "open"})
	f.mustConflict(t, f.p1, ses, map[string]any{"type": "reconfirm"}, "no_active_agreement")
	f.event(t, f.p1, ses, map[string]any{"type": "chaperone", "chaperone": map[string]any{"offered": true}})
	f.event(t, f.p1, ses, map[string]any{"type": "begin"})
	f.mustDeny(t, ses, "prostate", "massage")
	// The client is told: the practitioner's version waits in their notices.
	h := f.n.must(200, "GET", "/api/v1/clients/"+f.c1ID+"/consent-history?unseen=true", f.c1, nil)
	if !strings.Contains(string(h.Raw), v2) || !strings.Contains(string(h.Raw), "made_by_practitioner") || !strings.Contains(string(h.Raw), "Pat One") {
		t.Fatalf("consent notices: %s", h.Raw)
	}
	if n := f.n.must(200, "POST", "/api/v1/clients/"+f.c1ID+"/consent-history/seen", f.c1, nil).Body["seen"]; n != float64(1) {
		t.Fatalf("seen %v", n)
	}
	if h := f.n.must(200, "GET", "/api/v1/clients/"+f.c1ID+"/consent-history?unseen=true", f.c1, nil); strings.Contains(string(h.Raw), v2) {
		t.Fatalf("still unseen: %s", h.Raw)
	}
	if h := f.n.must(200, "GET", "/api/v1/clients/"+f.c1ID+"/consent-history", f.c1, nil); !strings.Contains(string(h.Raw), v2) || !strings.Contains(string(h.Raw), "client_seen_at") {
		t.Fatalf("history: %s", h.Raw)
	}
}

// 4. The passage: no grant on the anal canal and rectum, no prostate.
func TestSequencePassage(t *testing.T) {
	t.Parallel()
	f := newPractice(t, nil)
	f.n.must(201, "POST", "/api/v1/clients/"+f.c1ID+"/screenings", f.c1, map[string]any{"answers": clearAnswers()})
	f.signedAgreement(t, []map[string]string{grant("shoulders", "massage", "yes"), grant("prostate", "massage", "yes")})
	ses := f.session(t)
	f.runToInProgress(t, ses)
	f.mustDeny(t, ses, "prostate", "massage", "no_grant")
	res := f.n.must(200, "POST", "/api/v1/decisions", f.p1, map[string]string{"session_id": ses, "region": "prostate", "technique": "massage"})
	if !strings.Contains(string(res.Raw), "anal canal and rectum") {
		t.Fatalf("the reason does not name the passage: %s", res.Raw)
	}
}

// 5. A refusal before the start is kept: STOP while open is recorded, and
// the session cannot begin until the client confirms again.
func TestSequenceRefusalBeforeStart(t *testing.T) {
	t.Parallel()
	f := newPractice(t, nil)
	f.n.must(201, "POST", "/api/v1/clients/"+f.c1ID+"/screenings", f.c1, map[string]any{"answers": clearAnswers()})
	f.signedAgreement(t, prostateGrants())
	ses := f.session(t)
	f.event(t, f.p1, ses, map[string]any{"type": "open"})
	f.event(t, f.c1, ses, map[string]any{"type": "reconfirm"})
	if st := f.event(t, f.c1, ses, map[string]any{"type": "stop"}); st != "open" {
		t.Fatalf("stop while open → %s", st)
	}
	f.event(t, f.p1, ses, map[string]any{"type": "chaperone", "chaperone": map[string]any{"offered": true}})
	f.mustConflict(t, f.p1, ses, map[string]any{"type": "begin"}, "reconfirm_required")
	f.mustConflict(t, f.p1, ses, map[string]any{"type": "reconfirm"}, "client_reconfirm_required")
	f.mustConflict(t, f.p1, ses, map[string]any{"type": "begin"}, "reconfirm_required")
	evs := f.n.must(200, "GET", "/api/v1/sessions/"+ses+"/events", f.c1, nil)
	if strings.Count(string(evs.Raw), `"type":"stop"`) != 1 {
		t.Fatalf("the stop is not recorded: %s", evs.Raw)
	}
	// Nothing is permitted meanwhile.
	f.mustDeny(t, ses, "prostate", "massage", "session_not_active")
}
