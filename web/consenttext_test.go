package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"holdspace/consent"
)

// TestConsentReviewWordsAreSigned: the signing page shows the agreement's
// exact words in the reader's language (German here) and sends that
// language with the signature; the agreement records it and the SHA-256
// of exactly the words on the page.
func TestConsentReviewWordsAreSigned(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.app.People.SetLanguage(ctx, e.alex, "de"); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.login("alex@example.test")
	b.get("/consent")
	answers := url.Values{"intent": {"therapeutic"}, "g.shoulders.touch": {"yes"}, "g.upper-back.massage": {"ask"}, "g.feet.touch": {"no"}}
	form := url.Values{"action": {"review"}}
	for k, v := range answers {
		form[k] = v
	}
	if resp := b.post("/consent/review", form); resp.StatusCode != 200 {
		t.Fatalf("review: %d\n%s", resp.StatusCode, b.last)
	}
	section := between(b.last, `id="consent-text"`, "</section>")
	var lines []string
	for _, m := range regexp.MustCompile(`<p>(.*?)</p>`).FindAllStringSubmatch(section, -1) {
		lines = append(lines, html.UnescapeString(m[1]))
	}
	shown := strings.Join(lines, "\n")
	for _, want := range []string{"Wofür die Arbeit ist: therapeutische Arbeit.", "Schultern: Berührung – ja.",
		"Oberer Rücken: Massage – bitte erst fragen.", "Jeder andere Bereich und jede andere Art der Berührung: nein."} {
		if !strings.Contains(shown, want) {
			t.Errorf("the page's words lack %q:\n%s", want, shown)
		}
	}
	if strings.Contains(shown, "Feet") || strings.Contains(shown, "Füße") {
		t.Errorf("an area answered no is listed:\n%s", shown)
	}
	m := regexp.MustCompile(`name="language" value="([^"]*)"`).FindStringSubmatch(section)
	if m == nil || m[1] != "de" {
		t.Fatalf("the form does not send the language shown: %v\n%s", m, section)
	}
	sign := url.Values{"language": {m[1]}}
	for k, v := range answers {
		sign[k] = v
	}
	b.post("/consent/sign", sign)
	ags, err := e.app.Agreements.ListAgreements(ctx, e.alex, e.alex.UserID)
	if err != nil || len(ags) != 1 || ags[0].Status != consent.StatusActive {
		t.Fatalf("after signing: %+v %v", ags, err)
	}
	sum := sha256.Sum256([]byte(shown))
	if ags[0].Language != "de" || ags[0].TextHash != "sha256:"+hex.EncodeToString(sum[:]) {
		t.Errorf("the agreement records %q %q; the page showed (sha256:%x):\n%s", ags[0].Language, ags[0].TextHash, sum, shown)
	}
}
