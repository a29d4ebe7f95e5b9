package practice

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"holdspace"
	"holdspace/catalogue"
)

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestMinorAt: the eighteenth birthday counts from 00:00 of that day in the
// practice's time zone, leap-day birthdays fall on 1 March, and a zero birth
// date is never a minor.
func TestMinorAt(t *testing.T) {
	auckland, err := time.LoadLocation("Pacific/Auckland")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	la, _ := time.LoadLocation("America/Los_Angeles")
	cases := []struct {
		name  string
		birth string
		loc   *time.Location
		at    time.Time
		age   int
		minor bool
	}{
		{"DayBeforeUTC", "2008-06-15", time.UTC, time.Date(2026, 6, 14, 23, 59, 59, 0, time.UTC), 18, true},
		{"MidnightOfBirthdayUTC", "2008-06-15", time.UTC, time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC), 18, false},
		{"DayOfBirthdayUTC", "2008-06-15", time.UTC, time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC), 18, false},
		// 11:00 UTC on the 14th is 00:00 on the 15th in Auckland (NZST, +12).
		{"AucklandMidnightIsUTCDayBefore", "2008-06-15", auckland, time.Date(2026, 6, 14, 12, 0, 0, 0, time.UTC), 18, false},
		{"AucklandJustBefore", "2008-06-15", auckland, time.Date(2026, 6, 14, 11, 59, 59, 0, time.UTC), 18, true},
		// 00:00 on the 15th in Los Angeles (PDT, -7) is 07:00 UTC.
		{"LosAngelesStillMinorAtUTCMidnight", "2008-06-15", la, time.Date(2026, 6, 15, 6, 59, 0, 0, time.UTC), 18, true},
		{"LosAngelesAdultAt7UTC", "2008-06-15", la, time.Date(2026, 6, 15, 7, 0, 0, 0, time.UTC), 18, false},
		{"LeapDayBirthdayFeb28NonLeap", "2008-02-29", time.UTC, time.Date(2026, 2, 28, 23, 0, 0, 0, time.UTC), 18, true},
		{"LeapDayBirthdayMarch1", "2008-02-29", time.UTC, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), 18, false},
		{"LeapDayBirthdayInLeapYear", "2004-02-29", time.UTC, time.Date(2022, 3, 1, 0, 0, 0, 0, time.UTC), 18, false},
		{"LeapDayBirthdayLeapYearDayOf", "2008-02-29", time.UTC, time.Date(2028, 2, 29, 0, 0, 0, 0, time.UTC), 20, false},
		{"HigherAgeOfMajority", "2005-01-01", time.UTC, time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC), 21, true},
		{"Fourteen", "2012-03-01", time.UTC, time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC), 18, true},
		{"NilLocationIsUTC", "2008-06-15", nil, time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC), 18, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := MinorAt(date(c.birth), c.age, c.loc, c.at); got != c.minor {
				t.Fatalf("MinorAt(%s, %d, %v, %s) = %v, want %v", c.birth, c.age, c.loc, c.at, got, c.minor)
			}
		})
	}
	if MinorAt(time.Time{}, 18, time.UTC, time.Now()) {
		t.Fatal("a zero birth date counted as a minor")
	}
}

func TestSettingsValidate(t *testing.T) {
	if err := DefaultSettings().Validate(); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
	d := DefaultSettings()
	if d.AgeOfMajority != 18 || d.TimeZone != "UTC" || d.SensualOffered || d.FollowUpWindow() != 48*time.Hour {
		t.Fatalf("defaults: %+v", d)
	}
	cases := []struct {
		name          string
		mutate        func(*Settings)
		reason, field string
	}{
		{"AgeBelow18", func(s *Settings) { s.AgeOfMajority = 17 }, "out_of_range", "age_of_majority"},
		{"AgeAbsurd", func(s *Settings) { s.AgeOfMajority = 40 }, "out_of_range", "age_of_majority"},
		{"WindowZero", func(s *Settings) { s.FollowUpWindowHours = -1 }, "out_of_range", "follow_up_window_hours"},
		{"UnknownGroup", func(s *Settings) { s.Scope[0].Group = "feet" }, "unknown_scope_group", "scope[0].group"},
		{"DuplicateGroup", func(s *Settings) { s.Scope[1].Group = s.Scope[0].Group }, "duplicate_scope_group", "scope[1].group"},
		{"UnknownCover", func(s *Settings) { s.Scope[2].Requires = "charm" }, "unknown_cover", "scope[2].requires"},
		{"EmptyCover", func(s *Settings) { s.Scope[2].Requires = "" }, "unknown_cover", "scope[2].requires"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := DefaultSettings()
			c.mutate(&s)
			err := s.Validate()
			if holdspace.ErrorCode(err) != holdspace.EINVALID || holdspace.ErrorReason(err) != c.reason || holdspace.ErrorField(err) != c.field {
				t.Fatalf("got %v, want %s on %s", err, c.reason, c.field)
			}
		})
	}
}

