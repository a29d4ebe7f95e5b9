// Package seal encrypts sensitive fields at rest with envelope encryption and
// computes blind indexes for looking encrypted values up.
//
// A Keyring holds 32-byte master keys, each with a short id. Every Seal draws
// a fresh 256-bit data key, encrypts the field with it (AES-256-GCM, random
// 96-bit nonce, the caller's associated data bound in), and wraps the data
// key under the active master key (AES-256-GCM). The sealed value names the
// master key that wrapped it, so old values stay readable after a rotation,
// and Rewrap moves a value to the active key without touching its
// ciphertext.
//
// # Key file
//
// A key file is text, one entry per line; blank lines and lines starting
// with '#' are ignored:
//
//	index:<base64 32 bytes>
//	k2:<base64 32 bytes>
//	k1:<base64 32 bytes>
//
// The first id:key line is the active key for new seals; every key line is
// used to open. Ids are 1 to 32 characters of [A-Za-z0-9_-] and "index" is
// reserved. The index: line holds the root of the blind-index key (see
// Keyring.Index); it is written once by CreateKeyFile and never rotated, so
// that indexes stay stable. A file without an index: line uses the last
// (oldest) key line as the index root, and Rotate then writes that root
// out as an explicit index: line so it survives the old key's removal.
//
// Key files must be readable by their owner only: LoadKeyring and
// LoadOrCreate refuse a file whose mode grants any group or world
// permission (ErrInsecureKeyFile; fix with chmod 600). Files are created
// with mode 0600 and replaced atomically (temporary file, fsync, rename).
//
// Several nodes sharing one database must share one key file: a node that
// lacks the key a value was sealed under cannot open it (ErrUnknownKey).
package seal

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// KeySize is the length in bytes of master keys, data keys and the index
// root.
const KeySize = 32

// maxIDLen bounds a key id so that it fits the one-byte length in a sealed
// value.
const maxIDLen = 32

// indexLabel is the id of the key file line that holds the blind-index root.
const indexLabel = "index"

// Sentinel errors; match them with errors.Is.
var (
	// ErrInsecureKeyFile: the key file grants group or world permissions.
	ErrInsecureKeyFile = errors.New("seal: key file is accessible by group or others")
	// ErrBadKeyFile: the key file does not follow the format.
	ErrBadKeyFile = errors.New("seal: malformed key file")
	// ErrUnknownKey: a sealed value names a master key the keyring lacks.
	ErrUnknownKey = errors.New("seal: unknown master key")
	// ErrTampered: a sealed value is malformed, truncated, altered, or was
	// sealed with different associated data.
	ErrTampered = errors.New("seal: sealed value is corrupt or was tampered with")
)

type masterKey struct {
	id  string
	key []byte
}

// Keyring is a set of master keys with one active key, plus the blind-index
// root. Its methods are safe for concurrent use.
type Keyring struct {
	mu        sync.RWMutex
	keys      []masterKey // keys[0] is active; newest first
	byID      map[string][]byte
	indexRoot []byte
	explicit  bool // indexRoot came from an index: line
	follow    atomic.Pointer[follower]
}

// ParseKeyring parses key file contents. It returns an error wrapping
// ErrBadKeyFile, naming the line, for a malformed line, a bad id, a
// duplicate id, a key that is not 32 bytes of standard base64, or a file
// with no key at all.
func ParseKeyring(data []byte) (*Keyring, error) {
	k := &Keyring{byID: make(map[string][]byte)}
	sc := bufio.NewScanner(bytes.NewReader(data))
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		id, enc, ok := strings.Cut(text, ":")
		if !ok {
			return nil, fmt.Errorf("%w: line %d: want id:base64key", ErrBadKeyFile, line)
		}
		key, err := base64.StdEncoding.Strict().DecodeString(enc)
		if err != nil || len(key) != KeySize {
			return nil, fmt.Errorf("%w: line %d: key must be %d bytes of standard base64", ErrBadKeyFile, line, KeySize)
		}
		if id == indexLabel {
			if k.explicit {
				return nil, fmt.Errorf("%w: line %d: second index line", ErrBadKeyFile, line)
			}
			k.indexRoot, k.explicit = key, true
			continue
		}
		if err := checkID(id); err != nil {
			return nil, fmt.Errorf("%w: line %d: %v", ErrBadKeyFile, line, err)
		}
		if _, dup := k.byID[id]; dup {
			return nil, fmt.Errorf("%w: line %d: duplicate key id %q", ErrBadKeyFile, line, id)
		}
		k.keys = append(k.keys, masterKey{id: id, key: key})
		k.byID[id] = key
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadKeyFile, err)
	}
	if len(k.keys) == 0 {
		return nil, fmt.Errorf("%w: no keys", ErrBadKeyFile)
	}
	if !k.explicit {
		k.indexRoot = k.keys[len(k.keys)-1].key
	}
	return k, nil
}

