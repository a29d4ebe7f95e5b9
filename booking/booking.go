// Package booking holds the pure rules of booking sessions: session types,
// a practitioner's weekly availability and its exceptions, the free slots
// they leave, and the overlap rule the store enforces. It does no I/O; the
// caller resolves the practice's time zone and gathers the facts.
package booking

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"holdspace"
	"holdspace/catalogue"
	"holdspace/practice"
)

// Limits of a session type.
const (
	// Granularity is the grid every duration, buffer and availability
	// boundary lies on.
	Granularity = 5 * time.Minute
	// MaxDuration is the longest session a type may book.
	MaxDuration = 8 * time.Hour
	// MaxBuffer is the longest buffer after a session.
	MaxBuffer = 2 * time.Hour
	// DefaultStep is the distance between two offered slot starts.
	DefaultStep = 15 * time.Minute
	maxName     = 120
)

// SessionType is a kind of session a practice offers for booking, e.g.
// "Prostate massage, therapeutic, 90 min": its name, intent, duration, the
// buffer kept free after it, and the body regions it involves (which decide
// the credentials a practitioner needs for it). Inactive types stay for the
// bookings that name them but cannot be booked.
type SessionType struct {
	ID       string           `json:"id"`
	Name     string           `json:"name"`
	Intent   catalogue.Intent `json:"intent"`
	Duration time.Duration    `json:"-"`
	Buffer   time.Duration    `json:"-"`
	Regions  []string         `json:"regions"`
	Active   bool             `json:"active"`
}

// Validate checks t and returns an EINVALID *holdspace.Error naming the
// field:
//   - empty or longer than 120 characters name → "required" / "too_long";
//   - intent neither therapeutic nor sensual → "invalid_intent";
//   - duration not 5 minutes to 8 hours on the 5-minute grid →
//     "out_of_range", field "duration_minutes";
//   - buffer not 0 to 2 hours on the 5-minute grid → "out_of_range",
//     field "buffer_minutes";
//   - an unknown region → "unknown_region", a repeated one →
//     "duplicate_region", field "regions[i]".
func (t SessionType) Validate() error {
	name := strings.TrimSpace(t.Name)
	if name == "" {
		return holdspace.Invalid("required", "name", "Give the session type a name.")
	}
	if utf8.RuneCountInString(name) > maxName {
		return holdspace.Invalid("too_long", "name", "A session type's name has at most %d characters.", maxName)
	}
	if !catalogue.ValidIntent(string(t.Intent)) {
		return holdspace.Invalid("invalid_intent", "intent", "The intent is therapeutic or sensual.")
	}
	if t.Duration < Granularity || t.Duration > MaxDuration || t.Duration%Granularity != 0 {
		return holdspace.Invalid("out_of_range", "duration_minutes", "A session lasts 5 to 480 minutes, in steps of 5.")
	}
	if t.Buffer < 0 || t.Buffer > MaxBuffer || t.Buffer%Granularity != 0 {
		return holdspace.Invalid("out_of_range", "buffer_minutes", "The buffer after a session is 0 to 120 minutes, in steps of 5.")
	}
	for i, r := range t.Regions {
		f := "regions[" + strconv.Itoa(i) + "]"
		if _, ok := catalogue.LookupRegion(r); !ok {
			return holdspace.Invalid("unknown_region", f, "%q is not a body region.", r)
		}
		if slices.Contains(t.Regions[:i], r) {
			return holdspace.Invalid("duplicate_region", f, "%q is listed twice.", r)
		}
	}
	return nil
}

// RequiredCovers returns the credential coverages a practitioner needs to
// deliver t under the practice's scope policy s: the coverage each scope
// group of t's regions requires, each once, in region order. General and
// sensitive regions need none.
func (t SessionType) RequiredCovers(s practice.Settings) []string {
	var out []string
	for _, r := range t.Regions {
		if rule, ok := s.Rule(r); ok && rule.Requires != "" && !slices.Contains(out, rule.Requires) {
			out = append(out, rule.Requires)
		}
	}
	return out
}

