package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// setLang gives the browser the language switcher's cookie.
func (b *browser) setLang(lang string) {
	u, _ := url.Parse(b.e.srv.URL)
	b.c.Jar.SetCookies(u, []*http.Cookie{{Name: "holdspace-lang", Value: lang, Path: "/"}})
}

// TestFormErrorsInReaderLanguage: an app validation error on a form page
// is shown in the page's language by its stable code, the note above the
// form naming the field; English pages keep the app's own sentence.
func TestFormErrorsInReaderLanguage(t *testing.T) {
	e := newEnv(t)
	form := func() url.Values {
		return url.Values{"age_of_majority": {"17"}, "time_zone": {"UTC"}, "follow_up_window_hours": {"24"},
			"requires.intimate-external": {"intimate-external"}, "requires.internal-anorectal": {"internal-anorectal"},
			"requires.internal-vaginal": {"internal-vaginal"}}
	}
	en := e.browser()
	en.login("ada@example.test")
	en.get("/admin/practice")
	if resp := en.post("/admin/practice", form()); resp.StatusCode != http.StatusBadRequest ||
		!strings.Contains(en.last, "The age of majority is between 18 and 25; it is never below 18.") {
		t.Fatalf("English: %d\n%s", resp.StatusCode, en.last)
	}
	de := e.browser()
	de.setLang("de")
	de.login("ada@example.test")
	de.get("/admin/practice")
	if !strings.Contains(de.last, `<html lang="de"`) || !strings.Contains(de.last, "Einstellungen der Praxis") {
		t.Fatalf("the settings page is not German:\n%s", de.last)
	}
	resp := de.post("/admin/practice", form())
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("German: %d\n%s", resp.StatusCode, de.last)
	}
	for _, want := range []string{
		`<p class="field-error" role="alert">Diese Zahl liegt außerhalb des erlaubten Bereichs.</p>`,
		"Die Einstellungen wurden nicht gespeichert; der Hinweis steht beim Feld.",
	} {
		if !strings.Contains(de.last, want) {
			t.Errorf("German page lacks %q", want)
		}
	}
	if strings.Contains(de.last, "The age of majority") || strings.Contains(de.last, "\x00") {
		t.Errorf("German page shows the English sentence or the code's marks:\n%s", de.last)
	}
	// The note above a form names the field: the assignment's.
	de.get("/admin/clients")
	de.post("/admin/clients/"+e.alex.UserID+"/assign", url.Values{"practitioner_ids": {"nobody"}})
	if !strings.Contains(de.last, "Zugeordnete Behandler:innen: Diese Behandler:in ist nicht bekannt.") {
		t.Errorf("the note above the assignment form does not name its field in German:\n%s", de.last)
	}
}

// TestPracticeDefaultLanguage: the admin chooses the practice's default
// language on the settings page; a visitor whose browser names no shipped
// language then reads the sign-in page in it, and saving the form keeps it.
func TestPracticeDefaultLanguage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	b := e.browser()
	b.login("ada@example.test")
	b.get("/admin/practice")
	for _, want := range []string{`<select id="s-language" name="language">`, `<option value="en" lang="en" selected>English</option>`,
		`<option value="de" lang="de">Deutsch</option>`, `<option value="es" lang="es">Español</option>`} {
		if !strings.Contains(b.last, want) {
			t.Fatalf("settings page lacks %q:\n%s", want, b.last)
		}
	}
	form := url.Values{"age_of_majority": {"18"}, "time_zone": {"UTC"}, "follow_up_window_hours": {"24"}, "language": {"es"},
		"requires.intimate-external": {"intimate-external"}, "requires.internal-anorectal": {"internal-anorectal"},
		"requires.internal-vaginal": {"internal-vaginal"}}
	if resp := b.post("/admin/practice", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", resp.StatusCode, b.last)
	}
	if s, err := e.app.Practice.PracticeSettings(ctx, e.admin); err != nil || s.Language != "es" {
		t.Fatalf("saved language %q, %v", s.Language, err)
	}
	v := e.browser()
	v.get("/login")
	if !strings.Contains(v.last, `<html lang="es" dir="ltr">`) || !strings.Contains(v.last, "<h1>Iniciar sesión</h1>") {
		t.Fatalf("the sign-in page is not in the practice's language:\n%s", v.last)
	}
	// A refused form keeps the language too.
	b.get("/admin/practice")
	if !strings.Contains(b.last, `<option value="es" lang="es" selected>Español</option>`) {
		t.Fatalf("the saved language is not selected:\n%s", b.last)
	}
	form.Set("language", "xx")
	if resp := b.post("/admin/practice", form); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("unknown language: %d\n%s", resp.StatusCode, b.last)
	}
	if s, _ := e.app.Practice.PracticeSettings(ctx, e.admin); s.Language != "es" {
		t.Fatalf("a refused form changed the language to %q", s.Language)
	}
}

// TestSignInInGerman: the sign-in page, its messages and the wait after
// too many attempts speak the visitor's language.
func TestSignInInGerman(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.setLang("de")
	b.get("/login")
	for _, want := range []string{"<h1>Anmelden</h1>", "Passwort vergessen?", "Zum Inhalt springen", "Datenschutzhinweis",
		// The body map's script takes its words from the page.
		`data-t-ask-for="Bitte erst fragen: {}"`, `data-t-no="Nein"`} {
		if !strings.Contains(b.last, want) {
			t.Fatalf("German sign-in page lacks %q:\n%s", want, b.last)
		}
	}
	b.post("/login", url.Values{"email": {"ada@example.test"}, "password": {"wrong"}})
	if !strings.Contains(b.last, "E-Mail oder Passwort stimmen nicht.") {
		t.Fatalf("wrong password message:\n%s", b.last)
	}
	b.login("ada@example.test")
	b.get("/admin")
	if !strings.Contains(b.last, "Angemeldet als <strong>Ada Admin</strong> <span class=\"role\">(Verwaltung)</span>") {
		t.Fatalf("the frame is not German:\n%s", b.last)
	}
	b.get("/account?done=signedout")
	if !strings.Contains(b.last, "Alle anderen Anmeldungen Ihres Kontos sind abgemeldet.") {
		t.Fatalf("the flash is not German:\n%s", b.last)
	}
}
