package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"holdspace/app"
)

const clearAnswersJSON = `{"fever":false,"dvt":false,"anticoagulants":false,"recent-surgery":false,"cancer-treatment":false,
	"hypertension-unstable":false,"stroke-recent":false,"prostatitis-symptoms":false,"prostate-cancer":false,
	"prostate-procedure-healing":false,"rectal-bleeding":false,"anal-acute":false,"anorectal-disease":false,
	"prolapse-repair":false,"seed-implants":false,"sti-active":false,"immunosuppressed":false,"latex-allergy":false,
	"trauma-history":"no"}`

// TestHoldsPagesWithoutJavaScript: the home STOP stops the open session
// with a plain form post; another client's screening cannot be confirmed;
// only clients reach these forms.
func TestHoldsPagesWithoutJavaScript(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	s, err := e.app.Sessions.CreateSession(ctx, e.pract, app.SessionInput{ClientID: e.alex.UserID, Intent: "therapeutic", StartsAt: time.Now().UTC().Format(time.RFC3339)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Sessions.AppendEvent(ctx, e.pract, s.ID, app.EventInput{Type: "open"}); err != nil {
		t.Fatal(err)
	}
	kimScr, err := e.app.Screenings.SubmitScreening(ctx, e.pract, e.kim.UserID, app.ScreeningInput{Answers: []byte(clearAnswersJSON)})
	if err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.login("alex@example.test")
	b.get("/me")
	if !strings.Contains(b.last, `id="stop-all"`) {
		t.Fatal("the home page shows no STOP while a session is open")
	}
	if resp := b.post("/stop", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("home STOP: %d", resp.StatusCode)
	}
	evs, err := e.app.Sessions.ListEvents(ctx, e.pract, s.ID)
	if err != nil || evs[len(evs)-1].Type != "stop" {
		t.Fatalf("the open session's events after the home STOP: %v %v", evs, err)
	}
	b.get("/sessions/" + s.ID)
	if !strings.Contains(b.last, `id="refused"`) || !strings.Contains(b.last, `id="stop"`) {
		t.Fatal("the session page neither keeps the refusal nor shows STOP")
	}
	if resp := b.post("/screening/"+kimScr.ID+"/confirm", nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("confirming another client's screening: %d, want 404", resp.StatusCode)
	}
	if v, _, err := e.app.Screenings.LatestScreening(ctx, e.kim, e.kim.UserID); err != nil || v.ConfirmedAt != nil {
		t.Fatalf("another client's confirmation was written: %v %v", v.ConfirmedAt, err)
	}
	p := e.browser()
	p.login("robin@example.test")
	p.get("/console")
	for _, path := range []string{"/stop", "/consent/seen", "/screening/" + kimScr.ID + "/confirm"} {
		if resp := p.post(path, nil); resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound {
			t.Errorf("practitioner POST %s: %d", path, resp.StatusCode)
		}
	}
	if v, _, err := e.app.Screenings.LatestScreening(ctx, e.kim, e.kim.UserID); err != nil || v.ConfirmedAt != nil {
		t.Fatalf("a practitioner confirmed through the client's form: %v %v", v.ConfirmedAt, err)
	}
}
