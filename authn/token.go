package authn

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
)

// TokenPrefix starts every bearer token, so that leaked tokens are easy to
// recognise (and to scan for).
const TokenPrefix = "hs_"

// tokenBytes is the token's entropy: 256 bits.
const tokenBytes = 32

// TokenLen is the length of a token: the prefix and 43 base64url
// characters.
const TokenLen = len(TokenPrefix) + 43

// NewToken returns a new bearer token ("hs_" and 256 random bits in
// unpadded base64url) and its SHA-256 hash. Store only the hash; give the
// token to the client once. It fails only when the random source does.
func NewToken() (token string, hash []byte, err error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("authn: random: %w", err)
	}
	token = TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token), nil
}

// HashToken returns the SHA-256 of the whole token string, the value to
// store and to look a presented token up by. Tokens carry 256 random bits,
// so an unsalted fast hash suffices.
func HashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// WellFormedToken reports whether token has the shape NewToken produces, so
// that obviously bad bearer values are refused before any lookup.
func WellFormedToken(token string) bool {
	rest, ok := strings.CutPrefix(token, TokenPrefix)
	if !ok || len(token) != TokenLen {
		return false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(rest)
	return err == nil && len(b) == tokenBytes
}
