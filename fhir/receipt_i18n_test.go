package fhir

import (
	"strings"
	"testing"

	"holdspace"
)

// TestReceiptInAgreementsLanguage: a receipt is written in the
// agreement's language and says which, with the hash of its words; for an
// agreement that recorded no language it says so.
func TestReceiptInAgreementsLanguage(t *testing.T) {
	in := receiptInput()
	in.Language, in.LanguageRecorded = "de", true
	in.TextHash = "sha256:" + strings.Repeat("ab", 32)
	m := decoded(t, mustReceipt(t, in))
	for _, tc := range []struct {
		path []any
		want any
	}{
		{[]any{"language"}, "de"},
		{[]any{"holdspace", "agreementLanguage"}, "de"},
		{[]any{"holdspace", "languageStatement"}, "Sprache dieser Vereinbarung: Deutsch"},
		{[]any{"holdspace", "textHash"}, in.TextHash},
		{[]any{"holdspace", "withdrawalMethod"}, "mit einem Tippen im Portal, oder sagen Sie es Ihrer Behandler:in"},
		{[]any{"collectionMethod"}, "Portal der Klient:in"},
		{[]any{"services", 0, "service"}, "intime Körperarbeit und Beckenbodenarbeit"},
		{[]any{"services", 0, "purposes", 0, "purpose"}, "therapeutische Körperarbeit"},
		{[]any{"services", 0, "purposes", 0, "piiCategory", 0}, "Gesundheitsdaten (besondere Kategorie, Art. 9 DSGVO)"},
		{[]any{"services", 0, "purposes", 0, "termination"}, "bei Widerruf oder Ablauf"},
		{[]any{"spiCat", 1}, "Sexualleben"},
		// Codes of the receipt's own vocabulary stay as the specification
		// writes them.
		{[]any{"services", 0, "purposes", 0, "consentType"}, "EXPLICIT"},
		{[]any{"holdspace", "state"}, "given"},
	} {
		if got := jget(m, tc.path...); got != tc.want {
			t.Errorf("%v = %v, want %v", tc.path, got, tc.want)
		}
	}

	in = receiptInput()
	in.Language = "es"
	m = decoded(t, mustReceipt(t, in))
	if m["language"] != "es" || jget(m, "holdspace", "agreementLanguage") != nil ||
		!strings.HasPrefix(jget(m, "holdspace", "languageStatement").(string), "Idioma de este recibo: Español. No consta") {
		t.Errorf("unrecorded language: %v %v %v", m["language"], jget(m, "holdspace", "agreementLanguage"), jget(m, "holdspace", "languageStatement"))
	}
}

// TestConsentLanguage: a Consent carries the language its agreement was
// signed in as Resource.language; a malformed tag is refused.
func TestConsentLanguage(t *testing.T) {
	a := sampleAgreement()
	c, err := NewConsent(ConsentInput{Agreement: a, Status: "active", Language: "de"})
	if err != nil || c.Language != "de" {
		t.Fatalf("language = %q, %v", c.Language, err)
	}
	m := decoded(t, c)
	if m["language"] != "de" {
		t.Errorf("JSON language = %v", m["language"])
	}
	if c, err := NewConsent(ConsentInput{Agreement: a, Status: "active"}); err != nil || c.Language != "" {
		t.Errorf("unrecorded: %q, %v", c.Language, err)
	}
	if _, err := NewConsent(ConsentInput{Agreement: a, Status: "active", Language: "de_DE!"}); holdspace.ErrorCode(err) != holdspace.EINVALID {
		t.Errorf("malformed tag: %v", err)
	}
}
