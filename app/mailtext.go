package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"holdspace/i18n"
	"holdspace/localtime"
	"holdspace/practice"
	"holdspace/store"
)

// The messages holdspace sends. Each says only a time (in the practice's
// zone, with the zone shown), the place (the practice's name and address),
// the practitioner's name and a link: never a region, technique, intent,
// health answer or note, and not the client's name (a mailbox may be
// shared or read over a shoulder).

// Kinds of message.
const (
	MailPasswordReset    = "password_reset"
	MailInvitation       = "invitation"
	MailSessionConfirmed = "session_confirmed"
	MailSessionChanged   = "session_changed"
	MailSessionCancelled = "session_cancelled"
	MailSessionReminder  = "session_reminder"
	MailIntakeRequested  = "intake_requested"
	MailFollowUpPrompt   = "follow_up_prompt"
)

// sessionMail is one kind of message about a session: its kind and the
// catalog ids of its subject and lead (see i18n/locales/mail.*.toml).
type sessionMail struct {
	kind    string
	subject string
	lead    string
}

var (
	mailConfirmed = sessionMail{MailSessionConfirmed, "mail.confirmed.subject", "mail.confirmed.lead"}
	mailChanged   = sessionMail{MailSessionChanged, "mail.changed.subject", "mail.changed.lead"}
	mailCancelled = sessionMail{MailSessionCancelled, "mail.cancelled.subject", "mail.cancelled.lead"}
	mailReminder  = sessionMail{MailSessionReminder, "mail.reminder.subject", "mail.reminder.lead"}
	mailIntake    = sessionMail{MailIntakeRequested, "mail.intake.subject", "mail.intake.lead"}
)

// sessionMailKey is the idempotency key of a message about a session: one
// confirmation and one cancellation per session, one change, reminder and
// intake request per start time.
func sessionMailKey(s *store.Session, m sessionMail) string {
	key := "session/" + s.ID + "/" + m.kind
	switch m.kind {
	case MailSessionChanged, MailSessionReminder, MailIntakeRequested:
		key += "/" + strconv.FormatInt(s.StartsAt.Unix(), 10)
	}
	return key
}

// FormatLocalTime formats t in loc with the zone shown, in English: "Tue 1
// Dec 2026, 14:00 PST (America/Los_Angeles)". Emails use mailTime, in
// their reader's language.
func FormatLocalTime(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	s := localtime.DateTime(t, loc)
	if abbr, _ := t.In(loc).Zone(); abbr != loc.String() {
		s += " (" + loc.String() + ")"
	}
	return s
}

// mailTime formats t in loc in l's language, with the zone as the language
// abbreviates it and the zone's name after it unless the abbreviation is
// the name: "Di., 1. Dez. 2026, 14:00 MEZ (Europe/Berlin)".
func mailTime(l *i18n.Localizer, t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	s := l.DateTime(t, loc)
	if abbr, _ := t.In(loc).Zone(); abbr != loc.String() {
		s += " (" + loc.String() + ")"
	}
	return s
}

// mailLocalizer returns the localizer of u's language (languageOf): the
// language their emails are written in.
func (a *core) mailLocalizer(ctx context.Context, tx store.Settings, u *store.User) (*i18n.Localizer, error) {
	lang, err := a.languageOf(ctx, tx, u)
	if err != nil {
		return nil, err
	}
	return i18n.Default().Localizer(lang), nil
}

// labelled writes "label value" with the value's further lines indented
// under its first.
func labelled(b *strings.Builder, label, value string) {
	indent := "\n" + strings.Repeat(" ", utf8.RuneCountInString(label)+1)
	b.WriteString(label + " " + strings.ReplaceAll(value, "\n", indent) + "\n")
}

