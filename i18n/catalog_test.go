package i18n

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// dynamicPrefixes are message id prefixes that code builds at run time
// ("zone." + an abbreviation); a message under one counts as used. Add a
// prefix here only together with the code that builds such ids.
var dynamicPrefixes = []string{
	"zone.",                   // Localizer.Zone: zone.<abbreviation>
	"language.",               // the switcher: language.<tag>
	"shell.role.",             // the layout: shell.role.<role>
	"shell.flash.",            // flashText: shell.flash.<done code>
	"form.error.",             // codeText: form.error.<reason or class>
	"admin.cover.",            // credential coverage and scope groups by code
	"admin.intent.",           // session type intents by code
	"admin.follow_up_status.", // a follow-up's status
	"admin.off_reason.",       // a day off's reason: admin.off_reason.<code>.label
	"admin.weekday.",          // weekdays(): admin.weekday.<0-6>
	// web/labels.go and web/screeningtext.go: the body map's and the
	// health questions' words by catalogue code and linkId.
	"body.region.", "body.inner.", "body.tech.", "body.answer.", "body.intent.", "body.status.",
	"screening.severity.", "screening.severity_for.", "screening.item.", "screening.option.", "screening.topic.",
	// web/labels_session.go; web's TestSessionWordsInCatalogs checks each
	// exists for every value the domain has.
	"reasons.", "session.state.", "session.intent.", "session.agreement_status.", "session.role.",
	"session.trigger.", "session.followup.", "session.stale.", "session.adverse.", "session.group.",
}

// TestCatalogComplete fails when a shipped language lacks a message the
// source language has, or has one it does not.
func TestCatalogComplete(t *testing.T) {
	b := Default()
	src := b.MessageIDs(Source)
	for _, lang := range b.Languages()[1:] {
		ids := b.MessageIDs(lang)
		for _, id := range src {
			if _, ok := slices.BinarySearch(ids, id); !ok {
				t.Errorf("%s lacks %q (en: %q)", lang, id, b.Text(Source, id)["other"])
			}
		}
		for _, id := range ids {
			if _, ok := slices.BinarySearch(src, id); !ok && !strings.HasPrefix(id, "zone.") {
				t.Errorf("%s has %q, which English does not", lang, id)
			}
		}
	}
	if len(b.Languages()) < 3 {
		t.Errorf("languages %v: English, German and Spanish ship", b.Languages())
	}
}

var placeholder = regexp.MustCompile(`\{\{\s*\.([A-Za-z0-9_]+)\s*\}\}`)

// TestCatalogPlaceholders fails when a translation drops or invents a
// placeholder of the English message.
func TestCatalogPlaceholders(t *testing.T) {
	b := Default()
	names := func(forms map[string]string) []string {
		seen := map[string]bool{}
		for _, s := range forms {
			for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
				seen[m[1]] = true
			}
		}
		var out []string
		for k := range seen {
			if k != "Count" {
				out = append(out, k)
			}
		}
		sort.Strings(out)
		return out
	}
	for _, id := range b.MessageIDs(Source) {
		want := names(b.Text(Source, id))
		for _, lang := range b.Languages()[1:] {
			if got := names(b.Text(lang, id)); b.Text(lang, id) != nil && !slices.Equal(got, want) {
				t.Errorf("%s %q: placeholders %v, English has %v", lang, id, got, want)
			}
		}
	}
}

var (
	// A message id in Go code or a template: a quoted dotted lower-case name.
	quotedID = regexp.MustCompile(`"([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)"`)
	// A message asked for by a template or by Go code: t "id", tn "id",
	// .T("id", .N("id".
	askedID = regexp.MustCompile(`(?:\{\{-?\s*(?:t|tn)\s+"|\.(?:T|N)\(")([^"]+)"`)
)

// TestCatalogUsed fails when the source catalog holds a message nothing
// asks for (an unused key), or code asks for one it lacks (a typo).
func TestCatalogUsed(t *testing.T) {
	b := Default()
	quoted, asked := map[string]bool{}, map[string][]string{}
	root := ".."
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "node_modules", "bench", "e2e", "testdata":
				return filepath.SkipDir
			}
			return nil
		}
		if !(strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go")) && !strings.HasSuffix(p, ".html") {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range quotedID.FindAllStringSubmatch(string(src), -1) {
			quoted[m[1]] = true
		}
		for _, m := range askedID.FindAllStringSubmatch(string(src), -1) {
			asked[m[1]] = append(asked[m[1]], p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range b.MessageIDs(Source) {
		if !quoted[id] && !slices.ContainsFunc(dynamicPrefixes, func(p string) bool { return strings.HasPrefix(id, p) }) {
			t.Errorf("message %q is in the catalog but nothing asks for it", id)
		}
	}
	for id, files := range asked {
		if !b.Has(id) && !strings.HasSuffix(id, ".") {
			t.Errorf("message %q is asked for (%s) but the catalog lacks it", id, strings.Join(files, ", "))
		}
	}
}
