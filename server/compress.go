package server

import (
	"net/http"
	"strings"

	"github.com/klauspost/compress/gzhttp"
)

// compressMinSize is the smallest response worth compressing.
const compressMinSize = 1024

// compress gzips (or zstd-compresses, as the client prefers) the pages,
// static files and API answers, with gzhttp. Server-Sent Events streams
// are never compressed: a compressor holds bytes back until it has enough
// to work with, and a STOP must reach the other device at once. Pages carry
// a CSRF token beside text a client typed, so every compressed body gets
// content-dependent padding (gzhttp's BREACH mitigation).
func compress(next http.Handler) (http.Handler, error) {
	wrap, err := gzhttp.NewWrapper(
		gzhttp.MinSize(compressMinSize),
		gzhttp.RandomJitter(32, 0, false),
		gzhttp.ContentTypeFilter(func(ct string) bool {
			return !isEventStream(ct) && gzhttp.DefaultContentTypeFilter(ct)
		}),
	)
	if err != nil {
		return nil, err
	}
	zipped := wrap(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if streamRequest(r) {
			next.ServeHTTP(w, r)
			return
		}
		zipped.ServeHTTP(w, r)
	}), nil
}

func isEventStream(ct string) bool {
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(ct)), "text/event-stream")
}

// streamRequest reports whether r asks for an event stream: the pages'
// and the API's stream routes, or any request that accepts only events.
func streamRequest(r *http.Request) bool {
	if r.Method == http.MethodGet && (strings.HasSuffix(r.URL.Path, "/events") && !strings.HasPrefix(r.URL.Path, "/api/") ||
		strings.HasPrefix(r.URL.Path, "/api/") && strings.HasSuffix(r.URL.Path, "/stream")) {
		return true
	}
	return isEventStream(r.Header.Get("Accept"))
}
