// Package mail formats and delivers email: RFC 5322 messages in plain
// UTF-8 text and SMTP submission (STARTTLS or implicit TLS) configured by
// one URL. It knows nothing of holdspace's records: package app decides
// what is sent to whom, through its transactional outbox.
package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Message is one plain-text email.
type Message struct {
	From, To string
	Subject  string
	Body     string
	// MessageID is the id inside the angle brackets (left@right); a resend
	// of the same message carries the same id.
	MessageID string
	Date      time.Time
}

// Bytes returns the message in RFC 5322 form: headers with the subject
// encoded for non-ASCII text, and the body quoted-printable in UTF-8.
func (m Message) Bytes() ([]byte, error) {
	for _, h := range []string{m.From, m.To, m.Subject, m.MessageID} {
		if strings.ContainsAny(h, "\r\n") {
			return nil, errors.New("mail: a header holds a line break")
		}
	}
	if _, err := mail.ParseAddress(m.From); err != nil {
		return nil, fmt.Errorf("mail: from %q: %w", m.From, err)
	}
	if _, err := mail.ParseAddress(m.To); err != nil {
		return nil, fmt.Errorf("mail: to: %w", err)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\n", m.From)
	fmt.Fprintf(&b, "To: %s\r\n", m.To)
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", m.Subject))
	fmt.Fprintf(&b, "Date: %s\r\n", m.Date.Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%s>\r\n", m.MessageID)
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n")
	b.WriteString("Auto-Submitted: auto-generated\r\n\r\n")
	w := quotedprintable.NewWriter(&b)
	body := strings.ReplaceAll(strings.ReplaceAll(m.Body, "\r\n", "\n"), "\n", "\r\n")
	if _, err := w.Write([]byte(body)); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	b.WriteString("\r\n")
	return b.Bytes(), nil
}

// Security is how an SMTP connection is protected.
type Security string

const (
	// StartTLS upgrades a plain connection (smtp://, port 587); the
	// server must offer STARTTLS.
	StartTLS Security = "starttls"
	// ImplicitTLS speaks TLS from the start (smtps://, port 465).
	ImplicitTLS Security = "tls"
	// Plain is no encryption (smtp://…?tls=none): only for a relay on the
	// same machine; credentials are refused with it.
	Plain Security = "none"
)

// SMTP submits messages to one server.
type SMTP struct {
	Addr     string // host:port
	Host     string
	Security Security
	Username string
	Password string
	// TLS overrides the TLS configuration (tests); nil: the system's
	// roots, verifying Host.
	TLS *tls.Config
	// Timeout bounds one delivery; zero: 30 seconds.
	Timeout time.Duration
}

// ParseURL reads an SMTP URL: smtp://[user:pass@]host[:587] (STARTTLS),
// smtps://[user:pass@]host[:465] (implicit TLS), or smtp://host:port?tls=none
// (no encryption, no credentials: a relay on the same machine).
func ParseURL(s string) (*SMTP, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("smtp url: %w", err)
	}
	c := &SMTP{Host: u.Hostname()}
	port := u.Port()
	switch u.Scheme {
	case "smtp":
		c.Security = StartTLS
		if port == "" {
			port = "587"
		}
		switch u.Query().Get("tls") {
		case "", "starttls":
		case "none":
			c.Security = Plain
		default:
			return nil, fmt.Errorf("smtp url: tls=%q: use starttls or none", u.Query().Get("tls"))
		}
	case "smtps":
		c.Security = ImplicitTLS
		if port == "" {
			port = "465"
		}
	default:
		return nil, fmt.Errorf("smtp url: scheme %q: use smtp:// (STARTTLS) or smtps:// (TLS)", u.Scheme)
	}
	if c.Host == "" {
		return nil, errors.New("smtp url: no host")
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
		if c.Security == Plain {
			return nil, errors.New("smtp url: tls=none sends credentials in clear; use STARTTLS or smtps://")
		}
	}
	c.Addr = net.JoinHostPort(c.Host, port)
	return c, nil
}

// String describes the server without its password.
func (c *SMTP) String() string {
	s := string(c.Security) + " " + c.Addr
	if c.Username != "" {
		s += " as " + c.Username
	}
	return s
}

// Send delivers one message from from to to.
func (c *SMTP) Send(ctx context.Context, from, to string, msg []byte) error {
	timeout := c.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tlsConfig := c.TLS
	if tlsConfig == nil {
		tlsConfig = &tls.Config{ServerName: c.Host, MinVersion: tls.VersionTLS12}
	}
	d := net.Dialer{}
	conn, err := d.DialContext(ctx, "tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("smtp: connect %s: %w", c.Addr, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	var cl *smtp.Client
	switch c.Security {
	case ImplicitTLS:
		cl = smtp.NewClient(tls.Client(conn, tlsConfig))
	case StartTLS:
		cl, err = smtp.NewClientStartTLS(conn, tlsConfig)
		if err != nil {
			conn.Close()
			return fmt.Errorf("smtp: starttls with %s: %w", c.Addr, err)
		}
	default:
		cl = smtp.NewClient(conn)
	}
	defer cl.Close()
	cl.CommandTimeout, cl.SubmissionTimeout = timeout, timeout
	if c.Username != "" {
		if err := cl.Auth(sasl.NewPlainClient("", c.Username, c.Password)); err != nil {
			return fmt.Errorf("smtp: authenticate with %s: %w", c.Addr, err)
		}
	}
	if err := cl.SendMail(from, []string{to}, bytes.NewReader(msg)); err != nil {
		return fmt.Errorf("smtp: send via %s: %w", c.Addr, err)
	}
	// The server accepted the message; a failing QUIT does not undo that.
	_ = cl.Quit()
	return nil
}
