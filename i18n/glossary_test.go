package i18n

import (
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// glossaryPending lists terms no shipped catalog uses yet (their words
// arrive with another area's catalogs). TestGlossaryUsed only logs them,
// and fails once a pending term is used in every language, so the list
// only shrinks.
var glossaryPending = []string{}

// glossary reads glossary.toml: term → field → value (a word, a note, or
// a list of other forms).
func glossary(t *testing.T) map[string]map[string]any {
	t.Helper()
	src, err := os.ReadFile("glossary.toml")
	if err != nil {
		t.Fatal(err)
	}
	var g map[string]map[string]any
	if _, err := toml.Decode(string(src), &g); err != nil {
		t.Fatalf("glossary.toml: %v", err)
	}
	if len(g) == 0 {
		t.Fatal("glossary.toml holds no terms")
	}
	return g
}

// forms returns a term's word in lang and its other forms.
func forms(entry map[string]any, lang string) []string {
	var out []string
	if w, ok := entry[lang].(string); ok && strings.TrimSpace(w) != "" {
		out = append(out, w)
	}
	if also, ok := entry[lang+"_also"].([]any); ok {
		for _, a := range also {
			if s, ok := a.(string); ok && s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// TestGlossaryComplete fails when a term lacks its word in a shipped
// language, or holds a field the glossary does not know.
func TestGlossaryComplete(t *testing.T) {
	g := glossary(t)
	langs := Default().Languages()
	for _, must := range []string{"en", "de", "es"} {
		if !slices.Contains(langs, must) {
			t.Errorf("%s is not shipped", must)
		}
	}
	for term, entry := range g {
		for _, lang := range langs {
			if w, ok := entry[lang].(string); !ok || strings.TrimSpace(w) == "" {
				t.Errorf("glossary term %q has no %s word", term, lang)
			}
		}
		for k := range entry {
			base := strings.TrimSuffix(k, "_also")
			if k != "note" && !slices.Contains(langs, base) {
				t.Errorf("glossary term %q: unknown field %q (a shipped language, <lang>_also or note)", term, k)
			}
		}
	}
	for _, p := range glossaryPending {
		if g[p] == nil {
			t.Errorf("pending term %q is not in the glossary", p)
		}
	}
}

// TestGlossaryUsed fails when a term's word in a language appears in no
// message of that language's catalogs: either the catalogs drifted to
// another word, or the glossary names a word nobody uses.
func TestGlossaryUsed(t *testing.T) {
	g := glossary(t)
	b := Default()
	texts := map[string][]string{}
	for _, lang := range b.Languages() {
		for _, id := range b.MessageIDs(lang) {
			for _, s := range b.Text(lang, id) {
				texts[lang] = append(texts[lang], strings.ToLower(s))
			}
		}
	}
	used := func(lang string, ws []string) bool {
		for _, w := range ws {
			w = strings.ToLower(w)
			for _, s := range texts[lang] {
				if strings.Contains(s, w) {
					return true
				}
			}
		}
		return false
	}
	terms := make([]string, 0, len(g))
	for term := range g {
		terms = append(terms, term)
	}
	sort.Strings(terms)
	for _, term := range terms {
		var missing []string
		for _, lang := range b.Languages() {
			if !used(lang, forms(g[term], lang)) {
				missing = append(missing, lang)
			}
		}
		pending := slices.Contains(glossaryPending, term)
		switch {
		case len(missing) > 0 && pending:
			t.Logf("glossary term %q is not used yet in %v (pending: another area's catalogs)", term, missing)
		case len(missing) > 0:
			t.Errorf("glossary term %q: no message in %v uses %v", term, missing, func() (ws []string) {
				for _, l := range missing {
					ws = append(ws, forms(g[term], l)...)
				}
				return
			}())
		case pending:
			t.Errorf("glossary term %q is used in every language now: take it off glossaryPending", term)
		}
	}
}
