package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"holdspace/catalogue"
	"holdspace/consent"
	"holdspace/i18n"
	"holdspace/store"
)

// The consent text (issue 17): the exact words of an agreement's terms in
// one language, which the signing page shows, the printed agreement
// prints, and whose SHA-256 the agreement records. It says what the work
// is for, each region the client says yes (or "ask me first") to with the
// kinds of touch, that everything else is no, and how long it is valid. It
// is rendered from the catalogs (pdf.terms.*, body.region.*, body.tech.*.label — the body map's own words)
// and from nothing else, so the same terms in the same language always give
// the same text, and so the same hash.

// ConsentTerms are what an agreement's consent text says.
type ConsentTerms struct {
	Intent string
	Grants []consent.Grant
	// ValidUntil is the end of the agreement (zero: none), written in
	// Location, the practice's time zone.
	ValidUntil time.Time
	Location   *time.Location
}

// ConsentText returns the consent text of t in lang (a shipped language;
// another falls back to English), one statement a line.
func ConsentText(lang string, t ConsentTerms) string {
	l := i18n.Default().Localizer(lang)
	var lines []string
	intent := l.T("pdf.intent.therapeutic")
	if t.Intent == string(catalogue.Sensual) {
		intent = l.T("pdf.intent.sensual")
	}
	lines = append(lines, l.T("pdf.terms.intent", "Intent", intent))
	answers := map[string]catalogue.Answer{}
	for _, g := range t.Grants {
		answers[g.Region+"/"+g.Technique] = g.Answer
	}
	given := 0
	for _, r := range catalogue.Regions() {
		var parts []string
		for _, tq := range catalogue.Techniques() {
			a := answers[r.Code+"/"+tq.Code]
			if a != catalogue.Yes && a != catalogue.Ask {
				continue
			}
			parts = append(parts, l.T("pdf.terms.answer", "Technique", TechniqueName(l, tq.Code), "Answer", AnswerWords(l, a)))
		}
		if len(parts) > 0 {
			given++
			lines = append(lines, l.T("pdf.terms.region", "Region", RegionName(l, r.Code), "Answers", strings.Join(parts, l.T("pdf.terms.separator"))))
		}
	}
	if given == 0 {
		lines = append(lines, l.T("pdf.terms.none"))
	} else {
		lines = append(lines, l.T("pdf.terms.rest"))
	}
	if t.ValidUntil.IsZero() {
		lines = append(lines, l.T("pdf.terms.open_ended"))
	} else {
		lines = append(lines, l.T("pdf.terms.valid_until", "When", l.DateTime(t.ValidUntil, t.Location)))
	}
	return strings.Join(lines, "\n")
}

// ConsentTextHash is the SHA-256 of a consent text's UTF-8 bytes:
// "sha256:" and 64 hexadecimal digits.
func ConsentTextHash(text string) string {
	s := sha256.Sum256([]byte(text))
	return "sha256:" + hex.EncodeToString(s[:])
}

// RegionName is a body region's name in l's language (its code when the
// catalogue does not know it).
func RegionName(l *i18n.Localizer, code string) string {
	if _, ok := catalogue.LookupRegion(code); !ok {
		return code
	}
	return l.T("body.region." + code)
}

// TechniqueName is a technique's name in l's language.
func TechniqueName(l *i18n.Localizer, code string) string {
	if !catalogue.ValidTechnique(code) {
		return code
	}
	return l.T("body.tech." + code + ".label")
}

// AnswerWords is a consent answer in l's language: "yes", "ask me first",
// "no".
func AnswerWords(l *i18n.Localizer, a catalogue.Answer) string {
	switch a {
	case catalogue.Yes:
		return l.T("pdf.answer.yes")
	case catalogue.Ask:
		return l.T("pdf.answer.ask")
	}
	return l.T("pdf.answer.no")
}

// consentWords returns the language an agreement's text is recorded in
// (lang, or the client's language when lang is empty) and the hash of its
// consent text in that language.
func (a *core) consentWords(ctx context.Context, tx interface {
	store.Settings
	store.Users
}, clientID, lang string, ag consent.Agreement) (string, string, error) {
	st, err := a.practiceSettings(ctx, tx)
	if err != nil {
		return "", "", err
	}
	if lang == "" {
		u, err := tx.User(ctx, clientID)
		if err != nil {
			return "", "", err
		}
		if lang, err = a.languageOf(ctx, tx, u); err != nil {
			return "", "", err
		}
	}
	text := ConsentText(lang, ConsentTerms{Intent: string(ag.Intent), Grants: ag.Grants, ValidUntil: ag.ValidUntil, Location: st.loc})
	return lang, ConsentTextHash(text), nil
}
