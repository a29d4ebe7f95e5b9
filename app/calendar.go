package app

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode"

	ics "github.com/arran4/golang-ical"

	"holdspace"
	"holdspace/authn"
	"holdspace/i18n"
	"holdspace/practice"
	"holdspace/store"
)

// Calendars serves practitioners' private iCalendar feeds at secret,
// revocable URLs and a client's one-event file for their own session.
type Calendars struct {
	*core
}

// Calendar feeds (RFC 5545). A practitioner subscribes their calendar app
// to a private feed of their sessions at a secret URL; the token in it is
// stored only as a hash (a "calendar" token) and can be rotated or revoked
// at any time. A client can download one session as a one-event file.
//
// What a feed says: a title with the client's initials ("Session (A.M.)"),
// the time, the practice's name and address, and a link to the session in
// holdspace. Never a client's name, a region, an intent or anything about
// health: a calendar is synchronised to phones and servers beyond the
// practice's control.
//
// Times are written in UTC (DTSTART:20261201T220000Z). Every calendar app
// reads UTC times exactly and shows them in the viewer's own zone; a
// TZID would need a VTIMEZONE carrying the zone's daylight-saving rules,
// which no maintained Go library derives from the time zone database, and
// a wrong or missing VTIMEZONE shifts events by an hour in some apps. Our
// events are single (no recurrence), so UTC loses nothing: the practice's
// local time is also written in the description, with its zone.
//
// The UID of a session's event is the session's id (with the practice's
// host): stable across updates, so an app updates the event rather than
// adding another; SEQUENCE is the session's event count, which grows with
// every change, and a cancelled session stays in the feed with
// STATUS:CANCELLED so apps remove it.

// feedWindow is which sessions a feed lists: from 60 days ago to a year
// ahead.
const (
	feedPast   = 60 * 24 * time.Hour
	feedFuture = 366 * 24 * time.Hour
)

// CalendarFeed is a practitioner's feed as its creation shows it: the
// token (and so the URL) is shown only then.
type CalendarFeed struct {
	Token     string    `json:"token,omitempty"`
	Path      string    `json:"path,omitempty"`
	URL       string    `json:"url,omitempty"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at,omitzero"`
}

func feedPath(token string) string { return "/feeds/" + token + ".ics" }

func requirePractitioner(ac Actor) error {
	if !ac.is(holdspace.RolePractitioner) {
		return forbidden("Only a practitioner has a calendar feed of their sessions.")
	}
	return nil
}

// CalendarFeedStatus says whether the practitioner has a live feed (its
// URL cannot be shown again: only its hash is stored).
func (a *Calendars) CalendarFeedStatus(ctx context.Context, ac Actor) (CalendarFeed, error) {
	var out CalendarFeed
	if err := requirePractitioner(ac); err != nil {
		return out, err
	}
	err := a.db.View(ctx, func(tx store.Tx) error {
		ts, err := tx.ListUserTokens(ctx, ac.UserID, []string{"calendar"}, a.now())
		if err != nil || len(ts) == 0 {
			return err
		}
		out.Active, out.CreatedAt = true, ts[0].CreatedAt
		return nil
	})
	return out, err
}

// CreateCalendarFeed makes a new secret feed URL for the practitioner;
// any earlier URL stops working (rotation).
func (a *Calendars) CreateCalendarFeed(ctx context.Context, ac Actor) (CalendarFeed, error) {
	if err := requirePractitioner(ac); err != nil {
		return CalendarFeed{}, err
	}
	tok, hash, err := authn.NewToken()
	if err != nil {
		return CalendarFeed{}, err
	}
	out := CalendarFeed{Token: tok, Path: feedPath(tok), URL: a.link(feedPath(tok)), Active: true}
	err = a.update(ctx, func(tx store.Tx) error {
		if err := tx.RevokeUserTokensExcept(ctx, ac.UserID, nil, []string{"calendar"}, tx.Now()); err != nil {
			return err
		}
		out.CreatedAt = tx.Now()
		// No expiry: a subscription lives until it is rotated or revoked.
		t := &store.Token{Hash: hash, UserID: ac.UserID, Kind: "calendar", CreatedAt: tx.Now(), LastSeenAt: tx.Now(), Device: "calendar feed"}
		if err := tx.CreateToken(ctx, t); err != nil {
			return err
		}
		return record(ctx, tx, ac, "calendar.feed_created", ac.UserID, "", "")
	})
	if err != nil {
		return CalendarFeed{}, err
	}
	return out, nil
}

