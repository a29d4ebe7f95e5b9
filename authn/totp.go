package authn

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTP parameters: RFC 6238 with HMAC-SHA1, 30-second steps and six
// digits, the values every authenticator app understands; a code one step
// before or after the current one is accepted for clock drift.
const (
	totpPeriod = 30
	totpSkew   = 1
)

// NewTOTP returns a new random TOTP secret (base32, 160 bits) and its
// otpauth:// URL for authenticator apps, labelled with issuer and account.
func NewTOTP(issuer, account string) (secret, url string, err error) {
	k, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, Period: totpPeriod,
		SecretSize: 20, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return "", "", fmt.Errorf("authn: totp: %w", err)
	}
	return k.Secret(), k.URL(), nil
}

// CheckTOTP reports whether code is the TOTP of secret at now or one step
// either side. Spaces in code are ignored; anything but six digits fails.
func CheckTOTP(secret, code string, now time.Time) bool {
	_, ok := MatchTOTP(secret, code, now, 0)
	return ok
}

// MatchTOTP is CheckTOTP that also returns the time step the code belongs
// to, and refuses codes of steps up to after (the last step accepted), so
// that no code is accepted twice (RFC 6238 section 5.2).
func MatchTOTP(secret, code string, now time.Time, after int64) (step int64, ok bool) {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != 6 {
		return 0, false
	}
	cur := now.Unix() / totpPeriod
	for _, s := range []int64{cur, cur - 1, cur + 1} {
		if s <= after || s < 0 {
			continue
		}
		ok, err := totp.ValidateCustom(code, secret, time.Unix(s*totpPeriod, 0), totp.ValidateOpts{Period: totpPeriod,
			Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err == nil && ok {
			return s, true
		}
	}
	return 0, false
}

// TOTPCode returns the six-digit TOTP of secret at t (for tests and for
// checking an enrolment).
func TOTPCode(secret string, t time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, t, totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
}

// RecoveryCodeCount is how many recovery codes an enrolment issues.
const RecoveryCodeCount = 10

// NewRecoveryCodes returns n single-use recovery codes ("xxxx-xxxx-xxxx",
// 60 random bits each) and their hashes (hex SHA-256) to store.
func NewRecoveryCodes(n int) (codes, hashes []string) {
	for range n {
		t := strings.ToLower(rand.Text()[:12])
		c := t[:4] + "-" + t[4:8] + "-" + t[8:]
		codes = append(codes, c)
		hashes = append(hashes, HashRecoveryCode(c))
	}
	return codes, hashes
}

// HashRecoveryCode returns the stored form of a recovery code: the hex
// SHA-256 of the code lower-cased without spaces or dashes.
func HashRecoveryCode(code string) string {
	c := strings.ToLower(strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(code)))
	sum := sha256.Sum256([]byte(c))
	return hex.EncodeToString(sum[:])
}

// MatchRecoveryCode returns the index in hashes of code's hash, or -1.
func MatchRecoveryCode(hashes []string, code string) int {
	h := HashRecoveryCode(code)
	for i, x := range hashes {
		if subtle.ConstantTimeCompare([]byte(x), []byte(h)) == 1 {
			return i
		}
	}
	return -1
}
