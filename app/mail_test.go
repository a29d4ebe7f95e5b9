package app

import (
	"context"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"holdspace"
	"holdspace/catalogue"
	"holdspace/mail"
	"holdspace/mail/mailtest"
	"holdspace/practice"
	"holdspace/seal"
	"holdspace/sqlite/sqlitetest"
	"holdspace/store"
)

// clock is real time plus an offset the test moves forward, so that the
// database's own transaction times (real) never run ahead of the App's.
type clock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// mailFixture is an App with email on, sending through sender, with a
// practitioner, an admin and a client (no screening yet).
type mailFixture struct {
	a             *Services
	clk           *clock
	admin, pract  Actor
	client        Actor
	clientEmail   string
	practitioner  string
	sessionIntent string
}

const testNote = "prefers quiet, sprained ankle last week"

func newMailFixture(t *testing.T, sender MailSender) *mailFixture {
	t.Helper()
	return newMailFixtureIn(t, sender, "America/Los_Angeles")
}

// newMailFixtureIn is newMailFixture for a practice in the time zone zone.
func newMailFixtureIn(t *testing.T, sender MailSender, zone string) *mailFixture {
	t.Helper()
	ctx := context.Background()
	db := sqlitetest.Open(t)
	keys, err := seal.NewKeyring()
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{}
	settings := practice.DefaultSettings()
	settings.TimeZone = zone
	settings.Identity = practice.Identity{Name: "Praxis am Park", Address: "Parkstraße 1\n10115 Berlin"}
	a, err := New(Config{DB: db, Keys: keys, Now: clk.now, Policies: Policies{Argon2: cheap, Practice: settings,
		BaseURL: "https://practice.example.test",
		Mail: MailConfig{Sender: sender, From: "Praxis am Park <praxis@example.test>",
			RetryBase: time.Minute, RetryMax: time.Hour}}})
	if err != nil {
		t.Fatal(err)
	}
	f := &mailFixture{a: a, clk: clk, clientEmail: "casey@example.test", practitioner: "Pat Practitioner"}
	aid, err := a.People.CreateUser(ctx, System, NewUser{Role: holdspace.RoleAdmin, Name: "Ada Admin", Email: "admin@example.test", Password: "a long test password"})
	if err != nil {
		t.Fatal(err)
	}
	pid, err := a.People.CreateUser(ctx, System, NewUser{Role: holdspace.RolePractitioner, Name: f.practitioner, Email: "pat@example.test", Password: "a long test password"})
	if err != nil {
		t.Fatal(err)
	}
	cid, err := a.People.CreateClient(ctx, System, ClientInput{Name: "Alex Morgan", Email: f.clientEmail, Password: "a long test password", BirthDate: "1980-01-01",
		PractitionerIDs: []string{pid}, Notes: testNote})
	if err != nil {
		t.Fatal(err)
	}
	f.admin = Actor{UserID: aid, Role: holdspace.RoleAdmin, Device: "api"}
	f.pract = Actor{UserID: pid, Role: holdspace.RolePractitioner, Device: "api"}
	f.client = Actor{UserID: cid, Role: holdspace.RoleClient, Device: "api"}
	return f
}

