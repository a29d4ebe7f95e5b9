package screening

import (
	"strings"
	"testing"
)

// A pack that declares languages gives every rule's reasons in each of
// them (issue 17); a gap or a stray language refuses the pack.
func TestPackTranslations(t *testing.T) {
	const tr = "    translations:\n      de: {reason: rd, practitioner_reason: prd}\n"
	withLangs := func(rule string) []byte {
		return []byte(strings.Replace(string(packWith(rule)), "questionnaire: intake-v1\n", "questionnaire: intake-v1\nlanguages: [de]\n", 1))
	}
	good := strings.Replace(goodRule, "    source: s\n", "    source: s\n"+tr, 1)
	p, err := LoadPack(withLangs(good))
	if err != nil {
		t.Fatalf("translated pack refused: %v", err)
	}
	r, _ := p.Rule("good")
	if got := r.ReasonsIn("de"); got.Reason != "rd" || got.PractitionerReason != "prd" {
		t.Errorf("ReasonsIn(de) = %+v", got)
	}
	if got := r.ReasonsIn("fr"); got.Reason != "r" || got.PractitionerReason != "pr" {
		t.Errorf("ReasonsIn(fr) = %+v, want the English reasons", got)
	}
	for _, c := range []struct{ name, src, want string }{
		{"missing language", string(withLangs(goodRule)), "no de translation"},
		{"half a translation", string(withLangs(strings.Replace(good, ", practitioner_reason: prd", "", 1))), "needs reason and practitioner_reason"},
		{"language not declared", string(packWith(good)), `translation to "de"`},
		{"english declared", strings.Replace(string(withLangs(good)), "languages: [de]", "languages: [de, en]", 1), "languages"},
	} {
		_, err := LoadPack([]byte(c.src))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
}

// The embedded pack gives every rule both reasons in German and Spanish,
// different from the English.
func TestDefaultPackTranslated(t *testing.T) {
	p := DefaultPack()
	if p == nil {
		t.Fatal(DefaultPackErr())
	}
	if strings.Join(p.Languages, ",") != "de,es" {
		t.Fatalf("languages %v, want de, es", p.Languages)
	}
	for _, r := range p.Rules() {
		for _, l := range p.Languages {
			got := r.ReasonsIn(l)
			if got.Reason == r.Reason || got.PractitionerReason == r.PractitionerReason {
				t.Errorf("rule %s: the %s reasons are the English ones", r.ID, l)
			}
		}
	}
}

// A finding gives its reasons in a language when its words are the
// default pack's, and keeps its own words otherwise.
func TestFindingReasonIn(t *testing.T) {
	r, _ := DefaultPack().Rule("fever")
	f := r.finding(Answers{})
	if got := f.ReasonIn("de"); !strings.Contains(got, "Fieber") {
		t.Errorf("ReasonIn(de) = %q", got)
	}
	if got := f.PractitionerReasonIn("es"); !strings.Contains(got, "Fiebre") {
		t.Errorf("PractitionerReasonIn(es) = %q", got)
	}
	if got := f.ReasonIn("en"); got != f.Reason {
		t.Errorf("ReasonIn(en) = %q", got)
	}
	f.Reason, f.PractitionerReason = "A custom pack's words.", "Custom."
	if got := f.ReasonIn("de"); got != f.Reason {
		t.Errorf("a custom reason became %q", got)
	}
	if got := f.PractitionerReasonIn("de"); got != f.PractitionerReason {
		t.Errorf("a custom practitioner reason became %q", got)
	}
}

// A reason the default pack gives in English is found in German and
// Spanish, whichever of the two reasons it is; other words are not.
func TestTranslateReason(t *testing.T) {
	r, _ := DefaultPack().Rule("dvt-legs")
	if got, ok := TranslateReason(r.Reason, "de"); !ok || got != r.Translations["de"].Reason {
		t.Errorf("client reason in German = %q, %v", got, ok)
	}
	if got, ok := TranslateReason(r.PractitionerReason, "es"); !ok || got != r.Translations["es"].PractitionerReason {
		t.Errorf("practitioner reason in Spanish = %q, %v", got, ok)
	}
	if _, ok := TranslateReason("A custom pack's words.", "de"); ok {
		t.Error("a custom reason was translated")
	}
	if _, ok := TranslateReason(r.Reason, "fr"); ok {
		t.Error("a reason was translated to a language the pack lacks")
	}
}