// Offered reports nil when the practice (settings s) offers t: its intent
// and every one of its regions. Otherwise ECONFLICT "not_offered".
func (t SessionType) Offered(s practice.Settings) error {
	if len(t.Regions) == 0 && t.Intent == catalogue.Sensual && !s.SensualOffered {
		return holdspace.Conflict("not_offered", "The practice does not offer sensual work.")
	}
	for _, r := range t.Regions {
		if !s.Offers(r, t.Intent) {
			return holdspace.Conflict("not_offered", "The practice does not offer %s work on the %s.", t.Intent, r)
		}
	}
	return nil
}

// Qualified reports nil when a practitioner holding creds may deliver t
// between start and end (both instants checked: a credential that lapses
// during the session does not cover it), under scope policy s. Otherwise
// ECONFLICT "not_qualified" naming the missing coverage.
func (t SessionType) Qualified(s practice.Settings, creds []practice.Credential, start, end time.Time) error {
	for _, cv := range t.RequiredCovers(s) {
		if !practice.Qualified(creds, cv, start) || !practice.Qualified(creds, cv, end) {
			e := holdspace.Conflict("not_qualified", "This practitioner holds no credential covering %s valid on that date.", cv)
			e.Field = "practitioner_id"
			return e
		}
	}
	return nil
}

// Window is one weekly availability period of a practitioner: a weekday
// and a start and end in minutes after local midnight, in the practice's
// time zone. End may be 1440 (midnight at the end of the day).
type Window struct {
	ID      string       `json:"id,omitempty"`
	Weekday time.Weekday `json:"weekday"`
	Start   int          `json:"start_minute"`
	End     int          `json:"end_minute"`
}

// Validate checks w: weekday 0 (Sunday) to 6 ("invalid_weekday", field
// "weekday"); start and end on the 5-minute grid within the day, start
// before end ("invalid_period", field "end"; "out_of_range", field "start"
// or "end").
func (w Window) Validate() error {
	if w.Weekday < time.Sunday || w.Weekday > time.Saturday {
		return holdspace.Invalid("invalid_weekday", "weekday", "The weekday is 0 (Sunday) to 6 (Saturday).")
	}
	g := int(Granularity / time.Minute)
	if w.Start < 0 || w.Start >= 24*60 || w.Start%g != 0 {
		return holdspace.Invalid("out_of_range", "start", "The start is a time of day on the 5-minute grid.")
	}
	if w.End <= 0 || w.End > 24*60 || w.End%g != 0 {
		return holdspace.Invalid("out_of_range", "end", "The end is a time of day on the 5-minute grid.")
	}
	if w.End <= w.Start {
		return holdspace.Invalid("invalid_period", "end", "Availability ends after it starts.")
	}
	return nil
}

// Overlaps reports whether w and o share a minute on the same weekday.
func (w Window) Overlaps(o Window) bool {
	return w.Weekday == o.Weekday && w.Start < o.End && o.Start < w.End
}

// ParseClock parses "HH:MM" (00:00–24:00) into minutes after midnight;
// EINVALID "invalid_time" with field.
func ParseClock(field, s string) (int, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || len(m) != 2 || hh < 0 || hh > 24 || mm < 0 || mm > 59 || hh == 24 && mm != 0 {
		return 0, holdspace.Invalid("invalid_time", field, "%q is not a time of day such as 09:30.", s)
	}
	return hh*60 + mm, nil
}

