package authn

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"sync"
	"time"
)

// ThrottleConfig sets a Throttle's limits; zero fields take the defaults.
type ThrottleConfig struct {
	// AddressFailures is how many failures one address may make, over all
	// accounts, before its attempts are delayed (default 20).
	AddressFailures int
	// PairFailures is how many failures one address may make for one
	// account before its attempts for that account are delayed (default 5).
	PairFailures int
	// AccountFailures is how many failures from browsers the account does
	// not know (no device cookie) the account takes before such attempts
	// are delayed from everywhere (default 10). Known devices are never
	// held by it.
	AccountFailures int
	// DeviceFailures is how many failures one device cookie may make
	// before its attempts are delayed (default 5).
	DeviceFailures int
	// BaseDelay is the first delay once a key's free failures are used up;
	// it doubles with every further failure, up to Window (default 1 s).
	BaseDelay time.Duration
	// Window is how long a key's failures are remembered after its last
	// one, and the longest delay (default 15 minutes).
	Window time.Duration
	// MaxKeys bounds the keys remembered per dimension (default 100000).
	MaxKeys int
}

// Default throttle limits.
const (
	DefaultAddressFailures = 20
	DefaultWindow          = 15 * time.Minute
	DefaultMaxKeys         = 100_000
	DefaultPairFailures    = 5
	DefaultDeviceFailures  = 5
	DefaultBaseDelay       = time.Second
	DefaultUntrustedFailed = 10
)

// LoginKeys name one login attempt for a Throttle. Account is a hash of
// the normalized account identifier (AccountKey), never the email itself;
// Address the client's address (an IPv6 /64); Device the nonce of a valid
// device cookie issued to this account, or empty.
type LoginKeys struct {
	Account, Address, Device string
}

// Throttle limits login attempts without letting an attacker lock the
// holder out, after OWASP's device-cookie scheme: attempts from a browser
// holding a device cookie the account issued are counted only against that
// cookie, so failures from anywhere else never hold them; other attempts
// are counted per address, per account and address, and per account (for
// untrusted clients only). Each key has some free failures, then every
// further failure doubles the delay before the next attempt, up to the
// window. It takes the time as an argument and is safe for concurrent use.
//
// Use: call Attempt before checking a password; it counts the attempt as a
// failure up front (so concurrent guesses cannot all slip past) and
// refuses with the delay to wait. After a successful login call Succeed,
// which takes the attempt back and clears the keys the holder proved.
type Throttle struct {
	mu      sync.Mutex
	cfg     ThrottleConfig
	address map[string]*counter
	pair    map[string]*counter
	account map[string]*counter
	device  map[string]*counter
}

type counter struct {
	n    int
	last time.Time
}

// NewThrottle returns a Throttle with cfg's limits, defaults filling zero
// or negative fields.
func NewThrottle(cfg ThrottleConfig) *Throttle {
	if cfg.AddressFailures <= 0 {
		cfg.AddressFailures = DefaultAddressFailures
	}
	if cfg.PairFailures <= 0 {
		cfg.PairFailures = DefaultPairFailures
	}
	if cfg.AccountFailures <= 0 {
		cfg.AccountFailures = DefaultUntrustedFailed
	}
	if cfg.DeviceFailures <= 0 {
		cfg.DeviceFailures = DefaultDeviceFailures
	}
	if cfg.BaseDelay <= 0 {
		cfg.BaseDelay = DefaultBaseDelay
	}
	if cfg.Window <= 0 {
		cfg.Window = DefaultWindow
	}
	if cfg.MaxKeys <= 0 {
		cfg.MaxKeys = DefaultMaxKeys
	}
	return &Throttle{cfg: cfg, address: map[string]*counter{}, pair: map[string]*counter{},
		account: map[string]*counter{}, device: map[string]*counter{}}
}

// dims returns the dimensions an attempt is counted in, with their free
// failures and keys.
func (t *Throttle) dims(k LoginKeys) []dim {
	if k.Device != "" {
		return []dim{{t.device, t.cfg.DeviceFailures, k.Account + "|" + k.Device}}
	}
	return []dim{
		{t.address, t.cfg.AddressFailures, k.Address},
		{t.pair, t.cfg.PairFailures, k.Account + "|" + k.Address},
		{t.account, t.cfg.AccountFailures, k.Account},
	}
}

type dim struct {
	m    map[string]*counter
	free int
	key  string
}

// Attempt reports whether the attempt may proceed at now. When allowed it
// records a failure against every key of the attempt; when refused it
// records nothing and retryAfter is the wait.
func (t *Throttle) Attempt(k LoginKeys, now time.Time) (allowed bool, retryAfter time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	ds := t.dims(k)
	for _, d := range ds {
		retryAfter = max(retryAfter, t.wait(d, now))
	}
	if retryAfter > 0 {
		return false, retryAfter
	}
	for _, d := range ds {
		t.fail(d, now)
	}
	return true, 0
}

