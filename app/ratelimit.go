package app

import (
	"sync"
	"time"
)

// buckets is a small token-bucket rate limiter keyed by string (an
// address, an email's blind index, a feed's token hash): each key may
// spend burst at once and regains one every per. It forgets full buckets
// so that it stays small.
type buckets struct {
	mu    sync.Mutex
	burst float64
	per   time.Duration
	m     map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newBuckets(burst int, per time.Duration) *buckets {
	return &buckets{burst: float64(burst), per: per, m: map[string]*bucket{}}
}

// take spends one token of key at now; when none is left it reports how
// long until one is.
func (b *buckets) take(key string, now time.Time) (bool, time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.m) > 10000 {
		for k, v := range b.m {
			if v.refill(now, b) >= b.burst {
				delete(b.m, k)
			}
		}
	}
	k, ok := b.m[key]
	if !ok {
		k = &bucket{tokens: b.burst, at: now}
		b.m[key] = k
	}
	if k.refill(now, b) < 1 {
		return false, time.Duration((1 - k.tokens) * float64(b.per))
	}
	k.tokens--
	return true, 0
}

func (k *bucket) refill(now time.Time, b *buckets) float64 {
	if now.After(k.at) {
		k.tokens = min(b.burst, k.tokens+float64(now.Sub(k.at))/float64(b.per))
		k.at = now
	}
	return k.tokens
}

// appLimiters are the rate limiters of issue 14 (password resets and
// calendar feeds), one set per core, made with it (see New).
type appLimiters struct {
	resetByAddr, resetByEmail, feed *buckets
}

func newAppLimiters() *appLimiters {
	return &appLimiters{
		// Password resets: 10 an hour from one address, 3 an hour for one
		// email (whether or not it has an account).
		resetByAddr:  newBuckets(10, 6*time.Minute),
		resetByEmail: newBuckets(3, 20*time.Minute),
		// Calendar feeds: apps poll every 5 to 60 minutes; 20 at once,
		// then one a minute per feed.
		feed: newBuckets(20, time.Minute),
	}
}

func (a *core) limiters() *appLimiters { return a.lim }
