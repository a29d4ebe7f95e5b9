package main

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// This file replays issue 10 ("Safety at the edges") through the real
// server: minors, scope of practice, what the practice offers, and
// follow-up care.

// setSettings replaces the practice's settings as the admin.
func (f *practiceFixture) setSettings(t *testing.T, body map[string]any) response {
	t.Helper()
	return f.n.must(200, "PUT", "/api/v1/practice/settings", f.admin, body)
}

// inProgress opens, re-confirms, answers a clear day check, offers a
// chaperone and begins a session
// of c1 with p1 for intent.
func (f *practiceFixture) inProgress(t *testing.T, intent string) string {
	t.Helper()
	ses := f.n.must(201, "POST", "/api/v1/sessions", f.p1, map[string]any{"client_id": f.c1ID, "practitioner_id": f.p1ID,
		"intent": intent, "starts_at": time.Now().UTC().Format(time.RFC3339)}).str("id")
	f.event(t, f.p1, ses, map[string]any{"type": "open"})
	f.event(t, f.c1, ses, map[string]any{"type": "reconfirm"})
	f.event(t, f.c1, ses, today(true, false, false))
	f.event(t, f.p1, ses, map[string]any{"type": "chaperone", "chaperone": map[string]any{"offered": true}})
	f.event(t, f.p1, ses, map[string]any{"type": "begin"})
	return ses
}

func wantError(t *testing.T, r response, status int, code, field string) {
	t.Helper()
	e, _ := r.Body["error"].(map[string]any)
	got, _ := e["field"].(string)
	if r.Status != status || r.errCode() != code || got != field {
		t.Fatalf("got %d %s on %q, want %d %s on %q: %s", r.Status, r.errCode(), got, status, code, field, r.Raw)
	}
}

func yearsAgo(n int) string { return time.Now().UTC().AddDate(-n, 0, 0).Format(time.DateOnly) }

