package agreementpdf

import (
	"embed"
	"fmt"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/image/font/sfnt"
)

// The embedded fonts (see fonts/README.md for their sources and licences).
// The PDF library subsets them: a document carries only the glyphs it uses.
//
//go:embed fonts/*.ttf
var fontFiles embed.FS

// face is one embedded font family, in fallback order.
type face struct {
	family string // the family name inside the PDF
	file   string // regular weight
	bold   string // bold weight; empty: bold text uses the regular file
	rtl    bool   // the script it exists for is written right to left

	regular, boldData []byte
	sf                *sfnt.Font
}

// faces is the fallback chain: each character prints in the first face
// that has a glyph for it.
var faces = []*face{
	{family: "NotoSans", file: "NotoSans-Regular.ttf", bold: "NotoSans-Bold.ttf"},
	{family: "NotoSansArabic", file: "NotoSansArabic-Regular.ttf", rtl: true},
	{family: "NotoSansHebrew", file: "NotoSansHebrew-Regular.ttf", rtl: true},
	{family: "NotoSansArmenian", file: "NotoSansArmenian-Regular.ttf"},
	{family: "NotoSansGeorgian", file: "NotoSansGeorgian-Regular.ttf"},
	{family: "NotoSansThai", file: "NotoSansThai-Regular.ttf"},
	{family: "DroidSansFallback", file: "DroidSansFallback.ttf"},
}

var (
	loadOnce sync.Once
	loadErr  error
)

// loadFaces reads and parses the embedded fonts once.
func loadFaces() error {
	loadOnce.Do(func() {
		for _, f := range faces {
			b, err := fontFiles.ReadFile("fonts/" + f.file)
			if err != nil {
				loadErr = fmt.Errorf("agreementpdf: font %s: %w", f.file, err)
				return
			}
			f.regular = b
			if f.sf, err = sfnt.Parse(b); err != nil {
				loadErr = fmt.Errorf("agreementpdf: font %s: %w", f.file, err)
				return
			}
			if f.bold != "" {
				if f.boldData, err = fontFiles.ReadFile("fonts/" + f.bold); err != nil {
					loadErr = fmt.Errorf("agreementpdf: font %s: %w", f.bold, err)
					return
				}
			}
		}
	})
	return loadErr
}

// coverage answers which face has a glyph for a character. It is not safe
// for concurrent use (sfnt buffers are not); each document has its own.
type coverage struct {
	buf   sfnt.Buffer
	cache map[rune]int
}

func newCoverage() *coverage { return &coverage{cache: map[rune]int{}} }

// has reports whether face i has a glyph for r.
func (c *coverage) has(i int, r rune) bool {
	g, err := faces[i].sf.GlyphIndex(&c.buf, r)
	return err == nil && g != 0
}

// faceOf returns the first face with a glyph for r (0 when none has one:
// the text font's missing-glyph box is the honest rendering).
func (c *coverage) faceOf(r rune) int {
	if i, ok := c.cache[r]; ok {
		return i
	}
	i := 0
	for j := range faces {
		if c.has(j, r) {
			i = j
			break
		}
	}
	c.cache[r] = i
	return i
}

// neutral characters (spaces, punctuation, digits, symbols) take the
// face of the text around them when that face has them, so that a run of
// one script is not cut at every space.
func neutral(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsDigit(r) || unicode.IsSymbol(r)
}

// run is a stretch of text printed in one face.
type run struct {
	face int
	text string
	// neutral: the run holds only neutral characters.
	neutral bool
	// actual is the text before shaping, when text was shaped: what the
	// glyphs mean, for text extraction.
	actual string
}

// runs splits s into runs by face, then puts them in visual order for a
// left-to-right line: each right-to-left stretch (runs of a right-to-left
// face, with the neutral runs between them) has its runs' order and each
// run's characters reversed. This is the bidirectional algorithm's result
// for a left-to-right paragraph of names and words. Arabic runs are
// shaped first (see shapeArabic).
func (c *coverage) runs(s string) []run {
	var out []run
	var b strings.Builder
	cur, allNeutral := -1, true
	flush := func() {
		if b.Len() > 0 {
			out = append(out, run{face: cur, text: b.String(), neutral: allNeutral})
		}
		b.Reset()
		allNeutral = true
	}
	for _, r := range s {
		f := -1
		if cur >= 0 && neutral(r) && c.has(cur, r) {
			f = cur
		} else {
			f = c.faceOf(r)
		}
		if f != cur {
			flush()
			cur = f
		}
		if !neutral(r) {
			allNeutral = false
		}
		b.WriteRune(r)
	}
	flush()
	out = trimRTL(out)
	for i, r := range out {
		if faces[r.face].rtl && !r.neutral {
			f := r.face
			if shaped := shapeArabic(r.text, func(g rune) bool { return c.has(f, g) }); shaped != r.text {
				out[i].actual, out[i].text = r.text, shaped
			}
		}
	}
	return visualOrder(out)
}

// trimRTL moves the neutral characters ending a right-to-left run into a
// run of their own: between right-to-left text and what follows they take
// the line's direction, left to right ("محمد (client)" keeps its
// parenthesis with "client").
func trimRTL(rs []run) []run {
	var out []run
	for _, r := range rs {
		if !faces[r.face].rtl || r.neutral {
			out = append(out, r)
			continue
		}
		body := strings.TrimRightFunc(r.text, neutral)
		out = append(out, run{face: r.face, text: body})
		if tail := r.text[len(body):]; tail != "" {
			out = append(out, run{face: r.face, text: tail, neutral: true})
		}
	}
	return out
}

func visualOrder(rs []run) []run {
	for i := 0; i < len(rs); {
		if !faces[rs[i].face].rtl || rs[i].neutral {
			i++
			continue
		}
		// Extend the stretch over neutral runs followed by more
		// right-to-left runs.
		j, end := i+1, i+1
		for j < len(rs) {
			if faces[rs[j].face].rtl && !rs[j].neutral {
				j++
				end = j
				continue
			}
			if rs[j].neutral {
				j++
				continue
			}
			break
		}
		seg := rs[i:end]
		for k := range seg {
			seg[k].text, seg[k].actual = reverse(seg[k].text), reverse(seg[k].actual)
		}
		for a, b := 0, len(seg)-1; a < b; a, b = a+1, b-1 {
			seg[a], seg[b] = seg[b], seg[a]
		}
		i = end
	}
	return rs
}

func reverse(s string) string {
	r := []rune(s)
	for a, b := 0, len(r)-1; a < b; a, b = a+1, b-1 {
		r[a], r[b] = r[b], r[a]
	}
	return string(r)
}
