package seal

import (
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// TestFollowFileOpensUnderANewKey: a node that follows its key file opens
// a value re-wrapped under a key another process has just rotated in,
// before any periodic reload; a node that does not follow it cannot; a
// value under a key in no file still fails, and re-reads are rate-limited.
func TestFollowFileOpensUnderANewKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "master.key")
	if err := CreateKeyFile(path); err != nil {
		t.Fatal(err)
	}
	rotator, _ := LoadKeyring(path)
	node, _ := LoadKeyring(path)
	still, _ := LoadKeyring(path)
	node.FollowFile(path, time.Hour)
	old, err := rotator.Seal([]byte("v"), []byte("aad"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rotator.Rotate(path); err != nil {
		t.Fatal(err)
	}
	moved, err := rotator.Rewrap(old)
	if err != nil || KeyID(moved) != "k2" {
		t.Fatalf("Rewrap = %v, %s", err, KeyID(moved))
	}
	if _, err := still.Open(moved, []byte("aad")); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("a node that does not follow its file opened a value under a key it never read: %v", err)
	}
	if pt, err := node.Open(moved, []byte("aad")); err != nil || string(pt) != "v" {
		t.Fatalf("the following node: %q, %v", pt, err)
	}
	if node.ActiveID() != "k2" {
		t.Fatalf("after the re-read the active key is %s", node.ActiveID())
	}

	// A value naming a key that is in no file: refused, and the file is
	// not read again within the interval (a third key rotated in now is
	// not seen until it has passed).
	bogus := append([]byte(nil), moved...)
	copy(bogus[2:4], "k9")
	if _, err := node.Open(bogus, []byte("aad")); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("a value under a key in no file: %v", err)
	}
	if _, err := rotator.Rotate(path); err != nil {
		t.Fatal(err)
	}
	third, err := rotator.Rewrap(old)
	if err != nil || KeyID(third) != "k3" {
		t.Fatalf("Rewrap = %v, %s", err, KeyID(third))
	}
	if _, err := node.Open(third, []byte("aad")); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("the key file was re-read within the interval: %v", err)
	}
	node.FollowFile(path, 0)
	if pt, err := node.Open(third, []byte("aad")); err != nil || string(pt) != "v" {
		t.Fatalf("after the interval: %q, %v", pt, err)
	}
}
