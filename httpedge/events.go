package httpedge

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"time"
)

// DefaultKeepAlive is how often an event stream sends a keep-alive when
// Stream.KeepAlive is zero.
const DefaultKeepAlive = 15 * time.Second

// Event is one Server-Sent Event: an optional id (the browser's
// Last-Event-ID), an optional name (the listener's type; "message" when
// empty) and its data.
type Event struct {
	ID   string
	Name string
	Data []byte
}

// Stream describes one event-stream response.
type Stream struct {
	// KeepAlive is how often a comment goes out to keep proxies from
	// closing a quiet connection, and Allowed is asked again; zero:
	// DefaultKeepAlive.
	KeepAlive time.Duration
	// Retry, when positive, is sent first: how long a browser waits
	// before it reconnects.
	Retry time.Duration
	// Allowed, when set, is asked on every keep-alive before the comment
	// is sent; false ends the stream (a revoked token, a session no
	// longer visible to the caller).
	Allowed func() bool

	// tick, in tests, replaces the KeepAlive ticker.
	tick <-chan time.Time
}

// ServeEvents answers r with a Server-Sent Events stream: status 200,
// text/event-stream, never cached nor buffered by a proxy, flushed after
// every write. Each value from values becomes one event through encode;
// a keep-alive comment goes out every KeepAlive. It returns when the
// request's context ends, values is closed, Allowed says no, encode fails
// or a write or flush fails (the client has gone). It sets no write
// deadline: the server gives responses none, so a stream lives as long as
// its request.
func ServeEvents[T any](w http.ResponseWriter, r *http.Request, s Stream, values <-chan T, encode func(T) (Event, error)) {
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if s.Retry > 0 {
		if _, err := fmt.Fprintf(w, "retry: %d\n\n", s.Retry.Milliseconds()); err != nil {
			return
		}
	}
	if err := rc.Flush(); err != nil {
		return
	}
	tick := s.tick
	if tick == nil {
		every := s.KeepAlive
		if every <= 0 {
			every = DefaultKeepAlive
		}
		t := time.NewTicker(every)
		defer t.Stop()
		tick = t.C
	}
	ctx := r.Context()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick:
			if s.Allowed != nil && !s.Allowed() {
				return
			}
			if _, err := io.WriteString(w, ": keep-alive\n\n"); err != nil {
				return
			}
		case v, ok := <-values:
			if !ok {
				return
			}
			ev, err := encode(v)
			if err != nil {
				return
			}
			if _, err := w.Write(ev.wire()); err != nil {
				return
			}
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}

// wire is the event in the text/event-stream format: one data line per
// line of Data, and a blank line to end the event.
func (e Event) wire() []byte {
	var b bytes.Buffer
	if e.ID != "" {
		fmt.Fprintf(&b, "id: %s\n", e.ID)
	}
	if e.Name != "" {
		fmt.Fprintf(&b, "event: %s\n", e.Name)
	}
	for line := range bytes.Lines(e.Data) {
		b.WriteString("data: ")
		b.Write(bytes.TrimRight(line, "\r\n"))
		b.WriteByte('\n')
	}
	if len(e.Data) == 0 {
		b.WriteString("data: \n")
	}
	b.WriteByte('\n')
	return b.Bytes()
}
