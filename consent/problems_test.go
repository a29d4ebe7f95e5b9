package consent

import (
	"slices"
	"testing"
	"time"

	"holdspace"
	"holdspace/catalogue"
)

// TestAgreementValidateListsEveryProblem: every bad grant, the intent and
// the expiry are reported at once; each grant once, at its first fault.
func TestAgreementValidateListsEveryProblem(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	a := Agreement{Intent: "massage", CreatedAt: t0, ValidUntil: t0.Add(-time.Hour), Grants: []Grant{
		{Region: "spleen", Technique: "bogus", Answer: "maybe"},
		{Region: "shoulders", Technique: "touch", Answer: catalogue.Yes},
		{Region: "shoulders", Technique: "touch", Answer: catalogue.No},
		{Region: "shoulders", Technique: "fling", Answer: catalogue.Yes},
	}}
	err := a.Validate(catalogue.Anatomy{})
	var got []string
	for _, p := range holdspace.ErrorProblems(err) {
		got = append(got, p.Reason+" "+p.Field)
	}
	want := []string{"invalid_intent intent", "unknown_region grants[0].region", "duplicate_grant grants[2]",
		"unknown_technique grants[3].technique", "valid_until_past valid_until"}
	if !slices.Equal(got, want) {
		t.Fatalf("problems %q, want %q", got, want)
	}
	if holdspace.ErrorReason(err) != "invalid_intent" || holdspace.ErrorField(err) != "intent" || holdspace.ErrorCode(err) != holdspace.EINVALID {
		t.Errorf("first problem: %v", err)
	}
}
