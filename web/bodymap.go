package web

import (
	"fmt"
	"html/template"
	"strings"

	"holdspace/catalogue"
	"holdspace/i18n"
)

// shape is one drawn part of a region on a body-map figure.
type shape struct {
	side string // "front" or "back"
	// kind is "rect", "ellipse" or "circle"; n holds its numbers
	// (x, y, w, h, rx) / (cx, cy, rx, ry) / (cx, cy, r).
	kind string
	n    []float64
}

func rect(side string, x, y, w, h, r float64) shape {
	return shape{side, "rect", []float64{x, y, w, h, r}}
}
func ellipse(side string, cx, cy, rx, ry float64) shape {
	return shape{side, "ellipse", []float64{cx, cy, rx, ry}}
}
func circle(side string, cx, cy, r float64) shape { return shape{side, "circle", []float64{cx, cy, r}} }

// both draws the same rectangle on the front and the back figure.
func both(x, y, w, h, r float64) []shape {
	return []shape{rect("front", x, y, w, h, r), rect("back", x, y, w, h, r)}
}

// figure holds the shapes of every region, in drawing order (later shapes
// are drawn on top). Internal regions are drawn in a strip under the
// figure, labelled, because they cannot be seen from outside.
var figure = []struct {
	code   string
	shapes []shape
}{
	{"head", []shape{ellipse("front", 100, 38, 24, 30), ellipse("back", 100, 38, 24, 30)}},
	{"face", []shape{ellipse("front", 100, 44, 15, 18)}},
	{"neck", both(89, 66, 22, 16, 4)},
	{"chest", []shape{rect("front", 78, 84, 44, 44, 6)}},
	{"upper-back", []shape{rect("back", 78, 84, 44, 46, 6)}},
	{"shoulders", append(both(52, 82, 26, 18, 8), both(122, 82, 26, 18, 8)...)},
	{"breasts", []shape{circle("front", 89, 112, 9), circle("front", 111, 112, 9)}},
	{"abdomen", []shape{rect("front", 78, 130, 44, 42, 6)}},
	{"lower-back", []shape{rect("back", 78, 132, 44, 40, 6)}},
	{"arms", append(both(50, 102, 18, 96, 8), both(132, 102, 18, 96, 8)...)},
	{"hands", append(both(47, 200, 22, 26, 8), both(131, 200, 22, 26, 8)...)},
	{"hips", append(both(68, 174, 16, 32, 6), both(116, 174, 16, 32, 6)...)},
	{"pubic", []shape{rect("front", 86, 174, 28, 14, 4)}},
	{"glutes", []shape{rect("back", 84, 174, 15, 34, 6), rect("back", 101, 174, 15, 34, 6)}},
	{"genitals", []shape{rect("front", 92, 190, 16, 14, 6)}},
	{"perineum", []shape{rect("front", 94, 206, 12, 7, 3)}},
	{"anus", []shape{circle("back", 100, 200, 4.5)}},
	{"thighs", []shape{rect("front", 68, 208, 22, 88, 8), rect("front", 110, 208, 22, 88, 8),
		rect("back", 72, 212, 26, 84, 8), rect("back", 102, 212, 26, 84, 8)}},
	{"inner-thighs", []shape{rect("front", 90.5, 216, 9, 74, 4), rect("front", 100.5, 216, 9, 74, 4)}},
	{"lower-legs", append(both(72, 300, 18, 80, 8), both(110, 300, 18, 80, 8)...)},
	{"feet", append(both(66, 384, 24, 14, 6), both(110, 384, 24, 14, 6)...)},
	{"vagina", []shape{circle("front", 100, 424, 8)}},
	{"anal-canal", []shape{circle("back", 45, 424, 8)}},
	{"rectum", []shape{circle("back", 100, 424, 8)}},
	{"prostate", []shape{circle("back", 155, 424, 8)}},
}

// internalLabels are the regions with a short label drawn beside the
// internal strip (body.inner.<code>).
var internalLabels = map[string]bool{"vagina": true, "anal-canal": true, "rectum": true, "prostate": true}

// mapRegion is one region's state on a drawn body map: a CSS class for the
// colour and a text that says the same in words.
type mapRegion struct {
	Code  string
	Label string
	Group string
	Class string
	Text  string
}

