package app

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"holdspace"
	"holdspace/store"
)

// parseICS parses a calendar with a second, independent iCalendar library
// (emersion/go-ical; the feed is written with arran4/golang-ical).
func parseICS(t *testing.T, b []byte) *ical.Calendar {
	t.Helper()
	cal, err := ical.NewDecoder(bytes.NewReader(b)).Decode()
	if err != nil {
		t.Fatalf("parse iCalendar: %v\n%s", err, b)
	}
	return cal
}

type feedEvent struct {
	uid, summary, status, desc, url, location string
	seq                                       int
	start, end                                time.Time
}

func feedEvents(t *testing.T, b []byte) map[string]feedEvent {
	t.Helper()
	out := map[string]feedEvent{}
	for _, e := range parseICS(t, b).Events() {
		var fe feedEvent
		var err error
		text := func(name string) string {
			p := e.Props.Get(name)
			if p == nil {
				return ""
			}
			s, err := p.Text()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			return s
		}
		fe.uid, fe.summary, fe.desc, fe.location = text(ical.PropUID), text(ical.PropSummary), text(ical.PropDescription), text(ical.PropLocation)
		if p := e.Props.Get(ical.PropURL); p != nil {
			fe.url = p.Value
		}
		st, err := e.Status()
		if err != nil {
			t.Fatal(err)
		}
		fe.status = string(st)
		if fe.seq, err = e.Props.Get(ical.PropSequence).Int(); err != nil {
			t.Fatal(err)
		}
		if fe.start, err = e.DateTimeStart(nil); err != nil {
			t.Fatal(err)
		}
		if fe.end, err = e.DateTimeEnd(nil); err != nil {
			t.Fatal(err)
		}
		out[fe.uid] = fe
	}
	return out
}

