// Package localtime shows instants as the people of a practice live them
// and reads the wall-clock times they type, in an IANA time zone.
//
// Storage and the API keep instants in UTC; this package is the edge where
// an instant becomes "Tue 1 Dec 2026, 14:00 PST" and where "2026-03-29
// 02:30 in Europe/Berlin" becomes an instant or a clear refusal. It never
// shifts a time silently: a wall-clock time that does not exist (clocks
// jumped over it) is a *GapError, one that happens twice (clocks went back
// over it) is an *AmbiguousError unless the caller says which of the two
// it means.
//
// The package is pure: resolving a zone name is the caller's job.
package localtime

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Layouts of the formats for people.
const (
	dateLayout  = "Mon 2 Jan 2006"
	clockLayout = "15:04"
)

// DateTime returns t in loc for people, with the zone's abbreviation:
// "Tue 1 Dec 2026, 14:00 PST". The zero time is "".
func DateTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	l := t.In(orUTC(loc))
	return l.Format(dateLayout) + ", " + l.Format(clockLayout) + " " + Abbrev(t, loc)
}

// Date returns the day of t in loc: "Tue 1 Dec 2026". The zero time is "".
func Date(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(orUTC(loc)).Format(dateLayout)
}

// Clock returns the wall-clock time of t in loc with the zone's
// abbreviation: "14:00 PST". The zero time is "".
func Clock(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(orUTC(loc)).Format(clockLayout) + " " + Abbrev(t, loc)
}

// Abbrev returns the abbreviation of loc's zone in effect at t ("PST",
// "CEST"). Zones whose database entry has no letters ("+04", "-0330") are
// shown as an offset from UTC: "UTC+4", "UTC-3:30".
func Abbrev(t time.Time, loc *time.Location) string {
	name, off := t.In(orUTC(loc)).Zone()
	if name != "" && name[0] != '+' && name[0] != '-' {
		return name
	}
	return offsetName(off)
}

func offsetName(off int) string {
	if off == 0 {
		return "UTC"
	}
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	h, m := off/3600, off%3600/60
	if m == 0 {
		return fmt.Sprintf("UTC%s%d", sign, h)
	}
	return fmt.Sprintf("UTC%s%d:%02d", sign, h, m)
}

func orUTC(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}

// Choice says which instant an ambiguous wall-clock time means.
type Choice int

const (
	// Ask refuses an ambiguous time with an *AmbiguousError.
	Ask Choice = iota
	// Earlier takes the first of the two instants (the offset before the
	// clocks went back, e.g. 01:30 PDT).
	Earlier
	// Later takes the second (e.g. 01:30 PST, an hour after 01:30 PDT).
	Later
)

// ParseChoice reads "earlier" or "later"; anything else is Ask.
func ParseChoice(s string) Choice {
	switch strings.TrimSpace(s) {
	case "earlier":
		return Earlier
	case "later":
		return Later
	}
	return Ask
}

// String returns "earlier", "later" or "" (Ask).
func (c Choice) String() string {
	switch c {
	case Earlier:
		return "earlier"
	case Later:
		return "later"
	}
	return ""
}

// Wall is a wall-clock time in a zone: what a person reads off a clock.
type Wall struct {
	Year              int
	Month             time.Month
	Day, Hour, Minute int
}

// String returns the wall time as "2026-03-29 02:30".
func (w Wall) String() string {
	return fmt.Sprintf("%04d-%02d-%02d %02d:%02d", w.Year, int(w.Month), w.Day, w.Hour, w.Minute)
}

func (w Wall) asUTC() time.Time {
	return time.Date(w.Year, w.Month, w.Day, w.Hour, w.Minute, 0, 0, time.UTC)
}

func wallOf(t time.Time) Wall {
	y, mo, d := t.Date()
	return Wall{y, mo, d, t.Hour(), t.Minute()}
}

// ErrFormat is returned for input that is not a date and time at all.
var ErrFormat = errors.New("localtime: not a date and time")

