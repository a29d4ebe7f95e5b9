package fhir

import (
	"testing"

	"holdspace"
	"holdspace/screening"
)

func TestDayCheckQuestionnaire(t *testing.T) {
	qr, err := DayCheckQuestionnaire()
	if err != nil {
		t.Fatal(err)
	}
	m := decoded(t, qr)
	for k, want := range map[string]string{"resourceType": "Questionnaire", "id": "day-check-v1", "name": "DayCheckV1",
		"url": "urn:holdspace:questionnaire:day-check-v1", "version": "1", "status": "active"} {
		if m[k] != want {
			t.Errorf("%s = %v, want %q", k, m[k], want)
		}
	}
	group := jlist(m, "item")
	if len(group) != 1 || jget(group[0], "type") != "group" {
		t.Fatalf("want one group: %v", group)
	}
	var ids []string
	for _, it := range jlist(group[0], "item") {
		if jget(it, "type") != "boolean" || jget(it, "required") != true {
			t.Errorf("item %v is not a required boolean", it)
		}
		if len(extensionsAt(it, ExtSensitive)) != 1 {
			t.Errorf("item %v is not marked sensitive", jget(it, "linkId"))
		}
		ids = append(ids, jget(it, "linkId").(string))
	}
	if len(ids) != 3 || ids[0] != screening.DayCheckClearHeaded || ids[1] != screening.DayCheckUnwell || ids[2] != screening.DayCheckChanges {
		t.Fatalf("linkIds %v", ids)
	}
}

func TestDayCheckResponse(t *testing.T) {
	in := DayCheckInput{ID: "evt_abc", ClientID: "usr_c1", SessionID: "ses_s1", At: tRef, ClearHeaded: false, Unwell: true}
	qr, err := DayCheckResponse(in)
	if err != nil {
		t.Fatal(err)
	}
	m := decoded(t, qr)
	checkTimes(t, m, "QuestionnaireResponse")
	for path, want := range map[string]string{"resourceType": "QuestionnaireResponse", "id": "evt-abc", "status": "completed",
		"questionnaire": "urn:holdspace:questionnaire:day-check-v1|1", "authored": utc(tRef)} {
		if m[path] != want {
			t.Errorf("%s = %v, want %q", path, m[path], want)
		}
	}
	for _, k := range []string{"subject", "source", "author"} {
		if jget(m, k, "reference") != "Patient/usr-c1" {
			t.Errorf("%s = %v, want Patient/usr-c1", k, jget(m, k))
		}
	}
	if jget(m, "encounter", "reference") != "Encounter/ses-s1" {
		t.Errorf("encounter = %v", jget(m, "encounter"))
	}
	answers := map[string]any{}
	for _, it := range jlist(m, "item", 0, "item") {
		answers[jget(it, "linkId").(string)] = jget(it, "answer", 0, "valueBoolean")
	}
	want := map[string]any{screening.DayCheckClearHeaded: false, screening.DayCheckUnwell: true, screening.DayCheckChanges: false}
	for k, v := range want {
		if answers[k] != v {
			t.Errorf("answer %s = %v, want %v (every answer is kept, a false one too)", k, answers[k], v)
		}
	}

	in.PractitionerID = "usr_p1"
	qr, err = DayCheckResponse(in)
	if err != nil {
		t.Fatal(err)
	}
	m = decoded(t, qr)
	if jget(m, "author", "reference") != "Practitioner/usr-p1" || jget(m, "source", "reference") != "Patient/usr-c1" {
		t.Fatalf("in person: author %v source %v", jget(m, "author"), jget(m, "source"))
	}

	for name, c := range map[string]struct {
		mutate func(*DayCheckInput)
		field  string
	}{
		"ErrID":           {func(in *DayCheckInput) { in.ID = "" }, "id"},
		"ErrClientID":     {func(in *DayCheckInput) { in.ClientID = "a b" }, "client_id"},
		"ErrSessionID":    {func(in *DayCheckInput) { in.SessionID = "" }, "session_id"},
		"ErrPractitioner": {func(in *DayCheckInput) { in.PractitionerID = "p/q" }, "practitioner_id"},
	} {
		t.Run(name, func(t *testing.T) {
			bad := in
			c.mutate(&bad)
			_, err := DayCheckResponse(bad)
			wantReason(t, err, holdspace.EINVALID, "invalid_id", c.field)
		})
	}
}

func TestEncounterEndedFor(t *testing.T) {
	e, err := NewEncounter(EncounterInput{ID: "ses_1", ClientID: "c1", PractitionerID: "p1", State: "cancelled", StartsAt: tRef, EndedFor: "capacity"})
	if err != nil {
		t.Fatal(err)
	}
	m := decoded(t, e)
	if x := extensionsAt(m, ExtEndedFor); len(x) != 1 || jget(x[0], "valueCode") != "capacity" || m["status"] != "cancelled" {
		t.Fatalf("encounter %v", m)
	}
	e, _ = NewEncounter(EncounterInput{ID: "ses_2", ClientID: "c1", State: "cancelled", StartsAt: tRef})
	if x := extensionsAt(decoded(t, e), ExtEndedFor); len(x) != 0 {
		t.Fatalf("a plain cancellation carries %v", x)
	}
}
