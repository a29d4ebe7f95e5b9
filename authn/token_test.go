package authn

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
)

func TestNewToken(t *testing.T) {
	seen := make(map[string]bool)
	for i := 0; i < 1000; i++ {
		tok, hash, err := NewToken()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(tok, "hs_") || len(tok) != TokenLen || TokenLen != 46 {
			t.Fatalf("token %q: bad shape", tok)
		}
		raw, err := base64.RawURLEncoding.DecodeString(tok[3:])
		if err != nil || len(raw) != 32 {
			t.Fatalf("token %q: body is not 32 bytes of base64url: %v", tok, err)
		}
		if !WellFormedToken(tok) {
			t.Fatalf("token %q not well formed", tok)
		}
		sum := sha256.Sum256([]byte(tok))
		if !bytes.Equal(hash, sum[:]) || !bytes.Equal(HashToken(tok), hash) {
			t.Fatalf("hash of %q is not its SHA-256", tok)
		}
		if seen[tok] {
			t.Fatalf("token %q repeated", tok)
		}
		seen[tok] = true
	}
}

func TestHashTokenDistinct(t *testing.T) {
	a, _, _ := NewToken()
	b := a[:len(a)-1] + string(rune(a[len(a)-1]^1))
	if bytes.Equal(HashToken(a), HashToken(b)) {
		t.Fatal("tokens differing in one character hash equally")
	}
}

func TestWellFormedToken(t *testing.T) {
	good, _, _ := NewToken()
	for _, bad := range []string{
		"",
		"hs_",
		good[3:],
		"xx_" + good[3:],
		good + "A",
		good[:len(good)-1],
		"hs_" + strings.Repeat("+", 43),
		"hs_" + strings.Repeat("A", 42) + "=",
		"hs_" + strings.Repeat("A", 42) + "B", // non-canonical final character
	} {
		if WellFormedToken(bad) {
			t.Errorf("WellFormedToken(%q) = true", bad)
		}
	}
}
