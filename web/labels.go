package web

import (
	"strings"

	"holdspace/catalogue"
	"holdspace/i18n"
	"holdspace/screening"
)

// pageFuncs are template functions added for issue 15's page fixes,
// beside the ones loadTemplates declares.
var pageFuncs = map[string]any{
	"techLabels": techLabels,
	"idName":     func(id, name string) idName { return idName{ID: id, Name: name} },
}

// labelFuncs are the body-map and screening words of templates in l's
// language (issue 17). langFuncs adds them, so they replace the English
// ones of pageFuncs and loadTemplates in every language's template set.
// (intentLabel and agreementStatusText are labels_session.go's.)
func labelFuncs(l *i18n.Localizer) map[string]any {
	return map[string]any{
		"regionLabel":     func(code string) string { return regionName(l, code) },
		"techLabel":       func(code string) string { return techName(l, code) },
		"techHelp":        func(code string) string { return techHelp(l, code) },
		"techWord":        func(code string) string { return techWord(l, code) },
		"intentWork":      func(intent any) string { return intentWorkIn(l, intent) },
		"intentWorkTitle": func(intent any) string { return intentFormIn(l, intent, "work_title") },
		"intentAgreement": func(intent any) string { return intentFormIn(l, intent, "agreement") },
		"techLabels":      func(codes []string) string { return techNames(l, codes) },
		"answerText":      func(a catalogue.Answer) string { return answerName(l, a) },
		"severityText":    func(s screening.Severity) string { return severityName(l, s) },
		"intentWord":      func(intent any) string { return intentWordIn(l, intent) },
		"findingReason":   func(f screening.Finding) string { return f.ReasonIn(l.Lang()) },
		"findingPractitionerReason": func(f screening.Finding) string {
			return f.PractitionerReasonIn(l.Lang())
		},
		"heldText": func(s string) string { return heldName(l, s) },
	}
}

// src is the source language's localizer, for Go code that has no reader
// (the English words of the functions kept for callers without one).
func src() *i18n.Localizer { return i18n.Default().Localizer(i18n.Source) }

// orSrc is l, or the source language's localizer when l is nil.
func orSrc(l *i18n.Localizer) *i18n.Localizer {
	if l == nil {
		return src()
	}
	return l
}

// idName is an id with the name of the person it names, if any.
type idName struct{ ID, Name string }

func asString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case catalogue.Intent:
		return string(x)
	}
	return ""
}

// intentWordIn is an intent inside a sentence, in l: "therapeutic".
func intentWordIn(l *i18n.Localizer, intent any) string {
	s := asString(intent)
	if catalogue.ValidIntent(s) {
		return orSrc(l).T("body.intent." + s + ".word")
	}
	return s
}

// intentWorkIn is the work of an intent inside a sentence, in l:
// "therapeutic work".
func intentWorkIn(l *i18n.Localizer, intent any) string { return intentFormIn(l, intent, "work") }

// intentFormIn is one form of an intent's words in l: body.intent.<intent>.<form>.
func intentFormIn(l *i18n.Localizer, intent any, form string) string {
	s := asString(intent)
	if catalogue.ValidIntent(s) {
		return orSrc(l).T("body.intent." + s + "." + form)
	}
	return s
}

// techLabels names techniques by their catalogue labels, joined.
func techLabels(codes []string) string { return techNames(nil, codes) }

// techNames names techniques in l, joined.
func techNames(l *i18n.Localizer, codes []string) string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = techName(l, c)
	}
	return strings.Join(out, ", ")
}

// regionName is a body-map region's name in l ("Lower back",
// "Unterer Rücken"); an unknown code is shown as itself.
func regionName(l *i18n.Localizer, code string) string {
	if _, ok := catalogue.LookupRegion(code); ok {
		return orSrc(l).T("body.region." + code)
	}
	return code
}

// techName is a technique's name in l ("Deep pressure").
func techName(l *i18n.Localizer, code string) string {
	if catalogue.ValidTechnique(code) {
		return orSrc(l).T("body.tech." + code + ".label")
	}
	return code
}

// techWord is a technique's name inside a sentence, in l ("deep
// pressure"; German keeps its capitals: "tiefer Druck", "Massage").
func techWord(l *i18n.Localizer, code string) string {
	if catalogue.ValidTechnique(code) {
		return orSrc(l).T("body.tech." + code + ".word")
	}
	return code
}

// techHelp says what a technique is, in l.
func techHelp(l *i18n.Localizer, code string) string {
	if catalogue.ValidTechnique(code) {
		return orSrc(l).T("body.tech." + code + ".help")
	}
	return ""
}

// answerName is a consent answer in l ("Ask me first").
func answerName(l *i18n.Localizer, a catalogue.Answer) string {
	switch a {
	case catalogue.Yes, catalogue.Ask:
		return orSrc(l).T("body.answer." + string(a))
	}
	return orSrc(l).T("body.answer.no")
}

// severityName is a screening outcome for a client, in l ("Fine, with
// care").
func severityName(l *i18n.Localizer, s screening.Severity) string {
	switch s {
	case screening.Precaution, screening.Referral, screening.Contraindicated:
		return orSrc(l).T("screening.severity." + s.String())
	}
	return orSrc(l).T("screening.severity.clear")
}

// heldName says, in l, why an earlier finding still holds (Finding.Held).
func heldName(l *i18n.Localizer, held string) string {
	switch held {
	case screening.HeldUntilCleared:
		return orSrc(l).T("screening.held.until_cleared")
	case screening.HeldUnconfirmed:
		return orSrc(l).T("screening.held.unconfirmed")
	case screening.HeldThisSession:
		return orSrc(l).T("screening.held.this_session")
	}
	return held
}

// chosenRegions splits the body-map regions into those the client said yes
// or ask-first to (for at least one technique) and those left at No.
func chosenRegions(regions []consentRegion) (chosen, left []consentRegion) {
	for _, r := range regions {
		if r.Class == "s-no" {
			left = append(left, r)
		} else {
			chosen = append(chosen, r)
		}
	}
	return chosen, left
}