// Clock formats minutes after midnight as "HH:MM".
func Clock(min int) string {
	return twoDigits(min/60) + ":" + twoDigits(min%60)
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// Exception reasons.
const (
	ReasonHoliday = "holiday"
	ReasonSick    = "sick"
	ReasonOther   = "other"
)

// Reasons returns every exception reason.
func Reasons() []string { return []string{ReasonHoliday, ReasonSick, ReasonOther} }

// Exception removes a practitioner's availability over [From, To): a
// holiday, a sick day, anything else.
type Exception struct {
	ID     string    `json:"id,omitempty"`
	From   time.Time `json:"from"`
	To     time.Time `json:"to"`
	Reason string    `json:"reason"`
}

// Validate checks e: From before To ("invalid_period", field "to"), at most
// a year long ("out_of_range", field "to"), and a known reason
// ("invalid_reason", field "reason").
func (e Exception) Validate() error {
	if e.From.IsZero() || e.To.IsZero() || !e.From.Before(e.To) {
		return holdspace.Invalid("invalid_period", "to", "An exception ends after it starts.")
	}
	if e.To.Sub(e.From) > 366*24*time.Hour {
		return holdspace.Invalid("out_of_range", "to", "An exception lasts at most a year.")
	}
	if !slices.Contains(Reasons(), e.Reason) {
		return holdspace.Invalid("invalid_reason", "reason", "The reason is one of %v.", Reasons())
	}
	return nil
}

// DayRange returns the instants [start of from, start of the day after to)
// of the local dates from and to (inclusive, YYYY-MM-DD) in loc: the span
// of whole days an exception covers. EINVALID "invalid_date" with field
// "from" or "to"; "invalid_period" when to is before from.
func DayRange(from, to string, loc *time.Location) (time.Time, time.Time, error) {
	f, err := time.ParseInLocation(time.DateOnly, from, loc)
	if err != nil {
		return time.Time{}, time.Time{}, holdspace.Invalid("invalid_date", "from", "%q is not a date (YYYY-MM-DD).", from)
	}
	t, err := time.ParseInLocation(time.DateOnly, to, loc)
	if err != nil {
		return time.Time{}, time.Time{}, holdspace.Invalid("invalid_date", "to", "%q is not a date (YYYY-MM-DD).", to)
	}
	if t.Before(f) {
		return time.Time{}, time.Time{}, holdspace.Invalid("invalid_period", "to", "An exception ends on or after the day it starts.")
	}
	end := time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, loc)
	return f.UTC(), end.UTC(), nil
}

// Interval is a span of time [Start, End).
type Interval struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Overlaps reports whether i and o share an instant. Touching intervals
// ([9:00, 10:00) and [10:00, 11:00)) do not overlap.
func (i Interval) Overlaps(o Interval) bool {
	return i.Start.Before(o.End) && o.Start.Before(i.End)
}

// Contains reports whether o lies within i.
func (i Interval) Contains(o Interval) bool {
	return !o.Start.Before(i.Start) && !o.End.After(i.End)
}

// Occupies returns the time a session of type t starting at start keeps
// the practitioner busy: the session and the buffer after it. This is the
// span no other booking of the practitioner may overlap.
func Occupies(start time.Time, t SessionType) Interval {
	return Interval{Start: start, End: start.Add(t.Duration + t.Buffer)}
}

// Session returns the session itself, without its buffer.
func Session(start time.Time, t SessionType) Interval {
	return Interval{Start: start, End: start.Add(t.Duration)}
}

// Calendar is what one practitioner's slots are computed from.
type Calendar struct {
	// Loc is the practice's time zone; windows are local times in it.
	Loc        *time.Location
	Windows    []Window
	Exceptions []Exception
	// Busy are the spans existing bookings occupy (buffers included).
	Busy []Interval
}

// Available returns the availability instances of c between from and to:
// each window on each local date in range, converted to instants in Loc,
// with the exceptions cut out, clipped to [from, to), earliest first.
// A window on a day whose local clock jumps (daylight saving time) spans
// the real elapsed time between its local start and end.
func (c Calendar) Available(from, to time.Time) []Interval {
	loc := c.Loc
	if loc == nil {
		loc = time.UTC
	}
	var out []Interval
	lf := from.In(loc)
	day := time.Date(lf.Year(), lf.Month(), lf.Day()-1, 0, 0, 0, 0, loc)
	for ; day.Before(to); day = time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, loc) {
		for _, w := range c.Windows {
			if w.Weekday != day.Weekday() {
				continue
			}
			iv := Interval{
				Start: time.Date(day.Year(), day.Month(), day.Day(), w.Start/60, w.Start%60, 0, 0, loc),
				End:   time.Date(day.Year(), day.Month(), day.Day(), w.End/60, w.End%60, 0, 0, loc),
			}
			if iv.Start.Before(from) {
				iv.Start = from
			}
			if iv.End.After(to) {
				iv.End = to
			}
			if !iv.Start.Before(iv.End) {
				continue
			}
			out = append(out, cut(iv, c.Exceptions)...)
		}
	}
	slices.SortFunc(out, func(a, b Interval) int { return a.Start.Compare(b.Start) })
	return merge(out)
}

