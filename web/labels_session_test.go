package web

import (
	"strings"
	"testing"

	"holdspace/app"
	"holdspace/catalogue"
	"holdspace/consent"
	"holdspace/i18n"
	"holdspace/practice"
)

// TestSessionWordsInCatalogs: every state, intent, status, adverse kind,
// group and fixed reason the domain has is in the catalogs, and the
// English of every fixed reason is the domain's own message, word for word
// (so the API's English and the pages' agree).
func TestSessionWordsInCatalogs(t *testing.T) {
	b := i18n.Default()
	en := b.Localizer("en")
	for k, r := range consent.FixedReasons() {
		if got := en.T("reasons." + k); got != r.Message {
			t.Errorf("reasons.%s: catalog %q, domain %q", k, got, r.Message)
		}
		if got := reasonTextIn(en, r); got != r.Message {
			t.Errorf("reasonTextIn(%s) = %q", k, got)
		}
	}
	for _, lang := range b.Languages() {
		l := b.Localizer(lang)
		check := func(what, got, raw string) {
			if (lang != "en" && got == raw) || strings.HasPrefix(got, "⟦") {
				t.Errorf("%s: %s %q has no words (%q)", lang, what, raw, got)
			}
		}
		for _, s := range []practice.State{practice.Scheduled, practice.Open, practice.InProgress, practice.Stopped, practice.Closed, practice.Cancelled} {
			check("state", stateTextIn(l, string(s)), string(s))
		}
		for _, i := range catalogue.Intents() {
			check("intent", intentLabelIn(l, i), string(i))
		}
		for _, s := range []consent.Status{consent.StatusDraft, consent.StatusActive, consent.StatusSuperseded, consent.StatusRevoked, consent.StatusExpired} {
			check("status", agreementStatusIn(l, s), string(s))
		}
		for _, k := range practice.AdverseKinds() {
			check("adverse kind", adverseKindIn(l, k), k)
		}
		for _, g := range []catalogue.Group{catalogue.General, catalogue.Sensitive, catalogue.Intimate, catalogue.Internal} {
			check("group", groupLabelIn(l, string(g)), string(g))
		}
		for _, tr := range []string{practice.FollowUpEmotionalRelease, practice.FollowUpAdverse, practice.FollowUpStop, practice.FollowUpCheckinDeclined} {
			check("trigger", triggersIn(l, []string{tr}), tr)
		}
		for _, r := range []string{"client", "practitioner", "admin"} {
			check("role", roleTextIn(l, r), r)
		}
		for _, e := range []string{"open", "begin", "stop", "resume", "close"} {
			check("event", eventTextIn(l, app.EventView{Event: practice.Event{Type: practice.EventType(e)}}), e)
		}
	}
	de := b.Localizer("de")
	if got := reasonTextIn(de, consent.Reason{Code: consent.CodeContraindicated, Message: consent.PrefixContraindicated + "Fever today."}); got != "Laut Gesundheitsfragen nicht fortfahren: Fever today." {
		t.Errorf("screening reason in German: %q", got)
	}
}
