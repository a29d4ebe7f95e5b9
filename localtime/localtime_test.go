package localtime_test

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"holdspace/localtime"
)

func zone(t testing.TB, name string) *time.Location {
	t.Helper()
	l, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return l
}

func TestFormat(t *testing.T) {
	la, berlin, dubai, kolkata := zone(t, "America/Los_Angeles"), zone(t, "Europe/Berlin"), zone(t, "Asia/Dubai"), zone(t, "Asia/Kolkata")
	at := time.Date(2026, 12, 1, 21, 15, 0, 0, time.UTC)
	summer := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		got  string
		want string
	}{
		{"LA winter", localtime.DateTime(at, la), "Tue 1 Dec 2026, 13:15 PST"},
		{"LA summer", localtime.DateTime(summer, la), "Wed 1 Jul 2026, 05:00 PDT"},
		{"Berlin winter", localtime.DateTime(at, berlin), "Tue 1 Dec 2026, 22:15 CET"},
		{"Berlin summer", localtime.Clock(summer, berlin), "14:00 CEST"},
		{"next day in Berlin", localtime.Date(time.Date(2026, 12, 1, 23, 30, 0, 0, time.UTC), berlin), "Wed 2 Dec 2026"},
		{"previous day in LA", localtime.Date(time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC), la), "Tue 1 Dec 2026"},
		{"numeric zone", localtime.Clock(at, dubai), "01:15 UTC+4"},
		{"half hour zone", localtime.Clock(at, kolkata), "02:45 IST"},
		{"UTC", localtime.DateTime(at, time.UTC), "Tue 1 Dec 2026, 21:15 UTC"},
		{"nil zone is UTC", localtime.Clock(at, nil), "21:15 UTC"},
		{"zero", localtime.DateTime(time.Time{}, la), ""},
		{"input value", localtime.InputValue(at, la), "2026-12-01T13:15"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}

func TestParse(t *testing.T) {
	la, berlin := zone(t, "America/Los_Angeles"), zone(t, "Europe/Berlin")
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		name       string
		loc        *time.Location
		date, hhmm string
		choice     localtime.Choice
		want       time.Time // zero when an error is expected
		gap, amb   bool
	}{
		{"LA plain winter", la, "2026-12-01", "13:15", localtime.Ask, utc("2026-12-01T21:15:00Z"), false, false},
		{"LA plain summer", la, "2026-07-01", "09:00", localtime.Ask, utc("2026-07-01T16:00:00Z"), false, false},
		{"LA before spring gap", la, "2026-03-08", "01:59", localtime.Ask, utc("2026-03-08T09:59:00Z"), false, false},
		{"LA in spring gap", la, "2026-03-08", "02:30", localtime.Ask, time.Time{}, true, false},
		{"LA gap with a choice is still refused", la, "2026-03-08", "02:00", localtime.Earlier, time.Time{}, true, false},
		{"LA after spring gap", la, "2026-03-08", "03:00", localtime.Ask, utc("2026-03-08T10:00:00Z"), false, false},
		{"LA autumn overlap asks", la, "2026-11-01", "01:30", localtime.Ask, time.Time{}, false, true},
		{"LA autumn overlap earlier is PDT", la, "2026-11-01", "01:30", localtime.Earlier, utc("2026-11-01T08:30:00Z"), false, false},
		{"LA autumn overlap later is PST", la, "2026-11-01", "01:30", localtime.Later, utc("2026-11-01T09:30:00Z"), false, false},
		{"LA after overlap", la, "2026-11-01", "02:00", localtime.Ask, utc("2026-11-01T10:00:00Z"), false, false},
		{"Berlin in spring gap", berlin, "2026-03-29", "02:30", localtime.Ask, time.Time{}, true, false},
		{"Berlin after spring gap", berlin, "2026-03-29", "03:00", localtime.Ask, utc("2026-03-29T01:00:00Z"), false, false},
		{"Berlin autumn overlap asks", berlin, "2026-10-25", "02:30", localtime.Ask, time.Time{}, false, true},
		{"Berlin overlap earlier is CEST", berlin, "2026-10-25", "02:30", localtime.Earlier, utc("2026-10-25T00:30:00Z"), false, false},
		{"Berlin overlap later is CET", berlin, "2026-10-25", "02:30", localtime.Later, utc("2026-10-25T01:30:00Z"), false, false},
		{"Berlin 01:30 that night is once", berlin, "2026-10-25", "01:30", localtime.Ask, utc("2026-10-24T23:30:00Z"), false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := localtime.Parse(tc.date, tc.hhmm, tc.loc, tc.choice)
			var gap *localtime.GapError
			var amb *localtime.AmbiguousError
			switch {
			case tc.gap:
				if !errors.As(err, &gap) {
					t.Fatalf("got %v, %v; want a gap error", got, err)
				}
			case tc.amb:
				if !errors.As(err, &amb) {
					t.Fatalf("got %v, %v; want an ambiguity error", got, err)
				}
			default:
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if !got.Equal(tc.want) {
					t.Fatalf("got %s, want %s", got.UTC().Format(time.RFC3339), tc.want.Format(time.RFC3339))
				}
				if got.Location() != tc.loc {
					t.Errorf("result in %v, want %v", got.Location(), tc.loc)
				}
			}
		})
	}
}