// book books a therapeutic session starting in d.
func (f *mailFixture) book(t *testing.T, d time.Duration) SessionView {
	t.Helper()
	s, err := f.a.Sessions.CreateSession(context.Background(), f.pract, SessionInput{ClientID: f.client.UserID, Intent: "therapeutic",
		StartsAt: time.Now().Add(d).UTC().Truncate(time.Minute).Format(time.RFC3339)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (f *mailFixture) send(t *testing.T) int {
	t.Helper()
	n, err := f.a.Mail.SendDueMail(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// sensitive are the words no email and no calendar feed may hold: every
// region, technique and intent of the catalogue (codes and labels), the
// client's name, the note and the health answers of the intake.
func sensitive() []string {
	words := []string{"Alex", "Morgan", testNote, "sprained", "ankle", "fever", "anticoagulants", "prostate", "intake-v1"}
	for _, r := range catalogue.Regions() {
		words = append(words, r.Code, r.Label)
	}
	for _, tq := range catalogue.Techniques() {
		words = append(words, tq.Code, tq.Label)
	}
	for _, i := range catalogue.Intents() {
		words = append(words, string(i))
	}
	return words
}

// assertNothingSensitive fails when text holds any sensitive word (whole
// words, any case).
func assertNothingSensitive(t *testing.T, what, text string) {
	t.Helper()
	for _, w := range sensitive() {
		if w == "" {
			continue
		}
		re := regexp.MustCompile(`(?i)(^|[^\pL])` + regexp.QuoteMeta(w) + `($|[^\pL])`)
		if re.MatchString(text) {
			t.Errorf("%s holds %q:\n%s", what, w, text)
		}
	}
}

// TestMailEveryKind: each kind of message is queued by its act (or the
// scheduler), delivered over SMTP to the right person with the time in the
// practice's zone, the place, the practitioner and a link, and none holds
// anything sensitive.
func TestMailEveryKind(t *testing.T) {
	srv := mailtest.Start(t, "")
	sender, err := mail.ParseURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	f := newMailFixture(t, sender)
	ctx := context.Background()

	// Booking: the confirmation, in the same transaction as the session.
	s := f.book(t, 3*time.Hour)
	if n := f.send(t); n != 1 {
		t.Fatalf("sent %d after booking, want 1", n)
	}
	// The scheduler: a reminder (within 24 hours) and an intake request
	// (no screening yet); once each however often it runs.
	for range 3 {
		if _, err := f.a.Mail.ScheduleMail(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.send(t); n != 2 {
		t.Fatalf("sent %d after scheduling, want 2 (reminder, intake)", n)
	}
	// A follow-up (as a session closed with a stop creates it) gets its
	// prompt.
	err = f.a.core.update(ctx, func(tx store.Tx) error {
		return tx.CreateFollowUp(ctx, &store.FollowUp{ID: "fup_1", SessionID: s.ID, ClientID: f.client.UserID, PractitionerID: f.pract.UserID,
			Triggers: []string{"stop"}, CreatedAt: tx.Now(), DueAt: tx.Now().Add(48 * time.Hour)})
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.a.Mail.ScheduleMail(ctx); err != nil {
		t.Fatal(err)
	}
	// Cancelling: the cancellation.
	if _, err := f.a.Sessions.AppendEvent(ctx, f.client, s.ID, EventInput{Type: "cancel"}); err != nil {
		t.Fatal(err)
	}
	// An invitation, and a password reset.
	if _, err := f.a.Accounts.Invite(ctx, f.pract, f.client.UserID); err != nil {
		t.Fatal(err)
	}
	if err := f.a.Accounts.RequestPasswordReset(ctx, "pat@example.test", "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	if n := f.send(t); n != 4 {
		t.Fatalf("sent %d, want 4 (follow-up prompt, cancellation, invitation, reset)", n)
	}
	if n := f.send(t); n != 0 {
		t.Fatalf("sent %d more: a message went twice", n)
	}
	msgs := srv.Messages()
	kinds := map[string]mailtest.Received{}
	subjects := map[string]string{
		"Your session is booked": MailSessionConfirmed, "Reminder: your session": MailSessionReminder,
		"Before your session: your intake form": MailIntakeRequested, "How have you been since your session?": MailFollowUpPrompt,
		"Your session is cancelled": MailSessionCancelled, "Your invitation to Praxis am Park": MailInvitation, "Reset your password": MailPasswordReset,
	}
	ids := map[string]bool{}
	for _, m := range msgs {
		subj := decodeSubject(t, m.Header.Get("Subject"))
		kind := ""
		for prefix, k := range subjects {
			if strings.HasPrefix(subj, prefix) {
				kind = k
			}
		}
		if kind == "" {
			t.Fatalf("unexpected message %q", subj)
		}
		kinds[kind] = m
		if ids[m.MessageID()] {
			t.Fatalf("Message-ID %s twice", m.MessageID())
		}
		ids[m.MessageID()] = true
		assertNothingSensitive(t, kind, subj+"\n"+m.Body)
		if m.From != "praxis@example.test" || m.Header.Get("From") != "Praxis am Park <praxis@example.test>" {
			t.Errorf("%s: from %q / %q", kind, m.From, m.Header.Get("From"))
		}
		if !strings.Contains(m.Body, "https://practice.example.test/") {
			t.Errorf("%s: no absolute link:\n%s", kind, m.Body)
		}
	}
	if len(kinds) != 7 {
		t.Fatalf("kinds delivered: %d of 7", len(kinds))
	}
	for _, k := range []string{MailSessionConfirmed, MailSessionReminder, MailIntakeRequested, MailSessionCancelled, MailFollowUpPrompt, MailInvitation} {
		if kinds[k].To != f.clientEmail {
			t.Errorf("%s went to %q, want the client", k, kinds[k].To)
		}
	}
	if kinds[MailPasswordReset].To != "pat@example.test" {
		t.Errorf("reset went to %q", kinds[MailPasswordReset].To)
	}
	// The time in the practice's zone, with the zone; the place; the
	// practitioner; the session's link.
	loc, _ := time.LoadLocation("America/Los_Angeles")
	conf := kinds[MailSessionConfirmed].Body
	for _, want := range []string{FormatLocalTime(s.StartsAt, loc), "America/Los_Angeles", "Praxis am Park", "Parkstraße 1", "10115 Berlin",
		f.practitioner, "https://practice.example.test/sessions/" + s.ID} {
		if !strings.Contains(conf, want) {
			t.Errorf("confirmation lacks %q:\n%s", want, conf)
		}
	}
	if !strings.Contains(kinds[MailIntakeRequested].Body, "https://practice.example.test/intake") {
		t.Errorf("intake request without its link:\n%s", kinds[MailIntakeRequested].Body)
	}
	if !strings.Contains(kinds[MailInvitation].Body, "https://practice.example.test/invite/") {
		t.Errorf("invitation without its link:\n%s", kinds[MailInvitation].Body)
	}
	// Sent messages keep neither recipient nor body.
	err = f.a.DB().View(ctx, func(tx store.Tx) error {
		m, err := tx.OutboxMessage(ctx, "session/"+s.ID+"/"+MailSessionConfirmed)
		if err != nil {
			return err
		}
		if m.SentAt.IsZero() || m.ToSealed != nil || m.BodySealed != nil || m.Attempts != 1 {
			t.Errorf("sent message kept %+v", m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestMailQueuedSealed: a queued message's recipient and body are sealed
// under the client's data key (nothing in clear in the store), and a
// rolled-back act queues nothing.
func TestMailQueuedSealed(t *testing.T) {
	f := newMailFixture(t, &recordingSender{})
	ctx := context.Background()
	s := f.book(t, 3*time.Hour)
	err := f.a.DB().View(ctx, func(tx store.Tx) error {
		m, err := tx.OutboxMessage(ctx, "session/"+s.ID+"/"+MailSessionConfirmed)
		if err != nil {
			return err
		}
		for _, b := range [][]byte{m.ToSealed, m.BodySealed} {
			if !seal.UnderDataKey(b) || strings.Contains(string(b), "casey") || strings.Contains(string(b), "Pat") {
				t.Errorf("not sealed under the client's key: %q", b)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A booking refused (past the limit of 480 minutes) queues nothing.
	long := 9999
	if _, err := f.a.Sessions.CreateSession(ctx, f.pract, SessionInput{ClientID: f.client.UserID, Intent: "therapeutic",
		StartsAt: time.Now().Add(time.Hour).UTC().Format(time.RFC3339), DurationMinutes: &long}); err == nil {
		t.Fatal("an over-long session was booked")
	}
	err = f.a.DB().View(ctx, func(tx store.Tx) error {
		due, err := tx.DueMessages(ctx, f.clk.now(), 10)
		if err != nil || len(due) != 1 {
			t.Errorf("queued %d messages, want 1: %v", len(due), err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestMailServerDownThenUp: while the SMTP server is down the message
// waits, retried with exponential backoff; once the server is back it is
// delivered exactly once.
func TestMailServerDownThenUp(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens here now: the server is down
	sender, err := mail.ParseURL("smtp://" + addr + "?tls=none")
	if err != nil {
		t.Fatal(err)
	}
	f := newMailFixture(t, sender)
	ctx := context.Background()
	s := f.book(t, 3*time.Hour)
	key := "session/" + s.ID + "/" + MailSessionConfirmed
	next := func() *store.OutboxMessage {
		var m *store.OutboxMessage
		if err := f.a.DB().View(ctx, func(tx store.Tx) error {
			var err error
			m, err = tx.OutboxMessage(ctx, key)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return m
	}
	var waits []time.Duration
	for i := range 3 {
		if n := f.send(t); n != 0 {
			t.Fatalf("try %d: sent %d with the server down", i, n)
		}
		m := next()
		if m.Attempts != i+1 || m.LastError == "" || !m.SentAt.IsZero() {
			t.Fatalf("try %d: %+v", i, m)
		}
		wait := m.NextAttemptAt.Sub(f.clk.now())
		waits = append(waits, wait)
		// Not due before its backoff ends.
		if n := f.send(t); n != 0 || next().Attempts != i+1 {
			t.Fatalf("try %d: tried again before the backoff ended", i)
		}
		f.clk.advance(wait + time.Second)
	}
	// 1, 2, 4 minutes (RetryBase is a minute), give or take the test's own
	// running time.
	for i, w := range waits {
		want := time.Minute << i
		if w > want || w < want-10*time.Second {
			t.Errorf("backoff %d = %v, want about %v", i, w, want)
		}
	}
	srv := mailtest.Start(t, addr) // the server comes back
	if n := f.send(t); n != 1 {
		t.Fatalf("sent %d once the server was back, want 1", n)
	}
	f.clk.advance(time.Hour)
	if n := f.send(t); n != 0 {
		t.Fatalf("sent %d more", n)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 || msgs[0].To != f.clientEmail {
		t.Fatalf("delivered %d messages: %+v", len(msgs), msgs)
	}
	if m := next(); m.Attempts != 4 || m.SentAt.IsZero() {
		t.Fatalf("after delivery: %+v", m)
	}
}

// TestMailResendSameMessageID: a message sent but not marked (a crash
// between the two) is sent again with the same Message-ID, so the
// duplicate is recognisable: at least once, never as a different message.
func TestMailResendSameMessageID(t *testing.T) {
	rec := &recordingSender{}
	f := newMailFixture(t, rec)
	ctx := context.Background()
	f.book(t, 3*time.Hour)
	var m *store.OutboxMessage
	if err := f.a.DB().View(ctx, func(tx store.Tx) error {
		due, err := tx.DueMessages(ctx, f.clk.now(), 10)
		if len(due) == 1 {
			m = due[0]
		}
		return err
	}); err != nil || m == nil {
		t.Fatalf("due: %v", err)
	}
	raw1, _, err := f.a.core.formatMessage(m)
	if err != nil {
		t.Fatal(err)
	}
	// The crash: claimed and handed to the server, never marked. The lease
	// ends, and the next worker sends it.
	if err := f.a.DB().Update(ctx, func(tx store.Tx) error {
		_, err := tx.ClaimMessage(ctx, m.ID, f.clk.now(), f.clk.now().Add(mailLease))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	f.clk.advance(mailLease + time.Second)
	if n := f.send(t); n != 1 {
		t.Fatalf("sent %d after the lease ended", n)
	}
	if len(rec.msgs) != 1 || !strings.Contains(string(raw1), "Message-ID: <"+f.a.core.messageID(m.Key)+">") ||
		!strings.Contains(rec.msgs[0], "Message-ID: <"+f.a.core.messageID(m.Key)+">") {
		t.Fatalf("the resend's Message-ID differs")
	}
}

// TestMailOff: with no sender nothing is queued and a reset request says
// email is off.
func TestMailOff(t *testing.T) {
	f := newMailFixture(t, nil)
	ctx := context.Background()
	f.book(t, 3*time.Hour)
	if err := f.a.DB().View(ctx, func(tx store.Tx) error {
		due, err := tx.DueMessages(ctx, f.clk.now().Add(time.Hour), 10)
		if len(due) != 0 {
			t.Errorf("queued %d with email off", len(due))
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := f.a.Accounts.RequestPasswordReset(ctx, "pat@example.test", "192.0.2.1"); holdspace.ErrorReason(err) != "mail_off" {
		t.Fatalf("reset with email off: %v", err)
	}
}

type recordingSender struct {
	mu   sync.Mutex
	msgs []string
	to   []string
}

func (r *recordingSender) Send(_ context.Context, _, to string, msg []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, string(msg))
	r.to = append(r.to, to)
	return nil
}

func decodeSubject(t *testing.T, s string) string {
	t.Helper()
	out, err := new(mimeDecoder).DecodeHeader(s)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestMailBookingChanged: a new time queues one "has moved" message per
// start time, with the new time and nothing sensitive.
func TestMailBookingChanged(t *testing.T) {
	rec := &recordingSender{}
	f := newMailFixture(t, rec)
	ctx := context.Background()
	sv := f.book(t, 30*time.Hour)
	moved := sv.StartsAt.Add(2 * time.Hour)
	for range 2 {
		err := f.a.core.update(ctx, func(tx store.Tx) error {
			s, err := tx.Session(ctx, sv.ID)
			if err != nil {
				return err
			}
			s.StartsAt = moved // as a reschedule would store it
			return f.a.core.QueueBookingMail(ctx, tx, f.pract, s, true)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := f.send(t); n != 2 {
		t.Fatalf("sent %d, want 2 (confirmation, one change)", n)
	}
	loc, _ := time.LoadLocation("America/Los_Angeles")
	body := decodeQPBody(rec.msgs[1])
	if !strings.Contains(rec.msgs[1], "Subject: Your session has moved") || !strings.Contains(body, FormatLocalTime(moved, loc)) {
		t.Fatalf("change message:\n%s\n%s", rec.msgs[1], body)
	}
	assertNothingSensitive(t, "change", body)
}
