package mail_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"holdspace/mail"
)

func TestParseURL(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string // Security, Addr, user; "" for an error
	}{
		{"smtp://u:p@mail.example.org", "starttls mail.example.org:587 u"},
		{"smtp://mail.example.org:2525", "starttls mail.example.org:2525 "},
		{"smtps://u:p@mail.example.org", "tls mail.example.org:465 u"},
		{"smtp://127.0.0.1:25?tls=none", "none 127.0.0.1:25 "},
		{"smtp://u:p@127.0.0.1:25?tls=none", ""}, // credentials in clear
		{"smtp://mail.example.org?tls=maybe", ""},
		{"http://mail.example.org", ""},
		{"smtp://", ""},
	} {
		s, err := mail.ParseURL(c.in)
		got := ""
		if err == nil {
			got = string(s.Security) + " " + s.Addr + " " + s.Username
		}
		if got != c.want {
			t.Errorf("ParseURL(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
		if err == nil && strings.Contains(s.String(), "p@") {
			t.Errorf("String() shows the password: %s", s)
		}
	}
}

func TestMessageBytes(t *testing.T) {
	m := mail.Message{From: "Praxis am Park <praxis@example.test>", To: "c@example.test", Subject: "Ihre Sitzung: Dienstag, 14:00 MEZ",
		Body: "Grüße\nline two with a very long line " + strings.Repeat("x", 100), MessageID: "abc@example.test"}
	raw, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	subj, err := new(mime.WordDecoder).DecodeHeader(parsed.Header.Get("Subject"))
	if err != nil || subj != m.Subject || parsed.Header.Get("Message-ID") != "<abc@example.test>" {
		t.Fatalf("headers: %q %v %q", subj, err, parsed.Header.Get("Message-ID"))
	}
	for _, bad := range []mail.Message{
		{From: "a@example.test", To: "b@example.test\r\nBcc: x@example.test", Subject: "s", MessageID: "i@x"},
		{From: "a@example.test", To: "b@example.test", Subject: "s\nBcc: x@example.test", MessageID: "i@x"},
		{From: "not an address", To: "b@example.test", Subject: "s", MessageID: "i@x"},
	} {
		if _, err := bad.Bytes(); err == nil {
			t.Errorf("accepted %+v", bad)
		}
	}
}

// TestSendOverTLS: delivery with STARTTLS and with implicit TLS, with
// authentication, verifying the server's certificate.
func TestSendOverTLS(t *testing.T) {
	// httptest makes a certificate for 127.0.0.1 and a client that trusts it.
	hs := httptest.NewUnstartedServer(http.NotFoundHandler())
	hs.StartTLS()
	defer hs.Close()
	serverTLS := &tls.Config{Certificates: hs.TLS.Certificates}
	clientTLS := hs.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	clientTLS.ServerName = "127.0.0.1"

	for _, implicit := range []bool{false, true} {
		be := &backend{}
		srv := smtp.NewServer(be)
		srv.Domain = "localhost"
		srv.TLSConfig = serverTLS
		var ln net.Listener
		var err error
		if implicit {
			ln, err = tls.Listen("tcp", "127.0.0.1:0", serverTLS)
		} else {
			ln, err = net.Listen("tcp", "127.0.0.1:0")
		}
		if err != nil {
			t.Fatal(err)
		}
		go srv.Serve(ln)
		scheme := "smtp"
		if implicit {
			scheme = "smtps"
		}
		s, err := mail.ParseURL(scheme + "://user:secret@" + ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		s.TLS = clientTLS
		if err := s.Send(context.Background(), "praxis@example.test", "c@example.test", []byte("Subject: hi\r\n\r\nhello\r\n")); err != nil {
			t.Fatalf("%s: %v", scheme, err)
		}
		if !be.tls || be.user != "user" || !strings.Contains(be.data, "hello") || be.to != "c@example.test" {
			t.Fatalf("%s: server saw tls=%v user=%q to=%q data=%q", scheme, be.tls, be.user, be.to, be.data)
		}
		// A certificate for another name is refused.
		bad := clientTLS.Clone()
		bad.ServerName = "mail.example.org"
		s.TLS = bad
		if err := s.Send(context.Background(), "praxis@example.test", "c@example.test", []byte("Subject: hi\r\n\r\nhello\r\n")); err == nil {
			t.Fatalf("%s: sent to a server with a certificate for another name", scheme)
		}
		srv.Close()
	}
}

type backend struct {
	mu       sync.Mutex
	tls      bool
	user, to string
	data     string
}

func (b *backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	_, ok := c.TLSConnectionState()
	b.mu.Lock()
	b.tls = ok
	b.mu.Unlock()
	return &session{b: b}, nil
}

type session struct{ b *backend }

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if pass != "secret" {
			return errors.New("bad password")
		}
		s.b.mu.Lock()
		s.b.user = user
		s.b.mu.Unlock()
		return nil
	}), nil
}
func (s *session) Mail(string, *smtp.MailOptions) error { return nil }
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.b.mu.Lock()
	s.b.to = to
	s.b.mu.Unlock()
	return nil
}
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	s.b.mu.Lock()
	s.b.data = string(b)
	s.b.mu.Unlock()
	return err
}
func (s *session) Reset()        {}
func (s *session) Logout() error { return nil }