// TestCalendarFeed: a practitioner's feed lists their sessions with a
// stable UID, a SEQUENCE that grows with changes, STATUS:CANCELLED for a
// cancelled session and exact UTC times; it holds the client's initials
// but never their name, a region, an intent or a note; every fetch is
// audited; rotation and revocation end the old URL.
func TestCalendarFeed(t *testing.T) {
	f := newMailFixture(t, nil)
	ctx := context.Background()
	s1 := f.book(t, 3*time.Hour)
	s2 := f.book(t, 50*time.Hour)
	feed, err := f.a.Calendars.CreateCalendarFeed(ctx, f.pract)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(feed.URL, "https://practice.example.test/feeds/") || !strings.HasSuffix(feed.URL, ".ics") {
		t.Fatalf("feed URL %q", feed.URL)
	}
	fetch := func(tok string) []byte {
		t.Helper()
		b, err := f.a.Calendars.CalendarFeedICS(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	b1 := fetch(feed.Token)
	ev1 := feedEvents(t, b1)
	if len(ev1) != 2 {
		t.Fatalf("%d events, want 2:\n%s", len(ev1), b1)
	}
	uid1 := s1.ID + "@practice.example.test"
	e := ev1[uid1]
	if e.summary != "Session (A.M.)" || e.status != "CONFIRMED" || !e.start.Equal(s1.StartsAt) || !e.end.Equal(s1.StartsAt.Add(time.Hour)) {
		t.Fatalf("event %+v; session %+v", e, s1)
	}
	if e.start.Location() != time.UTC || !strings.Contains(string(b1), "DTSTART:"+s1.StartsAt.UTC().Format("20060102T150405Z")) {
		t.Fatalf("DTSTART not in UTC:\n%s", b1)
	}
	loc, _ := time.LoadLocation("America/Los_Angeles")
	if !strings.Contains(e.desc, FormatLocalTime(s1.StartsAt, loc)) || e.url != "https://practice.example.test/sessions/"+s1.ID ||
		e.location != "Praxis am Park, Parkstraße 1, 10115 Berlin" {
		t.Fatalf("description %q, url %q, location %q", e.desc, e.url, e.location)
	}
	assertNothingSensitive(t, "feed", strings.ReplaceAll(string(b1), "\r\n ", ""))

	// Cancel s1: same UID, higher SEQUENCE, STATUS:CANCELLED.
	if _, err := f.a.Sessions.AppendEvent(ctx, f.pract, s1.ID, EventInput{Type: "cancel"}); err != nil {
		t.Fatal(err)
	}
	ev2 := feedEvents(t, fetch(feed.Token))
	c := ev2[uid1]
	if c.uid != uid1 || c.status != "CANCELLED" || c.seq <= e.seq || !c.start.Equal(e.start) {
		t.Fatalf("after cancelling: %+v (before %+v)", c, e)
	}
	if ev2[s2.ID+"@practice.example.test"].seq != ev1[s2.ID+"@practice.example.test"].seq {
		t.Fatal("an unchanged session's SEQUENCE moved")
	}

	// Every fetch is audited, naming the practitioner.
	n := 0
	if err := f.a.DB().View(ctx, func(tx store.Tx) error {
		es, err := tx.ListAudit(ctx, store.AuditFilter{})
		for _, e := range es {
			if e.Action == "calendar.feed_read" {
				n++
				if e.Actor != f.pract.UserID || e.Target != f.pract.UserID {
					t.Errorf("audit entry %+v", e)
				}
			}
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Fatalf("%d audited fetches, want 2", n)
	}

	// Status, rotation, revocation; clients and admins have no feed.
	st, err := f.a.Calendars.CalendarFeedStatus(ctx, f.pract)
	if err != nil || !st.Active || st.Token != "" {
		t.Fatalf("status %+v, %v", st, err)
	}
	rotated, err := f.a.Calendars.CreateCalendarFeed(ctx, f.pract)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.a.Calendars.CalendarFeedICS(ctx, feed.Token); holdspace.ErrorReason(err) != "feed_unknown" {
		t.Fatalf("the rotated-out URL: %v", err)
	}
	fetch(rotated.Token)
	if err := f.a.Calendars.RevokeCalendarFeed(ctx, f.pract); err != nil {
		t.Fatal(err)
	}
	if _, err := f.a.Calendars.CalendarFeedICS(ctx, rotated.Token); holdspace.ErrorCode(err) != holdspace.ENOTFOUND {
		t.Fatalf("a revoked URL: %v", err)
	}
	if st, _ := f.a.Calendars.CalendarFeedStatus(ctx, f.pract); st.Active {
		t.Fatal("still active after revoking")
	}
	for _, ac := range []Actor{f.client, f.admin} {
		if _, err := f.a.Calendars.CreateCalendarFeed(ctx, ac); holdspace.ErrorCode(err) != holdspace.EFORBIDDEN {
			t.Fatalf("%s made a feed: %v", ac.Role, err)
		}
	}
	// A practitioner taken off the client loses the client's sessions.
	again, err := f.a.Calendars.CreateCalendarFeed(ctx, f.pract)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.a.People.AssignPractitioners(ctx, System, f.client.UserID, []string{}); err != nil {
		t.Fatal(err)
	}
	if evs := feedEvents(t, fetch(again.Token)); len(evs) != 0 {
		t.Fatalf("%d events of a client no longer assigned", len(evs))
	}
}

// TestCalendarFeedRateLimited: a feed fetched in a tight loop is slowed.
func TestCalendarFeedRateLimited(t *testing.T) {
	f := newMailFixture(t, nil)
	ctx := context.Background()
	feed, err := f.a.Calendars.CreateCalendarFeed(ctx, f.pract)
	if err != nil {
		t.Fatal(err)
	}
	var limited error
	for range 40 {
		if _, err := f.a.Calendars.CalendarFeedICS(ctx, feed.Token); err != nil {
			limited = err
			break
		}
	}
	var rl *RateLimitedError
	if holdspace.ErrorCode(limited) != holdspace.ERATELIMITED || !errorsAs(limited, &rl) || rl.RetryAfter <= 0 {
		t.Fatalf("40 fetches at once: %v", limited)
	}
	f.clk.advance(time.Hour)
	if _, err := f.a.Calendars.CalendarFeedICS(ctx, feed.Token); err != nil {
		t.Fatalf("after an hour: %v", err)
	}
}

// TestSessionICS: a client downloads their own session as a one-event file
// that parses, with the same UID as the practitioner's feed; no one else
// can.
func TestSessionICS(t *testing.T) {
	f := newMailFixture(t, nil)
	ctx := context.Background()
	s := f.book(t, 3*time.Hour)
	b, err := f.a.Calendars.SessionICS(ctx, f.client, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	evs := feedEvents(t, b)
	e, ok := evs[s.ID+"@practice.example.test"]
	if len(evs) != 1 || !ok || e.summary != "Session with Pat Practitioner" || !e.start.Equal(s.StartsAt) {
		t.Fatalf("events %+v", evs)
	}
	assertNothingSensitive(t, "session file", strings.ReplaceAll(string(b), "\r\n ", ""))
	if _, err := f.a.Calendars.SessionICS(ctx, f.pract, s.ID); holdspace.ErrorCode(err) != holdspace.EFORBIDDEN {
		t.Fatalf("practitioner: %v", err)
	}
	other, err := f.a.People.CreateClient(ctx, System, ClientInput{Name: "Other One", Email: "o@example.test", BirthDate: "1980-01-01"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.a.Calendars.SessionICS(ctx, Actor{UserID: other, Role: holdspace.RoleClient}, s.ID); holdspace.ErrorCode(err) != holdspace.ENOTFOUND {
		t.Fatalf("another client: %v", err)
	}
}
