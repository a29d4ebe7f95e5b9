package main

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

// dayCheckPractice is newPractice with c1 screened clear and holding a
// signed therapeutic agreement that says yes to prostate massage (and to
// the passage regions, glutes and inner thighs).
func dayCheckPractice(t *testing.T) *practiceFixture {
	t.Helper()
	f := newPractice(t, nil)
	f.n.must(201, "POST", "/api/v1/clients/"+f.c1ID+"/screenings", f.c1, map[string]any{"answers": clearAnswers()})
	f.signedAgreement(t, []map[string]string{
		grant("glutes", "massage", "yes"), grant("inner-thighs", "massage", "yes"),
		grant("anal-canal", "massage", "yes"), grant("rectum", "massage", "yes"), grant("prostate", "massage", "yes"),
	})
	return f
}

// reconfirmed books a session for c1 with p1, opens it and has the client
// re-confirm their agreement on their own device, as the new user
// did.
func (f *practiceFixture) reconfirmed(t *testing.T) string {
	t.Helper()
	ses := f.session(t)
	f.event(t, f.p1, ses, map[string]any{"type": "open"})
	f.event(t, f.c1, ses, map[string]any{"type": "reconfirm"})
	return ses
}

// begin records the chaperone offer and begins the session.
func (f *practiceFixture) begin(t *testing.T, ses string) {
	t.Helper()
	f.event(t, f.p1, ses, map[string]any{"type": "chaperone", "chaperone": map[string]any{"offered": true, "accepted": false}})
	if st := f.event(t, f.p1, ses, map[string]any{"type": "begin"}); st != "in-progress" {
		t.Fatalf("begin → %s", st)
	}
}

func today(clear, unwell, changes bool) map[string]any {
	return map[string]any{"type": "day-check", "today": map[string]bool{"clear_headed": clear, "unwell": unwell, "changes": changes}}
}

func (f *practiceFixture) closeSession(t *testing.T, ses string) {
	t.Helper()
	f.event(t, f.p1, ses, map[string]any{"type": "close", "close": map[string]any{"subjective": "", "pain_before": 0, "pain_after": 0}})
}

// wantDeny asserts a deny carrying code for region/technique, asked by both
// the practitioner and the client.
func (f *practiceFixture) wantDeny(t *testing.T, ses, region, technique, code string) {
	t.Helper()
	for _, tok := range []string{f.p1, f.c1} {
		if d, codes := f.decision(t, tok, ses, region, technique); d != "deny" || !slices.Contains(codes, code) {
			t.Fatalf("%s/%s: %s %v, want deny with %s", region, technique, d, codes, code)
		}
	}
}

// TestDayCheckDrunk: a client who arrives drunk re-confirms their
// agreement; the practitioner asks for prostate massage. Before any day
// check the answer is day_check_required; after the client says they are
// not clear-headed it is capacity, for every region, and stays so whatever
// the practitioner records afterwards.
func TestDayCheckDrunk(t *testing.T) {
	t.Parallel()
	f := dayCheckPractice(t)
	ses := f.reconfirmed(t)
	f.begin(t, ses)
	f.wantDeny(t, ses, "prostate", "massage", "day_check_required")
	if d, codes := f.decision(t, f.p1, ses, "glutes", "massage"); d != "permit" {
		t.Fatalf("general work needs no day check: %s %v", d, codes)
	}

	f.event(t, f.c1, ses, today(false, false, false))
	f.wantDeny(t, ses, "prostate", "massage", "capacity")
	f.wantDeny(t, ses, "glutes", "massage", "capacity")

	// The practitioner cannot turn the client's answer round, in person
	// or otherwise; nor can the client in the same session.
	f.event(t, f.p1, ses, today(true, false, false))
	f.event(t, f.c1, ses, today(true, false, false))
	f.wantDeny(t, ses, "prostate", "massage", "capacity")
	f.wantDeny(t, ses, "inner-thighs", "massage", "capacity")

	// The answers are in the session log, opened, each with who gave it.
	evs := f.n.must(200, "GET", "/api/v1/sessions/"+ses+"/events", f.p1, nil)
	var checks []map[string]any
	list, _ := evs.Body["events"].([]any)
	for _, e := range list {
		m, _ := e.(map[string]any)
		if m["type"] == "day-check" {
			checks = append(checks, m)
		}
	}
	if len(checks) != 3 {
		t.Fatalf("%d day checks in the log: %s", len(checks), evs.Raw)
	}
	if td, _ := checks[0]["today"].(map[string]any); td["clear_headed"] != false || checks[0]["actor_role"] != "client" {
		t.Fatalf("first day check: %v", checks[0])
	}

	// Ended for capacity: recorded as such, in the export and in FHIR.
	f.closeSession(t, ses)
	x := f.n.must(200, "GET", "/api/v1/clients/"+f.c1ID+"/export", f.c1, nil)
	sess, _ := x.Body["sessions"].([]any)
	if len(sess) != 1 || sess[0].(map[string]any)["ended_for"] != "capacity" {
		t.Fatalf("export sessions: %v", sess)
	}
	b := f.n.must(200, "GET", "/api/v1/clients/"+f.c1ID+"/fhir", f.p1, nil)
	responses, questionnaires, endedFor := 0, 0, false
	entries, _ := b.Body["entry"].([]any)
	for _, e := range entries {
		res, _ := e.(map[string]any)["resource"].(map[string]any)
		switch res["resourceType"] {
		case "QuestionnaireResponse":
			if strings.HasPrefix(res["questionnaire"].(string), "urn:holdspace:questionnaire:day-check-v1|") {
				responses++
			}
		case "Questionnaire":
			if res["id"] == "day-check-v1" {
				questionnaires++
			}
		case "Encounter":
			endedFor = strings.Contains(string(mustJSON(t, res)), `"valueCode":"capacity"`)
		}
	}
	if responses != 3 || questionnaires != 1 || !endedFor {
		t.Fatalf("FHIR: %d day-check responses, %d questionnaires, ended for capacity %v", responses, questionnaires, endedFor)
	}
	// The audit says how the session ended.
	au := f.n.must(200, "GET", "/api/v1/audit?client_id="+f.c1ID, f.admin, nil)
	if !strings.Contains(string(au.Raw), "ended_for=capacity") {
		t.Fatalf("audit does not record the ending for capacity")
	}
}

