package httpedge

import (
	"bytes"
	"crypto/tls"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestObserve(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	m := NewMetrics()
	mux := http.NewServeMux()
	var seenID string
	mux.HandleFunc("GET /things/{id}", func(w http.ResponseWriter, r *http.Request) {
		seenID = RequestID(r.Context())
		w.WriteHeader(http.StatusTeapot)
		io.WriteString(w, "short and stout")
	})
	mux.HandleFunc("GET /boom", func(w http.ResponseWriter, r *http.Request) { panic("secret detail") })
	h := Observe(log, m, mux)

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/things/cli_123", nil))
	id := rec.Header().Get("X-Request-Id")
	if rec.Code != http.StatusTeapot || len(id) != 16 || seenID != id {
		t.Fatalf("status %d, X-Request-Id %q, handler saw %q", rec.Code, id, seenID)
	}
	line := logs.String()
	for _, want := range []string{"request_id=" + id, `route="GET /things/{id}"`, "status=418", "bytes=15"} {
		if !strings.Contains(line, want) {
			t.Errorf("log line lacks %s: %q", want, line)
		}
	}
	if strings.Contains(line, "cli_123") {
		t.Errorf("the log line carries the path's id: %q", line)
	}

	logs.Reset()
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/boom", nil))
	want := `{"error":{"code":"internal","message":"An internal error occurred."}}` + "\n"
	if rec.Code != 500 || rec.Body.String() != want {
		t.Fatalf("panic: %d %q", rec.Code, rec.Body.String())
	}
	if !strings.Contains(logs.String(), "secret detail") || !strings.Contains(logs.String(), "status=500") {
		t.Errorf("the panic was not logged: %q", logs.String())
	}

	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/nowhere", nil))

	rec = httptest.NewRecorder()
	r := httptest.NewRequest("GET", "/metrics", nil)
	r.RemoteAddr = "127.0.0.1:5000"
	m.Handler().ServeHTTP(rec, r)
	for _, want := range []string{
		`holdspace_http_requests_total{code="418",method="GET",route="GET /things/{id}"} 1`,
		`holdspace_http_requests_total{code="500",method="GET",route="GET /boom"} 1`,
		`holdspace_http_requests_total{code="404",method="GET",route="unmatched"} 1`,
	} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestMetricsLoopbackOnly(t *testing.T) {
	m := NewMetrics()
	m.Decision("permit")
	for _, c := range []struct {
		remote string
		status int
	}{{"127.0.0.1:1", 200}, {"[::1]:1", 200}, {"192.0.2.1:1", 404}, {"garbage", 404}} {
		rec := httptest.NewRecorder()
		r := httptest.NewRequest("GET", "/metrics", nil)
		r.RemoteAddr = c.remote
		m.Handler().ServeHTTP(rec, r)
		if rec.Code != c.status {
			t.Errorf("%s: %d, want %d", c.remote, rec.Code, c.status)
		}
		if c.status == 200 && !strings.Contains(rec.Body.String(), `holdspace_decisions_total{outcome="permit"} 1`) {
			t.Errorf("%s: no decision count", c.remote)
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	common := map[string]string{
		"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY",
		"Cross-Origin-Opener-Policy": "same-origin", "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
	}
	const apiCSP = "default-src 'none'; frame-ancestors 'none'"
	const hsts = "max-age=63072000; includeSubDomains"
	cases := []struct {
		name, path string
		tls, hsts  bool
		csp, sts   string
	}{
		{"API", "/api/v1/me", false, false, apiCSP, ""},
		{"Health", "/healthz", false, false, apiCSP, ""},
		{"Metrics", "/metrics", false, false, apiCSP, ""},
		{"Page", "/sessions/s1", false, false, "", ""}, // the pages set their own
		{"TLS", "/", true, false, "", hsts},
		{"BehindTLSProxy", "/api/v1/me", false, true, apiCSP, hsts},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			r := httptest.NewRequest("GET", c.path, nil)
			if c.tls {
				r.TLS = &tls.ConnectionState{}
			}
			SecurityHeaders(ok, c.hsts).ServeHTTP(rec, r)
			for k, v := range common {
				if got := rec.Header().Get(k); got != v {
					t.Errorf("%s: %q, want %q", k, got, v)
				}
			}
			if got := rec.Header().Get("Content-Security-Policy"); got != c.csp {
				t.Errorf("CSP %q, want %q", got, c.csp)
			}
			if got := rec.Header().Get("Strict-Transport-Security"); got != c.sts {
				t.Errorf("HSTS %q, want %q", got, c.sts)
			}
		})
	}
}
