package app

import (
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Folding names for search: a name and a query are compared after both
// are folded the same way, so that "José" is found by "jose", "Müller" by
// "muller" and "STRASSE" by "straße".
//
// foldName decomposes the text (NFKD: accents come apart from their
// letters, compatibility forms such as full-width letters and ligatures
// become plain letters), drops the combining marks, maps the few Latin
// letters that carry no decomposable accent (ø, ł, đ, æ, œ, ß…) to their
// plain spelling, applies Unicode full case folding (golang.org/x/text/cases)
// and splits the result into words at anything that is not a letter or a
// digit. Apostrophes join ("O'Brien" is one word, "obrien"); hyphens and
// spaces separate ("Jean-Luc" is "jean" and "luc").

// foldExtra spells the letters that NFKD leaves whole.
var foldExtra = map[rune]string{
	'ø': "o", 'Ø': "o", 'ł': "l", 'Ł': "l", 'đ': "d", 'Đ': "d", 'ð': "d", 'Ð': "d",
	'æ': "ae", 'Æ': "ae", 'œ': "oe", 'Œ': "oe", 'þ': "th", 'Þ': "th", 'ı': "i",
	'ħ': "h", 'Ħ': "h", 'ŧ': "t", 'Ŧ': "t", 'ŀ': "l", 'Ŀ': "l",
}

// isApostrophe reports the characters that join the parts of one word.
func isApostrophe(r rune) bool { return r == '\'' || r == '’' || r == 'ʼ' || r == '`' }

// foldWords returns the folded words of s, in order.
func foldWords(s string) []string {
	var b strings.Builder
	for _, r := range norm.NFKD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r), isApostrophe(r):
		case foldExtra[r] != "":
			b.WriteString(foldExtra[r])
		default:
			b.WriteRune(r)
		}
	}
	folded := cases.Fold().String(b.String())
	return strings.FieldsFunc(folded, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
}

// foldKey returns the folded words of a name joined by single spaces: the
// index's sort key and the text its words are cut from.
func foldKey(name string) string { return strings.Join(foldWords(name), " ") }

// keyMatches reports whether every term is a prefix of some word of key
// ("ann sm" matches "anna smith"). key's words are separated by single
// spaces, as foldKey makes them.
func keyMatches(key string, terms []string) bool {
	for _, t := range terms {
		found := false
		for rest := key; rest != ""; {
			w := rest
			if i := strings.IndexByte(rest, ' '); i >= 0 {
				w, rest = rest[:i], rest[i+1:]
			} else {
				rest = ""
			}
			if strings.HasPrefix(w, t) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
