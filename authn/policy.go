package authn

import (
	_ "embed"
	"strings"
	"unicode"

	"holdspace"
)

//go:embed common-passwords.txt
var commonPasswordsText string

// commonPasswords holds the embedded list, lower-cased.
var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	for _, l := range strings.Split(commonPasswordsText, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			m[strings.ToLower(l)] = true
		}
	}
	return m
}()

// CommonPassword reports whether pw is too easy to guess, after NIST SP
// 800-63B §3.1.1.2: it (lower-cased, or with its trailing digits and
// symbols removed) is on the embedded list of common and breached
// passwords, it uses at most two distinct characters ("aaaaaaaaaaaa",
// "abababababab"), or it is one run of consecutive characters
// ("abcdefghijkl", "123456789012"). No composition rules are applied.
func CommonPassword(pw string) bool {
	l := strings.ToLower(pw)
	if commonPasswords[l] {
		return true
	}
	stem := strings.TrimRightFunc(l, func(r rune) bool { return unicode.IsDigit(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || r == ' ' })
	stem = strings.TrimLeftFunc(stem, func(r rune) bool { return unicode.IsDigit(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || r == ' ' })
	if stem == "" || commonPasswords[stem] {
		return true
	}
	distinct := map[rune]bool{}
	for _, r := range l {
		distinct[r] = true
	}
	if len(distinct) <= 2 {
		return true
	}
	rs := []rune(l)
	up, down := true, true
	for i := 1; i < len(rs); i++ {
		up = up && rs[i] == rs[i-1]+1
		down = down && rs[i] == rs[i-1]-1
	}
	return up || down
}

// checkCommon is ValidatePassword's list check.
func checkCommon(pw string) error {
	if CommonPassword(pw) {
		return holdspace.Invalid("password_common", "password", "This password is too common or too easy to guess. Try a few unrelated words.")
	}
	return nil
}
