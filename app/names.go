package app

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"holdspace"
)

// normalizeName checks a person's name (or another short text shown to
// other people) and returns it trimmed and in Unicode NFC. It refuses
// control characters (NUL, CR, LF, ESC…), bidirectional overrides and
// isolates (which can make a name display as something else), and text
// that is only invisible characters. max counts characters, not bytes.
func normalizeName(field, s string, max int) (string, error) {
	s = norm.NFC.String(strings.TrimSpace(s))
	if s == "" {
		return "", holdspace.Invalid("required", field, "A name is required.")
	}
	visible := false
	n := 0
	for _, r := range s {
		n++
		switch {
		case r == unicode.ReplacementChar:
			return "", holdspace.Invalid("invalid_characters", field, "The name holds text that is not valid UTF-8.")
		case unicode.IsControl(r):
			return "", holdspace.Invalid("invalid_characters", field, "The name may not hold control characters such as line breaks.")
		case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F, r == 0x061C:
			return "", holdspace.Invalid("invalid_characters", field, "The name may not hold text-direction control characters.")
		case unicode.Is(unicode.Cf, r), unicode.IsSpace(r), unicode.Is(unicode.Mn, r), unicode.Is(unicode.Me, r), r == 0x3164, r == 0x115F, r == 0x1160, r == 0xFFA0:
			// Invisible on its own: format characters (zero-width
			// space, joiner), spaces, combining marks, Hangul fillers.
		default:
			visible = true
		}
	}
	if !visible {
		return "", holdspace.Invalid("required", field, "A name needs at least one visible character.")
	}
	if n > max {
		return "", holdspace.Invalid("too_long", field, "A name may have at most %d characters.", max)
	}
	return s, nil
}
