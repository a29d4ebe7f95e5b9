package booking

import (
	"math/rand/v2"
	"testing"
	"time"

	"holdspace"
	"holdspace/catalogue"
	"holdspace/practice"
)

var berlin, _ = time.LoadLocation("Europe/Berlin")
var la, _ = time.LoadLocation("America/Los_Angeles")

func prostate90() SessionType {
	return SessionType{ID: "st1", Name: "Prostate massage", Intent: catalogue.Therapeutic, Duration: 90 * time.Minute,
		Buffer: 15 * time.Minute, Regions: []string{"prostate", "perineum"}, Active: true}
}

func TestSessionTypeValidate(t *testing.T) {
	ok := prostate90()
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid type refused: %v", err)
	}
	cases := []struct {
		name          string
		mutate        func(*SessionType)
		reason, field string
	}{
		{"NoName", func(s *SessionType) { s.Name = "  " }, "required", "name"},
		{"LongName", func(s *SessionType) { s.Name = string(make([]byte, 121)) + "x" }, "too_long", "name"},
		{"BadIntent", func(s *SessionType) { s.Intent = "relaxing" }, "invalid_intent", "intent"},
		{"ZeroDuration", func(s *SessionType) { s.Duration = 0 }, "out_of_range", "duration_minutes"},
		{"OffGridDuration", func(s *SessionType) { s.Duration = 62 * time.Minute }, "out_of_range", "duration_minutes"},
		{"TooLong", func(s *SessionType) { s.Duration = 485 * time.Minute }, "out_of_range", "duration_minutes"},
		{"NegativeBuffer", func(s *SessionType) { s.Buffer = -5 * time.Minute }, "out_of_range", "buffer_minutes"},
		{"OffGridBuffer", func(s *SessionType) { s.Buffer = 7 * time.Minute }, "out_of_range", "buffer_minutes"},
		{"BigBuffer", func(s *SessionType) { s.Buffer = 125 * time.Minute }, "out_of_range", "buffer_minutes"},
		{"UnknownRegion", func(s *SessionType) { s.Regions = []string{"prostate", "elbowpit"} }, "unknown_region", "regions[1]"},
		{"DuplicateRegion", func(s *SessionType) { s.Regions = []string{"prostate", "prostate"} }, "duplicate_region", "regions[1]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := prostate90()
			c.mutate(&st)
			err := st.Validate()
			if holdspace.ErrorCode(err) != holdspace.EINVALID || reason(err) != c.reason || holdspace.ErrorField(err) != c.field {
				t.Fatalf("Validate = %v, want %s on %s", err, c.reason, c.field)
			}
		})
	}
}

func TestSessionTypeScope(t *testing.T) {
	s := practice.DefaultSettings()
	st := prostate90()
	if got := st.RequiredCovers(s); len(got) != 2 || got[0] != catalogue.CoverInternalAnorectal || got[1] != catalogue.CoverIntimateExternal {
		t.Fatalf("RequiredCovers = %v", got)
	}
	general := SessionType{Name: "Back", Intent: catalogue.Therapeutic, Duration: time.Hour, Regions: []string{"upper-back"}}
	if got := general.RequiredCovers(s); len(got) != 0 {
		t.Fatalf("a general type needs %v", got)
	}
	start := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	end := start.Add(90 * time.Minute)
	both := practice.Credential{Covers: []string{catalogue.CoverInternalAnorectal, catalogue.CoverIntimateExternal},
		ValidFrom: start.AddDate(-1, 0, 0), ValidUntil: start.AddDate(1, 0, 0)}
	onlyExternal := both
	onlyExternal.Covers = []string{catalogue.CoverIntimateExternal}
	lapsing := both
	lapsing.ValidUntil = start.Add(time.Hour) // lapses during the session
	revoked := both
	revoked.RevokedAt = start.Add(-time.Hour)
	for _, c := range []struct {
		name  string
		creds []practice.Credential
		want  string
	}{
		{"Covered", []practice.Credential{both}, ""},
		{"NoCredentials", nil, "not_qualified"},
		{"MissingInternal", []practice.Credential{onlyExternal}, "not_qualified"},
		{"LapsesDuringSession", []practice.Credential{lapsing}, "not_qualified"},
		{"Revoked", []practice.Credential{revoked}, "not_qualified"},
		{"SplitAcrossTwo", []practice.Credential{onlyExternal, {Covers: []string{catalogue.CoverInternalAnorectal},
			ValidFrom: start.AddDate(0, -1, 0), ValidUntil: end}}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := reason(st.Qualified(s, c.creds, start, end)); got != c.want {
				t.Fatalf("Qualified reason = %q, want %q", got, c.want)
			}
		})
	}
	if err := general.Qualified(s, nil, start, end); err != nil {
		t.Fatalf("general work needs no credential: %v", err)
	}
	off := practice.DefaultSettings()
	off.Scope[1].Offered = false // internal-anorectal
	if reason(st.Offered(off)) != "not_offered" {
		t.Fatal("a type on regions the practice does not offer must be refused")
	}
	if err := st.Offered(s); err != nil {
		t.Fatalf("offered type refused: %v", err)
	}
	sensual := SessionType{Name: "S", Intent: catalogue.Sensual, Duration: time.Hour}
	if reason(sensual.Offered(s)) != "not_offered" {
		t.Fatal("sensual work is not offered by default")
	}
	s.SensualOffered = true
	if err := sensual.Offered(s); err != nil {
		t.Fatalf("sensual offered: %v", err)
	}
}

