package screening

import (
	"encoding/json"
	"slices"
	"testing"

	"holdspace"
	"holdspace/catalogue"
)

// TestDecodeAnswersListsEveryProblem: a screening with several missing and
// several wrong answers reports them all at once, the first in document
// order as the error itself.
func TestDecodeAnswersListsEveryProblem(t *testing.T) {
	q := mustQ(t)
	m := baseAnswers(catalogue.Anatomy{})
	// Two required questions, in questionnaire order.
	var required []string
	for _, it := range q.Items {
		if _, ok := m[it.LinkID]; ok && len(required) < 2 {
			required = append(required, it.LinkID)
		}
	}
	for _, id := range required {
		delete(m, id)
	}
	m["postpartum-date"] = "1/2/2026"
	m["fevre"] = true
	raw, _ := json.Marshal(m) // members in name order
	_, err := DecodeAnswersWith(q, raw, DecodeOptions{At: testAt})
	ps := holdspace.ErrorProblems(err)
	var got []string
	for _, p := range ps {
		got = append(got, p.Reason+" "+p.Field)
		if p.Message == "" {
			t.Errorf("%s has no message", p.Field)
		}
	}
	want := []string{"unknown_link_id answers.fevre", "invalid_date answers.postpartum-date",
		"missing_answer answers." + required[0], "missing_answer answers." + required[1]}
	if !slices.Equal(got, want) {
		t.Fatalf("problems %q, want %q", got, want)
	}
	if holdspace.ErrorReason(err) != "unknown_link_id" || holdspace.ErrorField(err) != "answers.fevre" {
		t.Errorf("first problem %v, want unknown_link_id on answers.fevre", err)
	}

	// One problem: no list, the error as before.
	m = baseAnswers(catalogue.Anatomy{})
	delete(m, "fever")
	raw, _ = json.Marshal(m)
	_, err = DecodeAnswersWith(q, raw, DecodeOptions{At: testAt})
	if holdspace.ErrorField(err) != "answers.fever" || holdspace.ErrorProblems(err) != nil {
		t.Errorf("one missing answer: %v, problems %v", err, holdspace.ErrorProblems(err))
	}
}
