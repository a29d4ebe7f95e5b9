package openapitest

import (
	"net/http"
	"strings"
	"testing"
)

func jsonHeader() http.Header {
	return http.Header{"Content-Type": {"application/json; charset=utf-8"}}
}

// TestValidateCatchesMismatches: an undocumented status, a body that does
// not match its schema, a member the schema does not know and a wrong
// content type each fail; a matching response passes; a path that is no
// operation is skipped.
func TestValidateCatchesMismatches(t *testing.T) {
	errBody := `{"error":{"code":"missing_token","message":"Send a bearer token."}}`
	cases := []struct {
		name string
		x    Exchange
		fail string // "" when it must pass
	}{
		{"error body", Exchange{Method: "GET", Path: "/api/v1/me", Status: 401, Header: jsonHeader(), Body: []byte(errBody)}, ""},
		{"problems", Exchange{Method: "POST", Path: "/api/v1/clients/c1/screenings", Status: 400, Header: jsonHeader(),
			Body: []byte(`{"error":{"code":"missing_answer","message":"m","field":"answers.a","problems":[{"field":"answers.a","reason":"missing_answer","message":"m"}]}}`)}, ""},
		{"undocumented status", Exchange{Method: "GET", Path: "/api/v1/me", Status: 418, Header: jsonHeader(), Body: []byte(errBody)}, "status is not supported"},
		{"wrong error shape", Exchange{Method: "GET", Path: "/api/v1/me", Status: 401, Header: jsonHeader(), Body: []byte(`{"error":"no"}`)}, "doesn't match"},
		{"unknown member", Exchange{Method: "GET", Path: "/healthz", Status: 200, Header: jsonHeader(), Body: []byte(`{"status":"ok","extra":1}`)}, "doesn't match"},
		{"missing member", Exchange{Method: "GET", Path: "/healthz", Status: 200, Header: jsonHeader(), Body: []byte(`{}`)}, "doesn't match"},
		{"wrong content type", Exchange{Method: "GET", Path: "/healthz", Status: 200, Header: http.Header{"Content-Type": {"text/html"}}, Body: []byte(`<p>`)}, "Content-Type"},
		{"no content", Exchange{Method: "DELETE", Path: "/api/v1/auth/token", Status: 204, Header: http.Header{}}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep, err := Validate([]Exchange{c.x})
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case c.fail == "" && len(rep.Failures) > 0:
				t.Fatalf("failed: %v", rep.Failures[0])
			case c.fail != "" && len(rep.Failures) == 0:
				t.Fatalf("passed, want a failure with %q", c.fail)
			case c.fail != "" && !strings.Contains(rep.Failures[0].Error(), c.fail):
				t.Fatalf("failure %v, want %q", rep.Failures[0], c.fail)
			}
		})
	}
	rep, _ := Validate([]Exchange{{Method: "GET", Path: "/api/v1/healthz", Status: 404, Header: jsonHeader(), Body: []byte(`{}`)}})
	if rep.Skipped != 1 || len(rep.Failures) != 0 {
		t.Errorf("a path that is no operation: %+v", rep)
	}
}

// TestValidateMetricsNotFound: /metrics answers other than loopback callers
// with the mux's plain-text 404, as documented.
func TestValidateMetricsNotFound(t *testing.T) {
	rep, err := Validate([]Exchange{{Method: "GET", Path: "/metrics", Status: 404,
		Header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}}, Body: []byte("404 page not found\n")}})
	if err != nil || len(rep.Failures) != 0 {
		t.Fatalf("%v %v", err, rep.Failures)
	}
}
