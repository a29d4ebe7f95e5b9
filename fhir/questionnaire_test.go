package fhir

import (
	"encoding/json"
	"regexp"
	"testing"
	"time"

	"holdspace"
	"holdspace/screening"
)

func intake(t *testing.T) *screening.Questionnaire {
	t.Helper()
	q, ok := screening.Lookup(screening.IntakeV1)
	if !ok {
		t.Fatal("intake-v1 missing")
	}
	return q
}

// walk calls f for every item, depth first, with its parent's linkId.
func walk(items []map[string]any, parent string, f func(it map[string]any, parent string)) {
	for _, it := range items {
		f(it, parent)
		walk(children(it), it["linkId"].(string), f)
	}
}

func children(it map[string]any) []map[string]any {
	raw, _ := it["item"].([]any)
	out := make([]map[string]any, len(raw))
	for i, r := range raw {
		out[i] = r.(map[string]any)
	}
	return out
}

func asJSON(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestQuestionnaireResource(t *testing.T) {
	q := intake(t)
	m := asJSON(t, Questionnaire(q))
	for k, want := range map[string]string{"resourceType": "Questionnaire", "url": q.URL, "version": "1",
		"name": "IntakeV1", "status": "active", "id": "intake-v1", "title": q.Title} {
		if m[k] != want {
			t.Errorf("%s = %v, want %q", k, m[k], want)
		}
	}
	if !regexp.MustCompile(`^[A-Z][A-Za-z0-9_]{0,254}$`).MatchString(m["name"].(string)) {
		t.Error("name is not a computable name")
	}
	validTypes := map[string]bool{"group": true, "display": true, "boolean": true, "choice": true, "date": true, "text": true}
	seen := map[string]string{} // linkId → parent
	walk(children(m), "", func(it map[string]any, parent string) {
		id, _ := it["linkId"].(string)
		typ, _ := it["type"].(string)
		if id == "" || !validTypes[typ] {
			t.Errorf("item %v: linkId and a valid type are required", it)
		}
		if _, dup := seen[id]; dup {
			t.Errorf("duplicate linkId %s", id)
		}
		seen[id] = parent
		switch typ {
		case "group":
			if parent != "" || len(children(it)) == 0 {
				t.Errorf("group %s must be top level with items", id)
			}
		case "display":
			if it["required"] != nil || it["repeats"] != nil || len(children(it)) != 0 {
				t.Errorf("display item %s breaks que-6/que-1", id)
			}
		case "choice":
			if opts, _ := it["answerOption"].([]any); len(opts) == 0 {
				t.Errorf("choice %s without answerOption", id)
			}
		}
		if ews, ok := it["enableWhen"].([]any); ok {
			for _, ew := range ews {
				e := ew.(map[string]any)
				if _, known := seen[e["question"].(string)]; !known {
					t.Errorf("%s: enableWhen names %v, not an earlier item", id, e["question"])
				}
				if e["operator"] != "=" && e["operator"] != "exists" {
					t.Errorf("%s: operator %v", id, e["operator"])
				}
			}
		}
	})
	for _, it := range q.Items {
		parent, ok := seen[it.LinkID]
		if !ok || parent != "topic-"+string(it.Topic) {
			t.Errorf("item %s missing or outside its topic group (parent %q)", it.LinkID, parent)
		}
		if _, ok := seen[it.LinkID+"-help"]; !ok {
			t.Errorf("item %s has no help", it.LinkID)
		}
	}
	var regions map[string]any
	walk(children(m), "", func(it map[string]any, _ string) {
		if it["linkId"] == "recent-surgery-regions" {
			regions = it
		}
	})
	if regions["type"] != "choice" || regions["repeats"] != true || len(regions["answerOption"].([]any)) != 25 {
		t.Errorf("regions item %v", regions)
	}
}

func TestQuestionnaireResponseResource(t *testing.T) {
	q := intake(t)
	raw := `{"fever":false,"recent-surgery":true,"recent-surgery-regions":["abdomen","hips"],"recent-surgery-date":"2026-05-01",
		"trauma-history":"prefer-not-to-say","other-notes":"  ","latex-allergy":true}`
	a, err := screening.DecodeAnswersWith(q, []byte(raw), screening.DecodeOptions{Partial: true})
	if err != nil {
		t.Fatal(err)
	}
	authored := time.Date(2026, 6, 15, 10, 0, 0, 0, time.FixedZone("X", 3600))
	qr, err := QuestionnaireResponse(q, a, Reference{Reference: "Patient/cli-1"}, authored)
	if err != nil {
		t.Fatal(err)
	}
	m := asJSON(t, qr)
	for k, want := range map[string]any{"resourceType": "QuestionnaireResponse", "status": "completed",
		"questionnaire": "urn:holdspace:questionnaire:intake-v1|1", "authored": "2026-06-15T09:00:00Z"} {
		if m[k] != want {
			t.Errorf("%s = %v, want %v", k, m[k], want)
		}
	}
	if m["subject"].(map[string]any)["reference"] != "Patient/cli-1" {
		t.Error("subject")
	}
	// Every answered linkId appears once, under its topic group, with the
	// right value type; the blank note is left out.
	qItems := map[string]string{}
	walk(children(asJSON(t, Questionnaire(q))), "", func(it map[string]any, parent string) { qItems[it["linkId"].(string)] = parent })
	got := map[string][]any{}
	walk(children(m), "", func(it map[string]any, parent string) {
		id := it["linkId"].(string)
		if p, ok := qItems[id]; !ok || p != parent {
			t.Errorf("response item %s is not at its Questionnaire position", id)
		}
		if ans, ok := it["answer"].([]any); ok {
			got[id] = ans
		} else if len(children(it)) == 0 {
			t.Errorf("item %s has neither answer nor items (qrs-1)", id)
		}
	})
	want := map[string]string{"fever": "valueBoolean", "recent-surgery": "valueBoolean", "recent-surgery-regions": "valueCoding",
		"recent-surgery-date": "valueDate", "trauma-history": "valueCoding", "latex-allergy": "valueBoolean"}
	if len(got) != len(want) {
		t.Errorf("answered items %v", got)
	}
	for id, key := range want {
		for _, ans := range got[id] {
			if _, ok := ans.(map[string]any)[key]; !ok {
				t.Errorf("%s: answer %v lacks %s", id, ans, key)
			}
		}
	}
	if len(got["recent-surgery-regions"]) != 2 || got["recent-surgery-date"][0].(map[string]any)["valueDate"] != "2026-05-01" {
		t.Errorf("values %v", got)
	}

	_, err = QuestionnaireResponse(q, screening.Answers{"nope": true}, Reference{}, authored)
	if holdspace.ErrorReason(err) != "unknown_link_id" {
		t.Errorf("unknown linkId: %v", err)
	}
	_, err = QuestionnaireResponse(q, screening.Answers{"fever": "yes"}, Reference{}, authored)
	if holdspace.ErrorReason(err) != "wrong_type" || holdspace.ErrorField(err) != "answers.fever" {
		t.Errorf("wrong type: %v", err)
	}
}
