package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 26, 9, 30, 0, 123456789, time.FixedZone("CET", 3600))

func chain(n int, r *rand.Rand) []Entry {
	out := make([]Entry, 0, n)
	var prev *Entry
	actions := []string{"client.create", "consent.grant", "consent.revoke", "session.read", "client.erase"}
	for i := 0; i < n; i++ {
		e := Next(prev, Entry{
			At:       t0.Add(time.Duration(i) * time.Second),
			Actor:    fmt.Sprintf("user:%d", r.IntN(5)),
			Action:   actions[r.IntN(len(actions))],
			Target:   fmt.Sprintf("session:%d", r.IntN(1000)),
			ClientID: fmt.Sprintf("c%d", r.IntN(50)),
			Detail:   fmt.Sprintf("region=%d", r.IntN(20)),
		})
		out = append(out, e)
		prev = &out[len(out)-1]
	}
	return out
}

func wantBroken(t *testing.T, err error, seq int64) {
	t.Helper()
	var be *BrokenError
	if !errors.As(err, &be) || !errors.Is(err, ErrBroken) {
		t.Fatalf("err = %v, want *BrokenError at seq %d", err, seq)
	}
	if be.Seq != seq {
		t.Fatalf("broken at seq %d (%s), want %d", be.Seq, be.Reason, seq)
	}
}

func TestNext(t *testing.T) {
	first := Next(nil, Entry{Seq: 99, PrevHash: "x", Hash: "y", At: t0, Actor: "u1", Action: "a"})
	if first.Seq != 1 || first.PrevHash != "" || first.Hash != first.ComputeHash() || len(first.Hash) != 64 {
		t.Fatalf("first = %+v", first)
	}
	if !first.At.Equal(t0.Truncate(time.Microsecond)) || first.At.Location() != time.UTC {
		t.Fatalf("At = %v, want %v in UTC", first.At, t0)
	}
	second := Next(&first, Entry{At: t0, Actor: "u1", Action: "a"})
	if second.Seq != 2 || second.PrevHash != first.Hash {
		t.Fatalf("second = %+v", second)
	}
	if second.Hash == first.Hash {
		t.Fatal("equal content at different seqs hashed equally")
	}
}

// The canonical encoding and hash are a stored format: pin them. The
// expected hash was computed independently (Python hashlib/struct) from the
// encoding documented on Canonical.
func TestCanonicalKnownAnswer(t *testing.T) {
	e := Next(nil, Entry{At: t0, Actor: "u1", Action: "consent.revoke", Target: "session:7", ClientID: "c1", Detail: "region=perineum"})
	if got := FormatTime(e.At); got != "2026-11-26T08:30:00.123456Z" {
		t.Fatalf("FormatTime = %q", got)
	}
	const want = "90d6326c9c0fab0ee10af2c9192c15d87aab0c336414a5f237bdbd7db1326349"
	if e.Hash != want {
		t.Fatalf("hash = %s, want %s (the canonical encoding changed)", e.Hash, want)
	}
}

func TestCanonicalUnambiguous(t *testing.T) {
	a := Entry{Seq: 1, At: t0, Actor: "ab", Action: "c"}
	b := Entry{Seq: 1, At: t0, Actor: "a", Action: "bc"}
	if a.ComputeHash() == b.ComputeHash() {
		t.Fatal("field boundary is ambiguous")
	}
	c := Entry{Seq: 1, At: t0, Detail: "x"}
	d := Entry{Seq: 1, At: t0, PrevHash: "x"}
	if c.ComputeHash() == d.ComputeHash() {
		t.Fatal("empty fields are ambiguous")
	}
}

func TestTimePrecision(t *testing.T) {
	e := Next(nil, Entry{At: t0, Action: "a"})
	// Storage that keeps microseconds in any zone verifies.
	e2 := e
	e2.At = e.At.In(time.FixedZone("X", -7*3600))
	if err := Verify([]Entry{e2}); err != nil {
		t.Fatalf("same instant in another zone: %v", err)
	}
	// Storage that drops to milliseconds does not.
	e3 := e
	e3.At = e.At.Truncate(time.Millisecond)
	wantBroken(t, Verify([]Entry{e3}), 1)
}

