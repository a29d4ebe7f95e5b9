package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestPrivacyPage: /privacy answers 200 to anyone, signed in or not; while
// the practice has published nothing it says so; the admin writes the
// practice's identity and notice on the settings page (a bad jurisdiction
// is refused beside its field, keeping what was typed), after which the
// page shows them; every page's footer links to it.
func TestPrivacyPage(t *testing.T) {
	e := newEnv(t)
	anon := e.browser()
	if resp := anon.get("/privacy"); resp.StatusCode != http.StatusOK || !strings.Contains(anon.last, `id="privacy-unpublished"`) {
		t.Fatalf("/privacy before a notice: %d\n%s", resp.StatusCode, anon.last)
	}
	b := e.browser()
	b.login("ada@example.test")
	if resp := b.get("/admin/practice"); resp.StatusCode != http.StatusOK || !strings.Contains(b.last, `name="identity.privacy_notice"`) ||
		!strings.Contains(b.last, `href="/privacy"`) {
		t.Fatalf("settings page without identity fields or footer link: %d\n%s", resp.StatusCode, b.last)
	}
	form := url.Values{"age_of_majority": {"18"}, "time_zone": {"UTC"}, "follow_up_window_hours": {"48"},
		"requires.intimate-external": {"intimate-external"}, "offered.intimate-external": {"on"},
		"requires.internal-anorectal": {"internal-anorectal"}, "offered.internal-anorectal": {"on"},
		"requires.internal-vaginal": {"internal-vaginal"}, "offered.internal-vaginal": {"on"},
		"identity.name": {"Quiet Hands Bodywork"}, "identity.address": {"Parkstraße 1\r\n10115 Berlin"},
		"identity.email": {"privacy@quiet.example"}, "identity.phone": {"+49 30 000000"}, "identity.jurisdiction": {"Germany"},
		"identity.privacy_notice": {"We keep your answers encrypted.\r\n\r\nAsk us for a copy <any> time."}}
	if resp := b.post("/admin/practice", form); resp.StatusCode != http.StatusBadRequest ||
		!strings.Contains(b.last, "ISO 3166") || !strings.Contains(b.last, "We keep your answers encrypted.") {
		t.Fatalf("a bad jurisdiction: %d\n%s", resp.StatusCode, b.last)
	}
	form.Set("identity.jurisdiction", "de")
	if resp := b.post("/admin/practice", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", resp.StatusCode, b.last)
	}
	s, err := e.app.Practice.PracticeSettings(context.Background(), e.admin)
	if err != nil || s.Identity.Name != "Quiet Hands Bodywork" || s.Identity.Jurisdiction != "DE" || !strings.Contains(s.Identity.Address, "10115 Berlin") {
		t.Fatalf("saved identity: %+v %v", s.Identity, err)
	}
	if resp := anon.get("/privacy"); resp.StatusCode != http.StatusOK || !strings.Contains(anon.last, "We keep your answers encrypted.") ||
		!strings.Contains(anon.last, "Ask us for a copy &lt;any&gt; time.") || !strings.Contains(anon.last, "Quiet Hands Bodywork") ||
		!strings.Contains(anon.last, "privacy@quiet.example") || strings.Contains(anon.last, `id="privacy-unpublished"`) {
		t.Fatalf("/privacy after a notice: %d\n%s", resp.StatusCode, anon.last)
	}
	// Saving the other settings again keeps the identity (the form carries it).
	b.get("/admin/practice")
	if !strings.Contains(b.last, `value="Quiet Hands Bodywork"`) {
		t.Fatalf("the settings page does not show the saved name:\n%s", b.last)
	}
}
