package web

import (
	"slices"
	"strings"
	"testing"

	"holdspace/consent"
	"holdspace/i18n"
	"holdspace/screening"
)

// The rule pack gives its reasons in exactly the languages holdspace
// ships: a language added to the catalogs needs the pack's translations
// too, or this fails.
func TestRulePackSpeaksEveryShippedLanguage(t *testing.T) {
	p := screening.DefaultPack()
	if p == nil {
		t.Fatal(screening.DefaultPackErr())
	}
	got := append([]string{i18n.Source}, p.Languages...)
	slices.Sort(got)
	want := i18n.Default().Languages()
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("rule pack languages %v, shipped languages %v", got, want)
	}
}

// Every health question and its help have a catalog entry in every
// language, and the German ones differ from the English.
func TestQuestionnaireTranslated(t *testing.T) {
	qn, _ := screening.Lookup(screening.IntakeV1)
	b := i18n.Default()
	de := b.Localizer("de")
	for i := range qn.Items {
		it := &qn.Items[i]
		for _, id := range []string{"screening.item." + it.LinkID + ".text", "screening.item." + it.LinkID + ".help"} {
			if !b.Has(id) {
				t.Errorf("no %s", id)
			}
		}
		if itemText(de, it) == it.Text || itemHelp(de, it) == it.Help {
			t.Errorf("%s is English in German", it.LinkID)
		}
		for _, o := range itemOptions(de, it) {
			if !b.Has("screening.option." + it.LinkID + "." + o.Code) {
				t.Errorf("no option %s.%s", it.LinkID, o.Code)
			}
		}
	}
	for _, tp := range qn.Topics() {
		if !b.Has("screening.topic." + string(tp)) {
			t.Errorf("no topic %s", tp)
		}
	}
}

// A decision's reason that quotes a screening finding reads the finding in
// the reader's language, the reason it still holds too.
func TestDecisionReasonQuotesFindingInLanguage(t *testing.T) {
	r, _ := screening.DefaultPack().Rule("fever")
	de := i18n.Default().Localizer("de")
	msg := consent.PrefixContraindicated + r.Reason + " (" + screening.HeldThisSession + ")"
	got := reasonTextIn(de, consent.Reason{Code: consent.CodeContraindicated, Message: msg})
	if !strings.Contains(got, r.Translations["de"].Reason) || !strings.Contains(got, de.T("screening.held.this_session")) || strings.Contains(got, r.Reason) {
		t.Errorf("reason in German = %q", got)
	}
	if got := reasonTextIn(i18n.Default().Localizer("en"), consent.Reason{Code: consent.CodeContraindicated, Message: msg}); got != msg {
		t.Errorf("reason in English = %q, want the message", got)
	}
}
