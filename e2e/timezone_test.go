package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"holdspace/app"
	"holdspace/localtime"
	practices "holdspace/practice"
)

// TestPracticeDayInLosAngeles: in a browser, a practitioner of a practice
// in America/Los_Angeles sees a session starting now under Today at its
// Los Angeles time with the zone's abbreviation, and books 01:30 on the
// night the clocks go back by choosing which of the two 01:30s is meant.
func TestPracticeDayInLosAngeles(t *testing.T) {
	p := startPractice(t)
	ctx := context.Background()
	s := practices.DefaultSettings()
	s.TimeZone = "America/Los_Angeles"
	if _, err := p.app.Practice.PutPracticeSettings(ctx, app.System, s); err != nil {
		t.Fatal(err)
	}
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Minute)
	if _, err := p.app.Sessions.CreateSession(ctx, p.pract, app.SessionInput{ClientID: p.client.UserID, Intent: "therapeutic", StartsAt: now.Format(time.RFC3339)}); err != nil {
		t.Fatal(err)
	}
	laptop := newBrowser(t, "practitioner", 1280, 900, false)
	login(t, laptop, p.url, "robin@example.test")
	run(t, laptop, "open the console", chromedp.Navigate(p.url+"/console"), chromedp.WaitVisible(chromedp.CSS(`#h-today`)))
	today, err := chromedp.Run(laptop, chromedp.Evaluate[string](`document.getElementById('h-today').parentElement.innerText`))
	if err != nil {
		t.Fatal(err)
	}
	if want := localtime.DateTime(now, la); !strings.Contains(today, want) {
		t.Fatalf("Today shows %q; want the session at %q", today, want)
	}
	if abbr := localtime.Abbrev(now, la); abbr != "PST" && abbr != "PDT" {
		t.Fatalf("abbreviation %q", abbr)
	}

	run(t, laptop, "book 01:30 on the night the clocks go back",
		chromedp.Navigate(p.url+"/clients/"+p.client.UserID),
		chromedp.WaitVisible(chromedp.CSS(`#b-start`)),
	)
	if _, err := chromedp.Run(laptop, chromedp.Evaluate[string](`document.getElementById('b-start').value = '2026-11-01T01:30'`)); err != nil {
		t.Fatal(err)
	}
	run(t, laptop, "submit and be asked which 01:30",
		chromedp.Click(chromedp.CSS(`#h-book ~ form button.primary`)),
		chromedp.WaitVisible(chromedp.CSS(`#b-start-choice`)),
	)
	choices, err := chromedp.Run(laptop, chromedp.Evaluate[string](`document.getElementById('b-start-choice').innerText`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(choices, "01:30 PDT") || !strings.Contains(choices, "01:30 PST") {
		t.Fatalf("the form offers %q; want both 01:30 PDT and 01:30 PST", choices)
	}
	run(t, laptop, "choose the second 01:30 and book",
		chromedp.Click(chromedp.CSS(`input[name=starts_at_choice][value=later]`)),
		chromedp.Click(chromedp.CSS(`#h-book ~ form button.primary`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	ss, err := p.app.Sessions.ListSessions(ctx, p.pract, p.client.UserID, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 1 || !ss[0].StartsAt.Equal(time.Date(2026, 11, 1, 9, 30, 0, 0, time.UTC)) {
		t.Fatalf("booked %+v; want one session at 09:30 UTC (01:30 PST)", ss)
	}
}