// GapError says a wall-clock time does not exist in a zone: the clocks
// jumped over it (e.g. 02:30 on the night summer time begins).
type GapError struct {
	Wall Wall
	Zone string
	// Jump is the instant the clocks jumped; From and To are the wall
	// clock just before and just after it ("02:00 CET", "03:00 CEST").
	Jump     time.Time
	From, To string
}

// Error implements error with a sentence a person can act on.
func (e *GapError) Error() string {
	return fmt.Sprintf("%s does not exist in %s: the clocks jump from %s to %s that night. Choose a time before %s or from %s.",
		e.Wall.String()[11:]+" on "+e.Wall.asUTC().Format(dateLayout), e.Zone, e.From, e.To, e.From, e.To)
}

// AmbiguousError says a wall-clock time happens twice in a zone: the
// clocks went back over it. Earlier and Later are the two instants.
type AmbiguousError struct {
	Wall           Wall
	Zone           string
	Earlier, Later time.Time
}

// Error implements error with a sentence that names both choices.
func (e *AmbiguousError) Error() string {
	loc := e.Earlier.Location()
	return fmt.Sprintf("%s happens twice in %s: first at %s, then again at %s. Say which one you mean.",
		e.Wall.String()[11:]+" on "+e.Wall.asUTC().Format(dateLayout), e.Zone, Clock(e.Earlier, loc), Clock(e.Later, loc))
}

// Resolve returns the instant at which the clocks of loc show w.
//
// Go's time.Date normalizes a wall time that does not exist, or happens
// twice, without saying so; Resolve instead finds every instant whose wall
// time in loc is w. None: a *GapError. Two: an *AmbiguousError when choice
// is Ask, else the earlier or later one. The result is in loc.
func Resolve(w Wall, loc *time.Location, choice Choice) (time.Time, error) {
	loc = orUTC(loc)
	if w.Month < 1 || w.Month > 12 || w.Day < 1 || w.Day > daysIn(w.Year, w.Month) ||
		w.Hour < 0 || w.Hour > 23 || w.Minute < 0 || w.Minute > 59 {
		return time.Time{}, ErrFormat
	}
	u := w.asUTC()
	var found []time.Time
	for _, off := range offsetsAround(u, loc) {
		c := u.Add(-time.Duration(off) * time.Second).In(loc)
		if wallOf(c) == w && c.Second() == 0 && !containsInstant(found, c) {
			found = append(found, c)
		}
	}
	switch len(found) {
	case 0:
		return time.Time{}, gapError(w, u, loc)
	case 1:
		return found[0], nil
	}
	earlier, later := found[0], found[0]
	for _, c := range found[1:] {
		if c.Before(earlier) {
			earlier = c
		}
		if c.After(later) {
			later = c
		}
	}
	switch choice {
	case Earlier:
		return earlier, nil
	case Later:
		return later, nil
	}
	return time.Time{}, &AmbiguousError{Wall: w, Zone: loc.String(), Earlier: earlier, Later: later}
}

// Parse reads a date ("2006-01-02") and a wall-clock time ("15:04") in loc
// and resolves them (see Resolve). Errors: ErrFormat (wrapped, with the
// input), *GapError, *AmbiguousError.
func Parse(date, clock string, loc *time.Location, choice Choice) (time.Time, error) {
	d, err := time.Parse(time.DateOnly, strings.TrimSpace(date))
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: date %q (want YYYY-MM-DD)", ErrFormat, date)
	}
	c, err := time.Parse("15:04", strings.TrimSpace(clock))
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: time %q (want HH:MM)", ErrFormat, clock)
	}
	return Resolve(Wall{d.Year(), d.Month(), d.Day(), c.Hour(), c.Minute()}, loc, choice)
}

