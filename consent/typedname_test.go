package consent

import (
	"strings"
	"testing"

	"holdspace"
)

func TestTypedNameMatches(t *testing.T) {
	tests := []struct {
		typed, name string
		want        bool
	}{
		{"Alex Moreau", "Alex Moreau", true},
		{"  alex   MOREAU ", "Alex Moreau", true},
		{"Alex\tMoreau", "Alex  Moreau", true},
		{"Zoé Durand", "ZOÉ DURAND", true},
		{"Alex Moreau", "Alex Moreaux", false},
		{"AlexMoreau", "Alex Moreau", false},
		{"Someone Else", "Alex Moreau", false},
		{"", "Alex Moreau", false},
	}
	for _, tt := range tests {
		if got := TypedNameMatches(tt.typed, tt.name); got != tt.want {
			t.Errorf("TypedNameMatches(%q, %q) = %v, want %v", tt.typed, tt.name, got, tt.want)
		}
	}
}

func TestCheckClientTypedName(t *testing.T) {
	const name = "Alex Moreau"
	tests := []struct {
		name, typed, reason string
	}{
		{"Matches", " alex moreau ", ""},
		{"ErrEmpty", "   ", "required"},
		{"ErrTooLong", strings.Repeat("a", MaxTypedName+1), "too_long"},
		{"TooLongCountsTrimmed", "  " + name + strings.Repeat(" ", MaxTypedName), ""},
		{"ErrMismatch", "Someone Else", "typed_name_mismatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckClientTypedName(tt.typed, name)
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("CheckClientTypedName(%q) = %v", tt.typed, err)
				}
				return
			}
			if holdspace.ErrorCode(err) != holdspace.EINVALID || holdspace.ErrorReason(err) != tt.reason || holdspace.ErrorField(err) != "client_typed_name" {
				t.Fatalf("CheckClientTypedName(%q) = %v, want %s", tt.typed, err, tt.reason)
			}
		})
	}
}