// TestDayCheckFever: a client with a fever re-confirms; prostate massage
// (and everything else) is contraindicated for this session.
func TestDayCheckFever(t *testing.T) {
	t.Parallel()
	f := dayCheckPractice(t)
	ses := f.reconfirmed(t)
	// On the phone, right after re-confirming, before the practitioner begins.
	f.event(t, f.c1, ses, today(true, true, false))
	f.begin(t, ses)
	f.wantDeny(t, ses, "prostate", "massage", "contraindicated")
	f.wantDeny(t, ses, "glutes", "massage", "contraindicated")
	// Feeling better ten minutes later does not widen this session.
	f.event(t, f.c1, ses, today(true, false, false))
	f.wantDeny(t, ses, "prostate", "massage", "contraindicated")
	f.closeSession(t, ses)
	x := f.n.must(200, "GET", "/api/v1/clients/"+f.c1ID+"/export", f.c1, nil)
	if s, _ := x.Body["sessions"].([]any); len(s) != 1 || s[0].(map[string]any)["ended_for"] != "illness" {
		t.Fatalf("export sessions: %v", s)
	}

	// The next session starts afresh: a new day, a new check.
	ses2 := f.reconfirmed(t)
	f.event(t, f.c1, ses2, today(true, false, false))
	f.begin(t, ses2)
	if d, codes := f.decision(t, f.p1, ses2, "prostate", "massage"); d != "permit" {
		t.Fatalf("next session, well: %s %v", d, codes)
	}
	f.closeSession(t, ses2)
}

