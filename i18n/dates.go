package i18n

import (
	"time"

	"holdspace/localtime"
)

// Date returns the day of t in loc in the language's words and order:
// "Tue 1 Dec 2026", "Di., 1. Dez. 2026", "mar., 1 dic. 2026". Day and month
// names are CLDR's; the order is the catalog's format.date. The zero time
// is "".
func (l *Localizer) Date(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	lt := t.In(orUTC(loc))
	return l.T("format.date", "Weekday", l.cldr.WeekdayAbbreviated(lt.Weekday()), "Day", lt.Day(),
		"Month", l.cldr.MonthAbbreviated(lt.Month()), "Year", lt.Year())
}

// CalendarDate returns a date that has no time of day (a birth date, a
// credential's expiry), read in UTC: "1 Dec 2026", "1. Dez. 2026".
func (l *Localizer) CalendarDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	u := t.UTC()
	return l.T("format.date_plain", "Day", u.Day(), "Month", l.cldr.MonthAbbreviated(u.Month()), "Year", u.Year())
}

// Clock returns the wall-clock time of t in loc with the zone as the
// language names it: "14:00 CET", "14:00 MEZ".
func (l *Localizer) Clock(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return l.T("format.clock", "Time", l.time(t.In(orUTC(loc))), "Zone", l.Zone(t, loc))
}

// DateTime returns t in loc with day, time and zone:
// "Tue 1 Dec 2026, 14:00 CET", "Di., 1. Dez. 2026, 14:00 MEZ".
func (l *Localizer) DateTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return l.T("format.date_time", "Date", l.Date(t, loc), "Clock", l.Clock(t, loc))
}

// Zone returns the abbreviation of loc's zone at t in the language: the
// catalog's zone.<ABBR> when it has one ("MEZ" for CET in German), else
// the zone database's ("PST"), or an offset ("UTC+4").
func (l *Localizer) Zone(t time.Time, loc *time.Location) string {
	a := localtime.Abbrev(t, loc)
	if l.b.ids[l.lang]["zone."+a] {
		return l.T("zone." + a)
	}
	return a
}

// time is the hour and minute: 24-hour clock in every shipped language
// (CLDR's short time for German and Spanish; holdspace's English uses the
// 24-hour clock too, as practices' appointment books do).
func (l *Localizer) time(t time.Time) string {
	if base(l.lang) == "en" {
		return t.Format("15:04")
	}
	return l.cldr.FmtTimeShort(t)
}

// Number formats n with the language's grouping: 12,345 / 12.345.
func (l *Localizer) Number(n int) string {
	return l.cldr.FmtNumber(float64(n), 0)
}

func orUTC(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}
