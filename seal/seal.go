package seal

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
)

// version is the first byte of every sealed value.
const version byte = 1

const (
	nonceSize   = 12
	tagSize     = 16
	wrappedSize = nonceSize + KeySize + tagSize // nonce ‖ GCM(data key)
)

// Sealed value layout (all lengths in bytes):
//
//	1        version (1)
//	1        n = length of the master key id (1..32)
//	n        master key id
//	60       wrapped data key: nonce(12) ‖ AES-256-GCM(master, data key) ‖ tag(16);
//	         its associated data is the header above (version, n, id)
//	12       nonce
//	len+16   AES-256-GCM(data key, plaintext) ‖ tag; associated data is the
//	         caller's aad
//
// The data key is fresh for every seal, so a nonce is never reused under it.

// Seal encrypts plaintext under a fresh data key wrapped by the active master
// key, binding aad (for example "client:<id>:name") so that the value opens
// only with the same aad. An empty plaintext seals to nil (and Open(nil)
// returns nil), so optional fields stay empty; emptiness is therefore
// visible, and a sealed value replaced by an empty one cannot be detected
// by Open. Seal fails only when the system random source does.
func (k *Keyring) Seal(plaintext, aad []byte) ([]byte, error) {
	if len(plaintext) == 0 {
		return nil, nil
	}
	dataKey := make([]byte, KeySize)
	if _, err := rand.Read(dataKey); err != nil {
		return nil, fmt.Errorf("seal: random: %w", err)
	}
	k.mu.RLock()
	active := k.keys[0]
	k.mu.RUnlock()

	out := make([]byte, 0, 2+len(active.id)+wrappedSize+nonceSize+len(plaintext)+tagSize)
	out = append(out, version, byte(len(active.id)))
	out = append(out, active.id...)
	out, err := wrap(out, active.key, dataKey)
	if err != nil {
		return nil, err
	}
	nonceAt := len(out)
	out = append(out, make([]byte, nonceSize)...)
	if _, err := rand.Read(out[nonceAt:]); err != nil {
		return nil, fmt.Errorf("seal: random: %w", err)
	}
	data, err := newGCM(dataKey)
	if err != nil {
		return nil, err
	}
	return data.Seal(out, out[nonceAt:], plaintext, aad), nil
}

// wrap appends nonce ‖ GCM(master, dataKey) to header, with header as the
// associated data.
func wrap(header, master, dataKey []byte) ([]byte, error) {
	g, err := newGCM(master)
	if err != nil {
		return nil, err
	}
	hdr := len(header)
	out := append(header, make([]byte, nonceSize)...)
	if _, err := rand.Read(out[hdr:]); err != nil {
		return nil, fmt.Errorf("seal: random: %w", err)
	}
	// The header is copied: AEAD.Seal forbids dst and additionalData to overlap.
	return g.Seal(out, out[hdr:], dataKey, bytes.Clone(header[:hdr])), nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	g, err := cipher.NewGCM(b)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return g, nil
}

// parts is a sealed value split into its fields; all slices alias it.
type parts struct {
	header  []byte // version, id length, id
	id      string
	wrapped []byte // nonce ‖ wrapped key ‖ tag
	nonce   []byte
	ct      []byte // ciphertext ‖ tag
}

func split(sealed []byte) (parts, error) {
	if len(sealed) < 2 {
		return parts{}, fmt.Errorf("%w: too short", ErrTampered)
	}
	if sealed[0] != version {
		return parts{}, fmt.Errorf("%w: unknown version %d", ErrTampered, sealed[0])
	}
	n := int(sealed[1])
	if n == 0 || n > maxIDLen || len(sealed) < 2+n+wrappedSize+nonceSize+tagSize {
		return parts{}, fmt.Errorf("%w: too short", ErrTampered)
	}
	h := 2 + n
	return parts{
		header:  sealed[:h],
		id:      string(sealed[2:h]),
		wrapped: sealed[h : h+wrappedSize],
		nonce:   sealed[h+wrappedSize : h+wrappedSize+nonceSize],
		ct:      sealed[h+wrappedSize+nonceSize:],
	}, nil
}

// unwrap returns the data key of p.
func (k *Keyring) unwrap(p parts) ([]byte, error) {
	k.mu.RLock()
	master := k.byID[p.id]
	k.mu.RUnlock()
	if f := k.follow.Load(); master == nil && f != nil && f.reloadFor(k, p.id) {
		k.mu.RLock()
		master = k.byID[p.id]
		k.mu.RUnlock()
	}
	if master == nil {
		return nil, fmt.Errorf("%w %q: it is not in the key file", ErrUnknownKey, p.id)
	}
	g, err := newGCM(master)
	if err != nil {
		return nil, err
	}
	dataKey, err := g.Open(nil, p.wrapped[:nonceSize], p.wrapped[nonceSize:], p.header)
	if err != nil {
		return nil, fmt.Errorf("%w: data key does not unwrap under %q", ErrTampered, p.id)
	}
	return dataKey, nil
}

