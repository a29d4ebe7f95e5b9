package agreementpdf

// Arabic letters join: most take one of four shapes (isolated, final,
// initial, medial) by whether they connect to the letters before and after
// them. The PDF library places one glyph per character and does not shape,
// so the shaping is done here, the simple and complete way for the Arabic
// alphabet: each letter becomes its Unicode presentation form (and lam
// with alef its ligature), which the embedded Arabic font draws. What the
// text means is kept as well: put marks the shaped glyphs with the
// unshaped letters as their ActualText, so that text extraction and search
// see the letters themselves.

// forms of a letter: isolated, final, initial, medial; a letter that
// joins only to the letter before it has no initial or medial form (0).
type forms [4]rune

const (
	isolated = iota
	final
	initial
	medial
)

var arabicForms = map[rune]forms{
	0x0621: {0xFE80, 0, 0, 0},
	0x0622: {0xFE81, 0xFE82, 0, 0},
	0x0623: {0xFE83, 0xFE84, 0, 0},
	0x0624: {0xFE85, 0xFE86, 0, 0},
	0x0625: {0xFE87, 0xFE88, 0, 0},
	0x0626: {0xFE89, 0xFE8A, 0xFE8B, 0xFE8C},
	0x0627: {0xFE8D, 0xFE8E, 0, 0},
	0x0628: {0xFE8F, 0xFE90, 0xFE91, 0xFE92},
	0x0629: {0xFE93, 0xFE94, 0, 0},
	0x062A: {0xFE95, 0xFE96, 0xFE97, 0xFE98},
	0x062B: {0xFE99, 0xFE9A, 0xFE9B, 0xFE9C},
	0x062C: {0xFE9D, 0xFE9E, 0xFE9F, 0xFEA0},
	0x062D: {0xFEA1, 0xFEA2, 0xFEA3, 0xFEA4},
	0x062E: {0xFEA5, 0xFEA6, 0xFEA7, 0xFEA8},
	0x062F: {0xFEA9, 0xFEAA, 0, 0},
	0x0630: {0xFEAB, 0xFEAC, 0, 0},
	0x0631: {0xFEAD, 0xFEAE, 0, 0},
	0x0632: {0xFEAF, 0xFEB0, 0, 0},
	0x0633: {0xFEB1, 0xFEB2, 0xFEB3, 0xFEB4},
	0x0634: {0xFEB5, 0xFEB6, 0xFEB7, 0xFEB8},
	0x0635: {0xFEB9, 0xFEBA, 0xFEBB, 0xFEBC},
	0x0636: {0xFEBD, 0xFEBE, 0xFEBF, 0xFEC0},
	0x0637: {0xFEC1, 0xFEC2, 0xFEC3, 0xFEC4},
	0x0638: {0xFEC5, 0xFEC6, 0xFEC7, 0xFEC8},
	0x0639: {0xFEC9, 0xFECA, 0xFECB, 0xFECC},
	0x063A: {0xFECD, 0xFECE, 0xFECF, 0xFED0},
	0x0641: {0xFED1, 0xFED2, 0xFED3, 0xFED4},
	0x0642: {0xFED5, 0xFED6, 0xFED7, 0xFED8},
	0x0643: {0xFED9, 0xFEDA, 0xFEDB, 0xFEDC},
	0x0644: {0xFEDD, 0xFEDE, 0xFEDF, 0xFEE0},
	0x0645: {0xFEE1, 0xFEE2, 0xFEE3, 0xFEE4},
	0x0646: {0xFEE5, 0xFEE6, 0xFEE7, 0xFEE8},
	0x0647: {0xFEE9, 0xFEEA, 0xFEEB, 0xFEEC},
	0x0648: {0xFEED, 0xFEEE, 0, 0},
	0x0649: {0xFEEF, 0xFEF0, 0, 0},
	0x064A: {0xFEF1, 0xFEF2, 0xFEF3, 0xFEF4},
	// Persian and Urdu letters (Arabic Presentation Forms-A).
	0x067E: {0xFB56, 0xFB57, 0xFB58, 0xFB59},
	0x0686: {0xFB7A, 0xFB7B, 0xFB7C, 0xFB7D},
	0x0698: {0xFB8A, 0xFB8B, 0, 0},
	0x06A9: {0xFB8E, 0xFB8F, 0xFB90, 0xFB91},
	0x06AF: {0xFB92, 0xFB93, 0xFB94, 0xFB95},
	0x06CC: {0xFBFC, 0xFBFD, 0xFBFE, 0xFBFF},
}

// lamAlef are the ligatures of lam with each alef: isolated, final.
var lamAlef = map[rune][2]rune{
	0x0622: {0xFEF5, 0xFEF6},
	0x0623: {0xFEF7, 0xFEF8},
	0x0625: {0xFEF9, 0xFEFA},
	0x0627: {0xFEFB, 0xFEFC},
}

const (
	lam     = 0x0644
	tatweel = 0x0640
)

// transparent marks (harakat) sit on a letter and do not break joining.
func transparent(r rune) bool {
	return (r >= 0x064B && r <= 0x065F) || r == 0x0670
}

// joinsBefore reports whether r can connect to the letter before it;
// joinsAfter whether it can connect to the letter after it.
func joinsBefore(r rune) bool {
	if r == tatweel {
		return true
	}
	f, ok := arabicForms[r]
	return ok && f[final] != 0
}

func joinsAfter(r rune) bool {
	if r == tatweel {
		return true
	}
	f, ok := arabicForms[r]
	return ok && f[initial] != 0
}

// shapeArabic returns s (in logical order) with its Arabic letters in
// their contextual presentation forms, keeping a letter as it is where the
// font (has) lacks the form.
func shapeArabic(s string, has func(rune) bool) string {
	in := []rune(s)
	// neighbour returns the nearest non-transparent rune from i in step
	// direction, or 0.
	neighbour := func(i, step int) rune {
		for j := i + step; j >= 0 && j < len(in); j += step {
			if !transparent(in[j]) {
				return in[j]
			}
		}
		return 0
	}
	out := make([]rune, 0, len(in))
	for i := 0; i < len(in); i++ {
		r := in[i]
		f, ok := arabicForms[r]
		if !ok {
			out = append(out, r)
			continue
		}
		prev, next := neighbour(i, -1), neighbour(i, +1)
		before := joinsAfter(prev) && joinsBefore(r)
		if r == lam && i+1 < len(in) {
			if lig, ok := lamAlef[in[i+1]]; ok {
				g := lig[isolated]
				if before {
					g = lig[final]
				}
				if has(g) {
					out = append(out, g)
					i++
					continue
				}
			}
		}
		after := joinsAfter(r) && next != 0 && joinsBefore(next)
		form := isolated
		switch {
		case before && after:
			form = medial
		case before:
			form = final
		case after:
			form = initial
		}
		if g := f[form]; g != 0 && has(g) {
			out = append(out, g)
		} else {
			out = append(out, r)
		}
	}
	return string(out)
}