func TestWindowValidate(t *testing.T) {
	for _, c := range []struct {
		name          string
		w             Window
		reason, field string
	}{
		{"OK", Window{Weekday: time.Monday, Start: 9 * 60, End: 17 * 60}, "", ""},
		{"ToMidnight", Window{Weekday: time.Sunday, Start: 20 * 60, End: 24 * 60}, "", ""},
		{"BadWeekday", Window{Weekday: 7, Start: 0, End: 60}, "invalid_weekday", "weekday"},
		{"NegativeWeekday", Window{Weekday: -1, Start: 0, End: 60}, "invalid_weekday", "weekday"},
		{"OffGrid", Window{Weekday: 1, Start: 61, End: 120}, "out_of_range", "start"},
		{"PastMidnight", Window{Weekday: 1, Start: 60, End: 24*60 + 5}, "out_of_range", "end"},
		{"Reversed", Window{Weekday: 1, Start: 600, End: 540}, "invalid_period", "end"},
		{"Empty", Window{Weekday: 1, Start: 600, End: 600}, "invalid_period", "end"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.w.Validate()
			if reason(err) != c.reason || holdspace.ErrorField(err) != c.field {
				t.Fatalf("Validate = %v, want %q on %q", err, c.reason, c.field)
			}
		})
	}
	a := Window{Weekday: 1, Start: 540, End: 720}
	if !a.Overlaps(Window{Weekday: 1, Start: 700, End: 800}) || a.Overlaps(Window{Weekday: 1, Start: 720, End: 800}) ||
		a.Overlaps(Window{Weekday: 2, Start: 540, End: 720}) {
		t.Fatal("Window.Overlaps wrong")
	}
}

