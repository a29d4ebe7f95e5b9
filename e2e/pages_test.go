package e2e

import (
	"context"
	"strings"
	"testing"

	"holdspace"

	"github.com/chromedp/chromedp"

	"holdspace/app"
	"holdspace/catalogue"
	"holdspace/consent"
)

// Issue 15's page fixes, in a real browser.

// stopInView reports, as "" or a description of the problem, whether the
// console's Stop button is wholly inside the first viewport.
const stopInView = `(function(){
  var b = document.getElementById('console-stop');
  if (!b) { return 'no Stop button'; }
  var r = b.getBoundingClientRect();
  if (r.top < 0 || r.bottom > window.innerHeight || r.height === 0) {
    return 'Stop at ' + Math.round(r.top) + '–' + Math.round(r.bottom) + ' px, viewport ' + window.innerHeight + ' px';
  }
  return '';
})()`

// TestConsoleStopFirstAndStateLive: the practitioner's Stop is in the first
// viewport on a laptop and on a phone, above a board folded to what
// matters; when the client stops, the console's header line says Stopped
// with the banner; the client's flash goes when its state has passed; a
// withdrawal shows in "What happened" live.
func TestConsoleStopFirstAndStateLive(t *testing.T) {
	p := startPractice(t)
	signAgreement(t, p.app, p.client,
		consent.Grant{Region: "shoulders", Technique: "touch", Answer: catalogue.Yes},
		consent.Grant{Region: "upper-back", Technique: "massage", Answer: catalogue.Yes})
	id := p.inProgress(t, p.client)

	laptop := openConsole(t, p, id)
	run(t, laptop, "the console's board", chromedp.WaitVisible(chromedp.CSS(`tr[data-region="shoulders"][data-outcome="permit"]`)))
	if msg := eval[string](t, laptop, stopInView); msg != "" {
		t.Errorf("laptop 1280×900: %s", msg)
	}
	// The denied regions are folded away: the open table has the two
	// permitted regions, and the fold is closed.
	if got := eval[int](t, laptop, `document.querySelectorAll('#open-regions tr[data-region]').length`); got != 2 {
		t.Errorf("the open table shows %d regions, want 2", got)
	}
	if eval[bool](t, laptop, `document.getElementById('closed-regions').open`) {
		t.Error("the denied regions are unfolded")
	}
	shot(t, laptop, "pages-console-live")
	axeClean(t, laptop, "live console")

	pphone := newBrowser(t, "practitioner-phone", 390, 844, true)
	login(t, pphone, p.url, "robin@example.test")
	run(t, pphone, "open the live console on a phone",
		chromedp.Navigate(p.url+"/sessions/"+id),
		chromedp.WaitVisible(chromedp.CSS(`#console-stop`)))
	if msg := eval[string](t, pphone, stopInView); msg != "" {
		t.Errorf("phone 390×844: %s", msg)
	}
	shot(t, pphone, "pages-console-phone")
	axeClean(t, pphone, "live console on a phone")

	phone := newBrowser(t, "client", 390, 844, true)
	login(t, phone, p.url, "alex@example.test")
	run(t, phone, "the client's session page with the go-on message",
		chromedp.Navigate(p.url+"/sessions/"+id+"?done=resumed"),
		chromedp.WaitVisible(chromedp.CSS(`#session-flash`)),
		chromedp.WaitVisible(chromedp.CSS(`#stop`)))
	run(t, phone, "press STOP", chromedp.Click(chromedp.CSS(`#stop`)))
	run(t, laptop, "see the stop", chromedp.WaitVisible(chromedp.CSS(`#live-state[data-state="stopped"]`)))
	if line := eval[string](t, laptop, `document.getElementById('session-line').textContent`); !strings.Contains(line, "Stopped") || strings.Contains(line, "In progress") {
		t.Errorf("the console header says %q while stopped", strings.TrimSpace(line))
	}
	if eval[bool](t, laptop, `document.getElementById('console-stop') !== null`) {
		t.Error("the stopped console still offers Stop")
	}
	run(t, phone, "the phone shows the stop", chromedp.WaitVisible(chromedp.CSS(`.live-state[data-state="stopped"]`)))
	if eval[bool](t, phone, `document.getElementById('session-flash') !== null`) {
		t.Errorf("the go-on message outlived its state: %q", eval[string](t, phone, `document.getElementById('session-flash').textContent`))
	}
	shot(t, laptop, "pages-console-stopped")
	axeClean(t, laptop, "stopped console")
	axeClean(t, phone, "client's stopped session")

	run(t, phone, "go on, then withdraw shoulders",
		chromedp.WaitVisible(chromedp.CSS(`#resume`)),
		chromedp.Click(chromedp.CSS(`#resume`)),
		// Going on is a form post: wait for the page it leads to. The
		// stopped page has a withdraw button too, and a click on it
		// while the post is under way replaced the post (the session
		// stayed stopped: "no Stop button" below).
		chromedp.WaitVisible(chromedp.CSS(`.live-state[data-state="in-progress"]`)),
		chromedp.WaitVisible(chromedp.CSS(`button.revoke[data-region="shoulders"]`)),
		chromedp.Click(chromedp.CSS(`button.revoke[data-region="shoulders"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#session-flash`)))
	run(t, laptop, "see the withdrawal in What happened",
		chromedp.WaitVisible(chromedp.CSS(`#log li.withdrawal`)),
		chromedp.WaitReady(chromedp.CSS(`tr[data-region="shoulders"][data-outcome="deny"]`)))
	if got := eval[string](t, laptop, `document.querySelector('#log li.withdrawal').textContent`); !strings.Contains(got, "Consent withdrawn for Shoulders") {
		t.Errorf("the withdrawal reads %q", got)
	}
	if msg := eval[string](t, laptop, stopInView); msg != "" {
		t.Errorf("after going on: %s; the console shows state %q and logs %q", msg,
			eval[string](t, laptop, `document.getElementById('live-state').getAttribute('data-state')`),
			eval[string](t, laptop, `document.getElementById('log').innerText`))
	}
	axeClean(t, laptop, "console with a withdrawal")
	run(t, laptop, "a page that does not exist", chromedp.Navigate(p.url+"/no-such-page"), chromedp.WaitVisible(chromedp.CSS(`nav[aria-label=Main]`)))
	axeClean(t, laptop, "404 page")
}

