package web

import (
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"
)

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
		if len(words) > 0 {
			if len(words) > 12 {
				words = append(words[:12], "…")
			}
			t.Errorf("%s shows words that are not in the catalogs: %s", name, strings.Join(words, " "))
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
