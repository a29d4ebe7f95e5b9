package consent

import (
	"testing"
	"time"

	"holdspace"
	"holdspace/catalogue"
)

func TestCoolingOff(t *testing.T) {
	withdrawn := func(at time.Time, regions ...string) []Agreement {
		f := fixture()
		revoke(&f, "a1", at, regions...)
		return f.Agreements
	}
	draft := func(grants ...Grant) *Agreement {
		return &Agreement{ID: "a2", Intent: catalogue.Therapeutic, Version: 2, Grants: grants}
	}
	tests := []struct {
		name   string
		all    []Agreement
		draft  *Agreement
		method string
		period time.Duration
		field  string // "" = allowed
	}{
		{"in person after withdrawing everything", withdrawn(now.Add(-time.Minute)), draft(g("glutes", "massage", catalogue.Yes)), SignInPerson, 0, "grants[0].region"},
		{"client's own signature", withdrawn(now.Add(-time.Minute)), draft(g("glutes", "massage", catalogue.Yes)), SignByClient, 0, ""},
		{"ask counts as a grant", withdrawn(now.Add(-time.Minute), "neck"), draft(g("glutes", "massage", catalogue.Yes), g("neck", "touch", catalogue.Ask)), SignInPerson, 0, "grants[1].region"},
		{"no is always allowed", withdrawn(now.Add(-time.Minute), "neck"), draft(g("neck", "touch", catalogue.No)), SignInPerson, 0, ""},
		{"another region", withdrawn(now.Add(-time.Minute), "neck"), draft(g("glutes", "massage", catalogue.Yes)), SignInPerson, 0, ""},
		{"after the default 24 h", withdrawn(now.Add(-24*time.Hour - time.Second)), draft(g("glutes", "massage", catalogue.Yes)), SignInPerson, 0, ""},
		{"just inside 24 h", withdrawn(now.Add(-24 * time.Hour)), draft(g("glutes", "massage", catalogue.Yes)), SignInPerson, 0, "grants[0].region"},
		{"a practice period of 2 h", withdrawn(now.Add(-3 * time.Hour)), draft(g("glutes", "massage", catalogue.Yes)), SignInPerson, 2 * time.Hour, ""},
		{"a revocation stamped later by another clock", withdrawn(now.Add(time.Minute)), draft(g("glutes", "massage", catalogue.Yes)), SignInPerson, 0, "grants[0].region"},
		{"passage withdrawn, prostate granted", withdrawn(now.Add(-time.Minute), "rectum"), draft(g("prostate", "massage", catalogue.Yes)), SignInPerson, 0, "grants[0].region"},
		{"prostate withdrawn, rectum granted", withdrawn(now.Add(-time.Minute), "prostate"), draft(g("rectum", "massage", catalogue.Yes)), SignInPerson, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CoolingOff(tt.all, tt.draft, tt.method, now, tt.period)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("got %v", err)
				}
				return
			}
			if holdspace.ErrorReason(err) != "cooling_off" || holdspace.ErrorField(err) != tt.field || holdspace.ErrorCode(err) != holdspace.ECONFLICT {
				t.Fatalf("got %v (field %q), want cooling_off at %s", err, holdspace.ErrorField(err), tt.field)
			}
		})
	}
}
