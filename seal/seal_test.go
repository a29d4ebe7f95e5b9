package seal

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func mustKeyring(tb testing.TB) *Keyring {
	tb.Helper()
	k, err := NewKeyring()
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

func TestSealOpen(t *testing.T) {
	k := mustKeyring(t)
	for _, pt := range []string{"a", "Ada Lovelace", strings.Repeat("x", 10000), "\x00\xff"} {
		sealed, err := k.SealString(pt, "client:1:name")
		if err != nil {
			t.Fatal(err)
		}
		if len(pt) > 4 && bytes.Contains(sealed, []byte(pt)) {
			t.Fatalf("sealed value holds the plaintext %q", pt)
		}
		got, err := k.OpenString(sealed, "client:1:name")
		if err != nil || got != pt {
			t.Fatalf("OpenString = %q, %v; want %q", got, err, pt)
		}
		if id := KeyID(sealed); id != "k1" {
			t.Fatalf("KeyID = %q, want k1", id)
		}
	}
}

func TestSealFreshEachTime(t *testing.T) {
	k := mustKeyring(t)
	a, _ := k.SealString("same", "aad")
	b, _ := k.SealString("same", "aad")
	if bytes.Equal(a, b) {
		t.Fatal("two seals of the same value are equal")
	}
}

func TestEmpty(t *testing.T) {
	k := mustKeyring(t)
	sealed, err := k.Seal(nil, []byte("a"))
	if err != nil || sealed != nil {
		t.Fatalf("Seal(nil) = %v, %v; want nil, nil", sealed, err)
	}
	sealed, err = k.Seal([]byte{}, []byte("a"))
	if err != nil || sealed != nil {
		t.Fatalf("Seal(empty) = %v, %v; want nil, nil", sealed, err)
	}
	pt, err := k.Open(nil, []byte("a"))
	if err != nil || pt != nil {
		t.Fatalf("Open(nil) = %v, %v; want nil, nil", pt, err)
	}
	s, err := k.OpenString(nil, "a")
	if err != nil || s != "" {
		t.Fatalf("OpenString(nil) = %q, %v", s, err)
	}
	if r, err := k.Rewrap(nil); err != nil || r != nil {
		t.Fatalf("Rewrap(nil) = %v, %v", r, err)
	}
	if KeyID(nil) != "" {
		t.Fatal("KeyID(nil) not empty")
	}
}

func TestAADMismatch(t *testing.T) {
	k := mustKeyring(t)
	sealed, _ := k.SealString("Ada", "client:1:name")
	for _, aad := range []string{"client:2:name", "client:1:email", "", "client:1:name "} {
		if _, err := k.OpenString(sealed, aad); !errors.Is(err, ErrTampered) {
			t.Errorf("Open with aad %q: err = %v, want ErrTampered", aad, err)
		}
	}
}

func TestTamperEveryByte(t *testing.T) {
	k := mustKeyring(t)
	if err := k.AddKey("k2", bytes.Repeat([]byte{7}, KeySize)); err != nil {
		t.Fatal(err)
	}
	sealed, _ := k.SealString("contraindication notes", "aad")
	for i := range sealed {
		for _, flip := range []byte{0x01, 0x80, 0xff} {
			bad := bytes.Clone(sealed)
			bad[i] ^= flip
			pt, err := k.Open(bad, []byte("aad"))
			if err == nil {
				t.Fatalf("byte %d ^ %#x: Open succeeded with %q", i, flip, pt)
			}
			if !errors.Is(err, ErrTampered) && !errors.Is(err, ErrUnknownKey) {
				t.Fatalf("byte %d ^ %#x: err = %v, want ErrTampered or ErrUnknownKey", i, flip, err)
			}
		}
	}
	for n := range sealed {
		if _, err := k.Open(sealed[:n], []byte("aad")); n > 0 && !errors.Is(err, ErrTampered) {
			t.Fatalf("truncated to %d: err = %v, want ErrTampered", n, err)
		}
	}
	if _, err := k.Open(append(bytes.Clone(sealed), 0), []byte("aad")); !errors.Is(err, ErrTampered) {
		t.Fatalf("extended: err = %v, want ErrTampered", err)
	}
}

func TestSwapWrappedKeyBetweenValues(t *testing.T) {
	k := mustKeyring(t)
	a, _ := k.SealString("alpha value", "aad")
	b, _ := k.SealString("bravo value", "aad")
	h := 2 + len("k1") + wrappedSize
	mixed := append(bytes.Clone(a[:h]), b[h:]...)
	if _, err := k.Open(mixed, []byte("aad")); !errors.Is(err, ErrTampered) {
		t.Fatalf("wrapped key of a with ciphertext of b: err = %v, want ErrTampered", err)
	}
}

func TestUnknownKeyID(t *testing.T) {
	k1 := mustKeyring(t)
	k2 := mustKeyring(t)
	if err := k2.AddKey("zz9", bytes.Repeat([]byte{1}, KeySize)); err != nil {
		t.Fatal(err)
	}
	sealed, _ := k2.SealString("x", "aad")
	_, err := k1.OpenString(sealed, "aad")
	if !errors.Is(err, ErrUnknownKey) || !strings.Contains(err.Error(), `"zz9"`) {
		t.Fatalf("err = %v, want ErrUnknownKey naming zz9", err)
	}
	// Same id, different key material: the wrapped key does not open.
	k3 := mustKeyring(t)
	sealedK1, _ := k3.SealString("x", "aad")
	if _, err := k1.OpenString(sealedK1, "aad"); !errors.Is(err, ErrTampered) {
		t.Fatalf("same id, other key: err = %v, want ErrTampered", err)
	}
}

func TestRotation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys")
	if err := CreateKeyFile(path); err != nil {
		t.Fatal(err)
	}
	k, err := LoadKeyring(path)
	if err != nil {
		t.Fatal(err)
	}
	old, _ := k.SealString("before rotation", "row:1")
	idx := k.Index("client.email", "ada@example.org")

	id, err := k.Rotate(path)
	if err != nil {
		t.Fatal(err)
	}
	if id != "k2" || k.ActiveID() != "k2" {
		t.Fatalf("Rotate = %q, active %q; want k2", id, k.ActiveID())
	}
	assertMode(t, path, 0o600)

	fresh, _ := k.SealString("after rotation", "row:2")
	if KeyID(fresh) != "k2" || KeyID(old) != "k1" {
		t.Fatalf("key ids: fresh %q old %q", KeyID(fresh), KeyID(old))
	}
	// A reload from disk sees both keys, k2 active, and the same index.
	re, err := LoadKeyring(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := re.IDs(); len(got) != 2 || got[0] != "k2" || got[1] != "k1" {
		t.Fatalf("IDs after reload = %v", got)
	}
	for _, kr := range []*Keyring{k, re} {
		if s, err := kr.OpenString(old, "row:1"); err != nil || s != "before rotation" {
			t.Fatalf("old value: %q, %v", s, err)
		}
		if s, err := kr.OpenString(fresh, "row:2"); err != nil || s != "after rotation" {
			t.Fatalf("new value: %q, %v", s, err)
		}
		if !bytes.Equal(kr.Index("client.email", "ada@example.org"), idx) {
			t.Fatal("index changed across rotation")
		}
	}

	// Rewrap moves the old value to k2 without touching its ciphertext.
	rw, err := re.Rewrap(old)
	if err != nil {
		t.Fatal(err)
	}
	if KeyID(rw) != "k2" {
		t.Fatalf("Rewrap key id = %q", KeyID(rw))
	}
	tailOld := old[2+2+wrappedSize:]
	tailNew := rw[2+2+wrappedSize:]
	if !bytes.Equal(tailOld, tailNew) {
		t.Fatal("Rewrap changed nonce or ciphertext")
	}
	if s, err := re.OpenString(rw, "row:1"); err != nil || s != "before rotation" {
		t.Fatalf("rewrapped: %q, %v", s, err)
	}
	// A keyring holding only k2 (k1 retired) opens the rewrapped value.
	only := &Keyring{keys: re.keys[:1], byID: map[string][]byte{"k2": re.byID["k2"]}, indexRoot: re.indexRoot, explicit: true}
	if _, err := only.OpenString(rw, "row:1"); err != nil {
		t.Fatalf("k2 only: %v", err)
	}
	if _, err := only.OpenString(old, "row:1"); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("k2 only, old value: %v", err)
	}
	// Rewrap of a value already under the active key is a copy.
	again, err := re.Rewrap(rw)
	if err != nil || !bytes.Equal(again, rw) {
		t.Fatalf("Rewrap of active value: %v", err)
	}
	id3, err := re.Rotate(path)
	if err != nil || id3 != "k3" {
		t.Fatalf("second Rotate = %q, %v", id3, err)
	}
}

