package web

import (
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// untranslated lists the templates whose words have not moved into the
// catalogs yet. TestTemplatesHaveNoLiterals fails on a literal in any
// other template, and on a listed template that has none left (so the
// list only shrinks).
var untranslated = []string{
	"agreement.html", "agreements.html", "book.html", "client_home.html", "consent.html", "consent_review.html",
	"intake.html", "my_bookings.html", "partials.html", "screening.html", "session_client.html",
}

var (
	tplComment   = regexp.MustCompile(`(?s)\{\{-?\s*/\*.*?\*/\s*-?\}\}|<!--.*?-->`)
	tplAction    = regexp.MustCompile(`(?s)\{\{.*?\}\}`)
	tplScript    = regexp.MustCompile(`(?is)<(script|style)\b.*?</(script|style)>`)
	tplShownAttr = regexp.MustCompile(`(?i)\s(placeholder|title|alt|aria-label|aria-roledescription|aria-valuetext)="([^"]*)"`)
	tplTag       = regexp.MustCompile(`(?s)<[^>]*>`)
	tplEntity    = regexp.MustCompile(`&[A-Za-z0-9#]+;`)
	tplWord      = regexp.MustCompile(`\p{L}{2,}`)
)

// literals returns the words of src a reader sees that are not asked from
// the catalogs: text between tags and the attributes shown to people.
func literals(src string) []string {
	s := tplComment.ReplaceAllString(src, "")
	s = tplScript.ReplaceAllString(s, "")
	s = tplAction.ReplaceAllString(s, " ")
	var out []string
	for _, m := range tplShownAttr.FindAllStringSubmatch(s, -1) {
		out = append(out, tplWord.FindAllString(tplEntity.ReplaceAllString(m[2], " "), -1)...)
	}
	text := tplEntity.ReplaceAllString(tplTag.ReplaceAllString(s, " "), " ")
	out = append(out, tplWord.FindAllString(text, -1)...)
	return slices.DeleteFunc(out, func(w string) bool { return w == "holdspace" })
}

func TestTemplatesHaveNoLiterals(t *testing.T) {
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		src, err := fs.ReadFile(templateFS, f)
		if err != nil {
			t.Fatal(err)
		}
		words := literals(string(src))
		name := path.Base(f)
		pending := slices.Contains(untranslated, name)
		switch {
		case len(words) > 0 && !pending:
			if len(words) > 12 {
				words = append(words[:12], "…")
			}
			t.Errorf("%s shows words that are not in the catalogs: %s", name, strings.Join(words, " "))
		case len(words) == 0 && pending:
			t.Errorf("%s has no literal left: take it off the untranslated list", name)
		}
	}
}

func TestLiterals(t *testing.T) {
	for _, c := range []struct {
		src  string
		want []string
	}{
		{`<p>{{t "a.b"}}</p>`, nil},
		{`<p>Hello {{.Name}}</p>`, []string{"Hello"}},
		{`<input placeholder="Your name" value="{{.V}}">`, []string{"Your", "name"}},
		{`<a title="{{t "x.y"}}" href="/x">→</a>`, nil},
		{`{{/* A comment */}}<!-- note --><span>&nbsp;·</span>`, nil},
		{`<script>var x = "words"</script><b>holdspace</b>`, nil},
		{`<p>Müller</p>`, []string{"Müller"}},
	} {
		if got := literals(c.src); !slices.Equal(got, c.want) {
			t.Errorf("literals(%q) = %q, want %q", c.src, got, c.want)
		}
	}
}
