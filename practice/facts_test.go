package practice

import (
	"testing"
	"time"

	"holdspace"
	"holdspace/catalogue"
)

func ev(t EventType, r holdspace.Role, at time.Duration, mutate ...func(*Event)) Event {
	e := validEvent(t, r)
	e.At = t0.Add(at)
	for _, m := range mutate {
		m(&e)
	}
	return e
}

func checkin(region, answer string) func(*Event) {
	return func(e *Event) { e.Region, e.Answer = region, answer }
}

func TestFactsFold(t *testing.T) {
	f, err := Fold(catalogue.Sensual, []Event{
		ev(EventOpen, holdspace.RolePractitioner, 0),
		ev(EventReconfirm, holdspace.RoleClient, time.Minute, func(e *Event) { e.AgreementID, e.AgreementVersion = "a2", 2 }),
		ev(EventChaperone, holdspace.RolePractitioner, 2*time.Minute, func(e *Event) { e.Chaperone = &Chaperone{Offered: true} }),
		ev(EventBegin, holdspace.RolePractitioner, 3*time.Minute),
		ev(EventCheckin, holdspace.RoleClient, 4*time.Minute, checkin("glutes", "yes")),
		ev(EventCheckin, holdspace.RoleClient, 5*time.Minute, checkin("perineum", "no")),
		ev(EventCheckin, holdspace.RoleClient, 6*time.Minute, checkin("perineum", "yes")),
	})
	if err != nil {
		t.Fatal(err)
	}
	if f.State != InProgress || f.Intent != catalogue.Sensual || f.Events != 7 {
		t.Fatalf("state %s intent %s events %d", f.State, f.Intent, f.Events)
	}
	if !f.Reconfirmed || f.AgreementID != "a2" || f.AgreementVersion != 2 || !f.ReconfirmedAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("reconfirmation not folded: %+v", f)
	}
	if !f.Chaperone.Offered || f.Chaperone.Accepted || !f.BegunAt.Equal(t0.Add(3*time.Minute)) {
		t.Fatalf("chaperone/begin not folded: %+v", f)
	}
	if g := f.CheckIn("glutes"); !g.LastYes.Equal(t0.Add(4*time.Minute)) || g.Declined {
		t.Fatalf("glutes %+v", g)
	}
	if p := f.CheckIn("perineum"); !p.Declined || !p.DeclinedAt.Equal(t0.Add(5*time.Minute)) {
		t.Fatalf("a later yes must not undo a no: %+v", p)
	}
	if len(f.CheckIns()) != 2 || f.CheckIn("nowhere") != (CheckIn{}) || f.CheckInAt(99) != (CheckIn{}) {
		t.Fatalf("check-in lookup: %v", f.CheckIns())
	}

	// Incremental: stop clears earlier yes answers, keeps the no; resume.
	if err := f.Apply(ev(EventStop, holdspace.RoleClient, 7*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if !f.Stopped || f.State != Stopped || f.Stops != 1 || !f.CheckIn("glutes").LastYes.IsZero() || !f.CheckIn("perineum").Declined {
		t.Fatalf("after stop: %+v %+v", f, f.CheckIn("glutes"))
	}
	// A later chaperone record that says "not offered" does not unmake the offer.
	if err := f.Apply(ev(EventResume, holdspace.RoleClient, 8*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := f.Apply(ev(EventChaperone, holdspace.RolePractitioner, 9*time.Minute, func(e *Event) { e.Chaperone = &Chaperone{} })); err != nil {
		t.Fatal(err)
	}
	if f.Stopped || f.State != InProgress || !f.Chaperone.Offered {
		t.Fatalf("after resume: %+v", f)
	}
}

func TestFactsRefusedEventChangesNothing(t *testing.T) {
	f := NewFacts(catalogue.Therapeutic)
	if err := f.Apply(ev(EventOpen, holdspace.RolePractitioner, 0)); err != nil {
		t.Fatal(err)
	}
	before := f
	err := f.Apply(ev(EventCheckin, holdspace.RoleClient, time.Minute, checkin("neck", "no")))
	if holdspace.ErrorCode(err) != holdspace.ECONFLICT || f != before {
		t.Fatalf("checkin before begin: %v, %+v", err, f)
	}
	err = f.Apply(ev(EventBegin, holdspace.RoleClient, time.Minute))
	if holdspace.ErrorCode(err) != holdspace.EFORBIDDEN || f != before {
		t.Fatalf("client begin: %v", err)
	}
	var zero Facts
	if err := zero.Apply(ev(EventOpen, holdspace.RolePractitioner, 0)); err != nil || zero.State != Open {
		t.Fatalf("zero Facts should start scheduled: %v %s", err, zero.State)
	}
	if _, err := Fold(catalogue.Therapeutic, []Event{ev(EventBegin, holdspace.RolePractitioner, 0)}); holdspace.ErrorCode(err) != holdspace.ECONFLICT {
		t.Fatalf("Fold should stop at the refused event: %v", err)
	}
}
