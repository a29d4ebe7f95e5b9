package app

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"holdspace"
)

func TestNormalizeName(t *testing.T) {
	tests := []struct {
		name, in, want, reason string
	}{
		{"OK", "  Alex Moreau ", "Alex Moreau", ""},
		{"NFC", "Zoe\u0301", "Zoé", ""},
		{"Joiner inside a word", "क्\u200Dष", "क्\u200Dष", ""},
		{"MaxInCharacters", strings.Repeat("é", 200), strings.Repeat("é", 200), ""},
		{"ErrTooLong", strings.Repeat("é", 201), "", "too_long"},
		{"ErrNUL", "A\x00B", "", "invalid_characters"},
		{"ErrCRLF", "A\r\nB", "", "invalid_characters"},
		{"ErrESC", "A\x1b[31mB", "", "invalid_characters"},
		{"ErrRLO", "Evil\u202Egnp.exe", "", "invalid_characters"},
		{"ErrIsolate", "A\u2066B", "", "invalid_characters"},
		{"ErrZeroWidthOnly", "\u200B\u200C\u200D", "", "required"},
		{"ErrHangulFiller", "\u3164", "", "required"},
		{"ErrEmpty", "   ", "", "required"},
		{"ErrNotUTF8", "A\xffB", "", "invalid_characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := normalizeName("name", tt.in, 200)
			if tt.reason == "" {
				if err != nil || got != tt.want {
					t.Fatalf("normalizeName(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
				}
				return
			}
			if holdspace.ErrorCode(err) != holdspace.EINVALID || holdspace.ErrorReason(err) != tt.reason || holdspace.ErrorField(err) != "name" {
				t.Fatalf("normalizeName(%q) = %q, %v; want %s", tt.in, got, err, tt.reason)
			}
		})
	}
}

// FuzzNormalizeName: whatever comes in, an accepted name is NFC, valid
// UTF-8, within the limit in characters, free of control and bidi
// override characters, and has something visible.
func FuzzNormalizeName(f *testing.F) {
	for _, s := range []string{"Alex", "Zoe\u0301", "\u202E", "\u200B", "a\x00", "\xff", strings.Repeat("é", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := normalizeName("name", in, 200)
		if err != nil {
			if holdspace.ErrorCode(err) != holdspace.EINVALID {
				t.Fatalf("uncoded error %v", err)
			}
			return
		}
		if !utf8.ValidString(got) || !norm.NFC.IsNormalString(got) || utf8.RuneCountInString(got) > 200 {
			t.Fatalf("accepted %q", got)
		}
		visible := false
		for _, r := range got {
			if unicode.IsControl(r) || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) {
				t.Fatalf("accepted %q with %U", got, r)
			}
			if unicode.IsGraphic(r) && !unicode.IsSpace(r) && !unicode.Is(unicode.Mn, r) {
				visible = true
			}
		}
		if !visible {
			t.Fatalf("accepted invisible %q", got)
		}
	})
}
