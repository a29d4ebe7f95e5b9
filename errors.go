// Package holdspace holds what every layer of holdspace shares: the coded
// error type that travels from the domain to the API, and nothing else.
//
// Domain packages (catalogue, consent, screening, practice) sit below the
// adapters (store engines, seal, audit, httpapi, web); cmd/holdspace wires
// them. Imports point down only.
package holdspace

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one HTTP status in httpedge and never changes
// meaning once shipped.
const (
	EINVALID      = "invalid"      // 400: malformed or invalid input
	EUNAUTHORIZED = "unauthorized" // 401: no or bad credentials
	EFORBIDDEN    = "forbidden"    // 403: authenticated but not allowed
	ENOTFOUND     = "not_found"    // 404: unknown, or not visible to the caller
	ECONFLICT     = "conflict"     // 409: does not fit the current state
	ETOOLARGE     = "too_large"    // 413: body over the limit
	EUNSUPPORTED  = "unsupported"  // 415: not JSON
	ERATELIMITED  = "rate_limited" // 429: slow down
	EINTERNAL     = "internal"     // 500: our fault; details are logged, never shown
	EUNAVAILABLE  = "unavailable"  // 503: not ready (migrations, shutdown)
)

// Error is an error a caller may see. Code is one of the E* constants (the
// class); Reason is an optional stable snake_case detail such as
// "unknown_field" or "email_taken" that becomes the API's error.code when
// set; Message is a human sentence safe to show; Field names the offending
// input path, if any. Err keeps the cause for logs and errors.Is.
type Error struct {
	Code    string
	Reason  string
	Message string
	Field   string
	Err     error
}

// Error implements error. It includes the cause, for logs.
func (e *Error) Error() string {
	s := e.Code
	if e.Reason != "" {
		s += "/" + e.Reason
	}
	if e.Field != "" {
		s += " (" + e.Field + ")"
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given class and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error with a stable reason, the offending field
// and a human message.
func Invalid(reason, field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Reason: reason, Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFound returns an ENOTFOUND error for a kind of thing ("client").
func NotFound(kind string) *Error {
	return &Error{Code: ENOTFOUND, Message: kind + " not found"}
}

// Conflict returns an ECONFLICT error with a stable reason.
func Conflict(reason, format string, args ...any) *Error {
	return &Error{Code: ECONFLICT, Reason: reason, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the class of err: the Code of the first *Error in its
// chain, or EINTERNAL when there is none. ErrorCode(nil) is "".
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorReason returns the stable API code of err: its Reason when set, else
// its Code.
func ErrorReason(err error) string {
	var e *Error
	if errors.As(err, &e) {
		if e.Reason != "" {
			return e.Reason
		}
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain, or a
// generic sentence for internal errors, so that causes never leak to callers.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	return "An internal error occurred."
}

// ErrorField returns the Field of the first *Error in err's chain.
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}
