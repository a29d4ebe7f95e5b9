package e2e

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"holdspace/consent"
)

// acceptLanguage makes every request of the tab say Accept-Language:
// lang, as a browser set to that language does.
func acceptLanguage(lang string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		if _, err := cdp.Call(ctx, t, network.Enable, network.EnableParams{}); err != nil {
			return chromedp.Void{}, err
		}
		_, err := cdp.Call(ctx, t, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": lang}})
		return chromedp.Void{}, err
	}
}

// englishInFlow are words of the client's flow that only the English pages
// use.
var englishInFlow = regexp.MustCompile(`\b(Your|your|Yes|No|Ask me first|Withdraw|withdraw|Sign|sign|Health|health|questions|Step|Back|Next|Save|Front|body|Shoulders|Touch|touch|massage|version|Session|session|STOP|with|work|agreement|Stopped|ready|today|Today)\b`)

// mainWords returns the visible text of the page's <main>, leaving out
// flash messages (issue 17 translates them in the shell's part) so that
// this journey tests the client's pages.
const mainWords = `(function(){
  var m = document.querySelector('main').cloneNode(true);
  m.querySelectorAll('.flash, script, style, [hidden]').forEach(function(e){ e.remove(); });
  return m.innerText;
})()`

// germanDate is a date as German writes it: "Mi., 2. Dez. 2026".
var germanDate = regexp.MustCompile(`\b(Mo|Di|Mi|Do|Fr|Sa|So)\., \d{1,2}\. (Jan|Feb|März|Apr|Mai|Juni|Juli|Aug|Sept|Okt|Nov|Dez)\.? \d{4}\b`)

// inGerman checks that the page's <main> shows every wanted text and no
// English word of the flow.
func inGerman(t *testing.T, ctx context.Context, step string, want ...string) string {
	t.Helper()
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](mainWords))
	if err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s: the page lacks %q:\n%s", step, w, text)
		}
	}
	if m := englishInFlow.FindAllString(text, -1); len(m) > 0 {
		t.Errorf("%s: English words remain %q:\n%s", step, m, text)
	}
	return text
}

