package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

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

// sessionMail is one kind of message about a session.
type sessionMail struct {
	kind    string
	subject string
	lead    string
}

var (
	mailConfirmed = sessionMail{MailSessionConfirmed, "Your session is booked", "Your session with %s is booked."}
	mailChanged   = sessionMail{MailSessionChanged, "Your session has moved", "Your session with %s has a new time."}
	mailCancelled = sessionMail{MailSessionCancelled, "Your session is cancelled", "Your session with %s is cancelled."}
	mailReminder  = sessionMail{MailSessionReminder, "Reminder: your session", "A reminder of your session with %s."}
	mailIntake    = sessionMail{MailIntakeRequested, "Before your session: your intake form", "Before your session with %s, please fill in (or renew) your intake form, so that your practitioner can prepare. It takes about ten minutes."}
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

// FormatLocalTime formats t in loc with the zone shown, as a person reads
// it: "Tue 1 Dec 2026, 14:00 PST (America/Los_Angeles)".
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
	when := FormatLocalTime(s.StartsAt, st.loc)
	var b strings.Builder
	b.WriteString("Hello,\n\n")
	fmt.Fprintf(&b, m.lead+"\n\n", prName)
	fmt.Fprintf(&b, "When: %s\n", when)
	if m.kind != MailIntakeRequested {
		fmt.Fprintf(&b, "Length: %d minutes\n", int(bookedDuration(s)/time.Minute))
	}
	if p := place(st.settings.Identity); p != "" {
		fmt.Fprintf(&b, "Where: %s\n", strings.ReplaceAll(p, "\n", "\n       "))
	}
	fmt.Fprintf(&b, "With: %s\n\n", prName)
	switch m.kind {
	case MailIntakeRequested:
		fmt.Fprintf(&b, "Fill in the form: %s\n", a.link("/intake"))
	case MailSessionCancelled:
		fmt.Fprintf(&b, "Your sessions: %s\n", a.link("/me"))
	default:
		fmt.Fprintf(&b, "Details, and to add it to your calendar: %s\n", a.link("/sessions/"+s.ID))
	}
	fmt.Fprintf(&b, "\n%s\n", a.signature(st.settings.Identity))
	subject := m.subject + ": " + when
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
	var b strings.Builder
	b.WriteString("Hello,\n\n")
	fmt.Fprintf(&b, "How have you been since your session with %s on %s?\n\n", prName, FormatLocalTime(s.StartsAt, st.loc))
	fmt.Fprintf(&b, "Your practitioner would like to know. Answer here (it takes a minute): %s\n", a.link("/me"))
	fmt.Fprintf(&b, "Please answer by %s.\n\n%s\n", FormatLocalTime(f.DueAt, st.loc), a.signature(st.settings.Identity))
	if err := a.enqueueMail(ctx, tx, System, outMail{kind: MailFollowUpPrompt, key: key, to: client,
		subject: "How have you been since your session?", body: b.String()}); err != nil {
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
	var b strings.Builder
	fmt.Fprintf(&b, "Hello,\n\n%s invites you to your own account, where you can see your sessions.\n\n", a.signature(st.settings.Identity))
	fmt.Fprintf(&b, "Choose your password here: %s\n", a.link(inv.Path))
	fmt.Fprintf(&b, "The link works once, until %s.\n\nIf you did not expect this, you can ignore it.\n\n%s\n",
		FormatLocalTime(inv.ExpiresAt, st.loc), a.signature(st.settings.Identity))
	return a.enqueueMail(ctx, tx, ac, outMail{kind: MailInvitation, key: fmt.Sprintf("invite/%x", tokenHash), to: u,
		subject: "Your invitation to " + a.signature(st.settings.Identity), body: b.String()})
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
