package authn

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

var base = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

func TestLimiterAccount(t *testing.T) {
	l := NewLimiter(LimiterConfig{})
	now := base
	for i := 0; i < 5; i++ {
		ok, retry := l.Attempt("ada@example.org", "10.0.0.1", now.Add(time.Duration(i)*time.Minute))
		if !ok || retry != 0 {
			t.Fatalf("attempt %d refused (retry %v)", i+1, retry)
		}
	}
	// Sixth attempt at 4m30s: the first (at 0m) leaves the window at 15m.
	ok, retry := l.Attempt("ada@example.org", "10.0.0.1", base.Add(4*time.Minute+30*time.Second))
	if ok || retry != 10*time.Minute+30*time.Second {
		t.Fatalf("sixth attempt: %v, retry %v; want refused, 10m30s", ok, retry)
	}
	// Refused attempts are not counted: the retry time does not move.
	ok, retry = l.Attempt("ada@example.org", "10.0.0.1", base.Add(10*time.Minute))
	if ok || retry != 5*time.Minute {
		t.Fatalf("at 10m: %v, %v; want refused, 5m", ok, retry)
	}
	// Another account from the same address is not limited by Ada's.
	if ok, _ := l.Attempt("bob@example.org", "10.0.0.1", base.Add(10*time.Minute)); !ok {
		t.Fatal("other account refused")
	}
	// Just before the first failure expires: still refused, by 1ns.
	ok, retry = l.Attempt("ada@example.org", "10.0.0.2", base.Add(15*time.Minute-time.Nanosecond))
	if ok || retry != time.Nanosecond {
		t.Fatalf("at 15m-1ns: %v, %v", ok, retry)
	}
	// Once it expires one attempt fits, then the next waits for the second.
	if ok, _ := l.Attempt("ada@example.org", "10.0.0.2", base.Add(15*time.Minute)); !ok {
		t.Fatal("attempt after the window refused")
	}
	ok, retry = l.Attempt("ada@example.org", "10.0.0.2", base.Add(15*time.Minute))
	if ok || retry != time.Minute {
		t.Fatalf("next: %v, %v; want refused, 1m", ok, retry)
	}
}

func TestLimiterSucceedResetsAccount(t *testing.T) {
	l := NewLimiter(LimiterConfig{})
	for i := 0; i < 4; i++ {
		l.Attempt("ada", "a1", base)
	}
	if ok, _ := l.Attempt("ada", "a1", base); !ok {
		t.Fatal("fifth attempt refused")
	}
	l.Succeed("ada", "a1", base)
	for i := 0; i < 5; i++ {
		if ok, retry := l.Attempt("ada", "a1", base.Add(time.Second)); !ok {
			t.Fatalf("attempt %d after success refused (retry %v)", i+1, retry)
		}
	}
	if ok, _ := l.Attempt("ada", "a1", base.Add(time.Second)); ok {
		t.Fatal("sixth attempt after success allowed")
	}
}

func TestLimiterAddress(t *testing.T) {
	l := NewLimiter(LimiterConfig{})
	// Spraying 20 accounts from one address uses up the address.
	for i := 0; i < 20; i++ {
		if ok, _ := l.Attempt(fmt.Sprintf("user%d", i), "10.9.9.9", base.Add(time.Duration(i)*time.Second)); !ok {
			t.Fatalf("attempt %d refused", i+1)
		}
	}
	ok, retry := l.Attempt("user99", "10.9.9.9", base.Add(20*time.Second))
	if ok || retry != 15*time.Minute-20*time.Second {
		t.Fatalf("21st: %v, %v", ok, retry)
	}
	// A success on one account takes back only its own attempt.
	l.Succeed("user3", "10.9.9.9", base.Add(21*time.Second))
	if ok, _ := l.Attempt("user99", "10.9.9.9", base.Add(22*time.Second)); !ok {
		t.Fatal("attempt after a success refused")
	}
	if ok, _ := l.Attempt("user98", "10.9.9.9", base.Add(23*time.Second)); ok {
		t.Fatal("success laundered more than its own attempt")
	}
	// Other addresses are unaffected.
	if ok, _ := l.Attempt("user98", "10.9.9.10", base.Add(23*time.Second)); !ok {
		t.Fatal("other address refused")
	}
}