// TestIssue10MinorSensualAgreement is the issue's first sequence: a client
// whose birth date makes them 14, a sensual agreement for genital and
// prostate massage, a session, two decisions. The agreement is refused at
// creation; a sensual session cannot be booked; and an agreement signed
// while the record said "adult" denies minor at once when the birth date
// is corrected.
func TestIssue10MinorSensualAgreement(t *testing.T) {
	t.Parallel()
	f := newPractice(t, nil)
	n := f.n
	f.setSettings(t, map[string]any{"sensual_offered": true})
	n.must(201, "POST", "/api/v1/clients/"+f.c1ID+"/screenings", f.c1, map[string]any{"answers": clearAnswers()})
	// The prostate is reached through the anal canal and rectum: they are
	// granted too (issue 9's passage rule).
	sensual := map[string]any{"intent": "sensual", "grants": []map[string]string{grant("genitals", "massage", "yes"), grant("prostate", "massage", "yes"),
		grant("anal-canal", "massage", "yes"), grant("rectum", "massage", "yes")}}

	// An adult signs it; a session starts; both decisions permit.
	ag := n.must(201, "POST", "/api/v1/clients/"+f.c1ID+"/agreements", f.c1, sensual).str("id")
	n.must(200, "POST", "/api/v1/agreements/"+ag+"/sign", f.c1, nil)
	ses := f.inProgress(t, "sensual")
	for _, reg := range []string{"genitals", "prostate"} {
		if d, codes := f.decision(t, f.p1, ses, reg, "massage"); d != "permit" {
			t.Fatalf("adult %s: %s %v", reg, d, codes)
		}
	}
	// The birth date is corrected: the client is 14. Audited, and in force
	// for the very next decision.
	n.must(204, "PUT", "/api/v1/clients/"+f.c1ID+"/birth-date", f.p1, map[string]string{"birth_date": yearsAgo(14)})
	for _, reg := range []string{"genitals", "prostate", "shoulders"} {
		if d, codes := f.decision(t, f.p1, ses, reg, "massage"); d != "deny" || !slices.Contains(codes, "minor") {
			t.Fatalf("minor %s: %s %v", reg, d, codes)
		}
	}
	audit := n.must(200, "GET", "/api/v1/audit?client_id="+f.c1ID, f.admin, nil)
	if !strings.Contains(string(audit.Raw), "client.birth_date") {
		t.Fatal("the birth-date change is not audited")
	}
	// The agreement view and the FHIR export never show the refused grants
	// as permitted.
	v := n.must(200, "GET", "/api/v1/agreements/"+ag, f.c1, nil)
	if refused, _ := v.Body["refused"].([]any); len(refused) != 4 || !strings.Contains(string(v.Raw), `"code":"minor"`) {
		t.Fatalf("agreement view: %s", v.Raw)
	}
	b := n.must(200, "GET", "/api/v1/clients/"+f.c1ID+"/fhir", f.c1, nil)
	if len(permittedRegions(b.Body)) != 0 {
		t.Fatalf("the FHIR bundle shows a minor's sensual grant as permitted: %.2000s", b.Raw)
	}

	// As a new user would: a client registered as 14 from the start.
	// (An admin sets the first password here; a practitioner may not.)
	kid := n.must(201, "POST", "/api/v1/clients", f.admin, map[string]any{"name": "Kit Young", "email": "kit@example.test",
		"password": fixturePassword, "birth_date": yearsAgo(14), "anatomy": map[string]bool{"prostate": true},
		"practitioner_ids": []string{f.p1ID}}).str("id")
	kidTok := n.login("kit@example.test", fixturePassword)
	wantError(t, n.call("POST", "/api/v1/clients/"+kid+"/agreements", kidTok, sensual), 400, "minor", "intent")
	wantError(t, n.call("POST", "/api/v1/clients/"+kid+"/agreements", kidTok, map[string]any{"intent": "therapeutic",
		"grants": []map[string]string{grant("shoulders", "massage", "yes"), grant("prostate", "massage", "yes")}}), 400, "minor", "grants[1].region")
	wantError(t, n.call("POST", "/api/v1/sessions", f.p1, map[string]any{"client_id": kid, "intent": "sensual",
		"starts_at": time.Now().UTC().Add(time.Hour).Format(time.RFC3339)}), 400, "minor", "intent")
	if r := n.must(200, "GET", "/api/v1/clients/"+kid+"/agreements", kidTok, nil); strings.Contains(string(r.Raw), "prostate") {
		t.Fatalf("a refused agreement was half-written: %s", r.Raw)
	}
	// A client without a birth date cannot be registered.
	wantError(t, n.call("POST", "/api/v1/clients", f.p1, map[string]any{"name": "No Date", "email": "nd@example.test",
		"anatomy": map[string]bool{}}), 400, "invalid_date", "birth_date")
}

