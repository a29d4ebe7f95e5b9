package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"holdspace/practice"
)

var slotRE = regexp.MustCompile(`name="starts_at" value="([^"]+)"`)

// TestBookingPages: the admin adds a session type, the practitioner their
// hours, the client books a free time from the portal, the practitioner
// sees it (and the intake request) and cancels it from the calendar.
func TestBookingPages(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	s := practice.DefaultSettings()
	s.TimeZone = "America/Los_Angeles"
	if _, err := e.app.Practice.PutPracticeSettings(ctx, e.admin, s); err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("America/Los_Angeles")

	admin := e.browser()
	admin.login("ada@example.test")
	admin.get("/admin/session-types")
	form := url.Values{"csrf": {admin.csrf()}, "name": {"Back massage"}, "intent": {"therapeutic"}, "duration_minutes": {"60"},
		"buffer_minutes": {"15"}, "regions": {"upper-back", "lower-back"}, "active": {"on"}}
	bad := url.Values{"csrf": {admin.csrf()}, "name": {"Odd"}, "intent": {"therapeutic"}, "duration_minutes": {"7"}}
	if resp := admin.post("/admin/session-types", bad); resp.StatusCode != http.StatusBadRequest || !strings.Contains(admin.last, "steps of 5") {
		t.Fatalf("bad type: %d", resp.StatusCode)
	}
	admin.get("/admin/session-types")
	if resp := admin.post("/admin/session-types", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add type: %d\n%s", resp.StatusCode, admin.last)
	}
	types, _ := e.app.Bookings.ListSessionTypes(ctx, e.admin)
	if len(types) != 1 || types[0].BufferMinutes != 15 || len(types[0].Regions) != 2 {
		t.Fatalf("types = %+v", types)
	}
	typeID := types[0].ID

	pract := e.browser()
	pract.login("robin@example.test")
	pract.get("/calendar/availability")
	for d := range 7 {
		pract.get("/calendar/availability")
		resp := pract.post("/calendar/availability", url.Values{"csrf": {pract.csrf()}, "weekday": {strconv.Itoa(d)}, "start": {"09:00"}, "end": {"17:00"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("add window: %d\n%s", resp.StatusCode, pract.last)
		}
	}
	pract.get("/calendar/availability")
	if resp := pract.post("/calendar/availability", url.Values{"csrf": {pract.csrf()}, "weekday": {"1"}, "start": {"16:00"}, "end": {"18:00"}}); resp.StatusCode != http.StatusBadRequest ||
		!strings.Contains(pract.last, "overlaps") {
		t.Fatalf("overlapping window: %d", resp.StatusCode)
	}

	client := e.browser()
	client.login("alex@example.test")
	if resp := client.get("/calendar"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("client on the calendar: %d", resp.StatusCode)
	}
	if resp := pract.get("/book"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("practitioner on the portal's booking page: %d", resp.StatusCode)
	}
	day := time.Now().In(loc).AddDate(0, 0, 2)
	from := day.Format(time.DateOnly)
	if resp := client.get("/book?type=" + typeID + "&practitioner=" + e.pract.UserID + "&from=" + from); resp.StatusCode != http.StatusOK {
		t.Fatalf("book page: %d\n%s", resp.StatusCode, client.last)
	}
	m := slotRE.FindStringSubmatch(client.last)
	if m == nil {
		t.Fatalf("no slots:\n%s", client.last)
	}
	first, _ := time.Parse(time.RFC3339, m[1])
	want := time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, loc)
	if !first.Equal(want) || !strings.Contains(client.last, want.Format("MST")) {
		t.Fatalf("first slot %v, want %v shown with its zone", first, want)
	}
	book := url.Values{"csrf": {client.csrf()}, "type": {typeID}, "practitioner": {e.pract.UserID}, "from": {from}, "starts_at": {m[1]}}
	if resp := client.post("/book", book); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/me/bookings?done=booked" {
		t.Fatalf("book: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), client.last)
	}
	// The same time again: refused with the page, nothing booked twice.
	client.get("/book?type=" + typeID + "&practitioner=" + e.pract.UserID + "&from=" + from)
	if resp := client.post("/book", book); resp.StatusCode != http.StatusConflict || !strings.Contains(client.last, "booked already") {
		t.Fatalf("double booking: %d", resp.StatusCode)
	}
	client.get("/me/bookings")
	if !strings.Contains(client.last, "Back massage with Robin Reyes") || !strings.Contains(client.last, `id="intake-needed"`) {
		t.Fatalf("my bookings:\n%s", client.last)
	}

	pract.get("/console")
	if !strings.Contains(pract.last, `id="intake-requests"`) || !strings.Contains(pract.last, "Alex Moreau") {
		t.Fatalf("Today lacks the intake request:\n%s", pract.last)
	}
	pract.get("/calendar?start=" + from)
	if !strings.Contains(pract.last, "Alex Moreau") || !strings.Contains(pract.last, "intake requested") || !strings.Contains(pract.last, "America/Los_Angeles") {
		t.Fatalf("calendar:\n%s", pract.last)
	}
	mine, err := e.app.Bookings.MyBookings(ctx, e.alex, time.Time{})
	if err != nil || len(mine) != 1 {
		t.Fatalf("bookings %+v %v", mine, err)
	}
	sid := mine[0].SessionID
	// Move it to 14:00 local, then cancel it.
	pract.get("/calendar?start=" + from)
	move := url.Values{"csrf": {pract.csrf()}, "start": {from}, "starts_at": {day.Format("2006-01-02") + "T14:00"}}
	if resp := pract.post("/calendar/"+sid+"/reschedule", move); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("move: %d\n%s", resp.StatusCode, pract.last)
	}
	if got, _ := e.app.Bookings.GetBooking(ctx, e.pract, sid); !got.StartsAt.Equal(time.Date(day.Year(), day.Month(), day.Day(), 14, 0, 0, 0, loc)) {
		t.Fatalf("moved to %v", got.StartsAt)
	}
	pract.get("/calendar?start=" + from)
	if resp := pract.post("/calendar/"+sid+"/no-show", url.Values{"csrf": {pract.csrf()}}); resp.StatusCode != http.StatusConflict {
		t.Fatalf("no-show before the start: %d", resp.StatusCode)
	}
	pract.get("/calendar?start=" + from)
	if resp := pract.post("/calendar/"+sid+"/cancel", url.Values{"csrf": {pract.csrf()}, "start": {from}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("cancel: %d\n%s", resp.StatusCode, pract.last)
	}
	got, _ := e.app.Bookings.GetBooking(ctx, e.pract, sid)
	if got.Status != "cancelled" || got.ChangedRole != "practitioner" {
		t.Fatalf("after cancel %+v", got)
	}
	// Another practitioner cannot act on it.
	other := e.browser()
	other.login("sam@example.test")
	other.get("/calendar")
	if resp := other.post("/calendar/"+sid+"/cancel", url.Values{"csrf": {other.csrf()}}); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("other practitioner cancels: %d", resp.StatusCode)
	}
}
