package web_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// mainText is the visible text of a page's <main>, entities decoded.
func mainText(page string) string {
	i, j := strings.Index(page, "<main"), strings.Index(page, "</main>")
	if i < 0 || j < i {
		return page
	}
	s := regexp.MustCompile(`(?is)<(script|style)\b.*?</(script|style)>`).ReplaceAllString(page[i:j], " ")
	return html.UnescapeString(regexp.MustCompile(`(?s)<[^>]*>`).ReplaceAllString(s, " "))
}

// englishWords are words of the client's flow that only English uses; a
// German or Spanish page that shows one has text left untranslated.
var englishWords = regexp.MustCompile(`\b(Your|your|Yes|Ask me first|Withdraw|withdraw|Sign|Health|health|questions|Step|Back|Next|Save|Front|body|Shoulders|Touch|touch|massage|version|Session|session|STOP|with|work|agreement)\b`)

func assertTranslated(t *testing.T, what, page string, want ...string) {
	t.Helper()
	text := mainText(page)
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
	if m := englishWords.FindAllString(text, -1); len(m) > 0 {
		t.Errorf("%s shows English words %q:\n%s", what, m, text)
	}
}

// A client who chose German reads their pages, body map and health
// questions in German, and a Spanish one in Spanish (issue 17).
func TestClientPagesInGermanAndSpanish(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.app.People.SetLanguage(ctx, e.kim, "de"); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.login("kim@example.test")
	b.get("/me")
	assertTranslated(t, "home", b.last, "Hallo, Kim Novak", "Ihre Sitzungen", "Meine Körperkarte ausfüllen", "Gesundheitsfragen beantworten")
	b.get("/consent")
	assertTranslated(t, "body map", b.last, "Ihre Körperkarte", "Bitte erst fragen", "Schultern", "Vorderseite des Körpers",
		"Tiefer Druck", "Allgemeine Bereiche", "Therapeutisch")
	if !strings.Contains(b.last, `data-state-yes="Ja: %s"`) || !strings.Contains(b.last, `data-word="tiefer Druck"`) {
		t.Error("the body map's script gets no German words")
	}
	resp := b.post("/consent/review", url.Values{"intent": {"therapeutic"}, "g.shoulders.touch": {"yes"}, "g.shoulders.massage": {"ask"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("review: %d\n%s", resp.StatusCode, b.last)
	}
	assertTranslated(t, "review", b.last, "Prüfen und unterschreiben", "Ja: Berührung; Bitte erst fragen: Massage; Nein: tiefer Druck, Hilfsmittel",
		"Sie sagen Ja oder „Bitte erst fragen“ zu 1 Bereich", "therapeutische Arbeit", "Diese Vereinbarung unterschreiben")
	hidden := url.Values{}
	for _, m := range regexp.MustCompile(`type="hidden" name="([^"]+)" value="([^"]*)"`).FindAllStringSubmatch(b.last, -1) {
		hidden.Set(m[1], m[2])
	}
	hidden.Del("csrf")
	if resp := b.post("/consent/sign", hidden); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign: %d\n%s", resp.StatusCode, b.last)
	}
	b.get("/agreements")
	assertTranslated(t, "agreements", b.last, "Ihre Einwilligung", "Therapeutische Arbeit, Version 1", "Diese ganze Vereinbarung widerrufen")
	b.get("/intake")
	assertTranslated(t, "intake", b.last, "Schritt 1 von", "Allgemeine Gesundheit",
		"Haben Sie heute Fieber, oder fühlen Sie sich mit einem Infekt (etwa einer Grippe) unwohl?", "Weiter")

	// Spanish, chosen by the browser.
	es := e.browser()
	es.login("alex@example.test")
	get := func(path string) string {
		req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
		req.Header.Set("Accept-Language", "es-MX,es;q=0.9,en;q=0.5")
		r, err := es.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		raw, _ := io.ReadAll(r.Body)
		return string(raw)
	}
	assertTranslated(t, "Spanish home", get("/me"), "Hola, Alex Moreau", "Tus sesiones", "Rellenar mi mapa corporal", "Responder las preguntas de salud")
	assertTranslated(t, "Spanish intake", get("/intake"), "Preguntas de salud", "Paso 1 de", "Salud general", "¿Tienes fiebre hoy", "Siguiente")
	assertTranslated(t, "Spanish body map", get("/consent"), "Tu mapa corporal", "Pregúntame antes", "Hombros", "Próstata (interna, por el recto)")
}
