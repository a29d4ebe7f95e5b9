// Package authn holds holdspace's authentication primitives: Argon2id
// password hashes in PHC string format, a password policy, random bearer
// tokens stored only as hashes, a sign-in throttle with device cookies, and
// TOTP with recovery codes. It does no I/O and keeps no global
// configuration.
package authn

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"holdspace"
)

// Password length limits: MinPasswordLen counts characters (runes) and
// applies to new passwords; MaxPasswordLen counts bytes and bounds the work
// an attacker can ask for.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 1024
)

// Params are Argon2id cost parameters.
type Params struct {
	Time      uint32 // passes over memory (t)
	MemoryKiB uint32 // memory in KiB (m)
	Threads   uint8  // lanes (p)
	SaltLen   uint32 // salt bytes
	KeyLen    uint32 // tag bytes
}

// DefaultParams are the second recommended option of RFC 9106 §4, for
// machines with less memory: Argon2id, t=3, m=64 MiB, p=4, 128-bit salt,
// 256-bit tag. HashPassword uses them. Treat it as a constant: pass other
// Params to HashPasswordWith rather than changing it.
var DefaultParams = Params{Time: 3, MemoryKiB: 64 * 1024, Threads: 4, SaltLen: 16, KeyLen: 32}

// Bounds accepted in Params and in parsed hashes, so that a corrupt or
// hostile stored hash cannot demand unbounded memory or time.
const (
	maxMemoryKiB = 1 << 20 // 1 GiB
	maxTime      = 64
	minSaltLen   = 8 // RFC 9106 §3.1 allows 8; we generate 16
	maxSaltLen   = 64
	minKeyLen    = 16
	maxKeyLen    = 128
)

// ErrMalformedHash: an encoded hash is not a well-formed argon2id PHC
// string within the accepted bounds.
var ErrMalformedHash = errors.New("authn: malformed password hash")