func TestVerifyChain(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	c := chain(100, r)
	if err := Verify(c); err != nil {
		t.Fatal(err)
	}
	if err := Verify(nil); err != nil {
		t.Fatalf("empty chain: %v", err)
	}
	var v Verifier
	for _, e := range c {
		if err := v.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	head, ok := v.Head()
	if !ok || head.Seq != 100 || head.Hash != c[99].Hash || v.Err() != nil {
		t.Fatalf("head = %+v, %v", head, ok)
	}
}

// mutators alter one field of an entry, each in a way that changes it.
var mutators = map[string]func(*Entry){
	"seq":       func(e *Entry) { e.Seq += 7 },
	"seq_down":  func(e *Entry) { e.Seq-- },
	"at":        func(e *Entry) { e.At = e.At.Add(time.Microsecond) },
	"actor":     func(e *Entry) { e.Actor += "x" },
	"action":    func(e *Entry) { e.Action = "consent.grant.forged" },
	"target":    func(e *Entry) { e.Target = "" + e.Target + "0" },
	"client_id": func(e *Entry) { e.ClientID = "other" },
	"detail":    func(e *Entry) { e.Detail += ";x" },
	"prev_hash": func(e *Entry) { e.PrevHash = e.Hash },
	"hash":      func(e *Entry) { e.Hash = e.PrevHash + "0" },
}

func TestAlterAnyFieldOfAnyEntry(t *testing.T) {
	c := chain(100, rand.New(rand.NewPCG(3, 4)))
	for name, mutate := range mutators {
		for i := range c {
			bad := append([]Entry(nil), c...)
			mutate(&bad[i])
			wantBrokenAt := int64(i + 1)
			err := Verify(bad)
			var be *BrokenError
			if !errors.As(err, &be) || be.Seq != wantBrokenAt {
				t.Fatalf("%s of seq %d: err = %v, want break at %d", name, i+1, err, wantBrokenAt)
			}
		}
	}
}

// Recomputing the altered entry's own hash does not help: the next entry's
// prev_hash no longer matches.
func TestAlterAndRehash(t *testing.T) {
	c := chain(10, rand.New(rand.NewPCG(5, 6)))
	c[4].Detail = "forged"
	c[4].Hash = c[4].ComputeHash()
	wantBroken(t, Verify(c), 6)
}

func TestDelete(t *testing.T) {
	c := chain(100, rand.New(rand.NewPCG(7, 8)))
	for i := 0; i < 99; i++ { // deleting the last entry needs an anchor: see TestTruncatedTail
		bad := append(append([]Entry(nil), c[:i]...), c[i+1:]...)
		wantBroken(t, Verify(bad), int64(i+1))
	}
}

func TestInsert(t *testing.T) {
	c := chain(20, rand.New(rand.NewPCG(9, 10)))
	for i := 0; i <= 20; i++ {
		// A forged row copied from a neighbour, with a made-up hash.
		forged := c[min(i, 19)]
		forged.Detail = "forged"
		bad := append(append(append([]Entry(nil), c[:i]...), forged), c[i:]...)
		err := Verify(bad)
		if i == 20 {
			// Appended after the head with seq 20 again: out of order at 21.
			wantBroken(t, err, 21)
			continue
		}
		wantBroken(t, err, int64(i+1))
	}
	// A well-formed forged row chained properly after entry 5 verifies
	// itself; the original entry 6 then breaks the chain.
	f := Next(&c[4], Entry{At: t0, Action: "forged"})
	bad := append(append(append([]Entry(nil), c[:5]...), f), c[5:]...)
	wantBroken(t, Verify(bad), 7)
}

func TestReorder(t *testing.T) {
	c := chain(30, rand.New(rand.NewPCG(11, 12)))
	for i := 0; i+1 < len(c); i++ {
		bad := append([]Entry(nil), c...)
		bad[i], bad[i+1] = bad[i+1], bad[i]
		wantBroken(t, Verify(bad), int64(i+1))
	}
	// Renumbering after a swap is caught by the hashes.
	bad := append([]Entry(nil), c...)
	bad[3], bad[4] = bad[4], bad[3]
	bad[3].Seq, bad[4].Seq = 4, 5
	wantBroken(t, Verify(bad), 4)
}

func TestNotFromGenesis(t *testing.T) {
	c := chain(10, rand.New(rand.NewPCG(13, 14)))
	wantBroken(t, Verify(c[3:]), 1)
	first := Next(nil, Entry{At: t0})
	first.PrevHash = "00"
	first.Hash = first.ComputeHash()
	wantBroken(t, Verify([]Entry{first}), 1)
}

func TestVerifierAfterAnchor(t *testing.T) {
	c := chain(10, rand.New(rand.NewPCG(15, 16)))
	v := NewVerifierAfter(c[3])
	for _, e := range c[4:] {
		if err := v.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	// An anchor from another chain does not match.
	other := chain(10, rand.New(rand.NewPCG(17, 18)))
	v = NewVerifierAfter(other[3])
	wantBroken(t, v.Add(c[4]), 5)
}

// Removing entries from the end keeps a valid-looking chain; an anchor
// (the head recorded elsewhere) shows the loss.
func TestTruncatedTail(t *testing.T) {
	c := chain(10, rand.New(rand.NewPCG(19, 20)))
	if err := Verify(c[:8]); err != nil {
		t.Fatalf("truncated chain: %v", err)
	}
	var v Verifier
	for _, e := range c[:8] {
		if err := v.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	if head, _ := v.Head(); head.Hash == c[9].Hash || head.Seq != 8 {
		t.Fatalf("head = %d %s", head.Seq, head.Hash)
	}
}

func TestVerifierSticky(t *testing.T) {
	c := chain(5, rand.New(rand.NewPCG(21, 22)))
	var v Verifier
	c[1].Actor = "x"
	v.Add(c[0])
	err := v.Add(c[1])
	wantBroken(t, err, 2)
	if err2 := v.Add(c[2]); err2 != err || v.Err() != err {
		t.Fatalf("later Add = %v, want the first break", err2)
	}
	if head, _ := v.Head(); head.Seq != 1 {
		t.Fatalf("head = %d, want 1", head.Seq)
	}
}

func TestJSON(t *testing.T) {
	e := Next(nil, Entry{At: t0, Actor: "u1", Action: "a", ClientID: "c1"})
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.Unmarshal(b, &m)
	for _, k := range []string{"seq", "at", "actor", "action", "target", "client_id", "detail", "prev_hash", "hash"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, b)
		}
	}
	var back Entry
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if err := Verify([]Entry{back}); err != nil {
		t.Fatalf("entry after a JSON round trip: %v", err)
	}
}

// Property: over random chains and a random single corruption (alter a
// field, delete, duplicate, or swap), Verify reports exactly the first
// affected seq; untouched chains always verify.
func TestPropertyRandomChains(t *testing.T) {
	r := rand.New(rand.NewPCG(42, 43))
	names := make([]string, 0, len(mutators))
	for n := range mutators {
		names = append(names, n)
	}
	for trial := 0; trial < 500; trial++ {
		n := 2 + r.IntN(60)
		c := chain(n, r)
		if err := Verify(c); err != nil {
			t.Fatalf("trial %d: intact chain: %v", trial, err)
		}
		i := r.IntN(n - 1) // never the last entry: tail changes need an anchor
		bad := append([]Entry(nil), c...)
		var what string
		switch r.IntN(4) {
		case 0:
			what = names[r.IntN(len(names))]
			mutators[what](&bad[i])
		case 1:
			what = "delete"
			bad = append(bad[:i], bad[i+1:]...)
		case 2:
			what = "duplicate"
			bad = append(bad[:i+1], bad[i:]...)
			wantBrokenSeq := int64(i + 2)
			err := Verify(bad)
			var be *BrokenError
			if !errors.As(err, &be) || be.Seq != wantBrokenSeq {
				t.Fatalf("trial %d: duplicate of seq %d: %v", trial, i+1, err)
			}
			continue
		case 3:
			what = "swap"
			bad[i], bad[i+1] = bad[i+1], bad[i]
		}
		err := Verify(bad)
		var be *BrokenError
		if !errors.As(err, &be) || be.Seq != int64(i+1) {
			t.Fatalf("trial %d: %s at seq %d of %d: err = %v", trial, what, i+1, n, err)
		}
	}
}

func BenchmarkNext(b *testing.B) {
	prev := Next(nil, Entry{At: t0, Actor: "user:1", Action: "session.read", Target: "session:123", ClientID: "c42", Detail: "region=7"})
	e := Entry{At: t0, Actor: "user:1", Action: "session.read", Target: "session:123", ClientID: "c42", Detail: "region=7"}
	b.ReportAllocs()
	for b.Loop() {
		prev = Next(&prev, e)
	}
}

func BenchmarkVerifierAdd(b *testing.B) {
	c := chain(1000, rand.New(rand.NewPCG(1, 1)))
	b.ReportAllocs()
	for b.Loop() {
		var v Verifier
		for _, e := range c {
			if err := v.Add(e); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// FuzzCanonicalInjective checks that two entries with equal canonical bytes
// are equal in every hashed field: the encoding is unambiguous.
func FuzzCanonicalInjective(f *testing.F) {
	f.Add(int64(1), int64(0), "ab", "c", "", "", "", "", int64(1), int64(0), "a", "bc", "", "", "", "")
	f.Add(int64(2), int64(5), "", "", "", "", "x", "", int64(2), int64(5), "", "", "", "", "", "x")
	f.Fuzz(func(t *testing.T, s1, us1 int64, a1, b1, c1, d1, e1, p1 string, s2, us2 int64, a2, b2, c2, d2, e2, p2 string) {
		x := Entry{Seq: s1, At: time.UnixMicro(us1 % 1e15), Actor: a1, Action: b1, Target: c1, ClientID: d1, Detail: e1, PrevHash: p1}
		y := Entry{Seq: s2, At: time.UnixMicro(us2 % 1e15), Actor: a2, Action: b2, Target: c2, ClientID: d2, Detail: e2, PrevHash: p2}
		if string(x.Canonical()) != string(y.Canonical()) {
			return
		}
		x.At, y.At = Normalize(x.At), Normalize(y.At)
		if x.Seq != y.Seq || !x.At.Equal(y.At) || x.Actor != y.Actor || x.Action != y.Action ||
			x.Target != y.Target || x.ClientID != y.ClientID || x.Detail != y.Detail || x.PrevHash != y.PrevHash {
			t.Fatalf("different entries share canonical bytes:\n%+v\n%+v", x, y)
		}
	})
}

func TestRedactKeepsChain(t *testing.T) {
	var chain []Entry
	var prev *Entry
	for i, d := range []string{"region=prostate reasons=contraindicated", "x", "region=anus"} {
		e := Next(prev, Entry{At: t0, Actor: "p1", Action: "decision.deny", Target: "ses_1", ClientID: "c1", Detail: d, Salt: "salt" + string(rune('a'+i))})
		chain = append(chain, e)
		prev = &chain[len(chain)-1]
	}
	if !chain[0].V2() || chain[0].BodyHash == "" {
		t.Fatal("a salted entry is not version 2")
	}
	if err := Verify(chain); err != nil {
		t.Fatal(err)
	}
	chain[0] = Redact(chain[0])
	chain[2] = Redact(chain[2])
	if chain[0].Action != RedactedAction || chain[0].Detail != "" || chain[0].Salt != "" || !chain[0].Redacted() {
		t.Fatalf("redacted entry keeps its body: %+v", chain[0])
	}
	if err := Verify(chain); err != nil {
		t.Fatalf("redacted chain: %v", err)
	}
	// Editing the body of an unredacted entry is detected through its body hash.
	edited := append([]Entry(nil), chain...)
	edited[1].Detail = "y"
	var be *BrokenError
	if err := Verify(edited); !errors.As(err, &be) || be.Seq != 2 {
		t.Fatalf("edited body: %v", err)
	}
	// A "redacted" entry that still holds a body is refused.
	forged := append([]Entry(nil), chain...)
	forged[0].Detail = "region=vagina"
	if err := Verify(forged); !errors.As(err, &be) || be.Seq != 1 {
		t.Fatalf("body in redacted entry: %v", err)
	}
	// Version 1 entries are left as they are.
	v1 := Next(nil, Entry{At: t0, Action: "a", Detail: "d"})
	if Redact(v1) != v1 {
		t.Fatal("a version 1 entry was redacted")
	}
}
