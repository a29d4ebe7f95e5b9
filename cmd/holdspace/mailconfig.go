package main

import (
	"flag"
	"fmt"
	"log/slog"
	netmail "net/mail"
	"time"

	"holdspace/app"
	"holdspace/mail"
)

// mailFlags configure email (issue 14): SMTP delivery through the
// transactional outbox, off unless --smtp-url is given. Links in emails and
// calendar feeds start with the practice's base URL (--base-url).
type mailFlags struct {
	smtpURL        string
	from           string
	reminderBefore time.Duration
}

func (m *mailFlags) register(fs *flag.FlagSet, c *config) {
	fs.StringVar(&m.smtpURL, "smtp-url", c.env("HOLDSPACE_SMTP_URL", ""), "send email through this SMTP server: smtp://user:pass@host:587 (STARTTLS) or smtps://user:pass@host:465 (TLS); empty: email is off (HOLDSPACE_SMTP_URL, HOLDSPACE_SMTP_URL_FILE)")
	fs.StringVar(&m.from, "mail-from", c.env("HOLDSPACE_MAIL_FROM", ""), "sender of email, e.g. \"Praxis am Park <praxis@example.org>\"; required with --smtp-url (HOLDSPACE_MAIL_FROM)")
	fs.DurationVar(&m.reminderBefore, "reminder-before", c.envDuration("HOLDSPACE_REMINDER_BEFORE", app.DefaultReminderBefore), "how long before a session its reminder email goes out (HOLDSPACE_REMINDER_BEFORE)")
}

// config returns the app's mail configuration; the sender is nil when
// email is off.
func (m *mailFlags) config() (app.MailConfig, error) {
	cfg := app.MailConfig{From: m.from, ReminderBefore: m.reminderBefore}
	if m.reminderBefore <= 0 {
		return cfg, usageErrorf("--reminder-before must be positive")
	}
	if m.smtpURL == "" {
		return cfg, nil
	}
	s, err := mail.ParseURL(m.smtpURL)
	if err != nil {
		return cfg, usageErrorf("--smtp-url: %v", err)
	}
	if m.from == "" {
		return cfg, usageErrorf("--smtp-url needs --mail-from (HOLDSPACE_MAIL_FROM)")
	}
	if _, err := netmail.ParseAddress(m.from); err != nil {
		return cfg, usageErrorf("--mail-from: %v", err)
	}
	cfg.Sender = s
	return cfg, nil
}

// logMail says at start whether email is on.
func logMail(log *slog.Logger, cfg app.MailConfig, links string) {
	if cfg.Sender == nil {
		log.Info("email is off (no --smtp-url): no password reset links, invitations, booking emails or reminders are sent")
		return
	}
	log.Info("email is on", "smtp", fmt.Sprint(cfg.Sender), "from", cfg.From, "links", links, "reminder_before", cfg.ReminderBefore)
}