func TestGapAndOverlapMessages(t *testing.T) {
	_, err := localtime.Parse("2026-03-29", "02:30", zone(t, "Europe/Berlin"), localtime.Ask)
	var gap *localtime.GapError
	if !errors.As(err, &gap) {
		t.Fatalf("got %v, want a gap", err)
	}
	if gap.From != "02:00 CET" || gap.To != "03:00 CEST" || !gap.Jump.Equal(time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC)) {
		t.Errorf("gap = %+v", gap)
	}
	for _, want := range []string{"02:30 on Sun 29 Mar 2026 does not exist in Europe/Berlin", "02:00 CET", "03:00 CEST"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}

	_, err = localtime.Parse("2026-11-01", "01:30", zone(t, "America/Los_Angeles"), localtime.Ask)
	var amb *localtime.AmbiguousError
	if !errors.As(err, &amb) {
		t.Fatalf("got %v, want an ambiguity", err)
	}
	if amb.Later.Sub(amb.Earlier) != time.Hour {
		t.Errorf("earlier %v, later %v: want an hour apart", amb.Earlier, amb.Later)
	}
	for _, want := range []string{"happens twice in America/Los_Angeles", "01:30 PDT", "01:30 PST"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
}

func TestParseFormats(t *testing.T) {
	la := zone(t, "America/Los_Angeles")
	want := time.Date(2026, 12, 1, 21, 15, 0, 0, time.UTC)
	for _, s := range []string{"2026-12-01T13:15", "2026-12-01 13:15", "2026-12-01T13:15:00", " 2026-12-01T13:15 "} {
		got, err := localtime.ParseDateTime(s, la, localtime.Ask)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseDateTime(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	// Full hours, with and without seconds.
	for _, s := range []string{"2026-12-01T10:00", "2026-12-01T10:00:00", "2026-12-01 10:00"} {
		got, err := localtime.ParseDateTime(s, la, localtime.Ask)
		if err != nil || !got.Equal(time.Date(2026, 12, 1, 18, 0, 0, 0, time.UTC)) {
			t.Errorf("ParseDateTime(%q) = %v, %v; want 18:00 UTC", s, got, err)
		}
	}
	for _, s := range []string{"", "2026-12-01", "13:15", "2026-13-01T10:00", "2026-02-30T10:00", "2026-12-01T24:00", "2026-12-01T10:61", "2026-12-01T13:15:30", "2026-12-01T10:00:00:00", "2026-12-01T10", "yesterday"} {
		if _, err := localtime.ParseDateTime(s, la, localtime.Ask); !errors.Is(err, localtime.ErrFormat) {
			t.Errorf("ParseDateTime(%q): got %v, want ErrFormat", s, err)
		}
	}
	if localtime.ParseChoice("earlier") != localtime.Earlier || localtime.ParseChoice("later") != localtime.Later || localtime.ParseChoice("x") != localtime.Ask {
		t.Error("ParseChoice")
	}
}

func TestDay(t *testing.T) {
	la, berlin, saoPaulo := zone(t, "America/Los_Angeles"), zone(t, "Europe/Berlin"), zone(t, "America/Sao_Paulo")
	for _, tc := range []struct {
		name       string
		at         time.Time
		loc        *time.Location
		start, end time.Time
	}{
		{"LA evening UTC is LA afternoon", time.Date(2026, 12, 1, 21, 15, 0, 0, time.UTC), la,
			time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC), time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)},
		{"LA spring day is 23 hours", time.Date(2026, 3, 8, 12, 0, 0, 0, time.UTC), la,
			time.Date(2026, 3, 8, 8, 0, 0, 0, time.UTC), time.Date(2026, 3, 9, 7, 0, 0, 0, time.UTC)},
		{"Berlin autumn day is 25 hours", time.Date(2026, 10, 25, 12, 0, 0, 0, time.UTC), berlin,
			time.Date(2026, 10, 24, 22, 0, 0, 0, time.UTC), time.Date(2026, 10, 25, 23, 0, 0, 0, time.UTC)},
		// Brazil began summer time at midnight until 2019: 4 Nov 2018 had no 00:00.
		{"Sao Paulo day without midnight", time.Date(2018, 11, 4, 12, 0, 0, 0, time.UTC), saoPaulo,
			time.Date(2018, 11, 4, 3, 0, 0, 0, time.UTC), time.Date(2018, 11, 5, 2, 0, 0, 0, time.UTC)},
	} {
		s, e := localtime.Day(tc.at, tc.loc)
		if !s.Equal(tc.start) || !e.Equal(tc.end) {
			t.Errorf("%s: Day = [%v, %v), want [%v, %v)", tc.name, s.UTC(), e.UTC(), tc.start, tc.end)
		}
		if got := localtime.StartOfDay(tc.at, tc.loc); !got.Equal(tc.start) {
			t.Errorf("%s: StartOfDay = %v", tc.name, got.UTC())
		}
		if got := localtime.AddDays(tc.at, 1, tc.loc); !got.Equal(tc.end) {
			t.Errorf("%s: AddDays(1) = %v", tc.name, got.UTC())
		}
	}
}

