package seal

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
)

// versionDataKey is the first byte of a value sealed directly under a data
// key (SealWith): version byte, n = length of the key name (1..255), the
// key name, nonce(12), AES-256-GCM(data key, plaintext) ‖ tag, whose
// associated data is the header (version, n, name) followed by the
// caller's aad. Such a value names no master key: its data key is
// stored apart (for example one per client, itself sealed under the
// master key), so destroying that one data key makes every value sealed
// under it unreadable, wherever copies of the values went.
const versionDataKey byte = 2

// checkLabel is the fixed text whose HMAC under a master key is that key's
// check value.
const checkLabel = "holdspace/seal/keycheck/v1"

// ErrKeyMismatch: a key file does not match the key-check values a
// database recorded.
var ErrKeyMismatch = errors.New("seal: master key does not match the database")

// Checks returns the key-check value of every master key, by id: the hex
// HMAC-SHA256 of a fixed label under the key. It reveals nothing about the
// key, and equal values mean equal keys, so a database can record them and
// refuse a key file that is not the one its values were sealed under.
func (k *Keyring) Checks() map[string]string {
	k.mu.RLock()
	defer k.mu.RUnlock()
	out := make(map[string]string, len(k.keys))
	for _, m := range k.keys {
		out[m.id] = checkValue(m.key)
	}
	return out
}

func checkValue(key []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(checkLabel))
	return hex.EncodeToString(m.Sum(nil))
}

// NewDataKey returns a random data key for SealWith. It fails only when the
// system random source does.
func NewDataKey() ([]byte, error) { return randomKey() }

// SealWith encrypts plaintext under dataKey (AES-256-GCM, random nonce),
// binding aad, and names the data key (for example a client's id) in the
// value so that the opener can find it (DataKeyName). An empty plaintext
// seals to nil. It returns an error for a data key that is not KeySize
// bytes, a name that is empty or longer than 255 bytes, or when the random
// source fails.
func SealWith(dataKey []byte, name string, plaintext, aad []byte) ([]byte, error) {
	if len(plaintext) == 0 {
		return nil, nil
	}
	if len(dataKey) != KeySize {
		return nil, fmt.Errorf("seal: data key must be %d bytes", KeySize)
	}
	if name == "" || len(name) > 255 {
		return nil, fmt.Errorf("seal: data key name must be 1 to 255 bytes")
	}
	g, err := newGCM(dataKey)
	if err != nil {
		return nil, err
	}
	h := 2 + len(name)
	out := make([]byte, h+nonceSize, h+nonceSize+len(plaintext)+tagSize)
	out[0], out[1] = versionDataKey, byte(len(name))
	copy(out[2:], name)
	if _, err := rand.Read(out[h:]); err != nil {
		return nil, fmt.Errorf("seal: random: %w", err)
	}
	ad := append(bytes.Clone(out[:h]), aad...)
	return g.Seal(out, out[h:h+nonceSize], plaintext, ad), nil
}

// DataKeyName returns the data key name of a value made by SealWith, or ""
// for any other value. It does not authenticate the value.
func DataKeyName(sealed []byte) string {
	if !UnderDataKey(sealed) || len(sealed) < 2 {
		return ""
	}
	n := int(sealed[1])
	if n == 0 || len(sealed) < 2+n+nonceSize+tagSize {
		return ""
	}
	return string(sealed[2 : 2+n])
}

// OpenWith decrypts a value made by SealWith with the same data key and
// aad; an empty value opens to nil. It returns an error wrapping
// ErrTampered for a malformed or altered value, a wrong key or other aad.
func OpenWith(dataKey, sealed, aad []byte) ([]byte, error) {
	if len(sealed) == 0 {
		return nil, nil
	}
	name := DataKeyName(sealed)
	if name == "" {
		return nil, fmt.Errorf("%w: not a data-key sealed value", ErrTampered)
	}
	g, err := newGCM(dataKey)
	if err != nil {
		return nil, err
	}
	h := 2 + len(name)
	ad := append(bytes.Clone(sealed[:h]), aad...)
	pt, err := g.Open(nil, sealed[h:h+nonceSize], sealed[h+nonceSize:], ad)
	if err != nil {
		return nil, fmt.Errorf("%w: ciphertext, key or associated data does not match", ErrTampered)
	}
	return pt, nil
}

// UnderDataKey reports whether sealed was made by SealWith (and so is
// opened with its data key, not the keyring).
func UnderDataKey(sealed []byte) bool { return len(sealed) > 0 && sealed[0] == versionDataKey }

// Stable returns the part of a sealed value that re-wrapping never
// changes (nonce and ciphertext), for hashing records whose sealed fields
// may be re-wrapped under a new master key. A value it cannot parse is
// returned whole.
func Stable(sealed []byte) []byte {
	if UnderDataKey(sealed) {
		return sealed
	}
	p, err := split(sealed)
	if err != nil {
		return sealed
	}
	return sealed[len(sealed)-len(p.ct)-nonceSize:]
}

// Reload replaces the keys with those of the key file at path, so that a
// running server picks up a rotation or a retirement done by another
// process. It refuses (keeping the current keys) a file that cannot be
// loaded or whose blind-index root differs: that is another practice's
// file, not a new version of this one.
func (k *Keyring) Reload(path string) error {
	next, err := LoadKeyring(path)
	if err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if !bytes.Equal(next.indexRoot, k.indexRoot) {
		return fmt.Errorf("%w: %s has another index root", ErrKeyMismatch, path)
	}
	k.keys, k.byID, k.explicit = next.keys, next.byID, true
	return nil
}

// Retire removes the master keys ids from the keyring and rewrites the key
// file at path atomically. It refuses to retire the active key or an id
// the keyring lacks. Call it only when no value is wrapped under those
// keys any more (see Rewrap): values still under them become unreadable.
func (k *Keyring) Retire(path string, ids ...string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, id := range ids {
		if id == k.keys[0].id {
			return fmt.Errorf("seal: %q is the active key and cannot be retired", id)
		}
		if k.byID[id] == nil {
			return fmt.Errorf("%w %q", ErrUnknownKey, id)
		}
	}
	keep := slices.DeleteFunc(slices.Clone(k.keys), func(m masterKey) bool { return slices.Contains(ids, m.id) })
	next := &Keyring{keys: keep, indexRoot: k.indexRoot, explicit: true}
	if err := writeFileAtomic(path, next.marshalLocked()); err != nil {
		return err
	}
	k.keys, k.explicit = keep, true
	for _, id := range ids {
		delete(k.byID, id)
	}
	return nil
}
