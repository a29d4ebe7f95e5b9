package fhir

import (
	"encoding/json"
	"testing"

	"holdspace/screening"
)

// Every question, help text and topic of the FHIR Questionnaire carries
// its German and Spanish words in the standard translation extension, and
// the resource with them still parses as official R4; a
// QuestionnaireResponse says which language it was answered in.
func TestQuestionnaireTranslations(t *testing.T) {
	q := intake(t)
	res := Questionnaire(q)
	if res.Language != "en" {
		t.Errorf("language = %q, want en", res.Language)
	}
	n := 0
	var walkItems func([]QuestionnaireItem)
	walkItems = func(items []QuestionnaireItem) {
		for _, it := range items {
			n++
			for _, lang := range []string{"de", "es"} {
				got, ok := it.TextElement.Translated(lang)
				if !ok || got == "" || got == it.Text {
					t.Errorf("item %s has no %s translation (%q)", it.LinkID, lang, got)
				}
			}
			walkItems(it.Item)
		}
	}
	walkItems(res.Item)
	options := 0
	var walkOptions func([]QuestionnaireItem)
	walkOptions = func(items []QuestionnaireItem) {
		for _, it := range items {
			for _, o := range it.AnswerOption {
				options++
				if got, ok := o.ValueCoding.DisplayElement.Translated("es"); !ok || got == "" || got == o.ValueCoding.Display && got != "No" && got != "Abdomen" && got != "Sensual" {
					t.Errorf("option %s/%s has no Spanish display (%q)", it.LinkID, o.ValueCoding.Code, got)
				}
			}
			walkOptions(it.Item)
		}
	}
	walkOptions(res.Item)
	if options < 3 {
		t.Errorf("only %d answer options", options)
	}
	if n < len(q.Items) {
		t.Fatalf("only %d items", n)
	}
	fever := res.Item[0].Item[0]
	if got, _ := fever.TextElement.Translated("de"); got != "Haben Sie heute Fieber, oder fühlen Sie sich mit einem Infekt (etwa einer Grippe) unwohl?" {
		t.Errorf("fever in German = %q", got)
	}
	raw, _ := json.Marshal(fever)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	ext := jlist(jget(m, "_text"), "extension")
	if len(ext) != 2 || jget(ext[0], "url") != ExtTranslation {
		t.Errorf("fever _text = %v", jget(m, "_text"))
	}
	validateR4(t, "translated Questionnaire", res)

	a, err := screening.DecodeAnswersWith(q, []byte(`{"fever":false}`), screening.DecodeOptions{Partial: true})
	if err != nil {
		t.Fatal(err)
	}
	qr, err := QuestionnaireResponse(q, a, Reference{Reference: "Patient/cli-1"}, tRef)
	if err != nil {
		t.Fatal(err)
	}
	qr.Language = "de"
	if asJSON(t, qr)["language"] != "de" {
		t.Error("the response does not say its language")
	}
	validateR4(t, "QuestionnaireResponse in German", qr)
}