// place is the practice's name and address, as lines.
func place(id practice.Identity) string {
	var lines []string
	if n := strings.TrimSpace(id.Name); n != "" {
		lines = append(lines, n)
	}
	for _, l := range strings.Split(id.Address, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

func (a *core) signature(id practice.Identity) string {
	if n := strings.TrimSpace(id.Name); n != "" {
		return n
	}
	return a.cfg.PracticeName
}

// userName opens the name of a user.
func (a *core) nameOfUser(u *store.User) (string, error) { return a.open(u.ID, "name", u.NameSealed) }

// queueSessionMail queues a message of kind m about s to its client, once
// per key, and reports whether it queued one. Booking (creating or
// rescheduling a session) calls it with mailConfirmed or mailChanged in its
// own transaction.
func (a *core) queueSessionMail(ctx context.Context, tx mailTx, ac Actor, s *store.Session, m sessionMail) (int, error) {
	if !a.MailEnabled() {
		return 0, nil
	}
	key := sessionMailKey(s, m)
	if _, err := tx.OutboxMessage(ctx, key); err == nil {
		return 0, nil
	}
	client, err := tx.User(ctx, s.ClientID)
	if err != nil {
		return 0, nil // erased meanwhile: nobody to tell
	}
	pr, err := tx.User(ctx, s.PractitionerID)
	if err != nil {
		return 0, err
	}
	prName, err := a.nameOfUser(pr)
	if err != nil {
		return 0, err
	}
	st, err := a.practiceSettings(ctx, tx)
	if err != nil {
		return 0, err
	}
	l, err := a.mailLocalizer(ctx, tx, client)
	if err != nil {
		return 0, err
	}
	when := mailTime(l, s.StartsAt, st.loc)
	var b strings.Builder
	b.WriteString(l.T("mail.hello") + "\n\n")
	b.WriteString(l.T(m.lead, "Name", prName) + "\n\n")
	labelled(&b, l.T("mail.session.when"), when)
	if m.kind != MailIntakeRequested {
		labelled(&b, l.T("mail.session.length"), l.N("mail.session.minutes", int(bookedDuration(s)/time.Minute)))
	}
	if p := place(st.settings.Identity); p != "" {
		labelled(&b, l.T("mail.session.where"), p)
	}
	labelled(&b, l.T("mail.session.with"), prName)
	b.WriteString("\n")
	switch m.kind {
	case MailIntakeRequested:
		b.WriteString(l.T("mail.session.fill_in", "Link", a.link("/intake")) + "\n")
	case MailSessionCancelled:
		b.WriteString(l.T("mail.session.your_sessions", "Link", a.link("/me")) + "\n")
	default:
		b.WriteString(l.T("mail.session.details", "Link", a.link("/sessions/"+s.ID)) + "\n")
	}
	fmt.Fprintf(&b, "\n%s\n", a.signature(st.settings.Identity))
	subject := l.T(m.subject, "When", when)
	if err := a.enqueueMail(ctx, tx, ac, outMail{kind: m.kind, key: key, to: client, subject: subject, body: b.String()}); err != nil {
		return 0, err
	}
	return 1, nil
}

// mailAfterEvent queues what a session event tells the client: a
// cancellation. (Appending an event is the only way a session changes on
// this branch; booking calls queueSessionMail itself.)
func (a *core) mailAfterEvent(ctx context.Context, tx mailTx, ac Actor, s *store.Session, ev practice.EventType) error {
	if ev != practice.EventCancel {
		return nil
	}
	_, err := a.queueSessionMail(ctx, tx, ac, s, mailCancelled)
	return err
}

// followUpPromptAge is how long after its creation a follow-up still gets
// its prompt (older ones were created before email was switched on).
const followUpPromptAge = 14 * 24 * time.Hour

// queueFollowUpPrompt queues "How have you been since your session?" for
// an unanswered follow-up, once.
func (a *core) queueFollowUpPrompt(ctx context.Context, tx mailTx, f *store.FollowUp) (int, error) {
	if !f.AnsweredAt.IsZero() || a.now().Sub(f.CreatedAt) > followUpPromptAge {
		return 0, nil
	}
	key := "followup/" + f.ID
	if _, err := tx.OutboxMessage(ctx, key); err == nil {
		return 0, nil
	}
	client, err := tx.User(ctx, f.ClientID)
	if err != nil {
		return 0, nil
	}
	s, err := tx.Session(ctx, f.SessionID)
	if err != nil {
		return 0, nil
	}
	pr, err := tx.User(ctx, f.PractitionerID)
	if err != nil {
		return 0, err
	}
	prName, err := a.nameOfUser(pr)
	if err != nil {
		return 0, err
	}
	st, err := a.practiceSettings(ctx, tx)
	if err != nil {
		return 0, err
	}
	l, err := a.mailLocalizer(ctx, tx, client)
	if err != nil {
		return 0, err
	}
	var b strings.Builder
	b.WriteString(l.T("mail.hello") + "\n\n")
	b.WriteString(l.T("mail.follow_up.lead", "Name", prName, "When", mailTime(l, s.StartsAt, st.loc)) + "\n\n")
	b.WriteString(l.T("mail.follow_up.answer", "Link", a.link("/me")) + "\n")
	b.WriteString(l.T("mail.follow_up.due", "When", mailTime(l, f.DueAt, st.loc)) + "\n\n")
	b.WriteString(a.signature(st.settings.Identity) + "\n")
	if err := a.enqueueMail(ctx, tx, System, outMail{kind: MailFollowUpPrompt, key: key, to: client,
		subject: l.T("mail.follow_up.subject"), body: b.String()}); err != nil {
		return 0, err
	}
	return 1, nil
}

// queueInvitation emails an invitation link to the invitee.
func (a *core) queueInvitation(ctx context.Context, tx mailTx, ac Actor, u *store.User, inv Invitation, tokenHash []byte) error {
	if !a.MailEnabled() {
		return nil
	}
	st, err := a.practiceSettings(ctx, tx)
	if err != nil {
		return err
	}
	l, err := a.mailLocalizer(ctx, tx, u)
	if err != nil {
		return err
	}
	pname := a.signature(st.settings.Identity)
	var b strings.Builder
	b.WriteString(l.T("mail.hello") + "\n\n")
	b.WriteString(l.T("mail.invitation.lead", "Practice", pname) + "\n\n")
	b.WriteString(l.T("mail.invitation.link", "Link", a.link(inv.Path)) + "\n")
	b.WriteString(l.T("mail.invitation.expires", "When", mailTime(l, inv.ExpiresAt, st.loc)) + "\n\n")
	b.WriteString(l.T("mail.invitation.ignore") + "\n\n" + pname + "\n")
	return a.enqueueMail(ctx, tx, ac, outMail{kind: MailInvitation, key: fmt.Sprintf("invite/%x", tokenHash), to: u,
		subject: l.T("mail.invitation.subject", "Practice", pname), body: b.String()})
}

// QueueBookingMail queues, in the booking's own transaction, the email
// telling the client about a new booking (changed false: the confirmation,
// once per session) or a new time (changed true: once per start time).
// Booking and rescheduling call it; CreateSession does already.
func (a *core) QueueBookingMail(ctx context.Context, tx mailTx, ac Actor, s *store.Session, changed bool) error {
	m := mailConfirmed
	if changed {
		m = mailChanged
	}
	_, err := a.queueSessionMail(ctx, tx, ac, s, m)
	return err
}