func TestRewrapRejectsTampered(t *testing.T) {
	k := mustKeyring(t)
	sealed, _ := k.SealString("x", "a")
	if err := k.AddKey("k2", bytes.Repeat([]byte{2}, KeySize)); err != nil {
		t.Fatal(err)
	}
	bad := bytes.Clone(sealed)
	bad[5] ^= 1 // inside the wrapped key
	if _, err := k.Rewrap(bad); !errors.Is(err, ErrTampered) {
		t.Fatalf("err = %v, want ErrTampered", err)
	}
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != want {
		t.Fatalf("%s mode = %04o, want %04o", path, st.Mode().Perm(), want)
	}
}

func TestCreateKeyFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "keys")
	if err := CreateKeyFile(path); err != nil {
		t.Fatal(err)
	}
	assertMode(t, path, 0o600)
	before, _ := os.ReadFile(path)
	if err := CreateKeyFile(path); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("second CreateKeyFile: err = %v, want fs.ErrExist", err)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Fatal("existing key file was changed")
	}
	k, err := LoadKeyring(path)
	if err != nil {
		t.Fatal(err)
	}
	if k.ActiveID() != "k1" {
		t.Fatalf("active = %q", k.ActiveID())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("directory holds %d entries, want 1", len(entries))
	}
}

