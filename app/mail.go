package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"holdspace"
	"holdspace/mail"
	"holdspace/practice"
	"holdspace/store"
)

// Email goes through a transactional outbox (store.Outbox): a use case
// writes the message in the same transaction as its act, so a rolled-back
// act sends nothing and a committed one cannot lose its message; the
// worker (RunMail) sends due messages afterwards, with retries and
// exponential backoff while the SMTP server is down.
//
// Delivery is at least once, with an identical Message-ID on every try: a
// message is claimed (a lease), sent, then marked sent. A crash after the
// server accepted the message but before the mark commits makes the next
// worker send it again, with the same Message-ID (derived from the
// message's idempotency key), so a resend is recognisable as the same
// message (mail clients and many servers drop the duplicate). A crash at
// any other point (before the send, or after the mark) sends it exactly
// once. Exactly-once is impossible over SMTP, which has no idempotent
// submission.
//
// Recipient and body are personal data: sealed under the client's data key
// (or the master key for staff), and removed once the message is sent.
// Nothing sensitive is ever in a message: only a time in the practice's
// zone, the practice's name and address, the practitioner's name and a
// link (see mailtext.go).

// Mail is the outbox's worker and scheduler: it sends what the use cases
// queued in their transactions (at least once, with the same Message-ID on
// every try), queues reminders, intake requests and follow-up prompts once
// each, and prunes what was sent. Queuing itself is a core helper
// (enqueueMail), called inside the act's own transaction.
type Mail struct {
	*core
}

// mailTx is what queuing a message touches inside an act's transaction:
// the outbox, the keys that seal its recipient and body, the audit entry
// saying a message was queued, and the people and settings its text names.
type mailTx interface {
	store.AuditLog
	store.Clients
	store.Keys
	store.Outbox
	store.Sessions
	store.Settings
	store.Users
	txBase
}

// MailSender delivers one formatted message (mail.SMTP does it over SMTP).
type MailSender interface {
	Send(ctx context.Context, from, to string, msg []byte) error
}

// MailConfig configures email. The absolute links of emails and calendar
// feeds start with the practice's base URL (Policies.BaseURL, --base-url).
type MailConfig struct {
	// Sender delivers messages; nil: email is off, and nothing is queued.
	Sender MailSender
	// From is the sender address ("Praxis <praxis@example.org>").
	From string
	// ReminderBefore is how long before a session its reminder goes out;
	// zero: 24 hours.
	ReminderBefore time.Duration
	// IntakeBefore is how far ahead a session makes its client without a
	// current screening get "please complete your intake"; zero: 7 days.
	IntakeBefore time.Duration
	// RetryBase and RetryMax bound the exponential backoff between tries of
	// one message; zero: 5 seconds and 1 hour.
	RetryBase, RetryMax time.Duration
}

// DefaultReminderBefore is how long before a session its reminder goes out.
const DefaultReminderBefore = 24 * time.Hour

// mailKeep is how long a sent message's key is kept: longer than any
// reminder or follow-up prompt window, so none is queued twice.
const mailKeep = 90 * 24 * time.Hour

// mailLease is how long a claimed message is not tried by another worker:
// longer than one delivery may take (mail.SMTP's 30 s timeout).
const mailLease = 2 * time.Minute

func (c MailConfig) reminderBefore() time.Duration {
	if c.ReminderBefore > 0 {
		return c.ReminderBefore
	}
	return DefaultReminderBefore
}

func (c MailConfig) intakeBefore() time.Duration {
	if c.IntakeBefore > 0 {
		return c.IntakeBefore
	}
	return 7 * 24 * time.Hour
}

// backoff is the wait after the attempts-th failed try.
func (c MailConfig) backoff(attempts int) time.Duration {
	base, ceiling := c.RetryBase, c.RetryMax
	if base <= 0 {
		base = 5 * time.Second
	}
	if ceiling <= 0 {
		ceiling = time.Hour
	}
	d := base
	for i := 1; i < attempts && d < ceiling; i++ {
		d *= 2
	}
	return min(d, ceiling)
}

// MailEnabled reports whether email is configured.
func (a *core) MailEnabled() bool { return a.cfg.Mail.Sender != nil }

// link returns the absolute URL of path under the configured base URL.
func (a *core) link(path string) string {
	return a.BaseURL() + path
}

// mailDomain is the right-hand side of Message-IDs and calendar UIDs: the
// base URL's host, else "holdspace.invalid".
func (a *core) mailDomain() string {
	if u, err := url.Parse(a.BaseURL()); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "holdspace.invalid"
}

// messageID is the Message-ID of the message with an idempotency key: the
// same on every try.
func (a *core) messageID(key string) string {
	h := sha256.Sum256([]byte("holdspace.mail.v1\x00" + key))
	return hex.EncodeToString(h[:16]) + "@" + a.mailDomain()
}

