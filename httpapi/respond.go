package httpapi

import (
	"bytes"
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
	"holdspace/httpedge"
)

// MaxBody is the largest request body accepted (1 MiB).
const MaxBody = 1 << 20

// WriteError writes err as the API's JSON error body with its status
// (httpedge.Explain: internal errors are logged with their cause and shown
// as a generic sentence), Retry-After when the caller is rate limited, and
// the bearer challenge when unauthenticated.
func WriteError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	p := httpedge.Explain(r.Context(), log, err)
	var rl *app.RateLimitedError
	if errors.As(err, &rl) {
		secs := int(rl.RetryAfter.Seconds() + 0.999)
		if secs < 1 {
			secs = 1
		}
		w.Header().Set("Retry-After", strconv.Itoa(secs))
	}
	if p.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="holdspace"`)
	}
	writeJSON(w, p.Status, httpedge.ErrorBodyOf(p, err))
}

// writeJSON writes v as a JSON response (httpedge.WriteJSON).
var writeJSON = httpedge.WriteJSON

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