func TestSettingsWithDefaultsAndOffers(t *testing.T) {
	s := Settings{Scope: []ScopeRule{{Group: ScopeAnorectal, Requires: catalogue.CoverInternalAnorectal}}}.WithDefaults()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(s.Scope) != 3 {
		t.Fatalf("scope %+v", s.Scope)
	}
	off := Settings{Scope: []ScopeRule{{Group: ScopeVaginal}}}.WithDefaults()
	if r, _ := off.Rule("vagina"); r.Requires != catalogue.CoverInternalVaginal || r.Offered {
		t.Fatalf("a rule without a credential: %+v", r)
	}
	for _, c := range []struct {
		region string
		intent catalogue.Intent
		want   bool
	}{
		{"rectum", catalogue.Therapeutic, false},
		{"prostate", catalogue.Therapeutic, false},
		{"vagina", catalogue.Therapeutic, true},
		{"genitals", catalogue.Therapeutic, true},
		{"neck", catalogue.Therapeutic, true},
		{"neck", catalogue.Sensual, false},
	} {
		if got := s.Offers(c.region, c.intent); got != c.want {
			t.Errorf("Offers(%s, %s) = %v", c.region, c.intent, got)
		}
	}
	// Every region of every group is an intimate or internal region, and
	// every intimate or internal region has a group.
	for _, code := range catalogue.RegionsInGroup(catalogue.Intimate, catalogue.Internal) {
		if ScopeGroupOf(code) == "" {
			t.Errorf("%s has no scope group", code)
		}
	}
	for _, g := range ScopeGroups() {
		for _, r := range ScopeRegions(g) {
			if !slices.Contains(catalogue.RegionsInGroup(catalogue.Intimate, catalogue.Internal), r) {
				t.Errorf("%s in %s is not intimate or internal", r, g)
			}
		}
	}
}

func TestFollowUpTriggers(t *testing.T) {
	ev := func(ty EventType, answer string) Event { return Event{Type: ty, Answer: answer} }
	day := func(t Today) Event { return Event{Type: EventDayCheck, Today: &t} }
	cases := []struct {
		name   string
		events []Event
		want   []string
	}{
		{"Calm", []Event{ev(EventOpen, ""), ev(EventBegin, ""), ev(EventCheckin, "yes"), ev(EventClose, "")}, nil},
		{"Release", []Event{ev(EventBegin, ""), ev(EventEmotionalRelease, "")}, []string{FollowUpEmotionalRelease}},
		{"Adverse", []Event{ev(EventAdverse, "")}, []string{FollowUpAdverse}},
		{"Stop", []Event{ev(EventStop, ""), ev(EventResume, "")}, []string{FollowUpStop}},
		{"Declined", []Event{ev(EventCheckin, "no")}, []string{FollowUpCheckinDeclined}},
		{"AllOnceInOrder", []Event{ev(EventCheckin, "no"), ev(EventStop, ""), ev(EventAdverse, ""), ev(EventEmotionalRelease, ""), ev(EventStop, "")},
			[]string{FollowUpEmotionalRelease, FollowUpAdverse, FollowUpStop, FollowUpCheckinDeclined}},
		// A session ended for capacity or illness (issue 18) creates no
		// follow-up noise, whatever else happened in it; a clear day check
		// changes nothing.
		{"EndedForCapacity", []Event{day(Today{ClearHeaded: false}), ev(EventStop, ""), ev(EventClose, "")}, nil},
		{"EndedForIllness", []Event{day(Today{ClearHeaded: true, Unwell: true}), ev(EventCheckin, "no")}, nil},
		{"ClearDayCheck", []Event{day(Today{ClearHeaded: true, Changes: true}), ev(EventStop, "")}, []string{FollowUpStop}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := FollowUpTriggers(c.events); !slices.Equal(got, c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestFollowUpEventValidate(t *testing.T) {
	w := func(n int) *int { return &n }
	if _, err := Apply(Closed, Event{Type: EventFollowUp, ActorRole: holdspace.RoleClient, Wellbeing: w(0), Text: "tired"}); err != nil {
		t.Fatalf("follow-up of 0 refused: %v", err)
	}
	for _, c := range []struct {
		e             Event
		reason, field string
	}{
		{Event{Type: EventFollowUp, ActorRole: holdspace.RoleClient}, "required", "wellbeing"},
		{Event{Type: EventFollowUp, ActorRole: holdspace.RoleClient, Wellbeing: w(11)}, "out_of_range", "wellbeing"},
		{Event{Type: EventNote, ActorRole: holdspace.RolePractitioner, Wellbeing: w(3)}, "unexpected_field", "wellbeing"},
	} {
		_, err := Apply(Closed, c.e)
		if holdspace.ErrorReason(err) != c.reason || holdspace.ErrorField(err) != c.field {
			t.Errorf("%+v: got %v", c.e, err)
		}
	}
	if _, err := Apply(InProgress, Event{Type: EventFollowUp, ActorRole: holdspace.RoleClient, Wellbeing: w(5)}); holdspace.ErrorCode(err) != holdspace.ECONFLICT {
		t.Fatalf("follow-up in progress: %v", err)
	}
}

func TestIdentityValidate(t *testing.T) {
	for _, tc := range []struct {
		id     Identity
		reason string
	}{
		{Identity{}, ""},
		{Identity{Name: "Praxis am Park", Jurisdiction: "DE"}, ""},
		{Identity{Jurisdiction: "US-CA"}, ""},
		{Identity{Jurisdiction: "GB-ENG"}, ""},
		{Identity{Jurisdiction: "EU"}, ""}, // the form is checked, not the list
		{Identity{Jurisdiction: "de"}, "bad_jurisdiction"},
		{Identity{Jurisdiction: "DEU"}, "bad_jurisdiction"},
		{Identity{Jurisdiction: "US-"}, "bad_jurisdiction"},
		{Identity{Jurisdiction: "US-CALI"}, "bad_jurisdiction"},
		{Identity{Name: strings.Repeat("ä", 201)}, "too_long"},
		{Identity{Name: strings.Repeat("ä", 200)}, ""},
		{Identity{PrivacyNotice: strings.Repeat("x", 20001)}, "too_long"},
	} {
		err := tc.id.Validate()
		var he *holdspace.Error
		switch {
		case tc.reason == "" && err != nil:
			t.Errorf("%+v: %v", tc.id, err)
		case tc.reason != "" && (!errors.As(err, &he) || he.Reason != tc.reason):
			t.Errorf("%+v: got %v, want reason %s", tc.id, err, tc.reason)
		}
	}
}
