package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"holdspace/app"
	"holdspace/localtime"
	"holdspace/practice"
	"holdspace/server"
)

// newZonedEnv is an env whose practice is in zone and whose clock reads now.
func newZonedEnv(t *testing.T, zone string, now time.Time) *env {
	t.Helper()
	e := newEnvWith(t, func(c *app.Config) { c.Now = func() time.Time { return now } }, server.Config{})
	s := practice.DefaultSettings()
	s.TimeZone = zone
	if _, err := e.app.Practice.PutPracticeSettings(context.Background(), e.admin, s); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) book(at time.Time) string {
	e.t.Helper()
	s, err := e.app.Sessions.CreateSession(context.Background(), e.pract, app.SessionInput{ClientID: e.alex.UserID, Intent: "therapeutic", StartsAt: at.Format(time.RFC3339)})
	if err != nil {
		e.t.Fatal(err)
	}
	return s.ID
}

// section returns the HTML of the console's card whose heading id is id.
func section(t *testing.T, page, id string) string {
	t.Helper()
	i := strings.Index(page, `id="`+id+`"`)
	if i < 0 {
		t.Fatalf("no section %s on the page:\n%s", id, page)
	}
	rest := page[i:]
	if j := strings.Index(rest, "</section>"); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// TestConsoleTodayInPracticeZone: a practice in Los Angeles at noon PST
// sees its afternoon sessions, 21:15 UTC and 01:00 UTC the next UTC day,
// under Today at 13:15 PST and 17:00 PST; 01:00 PST tomorrow is Coming up.
func TestConsoleTodayInPracticeZone(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 20, 0, 0, 0, time.UTC) // 12:00 PST
	e := newZonedEnv(t, "America/Los_Angeles", now)
	afternoon := e.book(time.Date(2026, 12, 1, 21, 15, 0, 0, time.UTC))
	evening := e.book(time.Date(2026, 12, 2, 1, 0, 0, 0, time.UTC))
	tomorrow := e.book(time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC))

	b := e.browser()
	b.login("robin@example.test")
	if resp := b.get("/console"); resp.StatusCode != http.StatusOK {
		t.Fatalf("console: %d\n%s", resp.StatusCode, b.last)
	}
	today, later := section(t, b.last, "h-today"), section(t, b.last, "h-later")
	for _, want := range []string{"/sessions/" + afternoon, "Tue 1 Dec 2026, 13:15 PST", "/sessions/" + evening, "Tue 1 Dec 2026, 17:00 PST"} {
		if !strings.Contains(today, want) {
			t.Errorf("Today lacks %q:\n%s", want, today)
		}
	}
	if strings.Contains(today, "/sessions/"+tomorrow) {
		t.Errorf("tomorrow's 01:00 PST session is under Today:\n%s", today)
	}
	if !strings.Contains(later, "/sessions/"+tomorrow) || !strings.Contains(later, "Wed 2 Dec 2026, 01:00 PST") {
		t.Errorf("Coming up lacks tomorrow's session at 01:00 PST:\n%s", later)
	}
	if strings.Contains(later, "/sessions/"+evening) {
		t.Errorf("the 17:00 PST session is under Coming up:\n%s", later)
	}
	if strings.Contains(b.last, " UTC") {
		t.Errorf("the console still shows UTC times:\n%s", b.last)
	}

	// A practitioner who chose Berlin sees the same sessions in CET, on
	// Berlin's day (21:00 CET now: only the 22:15 CET one is today).
	if _, err := e.app.People.SetTimeZone(context.Background(), e.pract, "Europe/Berlin"); err != nil {
		t.Fatal(err)
	}
	b.get("/console")
	today, later = section(t, b.last, "h-today"), section(t, b.last, "h-later")
	if !strings.Contains(today, "Tue 1 Dec 2026, 22:15 CET") || strings.Contains(today, "/sessions/"+evening) {
		t.Errorf("Berlin's today:\n%s", today)
	}
	if !strings.Contains(later, "Wed 2 Dec 2026, 02:00 CET") || !strings.Contains(later, "Wed 2 Dec 2026, 10:00 CET") {
		t.Errorf("Berlin's coming up:\n%s", later)
	}
}

var choiceRE = regexp.MustCompile(`name="starts_at_choice" value="(earlier|later)"[^>]*>\s*([^<]*)</label>`)

