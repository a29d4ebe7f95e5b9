package screening

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"holdspace"
	"holdspace/catalogue"
)

func TestDecodeAnswersErrors(t *testing.T) {
	q := mustQ(t)
	cases := []struct {
		name, raw, reason, field string
	}{
		{"not json", `{`, "malformed_json", "answers"},
		{"not object", `[true]`, "wrong_type", "answers"},
		{"trailing data", `{"fever":false} {}`, "malformed_json", "answers"},
		{"unknown linkId", `{"fevre":true}`, "unknown_link_id", "answers.fevre"},
		{"duplicate key", `{"fever":false,"fever":true}`, "duplicate_link_id", "answers.fever"},
		{"bool as string", `{"fever":"true"}`, "wrong_type", "answers.fever"},
		{"bool as number", `{"fever":1}`, "wrong_type", "answers.fever"},
		{"null", `{"fever":null}`, "wrong_type", "answers.fever"},
		{"date wrong type", `{"postpartum-date":20260101}`, "wrong_type", "answers.postpartum-date"},
		{"date format", `{"postpartum-date":"1/2/2026"}`, "invalid_date", "answers.postpartum-date"},
		{"date with time", `{"postpartum-date":"2026-06-01T00:00:00Z"}`, "invalid_date", "answers.postpartum-date"},
		{"impossible date", `{"postpartum-date":"2026-02-30"}`, "invalid_date", "answers.postpartum-date"},
		{"future date", `{"postpartum-date":"2026-06-20"}`, "invalid_date", "answers.postpartum-date"},
		{"ancient date", `{"postpartum-date":"1066-10-14"}`, "invalid_date", "answers.postpartum-date"},
		{"region unknown", `{"recent-surgery-regions":["spleen"]}`, "unknown_region", "answers.recent-surgery-regions"},
		{"region duplicate", `{"recent-surgery-regions":["abdomen","abdomen"]}`, "duplicate_region", "answers.recent-surgery-regions"},
		{"regions not list", `{"recent-surgery-regions":"abdomen"}`, "wrong_type", "answers.recent-surgery-regions"},
		{"region not string", `{"recent-surgery-regions":[1]}`, "wrong_type", "answers.recent-surgery-regions"},
		{"choice unknown", `{"trauma-history":"maybe"}`, "invalid_choice", "answers.trauma-history"},
		{"choice as bool", `{"trauma-history":true}`, "wrong_type", "answers.trauma-history"},
		{"text too long", `{"other-notes":"` + strings.Repeat("a", 4001) + `"}`, "too_long", "answers.other-notes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := DecodeAnswersWith(q, []byte(c.raw), DecodeOptions{At: testAt, Partial: true})
			var he *holdspace.Error
			if !errors.As(err, &he) {
				t.Fatalf("err = %v, want *holdspace.Error", err)
			}
			if he.Code != holdspace.EINVALID || he.Reason != c.reason || he.Field != c.field {
				t.Fatalf("got %s/%s field %q, want invalid/%s field %q", he.Code, he.Reason, he.Field, c.reason, c.field)
			}
		})
	}
}

