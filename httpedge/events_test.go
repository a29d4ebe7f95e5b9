package httpedge

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// streamHarness serves one ServeEvents stream over a real connection. The
// test feeds values and keep-alive ticks through channels and reads the
// stream line by line; done closes when ServeEvents has returned.
type streamHarness struct {
	values  chan int
	tick    chan time.Time
	allowed chan bool // answers Allowed, one per keep-alive
	done    chan struct{}
	resp    *http.Response
	body    *bufio.Reader
	cancel  context.CancelFunc
}

func newStream(t *testing.T, s Stream, encode func(int) (Event, error)) *streamHarness {
	t.Helper()
	h := &streamHarness{values: make(chan int), tick: make(chan time.Time), allowed: make(chan bool, 1), done: make(chan struct{})}
	s.tick = h.tick
	s.Allowed = func() bool { return <-h.allowed }
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(h.done)
		ServeEvents(w, r, s, h.values, encode)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(srv.CloseClientConnections) // runs first: a stream left open by a failure must not hang Close
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	h.cancel = cancel
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	h.resp, h.body = resp, bufio.NewReader(resp.Body)
	return h
}

// block reads one block of lines up to a blank line.
func (h *streamHarness) block(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for {
		line, err := h.body.ReadString('\n')
		if err != nil {
			t.Fatalf("reading the stream: %v (so far %q)", err, b.String())
		}
		if line == "\n" {
			return b.String()
		}
		b.WriteString(line)
	}
}

// ended waits for ServeEvents to return and the stream to end. Without a
// return the test's deadline fails it; nothing here waits on a clock.
func (h *streamHarness) ended(t *testing.T) {
	t.Helper()
	<-h.done
	rest, err := io.ReadAll(h.body)
	if err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("after the end: %v", err)
	}
	if len(rest) > 0 {
		t.Fatalf("written after the end: %q", rest)
	}
}

func jsonInt(v int) (Event, error) {
	return Event{ID: strings.Repeat("7", v), Name: "state", Data: []byte(`{"n":` + strings.Repeat("1", v) + `}`)}, nil
}

func TestServeEvents(t *testing.T) {
	t.Run("HeadersRetryAndEvents", func(t *testing.T) {
		h := newStream(t, Stream{Retry: 1500 * time.Millisecond}, jsonInt)
		if h.resp.StatusCode != 200 {
			t.Fatalf("status %d", h.resp.StatusCode)
		}
		for k, v := range map[string]string{"Content-Type": "text/event-stream", "Cache-Control": "no-store", "X-Accel-Buffering": "no"} {
			if got := h.resp.Header.Get(k); got != v {
				t.Errorf("%s: %q, want %q", k, got, v)
			}
		}
		if got := h.block(t); got != "retry: 1500\n" {
			t.Fatalf("first block %q, want the retry", got)
		}
		h.values <- 2
		if got := h.block(t); got != "id: 77\nevent: state\ndata: {\"n\":11}\n" {
			t.Fatalf("event %q", got)
		}
		h.values <- 1
		if got := h.block(t); got != "id: 7\nevent: state\ndata: {\"n\":1}\n" {
			t.Fatalf("event %q", got)
		}
		close(h.values)
		h.ended(t)
	})
	t.Run("NoRetryNoIDNoName", func(t *testing.T) {
		h := newStream(t, Stream{}, func(v int) (Event, error) { return Event{Data: []byte("a\nb")}, nil })
		h.values <- 0
		// No retry line first: the event is the first block.
		if got := h.block(t); got != "data: a\ndata: b\n" {
			t.Fatalf("event %q", got)
		}
		h.cancel()
		h.ended(t)
	})
	t.Run("KeepAlive", func(t *testing.T) {
		h := newStream(t, Stream{}, jsonInt)
		for range 2 {
			h.allowed <- true
			h.tick <- time.Time{}
			if got := h.block(t); got != ": keep-alive\n" {
				t.Fatalf("keep-alive %q", got)
			}
		}
		h.values <- 1
		if got := h.block(t); !strings.HasPrefix(got, "id: 7\n") {
			t.Fatalf("event after keep-alives %q", got)
		}
		h.cancel()
		h.ended(t)
	})
	t.Run("NotAllowedEnds", func(t *testing.T) {
		h := newStream(t, Stream{}, jsonInt)
		h.allowed <- false
		h.tick <- time.Time{}
		h.ended(t) // nothing after the refusal, not even the keep-alive
	})
	t.Run("ContextCancelEnds", func(t *testing.T) {
		h := newStream(t, Stream{}, jsonInt)
		h.cancel()
		<-h.done // ServeEvents returned although no value, tick or close came
	})
	t.Run("ValuesClosedEnds", func(t *testing.T) {
		h := newStream(t, Stream{}, jsonInt)
		close(h.values)
		h.ended(t)
	})
	t.Run("EncodeErrorEnds", func(t *testing.T) {
		h := newStream(t, Stream{}, func(int) (Event, error) { return Event{}, errors.New("unencodable") })
		h.values <- 1
		h.ended(t)
	})
}

// TestServeEventsDefaultKeepAlive: with no tick channel the stream uses a
// real ticker of KeepAlive (DefaultKeepAlive when zero) and still ends
// with its request.
func TestServeEventsDefaultKeepAlive(t *testing.T) {
	values := make(chan int)
	done := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	r := httptest.NewRequestWithContext(ctx, "GET", "/", nil)
	rec := httptest.NewRecorder()
	go func() {
		defer close(done)
		ServeEvents(rec, r, Stream{}, values, jsonInt)
	}()
	values <- 3 // received: the loop is running
	cancel()
	<-done
	if !rec.Flushed || rec.Code != 200 || !strings.Contains(rec.Body.String(), "id: 777\n") {
		t.Fatalf("flushed %v, status %d, body %q", rec.Flushed, rec.Code, rec.Body.String())
	}
}
