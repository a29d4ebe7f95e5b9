package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"reflect"
	"strconv"
	"strings"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"holdspace"
	"holdspace/app"
)

// MaxBody is the largest request body accepted (1 MiB).
const MaxBody = 1 << 20

// statusOf maps an error class to its HTTP status: the one place where
// holdspace error codes become statuses.
func statusOf(code string) int {
	switch code {
	case holdspace.EINVALID:
		return http.StatusBadRequest
	case holdspace.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case holdspace.EFORBIDDEN:
		return http.StatusForbidden
	case holdspace.ENOTFOUND:
		return http.StatusNotFound
	case holdspace.ECONFLICT:
		return http.StatusConflict
	case holdspace.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case holdspace.EUNSUPPORTED:
		return http.StatusUnsupportedMediaType
	case holdspace.ERATELIMITED:
		return http.StatusTooManyRequests
	case holdspace.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// ErrorBody is the body of every non-2xx response.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the error object: a stable snake_case code, a human
// sentence and, when one input is at fault, its path. When a request has
// several problems, Problems lists every one (the first is also in Code,
// Message and Field).
type ErrorDetail struct {
	Code     string              `json:"code"`
	Message  string              `json:"message"`
	Field    string              `json:"field,omitempty"`
	Problems []holdspace.Problem `json:"problems,omitempty"`
}

// StatusOf returns the HTTP status for err.
func StatusOf(err error) int { return statusOf(holdspace.ErrorCode(err)) }

// WriteError writes err as the API's JSON error body. Internal errors are
// logged with their cause and shown as a generic sentence.
func WriteError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	status := StatusOf(err)
	if status >= 500 {
		log.ErrorContext(r.Context(), "request failed", "err", err, "request_id", RequestID(r.Context()))
	}
	var rl *app.RateLimitedError
	if errors.As(err, &rl) {
		secs := int(rl.RetryAfter.Seconds() + 0.999)
		if secs < 1 {
			secs = 1
		}
		w.Header().Set("Retry-After", strconv.Itoa(secs))
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="holdspace"`)
	}
	code := holdspace.ErrorReason(err)
	msg := holdspace.ErrorMessage(err)
	if status >= 500 {
		code, msg = holdspace.EINTERNAL, "An internal error occurred."
	}
	writeJSON(w, status, ErrorBody{Error: ErrorDetail{Code: code, Message: msg, Field: holdspace.ErrorField(err), Problems: holdspace.ErrorProblems(err)}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

// decode reads a JSON request body into v strictly: the content type must be
// JSON, the body at most MaxBody, every field known, one value only.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return &holdspace.Error{Code: holdspace.EUNSUPPORTED, Reason: "unsupported_media_type", Message: "Send the body as application/json."}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		return decodeError(err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return holdspace.Invalid("malformed_json", "", "The body is empty; send a JSON object.")
	}
	// Strict: member names match exactly (no case folding), a repeated
	// name is refused rather than the last one winning, unknown members
	// are refused, the text must be valid UTF-8 and hold one value.
	if err := jsonv2.Unmarshal(body, v, jsonv2.RejectUnknownMembers(true), jsonv2.MatchCaseInsensitiveNames(false),
		jsontext.AllowDuplicateNames(false), jsontext.AllowInvalidUTF8(false)); err != nil {
		return decodeError(err)
	}
	return nil
}

func decodeError(err error) error {
	var mbe *http.MaxBytesError
	var se *jsonv2.SemanticError
	var syn *jsontext.SyntacticError
	switch {
	case errors.As(err, &mbe):
		return &holdspace.Error{Code: holdspace.ETOOLARGE, Reason: "body_too_large", Message: "The body is larger than 1 MiB."}
	case errors.Is(err, os.ErrDeadlineExceeded):
		return holdspace.Invalid("body_timeout", "", "The body did not arrive in time.")
	case errors.Is(err, jsontext.ErrDuplicateName):
		field := ""
		if errors.As(err, &syn) {
			field = pointerField(syn.JSONPointer)
		}
		return holdspace.Invalid("duplicate_field", field, "This field is given more than once.")
	case errors.Is(err, jsonv2.ErrUnknownName):
		field := ""
		if errors.As(err, &se) {
			field = pointerField(se.JSONPointer)
		}
		return holdspace.Invalid("unknown_field", field, "This field is not known (names are matched exactly, letter case included).")
	case errors.As(err, &syn), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return holdspace.Invalid("malformed_json", "", "The body is not valid JSON.")
	case errors.As(err, &se) && se.GoType != nil:
		return holdspace.Invalid("wrong_type", pointerField(se.JSONPointer), "This field has the wrong type: expected %s.", jsonTypeName(se.GoType))
	}
	return holdspace.Invalid("malformed_json", "", "The body could not be read as JSON.")
}

// pointerField turns a JSON pointer ("/grants/0/region") into the error
// field path ("grants[0].region").
func pointerField(p jsontext.Pointer) string {
	var b strings.Builder
	for tok := range p.Tokens() {
		if _, err := strconv.Atoi(tok); err == nil && b.Len() > 0 {
			b.WriteString("[" + tok + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	return b.String()
}

// jsonTypeName names the JSON kind a Go type expects.
func jsonTypeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16,
		reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Map, reflect.Struct:
		return "object"
	}
	return t.String()
}