// TestIssue10GuardianConsent: a minor's therapeutic work on general and
// sensitive regions needs a guardian's consent, recorded in person by the
// practitioner with the guardian's typed name.
func TestIssue10GuardianConsent(t *testing.T) {
	t.Parallel()
	f := newPractice(t, nil)
	n := f.n
	n.must(204, "PUT", "/api/v1/clients/"+f.c1ID+"/birth-date", f.admin, map[string]string{"birth_date": yearsAgo(15)})
	ag := f.signedAgreement(t, []map[string]string{grant("shoulders", "massage", "yes"), grant("inner-thighs", "touch", "yes")})
	ses := f.inProgress(t, "therapeutic")
	if d, codes := f.decision(t, f.p1, ses, "shoulders", "massage"); d != "deny" || !slices.Equal(codes, []string{"guardian_consent_required"}) {
		t.Fatalf("without a guardian: %s %v", d, codes)
	}
	g := map[string]string{"name": "Morgan Young", "relationship": "parent", "typed_name": "Morgan Young"}
	// Only the practitioner, in person, and the typed name must match.
	wantError(t, n.call("POST", "/api/v1/agreements/"+ag+"/guardian", f.c1, g), 403, "forbidden", "")
	wantError(t, n.call("POST", "/api/v1/agreements/"+ag+"/guardian", f.p1, map[string]string{"name": "Morgan Young",
		"relationship": "parent", "typed_name": "Someone Else"}), 400, "typed_name_mismatch", "typed_name")
	wantError(t, n.call("POST", "/api/v1/agreements/"+ag+"/guardian", f.p1, map[string]string{"name": "Morgan Young",
		"typed_name": "Morgan Young"}), 400, "required", "relationship")
	wantError(t, n.call("POST", "/api/v1/agreements/"+ag+"/guardian", f.p2, g), 404, "not_found", "")
	n.must(201, "POST", "/api/v1/agreements/"+ag+"/guardian", f.p1, g)
	wantError(t, n.call("POST", "/api/v1/agreements/"+ag+"/guardian", f.p1, g), 409, "exists", "")
	for _, rt := range [][2]string{{"shoulders", "massage"}, {"inner-thighs", "touch"}} {
		if d, codes := f.decision(t, f.p1, ses, rt[0], rt[1]); d != "permit" {
			t.Fatalf("%v with a guardian: %s %v", rt, d, codes)
		}
	}
	gs := n.must(200, "GET", "/api/v1/clients/"+f.c1ID+"/guardians", f.c1, nil)
	if !strings.Contains(string(gs.Raw), "Morgan Young") || !strings.Contains(string(gs.Raw), "parent") {
		t.Fatalf("guardians: %s", gs.Raw)
	}
	if v := n.must(200, "GET", "/api/v1/agreements/"+ag, f.p1, nil); v.Body["guardian_consent"] != true {
		t.Fatalf("agreement view: %s", v.Raw)
	}
	// Sealed at rest.
	n.stop()
	if raw := readAll(t, dbFiles(t, n.data)); bytes.Contains(raw, []byte("Morgan Young")) {
		t.Fatal("the guardian's name is stored in clear")
	}
}

// TestIssue10GuardianNotForAdults: an adult's own consent is the consent.
func TestIssue10GuardianNotForAdults(t *testing.T) {
	t.Parallel()
	f := newPractice(t, nil)
	ag := f.signedAgreement(t, []map[string]string{grant("shoulders", "massage", "yes")})
	wantError(t, f.n.call("POST", "/api/v1/agreements/"+ag+"/guardian", f.p1,
		map[string]string{"name": "A B", "relationship": "parent", "typed_name": "A B"}), 409, "not_a_minor", "")
}

// TestIssue10TurnsEighteenBetweenBookingAndSession: a sensual session
// booked while the client is 17 for a start after their birthday is
// bookable; one starting before it is not.
func TestIssue10TurnsEighteenBetweenBookingAndSession(t *testing.T) {
	t.Parallel()
	f := newPractice(t, nil)
	n := f.n
	f.setSettings(t, map[string]any{"sensual_offered": true})
	now := time.Now().UTC()
	birthday := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 3)
	n.must(204, "PUT", "/api/v1/clients/"+f.c1ID+"/birth-date", f.admin, map[string]string{"birth_date": birthday.AddDate(-18, 0, 0).Format(time.DateOnly)})
	book := func(at time.Time) response {
		return n.call("POST", "/api/v1/sessions", f.p1, map[string]any{"client_id": f.c1ID, "intent": "sensual", "starts_at": at.Format(time.RFC3339)})
	}
	wantError(t, book(birthday.Add(-time.Minute)), 400, "minor", "intent")
	if r := book(birthday); r.Status != 201 {
		t.Fatalf("booking for the birthday at 00:00: %d %s", r.Status, r.Raw)
	}
}