// cut returns iv less every exception.
func cut(iv Interval, ex []Exception) []Interval {
	parts := []Interval{iv}
	for _, e := range ex {
		ei := Interval{Start: e.From, End: e.To}
		var next []Interval
		for _, p := range parts {
			if !p.Overlaps(ei) {
				next = append(next, p)
				continue
			}
			if p.Start.Before(ei.Start) {
				next = append(next, Interval{Start: p.Start, End: ei.Start})
			}
			if ei.End.Before(p.End) {
				next = append(next, Interval{Start: ei.End, End: p.End})
			}
		}
		parts = next
	}
	return parts
}

// merge joins sorted intervals that overlap or touch.
func merge(ivs []Interval) []Interval {
	var out []Interval
	for _, iv := range ivs {
		if n := len(out); n > 0 && !iv.Start.After(out[n-1].End) {
			if iv.End.After(out[n-1].End) {
				out[n-1].End = iv.End
			}
			continue
		}
		out = append(out, iv)
	}
	return out
}

// Slots returns the starts of every free slot for a session of type t in
// [from, to): the session lies within one availability instance (its
// buffer may run past the end of the window), what it occupies (session
// and buffer) overlaps no busy span, and it starts no earlier than
// notBefore. Starts lie on a grid of step (DefaultStep when not positive)
// from the start of each availability instance.
func (c Calendar) Slots(t SessionType, from, to, notBefore time.Time, step time.Duration) []time.Time {
	if step <= 0 {
		step = DefaultStep
	}
	if t.Duration <= 0 {
		return nil
	}
	var out []time.Time
	for _, av := range c.Available(from, to) {
		for s := av.Start; !s.Add(t.Duration).After(av.End); s = s.Add(step) {
			if s.Before(notBefore) {
				continue
			}
			if c.busy(Occupies(s, t)) {
				continue
			}
			out = append(out, s)
		}
	}
	return out
}

func (c Calendar) busy(iv Interval) bool {
	for _, b := range c.Busy {
		if b.Overlaps(iv) {
			return true
		}
	}
	return false
}

// Check reports whether a session of type t may be booked at start in c:
// nil, or ECONFLICT with field "starts_at" and reason
//   - "outside_availability" when the session does not lie within one
//     availability instance (an exception counts as no availability);
//   - "slot_taken" when what it occupies overlaps a busy span.
//
// Set within to false to skip the availability check (a practitioner
// booking from the console outside their published hours).
func (c Calendar) Check(t SessionType, start time.Time, within bool) error {
	ses := Session(start, t)
	if within {
		ok := false
		for _, av := range c.Available(start.Add(-24*time.Hour), ses.End.Add(24*time.Hour)) {
			ok = ok || av.Contains(ses)
		}
		if !ok {
			return conflictAt("outside_availability", "The practitioner is not available then.")
		}
	}
	if c.busy(Occupies(start, t)) {
		return conflictAt("slot_taken", "That time is booked already.")
	}
	return nil
}

func conflictAt(reason, msg string) error {
	e := holdspace.Conflict(reason, "%s", msg)
	e.Field = "starts_at"
	return e
}

// Booking statuses.
const (
	StatusBooked    = "booked"
	StatusCancelled = "cancelled"
	StatusNoShow    = "no-show"
)

// LateCancellation reports whether a cancellation at `at` of a session
// starting at start falls within the practice's cancellation window.
func LateCancellation(s practice.Settings, start, at time.Time) bool {
	return start.Sub(at) < s.CancellationWindow()
}

// MayMarkNoShow reports nil when a booking starting at start may be
// recorded as a no-show at `at`: from the practice's no-show time after the
// start. Otherwise ECONFLICT "too_early".
func MayMarkNoShow(s practice.Settings, start, at time.Time) error {
	if at.Before(start.Add(s.NoShowAfter())) {
		return conflictAt("too_early", "A no-show can be recorded from "+strconv.Itoa(int(s.NoShowAfter()/time.Minute))+" minutes after the start.")
	}
	return nil
}
