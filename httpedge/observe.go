package httpedge

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"holdspace"
)

type ctxKey int

const requestIDKey ctxKey = 0

// RequestID returns the id Observe gave the request in ctx, or "".
func RequestID(ctx context.Context) string {
	s, _ := ctx.Value(requestIDKey).(string)
	return s
}

// Metrics holds the Prometheus collectors of one server. Each server has its
// own registry, so that tests can run servers in parallel.
type Metrics struct {
	Registry  *prometheus.Registry
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	decisions *prometheus.CounterVec
}

// NewMetrics returns a fresh set of collectors registered on a new registry
// together with the Go and process collectors.
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "holdspace_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
		}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "holdspace_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route", "method"}),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "holdspace_decisions_total", Help: "Consent decisions by outcome.",
		}, []string{"outcome"}),
	}
	m.Registry.MustRegister(m.requests, m.latency, m.decisions,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}

// Decision counts one decision by outcome.
func (m *Metrics) Decision(outcome string) { m.decisions.WithLabelValues(outcome).Inc() }

// Handler serves the metrics in the Prometheus text format, to loopback
// callers only; anyone else gets 404.
func (m *Metrics) Handler() http.Handler {
	h := promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !IsLoopback(r.RemoteAddr) {
			http.NotFound(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// IsLoopback reports whether a RemoteAddr is on the loopback network.
func IsLoopback(remoteAddr string) bool {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach Flush for event streams.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Observe wraps the whole router (a mux whose handlers set r.Pattern): it
// gives each request an id (the X-Request-Id header, and RequestID),
// recovers panics as 500s with the JSON error body, logs one structured
// line per request (ids, route, status, duration; never names or health
// data) and records metrics by route pattern.
func Observe(log *slog.Logger, m *Metrics, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := rand.Text()[:16]
		r = r.WithContext(context.WithValue(r.Context(), requestIDKey, id))
		sw := &statusWriter{ResponseWriter: w}
		sw.Header().Set("X-Request-Id", id)
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				log.ErrorContext(r.Context(), "panic", "request_id", id, "panic", fmt.Sprint(p))
				if sw.status == 0 {
					internal := Problem{Status: http.StatusInternalServerError, Code: holdspace.EINTERNAL, Message: InternalMessage}
					WriteJSON(sw, internal.Status, internal.Body())
				}
			}
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			if sw.status == 0 {
				sw.status = http.StatusOK
			}
			d := time.Since(start)
			m.requests.WithLabelValues(route, r.Method, fmt.Sprint(sw.status)).Inc()
			m.latency.WithLabelValues(route, r.Method).Observe(d.Seconds())
			log.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("request_id", id), slog.String("method", r.Method), slog.String("route", route),
				slog.Int("status", sw.status), slog.Int("bytes", sw.bytes), slog.Duration("duration", d))
		}()
		next.ServeHTTP(sw, r)
	})
}