// TestIssue10ExpiredCredential is the issue's second sequence: the
// practitioner's intimate-external credential expired yesterday.
func TestIssue10ExpiredCredential(t *testing.T) {
	t.Parallel()
	f := newPractice(t, nil)
	n := f.n
	// p2 holds only an intimate-external credential that ended yesterday.
	now := time.Now().UTC()
	n.must(201, "POST", "/api/v1/practitioners/"+f.p2ID+"/credentials", f.admin, map[string]any{
		"kind": "Intimate bodywork certificate", "issuer": "Test Board", "number": "IB-1",
		"valid_from": now.AddDate(-2, 0, 0).Format(time.DateOnly), "valid_until": now.AddDate(0, 0, -1).Format(time.DateOnly),
		"covers": []string{"intimate-external"}})
	answers := clearAnswers()
	answers["pregnant"] = false
	n.must(201, "POST", "/api/v1/clients/"+f.c2ID+"/screenings", f.c2, map[string]any{"answers": answers})
	ag := n.must(201, "POST", "/api/v1/clients/"+f.c2ID+"/agreements", f.c2, map[string]any{"intent": "therapeutic",
		"grants": []map[string]string{grant("genitals", "massage", "yes"), grant("shoulders", "massage", "yes")}}).str("id")
	n.must(200, "POST", "/api/v1/agreements/"+ag+"/sign", f.c2, nil)
	ses := n.must(201, "POST", "/api/v1/sessions", f.p2, map[string]any{"client_id": f.c2ID, "intent": "therapeutic",
		"starts_at": now.Format(time.RFC3339)}).str("id")
	for _, ev := range []struct {
		tok string
		ev  map[string]any
	}{{f.p2, map[string]any{"type": "open"}}, {f.c2, map[string]any{"type": "reconfirm"}}, {f.c2, today(true, false, false)},
		{f.p2, map[string]any{"type": "begin"}}} {
		f.event(t, ev.tok, ses, ev.ev)
	}
	r := n.must(200, "POST", "/api/v1/decisions", f.p2, map[string]string{"session_id": ses, "region": "genitals", "technique": "massage"})
	if r.str("decision") != "deny" || !strings.Contains(string(r.Raw), `"code":"not_qualified"`) || !strings.Contains(string(r.Raw), "intimate-external") {
		t.Fatalf("expired credential: %s", r.Raw)
	}
	if r := n.must(200, "POST", "/api/v1/decisions", f.p2, map[string]string{"session_id": ses, "region": "shoulders", "technique": "massage"}); r.str("decision") != "permit" {
		t.Fatalf("shoulders need no credential: %s", r.Raw)
	}
	// A valid credential today permits.
	n.must(201, "POST", "/api/v1/practitioners/"+f.p2ID+"/credentials", f.admin, map[string]any{
		"kind": "Intimate bodywork certificate", "issuer": "Test Board", "number": "IB-2",
		"valid_from": now.Format(time.DateOnly), "valid_until": now.AddDate(1, 0, 0).Format(time.DateOnly), "covers": []string{"intimate-external"}})
	if r := n.must(200, "POST", "/api/v1/decisions", f.p2, map[string]string{"session_id": ses, "region": "genitals", "technique": "massage"}); r.str("decision") != "permit" {
		t.Fatalf("renewed credential: %s", r.Raw)
	}
	// The scope policy is data: require internal-vaginal for the external
	// intimate group and the same decision names that credential.
	f.setSettings(t, map[string]any{"scope": []map[string]any{{"group": "intimate-external", "requires": "internal-vaginal", "offered": true}}})
	r = n.must(200, "POST", "/api/v1/decisions", f.p2, map[string]string{"session_id": ses, "region": "genitals", "technique": "massage"})
	if r.str("decision") != "deny" || !strings.Contains(string(r.Raw), "internal-vaginal") {
		t.Fatalf("policy credential: %s", r.Raw)
	}
	// A clinic that never touches intimate regions switches the group off.
	f.setSettings(t, map[string]any{"scope": []map[string]any{{"group": "intimate-external", "requires": "intimate-external", "offered": false}}})
	if d, codes := f.decision(t, f.p2, ses, "genitals", "massage"); d != "deny" || !slices.Contains(codes, "not_offered") {
		t.Fatalf("switched off: %s %v", d, codes)
	}
	wantError(t, n.call("POST", "/api/v1/clients/"+f.c2ID+"/agreements", f.c2, map[string]any{"intent": "therapeutic",
		"grants": []map[string]string{grant("shoulders", "touch", "yes"), grant("perineum", "touch", "ask")}}), 400, "not_offered", "grants[1].region")
	// A "no" for a switched-off region is harmless and may be recorded.
	n.must(201, "POST", "/api/v1/clients/"+f.c2ID+"/agreements", f.c2, map[string]any{"intent": "therapeutic",
		"grants": []map[string]string{grant("shoulders", "touch", "yes"), grant("perineum", "touch", "no")}})
	b := n.must(200, "GET", "/api/v1/clients/"+f.c2ID+"/fhir", f.c2, nil)
	if permits := permittedRegions(b.Body); slices.Contains(permits, "genitals") || !slices.Contains(permits, "shoulders") {
		t.Fatalf("FHIR Consent permits %v; genitals is not offered", permits)
	}
}

