package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"holdspace"

	"github.com/chromedp/chromedp"

	"holdspace/app"
	"holdspace/catalogue"
	"holdspace/consent"
	hspractice "holdspace/practice"
)

// inProgress books, opens, re-confirms and begins a therapeutic session of
// client with p's practitioner, through the app.
func (p *practice) inProgress(t *testing.T, client app.Actor) string {
	t.Helper()
	ctx := context.Background()
	s, err := p.app.Sessions.CreateSession(ctx, p.pract, app.SessionInput{ClientID: client.UserID, PractitionerID: p.pract.UserID,
		Intent: "therapeutic", StartsAt: time.Now().UTC().Format(time.RFC3339)})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range []struct {
		ac app.Actor
		in app.EventInput
	}{{p.pract, app.EventInput{Type: "open"}}, {client, app.EventInput{Type: "reconfirm"}}, {p.pract, app.EventInput{Type: "begin"}}} {
		if _, err := p.app.Sessions.AppendEvent(ctx, ev.ac, s.ID, ev.in); err != nil {
			t.Fatalf("%s: %v", ev.in.Type, err)
		}
	}
	return s.ID
}

func signAgreement(t *testing.T, a *app.Services, client app.Actor, grants ...consent.Grant) string {
	t.Helper()
	ctx := context.Background()
	ag, err := a.Agreements.CreateAgreement(ctx, client, client.UserID, app.AgreementInput{Intent: "therapeutic", Grants: grants})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Agreements.SignAgreement(ctx, client, ag.ID, app.SignInput{}); err != nil {
		t.Fatal(err)
	}
	return ag.ID
}

// TestGuardianConsentFlow: a 14-year-old's body map offers no intimate,
// internal or sensual work; their signed therapeutic agreement denies
// guardian_consent_required until the practitioner records the guardian's
// consent in person, on the agreement page, with the guardian's typed name.
func TestGuardianConsentFlow(t *testing.T) {
	p := startPractice(t)
	ctx := context.Background()
	kidID, err := p.app.People.CreateClient(ctx, app.System, app.ClientInput{Name: "Kit Young", Email: "kit@example.test", Password: password,
		BirthDate: time.Now().UTC().AddDate(-14, 0, 0).Format(time.DateOnly), Anatomy: catalogue.Anatomy{Prostate: true},
		PractitionerIDs: []string{p.pract.UserID}})
	if err != nil {
		t.Fatal(err)
	}
	kid := app.Actor{UserID: kidID, Role: holdspace.RoleClient, Device: "test"}
	// Even with sensual work offered by the practice, a minor is offered none.
	s, err := p.app.Practice.PracticeSettings(ctx, app.System)
	if err != nil {
		t.Fatal(err)
	}
	s.SensualOffered = true
	if _, err := p.app.Practice.PutPracticeSettings(ctx, app.System, s.Settings); err != nil {
		t.Fatal(err)
	}

	phone := newBrowser(t, "client", 390, 844, true)
	login(t, phone, p.url, "kit@example.test")
	run(t, phone, "open the body map", chromedp.Navigate(p.url+"/consent"), chromedp.WaitVisible(chromedp.CSS(`#r-shoulders`)))
	offered, err := chromedp.Run(phone, chromedp.Evaluate[string](`['genitals','perineum','anus','rectum','prostate','shoulders'].filter(function(r){ return document.getElementById('r-'+r) !== null; }).join(',') + '|' + (document.querySelector('input[name=intent][value=sensual]') !== null)`))
	if err != nil {
		t.Fatal(err)
	}
	if offered != "shoulders|false" {
		t.Fatalf("the minor's body map offers %q", offered)
	}

	ag := signAgreement(t, p.app, kid, consent.Grant{Region: "shoulders", Technique: "massage", Answer: catalogue.Yes})
	sid := p.inProgress(t, kid)
	if d, err := p.app.Decisions.Decide(ctx, p.pract, app.DecideInput{SessionID: sid, Region: "shoulders", Technique: "massage"}); err != nil ||
		d.Outcome != consent.Deny || !d.Has(consent.CodeGuardianConsentRequired) {
		t.Fatalf("before the guardian: %v %v", d.Outcome, err)
	}

	laptop := newBrowser(t, "practitioner", 1280, 900, false)
	login(t, laptop, p.url, "robin@example.test")
	run(t, laptop, "a typed name that does not match is refused",
		chromedp.Navigate(p.url+"/agreements/"+ag),
		chromedp.WaitVisible(chromedp.CSS(`#guardian`)),
		chromedp.SendKeys(chromedp.CSS(`#g-name`), "Morgan Young"),
		chromedp.SendKeys(chromedp.CSS(`#g-rel`), "parent"),
		chromedp.SendKeys(chromedp.CSS(`#g-typed`), "Somebody Else"),
		chromedp.Click(chromedp.CSS(`#guardian button.primary`)),
		chromedp.WaitVisible(chromedp.CSS(`#guardian .has-error #g-typed`)),
	)
	run(t, laptop, "the guardian types their own name",
		chromedp.SendKeys(chromedp.CSS(`#g-name`), "Morgan Young"),
		chromedp.SendKeys(chromedp.CSS(`#g-rel`), "parent"),
		chromedp.SendKeys(chromedp.CSS(`#g-typed`), "Morgan Young"),
		chromedp.Click(chromedp.CSS(`#guardian button.primary`)),
		chromedp.WaitVisible(chromedp.CSS(`#guardian-recorded`)),
	)
	if n, err := chromedp.Run(laptop, chromedp.Evaluate[int](`document.querySelectorAll('#guardian').length`)); err != nil || n != 0 {
		t.Fatalf("the guardian form is still offered: %d %v", n, err)
	}
	gs, err := p.app.Agreements.Guardians(ctx, p.pract, kidID)
	if err != nil || len(gs) != 1 || gs[0].Name != "Morgan Young" || gs[0].Relationship != "parent" {
		t.Fatalf("guardians: %+v %v", gs, err)
	}
	if d, err := p.app.Decisions.Decide(ctx, p.pract, app.DecideInput{SessionID: sid, Region: "shoulders", Technique: "massage"}); err != nil || d.Outcome != consent.Permit {
		t.Fatalf("with the guardian: %v %v", d.Outcome, err)
	}
}

