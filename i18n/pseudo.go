package i18n

import "strings"

var accents = map[rune]rune{
	'a': 'á', 'b': 'ƀ', 'c': 'ç', 'd': 'ð', 'e': 'é', 'f': 'ƒ', 'g': 'ĝ', 'h': 'ĥ', 'i': 'î', 'j': 'ĵ', 'k': 'ķ', 'l': 'ļ', 'm': 'ɱ',
	'n': 'ñ', 'o': 'ö', 'p': 'þ', 'q': 'ǫ', 'r': 'ŕ', 's': 'š', 't': 'ţ', 'u': 'û', 'v': 'ṽ', 'w': 'ŵ', 'x': 'ẋ', 'y': 'ý', 'z': 'ž',
	'A': 'Å', 'B': 'Ɓ', 'C': 'Ç', 'D': 'Ð', 'E': 'É', 'F': 'Ƒ', 'G': 'Ĝ', 'H': 'Ĥ', 'I': 'Î', 'J': 'Ĵ', 'K': 'Ķ', 'L': 'Ļ', 'M': 'Ṁ',
	'N': 'Ñ', 'O': 'Ö', 'P': 'Þ', 'Q': 'Ǫ', 'R': 'Ŕ', 'S': 'Š', 'T': 'Ţ', 'U': 'Û', 'V': 'Ṽ', 'W': 'Ŵ', 'X': 'Ẋ', 'Y': 'Ý', 'Z': 'Ž',
}

// pseudoize turns an English message into its pseudo-locale form:
// letters accented, the text padded by about 40% (German and Spanish run
// that much longer than English) and bracketed, so truncation and text
// outside the catalogs show at a glance. Placeholder values already
// filled in are accented too, which is harmless for a test locale.
func pseudoize(s string) string {
	var b strings.Builder
	b.WriteString("[")
	letters := 0
	for _, r := range s {
		if a, ok := accents[r]; ok {
			b.WriteRune(a)
			letters++
			continue
		}
		b.WriteRune(r)
	}
	b.WriteString(strings.Repeat("·", (letters*2+4)/5))
	b.WriteString("]")
	return b.String()
}
