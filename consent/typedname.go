package consent

import (
	"strings"

	"holdspace"
)

// MaxTypedName bounds a name typed to sign in person, in bytes.
const MaxTypedName = 200

// TypedNameMatches reports whether typed, a name typed to sign in person,
// is the name on record: case and spacing (leading, trailing, repeated)
// aside.
func TypedNameMatches(typed, name string) bool {
	return strings.EqualFold(strings.Join(strings.Fields(typed), " "), strings.Join(strings.Fields(name), " "))
}

// CheckClientTypedName checks the name a client typed in person (to sign
// an agreement or confirm a screening on the practitioner's device)
// against name, the client's name on record. Errors, field
// "client_typed_name": EINVALID "required" (nothing but spaces typed),
// "too_long" (more than MaxTypedName bytes once trimmed),
// "typed_name_mismatch".
func CheckClientTypedName(typed, name string) error {
	typed = strings.TrimSpace(typed)
	if typed == "" {
		return holdspace.Invalid("required", "client_typed_name", "The client types their own name, in person.")
	}
	if len(typed) > MaxTypedName {
		return holdspace.Invalid("too_long", "client_typed_name", "A name may have at most %d characters.", MaxTypedName)
	}
	if !TypedNameMatches(typed, name) {
		return holdspace.Invalid("typed_name_mismatch", "client_typed_name", "The typed name does not match the client's name on record.")
	}
	return nil
}
