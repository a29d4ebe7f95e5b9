package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"holdspace/app"
	hspractice "holdspace/practice"
)

// TestClientBooksPractitionerSeesWeek: on a phone the client picks a
// session type, sees the free times in the practice's zone and books the
// first; on a laptop the practitioner finds it in the calendar week, with
// the intake request.
func TestClientBooksPractitionerSeesWeek(t *testing.T) {
	p := startPractice(t)
	ctx := context.Background()
	s := hspractice.DefaultSettings()
	s.TimeZone = "America/Los_Angeles"
	if _, err := p.app.Practice.PutPracticeSettings(ctx, app.System, s); err != nil {
		t.Fatal(err)
	}
	st, err := p.app.Bookings.CreateSessionType(ctx, app.System, app.SessionTypeInput{Name: "Back massage", Intent: "therapeutic",
		DurationMinutes: 60, BufferMinutes: 15, Regions: []string{"upper-back"}})
	if err != nil {
		t.Fatal(err)
	}
	for d := range 7 {
		if _, err := p.app.Bookings.AddAvailability(ctx, p.pract, p.pract.UserID, app.WindowInput{Weekday: d, Start: "09:00", End: "17:00"}); err != nil {
			t.Fatal(err)
		}
	}
	loc, _ := time.LoadLocation("America/Los_Angeles")
	from := time.Now().In(loc).AddDate(0, 0, 1).Format(time.DateOnly)

	phone := newBrowser(t, "client", 390, 844, true)
	login(t, phone, p.url, "alex@example.test")
	run(t, phone, "find free times",
		chromedp.Navigate(p.url+"/me"),
		chromedp.Click(chromedp.CSS(`#book-link`)),
		chromedp.WaitVisible(chromedp.CSS(`#book-search`)),
		chromedp.SetValue(chromedp.CSS(`#bk-type`), st.ID),
		chromedp.SetValue(chromedp.CSS(`#bk-from`), from),
		chromedp.Click(chromedp.CSS(`#bk-show`)),
		chromedp.WaitVisible(chromedp.CSS(`#slots button.slot`)),
	)
	attr, err := chromedp.Run(phone, chromedp.AttributeValue(chromedp.CSS(`#slots button.slot`), "aria-label"))
	if err != nil {
		t.Fatal(err)
	}
	label := attr.Value
	if !strings.HasSuffix(label, "PST") && !strings.HasSuffix(label, "PDT") {
		t.Fatalf("slot label %q does not show the practice's zone", label)
	}
	run(t, phone, "book the first free time",
		chromedp.Click(chromedp.CSS(`#slots button.slot`)),
		chromedp.WaitVisible(chromedp.CSS(`#bookings`)),
	)
	list, err := chromedp.Run(phone, chromedp.Text(chromedp.CSS(`#bookings`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(list, "Back massage with Robin Reyes") {
		t.Fatalf("my bookings: %q", list)
	}
	mine, err := p.app.Bookings.MyBookings(ctx, p.client, time.Time{})
	if err != nil || len(mine) != 1 {
		t.Fatalf("bookings %+v %v", mine, err)
	}
	day := mine[0].StartsAt.In(loc).Format(time.DateOnly)

	laptop := newBrowser(t, "practitioner", 1280, 900, false)
	login(t, laptop, p.url, "robin@example.test")
	run(t, laptop, "see the booking in the week",
		chromedp.Navigate(p.url+"/console"),
		chromedp.WaitVisible(chromedp.CSS(`#intake-requests`)),
		chromedp.Navigate(p.url+"/calendar?start="+day),
		chromedp.WaitVisible(chromedp.CSS(`section[data-date="`+day+`"] li.booking`)),
	)
	week, err := chromedp.Run(laptop, chromedp.Text(chromedp.CSS(`section[data-date="`+day+`"]`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(week, "Alex Moreau") || !strings.Contains(week, "intake requested") || !strings.Contains(week, "Back massage") {
		t.Fatalf("the week shows %q", week)
	}
}