// RevokeCalendarFeed stops the practitioner's feed URL.
func (a *Calendars) RevokeCalendarFeed(ctx context.Context, ac Actor) error {
	if err := requirePractitioner(ac); err != nil {
		return err
	}
	return a.update(ctx, func(tx store.Tx) error {
		if err := tx.RevokeUserTokensExcept(ctx, ac.UserID, nil, []string{"calendar"}, tx.Now()); err != nil {
			return err
		}
		return record(ctx, tx, ac, "calendar.feed_revoked", ac.UserID, "", "")
	})
}

var errBadFeed = &holdspace.Error{Code: holdspace.ENOTFOUND, Reason: "feed_unknown", Message: "There is no calendar feed at this address (it may have been replaced or revoked)."}

// CalendarFeedICS returns the feed with the secret token: the practitioner's
// sessions of the last 60 days and the next year, their clients' still.
// Every fetch is audited (naming the practitioner) and rate-limited per
// feed (RateLimitedError).
func (a *Calendars) CalendarFeedICS(ctx context.Context, token string) ([]byte, error) {
	if token == "" || len(token) > 200 {
		return nil, errBadFeed
	}
	hash := authn.HashToken(token)
	if ok, wait := a.limiters().feed.take(string(hash), a.now()); !ok {
		return nil, &RateLimitedError{RetryAfter: wait}
	}
	var out []byte
	err := a.update(ctx, func(tx store.Tx) error {
		t, err := tx.Token(ctx, hash)
		if err != nil || t.Kind != "calendar" || !t.RevokedAt.IsZero() {
			return errBadFeed
		}
		u, err := tx.User(ctx, t.UserID)
		if err != nil || !u.DisabledAt.IsZero() || u.Role != holdspace.RolePractitioner {
			return errBadFeed
		}
		now := a.now()
		ss, err := tx.ListSessions(ctx, store.SessionFilter{PractitionerID: u.ID, From: now.Add(-feedPast), To: now.Add(feedFuture)})
		if err != nil {
			return err
		}
		st, err := a.practiceSettings(ctx, tx)
		if err != nil {
			return err
		}
		l, err := a.mailLocalizer(ctx, tx, u)
		if err != nil {
			return err
		}
		cal := a.newCalendar(l.T("mail.calendar.feed_name"))
		assigned := map[string]bool{}
		initials := map[string]string{}
		n := 0
		for _, s := range ss {
			ok, seen := assigned[s.ClientID]
			if !seen {
				c, err := tx.Client(ctx, s.ClientID)
				ok = err == nil && contains(c.PractitionerIDs, u.ID)
				assigned[s.ClientID] = ok
				if ok {
					cu, err := tx.User(ctx, s.ClientID)
					if err != nil {
						return err
					}
					name, err := a.nameOfUser(cu)
					if err != nil {
						return err
					}
					initials[s.ClientID] = Initials(name)
				}
			}
			if !ok {
				continue // a practitioner taken off a client loses the client's sessions
			}
			summary := l.T("mail.calendar.session")
			if in := initials[s.ClientID]; in != "" {
				summary = l.T("mail.calendar.session_initials", "Initials", in)
			}
			a.addSessionEvent(cal, l, s, summary, st, now)
			n++
		}
		out = []byte(cal.Serialize())
		return record(ctx, tx, Actor{UserID: u.ID, Role: u.Role, Device: "calendar"}, "calendar.feed_read", u.ID, "", "sessions="+strconv.Itoa(n))
	})
	return out, err
}

