package httpedge

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"holdspace"
)

// statuses is the error map as the API contract states it: one row per
// holdspace error code.
var statuses = []struct {
	code   string
	status int
}{
	{holdspace.EINVALID, 400},
	{holdspace.EUNAUTHORIZED, 401},
	{holdspace.EFORBIDDEN, 403},
	{holdspace.ENOTFOUND, 404},
	{holdspace.ECONFLICT, 409},
	{holdspace.ETOOLARGE, 413},
	{holdspace.EUNSUPPORTED, 415},
	{holdspace.ERATELIMITED, 429},
	{holdspace.EINTERNAL, 500},
	{holdspace.EUNAVAILABLE, 503},
}

func TestStatus(t *testing.T) {
	for _, c := range statuses {
		t.Run(c.code, func(t *testing.T) {
			if got := Status(c.code); got != c.status {
				t.Errorf("Status(%q) = %d, want %d", c.code, got, c.status)
			}
			err := fmt.Errorf("context: %w", &holdspace.Error{Code: c.code, Message: "m"})
			if got := StatusOf(err); got != c.status {
				t.Errorf("StatusOf(wrapped %q) = %d, want %d", c.code, got, c.status)
			}
		})
	}
	for _, code := range []string{"", "nonsense"} {
		if got := Status(code); got != 500 {
			t.Errorf("Status(%q) = %d, want 500", code, got)
		}
	}
	if got := StatusOf(errors.New("disk on fire")); got != 500 {
		t.Errorf("an uncoded error is %d, want 500", got)
	}
}

// TestStatusCoversEveryCode reads the root package's source: every E*
// constant must have a row above, so that a new code cannot fall through
// to 500 unnoticed.
func TestStatusCoversEveryCode(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "../errors.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, c := range statuses {
		have[c.code] = true
	}
	n := 0
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for i, name := range vs.Names {
				if !strings.HasPrefix(name.Name, "E") || i >= len(vs.Values) {
					continue
				}
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok {
					continue
				}
				v, _ := strconv.Unquote(lit.Value)
				n++
				if !have[v] {
					t.Errorf("holdspace.%s (%q) has no row in the status table", name.Name, v)
				}
			}
		}
	}
	if n != len(statuses) {
		t.Errorf("errors.go declares %d codes, the table has %d rows", n, len(statuses))
	}
}

func TestExplain(t *testing.T) {
	cases := []struct {
		name   string
		err    error
		want   Problem
		logged bool
	}{
		{"Invalid", fmt.Errorf("decode: %w", holdspace.Invalid("unknown_field", "grants[0].x", "Not known.")),
			Problem{400, "unknown_field", "Not known.", "grants[0].x"}, false},
		{"NoReason", holdspace.Errorf(holdspace.EFORBIDDEN, "Only an admin can."),
			Problem{403, "forbidden", "Only an admin can.", ""}, false},
		{"NotFound", holdspace.NotFound("client"), Problem{404, "not_found", "client not found", ""}, false},
		{"TooLarge", &holdspace.Error{Code: holdspace.ETOOLARGE, Reason: "body_too_large", Message: "Too big."},
			Problem{413, "body_too_large", "Too big.", ""}, false},
		{"Uncoded", errors.New("pq: relation clients_secret does not exist"),
			Problem{500, "internal", InternalMessage, ""}, true},
		{"CodedInternal", &holdspace.Error{Code: holdspace.EINTERNAL, Message: "key k7 unreadable", Field: "f", Err: errors.New("cause")},
			Problem{500, "internal", InternalMessage, ""}, true},
		{"Unavailable", &holdspace.Error{Code: holdspace.EUNAVAILABLE, Reason: "not_ready", Message: "holdspace is not ready.", Err: errors.New("migration 7 pending")},
			Problem{503, "internal", InternalMessage, ""}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var logs bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logs, nil))
			ctx := context.WithValue(context.Background(), requestIDKey, "req123")
			got := Explain(ctx, log, c.err)
			if got != c.want {
				t.Fatalf("Explain = %+v, want %+v", got, c.want)
			}
			if got.Internal() != (c.want.Status >= 500) {
				t.Errorf("Internal() = %v for %d", got.Internal(), got.Status)
			}
			if c.logged {
				if !strings.Contains(logs.String(), c.err.Error()) || !strings.Contains(logs.String(), "request_id=req123") {
					t.Errorf("the cause was not logged with the request id: %q", logs.String())
				}
			} else if logs.Len() > 0 {
				t.Errorf("a caller's error was logged: %q", logs.String())
			}
		})
	}
	// A nil logger is allowed.
	if p := Explain(context.Background(), nil, errors.New("x")); p.Status != 500 {
		t.Errorf("nil logger: %+v", p)
	}
}

func TestWriteJSONErrorBody(t *testing.T) {
	rec := httptest.NewRecorder()
	p := Problem{Status: 400, Code: "unknown_field", Message: "<b> & co", Field: "a.b"}
	WriteJSON(rec, p.Status, p.Body())
	if rec.Code != 400 || rec.Header().Get("Content-Type") != "application/json; charset=utf-8" || rec.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("status %d, headers %v", rec.Code, rec.Header())
	}
	want := `{"error":{"code":"unknown_field","message":"\u003cb\u003e \u0026 co","field":"a.b"}}` + "\n"
	if rec.Body.String() != want {
		t.Errorf("body %q, want %q", rec.Body.String(), want)
	}
	rec = httptest.NewRecorder()
	p = Problem{Status: http.StatusInternalServerError, Code: "internal", Message: InternalMessage}
	WriteJSON(rec, p.Status, p.Body())
	if want := `{"error":{"code":"internal","message":"An internal error occurred."}}` + "\n"; rec.Body.String() != want {
		t.Errorf("body %q, want %q (no field when empty)", rec.Body.String(), want)
	}
}