func TestParseClock(t *testing.T) {
	for in, want := range map[string]int{"09:30": 570, "00:00": 0, "24:00": 1440, "9:05": 545} {
		if got, err := ParseClock("start", in); err != nil || got != want {
			t.Errorf("ParseClock(%q) = %d, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "9", "24:30", "12:60", "ab:cd", "12:5", "-1:00"} {
		if _, err := ParseClock("start", in); reason(err) != "invalid_time" || holdspace.ErrorField(err) != "start" {
			t.Errorf("ParseClock(%q) = %v", in, err)
		}
	}
	if Clock(570) != "09:30" || Clock(1440) != "24:00" {
		t.Fatal("Clock wrong")
	}
}

func TestExceptionAndDayRange(t *testing.T) {
	f, to, err := DayRange("2026-12-24", "2026-12-26", berlin)
	if err != nil {
		t.Fatal(err)
	}
	if !f.Equal(time.Date(2026, 12, 23, 23, 0, 0, 0, time.UTC)) || !to.Equal(time.Date(2026, 12, 26, 23, 0, 0, 0, time.UTC)) {
		t.Fatalf("DayRange = %v – %v", f, to)
	}
	// The day the clocks go forward in Berlin is 23 hours long.
	f, to, _ = DayRange("2027-03-28", "2027-03-28", berlin)
	if to.Sub(f) != 23*time.Hour {
		t.Fatalf("DST day lasts %v", to.Sub(f))
	}
	for _, c := range []struct{ from, to, reason, field string }{
		{"2026-12-24", "2026-12-23", "invalid_period", "to"},
		{"24.12.2026", "2026-12-24", "invalid_date", "from"},
		{"2026-12-24", "", "invalid_date", "to"},
	} {
		if _, _, err := DayRange(c.from, c.to, berlin); reason(err) != c.reason || holdspace.ErrorField(err) != c.field {
			t.Errorf("DayRange(%q, %q) = %v", c.from, c.to, err)
		}
	}
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name   string
		e      Exception
		reason string
	}{
		{"OK", Exception{From: now, To: now.Add(24 * time.Hour), Reason: ReasonSick}, ""},
		{"Reversed", Exception{From: now, To: now, Reason: ReasonSick}, "invalid_period"},
		{"TooLong", Exception{From: now, To: now.AddDate(1, 1, 0), Reason: ReasonHoliday}, "out_of_range"},
		{"BadReason", Exception{From: now, To: now.Add(time.Hour), Reason: "bored"}, "invalid_reason"},
	} {
		if got := reason(c.e.Validate()); got != c.reason {
			t.Errorf("%s: Validate reason %q, want %q", c.name, got, c.reason)
		}
	}
}

// week is Monday 7 December 2026 to Monday 14 December in Berlin.
func week() (time.Time, time.Time) {
	from := time.Date(2026, 12, 7, 0, 0, 0, 0, berlin)
	return from, from.AddDate(0, 0, 7)
}

func TestSlots(t *testing.T) {
	from, to := week()
	mon := func(h, m int) time.Time { return time.Date(2026, 12, 7, h, m, 0, 0, berlin) }
	hour := SessionType{Name: "Back", Intent: catalogue.Therapeutic, Duration: time.Hour, Buffer: 15 * time.Minute}
	monMorning := []Window{{Weekday: time.Monday, Start: 9 * 60, End: 12 * 60}}
	for _, c := range []struct {
		name      string
		cal       Calendar
		t         SessionType
		notBefore time.Time
		step      time.Duration
		want      []time.Time
	}{
		{"EmptyWeek", Calendar{Loc: berlin}, hour, time.Time{}, 0, nil},
		{"Grid", Calendar{Loc: berlin, Windows: monMorning}, hour, time.Time{}, 0,
			[]time.Time{mon(9, 0), mon(9, 15), mon(9, 30), mon(9, 45), mon(10, 0), mon(10, 15), mon(10, 30), mon(10, 45), mon(11, 0)}},
		{"HourStep", Calendar{Loc: berlin, Windows: monMorning}, hour, time.Time{}, time.Hour,
			[]time.Time{mon(9, 0), mon(10, 0), mon(11, 0)}},
		{"TooLongForWindow", Calendar{Loc: berlin, Windows: monMorning}, SessionType{Duration: 4 * time.Hour}, time.Time{}, time.Hour, nil},
		{"BookingWithBuffer", Calendar{Loc: berlin, Windows: []Window{{Weekday: time.Monday, Start: 9 * 60, End: 13 * 60}},
			Busy: []Interval{{Start: mon(10, 0), End: mon(11, 15)}}}, hour, time.Time{}, 15 * time.Minute,
			// 9:00 would keep its buffer until 10:15, into the booking; the
			// first free start is after the booking's own buffer
			[]time.Time{mon(11, 15), mon(11, 30), mon(11, 45), mon(12, 0)}},
		{"ExceptionRemovesDay", Calendar{Loc: berlin, Windows: monMorning, Exceptions: []Exception{{From: mon(0, 0), To: mon(24, 0), Reason: ReasonSick}}},
			hour, time.Time{}, time.Hour, nil},
		{"ExceptionCutsMorning", Calendar{Loc: berlin, Windows: monMorning, Exceptions: []Exception{{From: mon(9, 0), To: mon(10, 30), Reason: ReasonOther}}},
			hour, time.Time{}, 30 * time.Minute, []time.Time{mon(10, 30), mon(11, 0)}},
		{"NotBefore", Calendar{Loc: berlin, Windows: monMorning}, hour, mon(10, 1), time.Hour, []time.Time{mon(11, 0)}},
		{"BufferMayRunPastWindow", Calendar{Loc: berlin, Windows: []Window{{Weekday: time.Monday, Start: 9 * 60, End: 10 * 60}}},
			hour, time.Time{}, time.Hour, []time.Time{mon(9, 0)}},
		{"TwoWeekdays", Calendar{Loc: berlin, Windows: []Window{{Weekday: time.Monday, Start: 9 * 60, End: 10 * 60}, {Weekday: time.Friday, Start: 14 * 60, End: 15 * 60}}},
			hour, time.Time{}, time.Hour, []time.Time{mon(9, 0), time.Date(2026, 12, 11, 14, 0, 0, 0, berlin)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := c.cal.Slots(c.t, from, to, c.notBefore, c.step)
			if len(got) != len(c.want) {
				t.Fatalf("Slots = %v, want %v", got, c.want)
			}
			for i := range got {
				if !got[i].Equal(c.want[i]) {
					t.Fatalf("slot %d = %v, want %v", i, got[i], c.want[i])
				}
			}
		})
	}
}

func TestAvailableAcrossDST(t *testing.T) {
	// Los Angeles falls back on Sunday 1 November 2026: a 00:00–04:00
	// window that day lasts five real hours, and 01:30 happens twice.
	cal := Calendar{Loc: la, Windows: []Window{{Weekday: time.Sunday, Start: 0, End: 4 * 60}}}
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, la)
	av := cal.Available(day, day.Add(48*time.Hour))
	if len(av) != 1 || av[0].End.Sub(av[0].Start) != 5*time.Hour {
		t.Fatalf("Available = %v", av)
	}
	slots := cal.Slots(SessionType{Duration: time.Hour}, day, day.Add(48*time.Hour), time.Time{}, time.Hour)
	if len(slots) != 5 {
		t.Fatalf("five one-hour slots in a five-hour window, got %v", slots)
	}
	// Berlin springs forward on 28 March 2027: 09:00–12:00 is unaffected,
	// and the weekday is still Sunday in local time.
	cal = Calendar{Loc: berlin, Windows: []Window{{Weekday: time.Sunday, Start: 1 * 60, End: 4 * 60}}}
	day = time.Date(2027, 3, 28, 0, 0, 0, 0, berlin)
	av = cal.Available(day, day.Add(24*time.Hour))
	if len(av) != 1 || av[0].End.Sub(av[0].Start) != 2*time.Hour {
		t.Fatalf("Available on the spring-forward day = %v", av)
	}
}