// TestDayCheckHealthChanged: a client whose health changed re-confirms;
// prostate massage is denied screening_stale until they answer the health
// questions again, and their new answers apply at once.
func TestDayCheckHealthChanged(t *testing.T) {
	t.Parallel()
	f := dayCheckPractice(t)
	ses := f.reconfirmed(t)
	f.event(t, f.c1, ses, today(true, false, true))
	f.begin(t, ses)
	f.wantDeny(t, ses, "prostate", "massage", "screening_stale")
	// The change is on the client's record: the screening is stale beyond
	// this session too, until they answer again.
	x := f.n.must(200, "GET", "/api/v1/clients/"+f.c1ID+"/export", f.c1, nil)
	if hc, _ := x.Body["health_changes"].([]any); len(hc) != 1 {
		t.Fatalf("health changes after the day check: %v", x.Body["health_changes"])
	}
	// General and sensitive work does not need a current screening.
	for _, rt := range [][2]string{{"glutes", "massage"}, {"inner-thighs", "massage"}} {
		if d, codes := f.decision(t, f.p1, ses, rt[0], rt[1]); d != "permit" {
			t.Fatalf("%v after a change: %s %v", rt, d, codes)
		}
	}
	// The client answers again, now with prostatitis symptoms: the new
	// answers narrow at once.
	ans := clearAnswers()
	ans["prostatitis-symptoms"] = true
	f.n.must(201, "POST", "/api/v1/clients/"+f.c1ID+"/screenings", f.c1, map[string]any{"answers": ans})
	d, codes := f.decision(t, f.p1, ses, "prostate", "massage")
	if d != "deny" || !slices.Contains(codes, "contraindicated") || slices.Contains(codes, "screening_stale") {
		t.Fatalf("after answering again: %s %v", d, codes)
	}
	f.closeSession(t, ses)

	// Another session: a change reported, then answered again, all clear.
	ses2 := f.reconfirmed(t)
	f.event(t, f.p1, ses2, today(true, false, true)) // recorded in person
	f.begin(t, ses2)
	f.wantDeny(t, ses2, "prostate", "massage", "screening_stale")
	// Answered again, all clear: the change is answered (no longer
	// screening_stale), but a screening that lifts a finding applies from
	// the next session, never mid-session (issue 9).
	f.n.must(201, "POST", "/api/v1/clients/"+f.c1ID+"/screenings", f.c1, map[string]any{"answers": clearAnswers()})
	d, codes = f.decision(t, f.p1, ses2, "prostate", "massage")
	if d != "deny" || slices.Contains(codes, "screening_stale") || !slices.Contains(codes, "contraindicated") {
		t.Fatalf("answered again, all clear, same session: %s %v", d, codes)
	}
	f.closeSession(t, ses2)

	ses3 := f.reconfirmed(t)
	f.event(t, f.c1, ses3, today(true, false, false))
	f.begin(t, ses3)
	if d, codes := f.decision(t, f.p1, ses3, "prostate", "massage"); d != "permit" {
		t.Fatalf("next session after answering all clear: %s %v", d, codes)
	}
	f.closeSession(t, ses3)
}

// TestDayCheckInput: the day check's shape is checked, it fits only an open
// or in-progress session, only its own client and practitioner may record
// it, and its answers are never in clear in the database files.
func TestDayCheckInput(t *testing.T) {
	t.Parallel()
	f := dayCheckPractice(t)
	ses := f.session(t)
	path := "/api/v1/sessions/" + ses + "/events"
	if r := f.n.call("POST", path, f.c1, today(false, false, false)); r.Status != 409 {
		t.Fatalf("day check while scheduled: %d %s", r.Status, r.Raw)
	}
	f.event(t, f.p1, ses, map[string]any{"type": "open"})
	for _, c := range []struct {
		body  any
		field string
	}{
		{map[string]any{"type": "day-check"}, "today"},
		{map[string]any{"type": "day-check", "today": map[string]bool{"clear_headed": true, "changes": false}}, "today.unwell"},
		{map[string]any{"type": "day-check", "today": map[string]bool{"unwell": false, "changes": false}}, "today.clear_headed"},
		{map[string]any{"type": "reconfirm", "today": map[string]bool{"clear_headed": true, "unwell": false, "changes": false}}, "today"},
	} {
		r := f.n.call("POST", path, f.c1, c.body)
		e, _ := r.Body["error"].(map[string]any)
		if r.Status != 400 || e["field"] != c.field {
			t.Errorf("%v: %d %s, want 400 on %s", c.body, r.Status, r.Raw, c.field)
		}
	}
	if r := f.n.call("POST", path, f.c1, `{"type":"day-check","today":{"clear_headed":true,"unwell":false,"changes":false,"mood":"low"}}`); r.Status != 400 {
		t.Errorf("unknown field in today: %d", r.Status)
	}
	// Other people's sessions do not exist for them; admins record nothing.
	for _, tok := range []string{f.c2, f.p2} {
		if r := f.n.call("POST", path, tok, today(true, false, false)); r.Status != 404 {
			t.Errorf("stranger's day check: %d", r.Status)
		}
	}
	if r := f.n.call("POST", path, f.admin, today(true, false, false)); r.Status != 403 {
		t.Errorf("admin day check: %d", r.Status)
	}
	evs := f.n.must(200, "GET", path, f.p1, nil)
	if list, _ := evs.Body["events"].([]any); len(list) != 1 {
		t.Fatalf("refused day checks were stored: %s", evs.Raw)
	}
	f.event(t, f.c1, ses, today(false, true, true))
	raw := readAll(t, dbFiles(t, f.n.data))
	for _, s := range []string{"clear_headed", "unwell\":true", "\"today\""} {
		if bytes.Contains(raw, []byte(s)) {
			t.Errorf("%s found in clear in the database files", s)
		}
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := jsonMarshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
