// Package server composes holdspace's HTTP surface: the JSON API, the web
// pages and the edge middleware around both (from package httpedge: the
// client's address behind trusted proxies, request ids, structured logs,
// metrics by route, security headers; and body read deadlines, and
// compression of everything but event streams).
// cmd/holdspace serves it; end-to-end tests serve the very same handler.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"holdspace/app"
	"holdspace/httpapi"
	"holdspace/httpedge"
	"holdspace/web"
)

// Config is what the handler needs.
type Config struct {
	App *app.Services
	// Metrics counts requests by route and, when the services were built
	// with its Decision method as their decision observer, decisions by
	// outcome; nil: a fresh set that counts requests only.
	Metrics *httpedge.Metrics
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
	// PseudoLocale offers the pages' pseudo-locale (see web.Config.Pseudo).
	PseudoLocale bool
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
		metrics = httpedge.NewMetrics()
	}
	api := httpapi.New(cfg.App, cfg.Logger, metrics, cfg.Ready)
	api.SetStreamKeepAlive(cfg.StreamKeepAlive)
	mux := http.NewServeMux()
	for _, pat := range api.Patterns() {
		mux.Handle(pat, api)
	}
	pages, err := web.New(web.Config{App: cfg.App, Logger: cfg.Logger, Secure: cfg.Secure, KeepAlive: cfg.StreamKeepAlive, Pseudo: cfg.PseudoLocale})
	if err != nil {
		return nil, err
	}
	mux.Handle("/", pages)
	zipped, err := compress(BodyDeadline(cfg.BodyReadTimeout, mux))
	if err != nil {
		return nil, err
	}
	return httpedge.RealIP(cfg.TrustedProxies, httpedge.Observe(cfg.Logger, metrics, httpedge.SecurityHeaders(zipped, cfg.Secure))), nil
}