// bodyMapSVG draws the front and back figures. Regions not in states are
// not drawn (they do not apply to the client). When link is true every
// region is a focusable link to "#r-<code>" (the region's controls beside
// the figure); otherwise it is a labelled image part. Its words are in l.
func bodyMapSVG(l *i18n.Localizer, states []mapRegion, link bool) template.HTML {
	l = orSrc(l)
	byCode := map[string]mapRegion{}
	for _, s := range states {
		byCode[s.Code] = s
	}
	var b strings.Builder
	b.WriteString(`<div class="bodymap">`)
	for _, side := range []string{"front", "back"} {
		title := template.HTMLEscapeString(l.T("body.map.front"))
		if side == "back" {
			title = template.HTMLEscapeString(l.T("body.map.back"))
		}
		fmt.Fprintf(&b, `<figure class="figure"><svg viewBox="0 0 200 450" role="group" aria-label="%s" focusable="false">`, title)
		b.WriteString(`<rect class="strip" x="15" y="408" width="170" height="36" rx="8"/>`)
		fmt.Fprintf(&b, `<text class="strip-label" x="100" y="405" text-anchor="middle">%s</text>`, template.HTMLEscapeString(l.T("body.map.inside")))
		for _, f := range figure {
			st, ok := byCode[f.code]
			if !ok {
				continue
			}
			var parts []shape
			for _, sh := range f.shapes {
				if sh.side == side {
					parts = append(parts, sh)
				}
			}
			if len(parts) == 0 {
				continue
			}
			label := template.HTMLEscapeString(st.Label + ": " + st.Text)
			if link {
				fmt.Fprintf(&b, `<a href="#r-%s" class="region %s" data-region="%s" aria-label="%s"><title>%s</title>`,
					f.code, st.Class, f.code, label, label)
			} else {
				fmt.Fprintf(&b, `<g class="region %s" data-region="%s" role="img" aria-label="%s"><title>%s</title>`,
					st.Class, f.code, label, label)
			}
			for _, sh := range parts {
				switch sh.kind {
				case "rect":
					fmt.Fprintf(&b, `<rect x="%g" y="%g" width="%g" height="%g" rx="%g"/>`, sh.n[0], sh.n[1], sh.n[2], sh.n[3], sh.n[4])
				case "ellipse":
					fmt.Fprintf(&b, `<ellipse cx="%g" cy="%g" rx="%g" ry="%g"/>`, sh.n[0], sh.n[1], sh.n[2], sh.n[3])
				case "circle":
					fmt.Fprintf(&b, `<circle cx="%g" cy="%g" r="%g"/>`, sh.n[0], sh.n[1], sh.n[2])
				}
				if internalLabels[f.code] && sh.kind == "circle" {
					fmt.Fprintf(&b, `<text class="inner-label" x="%g" y="%g" text-anchor="middle">%s</text>`, sh.n[0], sh.n[1]+18,
						template.HTMLEscapeString(l.T("body.inner."+f.code)))
				}
			}
			if link {
				b.WriteString(`</a>`)
			} else {
				b.WriteString(`</g>`)
			}
		}
		fmt.Fprintf(&b, `</svg><figcaption>%s</figcaption></figure>`, title)
	}
	b.WriteString(`</div>`)
	return template.HTML(b.String())
}

// consentState summarises one region's answers: a class for the colour and
// a sentence naming each technique's answer, in l.
func consentState(l *i18n.Localizer, answers map[string]catalogue.Answer) (class, text string) {
	l = orSrc(l)
	var yes, ask, no []string
	for _, t := range catalogue.Techniques() {
		w := techWord(l, t.Code)
		switch answers[t.Code] {
		case catalogue.Yes:
			yes = append(yes, w)
		case catalogue.Ask:
			ask = append(ask, w)
		default:
			no = append(no, w)
		}
	}
	var parts []string
	if len(yes) > 0 {
		parts = append(parts, l.T("body.state.yes", "List", strings.Join(yes, ", ")))
	}
	if len(ask) > 0 {
		parts = append(parts, l.T("body.state.ask", "List", strings.Join(ask, ", ")))
	}
	switch {
	case len(no) == len(catalogue.Techniques()):
		return "s-no", answerName(l, catalogue.No)
	case len(no) > 0:
		parts = append(parts, l.T("body.state.no", "List", strings.Join(no, ", ")))
	}
	switch {
	case len(ask) == 0 && len(no) == 0:
		class = "s-yes"
	case len(yes) == 0 && len(no) == 0:
		class = "s-ask"
	default:
		class = "s-some"
	}
	return class, strings.Join(parts, "; ")
}