func TestCheck(t *testing.T) {
	mon := func(h, m int) time.Time { return time.Date(2026, 12, 7, h, m, 0, 0, berlin) }
	st := prostate90()
	cal := Calendar{Loc: berlin, Windows: []Window{{Weekday: time.Monday, Start: 9 * 60, End: 17 * 60}},
		Exceptions: []Exception{{From: mon(14, 0), To: mon(14, 30), Reason: ReasonOther}},
		Busy:       []Interval{Occupies(mon(10, 0), st)}} // 10:00–11:45
	for _, c := range []struct {
		name   string
		start  time.Time
		within bool
		want   string
	}{
		{"Free", mon(15, 0), true, ""},
		{"EndsAtClose", mon(15, 30), true, ""},
		{"RunsPastClose", mon(15, 35), true, "outside_availability"},
		{"BeforeOpening", mon(8, 0), true, "outside_availability"},
		{"OtherDay", mon(15, 0).AddDate(0, 0, 1), true, "outside_availability"},
		{"IntoException", mon(13, 0), true, "outside_availability"},
		{"OverlapsBooking", mon(11, 0), true, "slot_taken"},
		{"OwnBufferHitsBooking", mon(8, 30), false, "slot_taken"},
		{"RightAfterBuffer", mon(11, 45), true, ""},
		{"ConsoleOutsideHours", mon(18, 0), false, ""},
		{"ConsoleStillNoOverlap", mon(11, 30), false, "slot_taken"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := cal.Check(st, c.start, c.within)
			if reason(err) != c.want {
				t.Fatalf("Check = %v, want %q", err, c.want)
			}
			if err != nil && holdspace.ErrorField(err) != "starts_at" {
				t.Fatalf("field = %q", holdspace.ErrorField(err))
			}
		})
	}
}