// outMail is one message to queue.
type outMail struct {
	kind    string
	key     string
	to      *store.User // the recipient
	subject string
	body    string
}

// mailBody is what a message keeps sealed besides its recipient.
type mailBody struct {
	Subject string `json:"subject"`
	Text    string `json:"text"`
}

// enqueueMail queues m in tx, once per key; nothing when email is off or
// the recipient has no email address. The queuing is audited (kind only).
func (a *core) enqueueMail(ctx context.Context, tx mailTx, ac Actor, m outMail) error {
	if !a.MailEnabled() || m.to == nil || len(m.to.EmailSealed) == 0 || !m.to.ErasedAt.IsZero() || !m.to.DisabledAt.IsZero() {
		return nil
	}
	addr, err := a.open(m.to.ID, "email", m.to.EmailSealed)
	if err != nil || addr == "" {
		return err
	}
	id := newID("msg")
	body, err := json.Marshal(mailBody{Subject: m.subject, Text: m.body})
	if err != nil {
		return err
	}
	msg := &store.OutboxMessage{ID: id, Key: m.key, Kind: m.kind, UserID: m.to.ID, CreatedAt: tx.Now(), NextAttemptAt: tx.Now()}
	client := ""
	if m.to.Role == holdspace.RoleClient {
		client = m.to.ID
		if msg.ToSealed, err = a.sealClient(ctx, tx, client, id, "mail_to", addr); err != nil {
			return err
		}
		if msg.BodySealed, err = a.sealClient(ctx, tx, client, id, "mail_body", string(body)); err != nil {
			return err
		}
	} else {
		if msg.ToSealed, err = a.seal(id, "mail_to", addr); err != nil {
			return err
		}
		if msg.BodySealed, err = a.seal(id, "mail_body", string(body)); err != nil {
			return err
		}
	}
	stored, err := tx.EnqueueMessage(ctx, msg)
	if err != nil || !stored {
		return err
	}
	tx.Notify("outbox")
	return record(ctx, tx, ac, "mail.queue", id, client, "kind="+m.kind)
}

// SendDueMail tries every message that is due once, and returns how many
// it sent. A failed try is retried after an exponential backoff.
func (a *Mail) SendDueMail(ctx context.Context) (int, error) {
	if !a.MailEnabled() {
		return 0, nil
	}
	var due []*store.OutboxMessage
	now := a.now()
	if err := a.db.View(ctx, func(tx store.Tx) error {
		var err error
		due, err = tx.DueMessages(ctx, now, 50)
		return err
	}); err != nil {
		return 0, err
	}
	sent := 0
	for _, m := range due {
		ok, err := a.sendOne(ctx, m)
		if err != nil {
			return sent, err
		}
		if ok {
			sent++
		}
	}
	return sent, nil
}

// sendOne claims, sends and marks one message; it reports whether it sent
// it. Delivery failures are recorded on the message, not returned.
func (a *core) sendOne(ctx context.Context, m *store.OutboxMessage) (bool, error) {
	now := a.now()
	var claimed bool
	if err := a.db.Update(ctx, func(tx store.Tx) error {
		var err error
		claimed, err = tx.ClaimMessage(ctx, m.ID, now, now.Add(mailLease))
		return err
	}); err != nil || !claimed {
		return false, err
	}
	attempts := m.Attempts + 1
	raw, to, err := a.formatMessage(m)
	if err == nil {
		err = a.cfg.Mail.Sender.Send(ctx, mailbox(a.cfg.Mail.From), to, raw)
	}
	if err != nil {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		next := a.now().Add(a.cfg.Mail.backoff(attempts))
		a.log.WarnContext(ctx, "mail not sent; will retry", "message", m.ID, "kind", m.Kind, "attempt", attempts, "retry_at", next, "err", err)
		return false, a.db.Update(ctx, func(tx store.Tx) error { return tx.DeferMessage(ctx, m.ID, next, truncate(err.Error(), 500)) })
	}
	// Marking uses a context of its own: the server has the message, and
	// the mark must land even when ctx ends now (or it is sent again).
	mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := a.db.Update(mctx, func(tx store.Tx) error { return tx.MarkMessageSent(mctx, m.ID, a.now()) }); err != nil {
		return false, fmt.Errorf("mark message %s sent: %w", m.ID, err)
	}
	a.log.InfoContext(ctx, "mail sent", "message", m.ID, "kind", m.Kind, "attempt", attempts)
	return true, nil
}

