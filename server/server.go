// Package server composes holdspace's HTTP surface: the JSON API, the web
// pages and the middleware around both (request ids, structured logs,
// metrics by route, security headers). cmd/holdspace serves it; end-to-end
// tests serve the very same handler.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"holdspace/app"
	"holdspace/httpapi"
	"holdspace/web"
)

// Config is what the handler needs.
type Config struct {
	App    *app.App
	Logger *slog.Logger
	// Ready reports whether the server may take traffic.
	Ready func(context.Context) error
	// Secure marks cookies Secure (the server is behind TLS).
	Secure bool
	// StreamKeepAlive is how often event streams (API and pages) send a
	// keep-alive and re-check access; zero: 15 seconds.
	StreamKeepAlive time.Duration
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
	metrics := httpapi.NewMetrics()
	cfg.App.SetDecisionObserver(metrics.Decision)
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
	return httpapi.Observe(cfg.Logger, metrics, httpapi.SecurityHeaders(mux)), nil
}
