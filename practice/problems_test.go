package practice

import (
	"slices"
	"testing"

	"holdspace"
)

// TestSettingsValidateListsEveryProblem: every bad setting is reported at
// once, the first as the error itself.
func TestSettingsValidateListsEveryProblem(t *testing.T) {
	s := DefaultSettings()
	s.AgeOfMajority = 12
	s.FollowUpWindowHours = 0
	s.Identity.Jurisdiction = "Germany"
	s.Scope = []ScopeRule{{Group: "elbows", Requires: "nothing"}}
	err := s.Validate()
	var got []string
	for _, p := range holdspace.ErrorProblems(err) {
		got = append(got, p.Reason+" "+p.Field)
	}
	want := []string{"out_of_range age_of_majority", "out_of_range follow_up_window_hours", "bad_jurisdiction identity.jurisdiction",
		"unknown_scope_group scope[0].group", "unknown_cover scope[0].requires"}
	if !slices.Equal(got, want) {
		t.Fatalf("problems %q, want %q", got, want)
	}
	if holdspace.ErrorField(err) != "age_of_majority" {
		t.Errorf("first problem: %v", err)
	}
}
