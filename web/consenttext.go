package web

import (
	"slices"
	"strings"

	"holdspace/app"
	"holdspace/consent"
	"holdspace/i18n"
)

// consentWords returns what the signing page shows as the exact words of
// the agreement (app.ConsentText, whose hash the agreement records) and
// the language they are in, which the form sends back with the signature.
// The language is empty on a page in a language holdspace does not ship
// (the pseudo-locale): the agreement then records the client's own.
func consentWords(q *request, intent string, gs []consent.Grant) (lang string, lines []string) {
	lang = q.l.Lang()
	text := app.ConsentText(lang, app.ConsentTerms{Intent: intent, Grants: gs})
	if !slices.Contains(i18n.Default().Languages(), lang) {
		lang = ""
	}
	return lang, strings.Split(text, "\n")
}
