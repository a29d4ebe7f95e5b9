package authn

import (
	"sync"
	"time"
)

// LimiterConfig sets a Limiter's limits; zero fields take the defaults.
type LimiterConfig struct {
	// AccountFailures is the most failed attempts per account within
	// Window (default 5).
	AccountFailures int
	// AddressFailures is the most failed attempts per client address
	// within Window (default 20).
	AddressFailures int
	// Window is the sliding window (default 15 minutes).
	Window time.Duration
	// MaxKeys bounds the keys remembered per dimension (default 100000).
	MaxKeys int
}

// Default limits.
const (
	DefaultAccountFailures = 5
	DefaultAddressFailures = 20
	DefaultWindow          = 15 * time.Minute
	DefaultMaxKeys         = 100_000
)

// Limiter limits login attempts per account and per client address,
// separately, over a sliding window. It takes the current time as an
// argument (no hidden clock) and is safe for concurrent use.
//
// Use: call Attempt before checking a password; if it refuses, answer 429
// with Retry-After. Attempt counts the attempt as a failure up front, so
// that concurrent guesses cannot all slip past the check; after a
// successful login call Succeed, which clears the account's failures and
// takes this attempt back from the address. A refused attempt is not
// counted, so waiting out Retry-After always works.
//
// Memory is bounded by MaxKeys keys per dimension, each holding at most
// its limit of timestamps. When a dimension is full, expired keys are
// pruned and, if that is not enough, arbitrary keys are forgotten (an
// eighth of them), so a flood of more than MaxKeys distinct keys within a
// window can reset some counters. Key accounts by a normalised identifier
// (lower-cased email or user id) and addresses by IP (an IPv6 /64, say).
type Limiter struct {
	mu      sync.Mutex
	window  time.Duration
	maxKeys int
	account dimension
	address dimension
}

type dimension struct {
	limit int
	keys  map[string][]time.Time
}

// NewLimiter returns a Limiter with cfg's limits, defaults filling zero or
// negative fields.
func NewLimiter(cfg LimiterConfig) *Limiter {
	if cfg.AccountFailures <= 0 {
		cfg.AccountFailures = DefaultAccountFailures
	}
	if cfg.AddressFailures <= 0 {
		cfg.AddressFailures = DefaultAddressFailures
	}
	if cfg.Window <= 0 {
		cfg.Window = DefaultWindow
	}
	if cfg.MaxKeys <= 0 {
		cfg.MaxKeys = DefaultMaxKeys
	}
	return &Limiter{
		window:  cfg.Window,
		maxKeys: cfg.MaxKeys,
		account: dimension{limit: cfg.AccountFailures, keys: make(map[string][]time.Time)},
		address: dimension{limit: cfg.AddressFailures, keys: make(map[string][]time.Time)},
	}
}

// Attempt reports whether a login attempt for account from address may
// proceed at now. When allowed it records the attempt as a failure against
// both keys. When refused it records nothing and retryAfter (between 0 and
// the window) is how long until the limiting key has room again. An empty
// account or address is not limited in that dimension.
func (l *Limiter) Attempt(account, address string, now time.Time) (allowed bool, retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	wa := l.wait(&l.account, account, now)
	wb := l.wait(&l.address, address, now)
	if wa > 0 || wb > 0 {
		return false, max(wa, wb)
	}
	l.record(&l.account, account, now)
	l.record(&l.address, address, now)
	return true, 0
}

// Succeed records a successful login at now after an allowed Attempt: the
// account's failures are cleared and the attempt is taken back from the
// address (its other failures stay, so one good account cannot launder an
// address's guesses at others).
func (l *Limiter) Succeed(account, address string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.account.keys, account)
	times := l.live(l.address.keys[address], now)
	if len(times) == 0 {
		delete(l.address.keys, address)
		return
	}
	// Take back the latest attempt: this one.
	latest := 0
	for i, t := range times {
		if t.After(times[latest]) {
			latest = i
		}
	}
	times = append(times[:latest], times[latest+1:]...)
	if len(times) == 0 {
		delete(l.address.keys, address)
		return
	}
	l.address.keys[address] = times
}

// Prune forgets every key with no failure inside the window at now. Attempt
// prunes by itself when a dimension fills; calling Prune periodically just
// returns memory sooner.
func (l *Limiter) Prune(now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.prune(&l.account, now)
	l.prune(&l.address, now)
}

// Len returns how many account and address keys the limiter remembers.
func (l *Limiter) Len() (accounts, addresses int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.account.keys), len(l.address.keys)
}

// live filters times to those inside the window at now, in place.
func (l *Limiter) live(times []time.Time, now time.Time) []time.Time {
	out := times[:0]
	for _, t := range times {
		if now.Before(t.Add(l.window)) {
			out = append(out, t)
		}
	}
	return out
}

// wait returns how long key must wait at now, or 0 when it may try.
func (l *Limiter) wait(d *dimension, key string, now time.Time) time.Duration {
	if key == "" {
		return 0
	}
	times, ok := d.keys[key]
	if !ok {
		return 0
	}
	times = l.live(times, now)
	if len(times) == 0 {
		delete(d.keys, key)
		return 0
	}
	d.keys[key] = times
	if len(times) < d.limit {
		return 0
	}
	oldest := times[0]
	for _, t := range times[1:] {
		if t.Before(oldest) {
			oldest = t
		}
	}
	return min(max(oldest.Add(l.window).Sub(now), time.Nanosecond), l.window)
}

// record adds a failure for key at now, keeping at most the limit of
// timestamps (dropping the oldest) and the dimension within maxKeys.
func (l *Limiter) record(d *dimension, key string, now time.Time) {
	if key == "" {
		return
	}
	times, ok := d.keys[key]
	if !ok && len(d.keys) >= l.maxKeys {
		l.prune(d, now)
		if len(d.keys) >= l.maxKeys {
			drop := max(l.maxKeys/8, 1)
			for k := range d.keys {
				if drop == 0 {
					break
				}
				delete(d.keys, k)
				drop--
			}
		}
	}
	times = append(times, now)
	if len(times) > d.limit {
		oldest := 0
		for i, t := range times {
			if t.Before(times[oldest]) {
				oldest = i
			}
		}
		times = append(times[:oldest], times[oldest+1:]...)
	}
	d.keys[key] = times
}

func (l *Limiter) prune(d *dimension, now time.Time) {
	for k, times := range d.keys {
		if times = l.live(times, now); len(times) == 0 {
			delete(d.keys, k)
		} else {
			d.keys[k] = times
		}
	}
}