// Open decrypts a value made by Seal with the same aad. Open of an empty
// value returns nil, nil. It returns an error wrapping ErrUnknownKey (naming
// the key id) when the wrapping key is not in the keyring, and one wrapping
// ErrTampered when the value is malformed, altered in any byte, or was
// sealed with different aad.
func (k *Keyring) Open(sealed, aad []byte) ([]byte, error) {
	if len(sealed) == 0 {
		return nil, nil
	}
	p, err := split(sealed)
	if err != nil {
		return nil, err
	}
	dataKey, err := k.unwrap(p)
	if err != nil {
		return nil, err
	}
	g, err := newGCM(dataKey)
	if err != nil {
		return nil, err
	}
	pt, err := g.Open(nil, p.nonce, p.ct, aad)
	if err != nil {
		return nil, fmt.Errorf("%w: ciphertext or associated data does not match", ErrTampered)
	}
	return pt, nil
}

// SealString is Seal for a string field; "" seals to nil.
func (k *Keyring) SealString(plaintext, aad string) ([]byte, error) {
	return k.Seal([]byte(plaintext), []byte(aad))
}

// OpenString is Open for a string field; an empty value opens to "". It
// returns the Open errors.
func (k *Keyring) OpenString(sealed []byte, aad string) (string, error) {
	pt, err := k.Open(sealed, []byte(aad))
	if err != nil {
		return "", err
	}
	return string(pt), nil
}

// KeyID returns the id of the master key that wrapped sealed, or "" when
// sealed is empty or malformed. It does not authenticate the value.
func KeyID(sealed []byte) string {
	p, err := split(sealed)
	if err != nil {
		return ""
	}
	return p.id
}

// KeyID returns the id of the master key that wrapped sealed, or "" when
// sealed is empty or malformed; see the package function KeyID.
func (k *Keyring) KeyID(sealed []byte) string { return KeyID(sealed) }

// Rewrap re-wraps the data key of sealed under the active master key,
// leaving nonce and ciphertext untouched, so rotation costs one small
// decryption and encryption per value whatever its size. A value already
// under the active key is returned as a copy; an empty value returns nil.
// Rewrap returns the Open errors for a value it cannot unwrap (it checks
// the wrapped key, not the ciphertext, which needs the aad).
func (k *Keyring) Rewrap(sealed []byte) ([]byte, error) {
	if len(sealed) == 0 {
		return nil, nil
	}
	p, err := split(sealed)
	if err != nil {
		return nil, err
	}
	k.mu.RLock()
	active := k.keys[0]
	k.mu.RUnlock()
	dataKey, err := k.unwrap(p)
	if err != nil {
		return nil, err
	}
	if p.id == active.id {
		return append([]byte(nil), sealed...), nil
	}
	out := make([]byte, 0, 2+len(active.id)+wrappedSize+nonceSize+len(p.ct))
	out = append(out, version, byte(len(active.id)))
	out = append(out, active.id...)
	out, err = wrap(out, active.key, dataKey)
	if err != nil {
		return nil, err
	}
	out = append(out, p.nonce...)
	return append(out, p.ct...), nil
}

// indexLabelV1 separates blind-index keys from every other use of the root.
const indexLabelV1 = "holdspace/seal/index/v1\x00"

// Index returns a 32-byte blind index of value for purpose (for example
// "client.email"): HMAC-SHA256(K_purpose, value), where
// K_purpose = HMAC-SHA256(index root, "holdspace/seal/index/v1\x00" ‖ purpose).
// The root is the key file's index: line, which rotation never changes, so
// indexes are stable across rotations; different purposes give unrelated
// indexes for the same value. Equal inputs give equal indexes, so callers
// normalise value first (for example lower-case an email) and use it only
// for equality lookups of high-entropy values.
func (k *Keyring) Index(purpose, value string) []byte {
	k.mu.RLock()
	root := k.indexRoot
	k.mu.RUnlock()
	m := hmac.New(sha256.New, root)
	m.Write([]byte(indexLabelV1))
	m.Write([]byte(purpose))
	pk := m.Sum(nil)
	m = hmac.New(sha256.New, pk)
	m.Write([]byte(value))
	return m.Sum(nil)
}
