package server

import (
	"errors"
	"io"
	"net/http"
	"time"
)

// DefaultBodyReadTimeout is how long a client may take to send a request
// body when Config.BodyReadTimeout is zero.
const DefaultBodyReadTimeout = 15 * time.Second

// BodyDeadline gives every request that carries a body d to send it
// whole: a body trickled byte by byte cannot hold a connection open. The
// deadline is lifted once the body is read, so a handler's own work (and
// long-lived GET streams, which carry no body) are not cut short. A body
// that does not arrive in time fails to read, and the handler answers 4xx.
func BodyDeadline(d time.Duration, next http.Handler) http.Handler {
	if d <= 0 {
		d = DefaultBodyReadTimeout
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0 {
			rc := http.NewResponseController(w)
			if err := rc.SetReadDeadline(time.Now().Add(d)); err == nil {
				r.Body = &deadlineBody{ReadCloser: r.Body, rc: rc}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// deadlineBody lifts the read deadline once the body has been read.
type deadlineBody struct {
	io.ReadCloser
	rc   *http.ResponseController
	done bool
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && !b.done {
		b.done = true
		if errors.Is(err, io.EOF) {
			b.rc.SetReadDeadline(time.Time{})
		}
	}
	return n, err
}