// TestBookingFormLocalTime: the booking form takes the practice's wall
// clock; a time the clocks skip is refused with a 400 and nothing written,
// one that happens twice shows both choices and books the one chosen.
func TestBookingFormLocalTime(t *testing.T) {
	t.Parallel()
	e := newZonedEnv(t, "America/Los_Angeles", time.Date(2026, 3, 1, 18, 0, 0, 0, time.UTC))
	b := e.browser()
	b.login("robin@example.test")
	file := "/clients/" + e.alex.UserID
	if resp := b.get(file); resp.StatusCode != http.StatusOK {
		t.Fatalf("client file: %d", resp.StatusCode)
	}
	la, _ := time.LoadLocation("America/Los_Angeles")
	if !strings.Contains(b.last, "Starts at (America/Los_Angeles ("+localtime.Abbrev(time.Now(), la)+"))") || strings.Contains(b.last, "(UTC)") {
		t.Fatalf("the form does not say its zone:\n%s", section(t, b.last, "h-book"))
	}
	if !strings.Contains(b.last, `value="2026-03-01T11:00"`) {
		t.Errorf("the default start is not the next full hour in LA (11:00 PST):\n%s", section(t, b.last, "h-book"))
	}
	sessions := func() []app.SessionView {
		ss, err := e.app.Sessions.ListSessions(context.Background(), e.pract, e.alex.UserID, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		return ss
	}
	form := func(starts, choice string) url.Values {
		v := url.Values{"starts_at": {starts}, "duration_minutes": {"60"}, "intent": {"therapeutic"}}
		if choice != "" {
			v.Set("starts_at_choice", choice)
		}
		return v
	}

	// 02:30 on 8 March does not exist in Los Angeles.
	resp := b.post(file+"/sessions", form("2026-03-08T02:30", "later"))
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a skipped time: %d, want 400", resp.StatusCode)
	}
	if !strings.Contains(b.last, "does not exist in America/Los_Angeles") || !strings.Contains(b.last, "02:00 PST") || !strings.Contains(b.last, "03:00 PDT") {
		t.Errorf("the refusal does not say why:\n%s", section(t, b.last, "h-book"))
	}
	if ss := sessions(); len(ss) != 0 {
		t.Fatalf("a refused time booked %d sessions", len(ss))
	}

	// 01:30 on 1 November happens twice: the form asks which.
	b.get(file)
	resp = b.post(file+"/sessions", form("2026-11-01T01:30", ""))
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("an ambiguous time: %d, want 400", resp.StatusCode)
	}
	m := choiceRE.FindAllStringSubmatch(b.last, -1)
	if len(m) != 2 || m[0][1] != "earlier" || !strings.HasPrefix(m[0][2], "01:30 PDT") || m[1][1] != "later" || !strings.HasPrefix(m[1][2], "01:30 PST") {
		t.Fatalf("the form does not offer both readings: %q\n%s", m, section(t, b.last, "h-book"))
	}
	if !strings.Contains(b.last, `value="2026-11-01T01:30"`) {
		t.Errorf("the typed time is not kept")
	}
	if ss := sessions(); len(ss) != 0 {
		t.Fatalf("an ambiguous time booked %d sessions", len(ss))
	}
	resp = b.post(file+"/sessions", form("2026-11-01T01:30", "later"))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("with a choice: %d\n%s", resp.StatusCode, b.last)
	}
	ss := sessions()
	if len(ss) != 1 || !ss[0].StartsAt.Equal(time.Date(2026, 11, 1, 9, 30, 0, 0, time.UTC)) {
		t.Fatalf("booked %+v, want one session at 09:30 UTC (01:30 PST)", ss)
	}
	b.get("/sessions/" + ss[0].ID)
	if !strings.Contains(b.last, "Sun 1 Nov 2026, 01:30 PST") {
		t.Errorf("the session page does not show 01:30 PST")
	}

	// A plain local time (a full hour, as the form offers) is stored as its
	// UTC instant.
	b.get(file)
	if resp := b.post(file+"/sessions", form("2026-03-02T13:00", "")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("plain time: %d\n%s", resp.StatusCode, b.last)
	}
	found := false
	for _, s := range sessions() {
		found = found || s.StartsAt.Equal(time.Date(2026, 3, 2, 21, 0, 0, 0, time.UTC))
	}
	if !found {
		t.Fatalf("13:00 PST was not stored as 21:00 UTC: %+v", sessions())
	}
}

// TestAccountTimeZone: a person chooses their own zone or the practice's
// on the Account page; an unknown one is refused and nothing changes.
func TestAccountTimeZone(t *testing.T) {
	t.Parallel()
	e := newZonedEnv(t, "America/Los_Angeles", time.Date(2026, 12, 1, 20, 0, 0, 0, time.UTC))
	b := e.browser()
	b.login("alex@example.test")
	b.get("/account")
	la, _ := time.LoadLocation("America/Los_Angeles")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	// The zone's name carries its abbreviation of the day the test runs.
	if !strings.Contains(b.last, "Times are shown in America/Los_Angeles ("+localtime.Abbrev(time.Now(), la)+"), the practice") {
		t.Fatalf("account page:\n%s", section(t, b.last, "h-tz"))
	}
	resp := b.post("/account/time-zone", url.Values{"use": {"own"}, "time_zone": {"Europe/Nowhere"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(b.last, "not a known IANA time zone") || !strings.Contains(b.last, `value="Europe/Nowhere"`) {
		t.Fatalf("unknown zone: %d\n%s", resp.StatusCode, section(t, b.last, "h-tz"))
	}
	if p, _ := e.app.People.Me(context.Background(), e.alex); p.TimeZone != "" {
		t.Fatalf("a refused zone was saved: %q", p.TimeZone)
	}
	resp = b.post("/account/time-zone", url.Values{"use": {"own"}, "time_zone": {"Europe/Berlin"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("choose Berlin: %d\n%s", resp.StatusCode, b.last)
	}
	b.get("/account")
	if !strings.Contains(b.last, "Times are shown in Europe/Berlin ("+localtime.Abbrev(time.Now(), berlin)+").") {
		t.Fatalf("after choosing:\n%s", section(t, b.last, "h-tz"))
	}
	b.post("/account/time-zone", url.Values{"use": {"practice"}, "time_zone": {"Europe/Berlin"}})
	if p, _ := e.app.People.Me(context.Background(), e.alex); p.TimeZone != "" || p.Zone != "America/Los_Angeles" {
		t.Fatalf("back to the practice's: %+v", p)
	}
}