// TestFollowUpPrompt: after a session with emotional release, the
// practitioner's Today page lists the follow-up; the client's portal asks
// "How have you been since your session?"; the answer (0–10 and a note)
// lands in the client file and the follow-up leaves Today.
func TestFollowUpPrompt(t *testing.T) {
	p := startPractice(t)
	ctx := context.Background()
	signAgreement(t, p.app, p.client, consent.Grant{Region: "shoulders", Technique: "massage", Answer: catalogue.Yes})
	sid := p.inProgress(t, p.client)
	five := 5
	for _, in := range []app.EventInput{
		{Type: string(hspractice.EventEmotionalRelease), Intensity: &five, Text: "tears, then calm"},
		{Type: string(hspractice.EventClose), Close: &hspractice.CloseNotes{Subjective: "moved", PainBefore: 4, PainAfter: 2}},
	} {
		if _, err := p.app.Sessions.AppendEvent(ctx, p.pract, sid, in); err != nil {
			t.Fatalf("%s: %v", in.Type, err)
		}
	}

	laptop := newBrowser(t, "practitioner", 1280, 900, false)
	login(t, laptop, p.url, "robin@example.test")
	run(t, laptop, "Today lists the follow-up", chromedp.Navigate(p.url+"/console"), chromedp.WaitVisible(chromedp.CSS(`#followups li.followup-due`)))
	txt, err := chromedp.Run(laptop, chromedp.Text(chromedp.CSS(`#followups`)))
	if err != nil || !strings.Contains(txt, "Alex Moreau") || !strings.Contains(txt, "emotional-release") {
		t.Fatalf("Today's follow-ups: %q %v", txt, err)
	}

	phone := newBrowser(t, "client", 390, 844, true)
	login(t, phone, p.url, "alex@example.test")
	run(t, phone, "the portal asks how the client has been",
		chromedp.Navigate(p.url+"/me"),
		chromedp.WaitVisible(chromedp.CSS(`.followup`)),
	)
	q, err := chromedp.Run(phone, chromedp.Text(chromedp.CSS(`.followup h2`)))
	if err != nil || q != "How have you been since your session?" {
		t.Fatalf("the prompt reads %q (%v)", q, err)
	}
	run(t, phone, "answer 7 with a note",
		chromedp.Click(chromedp.CSS(`.followup input[name=wellbeing][value="7"]`)),
		chromedp.SendKeys(chromedp.CSS(`.followup textarea[name=note]`), "tired the next day, fine now"),
		chromedp.Click(chromedp.CSS(`.followup button.primary`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	if n, err := chromedp.Run(phone, chromedp.Evaluate[int](`document.querySelectorAll('.followup').length`)); err != nil || n != 0 {
		t.Fatalf("the prompt is still shown: %d %v", n, err)
	}
	run(t, laptop, "the client file shows the answer",
		chromedp.Navigate(p.url+"/clients/"+p.client.UserID),
		chromedp.WaitVisible(chromedp.CSS(`#client-followups`)),
	)
	txt, err = chromedp.Run(laptop, chromedp.Text(chromedp.CSS(`#client-followups`)))
	if err != nil || !strings.Contains(txt, "7 / 10") || !strings.Contains(txt, "tired the next day, fine now") {
		t.Fatalf("client file follow-ups: %q %v", txt, err)
	}
	run(t, laptop, "Today no longer lists it", chromedp.Navigate(p.url+"/console"), chromedp.WaitVisible(chromedp.CSS(`#followups`)))
	if n, err := chromedp.Run(laptop, chromedp.Evaluate[int](`document.querySelectorAll('#followups li').length`)); err != nil || n != 0 {
		t.Fatalf("Today still lists %d follow-ups (%v)", n, err)
	}
	evs, err := p.app.Sessions.ListEvents(ctx, p.pract, sid)
	if err != nil {
		t.Fatal(err)
	}
	last := evs[len(evs)-1]
	if last.Type != hspractice.EventFollowUp || last.Wellbeing == nil || *last.Wellbeing != 7 || last.ActorRole != holdspace.RoleClient {
		t.Fatalf("the answer is not the session's last event: %+v", last)
	}
}
