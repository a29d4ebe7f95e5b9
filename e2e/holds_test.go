package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"holdspace"
	"holdspace/app"
	"holdspace/catalogue"
	"holdspace/consent"
	hspractice "holdspace/practice"
	"holdspace/screening"
)

var practiceChaperone = hspractice.Chaperone{Offered: true}

// holdsIntake is an intake with nothing to flag.
const holdsIntake = `{"fever":false,"dvt":false,"anticoagulants":false,"recent-surgery":false,"cancer-treatment":false,
	"hypertension-unstable":false,"stroke-recent":false,"prostatitis-symptoms":false,"prostate-cancer":false,
	"prostate-procedure-healing":false,"rectal-bleeding":false,"anal-acute":false,"anorectal-disease":false,
	"prolapse-repair":false,"seed-implants":false,"sti-active":false,"immunosuppressed":false,"latex-allergy":false,
	"trauma-history":"no"}`

// consented gives the client a clear screening and a signed agreement.
func (p *practice) consented(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	if _, err := p.app.Screenings.SubmitScreening(ctx, p.client, p.client.UserID, app.ScreeningInput{Answers: []byte(holdsIntake)}); err != nil {
		t.Fatal(err)
	}
	var grants []consent.Grant
	for _, r := range []string{"shoulders", "anal-canal", "rectum", "prostate"} {
		grants = append(grants, consent.Grant{Region: r, Technique: "massage", Answer: catalogue.Yes})
	}
	ag, err := p.app.Agreements.CreateAgreement(ctx, p.client, p.client.UserID, app.AgreementInput{Intent: "therapeutic", Grants: grants})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.app.Agreements.SignAgreement(ctx, p.client, ag.ID, app.SignInput{}); err != nil {
		t.Fatal(err)
	}
}

func (p *practice) book(t *testing.T, events ...string) string {
	t.Helper()
	ctx := context.Background()
	s, err := p.app.Sessions.CreateSession(ctx, p.pract, app.SessionInput{ClientID: p.client.UserID, Intent: "therapeutic",
		StartsAt: time.Now().UTC().Format(time.RFC3339)})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range events {
		who := p.pract
		if ev == "reconfirm" {
			who = p.client
		}
		in := app.EventInput{Type: ev}
		if ev == "chaperone" {
			in.Chaperone = &practiceChaperone
		}
		if _, err := p.app.Sessions.AppendEvent(ctx, who, s.ID, in); err != nil {
			t.Fatalf("%s: %v", ev, err)
		}
	}
	return s.ID
}

