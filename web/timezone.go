package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"holdspace/app"
	"holdspace/localtime"
)

// Time zones (issue 14). Every time a page shows or takes is in the
// viewer's zone (their own, else the practice's), with the zone's
// abbreviation shown; storage and the API stay UTC.
//
// Templates format with the viewer's zone, which every view carries as
// .Zone (use $.Zone inside range and with):
//
//	{{localTime $.Zone .StartsAt}}   Tue 1 Dec 2026, 13:15 PST
//	{{localDate $.Zone .CreatedAt}}  Tue 1 Dec 2026
//	{{localClock $.Zone .At}}        13:15 PST
//	{{calendarDate .ValidFrom}}      1 Dec 2026 (a date without a time of
//	                                 day, such as a credential's, stored
//	                                 as UTC midnight)
//	{{zoneName $.Zone}}              America/Los_Angeles (PST)
//	{{template "sessionline" (zoned $.Zone .)}}

func init() {
	flashCodes["timezone"] = true
}

// zone returns the time zone the viewer sees times in.
func (q *request) zone() *time.Location {
	if l, err := app.Location(q.me.Zone); err == nil {
		return l
	}
	return time.UTC
}

// zonedValue carries the viewer's zone into a shared template ("sessionline").
type zonedValue struct {
	Zone *time.Location
	V    any
}

// instant accepts a time.Time or a *time.Time (nil: the zero time).
func instant(t any) time.Time {
	switch v := t.(type) {
	case time.Time:
		return v
	case *time.Time:
		if v != nil {
			return *v
		}
	}
	return time.Time{}
}

// commonZones are offered on the Account page; any IANA name is accepted.
var commonZones = []string{
	"UTC", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin", "Europe/Amsterdam",
	"Europe/Zurich", "Europe/Vienna", "Europe/Rome", "Europe/Madrid", "Europe/Stockholm", "Europe/Warsaw",
	"Europe/Athens", "Europe/Helsinki", "Europe/Istanbul", "America/St_Johns", "America/Halifax", "America/New_York",
	"America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles", "America/Anchorage",
	"Pacific/Honolulu", "America/Mexico_City", "America/Sao_Paulo", "America/Buenos_Aires", "Africa/Johannesburg",
	"Africa/Lagos", "Asia/Dubai", "Asia/Kolkata", "Asia/Singapore", "Asia/Tokyo", "Australia/Perth",
	"Australia/Adelaide", "Australia/Sydney", "Pacific/Auckland",
}

// setTimeZone saves the time zone the viewer chose on the Account page:
// "practice" or their own IANA name.
func (h *handler) setTimeZone(q *request) error {
	f := q.r.PostForm
	typed := map[string]any{"TimeZoneInput": f.Get("time_zone")}
	name := ""
	if f.Get("use") != "practice" {
		name = strings.TrimSpace(f.Get("time_zone"))
		if name == "" {
			return h.renderAccount(q, typed, map[string]string{"time_zone": q.l.T("shell.account.tz_missing")})
		}
	}
	if _, err := h.people.SetTimeZone(q.r.Context(), q.ac, name); err != nil {
		if errs, ok := fieldErrors(err); ok {
			return h.renderAccount(q, typed, errs)
		}
		return err
	}
	return redirect(q, "/account?done=timezone")
}

// practiceZone is the practice's time zone name, for the Account page.
func (h *handler) practiceZone(q *request) string {
	s, err := h.practice.Offers(q.r.Context())
	if err != nil {
		h.log.Error("web: practice settings", "err", err)
		return ""
	}
	return s.TimeZone
}

// timeChoice is one of the two instants an ambiguous local time means.
type timeChoice struct {
	Value string // "earlier" or "later"
	Label string // "01:30 PDT (the first time)"
}

// localStart reads a form's local date and time field (and its choice,
// field+"_choice") in the viewer's zone. A time the clocks skip, or one
// that happens twice without a choice, is an EINVALID field error; choices
// lists the two readings of an ambiguous one, for the form to offer.
func localStart(q *request, field string) (at time.Time, choices []timeChoice, err error) {
	loc := q.zone()
	at, err = app.ParseLocal(field, app.LocalInput{Value: q.r.PostForm.Get(field), Choice: q.r.PostForm.Get(field + "_choice")}, loc)
	var amb *localtime.AmbiguousError
	if errors.As(err, &amb) {
		choices = []timeChoice{
			{"earlier", localtime.Clock(amb.Earlier, loc) + " (the first time)"},
			{"later", localtime.Clock(amb.Later, loc) + " (an hour later, after the clocks go back)"},
		}
		if d := amb.Later.Sub(amb.Earlier); d != time.Hour {
			choices[1].Label = localtime.Clock(amb.Later, loc) + " (the second time, after the clocks go back)"
		}
	}
	return at, choices, err
}

// startChoices returns the readings of the booking form's ambiguous start
// time, if it was one.
func startChoices(q *request) []timeChoice {
	if q.r.Method != http.MethodPost {
		return nil
	}
	_, choices, _ := localStart(q, "starts_at")
	return choices
}

// startValue is the start time to show in the booking form: what was
// typed, or the next full hour in the viewer's zone.
func startValue(q *request, now time.Time) string {
	if v := q.r.PostForm.Get("starts_at"); q.r.Method == http.MethodPost && v != "" {
		return v
	}
	loc := q.zone()
	n := now.In(loc).Add(time.Hour)
	return localtime.InputValue(time.Date(n.Year(), n.Month(), n.Day(), n.Hour(), 0, 0, 0, loc), loc)
}

// today returns the viewer's day, [start, end), and the start of the day
// `days` later, in their zone.
func today(q *request, now time.Time, days int) (start, end, horizon time.Time) {
	loc := q.zone()
	start, end = localtime.Day(now, loc)
	return start, end, localtime.AddDays(now, days, loc)
}
