package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"holdspace/app"
	"holdspace/catalogue"
	"holdspace/consent"
)

// TestAdminPracticeSettingsPage: the admin sees the defaults, a bad value
// is refused beside its field with nothing saved, a good form is saved and
// applies; others may not open the page.
func TestAdminPracticeSettingsPage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	b := e.browser()
	b.login("ada@example.test")
	if resp := b.get("/admin/practice"); resp.StatusCode != http.StatusOK || !strings.Contains(b.last, `value="UTC"`) ||
		!strings.Contains(b.last, `name="requires.internal-anorectal"`) {
		t.Fatalf("settings page: %d\n%s", resp.StatusCode, b.last)
	}
	form := url.Values{"age_of_majority": {"17"}, "time_zone": {"Europe/Berlin"}, "follow_up_window_hours": {"24"},
		"sensual_offered": {"on"}, "requires.intimate-external": {"intimate-external"}, "offered.intimate-external": {"on"},
		"requires.internal-anorectal": {"internal-anorectal"}, "requires.internal-vaginal": {"internal-vaginal"}, "offered.internal-vaginal": {"on"}}
	if resp := b.post("/admin/practice", form); resp.StatusCode != http.StatusBadRequest || !strings.Contains(b.last, "never below 18") {
		t.Fatalf("age 17: %d\n%s", resp.StatusCode, b.last)
	}
	if s, _ := e.app.Practice.PracticeSettings(ctx, e.admin); s.Version != 0 {
		t.Fatalf("a refused form was saved: %+v", s)
	}
	form.Set("age_of_majority", "19")
	if resp := b.post("/admin/practice", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", resp.StatusCode, b.last)
	}
	s, err := e.app.Practice.PracticeSettings(ctx, e.admin)
	if err != nil || s.AgeOfMajority != 19 || s.TimeZone != "Europe/Berlin" || !s.SensualOffered || s.FollowUpWindowHours != 24 {
		t.Fatalf("saved: %+v %v", s, err)
	}
	for _, r := range s.Scope {
		if r.Group == "internal-anorectal" && r.Offered {
			t.Fatalf("the anorectal group is still offered: %+v", s.Scope)
		}
	}
	p := e.browser()
	p.login("robin@example.test")
	if resp := p.get("/admin/practice"); resp.StatusCode == http.StatusOK {
		t.Fatal("a practitioner opened the practice settings page")
	}
	// The body map no longer offers the switched-off regions.
	c := e.browser()
	c.login("alex@example.test")
	c.get("/consent")
	if strings.Contains(c.last, `id="r-rectum"`) || !strings.Contains(c.last, `id="r-perineum"`) || !strings.Contains(c.last, `value="sensual"`) {
		t.Fatalf("the body map offers what the practice does not (or hides what it does):\n%s", c.last)
	}
}

// TestRefusedGrantNeverShownAsPermitted: a grant the practice switched off
// after it was signed shows as not permitted on the agreement page.
func TestRefusedGrantNeverShownAsPermitted(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ag, err := e.app.Agreements.CreateAgreement(ctx, e.alex, e.alex.UserID, app.AgreementInput{Intent: "therapeutic", Grants: []consent.Grant{
		{Region: "rectum", Technique: "touch", Answer: catalogue.Yes}, {Region: "shoulders", Technique: "touch", Answer: catalogue.Yes}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Agreements.SignAgreement(ctx, e.alex, ag.ID, app.SignInput{}); err != nil {
		t.Fatal(err)
	}
	s, _ := e.app.Practice.PracticeSettings(ctx, e.admin)
	for i := range s.Scope {
		if s.Scope[i].Group == "internal-anorectal" {
			s.Scope[i].Offered = false
		}
	}
	if _, err := e.app.Practice.PutPracticeSettings(ctx, e.admin, s.Settings); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.login("robin@example.test")
	b.get("/agreements/" + ag.ID)
	if !strings.Contains(b.last, `id="refused"`) || !strings.Contains(b.last, "not offered by this practice") {
		t.Fatalf("the agreement page does not say the rectum is refused:\n%s", b.last)
	}
	if strings.Contains(b.last, `class="region s-yes" data-region="rectum"`) {
		t.Fatal("the body map shows the refused rectum as yes")
	}
}