// TestResolveProperty checks Resolve against a brute-force oracle over many
// wall times in many zones, densely around DST changes: an accepted input
// always round-trips to the same wall time; a gap is reported exactly when
// no instant shows that wall time; an ambiguity exactly when two do, and
// both choices round-trip.
func TestResolveProperty(t *testing.T) {
	zones := []string{"Europe/Berlin", "America/Los_Angeles", "UTC", "Asia/Kolkata", "Australia/Lord_Howe",
		"America/Sao_Paulo", "Pacific/Apia", "America/St_Johns", "Asia/Kathmandu", "Europe/London", "Australia/Sydney", "Asia/Tokyo"}
	rng := rand.New(rand.NewPCG(14, 1))
	var walls []localtime.Wall
	// Random wall times from 1995 to 2036.
	for range 3000 {
		t := time.Date(1995, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.Int64N(int64(42 * 365 * 24 * time.Hour))))
		walls = append(walls, localtime.Wall{Year: t.Year(), Month: t.Month(), Day: t.Day(), Hour: t.Hour(), Minute: t.Minute()})
	}
	// Every quarter hour of the nights clocks change in Europe and the US.
	for _, d := range []time.Time{time.Date(2026, 3, 8, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 3, 29, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 25, 0, 0, 0, 0, time.UTC),
		time.Date(2011, 12, 30, 0, 0, 0, 0, time.UTC), time.Date(2018, 11, 4, 0, 0, 0, 0, time.UTC)} {
		for m := 0; m < 24*60; m += 15 {
			t := d.Add(time.Duration(m) * time.Minute)
			walls = append(walls, localtime.Wall{Year: t.Year(), Month: t.Month(), Day: t.Day(), Hour: t.Hour(), Minute: t.Minute()})
		}
	}
	counts := map[string]int{}
	for _, name := range zones {
		loc := zone(t, name)
		for _, w := range walls {
			want := oracle(w, loc)
			got, err := localtime.Resolve(w, loc, localtime.Ask)
			var gap *localtime.GapError
			var amb *localtime.AmbiguousError
			switch {
			case len(want) == 0:
				counts["gap"]++
				if !errors.As(err, &gap) {
					t.Fatalf("%s %s: got %v, %v; the oracle finds no such instant", name, w, got, err)
				}
				if gap.Jump.IsZero() || gap.From == "" || gap.To == "" {
					t.Fatalf("%s %s: gap without its jump: %+v", name, w, gap)
				}
			case len(want) == 1:
				counts["once"]++
				if err != nil || !got.Equal(want[0]) {
					t.Fatalf("%s %s: got %v, %v; want %v", name, w, got, err, want[0])
				}
			default:
				counts["twice"]++
				if !errors.As(err, &amb) || !amb.Earlier.Equal(want[0]) || !amb.Later.Equal(want[len(want)-1]) {
					t.Fatalf("%s %s: got %v, %v; want an ambiguity between %v", name, w, got, err, want)
				}
				for _, c := range []localtime.Choice{localtime.Earlier, localtime.Later} {
					got, err := localtime.Resolve(w, loc, c)
					if err != nil || wallOf(got.In(loc)) != w {
						t.Fatalf("%s %s %v: got %v, %v", name, w, c, got, err)
					}
				}
			}
			if err == nil && wallOf(got.In(loc)) != w {
				t.Fatalf("%s %s: accepted but does not round-trip: %v", name, w, got.In(loc))
			}
		}
	}
	if counts["gap"] == 0 || counts["twice"] == 0 {
		t.Fatalf("the dates chosen never crossed a DST change: %v", counts)
	}
	t.Logf("outcomes: %v", counts)
}

// oracle finds, by brute force over every quarter-hour offset from UTC-14
// to UTC+14, the instants whose wall time in loc is w, earliest first.
func oracle(w localtime.Wall, loc *time.Location) []time.Time {
	u := time.Date(w.Year, w.Month, w.Day, w.Hour, w.Minute, 0, 0, time.UTC)
	var out []time.Time
	for k := 56; k >= -56; k-- { // largest offset first: earliest instant first
		c := u.Add(-time.Duration(k) * 15 * time.Minute)
		if wallOf(c.In(loc)) == w {
			out = append(out, c)
		}
	}
	return out
}

func wallOf(t time.Time) localtime.Wall {
	return localtime.Wall{Year: t.Year(), Month: t.Month(), Day: t.Day(), Hour: t.Hour(), Minute: t.Minute()}
}