// SessionICS returns one session as a one-event calendar file for its
// client (ECONFLICT-free: anyone else gets ENOTFOUND or EFORBIDDEN as for
// the session itself). The read is audited.
func (a *Calendars) SessionICS(ctx context.Context, ac Actor, sessionID string) ([]byte, error) {
	var out []byte
	err := a.update(ctx, func(tx store.Tx) error {
		s, err := visibleSession(ctx, tx, ac, sessionID)
		if err != nil {
			return err
		}
		if !ac.is(holdspace.RoleClient) || s.ClientID != ac.UserID {
			return forbidden("This file is for the session's client; practitioners subscribe to their calendar feed.")
		}
		pr, err := tx.User(ctx, s.PractitionerID)
		if err != nil {
			return err
		}
		prName, err := a.nameOfUser(pr)
		if err != nil {
			return err
		}
		st, err := a.practiceSettings(ctx, tx)
		if err != nil {
			return err
		}
		cu, err := tx.User(ctx, s.ClientID)
		if err != nil {
			return err
		}
		l, err := a.mailLocalizer(ctx, tx, cu)
		if err != nil {
			return err
		}
		cal := a.newCalendar(l.T("mail.calendar.your_session"))
		a.addSessionEvent(cal, l, s, l.T("mail.calendar.session_with", "Name", prName), st, a.now())
		out = []byte(cal.Serialize())
		return record(ctx, tx, ac, "session.ics", s.ID, s.ClientID, "")
	})
	return out, err
}

func (a *core) newCalendar(name string) *ics.Calendar {
	cal := ics.NewCalendarFor("holdspace")
	cal.SetMethod(ics.MethodPublish)
	cal.SetName(name)
	cal.SetXWRCalName(name)
	cal.SetXPublishedTTL("PT15M")
	return cal
}

// addSessionEvent adds the event of one session: see the package comment
// above for what it holds and why.
func (a *core) addSessionEvent(cal *ics.Calendar, l *i18n.Localizer, s *store.Session, summary string, st practiceState, now time.Time) {
	ev := cal.AddEvent(s.ID + "@" + a.mailDomain())
	ev.SetDtStampTime(now)
	ev.SetCreatedTime(s.CreatedAt)
	ev.SetSequence(int(s.Seq))
	ev.SetStartAt(s.StartsAt)
	ev.SetEndAt(s.StartsAt.Add(bookedDuration(s)))
	ev.SetSummary(summary)
	ev.SetClass(ics.ClassificationPrivate)
	if p := place(st.settings.Identity); p != "" {
		ev.SetLocation(strings.ReplaceAll(p, "\n", ", "))
	}
	link := a.link("/sessions/" + s.ID)
	ev.SetURL(link)
	ev.SetDescription(l.T("mail.calendar.event", "When", mailTime(l, s.StartsAt, st.loc), "Link", link))
	if s.State == string(practice.Cancelled) {
		ev.SetStatus(ics.ObjectStatusCancelled)
	} else {
		ev.SetStatus(ics.ObjectStatusConfirmed)
	}
}

// Initials returns a name's initials, "A.M." for "Alex Morgan" (first and
// last word).
func Initials(name string) string {
	words := strings.FieldsFunc(name, func(r rune) bool { return unicode.IsSpace(r) || r == '-' })
	var out []string
	for i, w := range words {
		if i != 0 && i != len(words)-1 {
			continue
		}
		for _, r := range w {
			if unicode.IsLetter(r) {
				out = append(out, string(unicode.ToUpper(r))+".")
				break
			}
		}
	}
	return strings.Join(out, "")
}

func contains(l []string, v string) bool {
	for _, x := range l {
		if x == v {
			return true
		}
	}
	return false
}
