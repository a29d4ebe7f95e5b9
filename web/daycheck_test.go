package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"holdspace/catalogue"
	"holdspace/consent"
)

// TestDayCheckWithoutJavaScript: the day's check works as plain forms on
// both sides; a missing answer is shown beside its question and records
// nothing; an unwell client is shown, on the console, as unable to consent
// today, and a session ended then is ended for illness.
func TestDayCheckWithoutJavaScript(t *testing.T) {
	e := newEnv(t)
	ag := signedAgreement(t, e, e.alex, []consent.Grant{{Region: "shoulders", Technique: "touch", Answer: catalogue.Yes}})
	pr := e.browser()
	pr.login("robin@example.test")
	pr.get("/clients/" + e.alex.UserID)
	resp := pr.post("/clients/"+e.alex.UserID+"/sessions", url.Values{"starts_at": {time.Now().UTC().Format("2006-01-02T15:04")}, "intent": {"therapeutic"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("book: %d", resp.StatusCode)
	}
	sid := strings.TrimPrefix(strings.Split(resp.Header.Get("Location"), "?")[0], "/sessions/")
	ev := func(b *browser, form url.Values) {
		t.Helper()
		b.get("/sessions/" + sid)
		if resp := b.post("/sessions/"+sid+"/event", form); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%v: %d\n%s", form, resp.StatusCode, b.last)
		}
	}
	ev(pr, url.Values{"type": {"open"}})
	cl := e.browser()
	cl.login("alex@example.test")
	cl.get("/sessions/" + sid)
	if strings.Contains(cl.last, `id="daycheck"`) {
		t.Fatal("today's questions come after re-confirming, not before")
	}
	ev(cl, url.Values{"type": {"reconfirm"}, "agreement_id": {ag.ID}})
	cl.get("/sessions/" + sid)
	if !strings.Contains(cl.last, `id="daycheck"`) || !strings.Contains(cl.last, `answering "no" is always fine`) {
		t.Fatalf("no day check after re-confirming:\n%s", cl.last)
	}
	pr.get("/sessions/" + sid)
	if !strings.Contains(pr.last, `id="step-daycheck"`) || !strings.Contains(pr.last, "Waiting</span> for the client&#39;s answers") {
		t.Fatalf("the console does not wait for today's check:\n%s", pr.last)
	}

	resp = cl.post("/sessions/"+sid+"/event", url.Values{"type": {"day-check"}, "clear_headed": {"true"}, "changes": {"false"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(cl.last, "field-error") {
		t.Fatalf("a missing answer: %d", resp.StatusCode)
	}
	evs, err := e.app.Sessions.ListEvents(t.Context(), e.pract, sid)
	if err != nil || len(evs) != 2 {
		t.Fatalf("a refused day check was recorded: %d events, %v", len(evs), err)
	}
	ev(cl, url.Values{"type": {"day-check"}, "clear_headed": {"true"}, "unwell": {"true"}, "changes": {"false"}})
	cl.get("/sessions/" + sid)
	if !strings.Contains(cl.last, `data-block="illness"`) || strings.Contains(cl.last, `id="daycheck"`) {
		t.Fatalf("the client's result:\n%s", cl.last)
	}
	pr.get("/sessions/" + sid)
	if !strings.Contains(pr.last, `id="cannot-consent"`) || !strings.Contains(pr.last, `data-block="illness"`) {
		t.Fatalf("the console does not say the client cannot consent today:\n%s", pr.last)
	}
	// In-person answers saying all is well change nothing.
	ev(pr, url.Values{"type": {"day-check"}, "clear_headed": {"true"}, "unwell": {"false"}, "changes": {"false"}})
	pr.get("/sessions/" + sid)
	if !strings.Contains(pr.last, `data-block="illness"`) || !strings.Contains(pr.last, "in-person answers recorded by the practitioner: clear-headed yes, unwell no") {
		t.Fatalf("after in-person answers:\n%s", pr.last)
	}
	ev(pr, url.Values{"type": {"cancel"}})
	pr.get("/sessions/" + sid)
	if !strings.Contains(pr.last, `id="ended-for"`) || !strings.Contains(pr.last, "illness") {
		t.Fatalf("the console does not show why the session ended:\n%s", pr.last)
	}
	cl.get("/sessions/" + sid)
	if !strings.Contains(cl.last, `id="ended-for"`) || !strings.Contains(cl.last, "not a missed appointment") {
		t.Fatalf("the client's page after the session ended:\n%s", cl.last)
	}
}