// Notice is what a successful sign-in tells the holder about attempts on
// their account.
type Notice struct {
	// Failures is how many failed attempts from browsers the account does
	// not know were counted within the window.
	Failures int
	// LockedOut: those failures hold sign-ins from unknown browsers now.
	LockedOut bool
}

// Succeed records that the attempt, allowed by Attempt, succeeded: the
// attempt is taken back, the proven pair (or device) is cleared, and the
// account's failures from unknown browsers are reported (they stay, so a
// holder's sign-in does not reset an attacker's lockout).
func (t *Throttle) Succeed(k LoginKeys, now time.Time) Notice {
	t.mu.Lock()
	defer t.mu.Unlock()
	if k.Device != "" {
		delete(t.device, k.Account+"|"+k.Device)
	} else {
		delete(t.pair, k.Account+"|"+k.Address)
		t.takeBack(t.address, k.Address)
		t.takeBack(t.account, k.Account)
	}
	var n Notice
	if c := t.account[k.Account]; c != nil && now.Sub(c.last) < t.cfg.Window {
		n.Failures = c.n
		n.LockedOut = t.wait(dim{t.account, t.cfg.AccountFailures, k.Account}, now) > 0
	}
	return n
}

func (t *Throttle) takeBack(m map[string]*counter, key string) {
	if c := m[key]; c != nil {
		if c.n--; c.n <= 0 {
			delete(m, key)
		}
	}
}

// Prune forgets keys whose last failure is older than the window.
func (t *Throttle) Prune(now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, m := range []map[string]*counter{t.address, t.pair, t.account, t.device} {
		t.prune(m, now)
	}
}

// Len returns how many keys the throttle remembers, over all dimensions.
func (t *Throttle) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.address) + len(t.pair) + len(t.account) + len(t.device)
}

func (t *Throttle) prune(m map[string]*counter, now time.Time) {
	for k, c := range m {
		if now.Sub(c.last) >= t.cfg.Window {
			delete(m, k)
		}
	}
}

// wait returns how long d's key must wait at now (0: it may try).
func (t *Throttle) wait(d dim, now time.Time) time.Duration {
	if d.key == "" || strings.HasPrefix(d.key, "|") || strings.HasSuffix(d.key, "|") {
		return 0
	}
	c := d.m[d.key]
	if c == nil {
		return 0
	}
	if now.Sub(c.last) >= t.cfg.Window {
		delete(d.m, d.key)
		return 0
	}
	if c.n < d.free {
		return 0
	}
	delay := t.cfg.Window
	if over := c.n - d.free; over < 30 {
		delay = min(t.cfg.BaseDelay<<over, t.cfg.Window)
	}
	if w := c.last.Add(delay).Sub(now); w > 0 {
		return w
	}
	return 0
}

func (t *Throttle) fail(d dim, now time.Time) {
	if d.key == "" || strings.HasPrefix(d.key, "|") || strings.HasSuffix(d.key, "|") {
		return
	}
	c := d.m[d.key]
	if c != nil && now.Sub(c.last) >= t.cfg.Window {
		c.n = 0
	}
	if c == nil {
		if len(d.m) >= t.cfg.MaxKeys {
			t.prune(d.m, now)
			drop := max(t.cfg.MaxKeys/8, 1)
			for k := range d.m {
				if len(d.m) < t.cfg.MaxKeys || drop == 0 {
					break
				}
				delete(d.m, k)
				drop--
			}
		}
		c = &counter{}
		d.m[d.key] = c
	}
	c.n++
	c.last = now
}

// AccountKey returns the throttle key of an account identifier: a SHA-256
// of the trimmed, lower-cased email, so that the throttle never holds an
// email (nor more than 32 bytes per key, whatever was sent).
func AccountKey(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// deviceCookiePrefix versions the device cookie format.
const deviceCookiePrefix = "d1."

// NewDeviceCookie returns a device cookie for account (an AccountKey):
// "d1." + nonce + "." + the keyed MAC of account and nonce made by mac,
// after OWASP's device-cookie scheme. mac must be a keyed hash with a
// secret key shared by every node.
func NewDeviceCookie(account string, mac func([]byte) []byte) string {
	nonce := strings.ToLower(rand.Text())
	return deviceCookiePrefix + nonce + "." + base64.RawURLEncoding.EncodeToString(mac([]byte(account+"|"+nonce)))
}

// CheckDeviceCookie returns the nonce of cookie when it is a device cookie
// mac made for account, and "" otherwise.
func CheckDeviceCookie(cookie, account string, mac func([]byte) []byte) string {
	rest, ok := strings.CutPrefix(cookie, deviceCookiePrefix)
	if !ok || len(cookie) > 200 {
		return ""
	}
	nonce, sig, ok := strings.Cut(rest, ".")
	if !ok || nonce == "" {
		return ""
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, mac([]byte(account+"|"+nonce))) {
		return ""
	}
	return nonce
}