// Validate reports whether p is usable: Time 1..64, Threads ≥ 1, MemoryKiB
// from 8×Threads to 1 GiB, SaltLen 8..64 and KeyLen 16..128.
func (p Params) Validate() error {
	switch {
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("authn: argon2 time %d out of range 1..%d", p.Time, maxTime)
	case p.Threads < 1:
		return fmt.Errorf("authn: argon2 parallelism must be at least 1")
	case p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > maxMemoryKiB:
		return fmt.Errorf("authn: argon2 memory %d KiB out of range %d..%d", p.MemoryKiB, 8*uint32(p.Threads), maxMemoryKiB)
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("authn: salt length %d out of range %d..%d", p.SaltLen, minSaltLen, maxSaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("authn: key length %d out of range %d..%d", p.KeyLen, minKeyLen, maxKeyLen)
	}
	return nil
}

// ValidatePassword checks a new password: it must be valid UTF-8, at least
// MinPasswordLen characters and at most MaxPasswordLen bytes. It returns an
// EINVALID *holdspace.Error with field "password" and reason
// password_required, password_too_short, password_too_long,
// password_not_utf8 or password_common (see CommonPassword).
func ValidatePassword(pw string) error {
	switch {
	case pw == "":
		return holdspace.Invalid("password_required", "password", "A password is required.")
	case len(pw) > MaxPasswordLen:
		return holdspace.Invalid("password_too_long", "password", "The password must be at most %d bytes long.", MaxPasswordLen)
	case !utf8.ValidString(pw):
		return holdspace.Invalid("password_not_utf8", "password", "The password must be valid UTF-8 text.")
	case utf8.RuneCountInString(pw) < MinPasswordLen:
		return holdspace.Invalid("password_too_short", "password", "The password must be at least %d characters long.", MinPasswordLen)
	}
	return checkCommon(pw)
}

// HashPassword validates pw with ValidatePassword and hashes it with
// DefaultParams and a random salt, returning a PHC string such as
// $argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash> (unpadded standard base64).
// It returns the ValidatePassword errors and, rarely, a random-source error.
func HashPassword(pw string) (string, error) {
	return HashPasswordWith(pw, DefaultParams)
}

// HashPasswordWith is HashPassword with explicit parameters (cheaper ones
// for tests and demos). It also returns the Params.Validate error.
func HashPasswordWith(pw string, p Params) (string, error) {
	if err := ValidatePassword(pw); err != nil {
		return "", err
	}
	if err := p.Validate(); err != nil {
		return "", err
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("authn: random: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.MemoryKiB, p.Threads, p.KeyLen)
	return encode(p, salt, key), nil
}

var b64 = base64.RawStdEncoding.Strict()

func encode(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.MemoryKiB, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// decode parses an argon2id PHC string: exactly
// $argon2id$v=19$m=<m>,t=<t>,p=<p>$<salt>$<hash>, decimal numbers without
// leading zeros, unpadded standard base64.
func decode(encoded string) (Params, []byte, []byte, error) {
	bad := func(why string) (Params, []byte, []byte, error) {
		return Params{}, nil, nil, fmt.Errorf("%w: %s", ErrMalformedHash, why)
	}
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" {
		return bad("want $argon2id$v=19$m=..,t=..,p=..$salt$hash")
	}
	if parts[1] != "argon2id" {
		return bad("algorithm is not argon2id")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return bad("unsupported version")
	}
	kv := strings.Split(parts[3], ",")
	if len(kv) != 3 {
		return bad("want m=..,t=..,p=..")
	}
	var vals [3]uint64
	for i, name := range [3]string{"m", "t", "p"} {
		v, ok := strings.CutPrefix(kv[i], name+"=")
		if !ok {
			return bad("want m=..,t=..,p=.. in that order")
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil || strconv.FormatUint(n, 10) != v {
			return bad("parameter " + name + " is not a plain decimal number")
		}
		vals[i] = n
	}
	if vals[2] > 255 {
		return bad("parallelism out of range")
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return bad("salt is not unpadded base64")
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil {
		return bad("hash is not unpadded base64")
	}
	p := Params{MemoryKiB: uint32(vals[0]), Time: uint32(vals[1]), Threads: uint8(vals[2]), SaltLen: uint32(len(salt)), KeyLen: uint32(len(key))}
	if err := p.Validate(); err != nil {
		return bad(err.Error())
	}
	return p, salt, key, nil
}

// CheckPassword reports whether pw matches encoded, a PHC string from
// HashPassword, using the parameters recorded in it (so parameters can
// change over time; see NeedsRehash) and a constant-time comparison. An
// empty password or one over MaxPasswordLen bytes never matches. It returns
// an error wrapping ErrMalformedHash, and false, when encoded cannot be
// parsed or its parameters are out of bounds; it never panics.
func CheckPassword(encoded, pw string) (bool, error) {
	p, salt, key, err := decode(encoded)
	if err != nil {
		return false, err
	}
	if pw == "" || len(pw) > MaxPasswordLen {
		return false, nil
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.MemoryKiB, p.Threads, p.KeyLen)
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// NeedsRehash reports whether encoded should be replaced by a fresh
// HashPassword at the next successful login: true when it cannot be parsed
// or its parameters, salt or tag length differ from DefaultParams.
func NeedsRehash(encoded string) bool {
	return NeedsRehashWith(encoded, DefaultParams)
}

// NeedsRehashWith is NeedsRehash against explicit parameters.
func NeedsRehashWith(encoded string, want Params) bool {
	p, _, _, err := decode(encoded)
	return err != nil || p != want
}

// dummySalt is fixed: CheckDummy only spends time, its result is discarded.
var dummySalt = []byte("holdspace-dummy!")

// CheckDummy spends the same work as CheckPassword on a DefaultParams hash
// and discards the result. Call it when the account does not exist, so
// that response time does not reveal which accounts exist.
func CheckDummy(pw string) {
	CheckDummyWith(pw, DefaultParams)
}

// CheckDummyWith is CheckDummy for hashes made with p (use the parameters
// the real hashes use). Invalid p falls back to DefaultParams.
func CheckDummyWith(pw string, p Params) {
	if p.Validate() != nil {
		p = DefaultParams
	}
	if pw == "" || len(pw) > MaxPasswordLen {
		return // CheckPassword does no work for these either
	}
	argon2.IDKey([]byte(pw), dummySalt, p.Time, p.MemoryKiB, p.Threads, p.KeyLen)
}