func TestLoadOrCreate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys")
	k1, created, err := LoadOrCreate(path)
	if err != nil || !created {
		t.Fatalf("first LoadOrCreate: created %v, %v", created, err)
	}
	sealed, _ := k1.SealString("x", "a")
	k2, created, err := LoadOrCreate(path)
	if err != nil || created {
		t.Fatalf("second LoadOrCreate: created %v, %v", created, err)
	}
	if s, err := k2.OpenString(sealed, "a"); err != nil || s != "x" {
		t.Fatalf("reloaded keyring: %q, %v", s, err)
	}
	if _, _, err := LoadOrCreate(filepath.Join(t.TempDir(), "missing", "keys")); err == nil {
		t.Fatal("LoadOrCreate in a missing directory succeeded")
	}
}

func TestLoadOrCreateConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys")
	var wg sync.WaitGroup
	rings := make([]*Keyring, 8)
	errs := make([]error, 8)
	for i := range rings {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rings[i], _, errs[i] = LoadOrCreate(path)
		}()
	}
	wg.Wait()
	for i := range rings {
		if errs[i] != nil {
			t.Fatalf("LoadOrCreate %d: %v", i, errs[i])
		}
		if !bytes.Equal(rings[i].Marshal(), rings[0].Marshal()) {
			t.Fatalf("LoadOrCreate %d returned a different keyring", i)
		}
	}
}

func TestLoadRefusesLoosePermissions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys")
	if err := CreateKeyFile(path); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []os.FileMode{0o640, 0o604, 0o644, 0o660} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		_, err := LoadKeyring(path)
		if !errors.Is(err, ErrInsecureKeyFile) || !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("mode %04o: err = %v, want ErrInsecureKeyFile saying chmod 600", mode, err)
		}
		if _, _, err := LoadOrCreate(path); !errors.Is(err, ErrInsecureKeyFile) {
			t.Errorf("LoadOrCreate mode %04o: err = %v", mode, err)
		}
	}
	if err := os.Chmod(path, 0o400); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadKeyring(path); err != nil {
		t.Errorf("mode 0400: %v", err)
	}
}

