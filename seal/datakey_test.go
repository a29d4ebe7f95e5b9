package seal

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestDataKeySealing(t *testing.T) {
	dk, err := NewDataKey()
	if err != nil {
		t.Fatal(err)
	}
	s, err := SealWith(dk, "cli_1", []byte("trauma history"), []byte("c1\x00notes"))
	if err != nil || !UnderDataKey(s) || bytes.Contains(s, []byte("trauma")) || DataKeyName(s) != "cli_1" {
		t.Fatalf("SealWith = %x, %v", s, err)
	}
	pt, err := OpenWith(dk, s, []byte("c1\x00notes"))
	if err != nil || string(pt) != "trauma history" {
		t.Fatalf("OpenWith = %q, %v", pt, err)
	}
	other, _ := NewDataKey()
	for name, try := range map[string]func() ([]byte, error){
		"other key":  func() ([]byte, error) { return OpenWith(other, s, []byte("c1\x00notes")) },
		"other aad":  func() ([]byte, error) { return OpenWith(dk, s, []byte("c2\x00notes")) },
		"truncated":  func() ([]byte, error) { return OpenWith(dk, s[:10], []byte("c1\x00notes")) },
		"master fmt": func() ([]byte, error) { return OpenWith(dk, []byte{1, 2, 3}, nil) },
		"renamed": func() ([]byte, error) {
			r := bytes.Clone(s)
			r[2] = 'C'
			return OpenWith(dk, r, []byte("c1\x00notes"))
		},
	} {
		if _, err := try(); !errors.Is(err, ErrTampered) {
			t.Errorf("%s: err = %v, want ErrTampered", name, err)
		}
	}
	if v, err := SealWith(dk, "x", nil, nil); v != nil || err != nil {
		t.Fatalf("empty = %v, %v", v, err)
	}
	if Stable(s) == nil || !bytes.Equal(Stable(s), s) {
		t.Fatal("Stable of a data-key value is not the value")
	}
}

func TestChecksRotateReloadRetire(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "master.key")
	if err := CreateKeyFile(path); err != nil {
		t.Fatal(err)
	}
	a, _ := LoadKeyring(path)
	b, _ := LoadKeyring(path)
	other, _ := NewKeyring()
	if a.Checks()["k1"] != b.Checks()["k1"] || a.Checks()["k1"] == other.Checks()["k1"] || len(a.Checks()["k1"]) != 64 {
		t.Fatalf("checks: %v %v %v", a.Checks(), b.Checks(), other.Checks())
	}
	old, _ := a.Seal([]byte("v"), []byte("aad"))
	if _, err := a.Rotate(path); err != nil {
		t.Fatal(err)
	}
	if err := b.Reload(path); err != nil || b.ActiveID() != "k2" {
		t.Fatalf("Reload = %v, active %s", err, b.ActiveID())
	}
	moved, err := b.Rewrap(old)
	if err != nil || KeyID(moved) != "k2" || !bytes.Equal(Stable(moved), Stable(old)) {
		t.Fatalf("Rewrap = %v, %s; stable part changed: %v", err, KeyID(moved), !bytes.Equal(Stable(moved), Stable(old)))
	}
	if err := a.Retire(path, "k2"); err == nil {
		t.Fatal("retired the active key")
	}
	if err := a.Retire(path, "k1"); err != nil {
		t.Fatal(err)
	}
	if err := b.Reload(path); err != nil || len(b.IDs()) != 1 {
		t.Fatalf("Reload after retire = %v, ids %v", err, b.IDs())
	}
	if _, err := b.Open(old, []byte("aad")); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("value under a retired key opens: %v", err)
	}
	if pt, err := b.Open(moved, []byte("aad")); err != nil || string(pt) != "v" {
		t.Fatalf("rewrapped value = %q, %v", pt, err)
	}
	// Another practice's key file is refused by Reload.
	otherPath := filepath.Join(dir, "other.key")
	if err := os.WriteFile(otherPath, other.Marshal(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := b.Reload(otherPath); !errors.Is(err, ErrKeyMismatch) {
		t.Fatalf("Reload of another file = %v", err)
	}
}