// TestStopBeforeTheStart: the client's page shows STOP while the session is
// open, before and after re-confirming; a STOP there is kept, and the
// practitioner cannot begin until the client confirms again.
func TestStopBeforeTheStart(t *testing.T) {
	p := startPractice(t)
	p.consented(t)
	ctx := context.Background()
	sid := p.book(t, "open")
	phone := newBrowser(t, "client", 390, 844, true)
	login(t, phone, p.url, "alex@example.test")
	run(t, phone, "STOP is there before re-confirming",
		chromedp.Navigate(p.url+"/sessions/"+sid),
		chromedp.WaitVisible(chromedp.CSS(`#stop`)),
		chromedp.WaitVisible(chromedp.CSS(`#reconfirm`)),
		chromedp.Click(chromedp.CSS(`#reconfirm`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	run(t, phone, "STOP is still there after re-confirming, and holds when pressed",
		chromedp.WaitVisible(chromedp.CSS(`#stop`)),
		chromedp.Click(chromedp.CSS(`#stop`)),
		chromedp.WaitVisible(chromedp.CSS(`#refused`)),
		chromedp.WaitVisible(chromedp.CSS(`#reconfirm`)),
	)
	shot(t, phone, "client-refused")
	_, err := p.app.Sessions.AppendEvent(ctx, p.pract, sid, app.EventInput{Type: "begin"})
	if holdspace.ErrorReason(err) != "reconfirm_required" {
		t.Fatalf("begin after the client's STOP: %v", err)
	}
	_, err = p.app.Sessions.AppendEvent(ctx, p.pract, sid, app.EventInput{Type: "reconfirm"})
	if holdspace.ErrorReason(err) != "client_reconfirm_required" {
		t.Fatalf("the practitioner re-confirming for the client: %v", err)
	}
}

// TestHomeStopStopsEverything: the STOP on the client's home stops the
// session under way.
func TestHomeStopStopsEverything(t *testing.T) {
	p := startPractice(t)
	p.consented(t)
	ctx := context.Background()
	sid := p.book(t, "open", "reconfirm", "chaperone", "begin")
	phone := newBrowser(t, "client", 390, 844, true)
	login(t, phone, p.url, "alex@example.test")
	run(t, phone, "press STOP on the home page",
		chromedp.Navigate(p.url+"/me"),
		chromedp.WaitVisible(chromedp.CSS(`#stop-all`)),
		chromedp.Click(chromedp.CSS(`#stop-all`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	s, err := p.app.Sessions.GetSession(ctx, p.client, sid)
	if err != nil || s.State != "stopped" {
		t.Fatalf("after the home STOP: %s %v", s.State, err)
	}
	d, err := p.app.Decisions.Decide(ctx, p.pract, app.DecideInput{SessionID: sid, Region: "prostate", Technique: "massage"})
	if err != nil || d.Outcome != consent.Deny || !d.Has(consent.CodeStopped) {
		t.Fatalf("decision after the home STOP: %v %v %v", d.Outcome, d.Reasons(), err)
	}
}

// TestConsentNoticesAndPassage: a version the practitioner made is shown
// on the client's next visit until they say they have seen it, and the
// body map explains the passage where the prostate is chosen.
func TestConsentNoticesAndPassage(t *testing.T) {
	p := startPractice(t)
	ctx := context.Background()
	if _, err := p.app.Agreements.CreateAgreement(ctx, p.pract, p.client.UserID, app.AgreementInput{Intent: "therapeutic",
		Grants: []consent.Grant{{Region: "shoulders", Technique: "massage", Answer: catalogue.Yes}}}); err != nil {
		t.Fatal(err)
	}
	phone := newBrowser(t, "client", 390, 844, true)
	login(t, phone, p.url, "alex@example.test")
	run(t, phone, "see the notice",
		chromedp.Navigate(p.url+"/me"),
		chromedp.WaitVisible(chromedp.CSS(`#notices`)),
	)
	text, err := chromedp.Run(phone, chromedp.Text(chromedp.CSS(`#notices`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "made by Robin Reyes") {
		t.Fatalf("the notice does not say who made it: %q", text)
	}
	run(t, phone, "say seen",
		chromedp.Click(chromedp.CSS(`#seen`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	if n, err := chromedp.Run(phone, chromedp.Evaluate[int](`document.querySelectorAll('#notices').length`)); err != nil || n != 0 {
		t.Fatalf("the notice is still shown: %d %v", n, err)
	}
	run(t, phone, "the history keeps it",
		chromedp.Navigate(p.url+"/agreements"),
		chromedp.WaitVisible(chromedp.CSS(`#history .by-other`)),
	)
	run(t, phone, "choose the prostate on the body map",
		chromedp.Navigate(p.url+"/consent"),
		chromedp.WaitVisible(chromedp.CSS(`.bodymap`)),
		chromedp.Click(chromedp.CSS(`#r-prostate summary`)),
		chromedp.WaitVisible(chromedp.CSS(`#r-prostate #passage-note`)),
	)
	if text, err = chromedp.Run(phone, chromedp.Text(chromedp.CSS(`#passage-note`))); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "anal canal and the rectum") {
		t.Fatalf("the body map does not explain the passage: %q", text)
	}
}

// TestClientConfirmsEnteredScreening: health answers the practitioner
// entered wait for the client's confirmation in their portal, with the
// earlier findings still in force meanwhile.
func TestClientConfirmsEnteredScreening(t *testing.T) {
	p := startPractice(t)
	ctx := context.Background()
	bleeding := strings.Replace(holdsIntake, `"rectal-bleeding":false`, `"rectal-bleeding":true`, 1)
	if _, err := p.app.Screenings.SubmitScreening(ctx, p.client, p.client.UserID, app.ScreeningInput{Answers: []byte(bleeding)}); err != nil {
		t.Fatal(err)
	}
	entered, err := p.app.Screenings.SubmitScreening(ctx, p.pract, p.client.UserID, app.ScreeningInput{Answers: []byte(holdsIntake)})
	if err != nil {
		t.Fatal(err)
	}
	if !entered.AwaitingConfirmation || len(entered.Held) == 0 {
		t.Fatalf("the entered screening: awaiting %v, held %v", entered.AwaitingConfirmation, entered.Held)
	}
	phone := newBrowser(t, "client", 390, 844, true)
	login(t, phone, p.url, "alex@example.test")
	run(t, phone, "see the request on the home page and confirm",
		chromedp.Navigate(p.url+"/me"),
		chromedp.WaitVisible(chromedp.CSS(`#screening-to-confirm`)),
		chromedp.Navigate(p.url+"/screening"),
		chromedp.WaitVisible(chromedp.CSS(`#confirm-screening`)),
		chromedp.WaitVisible(chromedp.CSS(`.held`)),
		chromedp.Click(chromedp.CSS(`#confirm`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	v, _, err := p.app.Screenings.LatestScreening(ctx, p.client, p.client.UserID)
	if err != nil || v.ConfirmedAt == nil || v.AwaitingConfirmation {
		t.Fatalf("after confirming: %+v %v", v.ConfirmedAt, err)
	}
	// The referral still stands until a clearance.
	cur, err := p.app.Screenings.CurrentScreeningOf(ctx, p.pract, p.client.UserID)
	if err != nil {
		t.Fatal(err)
	}
	if cur.Regions["rectum"] != screening.Referral {
		t.Fatalf("rectum after the confirmation: %v", cur.Regions["rectum"])
	}
}
