package screening

import (
	"testing"
)

func TestQuestionnairesBuild(t *testing.T) {
	for _, q := range []*Questionnaire{intakeV1()} {
		if err := q.build(); err != nil {
			t.Fatal(err)
		}
		if _, ok := Lookup(q.Name); !ok {
			t.Errorf("%s does not resolve", q.Name)
		}
	}
	if _, ok := Lookup("intake-v0"); ok {
		t.Error("unknown questionnaire resolves")
	}
	if got := Names(); len(got) != 1 || got[0] != IntakeV1 {
		t.Errorf("Names() = %v", got)
	}
}

// TestIntakeV1LinkIDs checks every linkId domain.md promises, with its type.
func TestIntakeV1LinkIDs(t *testing.T) {
	q := mustQ(t)
	want := map[string]ItemType{
		"fever": TypeBoolean, "dvt": TypeBoolean, "anticoagulants": TypeBoolean,
		"recent-surgery": TypeBoolean, "recent-surgery-regions": TypeRegions, "recent-surgery-date": TypeDate,
		"cancer-treatment": TypeBoolean, "hypertension-unstable": TypeBoolean, "stroke-recent": TypeBoolean,
		"pregnant": TypeBoolean, "pelvic-rest": TypeBoolean, "postpartum-date": TypeDate,
		"prostatitis-symptoms": TypeBoolean, "prostate-cancer": TypeBoolean, "prostate-procedure-healing": TypeBoolean,
		"rectal-bleeding": TypeBoolean, "anal-acute": TypeBoolean, "anorectal-disease": TypeBoolean,
		"pelvic-surgery-date": TypeDate, "prolapse-repair": TypeBoolean, "pelvic-radiotherapy-date": TypeDate,
		"seed-implants": TypeBoolean, "sti-active": TypeBoolean, "immunosuppressed": TypeBoolean,
		"latex-allergy": TypeBoolean, "trauma-history": TypeChoice, "other-notes": TypeText,
	}
	for id, typ := range want {
		it, ok := q.Item(id)
		if !ok {
			t.Errorf("missing item %s", id)
			continue
		}
		if it.Type != typ {
			t.Errorf("%s: type %s, want %s", id, it.Type, typ)
		}
		if it.Text == "" || it.Help == "" || it.Topic.Title() == string(it.Topic) {
			t.Errorf("%s: text, help and a known topic are required", id)
		}
	}
	th, _ := q.Item("trauma-history")
	if !th.Sensitive || th.Required || !th.HasOption("prefer-not-to-say") || !th.HasOption("yes") || !th.HasOption("no") || len(th.Options) != 3 {
		t.Errorf("trauma-history must be optional, sensitive, yes/no/prefer-not-to-say: %+v", th)
	}
	sens := q.SensitiveLinkIDs()
	if len(sens) != 2 || sens[0] != "trauma-history" || sens[1] != "other-notes" {
		t.Errorf("sensitive = %v", sens)
	}
	if n := len(q.Topics()); n != 9 {
		t.Errorf("topics = %v", q.Topics())
	}
}

func TestQuestionnaireBuildRefusesMalformed(t *testing.T) {
	cases := map[string]Questionnaire{
		"bad linkId":    {Name: "x", Items: []Item{{LinkID: "Bad_Id", Type: TypeBoolean, Topic: TopicGeneral, Text: "t", Help: "h"}}},
		"duplicate":     {Name: "x", Items: []Item{{LinkID: "a", Type: TypeBoolean, Topic: TopicGeneral, Text: "t", Help: "h"}, {LinkID: "a", Type: TypeBoolean, Topic: TopicGeneral, Text: "t", Help: "h"}}},
		"choice no opt": {Name: "x", Items: []Item{{LinkID: "a", Type: TypeChoice, Topic: TopicGeneral, Text: "t", Help: "h"}}},
		"unknown type":  {Name: "x", Items: []Item{{LinkID: "a", Type: "number", Topic: TopicGeneral, Text: "t", Help: "h"}}},
		"no help":       {Name: "x", Items: []Item{{LinkID: "a", Type: TypeBoolean, Topic: TopicGeneral, Text: "t"}}},
		"enableWhen later": {Name: "x", Items: []Item{
			{LinkID: "a", Type: TypeBoolean, Topic: TopicGeneral, Text: "t", Help: "h", EnableWhen: []EnableWhen{{Question: "b", Equals: true}}},
			{LinkID: "b", Type: TypeBoolean, Topic: TopicGeneral, Text: "t", Help: "h"}}},
		"enableWhen wrong type": {Name: "x", Items: []Item{
			{LinkID: "a", Type: TypeBoolean, Topic: TopicGeneral, Text: "t", Help: "h"},
			{LinkID: "b", Type: TypeBoolean, Topic: TopicGeneral, Text: "t", Help: "h", EnableWhen: []EnableWhen{{Question: "a", Equals: "yes"}}}}},
	}
	for name, q := range cases {
		if err := q.build(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
