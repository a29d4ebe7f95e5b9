package app

import (
	"context"
	"testing"
	"time"

	"holdspace"
	"holdspace/consent"
	"holdspace/seal"
	"holdspace/sqlite/sqlitetest"
	"holdspace/store"
)

// TestSweepClosesOverdueSessions: the sweep records the automatic close of
// a session past its booked end plus grace, once, with an audit entry; a
// decision denies it from then on.
func TestSweepClosesOverdueSessions(t *testing.T) {
	ctx := context.Background()
	db := sqlitetest.Open(t)
	keys, err := seal.NewKeyring()
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(Config{DB: db, Keys: keys, Policies: Policies{Argon2: cheap, SessionGrace: time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	l := newLive(t, a)
	// Close the default session, then book one that ends within seconds.
	if _, err := a.Sessions.AppendEvent(ctx, l.pract, l.session, EventInput{Type: "close", Close: &practiceCloseNotes}); err != nil {
		t.Fatal(err)
	}
	minutes := 60
	s, err := a.Sessions.CreateSession(ctx, l.pract, SessionInput{ClientID: l.client.UserID, Intent: "therapeutic",
		StartsAt: time.Now().UTC().Add(-time.Hour + 3*time.Second).Format(time.RFC3339), DurationMinutes: &minutes})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range []struct {
		who Actor
		typ string
	}{{l.pract, "open"}, {l.client, "reconfirm"}, {l.pract, "begin"}} {
		if _, err := a.Sessions.AppendEvent(ctx, ev.who, s.ID, EventInput{Type: ev.typ}); err != nil {
			t.Fatalf("%s: %v", ev.typ, err)
		}
	}
	if n, err := a.Sessions.CloseOverdue(ctx); err != nil || n != 0 {
		t.Fatalf("sweep before the end: %d %v", n, err)
	}
	time.Sleep(time.Until(s.ClosesAt) + 50*time.Millisecond)
	if n, err := a.Sessions.CloseOverdue(ctx); err != nil || n != 1 {
		t.Fatalf("sweep after the end: %d %v", n, err)
	}
	if n, err := a.Sessions.CloseOverdue(ctx); err != nil || n != 0 {
		t.Fatalf("second sweep: %d %v", n, err)
	}
	evs, err := a.Sessions.ListEvents(ctx, l.pract, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if last := evs[len(evs)-1]; last.Type != "auto-close" || last.ActorID != "system" {
		t.Fatalf("last event %+v", last.Event)
	}
	var audited int
	if err := db.View(ctx, func(tx store.Tx) error {
		es, err := tx.ListAudit(ctx, store.AuditFilter{ClientID: l.client.UserID})
		for _, e := range es {
			if e.Action == "session.auto_close" && e.Target == s.ID {
				audited++
			}
		}
		return err
	}); err != nil || audited != 1 {
		t.Fatalf("auto-close audited %d times: %v", audited, err)
	}
	d, err := a.Decisions.Decide(ctx, l.pract, DecideInput{SessionID: s.ID, Region: "feet", Technique: "massage"})
	if err != nil || d.Outcome != consent.Deny || !d.Has(consent.CodeSessionNotActive) {
		t.Fatalf("decision after the auto-close: %v %v", d.Reasons(), err)
	}
	if _, err := a.Sessions.AppendEvent(ctx, l.client, s.ID, EventInput{Type: "stop"}); holdspace.ErrorReason(err) != "invalid_transition" {
		t.Fatalf("stop after the auto-close: %v", err)
	}
}

// TestBookingInput: a booked duration is 1 to 480 minutes.
func TestBookingInput(t *testing.T) {
	a := newTestApp(t)
	l := newLive(t, a)
	ctx := context.Background()
	for _, m := range []int{0, -5, 481} {
		_, err := a.Sessions.CreateSession(ctx, l.pract, SessionInput{ClientID: l.client.UserID, Intent: "therapeutic",
			StartsAt: time.Now().UTC().Format(time.RFC3339), DurationMinutes: &m})
		if holdspace.ErrorReason(err) != "out_of_range" || holdspace.ErrorField(err) != "duration_minutes" {
			t.Errorf("%d minutes: %v", m, err)
		}
	}
	s, err := a.Sessions.CreateSession(ctx, l.pract, SessionInput{ClientID: l.client.UserID, Intent: "therapeutic", StartsAt: "2031-01-01T10:00:00Z"})
	if err != nil || s.DurationMinutes != 60 || !s.ClosesAt.Equal(time.Date(2031, 1, 1, 11, 15, 0, 0, time.UTC)) {
		t.Fatalf("default booking: %+v %v", s, err)
	}
}

// TestConfirmScreening: who may confirm a screening someone else entered,
// and how; a confirmation is written once.
func TestConfirmScreening(t *testing.T) {
	a := newTestApp(t)
	l := newLive(t, a)
	ctx := context.Background()
	ans := []byte(`{"fever":false,"dvt":false,"anticoagulants":false,"recent-surgery":false,"cancer-treatment":false,
		"hypertension-unstable":false,"stroke-recent":false,"prostatitis-symptoms":false,"prostate-cancer":false,
		"prostate-procedure-healing":false,"rectal-bleeding":false,"anal-acute":false,"anorectal-disease":false,
		"prolapse-repair":false,"seed-implants":false,"sti-active":false,"immunosuppressed":false,"latex-allergy":false,
		"trauma-history":"no"}`)
	own, err := a.Screenings.SubmitScreening(ctx, l.client, l.client.UserID, ScreeningInput{Answers: ans})
	if err != nil {
		t.Fatal(err)
	}
	if own.AwaitingConfirmation {
		t.Fatal("the client's own screening awaits confirmation")
	}
	if _, err := a.Screenings.ConfirmScreening(ctx, l.client, own.ID, ConfirmScreeningInput{}); holdspace.ErrorReason(err) != "not_needed" {
		t.Fatalf("confirming one's own: %v", err)
	}
	entered, err := a.Screenings.SubmitScreening(ctx, l.pract, l.client.UserID, ScreeningInput{Answers: ans})
	if err != nil || !entered.AwaitingConfirmation {
		t.Fatalf("entered: %+v %v", entered, err)
	}
	for _, tc := range []struct {
		in     ConfirmScreeningInput
		code   string
		reason string
	}{
		{ConfirmScreeningInput{}, holdspace.EFORBIDDEN, ""},
		{ConfirmScreeningInput{InPerson: true}, holdspace.EINVALID, "required"},
		{ConfirmScreeningInput{InPerson: true, ClientTypedName: "Someone Else"}, holdspace.EINVALID, "typed_name_mismatch"},
	} {
		_, err := a.Screenings.ConfirmScreening(ctx, l.pract, entered.ID, tc.in)
		if holdspace.ErrorCode(err) != tc.code || (tc.reason != "" && holdspace.ErrorReason(err) != tc.reason) {
			t.Errorf("%+v: %v", tc.in, err)
		}
	}
	if _, err := a.Screenings.ConfirmScreening(ctx, l.client, entered.ID, ConfirmScreeningInput{InPerson: true}); holdspace.ErrorReason(err) != "invalid_sign_method" {
		t.Errorf("a client confirming 'in person': %v", err)
	}
	v, err := a.Screenings.ConfirmScreening(ctx, l.pract, entered.ID, ConfirmScreeningInput{InPerson: true, ClientTypedName: "  casey "})
	if err != nil || v.ConfirmedAt == nil || v.AwaitingConfirmation {
		t.Fatalf("in-person confirmation: %+v %v", v, err)
	}
	if _, err := a.Screenings.ConfirmScreening(ctx, l.client, entered.ID, ConfirmScreeningInput{}); holdspace.ErrorReason(err) != "already_confirmed" {
		t.Fatalf("confirming twice: %v", err)
	}
}