// TestIssue10SensualNotOffered: a new practice offers no sensual work.
func TestIssue10SensualNotOffered(t *testing.T) {
	t.Parallel()
	f := newPractice(t, nil)
	n := f.n
	sensual := map[string]any{"intent": "sensual", "grants": []map[string]string{grant("shoulders", "massage", "yes")}}
	wantError(t, n.call("POST", "/api/v1/clients/"+f.c1ID+"/agreements", f.c1, sensual), 400, "not_offered", "intent")
	wantError(t, n.call("POST", "/api/v1/sessions", f.p1, map[string]any{"client_id": f.c1ID, "intent": "sensual",
		"starts_at": time.Now().UTC().Format(time.RFC3339)}), 400, "not_offered", "intent")
	f.setSettings(t, map[string]any{"sensual_offered": true})
	ag := n.must(201, "POST", "/api/v1/clients/"+f.c1ID+"/agreements", f.c1, sensual).str("id")
	n.must(200, "POST", "/api/v1/agreements/"+ag+"/sign", f.c1, nil)
	ses := f.inProgress(t, "sensual")
	if d, codes := f.decision(t, f.p1, ses, "shoulders", "massage"); d != "permit" {
		t.Fatalf("offered: %s %v", d, codes)
	}
	// Switched off again: in force for the very next decision.
	f.setSettings(t, map[string]any{"sensual_offered": false})
	if d, codes := f.decision(t, f.p1, ses, "shoulders", "massage"); d != "deny" || !slices.Equal(codes, []string{"not_offered"}) {
		t.Fatalf("not offered: %s %v", d, codes)
	}
}

// TestIssue10SettingsAPI: defaults, validation, authorization and audit of
// the practice's settings.
func TestIssue10SettingsAPI(t *testing.T) {
	t.Parallel()
	f := newPractice(t, nil)
	n := f.n
	s := n.must(200, "GET", "/api/v1/practice/settings", f.admin, nil)
	if s.Body["age_of_majority"] != 18.0 || s.Body["time_zone"] != "UTC" || s.Body["sensual_offered"] != false ||
		s.Body["follow_up_window_hours"] != 48.0 || s.Body["version"] != 0.0 {
		t.Fatalf("defaults: %s", s.Raw)
	}
	if !strings.Contains(string(s.Raw), `"group":"internal-anorectal","requires":"internal-anorectal","offered":true`) {
		t.Fatalf("default scope: %s", s.Raw)
	}
	n.must(200, "GET", "/api/v1/practice/settings", f.p1, nil)
	wantError(t, n.call("GET", "/api/v1/practice/settings", f.c1, nil), 403, "forbidden", "")
	wantError(t, n.call("PUT", "/api/v1/practice/settings", f.p1, map[string]any{"age_of_majority": 21}), 403, "forbidden", "")
	wantError(t, n.call("PUT", "/api/v1/practice/settings", f.admin, map[string]any{"age_of_majority": 17}), 400, "out_of_range", "age_of_majority")
	wantError(t, n.call("PUT", "/api/v1/practice/settings", f.admin, map[string]any{"time_zone": "Mars/Olympus"}), 400, "unknown_time_zone", "time_zone")
	wantError(t, n.call("PUT", "/api/v1/practice/settings", f.admin, map[string]any{"scope": []map[string]any{{"group": "feet", "requires": "intimate-external"}}}),
		400, "unknown_scope_group", "scope[0].group")
	wantError(t, n.call("PUT", "/api/v1/practice/settings", f.admin, map[string]any{"colour": "blue"}), 400, "unknown_field", "colour")
	if s := n.must(200, "GET", "/api/v1/practice/settings", f.admin, nil); s.Body["version"] != 0.0 {
		t.Fatalf("a refused change was written: %s", s.Raw)
	}
	s = f.setSettings(t, map[string]any{"age_of_majority": 21, "time_zone": "Europe/Berlin", "follow_up_window_hours": 24})
	if s.Body["version"] != 1.0 || s.Body["time_zone"] != "Europe/Berlin" {
		t.Fatalf("saved: %s", s.Raw)
	}
	audit := n.must(200, "GET", "/api/v1/audit", f.admin, nil)
	if !strings.Contains(string(audit.Raw), "practice.settings") {
		t.Fatal("the settings change is not audited")
	}
	// The age of majority is the practice's: 21 makes a 19-year-old a minor.
	n.must(204, "PUT", "/api/v1/clients/"+f.c1ID+"/birth-date", f.admin, map[string]string{"birth_date": yearsAgo(19)})
	n.must(201, "POST", "/api/v1/clients/"+f.c1ID+"/screenings", f.c1, map[string]any{"answers": clearAnswers()})
	wantError(t, n.call("POST", "/api/v1/clients/"+f.c1ID+"/agreements", f.c1, map[string]any{"intent": "therapeutic",
		"grants": []map[string]string{grant("perineum", "touch", "yes")}}), 400, "minor", "grants[0].region")
}