// formatMessage opens a queued message and formats it for sending.
func (a *core) formatMessage(m *store.OutboxMessage) ([]byte, string, error) {
	to, err := a.open(m.ID, "mail_to", m.ToSealed)
	if err != nil {
		return nil, "", err
	}
	b, err := a.open(m.ID, "mail_body", m.BodySealed)
	if err != nil {
		return nil, "", err
	}
	var body mailBody
	if err := json.Unmarshal([]byte(b), &body); err != nil {
		return nil, "", fmt.Errorf("message %s: %w", m.ID, err)
	}
	raw, err := mail.Message{From: a.cfg.Mail.From, To: to, Subject: body.Subject, Body: body.Text,
		MessageID: a.messageID(m.Key), Date: m.CreatedAt}.Bytes()
	return raw, to, err
}

// mailbox returns the address part of "Name <addr>".
func mailbox(from string) string {
	if i, j := strings.LastIndex(from, "<"), strings.LastIndex(from, ">"); i >= 0 && j > i {
		return from[i+1 : j]
	}
	return strings.TrimSpace(from)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// RunMail sends queued email and queues the scheduled messages (reminders,
// intake requests, follow-up prompts) until ctx ends: at once, on every
// "outbox" notification, and every poll interval. It does nothing when
// email is off.
func (a *Mail) RunMail(ctx context.Context, poll time.Duration) {
	if !a.MailEnabled() {
		return
	}
	if poll <= 0 {
		poll = 2 * time.Second
	}
	topics := a.db.Subscribe(ctx)
	tick := time.NewTicker(poll)
	defer tick.Stop()
	var scheduled, pruned time.Time
	for {
		if now := a.now(); now.Sub(scheduled) >= time.Minute {
			if _, err := a.ScheduleMail(ctx); err != nil && ctx.Err() == nil {
				a.log.ErrorContext(ctx, "mail: scheduling reminders", "err", err)
			}
			if now.Sub(pruned) >= 24*time.Hour {
				if _, err := a.PruneMail(ctx, mailKeep); err != nil && ctx.Err() == nil {
					a.log.ErrorContext(ctx, "mail: pruning sent messages", "err", err)
				}
				pruned = now
			}
			scheduled = now
		}
		if _, err := a.SendDueMail(ctx); err != nil && ctx.Err() == nil {
			a.log.ErrorContext(ctx, "mail: sending", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case _, ok := <-topics:
			if !ok {
				return
			}
		}
	}
}

// ScheduleMail queues, once each (idempotency keys), the reminders of
// scheduled sessions starting within ReminderBefore, the intake requests
// of clients without a current screening who have a session within
// IntakeBefore, and the prompts of unanswered follow-ups. It returns how
// many messages it queued.
func (a *Mail) ScheduleMail(ctx context.Context) (int, error) {
	if !a.MailEnabled() {
		return 0, nil
	}
	now := a.now()
	horizon := max(a.cfg.Mail.reminderBefore(), a.cfg.Mail.intakeBefore())
	queued := 0
	err := a.update(ctx, func(tx store.Tx) error {
		queued = 0
		ss, err := tx.ListSessions(ctx, store.SessionFilter{From: now, To: now.Add(horizon)})
		if err != nil {
			return err
		}
		for _, s := range ss {
			if s.State != string(practice.Scheduled) {
				continue
			}
			if s.StartsAt.Sub(now) <= a.cfg.Mail.reminderBefore() {
				n, err := a.queueSessionMail(ctx, tx, System, s, mailReminder)
				if err != nil {
					return err
				}
				queued += n
			}
			if s.StartsAt.Sub(now) <= a.cfg.Mail.intakeBefore() {
				cur, err := a.currentScreening(ctx, tx, s.ClientID, now)
				if err != nil {
					return err
				}
				if !cur.Present || cur.Stale || cur.ValidUntil.Before(s.StartsAt) {
					n, err := a.queueSessionMail(ctx, tx, System, s, mailIntake)
					if err != nil {
						return err
					}
					queued += n
				}
			}
		}
		fs, err := tx.ListFollowUps(ctx, store.FollowUpFilter{Unanswered: true})
		if err != nil {
			return err
		}
		for _, f := range fs {
			n, err := a.queueFollowUpPrompt(ctx, tx, f)
			if err != nil {
				return err
			}
			queued += n
		}
		return nil
	})
	return queued, err
}

// PruneMail deletes messages sent more than keep ago (their bodies went
// when they were sent; what is left is the key that keeps them from being
// queued twice).
func (a *Mail) PruneMail(ctx context.Context, keep time.Duration) (int64, error) {
	var n int64
	err := a.db.Update(ctx, func(tx store.Tx) error {
		var err error
		n, err = tx.PruneOutbox(ctx, a.now().Add(-keep))
		return err
	})
	return n, err
}