// A client whose browser asks for German goes through the health
// questions, the body map, signing, and a session with STOP, all in
// German (issue 17).
func TestGermanClientJourney(t *testing.T) {
	p := startPractice(t)
	ctx := context.Background()
	phone := newBrowser(t, "client", 390, 844, true)
	laptop := newBrowser(t, "practitioner", 1280, 900, false)
	run(t, phone, "a German browser", acceptLanguage("de-DE,de;q=0.9,en;q=0.5"))

	login(t, phone, p.url, "alex@example.test")
	lang, err := chromedp.Run(phone, chromedp.Evaluate[string](`document.documentElement.lang`))
	if err != nil || lang != "de" {
		t.Fatalf("<html lang> = %q (%v), want de", lang, err)
	}
	inGerman(t, phone, "home", "Hallo, Alex Moreau", "Ihre Sitzungen", "Gesundheitsfragen beantworten")

	// The health questions, step by step.
	run(t, phone, "open the health questions", chromedp.Navigate(p.url+"/intake"), chromedp.WaitVisible(chromedp.CSS(`progress`)))
	inGerman(t, phone, "first step", "Gesundheitsfragen", "Schritt 1 von", "Allgemeine Gesundheit",
		"Haben Sie heute Fieber", "Weiter")
	answerIntake(t, phone, func(step int) { inGerman(t, phone, fmt.Sprintf("step %d", step+1), "Schritt") })
	text := inGerman(t, phone, "what the answers mean", "Was Ihre Antworten bedeuten", "Beantwortet am", "Jeder Bereich in Worten")
	if !germanDate.MatchString(text) {
		t.Errorf("no date written the German way on the outcome page:\n%s", text)
	}
	sv, _, err := p.app.Screenings.LatestScreening(ctx, p.client, p.client.UserID)
	if err != nil || sv.Language != "de" {
		t.Fatalf("the screening: language %q, %v", sv.Language, err)
	}

	// The body map: tap, answer, read the summary in German, sign.
	run(t, phone, "tap shoulders and say yes to all",
		chromedp.Navigate(p.url+"/consent"),
		chromedp.WaitVisible(chromedp.CSS(`.bodymap`)),
		chromedp.Click(chromedp.CSS(`.bodymap a.region[data-region="shoulders"] rect`)),
		chromedp.WaitVisible(chromedp.CSS(`#r-shoulders [data-set="yes"]`)),
		chromedp.Click(chromedp.CSS(`#r-shoulders [data-set="yes"]`)),
	)
	inGerman(t, phone, "body map", "Ihre Körperkarte", "Wofür ist die Arbeit?", "Therapeutisch", "Schultern",
		"Ja zu allem", "Bitte erst fragen", "Prüfen und unterschreiben")
	state, err := chromedp.Run(phone, chromedp.Evaluate[string](`document.querySelector('#r-shoulders .r-state').textContent + '|' + document.querySelector('.bodymap a.region[data-region="shoulders"]').getAttribute('aria-label')`))
	if err != nil {
		t.Fatal(err)
	}
	if want := "Ja: Berührung, Massage, tiefer Druck, Hilfsmittel|Schultern: Ja: Berührung, Massage, tiefer Druck, Hilfsmittel"; state != want {
		t.Errorf("the tapped region reads %q, want %q", state, want)
	}
	run(t, phone, "upper back: massage only, then review",
		chromedp.Click(chromedp.CSS(`.bodymap a.region[data-region="upper-back"] rect`)),
		chromedp.WaitVisible(chromedp.CSS(`#r-upper-back [data-set="yes"]`)),
		chromedp.Click(chromedp.CSS(`#r-upper-back [data-set="yes"]`)),
		chromedp.Click(chromedp.CSS(`#r-upper-back input[name="g.upper-back.pressure"][value=ask]`)),
		chromedp.Click(chromedp.CSS(`button[value=review]`)),
		chromedp.WaitVisible(chromedp.CSS(`#sign`)),
	)
	inGerman(t, phone, "check and sign", "Prüfen und unterschreiben", "therapeutische Arbeit",
		"Sie sagen Ja oder „Bitte erst fragen“ zu 2 Bereichen", "Bitte erst fragen: tiefer Druck", "Diese Vereinbarung unterschreiben")
	run(t, phone, "sign", chromedp.Click(chromedp.CSS(`#sign`)), chromedp.WaitVisible(chromedp.CSS(`.revoke-list`)))
	text = inGerman(t, phone, "your consent", "Ihre Einwilligung", "Therapeutische Arbeit, Version 1", "Unterschrieben am",
		"Diese ganze Vereinbarung widerrufen", "Widerrufen")
	if !germanDate.MatchString(text) {
		t.Errorf("no German date on the consent page:\n%s", text)
	}
	ags, err := p.app.Agreements.ListAgreements(ctx, p.client, p.client.UserID)
	if err != nil || len(ags) != 1 || ags[0].Status != consent.StatusActive {
		t.Fatalf("after signing: %+v %v", ags, err)
	}

	// A session: the practitioner (in English) books and opens; the client
	// confirms on their phone in German and presses STOPP.
	login(t, laptop, p.url, "robin@example.test")
	sid := bookAndOpen(t, laptop, p)
	run(t, phone, "the session on the phone", chromedp.Navigate(p.url+"/sessions/"+sid), chromedp.WaitVisible(chromedp.CSS(`#reconfirm`)))
	text = inGerman(t, phone, "is this still right", "Ihre Sitzung", "Passt das heute noch für Sie?", "Ja, das passt für heute",
		"Ich möchte zuerst etwas ändern", "Heute nicht", "STOPP", "Einen Bereich widerrufen")
	if !germanDate.MatchString(text) {
		t.Errorf("the session's date is not written the German way:\n%s", text)
	}
	stop, err := chromedp.Run(phone, chromedp.Evaluate[string](`document.querySelector('#stop').textContent`))
	if err != nil || stop != "STOPP" {
		t.Errorf("the stop button says %q (%v), want STOPP", stop, err)
	}
	run(t, phone, "re-confirm", chromedp.Click(chromedp.CSS(`#reconfirm`)), chromedp.WaitVisible(chromedp.CSS(`#daycheck`)))
	inGerman(t, phone, "today's questions", "Drei kurze Fragen zu heute", "Sind Sie heute klar im Kopf", "Meine Antworten senden")
	run(t, laptop, "record the chaperone and begin",
		chromedp.WaitVisible(chromedp.CSS(`#step-reconfirm.done`)),
		chromedp.Click(chromedp.CSS(`input[name=chaperone][value=declined]`)),
		chromedp.Click(chromedp.CSS(`form.chaperone button`)),
		chromedp.WaitVisible(chromedp.CSS(`#begin`)),
		chromedp.Click(chromedp.CSS(`#begin`)),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-region="shoulders"][data-outcome="permit"]`)),
	)
	run(t, phone, "the session is under way", chromedp.WaitVisible(chromedp.CSS(`.live-state[data-state="in-progress"]`)))
	inGerman(t, phone, "under way", "STOPP", "Ein Tippen stoppt sofort alles. Sie brauchen keinen Grund.")
	run(t, phone, "press STOPP",
		chromedp.Click(chromedp.CSS(`#stop`)),
		chromedp.WaitVisible(chromedp.CSS(`#resume`)),
	)
	inGerman(t, phone, "stopped", "Gestoppt", "Alles ist gestoppt.", "Ich bin bereit weiterzumachen", "Alles widerrufen")
	run(t, laptop, "the console shows the stop", chromedp.WaitVisible(chromedp.CSS(`#live-state[data-state="stopped"]`)))
	d, err := p.app.Sessions.GetSession(ctx, p.client, sid)
	if err != nil || d.State != "stopped" {
		t.Fatalf("after STOPP: %+v %v", d.State, err)
	}
}