// TestIssue10FollowUps: a session with emotional release and an adverse
// event creates a follow-up; the practitioner sees it due, the client
// answers it (sealed), the admin acknowledges the adverse event.
func TestIssue10FollowUps(t *testing.T) {
	t.Parallel()
	f := newPractice(t, nil)
	n := f.n
	f.signedAgreement(t, []map[string]string{grant("shoulders", "massage", "yes")})
	calm := f.inProgress(t, "therapeutic")
	closeBody := map[string]any{"type": "close", "close": map[string]any{"subjective": "ok", "pain_before": 3, "pain_after": 1}}
	f.event(t, f.p1, calm, closeBody)
	if r := n.must(200, "GET", "/api/v1/follow-ups", f.p1, nil); strings.Contains(string(r.Raw), calm) {
		t.Fatalf("a calm session got a follow-up: %s", r.Raw)
	}
	ses := f.inProgress(t, "therapeutic")
	f.event(t, f.c1, ses, map[string]any{"type": "emotional-release", "intensity": 7, "text": "tears"})
	f.event(t, f.p1, ses, map[string]any{"type": "adverse", "kind": "light-headedness"})
	// Not before the session closes.
	wantError(t, n.call("POST", "/api/v1/sessions/"+ses+"/events", f.c1, map[string]any{"type": "follow-up", "wellbeing": 5}), 409, "invalid_transition", "")
	f.event(t, f.p1, ses, closeBody)

	list := func(tok, path string) []map[string]any {
		r := n.must(200, "GET", path, tok, nil)
		var out []map[string]any
		xs, _ := r.Body["follow_ups"].([]any)
		for _, x := range xs {
			out = append(out, x.(map[string]any))
		}
		return out
	}
	mine := list(f.p1, "/api/v1/follow-ups?open=true")
	if len(mine) != 1 || mine[0]["session_id"] != ses || mine[0]["status"] != "due" || mine[0]["adverse"] != true ||
		mine[0]["client_name"] != "Casey Client" {
		t.Fatalf("practitioner's follow-ups: %v", mine)
	}
	due, _ := time.Parse(time.RFC3339, mine[0]["due_at"].(string))
	if d := time.Until(due); d < 47*time.Hour || d > 49*time.Hour {
		t.Fatalf("due in %v, want 48h", d)
	}
	if trig := mine[0]["triggers"].([]any); len(trig) != 2 || trig[0] != "emotional-release" || trig[1] != "adverse" {
		t.Fatalf("triggers %v", trig)
	}
	if other := list(f.p2, "/api/v1/follow-ups"); len(other) != 0 {
		t.Fatalf("another practitioner sees %v", other)
	}
	id := mine[0]["id"].(string)
	if adv := list(f.admin, "/api/v1/follow-ups/adverse"); len(adv) != 1 || adv[0]["id"] != id {
		t.Fatalf("admin's adverse events: %v", adv)
	}
	wantError(t, n.call("GET", "/api/v1/follow-ups/adverse", f.p1, nil), 403, "forbidden", "")
	wantError(t, n.call("POST", "/api/v1/follow-ups/"+id+"/answer", f.c2, map[string]any{"wellbeing": 5}), 404, "not_found", "")
	wantError(t, n.call("POST", "/api/v1/follow-ups/"+id+"/answer", f.c1, map[string]any{"wellbeing": 11}), 400, "out_of_range", "wellbeing")
	wantError(t, n.call("POST", "/api/v1/follow-ups/"+id+"/answer", f.c1, map[string]any{}), 400, "required", "wellbeing")

	if c := list(f.c1, "/api/v1/follow-ups?open=true"); len(c) != 1 {
		t.Fatalf("client's open follow-ups: %v", c)
	}
	n.must(201, "POST", "/api/v1/follow-ups/"+id+"/answer", f.c1, map[string]any{"wellbeing": 6, "note": "sleepy the next day, fine now"})
	wantError(t, n.call("POST", "/api/v1/follow-ups/"+id+"/answer", f.c1, map[string]any{"wellbeing": 6}), 409, "already_answered", "")
	if c := list(f.c1, "/api/v1/follow-ups?open=true"); len(c) != 0 {
		t.Fatalf("answered follow-up still open: %v", c)
	}
	evs := n.must(200, "GET", "/api/v1/sessions/"+ses+"/events", f.p1, nil)
	if !strings.Contains(string(evs.Raw), `"type":"follow-up"`) || !strings.Contains(string(evs.Raw), "sleepy the next day") ||
		!strings.Contains(string(evs.Raw), `"wellbeing":6`) {
		t.Fatalf("the answer is not an event of the session: %s", evs.Raw)
	}
	// The admin acknowledges the adverse event; it leaves the list.
	wantError(t, n.call("POST", "/api/v1/follow-ups/"+id+"/acknowledge", f.p1, nil), 403, "forbidden", "")
	n.must(200, "POST", "/api/v1/follow-ups/"+id+"/acknowledge", f.admin, nil)
	wantError(t, n.call("POST", "/api/v1/follow-ups/"+id+"/acknowledge", f.admin, nil), 409, "already_acknowledged", "")
	if adv := list(f.admin, "/api/v1/follow-ups/adverse"); len(adv) != 0 {
		t.Fatalf("acknowledged still listed: %v", adv)
	}
	audit := n.must(200, "GET", "/api/v1/audit?client_id="+f.c1ID, f.admin, nil)
	for _, a := range []string{"followup.create", "followup.answer", "followup.acknowledge", "followup.read"} {
		if !strings.Contains(string(audit.Raw), a) {
			t.Errorf("no %s in the audit", a)
		}
	}
	n.stop()
	if raw := readAll(t, dbFiles(t, n.data)); bytes.Contains(raw, []byte("sleepy the next day")) {
		t.Fatal("the follow-up note is stored in clear")
	}
}

