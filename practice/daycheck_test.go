package practice

import (
	"math/rand/v2"
	"testing"
	"time"

	"holdspace"

	"holdspace/catalogue"
)

func today(clear, unwell, changes bool) func(*Event) {
	return func(e *Event) { e.Today = &Today{ClearHeaded: clear, Unwell: unwell, Changes: changes} }
}

func TestDayCheckFold(t *testing.T) {
	f, err := Fold(catalogue.Therapeutic, []Event{
		ev(EventOpen, holdspace.RolePractitioner, 0),
		ev(EventDayCheck, holdspace.RoleClient, time.Minute, today(true, false, false)),
	})
	if err != nil {
		t.Fatal(err)
	}
	d := f.DayCheck
	if !d.Recorded || !d.ByClient || d.NotClearHeaded || d.Unwell || d.Changes || d.Count != 1 || d.Block() != "" ||
		!d.At.Equal(t0.Add(time.Minute)) || !d.FirstAt.Equal(d.At) {
		t.Fatalf("clear day check: %+v", d)
	}
	// A later answer narrows: changes, then unwell, then not clear-headed.
	for i, step := range []struct {
		today Today
		block string
	}{
		{Today{ClearHeaded: true, Changes: true}, ""},
		{Today{ClearHeaded: true, Unwell: true}, BlockIllness},
		{Today{ClearHeaded: false}, BlockCapacity},
	} {
		at := time.Duration(2+i) * time.Minute
		if err := f.Apply(ev(EventDayCheck, holdspace.RolePractitioner, at, func(e *Event) { tt := step.today; e.Today = &tt })); err != nil {
			t.Fatal(err)
		}
		if got := f.DayCheck.Block(); got != step.block {
			t.Fatalf("step %d: block %q, want %q", i, got, step.block)
		}
	}
	d = f.DayCheck
	if !d.Changes || !d.ChangesAt.Equal(t0.Add(2*time.Minute)) || !d.Unwell || !d.NotClearHeaded || d.Count != 4 {
		t.Fatalf("narrowed day check: %+v", d)
	}
	if !d.StaleSince(t0) || !d.StaleSince(t0.Add(2*time.Minute)) || d.StaleSince(t0.Add(3*time.Minute)) {
		t.Fatalf("StaleSince: %+v", d)
	}
	if f.EndedFor() != "" {
		t.Fatalf("a session under way has not ended: %q", f.EndedFor())
	}
	if err := f.Apply(ev(EventCancel, holdspace.RolePractitioner, 6*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if f.EndedFor() != BlockCapacity {
		t.Fatalf("ended for %q", f.EndedFor())
	}
}

// TestDayCheckNeverWidens: whatever day checks follow, by whoever, an
// answer of "not clear-headed", "unwell" or "changes" stays in force for
// the rest of the session.
func TestDayCheckNeverWidens(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	for range 500 {
		f := NewFacts(catalogue.Therapeutic)
		if err := f.Apply(ev(EventOpen, holdspace.RolePractitioner, 0)); err != nil {
			t.Fatal(err)
		}
		var seen DayCheckRecord
		for i := range 1 + r.IntN(6) {
			role := holdspace.RoleClient
			if r.IntN(2) == 0 {
				role = holdspace.RolePractitioner
			}
			tt := Today{ClearHeaded: r.IntN(4) != 0, Unwell: r.IntN(4) == 0, Changes: r.IntN(4) == 0}
			if r.IntN(3) == 0 && f.State == Open {
				if err := f.Apply(ev(EventBegin, holdspace.RolePractitioner, time.Duration(i)*time.Minute)); err != nil {
					t.Fatal(err)
				}
			}
			before := f.DayCheck
			if err := f.Apply(ev(EventDayCheck, role, time.Duration(i)*time.Minute+time.Second, func(e *Event) { e.Today = &tt })); err != nil {
				t.Fatal(err)
			}
			after := f.DayCheck
			if before.NotClearHeaded && !after.NotClearHeaded || before.Unwell && !after.Unwell || before.Changes && !after.Changes ||
				after.ChangesAt.Before(before.ChangesAt) {
				t.Fatalf("day check widened: %+v → %+v after %+v by %s", before, after, tt, role)
			}
			seen.NotClearHeaded = seen.NotClearHeaded || !tt.ClearHeaded
			seen.Unwell = seen.Unwell || tt.Unwell
			seen.Changes = seen.Changes || tt.Changes
		}
		d := f.DayCheck
		if d.NotClearHeaded != seen.NotClearHeaded || d.Unwell != seen.Unwell || d.Changes != seen.Changes {
			t.Fatalf("fold %+v, answers %+v", d, seen)
		}
	}
}

func TestDayCheckRefusedOutsideOpenAndInProgress(t *testing.T) {
	for _, st := range []State{Scheduled, Stopped, Closed, Cancelled} {
		if _, err := Apply(st, validEvent(EventDayCheck, holdspace.RoleClient)); err == nil {
			t.Errorf("day check accepted in %s", st)
		}
	}
}
