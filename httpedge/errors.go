// Package httpedge is the HTTP edge shared by holdspace's two adapters, the
// JSON API (httpapi) and the pages (web): the one map from holdspace error
// codes to HTTP statuses, what a caller may be told of an error, the
// Server-Sent Events loop, the client's address behind trusted proxies,
// security headers and request observation (ids, logs, metrics).
//
// It sits below both adapters and imports only the root package and the
// standard library (and Prometheus for metrics); httpapi and web import it
// and never each other. Package server composes the middleware around both.
package httpedge

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"

	"holdspace"
)

// Status returns the HTTP status of an error class (one of the holdspace
// E* codes): the one place where error codes become statuses. Any other
// code, EINTERNAL included, is 500.
func Status(code string) int {
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

// StatusOf returns the HTTP status for err: that of the first
// *holdspace.Error in its chain, 500 when there is none.
func StatusOf(err error) int { return Status(holdspace.ErrorCode(err)) }

// InternalMessage is all a caller is told of an error that is the
// server's fault.
const InternalMessage = "An internal error occurred."

// Problem is what a caller may be told of an error: its HTTP status, a
// stable snake_case code, a sentence safe to show and, when one input is
// at fault, its path.
type Problem struct {
	Status  int
	Code    string
	Message string
	Field   string
}

// Internal reports whether the server, not the caller, is at fault (5xx).
func (p Problem) Internal() bool { return p.Status >= 500 }

// Explain turns err into what its caller may be told. An error the server
// is at fault for (any 5xx) is logged with its cause and the request id,
// and shown only as code "internal" with InternalMessage: causes, queries
// and stored values never reach the caller.
func Explain(ctx context.Context, log *slog.Logger, err error) Problem {
	p := Problem{Status: StatusOf(err)}
	if p.Internal() {
		if log != nil {
			log.ErrorContext(ctx, "request failed", "err", err, "request_id", RequestID(ctx))
		}
		p.Code, p.Message = holdspace.EINTERNAL, InternalMessage
		return p
	}
	p.Code, p.Message, p.Field = holdspace.ErrorReason(err), holdspace.ErrorMessage(err), holdspace.ErrorField(err)
	return p
}

// ErrorBody is the JSON body of every non-2xx API response.
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

// Body returns p as the JSON error body.
func (p Problem) Body() ErrorBody {
	return ErrorBody{Error: ErrorDetail{Code: p.Code, Message: p.Message, Field: p.Field}}
}

// ErrorBodyOf returns the JSON error body of err as Explain describes it,
// with every problem of a request that had several (never for an internal
// error).
func ErrorBodyOf(p Problem, err error) ErrorBody {
	b := p.Body()
	if !p.Internal() {
		b.Error.Problems = holdspace.ErrorProblems(err)
	}
	return b
}

// WriteJSON writes v as a JSON response with status, never cached, with
// HTML-significant characters escaped.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}
