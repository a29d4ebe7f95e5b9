package app

import (
	"context"
	"errors"
	"strings"
	"time"

	"holdspace"
	"holdspace/localtime"
	"holdspace/store"
)

// Time zones (issue 14): storage and the API keep instants in UTC; a
// person sees and enters them in their own time zone when they chose one,
// else in the practice's. Day boundaries of things that belong to the
// practice (a screening's validity, ages) are the practice's.

// Location resolves an IANA time zone name (cached); EINVALID
// "unknown_time_zone" on field time_zone when it is unknown.
func Location(name string) (*time.Location, error) { return loadLocation(name) }

// zoneOf returns the time zone u sees times in: their own when they chose
// one the database knows, else the practice's.
func (a *core) zoneOf(ctx context.Context, tx store.Settings, u *store.User) (*time.Location, error) {
	if u.TimeZone != "" {
		if l, err := loadLocation(u.TimeZone); err == nil {
			return l, nil
		}
		a.log.Warn("user time zone unknown; using the practice's", "user", u.ID, "time_zone", u.TimeZone)
	}
	st, err := a.practiceSettings(ctx, tx)
	if err != nil {
		return nil, err
	}
	return st.loc, nil
}

// withZone fills p.TimeZone, u's own choice, and p.Zone, the zone u sees
// times in.
func (a *core) withZone(ctx context.Context, tx store.Settings, u *store.User, p *Person) error {
	l, err := a.zoneOf(ctx, tx, u)
	if err != nil {
		return err
	}
	p.TimeZone, p.Zone = u.TimeZone, l.String()
	p.Language, p.LastLanguage = u.Language, u.LastLanguage
	return nil
}

// SetTimeZone sets the time zone the caller sees and enters times in: an
// IANA name, or "" for the practice's. Errors: EINVALID
// "unknown_time_zone" (field time_zone). Audited as account.time_zone.
func (a *People) SetTimeZone(ctx context.Context, ac Actor, name string) (Person, error) {
	name = strings.TrimSpace(name)
	if name != "" {
		if _, err := loadLocation(name); err != nil {
			return Person{}, holdspace.Invalid("unknown_time_zone", "time_zone", "%q is not a known IANA time zone (such as Europe/Berlin); leave it empty to use the practice's.", name)
		}
	}
	detail := "time_zone=" + name
	if name == "" {
		detail = "time_zone=practice"
	}
	return a.changeOwnAccount(ctx, ac, "account.time_zone", detail, func(u *store.User) { u.TimeZone = name })
}

// changeOwnAccount applies change to the caller's own account, stores it,
// audits it as action with detail, and returns the account as Me shows it.
func (a *People) changeOwnAccount(ctx context.Context, ac Actor, action, detail string, change func(*store.User)) (Person, error) {
	var p Person
	err := a.update(ctx, func(tx peopleTx) error {
		u, err := tx.User(ctx, ac.UserID)
		if err != nil {
			return err
		}
		change(u)
		if err := tx.SetAccountState(ctx, u); err != nil {
			return err
		}
		if p, err = a.person(u); err != nil {
			return err
		}
		if err := a.withZone(ctx, tx, u, &p); err != nil {
			return err
		}
		return record(ctx, tx, ac, action, u.ID, "", detail)
	})
	return p, err
}

// practiceNow returns tx.Now() in the practice's time zone, so that "today"
// and calendar months counted from it are the practice's.
func (a *core) practiceNow(ctx context.Context, tx settingsTx) (time.Time, error) {
	st, err := a.practiceSettings(ctx, tx)
	if err != nil {
		return time.Time{}, err
	}
	return tx.Now().In(st.loc), nil
}

// LocalInput is a wall-clock time a person typed, in the zone they see
// times in.
type LocalInput struct {
	// Value is "2006-01-02T15:04" (an HTML datetime-local value).
	Value string
	// Choice says which of two instants an ambiguous time means
	// ("earlier" or "later"); empty asks.
	Choice string
}

// ParseLocal resolves in in loc. Errors are EINVALID on field: reason
// "invalid_time" (not a date and time), "nonexistent_local_time" (the
// clocks jump over it), "ambiguous_local_time" (it happens twice and
// Choice does not say which; the *localtime.AmbiguousError is the cause,
// for forms that offer both).
func ParseLocal(field string, in LocalInput, loc *time.Location) (time.Time, error) {
	t, err := localtime.ParseDateTime(in.Value, loc, localtime.ParseChoice(in.Choice))
	var gap *localtime.GapError
	var amb *localtime.AmbiguousError
	switch {
	case err == nil:
		return t.UTC(), nil
	case errors.As(err, &gap):
		e := holdspace.Invalid("nonexistent_local_time", field, "%s", gap.Error())
		e.Err = err
		return time.Time{}, e
	case errors.As(err, &amb):
		e := holdspace.Invalid("ambiguous_local_time", field, "%s", amb.Error())
		e.Err = err
		return time.Time{}, e
	}
	e := holdspace.Invalid("invalid_time", field, "Give a date and a time.")
	e.Err = err
	return time.Time{}, e
}

// Now returns the app's current time (Config.Now), for pages that place
// things on the viewer's calendar.
func (a *core) Now() time.Time { return a.now() }

// parseTimeInPractice is parseTime for a day that belongs to the practice:
// RFC 3339 is taken as given; a plain YYYY-MM-DD is that day in the
// practice's zone, its first instant, or its last microsecond when
// endOfDay ("valid until 1 Jan" lasts to the end of 1 January where the
// practice is).
func (a *core) parseTimeInPractice(ctx context.Context, tx store.Settings, field, s string, endOfDay bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if _, err := time.Parse(time.RFC3339, s); err == nil || s == "" {
		return parseTime(field, s, endOfDay)
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return parseTime(field, s, endOfDay)
	}
	st, err := a.practiceSettings(ctx, tx)
	if err != nil {
		return time.Time{}, err
	}
	start, end := localtime.Day(time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, st.loc), st.loc)
	if endOfDay {
		return end.Add(-time.Microsecond).UTC(), nil
	}
	return start.UTC(), nil
}

// settingsTx reads the practice's settings at the transaction's time.
type settingsTx interface {
	store.Settings
	txBase
}