// TestIssue10FollowUpWindowFromFlag: the window is a practice setting with
// a flag default; a stop alone creates a follow-up.
func TestIssue10FollowUpWindowFromFlag(t *testing.T) {
	t.Parallel()
	f := newPractice(t, map[string]string{"HOLDSPACE_FOLLOW_UP_WINDOW": "6h"})
	f.signedAgreement(t, []map[string]string{grant("shoulders", "massage", "yes")})
	ses := f.inProgress(t, "therapeutic")
	f.event(t, f.c1, ses, map[string]any{"type": "stop"})
	f.event(t, f.p1, ses, map[string]any{"type": "close", "close": map[string]any{"subjective": "stopped early"}})
	r := f.n.must(200, "GET", "/api/v1/follow-ups", f.p1, nil)
	xs, _ := r.Body["follow_ups"].([]any)
	if len(xs) != 1 {
		t.Fatalf("follow-ups: %s", r.Raw)
	}
	fu := xs[0].(map[string]any)
	due, _ := time.Parse(time.RFC3339, fu["due_at"].(string))
	if d := time.Until(due); d < 5*time.Hour || d > 6*time.Hour+time.Minute || fu["adverse"] != false {
		t.Fatalf("due in %v: %v", d, fu)
	}
}

// permittedRegions returns the region codes of every permit provision of
// every Consent in a FHIR bundle.
func permittedRegions(bundle map[string]any) []string {
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if x["type"] == "permit" {
				b, _ := json.Marshal(x["code"])
				var codes []struct {
					Coding []struct{ Code string } `json:"coding"`
				}
				_ = json.Unmarshal(b, &codes)
				for _, c := range codes {
					for _, cd := range c.Coding {
						out = append(out, cd.Code)
					}
				}
			}
			for _, y := range x {
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(bundle)
	return out
}

// TestIssue10DemoOffersSensualAndSaysSo: a new practice offers no sensual
// work; the demo turns it on and says so.
func TestIssue10DemoOffersSensualAndSaysSo(t *testing.T) {
	t.Parallel()
	n := start(t, "", nil, "demo")
	if !strings.Contains(n.stdout.String(), "offers sensual work") {
		t.Fatalf("the demo does not say it offers sensual work:\n%s", n.stdout.String())
	}
	var adminPW string
	for _, l := range strings.Split(n.stdout.String(), "\n") {
		if f := strings.Fields(l); len(f) > 3 && f[1] == "admin@demo.holdspace.test" {
			adminPW = f[3]
		}
	}
	tok := n.login("admin@demo.holdspace.test", adminPW)
	if s := n.must(200, "GET", "/api/v1/practice/settings", tok, nil); s.Body["sensual_offered"] != true {
		t.Fatalf("demo settings: %s", s.Raw)
	}
}

// TestIssue10SettingsDefaultsFromFileAndFlags: a YAML file of defaults,
// overridden by a flag's variable; a bad file stops holdspace with a usage
// error.
func TestIssue10SettingsDefaultsFromFileAndFlags(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := dir + "/practice.yaml"
	if err := os.WriteFile(file, []byte("age_of_majority: 21\ntime_zone: Pacific/Auckland\nsensual_offered: true\nscope:\n  - {group: internal-vaginal, requires: internal-vaginal, offered: false}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	data := freshData(t)
	addUser(t, data, "admin", "admin@example.test", "Admin One", fixturePassword)
	n := start(t, data, map[string]string{"HOLDSPACE_PRACTICE_SETTINGS": file, "HOLDSPACE_SENSUAL_OFFERED": "false"}, "serve")
	tok := n.login("admin@example.test", fixturePassword)
	s := n.must(200, "GET", "/api/v1/practice/settings", tok, nil)
	if s.Body["age_of_majority"] != 21.0 || s.Body["time_zone"] != "Pacific/Auckland" || s.Body["sensual_offered"] != false ||
		!strings.Contains(string(s.Raw), `"group":"internal-vaginal","requires":"internal-vaginal","offered":false`) ||
		!strings.Contains(string(s.Raw), `"group":"internal-anorectal","requires":"internal-anorectal","offered":true`) {
		t.Fatalf("defaults from file and flags: %s", s.Raw)
	}
	n.stop()
	for _, bad := range []struct{ env map[string]string }{
		{map[string]string{"HOLDSPACE_AGE_OF_MAJORITY": "16"}},
		{map[string]string{"HOLDSPACE_TIME_ZONE": "Nowhere/Land"}},
		{map[string]string{"HOLDSPACE_FOLLOW_UP_WINDOW": "90m"}},
	} {
		var out, errb bytes.Buffer
		err := run(t.Context(), []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir()}, testEnv(bad.env), strings.NewReader(""), &out, &errb)
		if err == nil || exitCode(err) != 2 {
			t.Errorf("%v: err %v (exit %d), want a usage error", bad.env, err, exitCode(err))
		}
	}
	if err := os.WriteFile(file, []byte("age_of_majority: 18\ncolour: blue\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	err := run(t.Context(), []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--practice-settings", file}, testEnv(nil), strings.NewReader(""), &out, &errb)
	if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), "colour") {
		t.Fatalf("unknown field in the file: %v", err)
	}
}