func TestLimiterEmptyKeys(t *testing.T) {
	l := NewLimiter(LimiterConfig{AccountFailures: 1, AddressFailures: 1})
	for i := 0; i < 3; i++ {
		if ok, _ := l.Attempt("", "", base); !ok {
			t.Fatal("attempt with no keys refused")
		}
	}
	l.Attempt("ada", "", base)
	if ok, _ := l.Attempt("ada", "", base); ok {
		t.Fatal("account not limited when address is empty")
	}
	if a, b := l.Len(); a != 1 || b != 0 {
		t.Fatalf("Len = %d, %d", a, b)
	}
}

func TestLimiterConfig(t *testing.T) {
	l := NewLimiter(LimiterConfig{AccountFailures: 2, AddressFailures: 100, Window: time.Minute})
	l.Attempt("a", "x", base)
	l.Attempt("a", "x", base.Add(10*time.Second))
	ok, retry := l.Attempt("a", "x", base.Add(20*time.Second))
	if ok || retry != 40*time.Second {
		t.Fatalf("%v, %v; want refused, 40s", ok, retry)
	}
	if ok, _ := l.Attempt("a", "x", base.Add(time.Minute)); !ok {
		t.Fatal("refused after the window")
	}
}

// A clock that steps backwards never yields a retry longer than the window.
func TestLimiterClockBackwards(t *testing.T) {
	l := NewLimiter(LimiterConfig{AccountFailures: 1, Window: time.Minute})
	l.Attempt("a", "", base)
	ok, retry := l.Attempt("a", "", base.Add(-time.Hour))
	if ok || retry <= 0 || retry > time.Minute {
		t.Fatalf("%v, %v", ok, retry)
	}
}

func TestLimiterPrune(t *testing.T) {
	l := NewLimiter(LimiterConfig{})
	for i := 0; i < 50; i++ {
		l.Attempt(fmt.Sprint("u", i), fmt.Sprint("a", i), base)
	}
	if a, b := l.Len(); a != 50 || b != 50 {
		t.Fatalf("Len = %d, %d", a, b)
	}
	l.Prune(base.Add(14 * time.Minute))
	if a, b := l.Len(); a != 50 || b != 50 {
		t.Fatalf("pruned live keys: %d, %d", a, b)
	}
	l.Prune(base.Add(15 * time.Minute))
	if a, b := l.Len(); a != 0 || b != 0 {
		t.Fatalf("after window Len = %d, %d", a, b)
	}
}

func TestLimiterBoundedMemory(t *testing.T) {
	const maxKeys = 64
	l := NewLimiter(LimiterConfig{MaxKeys: maxKeys})
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 10_000; i++ {
		now := base.Add(time.Duration(i) * time.Millisecond) // all inside one window
		l.Attempt(fmt.Sprint("u", r.Uint64()), fmt.Sprint("a", r.Uint64()), now)
		if a, b := l.Len(); a > maxKeys || b > maxKeys {
			t.Fatalf("after %d attempts Len = %d, %d; max %d", i+1, a, b, maxKeys)
		}
	}
	// A full table prunes expired keys before forgetting live ones.
	l2 := NewLimiter(LimiterConfig{MaxKeys: 2, AccountFailures: 1})
	l2.Attempt("old", "", base)
	l2.Attempt("live", "", base.Add(10*time.Minute))
	l2.Attempt("new", "", base.Add(16*time.Minute))
	if ok, _ := l2.Attempt("live", "", base.Add(16*time.Minute)); ok {
		t.Fatal("live key forgotten while an expired one could be pruned")
	}
}

func TestLimiterConcurrent(t *testing.T) {
	l := NewLimiter(LimiterConfig{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	allowed := 0
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				ok, _ := l.Attempt("target", fmt.Sprint("addr", g), base)
				if ok {
					mu.Lock()
					allowed++
					mu.Unlock()
				}
				l.Attempt(fmt.Sprint("u", g, i), "shared", base)
				l.Prune(base)
			}
		}()
	}
	wg.Wait()
	// Attempt records up front, so racing guesses cannot exceed the limit.
	if allowed != DefaultAccountFailures {
		t.Fatalf("%d concurrent attempts allowed, want exactly %d", allowed, DefaultAccountFailures)
	}
}

func BenchmarkLimiterAttempt(b *testing.B) {
	l := NewLimiter(LimiterConfig{})
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		l.Attempt("acct"+fmt.Sprint(i%1000), "addr"+fmt.Sprint(i%500), base.Add(time.Duration(i)*time.Millisecond))
	}
}
