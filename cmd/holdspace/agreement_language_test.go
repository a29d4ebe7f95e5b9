package main

import (
	"regexp"
	"testing"
)

// TestAgreementLanguageAPI: an agreement drafted through the API records
// the language its text was shown in (the one sent, else the client's) and
// the hash of that text; an unshipped language is refused and writes
// nothing; the consent receipt is written in the agreement's language.
func TestAgreementLanguageAPI(t *testing.T) {
	t.Parallel()
	f := newPractice(t, nil)
	n := f.n
	path := "/api/v1/clients/" + f.c1ID + "/agreements"
	grants := []map[string]string{grant("shoulders", "touch", "yes"), grant("feet", "massage", "ask")}
	n.must(200, "PUT", "/api/v1/me/language", f.c1, map[string]string{"language": "de"})

	r := n.must(400, "POST", path, f.c1, map[string]any{"intent": "therapeutic", "grants": grants, "language": "fr"})
	if e, _ := r.Body["error"].(map[string]any); r.errCode() != "unknown_language" || e["field"] != "language" {
		t.Fatalf("unshipped language: %s", r.Raw)
	}
	if list, _ := n.must(200, "GET", path, f.c1, nil).Body["agreements"].([]any); len(list) != 0 {
		t.Fatalf("a refused draft was written: %v", list)
	}

	hashRE := regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)
	// No language sent: the client's own.
	de := n.must(201, "POST", path, f.c1, map[string]any{"intent": "therapeutic", "grants": grants})
	if de.str("language") != "de" || !hashRE.MatchString(de.str("text_hash")) {
		t.Fatalf("draft without a language: %s", de.Raw)
	}
	// The practitioner drafts it in Spanish: the same terms in other words.
	es := n.must(201, "POST", path, f.p1, map[string]any{"intent": "therapeutic", "grants": grants, "language": "es"})
	if es.str("language") != "es" || !hashRE.MatchString(es.str("text_hash")) || es.str("text_hash") == de.str("text_hash") {
		t.Fatalf("Spanish draft: %s (German hash %s)", es.Raw, de.str("text_hash"))
	}
	id := es.str("id")
	n.must(200, "POST", "/api/v1/agreements/"+id+"/sign", f.c1, nil)
	got := n.must(200, "GET", "/api/v1/agreements/"+id, f.c1, nil)
	if got.str("language") != "es" || got.str("text_hash") != es.str("text_hash") || got.str("status") != "active" {
		t.Fatalf("signed agreement: %s", got.Raw)
	}
	rc := n.must(200, "GET", "/api/v1/agreements/"+id+"/receipt", f.c1, nil)
	h, _ := rc.Body["holdspace"].(map[string]any)
	if rc.str("language") != "es" || h["agreementLanguage"] != "es" || h["languageStatement"] != "Idioma de este acuerdo: Español" ||
		h["textHash"] != es.str("text_hash") || h["withdrawalMethod"] != "con un toque en el portal, o díselo a tu profesional" {
		t.Fatalf("receipt: %s", rc.Raw)
	}
}