func TestDecodeAnswersRequired(t *testing.T) {
	q := mustQ(t)
	full := baseAnswers(catalogue.Anatomy{})
	dec := func(m map[string]any, anat *catalogue.Anatomy) error {
		raw, _ := json.Marshal(m)
		_, err := DecodeAnswersWith(q, raw, DecodeOptions{At: testAt, Anatomy: anat})
		return err
	}
	if err := dec(full, nil); err != nil {
		t.Fatalf("complete intake refused: %v", err)
	}
	missing := func(m map[string]any, anat *catalogue.Anatomy, field string) {
		t.Helper()
		err := dec(m, anat)
		if holdspace.ErrorReason(err) != "missing_answer" || holdspace.ErrorField(err) != field {
			t.Errorf("got %v, want missing_answer on %s", err, field)
		}
	}
	m := baseAnswers(catalogue.Anatomy{})
	delete(m, "fever")
	missing(m, nil, "answers.fever")

	// Follow-up items are required once their trigger is answered.
	m = baseAnswers(catalogue.Anatomy{})
	m["recent-surgery"] = true
	missing(m, nil, "answers.recent-surgery-regions")
	m["recent-surgery-regions"] = []string{}
	missing(m, nil, "answers.recent-surgery-regions")
	m["recent-surgery-regions"] = []string{"abdomen"}
	missing(m, nil, "answers.recent-surgery-date")
	m["recent-surgery-date"] = daysAgo(10)
	if err := dec(m, nil); err != nil {
		t.Errorf("complete surgery answers refused: %v", err)
	}
	m = baseAnswers(catalogue.Anatomy{})
	m["pelvic-surgery-date"] = daysAgo(10)
	missing(m, nil, "answers.prolapse-repair")

	// Anatomy-specific items are required only when the anatomy is known
	// and applies.
	prostate := &catalogue.Anatomy{Prostate: true}
	m = baseAnswers(catalogue.Anatomy{})
	missing(m, prostate, "answers.prostatitis-symptoms")
	if err := dec(m, &catalogue.Anatomy{Vagina: true}); holdspace.ErrorField(err) != "answers.pregnant" {
		t.Errorf("vaginal anatomy without pregnancy answer: %v", err)
	}
	if err := dec(baseAnswers(*prostate), prostate); err != nil {
		t.Errorf("complete prostate intake refused: %v", err)
	}
	// Answers to items that do not apply are still accepted.
	m = baseAnswers(catalogue.Anatomy{})
	m["prostate-cancer"] = true
	if err := dec(m, &catalogue.Anatomy{Vagina: true, Breasts: true}); err == nil || holdspace.ErrorField(err) != "answers.pregnant" {
		t.Errorf("got %v", err)
	}
	m["pregnant"] = false
	if err := dec(m, &catalogue.Anatomy{Vagina: true}); err != nil {
		t.Errorf("answer to a non-applicable item refused: %v", err)
	}
}

func TestDecodeAnswersValues(t *testing.T) {
	q := mustQ(t)
	raw := `{"fever":false,"recent-surgery":true,"recent-surgery-regions":["lower-legs","abdomen"],
		"recent-surgery-date":"2026-06-16","trauma-history":"prefer-not-to-say","other-notes":"knee \u00e9"}`
	a, err := DecodeAnswersWith(q, []byte(raw), DecodeOptions{At: testAt, Partial: true})
	if err != nil {
		t.Fatal(err) // one day ahead is allowed for time zones
	}
	want := Answers{"fever": false, "recent-surgery": true, "recent-surgery-regions": []string{"abdomen", "lower-legs"},
		"recent-surgery-date": Date{2026, 6, 16}, "trauma-history": "prefer-not-to-say", "other-notes": "knee é"}
	if !reflect.DeepEqual(a, want) {
		t.Fatalf("got %#v\nwant %#v", a, want)
	}
	out, _ := json.Marshal(a)
	b, err := DecodeAnswersWith(q, out, DecodeOptions{At: testAt, Partial: true})
	if err != nil || !reflect.DeepEqual(a, b) {
		t.Fatalf("round trip: %v %#v", err, b)
	}
}

func FuzzDecodeAnswers(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"fever":true}`, `{"fever":false,"fever":true}`, `{"recent-surgery-regions":["abdomen","glutes"]}`,
		`{"recent-surgery-date":"2026-02-29"}`, `{"postpartum-date":"2024-02-29"}`, `{"trauma-history":"yes"}`,
		`{"other-notes":"\ud800"}`, `{"other-notes":"x\u0000y"}`, `[]`, `null`, `{"a":1}`, `{"fever":true}garbage`,
		`{"pelvic-surgery-date":"2026-05-01","prolapse-repair":true}`,
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	q, _ := Lookup(IntakeV1)
	f.Fuzz(func(t *testing.T, raw []byte, partial bool) {
		opt := DecodeOptions{At: testAt, Partial: partial}
		a, err := DecodeAnswersWith(q, raw, opt)
		if err != nil {
			var he *holdspace.Error
			if !errors.As(err, &he) || he.Code != holdspace.EINVALID || he.Reason == "" || !strings.HasPrefix(he.Field, "answers") {
				t.Fatalf("error %v is not a coded EINVALID", err)
			}
			return
		}
		out, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		b, err := DecodeAnswersWith(q, out, opt)
		if err != nil {
			t.Fatalf("re-decode of %s: %v", out, err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("round trip changed %#v to %#v", a, b)
		}
		// Evaluation of anything accepted never errors.
		if _, err := mustPack(t).Evaluate(a, Subject{}, testAt); err != nil {
			t.Fatal(err)
		}
	})
}
