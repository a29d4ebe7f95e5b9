package web_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"holdspace"
	"holdspace/app"
	"holdspace/catalogue"
	"holdspace/consent"
)

// spanishDate is how a Spanish reader writes the day and time of t in loc,
// from CLDR's Spanish abbreviations written out by hand (not by the code
// under test): "mar., 1 dic. 2026, 9:05".
func spanishDate(t time.Time, loc *time.Location) string {
	days := []string{"dom.", "lun.", "mar.", "mié.", "jue.", "vie.", "sáb."}
	months := []string{"ene.", "feb.", "mar.", "abr.", "may.", "jun.", "jul.", "ago.", "sept.", "oct.", "nov.", "dic."}
	lt := t.In(loc)
	return fmt.Sprintf("%s, %d %s %d, %d:%02d", days[lt.Weekday()], lt.Day(), months[lt.Month()-1], lt.Year(), lt.Hour(), lt.Minute())
}

// TestAgreementPDFInSpanish: an agreement signed in Spanish prints in
// Spanish, whoever prints it (here a practitioner reading in English):
// Spanish headings, region and technique names, dates and the consent
// text, a statement of the agreement's language, its text hash, and no
// English heading. Checked on the text pdftotext extracts.
func TestAgreementPDFInSpanish(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	s, err := e.app.Practice.PracticeSettings(ctx, e.admin)
	if err != nil {
		t.Fatal(err)
	}
	s.Settings.TimeZone = "Europe/Madrid"
	if _, err := e.app.Practice.PutPracticeSettings(ctx, e.admin, s.Settings); err != nil {
		t.Fatal(err)
	}
	id, err := e.app.People.CreateClient(ctx, app.System, app.ClientInput{Name: "Lucía Fernández", Email: "lucia@example.test", Password: e.pw,
		BirthDate: "1985-03-09", PractitionerIDs: []string{e.pract.UserID}})
	if err != nil {
		t.Fatal(err)
	}
	client := app.Actor{UserID: id, Role: holdspace.RoleClient, Device: "test"}
	grants := []consent.Grant{{Region: "shoulders", Technique: "touch", Answer: catalogue.Yes},
		{Region: "feet", Technique: "touch", Answer: catalogue.Yes}, {Region: "feet", Technique: "massage", Answer: catalogue.Ask},
		{Region: "upper-back", Technique: "pressure", Answer: catalogue.No}}
	ag, err := e.app.Agreements.CreateAgreement(ctx, client, id, app.AgreementInput{Intent: "therapeutic", Grants: grants, Language: "es"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Agreements.SignAgreement(ctx, client, ag.ID, app.SignInput{}); err != nil {
		t.Fatal(err)
	}
	got, err := e.app.Agreements.GetAgreement(ctx, client, ag.ID)
	if err != nil || got.SignedAt == nil || got.Language != "es" || !regexp.MustCompile(`^sha256:[0-9a-f]{64}$`).MatchString(got.TextHash) {
		t.Fatalf("agreement = %+v, %v", got, err)
	}

	b := e.browser()
	b.login("robin@example.test")
	txt := pdfPageText(t, b, "/agreements/"+ag.ID+".pdf")
	flat := regexp.MustCompile(`\s+`).ReplaceAllString(txt, " ")
	for _, want := range []string{
		// Headings and labels.
		"Acuerdo de consentimiento", "Idioma de este acuerdo: Español", "El acuerdo en palabras", "Regiones generales",
		"Región", "Firma", "Firmado por", "Firmado el", "Hash del contenido", "Hash del texto", "Página 1 de 1",
		// Region and technique names, answers.
		"Hombros", "Pies", "Contacto", "Masaje", "Presión profunda", "Pregúntame antes",
		// The consent text, as the signing page showed it.
		"Para qué es el trabajo: trabajo terapéutico.", "Hombros: Contacto – sí.", "Pies: Contacto – sí; Masaje – pregúntame antes.",
		"Cualquier otra zona y cualquier otro tipo de contacto: no.",
		// The date of birth and the signature's time, in Spanish.
		"9 mar. 1985", spanishDate(*got.SignedAt, mustLoc(t, "Europe/Madrid")),
		"Lucía Fernández (cliente)", "Firmado por la persona cliente en su propio portal",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("the Spanish PDF lacks %q:\n%s", want, txt)
		}
	}
	if !regexp.MustCompile(`Hash del texto\s+` + got.TextHash + `\s*\n`).MatchString(txt) {
		t.Errorf("the text hash is not whole on one line:\n%s", txt)
	}
	for _, english := range []string{"Consent agreement", "Language", "Signature", "Signed by", "General regions", "Region ",
		"Content hash", "Text hash", "Page 1", "Printed", "Withdraw", "Shoulders", "Feet", "Touch", "Ask me first", "therapeutic work",
		"Client", "Date of birth", "Practitioner", "Agreement "} {
		if regexp.MustCompile(`\b` + regexp.QuoteMeta(english) + `\b`).MatchString(txt) {
			t.Errorf("the Spanish PDF holds the English %q:\n%s", english, txt)
		}
	}
}
