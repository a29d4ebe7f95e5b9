package httpapi

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"

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
// sentence and, when one input is at fault, its path.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
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
	writeJSON(w, status, ErrorBody{Error: ErrorDetail{Code: code, Message: msg, Field: holdspace.ErrorField(err)}})
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
	body := http.MaxBytesReader(w, r.Body, MaxBody)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return decodeError(err)
		}
		return holdspace.Invalid("malformed_json", "", "The body must hold exactly one JSON value.")
	}
	return nil
}

func decodeError(err error) error {
	var mbe *http.MaxBytesError
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &mbe):
		return &holdspace.Error{Code: holdspace.ETOOLARGE, Reason: "body_too_large", Message: "The body is larger than 1 MiB."}
	case errors.Is(err, io.EOF):
		return holdspace.Invalid("malformed_json", "", "The body is empty; send a JSON object.")
	case errors.As(err, &se), errors.Is(err, io.ErrUnexpectedEOF):
		return holdspace.Invalid("malformed_json", "", "The body is not valid JSON.")
	case errors.As(err, &te):
		return holdspace.Invalid("wrong_type", te.Field, "This field has the wrong type: expected %s.", te.Type.String())
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return holdspace.Invalid("unknown_field", f, "This field is not known.")
	}
	return holdspace.Invalid("malformed_json", "", "The body could not be read as JSON.")
}