func TestCancellationAndNoShow(t *testing.T) {
	s := practice.DefaultSettings()
	start := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	if LateCancellation(s, start, start.Add(-25*time.Hour)) || !LateCancellation(s, start, start.Add(-23*time.Hour)) ||
		!LateCancellation(s, start, start.Add(time.Minute)) {
		t.Fatal("cancellation window wrong")
	}
	if MayMarkNoShow(s, start, start.Add(14*time.Minute)) == nil || MayMarkNoShow(s, start, start.Add(15*time.Minute)) != nil {
		t.Fatal("no-show time wrong")
	}
	s.NoShowAfterMinutes = 60
	if reason(MayMarkNoShow(s, start, start.Add(30*time.Minute))) != "too_early" {
		t.Fatal("no-show before the practice's time must be too_early")
	}
}

func TestIntervals(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2026, 1, 1, h, 0, 0, 0, time.UTC) }
	a := Interval{at(9), at(10)}
	if a.Overlaps(Interval{at(10), at(11)}) || !a.Overlaps(Interval{at(9), at(11)}) || !a.Overlaps(Interval{at(8), at(10)}) {
		t.Fatal("Overlaps wrong")
	}
	if !(Interval{at(8), at(12)}).Contains(a) || a.Contains(Interval{at(8), at(10)}) {
		t.Fatal("Contains wrong")
	}
}

// TestSlotsProperty checks on random calendars that no computed slot, with
// its buffer, overlaps an existing booking with its buffer, that every
// slot's session lies inside one availability instance and outside every
// exception, and that Check accepts every slot.
func TestSlotsProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 2))
	from, to := week()
	for iter := 0; iter < 400; iter++ {
		loc := berlin
		if iter%2 == 1 {
			loc = la
		}
		cal := Calendar{Loc: loc}
		for i := 0; i < 1+r.IntN(6); i++ {
			s := r.IntN(20*12) * 5
			cal.Windows = append(cal.Windows, Window{Weekday: time.Weekday(r.IntN(7)), Start: s, End: min(s+5*(6+r.IntN(100)), 1440)})
		}
		for i := 0; i < r.IntN(3); i++ {
			s := from.Add(time.Duration(r.IntN(7*24*12)) * 5 * time.Minute)
			cal.Exceptions = append(cal.Exceptions, Exception{From: s, To: s.Add(time.Duration(1+r.IntN(48)) * 30 * time.Minute), Reason: ReasonSick})
		}
		for i := 0; i < r.IntN(12); i++ {
			s := from.Add(time.Duration(r.IntN(7*24*12)) * 5 * time.Minute)
			cal.Busy = append(cal.Busy, Interval{s, s.Add(time.Duration(1+r.IntN(36)) * 5 * time.Minute)})
		}
		st := SessionType{Name: "x", Intent: catalogue.Therapeutic, Duration: time.Duration(1+r.IntN(36)) * 5 * time.Minute,
			Buffer: time.Duration(r.IntN(7)) * 5 * time.Minute}
		avail := cal.Available(from, to)
		for _, s := range cal.Slots(st, from, to, time.Time{}, time.Duration(1+r.IntN(6))*5*time.Minute) {
			occ := Occupies(s, st)
			for _, b := range cal.Busy {
				if occ.Overlaps(b) {
					t.Fatalf("iteration %d: slot %v (%v) overlaps booking %v", iter, s, occ, b)
				}
			}
			ses := Session(s, st)
			inside := false
			for _, av := range avail {
				inside = inside || av.Contains(ses)
			}
			if !inside {
				t.Fatalf("iteration %d: slot %v lies outside availability %v", iter, ses, avail)
			}
			for _, e := range cal.Exceptions {
				if ses.Overlaps(Interval{e.From, e.To}) {
					t.Fatalf("iteration %d: slot %v falls in exception %v", iter, ses, e)
				}
			}
			local := s.In(loc)
			minute := local.Hour()*60 + local.Minute()
			inWindow := false
			for _, w := range cal.Windows {
				inWindow = inWindow || (w.Weekday == local.Weekday() && minute >= w.Start && minute < w.End)
			}
			if !inWindow {
				t.Fatalf("iteration %d: slot %v starts outside every weekly window", iter, local)
			}
			if err := cal.Check(st, s, true); err != nil {
				t.Fatalf("iteration %d: Check refuses slot %v: %v", iter, s, err)
			}
		}
	}
}

// reason is the reason of err, "" for nil.
func reason(err error) string {
	if err == nil {
		return ""
	}
	return holdspace.ErrorReason(err)
}
