// Package mailtest is an in-process SMTP server for tests: it listens on
// 127.0.0.1, accepts every message and keeps them for inspection.
package mailtest

import (
	"bytes"
	"io"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Received is one message the server accepted.
type Received struct {
	From, To string
	Raw      []byte
	Header   mail.Header
	// Body is the decoded text body.
	Body string
}

// MessageID returns the Message-ID header.
func (r Received) MessageID() string { return r.Header.Get("Message-ID") }

// Server is a running test SMTP server.
type Server struct {
	Addr string
	srv  *smtp.Server
	mu   sync.Mutex
	msgs []Received
	more chan struct{}
}

// Start starts a server on 127.0.0.1:0 (or addr, when not empty) that stops
// when tb ends.
func Start(tb testing.TB, addr string) *Server {
	tb.Helper()
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		tb.Fatalf("mailtest: listen: %v", err)
	}
	s := &Server{Addr: ln.Addr().String(), more: make(chan struct{}, 1)}
	s.srv = smtp.NewServer(backend{s})
	s.srv.Domain = "localhost"
	s.srv.ReadTimeout, s.srv.WriteTimeout = time.Minute, time.Minute
	go s.srv.Serve(ln)
	tb.Cleanup(func() { s.srv.Close() })
	return s
}

// URL is the server's SMTP URL (no encryption).
func (s *Server) URL() string { return "smtp://" + s.Addr + "?tls=none" }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Messages returns what the server accepted so far.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.msgs...)
}

// Wait returns once at least n messages arrived, or fails tb after a
// generous bound (a safety net, not a timed assertion). The bound is longer
// than the outbox's two-minute lease: a process killed between claiming a
// message and recording the failed try leaves it to the next worker once
// the lease runs out, and the message must still arrive.
func (s *Server) Wait(tb testing.TB, n int) []Received {
	tb.Helper()
	deadline := time.After(4 * time.Minute)
	for {
		if m := s.Messages(); len(m) >= n {
			return m
		}
		select {
		case <-s.more:
		case <-deadline:
			tb.Fatalf("mailtest: %d messages arrived, want %d", len(s.Messages()), n)
		}
	}
}

type backend struct{ s *Server }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: b.s}, nil }

type session struct {
	s        *Server
	from, to string
}

func (x *session) Reset()        { x.from, x.to = "", "" }
func (x *session) Logout() error { return nil }
func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}
func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = to
	return nil
}

func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	body, err := io.ReadAll(m.Body)
	if err != nil {
		return err
	}
	text := string(body)
	if strings.EqualFold(m.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		text = decodeQP(body)
	}
	x.s.mu.Lock()
	x.s.msgs = append(x.s.msgs, Received{From: x.from, To: x.to, Raw: raw, Header: m.Header, Body: strings.ReplaceAll(text, "\r\n", "\n")})
	x.s.mu.Unlock()
	select {
	case x.s.more <- struct{}{}:
	default:
	}
	return nil
}
