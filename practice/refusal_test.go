package practice

import (
	"testing"
	"time"

	"holdspace"
	"holdspace/catalogue"
)

// reason is the error's reason, "" for nil.
func reason(err error) string {
	if err == nil {
		return ""
	}
	return holdspace.ErrorReason(err)
}

func rev(t EventType, r holdspace.Role, at time.Time) Event {
	e := validEvent(t, r)
	e.At = at
	return e
}

// TestRefusalHolds replays refusals before the start: each sequence ends
// in the error (or nil) the last event gets, and a refused event leaves the
// facts unchanged.
func TestRefusalHolds(t *testing.T) {
	P, C := holdspace.RolePractitioner, holdspace.RoleClient
	tests := []struct {
		name   string
		events []Event
		reason string // of the last event; "" = accepted
	}{
		{"begin without a refusal", []Event{rev(EventOpen, P, t0), rev(EventBegin, P, t0)}, ""},
		{"client stop while open, then begin", []Event{rev(EventOpen, P, t0), rev(EventReconfirm, C, t0), rev(EventStop, C, t0), rev(EventBegin, P, t0)}, "reconfirm_required"},
		{"client stop while scheduled, open, begin", []Event{rev(EventStop, C, t0), rev(EventOpen, P, t0), rev(EventBegin, P, t0)}, "reconfirm_required"},
		{"client stop, practitioner re-confirms", []Event{rev(EventOpen, P, t0), rev(EventStop, C, t0), rev(EventReconfirm, P, t0)}, "client_reconfirm_required"},
		{"client stop, client re-confirms, begin", []Event{rev(EventOpen, P, t0), rev(EventStop, C, t0), rev(EventReconfirm, C, t0), rev(EventBegin, P, t0)}, ""},
		{"practitioner stop, practitioner re-confirms, begin", []Event{rev(EventOpen, P, t0), rev(EventStop, P, t0), rev(EventReconfirm, P, t0), rev(EventBegin, P, t0)}, ""},
		{"client then practitioner stop: still the client's", []Event{rev(EventOpen, P, t0), rev(EventStop, C, t0), rev(EventStop, P, t0), rev(EventReconfirm, P, t0)}, "client_reconfirm_required"},
		{"stop in progress, resume by client", []Event{rev(EventOpen, P, t0), rev(EventBegin, P, t0), rev(EventStop, P, t0), rev(EventResume, C, t0)}, ""},
		{"auto-close while stopped", []Event{rev(EventOpen, P, t0), rev(EventBegin, P, t0), rev(EventStop, C, t0), rev(EventAutoClose, holdspace.RoleSystem, t0)}, ""},
		{"nothing after auto-close", []Event{rev(EventOpen, P, t0), rev(EventAutoClose, holdspace.RoleSystem, t0), rev(EventBegin, P, t0)}, "invalid_transition"},
		{"practitioner cannot auto-close", []Event{rev(EventOpen, P, t0), rev(EventAutoClose, P, t0)}, "not_allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := NewFacts(catalogue.Therapeutic)
			for i, e := range tt.events {
				before := f
				err := f.Apply(e)
				if i < len(tt.events)-1 {
					if err != nil {
						t.Fatalf("event %d (%s): %v", i, e.Type, err)
					}
					continue
				}
				if got := reason(err); got != tt.reason {
					t.Fatalf("last event %s: got %v, want reason %q", e.Type, err, tt.reason)
				}
				if err != nil && f != before {
					t.Fatalf("a refused event changed the facts")
				}
			}
		})
	}
}

func TestRefusalFacts(t *testing.T) {
	f, err := Fold(catalogue.Therapeutic, []Event{rev(EventOpen, holdspace.RolePractitioner, t0), rev(EventReconfirm, holdspace.RoleClient, t0.Add(time.Minute)),
		rev(EventStop, holdspace.RoleClient, t0.Add(2*time.Minute))})
	if err != nil {
		t.Fatal(err)
	}
	if f.State != Open || !f.Refused || !f.RefusedByClient || f.Reconfirmed || f.Stops != 1 || !f.RefusedAt.Equal(t0.Add(2*time.Minute)) || f.Stopped {
		t.Fatalf("facts after a stop while open: %+v", f)
	}
	if !f.OpenedAt.Equal(t0) {
		t.Fatalf("opened at %v", f.OpenedAt)
	}
	f, err = Fold(catalogue.Therapeutic, []Event{rev(EventOpen, holdspace.RolePractitioner, t0), rev(EventAutoClose, holdspace.RoleSystem, t0)})
	if err != nil || f.State != Closed || !f.AutoClosed {
		t.Fatalf("auto-close: %+v %v", f, err)
	}
}

func TestBooking(t *testing.T) {
	b := Booking{StartsAt: t0, Duration: 90 * time.Minute}
	if got := b.CloseBy(30 * time.Minute); !got.Equal(t0.Add(2 * time.Hour)) {
		t.Fatalf("close by %v", got)
	}
	if got := (Booking{StartsAt: t0}).CloseBy(-time.Minute); !got.Equal(t0.Add(DefaultDuration)) {
		t.Fatalf("default duration, negative grace: %v", got)
	}
	win, grace := time.Hour, 15*time.Minute
	tests := []struct {
		at     time.Time
		reason string
	}{
		{t0.Add(-61 * time.Minute), "too_early"},
		{t0.Add(-time.Hour), ""},
		{t0, ""},
		{t0.Add(time.Hour), ""},
		{t0.Add(time.Hour + time.Second), "too_late"},
		{t0.AddDate(5, 0, 0), "too_late"},
		{t0.AddDate(-5, 0, 0), "too_early"},
	}
	for _, tt := range tests {
		err := b.MayOpen(tt.at, win, grace)
		if reason(err) != tt.reason || (err != nil && holdspace.ErrorField(err) != "starts_at") {
			t.Errorf("open at %v: %v, want %q", tt.at.Sub(t0), err, tt.reason)
		}
	}
	// A short booking with a wide window still cannot open once it would
	// close by itself.
	short := Booking{StartsAt: t0, Duration: 10 * time.Minute}
	if err := short.MayOpen(t0.Add(20*time.Minute), time.Hour, 5*time.Minute); holdspace.ErrorReason(err) != "too_late" {
		t.Errorf("open after close-by: %v", err)
	}
	for _, st := range States() {
		want := st == Open || st == InProgress || st == Stopped
		if b.Overdue(st, grace, b.CloseBy(grace)) != want || b.Overdue(st, grace, b.CloseBy(grace).Add(-time.Microsecond)) {
			t.Errorf("Overdue(%s) wrong at the edge", st)
		}
	}
}