// ParseDateTime reads "2006-01-02T15:04" (an HTML datetime-local value;
// seconds, when given, must be zero) or "2006-01-02 15:04" in loc and
// resolves it (see Parse).
func ParseDateTime(s string, loc *time.Location, choice Choice) (time.Time, error) {
	s = strings.TrimSpace(s)
	date, clock, ok := strings.Cut(s, "T")
	if !ok {
		date, clock, ok = strings.Cut(s, " ")
	}
	if !ok {
		return time.Time{}, fmt.Errorf("%w: %q (want YYYY-MM-DDTHH:MM)", ErrFormat, s)
	}
	if strings.Count(clock, ":") == 2 {
		clock = strings.TrimSuffix(clock, ":00")
	}
	return Parse(date, clock, loc, choice)
}

// InputValue returns t in loc as an HTML datetime-local value,
// "2006-01-02T15:04".
func InputValue(t time.Time, loc *time.Location) string {
	return t.In(orUTC(loc)).Format("2006-01-02T15:04")
}

// StartOfDay returns the first instant of the day that t falls on in loc.
// Where a zone skips midnight (summer time starting at 00:00), the day
// starts when the clocks jump.
func StartOfDay(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(orUTC(loc)).Date()
	return dayStart(y, m, d, loc)
}

// Day returns the instants [start, end) of the day t falls on in loc; it
// lasts 23, 24 or 25 hours (or another length where a zone changed its
// offset by other amounts).
func Day(t time.Time, loc *time.Location) (start, end time.Time) {
	y, m, d := t.In(orUTC(loc)).Date()
	return dayStart(y, m, d, loc), dayStart(y, m, d+1, loc)
}

// AddDays returns the start of the day n days after the day t falls on in
// loc (n may be negative).
func AddDays(t time.Time, n int, loc *time.Location) time.Time {
	y, m, d := t.In(orUTC(loc)).Date()
	return dayStart(y, m, d+n, loc)
}

func dayStart(y int, m time.Month, d int, loc *time.Location) time.Time {
	loc = orUTC(loc)
	n := time.Date(y, m, d, 0, 0, 0, 0, time.UTC) // normalizes d
	w := Wall{n.Year(), n.Month(), n.Day(), 0, 0}
	t, err := Resolve(w, loc, Earlier)
	var gap *GapError
	if errors.As(err, &gap) {
		return gap.Jump.In(loc)
	}
	return t
}

// offsetsAround returns the UTC offsets (seconds) loc uses within two days
// of the instant u, each once.
func offsetsAround(u time.Time, loc *time.Location) []int {
	var offs []int
	end := u.Add(50 * time.Hour)
	t := u.Add(-50 * time.Hour)
	for i := 0; i < 64 && t.Before(end); i++ {
		_, off := t.In(loc).Zone()
		if !containsInt(offs, off) {
			offs = append(offs, off)
		}
		_, next := t.In(loc).ZoneBounds()
		if next.IsZero() || !next.After(t) {
			break
		}
		t = next
	}
	return offs
}

// gapError describes the jump that skipped w: the zone transition nearest
// to w where the offset grew.
func gapError(w Wall, u time.Time, loc *time.Location) *GapError {
	e := &GapError{Wall: w, Zone: loc.String()}
	t := u.Add(-50 * time.Hour)
	end := u.Add(50 * time.Hour)
	best := time.Duration(-1)
	for i := 0; i < 64 && t.Before(end); i++ {
		_, next := t.In(loc).ZoneBounds()
		if next.IsZero() || !next.After(t) {
			break
		}
		before := next.Add(-time.Nanosecond).In(loc)
		after := next.In(loc)
		_, offB := before.Zone()
		_, offA := after.Zone()
		if offA > offB {
			// The wall clock read from this jump, as if it were UTC.
			jumpWall := next.Add(time.Duration(offB) * time.Second)
			dist := jumpWall.Sub(u).Abs()
			if best < 0 || dist < best {
				best = dist
				e.Jump = next
				fromZone := time.FixedZone(Abbrev(before, loc), offB)
				e.From = next.In(fromZone).Format(clockLayout) + " " + Abbrev(before, loc)
				e.To = Clock(next, loc)
			}
		}
		t = next
	}
	return e
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func containsInt(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func containsInstant(xs []time.Time, x time.Time) bool {
	for _, y := range xs {
		if y.Equal(x) {
			return true
		}
	}
	return false
}