// coveredControls lists the body-map controls that something else covers
// when each is scrolled to the bottom edge of the screen.
const coveredControls = `(function(){
  var bad = [];
  var els = document.querySelectorAll('#consent-form details.region-ctl > summary, #consent-form details.region-ctl[open] label.choice, #consent-form details.region-ctl[open] .quick button');
  els.forEach(function (el) {
    if (!el.getClientRects().length) { return; }
    el.scrollIntoView({block: 'end'});
    var r = el.getBoundingClientRect();
    var hit = document.elementFromPoint(r.left + r.width / 2, r.bottom - 3);
    if (!hit || !(hit === el || el.contains(hit))) {
      bad.push(el.textContent.trim().slice(0, 30) + ' covered by ' + (hit ? (hit.className || hit.tagName) : 'nothing'));
    }
  });
  window.scrollTo(0, 0);
  return bad.slice(0, 5).join('; ') + (bad.length > 5 ? ' and ' + (bad.length - 5) + ' more' : '');
})()`

// TestReviewButtonClearOfControlsOnPhone: on a 390×844 phone the "Review
// and sign" bar covers none of the body map's controls.
func TestReviewButtonClearOfControlsOnPhone(t *testing.T) {
	p := startPractice(t)
	phone := newBrowser(t, "client", 390, 844, true)
	login(t, phone, p.url, "alex@example.test")
	run(t, phone, "open the body map and a region",
		chromedp.Navigate(p.url+"/consent"),
		chromedp.WaitVisible(chromedp.CSS(`#r-shoulders`)),
		chromedp.Click(chromedp.CSS(`#r-shoulders > summary`)),
		chromedp.WaitVisible(chromedp.CSS(`#r-shoulders [data-set="yes"]`)))
	if msg := eval[string](t, phone, coveredControls); msg != "" {
		t.Errorf("covered on a phone: %s", msg)
	}
	run(t, phone, "the review button is still there", chromedp.ScrollIntoView(chromedp.CSS(`button[value=review]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[value=review]`)))
	shot(t, phone, "pages-bodymap-phone")
	axeClean(t, phone, "body map on a phone")
}

