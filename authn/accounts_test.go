package authn

import (
	"crypto/hmac"
	"crypto/sha256"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// rfcSecret is RFC 6238 Appendix B's SHA-1 seed "12345678901234567890" in
// base32.
const rfcSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

// TestTOTPRFC6238Vectors checks the library against RFC 6238 Appendix B
// (SHA-1, 8 digits) and our six-digit codes against the vectors' last six
// digits.
func TestTOTPRFC6238Vectors(t *testing.T) {
	vectors := []struct {
		unix int64
		code string
	}{
		{59, "94287082"}, {1111111109, "07081804"}, {1111111111, "14050471"},
		{1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
	}
	for _, v := range vectors {
		at := time.Unix(v.unix, 0).UTC()
		got, err := totp.GenerateCodeCustom(rfcSecret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsEight, Algorithm: otp.AlgorithmSHA1})
		if err != nil || got != v.code {
			t.Errorf("T=%d: 8-digit code %q, %v; want %s", v.unix, got, err, v.code)
		}
		six, err := TOTPCode(rfcSecret, at)
		if err != nil || six != v.code[2:] {
			t.Errorf("T=%d: code %q, %v; want %s", v.unix, six, err, v.code[2:])
		}
		if !CheckTOTP(rfcSecret, v.code[2:], at) {
			t.Errorf("T=%d: CheckTOTP refused the right code", v.unix)
		}
		if !CheckTOTP(rfcSecret, v.code[2:], at.Add(30*time.Second)) {
			t.Errorf("T=%d: one step of drift refused", v.unix)
		}
		if CheckTOTP(rfcSecret, v.code[2:], at.Add(91*time.Second)) {
			t.Errorf("T=%d: a code three steps old accepted", v.unix)
		}
	}
	// A step at or before the last accepted one is refused (no replay).
	at := time.Unix(1111111109, 0)
	step, ok := MatchTOTP(rfcSecret, "081804", at, 0)
	if !ok || step != 1111111109/30 {
		t.Fatalf("MatchTOTP = %d, %v", step, ok)
	}
	if _, ok := MatchTOTP(rfcSecret, "081804", at, step); ok {
		t.Fatal("a code was accepted twice")
	}
	for _, bad := range []string{"", "12345", "1234567", "abcdef"} {
		if CheckTOTP(rfcSecret, bad, time.Unix(59, 0)) {
			t.Errorf("CheckTOTP(%q) accepted", bad)
		}
	}
}

func TestNewTOTPAndRecoveryCodes(t *testing.T) {
	secret, url, err := NewTOTP("holdspace", "p@example.test")
	if err != nil || len(secret) < 32 || !strings.HasPrefix(url, "otpauth://totp/") {
		t.Fatalf("NewTOTP = %q, %q, %v", secret, url, err)
	}
	now := time.Now()
	code, _ := TOTPCode(secret, now)
	if !CheckTOTP(secret, code, now) {
		t.Fatal("own code refused")
	}
	codes, hashes := NewRecoveryCodes(RecoveryCodeCount)
	if len(codes) != RecoveryCodeCount || len(hashes) != RecoveryCodeCount {
		t.Fatal("wrong count")
	}
	if i := MatchRecoveryCode(hashes, strings.ToUpper(codes[3])); i != 3 {
		t.Fatalf("match = %d, want 3", i)
	}
	if MatchRecoveryCode(hashes, "aaaa-bbbb-cccc") != -1 {
		t.Fatal("unknown code matched")
	}
}

func testMAC(b []byte) []byte {
	m := hmac.New(sha256.New, []byte("k"))
	m.Write(b)
	return m.Sum(nil)
}

func TestDeviceCookie(t *testing.T) {
	acct := AccountKey(" Owner@Example.test ")
	if acct != AccountKey("owner@example.test") || strings.Contains(acct, "owner") {
		t.Fatal("AccountKey does not normalize or leaks the email")
	}
	c := NewDeviceCookie(acct, testMAC)
	if CheckDeviceCookie(c, acct, testMAC) == "" {
		t.Fatal("own cookie refused")
	}
	if CheckDeviceCookie(c, AccountKey("other@example.test"), testMAC) != "" {
		t.Fatal("cookie valid for another account")
	}
	if CheckDeviceCookie(c+"x", acct, testMAC) != "" || CheckDeviceCookie("d1.abc.def", acct, testMAC) != "" || CheckDeviceCookie("", acct, testMAC) != "" {
		t.Fatal("forged cookie accepted")
	}
}

// TestThrottleAttackerCannotLockOutKnownDevice: however many failures an
// attacker makes, from however many addresses, the holder's browser with
// a device cookie signs in at once.
func TestThrottleAttackerCannotLockOutKnownDevice(t *testing.T) {
	th := NewThrottle(ThrottleConfig{})
	now := time.Unix(1_800_000_000, 0)
	acct := AccountKey("owner@example.test")
	for i := range 500 {
		addr := "198.51.100." + string(rune('0'+i%10))
		th.Attempt(LoginKeys{Account: acct, Address: addr}, now)
		now = now.Add(100 * time.Millisecond)
	}
	if ok, _ := th.Attempt(LoginKeys{Account: acct, Address: "203.0.113.9"}, now); ok {
		t.Fatal("an unknown browser got through the account lockout")
	}
	ok, wait := th.Attempt(LoginKeys{Account: acct, Address: "198.51.100.1", Device: "nonce1"}, now)
	if !ok {
		t.Fatalf("known device refused, wait %v", wait)
	}
	n := th.Succeed(LoginKeys{Account: acct, Address: "198.51.100.1", Device: "nonce1"}, now)
	if n.Failures < 10 || !n.LockedOut {
		t.Fatalf("notice = %+v, want the failures and the lockout shown", n)
	}
}

// TestThrottleGrowingDelays: free failures, then delays that double, and
// waiting them out works.
func TestThrottleGrowingDelays(t *testing.T) {
	th := NewThrottle(ThrottleConfig{PairFailures: 3, AccountFailures: 100, AddressFailures: 100})
	k := LoginKeys{Account: AccountKey("a@example.test"), Address: "192.0.2.1"}
	now := time.Unix(1_800_000_000, 0)
	for i := range 3 {
		if ok, _ := th.Attempt(k, now); !ok {
			t.Fatalf("free attempt %d refused", i)
		}
	}
	var waits []time.Duration
	for range 4 {
		ok, wait := th.Attempt(k, now)
		if ok || wait <= 0 {
			t.Fatalf("attempt past the free ones allowed")
		}
		waits = append(waits, wait)
		now = now.Add(wait)
		if ok, _ := th.Attempt(k, now); !ok {
			t.Fatal("waiting out the delay did not work")
		}
	}
	for i := 1; i < len(waits); i++ {
		if waits[i] != 2*waits[i-1] {
			t.Fatalf("delays %v do not double", waits)
		}
	}
	// Another address is not held by this pair's failures.
	if ok, _ := th.Attempt(LoginKeys{Account: k.Account, Address: "192.0.2.2"}, now); !ok {
		t.Fatal("another address held by one pair's failures")
	}
	// A success clears the pair.
	th.Succeed(LoginKeys{Account: k.Account, Address: "192.0.2.2"}, now)
}

func TestThrottleBoundedMemory(t *testing.T) {
	th := NewThrottle(ThrottleConfig{MaxKeys: 100})
	now := time.Unix(1_800_000_000, 0)
	for i := range 10_000 {
		th.Attempt(LoginKeys{Account: AccountKey(strings.Repeat("x", i%50) + string(rune(i))), Address: "a" + string(rune(i))}, now)
	}
	if n := th.Len(); n > 3*100+3 {
		t.Fatalf("throttle holds %d keys, bound is about 300", n)
	}
}