func TestLoadMissing(t *testing.T) {
	_, err := LoadKeyring(filepath.Join(t.TempDir(), "none"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v, want fs.ErrNotExist", err)
	}
}

func TestParseKeyring(t *testing.T) {
	key := func(b byte) string {
		return string(mustB64(bytes.Repeat([]byte{b}, KeySize)))
	}
	tests := []struct {
		name   string
		file   string
		active string
		ids    int
		ok     bool
	}{
		{"OK", "index:" + key(9) + "\nk2:" + key(2) + "\nk1:" + key(1) + "\n", "k2", 2, true},
		{"OKCommentsAndBlank", "# keys\n\n  k1:" + key(1) + "  \n", "k1", 1, true},
		{"OKIndexLast", "k1:" + key(1) + "\nindex:" + key(9), "k1", 1, true},
		{"ErrEmpty", "", "", 0, false},
		{"ErrOnlyIndex", "index:" + key(9), "", 0, false},
		{"ErrNoColon", "k1" + key(1), "", 0, false},
		{"ErrShortKey", "k1:AAAA", "", 0, false},
		{"ErrLongKey", "k1:" + key(1) + "AAAA", "", 0, false},
		{"ErrBadBase64", "k1:!!!!", "", 0, false},
		{"ErrURLBase64", "k1:" + strings.ReplaceAll(key(0xfb), "+", "-"), "", 0, false},
		{"ErrDuplicate", "k1:" + key(1) + "\nk1:" + key(2), "", 0, false},
		{"ErrTwoIndex", "index:" + key(1) + "\nindex:" + key(2) + "\nk1:" + key(1), "", 0, false},
		{"ErrEmptyID", ":" + key(1), "", 0, false},
		{"ErrBadID", "k 1:" + key(1), "", 0, false},
		{"ErrLongID", strings.Repeat("k", 33) + ":" + key(1), "", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := ParseKeyring([]byte(tt.file))
			if !tt.ok {
				if !errors.Is(err, ErrBadKeyFile) {
					t.Fatalf("err = %v, want ErrBadKeyFile", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if k.ActiveID() != tt.active || len(k.IDs()) != tt.ids {
				t.Fatalf("active %q ids %v", k.ActiveID(), k.IDs())
			}
		})
	}
}

func mustB64(b []byte) []byte {
	return []byte(base64.StdEncoding.EncodeToString(b))
}

func TestMarshalRoundTrip(t *testing.T) {
	k := mustKeyring(t)
	if err := k.AddKey("k2", bytes.Repeat([]byte{2}, KeySize)); err != nil {
		t.Fatal(err)
	}
	re, err := ParseKeyring(k.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(re.Marshal(), k.Marshal()) || re.ActiveID() != "k2" {
		t.Fatal("Marshal/ParseKeyring round trip differs")
	}
	if !bytes.Equal(re.Index("p", "v"), k.Index("p", "v")) {
		t.Fatal("index differs after round trip")
	}
}

func TestAddKeyErrors(t *testing.T) {
	k := mustKeyring(t)
	for _, tc := range []struct {
		id  string
		key []byte
	}{
		{"k1", make([]byte, KeySize)},
		{"index", make([]byte, KeySize)},
		{"", make([]byte, KeySize)},
		{"k/2", make([]byte, KeySize)},
		{"k2", make([]byte, 16)},
	} {
		if err := k.AddKey(tc.id, tc.key); err == nil {
			t.Errorf("AddKey(%q, %d bytes) succeeded", tc.id, len(tc.key))
		}
	}
	if k.ActiveID() != "k1" || len(k.IDs()) != 1 {
		t.Fatal("failed AddKey changed the keyring")
	}
}

func TestIndex(t *testing.T) {
	k := mustKeyring(t)
	a := k.Index("client.email", "ada@example.org")
	if len(a) != 32 {
		t.Fatalf("len = %d", len(a))
	}
	if !bytes.Equal(a, k.Index("client.email", "ada@example.org")) {
		t.Fatal("index not deterministic")
	}
	if bytes.Equal(a, k.Index("user.email", "ada@example.org")) {
		t.Fatal("index equal across purposes")
	}
	if bytes.Equal(a, k.Index("client.email", "bob@example.org")) {
		t.Fatal("index equal across values")
	}
	// The purpose/value boundary is unambiguous.
	if bytes.Equal(k.Index("ab", "c"), k.Index("a", "bc")) {
		t.Fatal("index ambiguous between purpose and value")
	}
	if bytes.Equal(a, mustKeyring(t).Index("client.email", "ada@example.org")) {
		t.Fatal("index equal across keyrings")
	}
	if err := k.AddKey("k2", bytes.Repeat([]byte{5}, KeySize)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, k.Index("client.email", "ada@example.org")) {
		t.Fatal("index changed when a key was added")
	}
}

// A key file without an index: line uses its oldest key as the index root;
// Rotate pins that root as an explicit index: line so that indexes survive
// the old key's later removal.
func TestIndexWithoutIndexLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys")
	k1 := bytes.Repeat([]byte{1}, KeySize)
	legacy := &Keyring{keys: []masterKey{{"k1", k1}}, byID: map[string][]byte{"k1": k1}, indexRoot: k1}
	file := []byte("k1:" + string(mustB64(k1)) + "\n")
	if err := os.WriteFile(path, file, 0o600); err != nil {
		t.Fatal(err)
	}
	k, err := LoadKeyring(path)
	if err != nil {
		t.Fatal(err)
	}
	want := legacy.Index("p", "v")
	if !bytes.Equal(k.Index("p", "v"), want) {
		t.Fatal("index root is not the oldest key")
	}
	if _, err := k.Rotate(path); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	// Retire k1 by hand: drop its line.
	var kept []string
	for _, l := range strings.Split(string(data), "\n") {
		if !strings.HasPrefix(l, "k1:") {
			kept = append(kept, l)
		}
	}
	re, err := ParseKeyring([]byte(strings.Join(kept, "\n")))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(re.Index("p", "v"), want) {
		t.Fatal("index changed after rotation and retirement of the oldest key")
	}
}

func TestConcurrentSealRotate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys")
	k, _, err := LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				s, err := k.SealString("v", "a")
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := k.OpenString(s, "a"); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for i := 0; i < 3; i++ {
		if _, err := k.Rotate(path); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	if k.ActiveID() != "k4" {
		t.Fatalf("active = %q", k.ActiveID())
	}
}

func FuzzOpen(f *testing.F) {
	k, err := ParseKeyring([]byte("index:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=\nk1:AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=\n"))
	if err != nil {
		f.Fatal(err)
	}
	good, _ := k.SealString("seed plaintext", "aad")
	f.Add(good, []byte("aad"))
	f.Add([]byte{}, []byte{})
	f.Add([]byte{1}, []byte("aad"))
	f.Add([]byte{1, 2, 'k', '1'}, []byte("aad"))
	f.Add([]byte{1, 200}, []byte("aad"))
	f.Add(good[:len(good)-1], []byte("aad"))
	f.Fuzz(func(t *testing.T, sealed, aad []byte) {
		pt, err := k.Open(sealed, aad)
		if err == nil && len(sealed) > 0 && (string(pt) != "seed plaintext" || string(aad) != "aad") {
			// Seeds (made in any fuzz worker) are the only genuine seals;
			// forging another is infeasible, so acceptance is a bug.
			t.Fatalf("Open accepted a forged value: %q", pt)
		}
		_ = KeyID(sealed)
		rw, rerr := k.Rewrap(sealed)
		if rerr != nil {
			return
		}
		// Rewrap keeps the ciphertext: the rewrapped value opens exactly
		// as the original does.
		pt2, err2 := k.Open(rw, aad)
		if (err == nil) != (err2 == nil) || !bytes.Equal(pt, pt2) {
			t.Fatalf("Rewrap changed the outcome: %q, %v then %q, %v", pt, err, pt2, err2)
		}
	})
}

func BenchmarkSeal200(b *testing.B) {
	k := mustKeyring(b)
	pt := make([]byte, 200)
	rand.Read(pt)
	aad := []byte("client:0192:notes")
	b.ReportAllocs()
	b.SetBytes(200)
	for b.Loop() {
		if _, err := k.Seal(pt, aad); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpen200(b *testing.B) {
	k := mustKeyring(b)
	pt := make([]byte, 200)
	rand.Read(pt)
	aad := []byte("client:0192:notes")
	sealed, _ := k.Seal(pt, aad)
	b.ReportAllocs()
	b.SetBytes(200)
	for b.Loop() {
		if _, err := k.Open(sealed, aad); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkIndex(b *testing.B) {
	k := mustKeyring(b)
	b.ReportAllocs()
	for b.Loop() {
		k.Index("client.email", "ada@example.org")
	}
}