func checkID(id string) error {
	if id == "" || len(id) > maxIDLen {
		return fmt.Errorf("key id %q must be 1 to %d characters", id, maxIDLen)
	}
	if id == indexLabel {
		return fmt.Errorf("key id %q is reserved", id)
	}
	for _, c := range []byte(id) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
		if !ok {
			return fmt.Errorf("key id %q may hold only letters, digits, '_' and '-'", id)
		}
	}
	return nil
}

// LoadKeyring reads and parses the key file at path. It refuses a file whose
// permissions grant group or world access (an error wrapping
// ErrInsecureKeyFile that says to chmod 600), and returns the
// ParseKeyring errors for bad content and the fs errors (fs.ErrNotExist)
// for a missing file.
func LoadKeyring(path string) (*Keyring, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("seal: open key file: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("seal: stat key file: %w", err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s has mode %04o; run: chmod 600 %s", ErrInsecureKeyFile, path, st.Mode().Perm(), path)
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(f); err != nil {
		return nil, fmt.Errorf("seal: read key file: %w", err)
	}
	k, err := ParseKeyring(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// CreateKeyFile writes a new key file at path holding a random index root
// and one random master key with id "k1", with mode 0600. It refuses to
// overwrite an existing file (an error wrapping fs.ErrExist).
func CreateKeyFile(path string) error {
	k, err := NewKeyring()
	if err != nil {
		return err
	}
	// Write the whole file under a temporary name, then link it into place:
	// the link is atomic and fails if the path exists, so a concurrent
	// loader never sees a half-written file and no key is ever overwritten.
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".seal-new-*")
	if err != nil {
		return fmt.Errorf("seal: create key file: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	fail := func(what string, err error) error {
		f.Close()
		return fmt.Errorf("seal: %s key file: %w", what, err)
	}
	if err := f.Chmod(0o600); err != nil {
		return fail("create", err)
	}
	if _, err := f.Write(k.Marshal()); err != nil {
		return fail("write", err)
	}
	if err := f.Sync(); err != nil {
		return fail("sync", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("seal: close key file: %w", err)
	}
	if err := os.Link(tmp, path); err != nil {
		return fmt.Errorf("seal: create key file: %w", err)
	}
	return syncDir(dir)
}

// LoadOrCreate loads the key file at path, first creating it with
// CreateKeyFile when it does not exist; created reports whether it did.
// It returns the LoadKeyring and CreateKeyFile errors.
func LoadOrCreate(path string) (kr *Keyring, created bool, err error) {
	kr, err = LoadKeyring(path)
	if err == nil {
		return kr, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}
	if err := CreateKeyFile(path); err != nil {
		if !errors.Is(err, fs.ErrExist) { // lost a race with another creator: load theirs
			return nil, false, err
		}
	} else {
		created = true
	}
	kr, err = LoadKeyring(path)
	if err != nil {
		return nil, false, err
	}
	return kr, created, nil
}

// NewKeyring returns an in-memory keyring with a random index root and one
// random master key "k1". It fails only when the system random source does.
func NewKeyring() (*Keyring, error) {
	root, err := randomKey()
	if err != nil {
		return nil, err
	}
	key, err := randomKey()
	if err != nil {
		return nil, err
	}
	return &Keyring{
		keys:      []masterKey{{id: "k1", key: key}},
		byID:      map[string][]byte{"k1": key},
		indexRoot: root,
		explicit:  true,
	}, nil
}

func randomKey() ([]byte, error) {
	b := make([]byte, KeySize)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("seal: random: %w", err)
	}
	return b, nil
}

// Marshal returns the keyring in key file format: the index: line, then the
// master keys, active first. The result holds secrets.
func (k *Keyring) Marshal() []byte {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.marshalLocked()
}

func (k *Keyring) marshalLocked() []byte {
	var b bytes.Buffer
	b.WriteString("# holdspace seal keys: the first key line is active. Keep this file private (chmod 600) and backed up.\n")
	b.WriteString(indexLabel + ":" + base64.StdEncoding.EncodeToString(k.indexRoot) + "\n")
	for _, m := range k.keys {
		b.WriteString(m.id + ":" + base64.StdEncoding.EncodeToString(m.key) + "\n")
	}
	return b.Bytes()
}

// ActiveID returns the id of the key that new seals are wrapped under.
func (k *Keyring) ActiveID() string {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.keys[0].id
}

// IDs returns the ids of all master keys, active first.
func (k *Keyring) IDs() []string {
	k.mu.RLock()
	defer k.mu.RUnlock()
	ids := make([]string, len(k.keys))
	for i, m := range k.keys {
		ids[i] = m.id
	}
	return ids
}

// AddKey adds a master key and makes it the active key, in memory only. It
// returns an error for a bad or duplicate id or a key that is not KeySize
// bytes. The blind-index root does not change.
func (k *Keyring) AddKey(id string, key []byte) error {
	if err := checkID(id); err != nil {
		return fmt.Errorf("seal: %v", err)
	}
	if len(key) != KeySize {
		return fmt.Errorf("seal: key %q must be %d bytes, got %d", id, KeySize, len(key))
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, dup := k.byID[id]; dup {
		return fmt.Errorf("seal: duplicate key id %q", id)
	}
	k.addLocked(id, bytes.Clone(key))
	return nil
}

func (k *Keyring) addLocked(id string, key []byte) {
	if !k.explicit {
		k.explicit = true // pin the index root before the oldest key can be dropped
	}
	k.keys = append([]masterKey{{id: id, key: key}}, k.keys...)
	k.byID[id] = key
}

// Rotate generates a new random master key, makes it active, and writes the
// whole keyring to path atomically (temporary file in the same directory,
// mode 0600, fsync, rename). The id is "k<n>" with n one more than the
// largest such number in use. On a write error the keyring is unchanged.
// Values sealed earlier stay readable; Rewrap moves them to the new key.
func (k *Keyring) Rotate(path string) (newID string, err error) {
	return k.RotateChecked(path, nil)
}

// RotateChecked is Rotate, calling record (when not nil) with the new key's
// id and key-check value (see Checks) before the key file is written, so
// that a database can learn the key before any process can use it. An
// error from record stops the rotation with nothing written.
func (k *Keyring) RotateChecked(path string, record func(id, check string) error) (newID string, err error) {
	key, err := randomKey()
	if err != nil {
		return "", err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	n := 0
	for _, m := range k.keys {
		if rest, ok := strings.CutPrefix(m.id, "k"); ok {
			if v, err := strconv.Atoi(rest); err == nil && v > n {
				n = v
			}
		}
	}
	newID = "k" + strconv.Itoa(n+1)
	for k.byID[newID] != nil {
		n++
		newID = "k" + strconv.Itoa(n+1)
	}
	next := &Keyring{
		keys:      append([]masterKey{{id: newID, key: key}}, k.keys...),
		indexRoot: k.indexRoot,
		explicit:  true,
	}
	if record != nil {
		if err := record(newID, checkValue(key)); err != nil {
			return "", err
		}
	}
	if err := writeFileAtomic(path, next.marshalLocked()); err != nil {
		return "", err
	}
	k.addLocked(newID, key)
	return newID, nil
}

func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".seal-keys-*")
	if err != nil {
		return fmt.Errorf("seal: write key file: %w", err)
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("seal: write key file: %w", err)
	}
	if err := f.Chmod(0o600); err != nil {
		return fail(err)
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("seal: write key file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("seal: write key file: %w", err)
	}
	return syncDir(dir)
}

// syncDir makes a rename or create in dir durable. Platforms that cannot
// fsync a directory are not an error.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("seal: sync key directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("seal: sync key directory: %w", err)
	}
	return nil
}