// TestChangedPagesAxeClean: the pages issue 15 changed, beyond the live
// console and the body map, pass axe-core: the client's screening map on
// blood thinners, the review of a body map, the client file with two
// practitioners, and the paged audit log.
func TestChangedPagesAxeClean(t *testing.T) {
	p := startPractice(t)
	ctx := context.Background()
	thinners := strings.Replace(clearIntake, `"anticoagulants":false`, `"anticoagulants":true`, 1)
	if _, err := p.app.Screenings.SubmitScreening(ctx, p.client, p.client.UserID, app.ScreeningInput{Answers: []byte(thinners)}); err != nil {
		t.Fatal(err)
	}
	signAgreement(t, p.app, p.client, consent.Grant{Region: "shoulders", Technique: "touch", Answer: catalogue.Yes})
	other, err := p.app.People.CreateUser(ctx, app.System, app.NewUser{Role: holdspace.RolePractitioner, Name: "Sam Okafor", Email: "sam@example.test", Password: password})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.app.People.AssignPractitioners(ctx, app.System, p.client.UserID, []string{p.pract.UserID, other}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.app.People.CreateUser(ctx, app.System, app.NewUser{Role: holdspace.RoleAdmin, Name: "Ada Admin", Email: "ada@example.test", Password: password}); err != nil {
		t.Fatal(err)
	}
	for range 60 {
		if _, err := p.app.People.GetClient(ctx, p.pract, p.client.UserID); err != nil {
			t.Fatal(err)
		}
	}

	phone := newBrowser(t, "client", 390, 844, true)
	login(t, phone, p.url, "alex@example.test")
	run(t, phone, "the screening map", chromedp.Navigate(p.url+"/screening"), chromedp.WaitVisible(chromedp.CSS(`.bodymap`)))
	if n := eval[int](t, phone, `document.querySelectorAll('.bodymap .region.sev-contraindicated').length`); n != 0 {
		t.Errorf("%d regions drawn ruled out for a client on blood thinners", n)
	}
	axeClean(t, phone, "screening map")
	run(t, phone, "review a body map",
		chromedp.Navigate(p.url+"/consent"),
		chromedp.WaitVisible(chromedp.CSS(`#r-shoulders`)),
		chromedp.Click(chromedp.CSS(`button[value=review]`)),
		chromedp.WaitVisible(chromedp.CSS(`#review-summary`)))
	axeClean(t, phone, "review")

	laptop := newBrowser(t, "staff", 1280, 900, false)
	login(t, laptop, p.url, "robin@example.test")
	run(t, laptop, "the client file", chromedp.Navigate(p.url+"/clients/"+p.client.UserID), chromedp.WaitVisible(chromedp.CSS(`#h-scr`)))
	if got := eval[string](t, laptop, `document.querySelector('.facts').textContent`); !strings.Contains(got, "Robin Reyes") || !strings.Contains(got, "Sam Okafor") {
		t.Errorf("the client file does not list both practitioners: %q", got)
	}
	axeClean(t, laptop, "client file")
	run(t, laptop, "sign out", chromedp.Click(chromedp.CSS(`nav button.link`)), chromedp.WaitVisible(chromedp.CSS(`#email`)))
	login(t, laptop, p.url, "ada@example.test")
	run(t, laptop, "the audit log, then older entries",
		chromedp.Navigate(p.url+"/admin/audit"),
		chromedp.WaitVisible(chromedp.CSS(`a[rel=next]`)),
		chromedp.Click(chromedp.CSS(`a[rel=next]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[rel=prev]`)))
	axeClean(t, laptop, "audit log")
}
