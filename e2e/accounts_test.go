package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"holdspace/authn"
)

// TestInvitationAndSecondFactor: a practitioner adds a client and gets a
// single-use link with its QR code; the client opens it on their phone and
// chooses their own password; the practitioner sets up TOTP on their
// account page and signs in again with a code.
func TestInvitationAndSecondFactor(t *testing.T) {
	p := startPractice(t)
	phone := newBrowser(t, "client", 390, 844, true)
	laptop := newBrowser(t, "practitioner", 1280, 900, false)

	login(t, laptop, p.url, "robin@example.test")
	run(t, laptop, "add a client",
		chromedp.Navigate(p.url+"/clients/new"),
		chromedp.WaitVisible(chromedp.CSS(`#n-name`)),
		chromedp.SendKeys(chromedp.CSS(`#n-name`), "Noor Newcomer"),
		chromedp.SendKeys(chromedp.CSS(`#n-email`), "noor@example.test"),
	)
	if _, err := chromedp.Run(laptop, chromedp.Evaluate[bool](`document.querySelector('#n-bd').value = '1992-06-06'; true`)); err != nil {
		t.Fatal(err)
	}
	run(t, laptop, "submit the new client",
		chromedp.Click(chromedp.CSS(`form[action="/clients"] button.primary`)),
		chromedp.WaitVisible(chromedp.CSS(`svg.qr`)),
		chromedp.WaitVisible(chromedp.CSS(`#invite-link`)),
	)
	link, err := chromedp.Run(laptop, chromedp.Evaluate[string](`document.querySelector('#invite-link').value`))
	if err != nil || !strings.Contains(link, "/invite/hs_") {
		t.Fatalf("invitation link %q, %v", link, err)
	}
	shot(t, laptop, "invitation")

	run(t, phone, "accept the invitation",
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.CSS(`#password`)),
		chromedp.SendKeys(chromedp.CSS(`#password`), "noor chooses this one"),
		chromedp.SendKeys(chromedp.CSS(`#password2`), "noor chooses this one"),
		chromedp.Click(chromedp.CSS(`button.primary`)),
		chromedp.WaitVisible(chromedp.CSS(`.who`)),
	)
	if who, err := chromedp.Run(phone, chromedp.Evaluate[string](`document.querySelector('.who').textContent + '|' + location.pathname`)); err != nil ||
		!strings.Contains(who, "Noor Newcomer") || !strings.HasSuffix(who, "|/me") {
		t.Fatalf("after accepting: %q, %v", who, err)
	}
	// The link was single-use.
	run(t, phone, "reopen the link", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS(`.form-error`)))

	run(t, laptop, "start TOTP enrolment",
		chromedp.Navigate(p.url+"/account"),
		chromedp.WaitVisible(chromedp.CSS(`#enrol`)),
		chromedp.Click(chromedp.CSS(`#enrol`)),
		chromedp.WaitVisible(chromedp.CSS(`#totp-secret`)),
		chromedp.WaitVisible(chromedp.CSS(`.qr-box svg`)),
	)
	secret, err := chromedp.Run(laptop, chromedp.Evaluate[string](`document.querySelector('#totp-secret').textContent`))
	if err != nil || len(secret) < 16 {
		t.Fatalf("secret %q, %v", secret, err)
	}
	enrolled := time.Now()
	code, _ := authn.TOTPCode(secret, enrolled)
	run(t, laptop, "confirm TOTP enrolment",
		chromedp.SendKeys(chromedp.CSS(`#enrol-otp`), code),
		chromedp.Click(chromedp.CSS(`form[action="/account/second-factor/confirm"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`#recovery-codes`)),
	)
	n, err := chromedp.Run(laptop, chromedp.Evaluate[int](`document.querySelectorAll('#recovery-codes li').length`))
	if err != nil || n != authn.RecoveryCodeCount {
		t.Fatalf("recovery codes shown: %d, %v", n, err)
	}
	shot(t, laptop, "second-factor-on")

	run(t, laptop, "sign out",
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`#email`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), "robin@example.test"),
		chromedp.SendKeys(chromedp.CSS(`#password`), password),
		chromedp.Click(chromedp.CSS(`button.primary`)),
		chromedp.WaitVisible(chromedp.CSS(`.form-error`)),
	)
	// The enrolment's code is spent: the next step's code signs in.
	code, _ = authn.TOTPCode(secret, enrolled.Add(30*time.Second))
	run(t, laptop, "sign in with the code",
		chromedp.SendKeys(chromedp.CSS(`#password`), password),
		chromedp.SendKeys(chromedp.CSS(`#otp`), code),
		chromedp.Click(chromedp.CSS(`button.primary`)),
		chromedp.WaitVisible(chromedp.CSS(`.who`)),
	)
}
