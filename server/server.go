// Package server composes holdspace's HTTP surface: the JSON API, the web
// pages and the middleware around both (request ids, structured logs,
// metrics by route, security headers). cmd/holdspace serves it; end-to-end
// tests serve the very same handler.
package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"holdspace/app"
	"holdspace/httpapi"
	"holdspace/web"
)

// Config is what the handler needs.
type Config struct {
	App *app.Services
	// Metrics counts requests by route and, when the services were built
	// with its Decision method as their decision observer, decisions by
	// outcome; nil: a fresh set that counts requests only.
	Metrics *httpapi.Metrics
	Logger  *slog.Logger
	// Ready reports whether the server may take traffic.
	Ready func(context.Context) error
	// Secure marks cookies Secure and sends HSTS: set it whenever users
	// reach holdspace over HTTPS, including through a TLS-ending proxy.
	Secure bool
	// TrustedProxies are the addresses of proxies (load balancers) whose
	// X-Forwarded-For header is believed, so that login rate limits see
	// the client's address rather than the proxy's.
	TrustedProxies []netip.Prefix
	// StreamKeepAlive is how often event streams (API and pages) send a
	// keep-alive and re-check access; zero: 15 seconds.
	StreamKeepAlive time.Duration
	// BodyReadTimeout is how long a client may take to send a request
	// body; zero: DefaultBodyReadTimeout.
	BodyReadTimeout time.Duration
}

// Handler returns the whole HTTP surface of holdspace.
func Handler(cfg Config) (http.Handler, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Ready == nil {
		db := cfg.App.DB()
		cfg.Ready = db.Ready
	}
	metrics := cfg.Metrics
	if metrics == nil {
		metrics = httpapi.NewMetrics()
	}
	api := httpapi.New(cfg.App, cfg.Logger, metrics, cfg.Ready)
	api.SetStreamKeepAlive(cfg.StreamKeepAlive)
	mux := http.NewServeMux()
	for _, pat := range api.Patterns() {
		mux.Handle(pat, api)
	}
	pages, err := web.New(web.Config{App: cfg.App, Logger: cfg.Logger, Secure: cfg.Secure, KeepAlive: cfg.StreamKeepAlive})
	if err != nil {
		return nil, err
	}
	mux.Handle("/", pages)
	return RealIP(cfg.TrustedProxies, httpapi.Observe(cfg.Logger, metrics, httpapi.SecurityHeaders(BodyDeadline(cfg.BodyReadTimeout, mux), cfg.Secure))), nil
}

// RealIP replaces a request's RemoteAddr with the client's address when the
// peer is a trusted proxy: the right-most address in X-Forwarded-For that is
// not itself a trusted proxy (the left-most entries are the client's to
// forge). Requests from any other peer are left alone.
func RealIP(trusted []netip.Prefix, next http.Handler) http.Handler {
	if len(trusted) == 0 {
		return next
	}
	isTrusted := func(a netip.Addr) bool {
		for _, p := range trusted {
			if p.Contains(a.Unmap()) {
				return true
			}
		}
		return false
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		peer, err := netip.ParseAddrPort(r.RemoteAddr)
		if err == nil && isTrusted(peer.Addr()) {
			hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
			for i := len(hops) - 1; i >= 0; i-- {
				a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
				if err != nil {
					break
				}
				if !isTrusted(a) {
					r2 := r.Clone(r.Context())
					r2.RemoteAddr = netip.AddrPortFrom(a.Unmap(), 0).String()
					r = r2
					break
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// ParsePrefixes parses a comma-separated list of addresses and CIDR
// prefixes ("10.0.0.0/8, 192.0.2.7").
func ParsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an address nor a CIDR prefix", f)
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}
