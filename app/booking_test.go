package app

import (
	"context"
	"sync"
	"testing"
	"time"

	"holdspace"
	"holdspace/booking"
	"holdspace/catalogue"
	"holdspace/consent"
	"holdspace/practice"
	"holdspace/store"
)

// bookingWorld is a practice in Berlin with two practitioners (Pat holds
// internal and intimate credentials, Robin none), two clients of Pat's
// (Casey is also Robin's), a general and an internal session type, and
// Pat available 09:00–17:00 every day.
type bookingWorld struct {
	a                    *Services
	admin, pat, robin    Actor
	casey, dana          Actor
	back, prostate       SessionTypeView
	loc                  *time.Location
	patWindows, robinWin []WindowView
}

func newBookingWorld(t *testing.T) *bookingWorld {
	t.Helper()
	ctx := context.Background()
	a := newTestApp(t)
	w := &bookingWorld{a: a, admin: System}
	s := practice.DefaultSettings()
	s.TimeZone = "Europe/Berlin"
	if _, err := a.Practice.PutPracticeSettings(ctx, System, s); err != nil {
		t.Fatal(err)
	}
	w.loc, _ = time.LoadLocation("Europe/Berlin")
	mk := func(role holdspace.Role, name, email string) string {
		id, err := a.People.CreateUser(ctx, System, NewUser{Role: role, Name: name, Email: email})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	pat, robin := mk(holdspace.RolePractitioner, "Pat", "pat@example.test"), mk(holdspace.RolePractitioner, "Robin", "robin@example.test")
	w.pat, w.robin = Actor{UserID: pat, Role: holdspace.RolePractitioner}, Actor{UserID: robin, Role: holdspace.RolePractitioner}
	now := time.Now().UTC()
	if _, err := a.People.AddCredential(ctx, System, pat, CredentialInput{Kind: "pelvic", Issuer: "Board", Number: "1",
		ValidFrom: now.AddDate(-1, 0, 0).Format(time.DateOnly), ValidUntil: now.AddDate(1, 0, 0).Format(time.DateOnly),
		Covers: []string{catalogue.CoverInternalAnorectal, catalogue.CoverIntimateExternal}}); err != nil {
		t.Fatal(err)
	}
	cl := func(name, email string, ps ...string) Actor {
		id, err := a.People.CreateClient(ctx, System, ClientInput{Name: name, Email: email, BirthDate: "1980-01-01", PractitionerIDs: ps})
		if err != nil {
			t.Fatal(err)
		}
		return Actor{UserID: id, Role: holdspace.RoleClient}
	}
	w.casey, w.dana = cl("Casey", "casey@example.test", pat, robin), cl("Dana", "dana@example.test", pat)
	var err error
	if w.back, err = a.Bookings.CreateSessionType(ctx, System, SessionTypeInput{Name: "Back massage", Intent: "therapeutic",
		DurationMinutes: 60, BufferMinutes: 15, Regions: []string{"upper-back"}}); err != nil {
		t.Fatal(err)
	}
	if w.prostate, err = a.Bookings.CreateSessionType(ctx, System, SessionTypeInput{Name: "Prostate massage", Intent: "therapeutic",
		DurationMinutes: 90, BufferMinutes: 15, Regions: []string{"prostate", "perineum"}}); err != nil {
		t.Fatal(err)
	}
	for d := range 7 {
		for _, p := range []Actor{w.pat, w.robin} {
			if _, err := a.Bookings.AddAvailability(ctx, p, p.UserID, WindowInput{Weekday: d, Start: "09:00", End: "17:00"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return w
}

// at is 10:00 local on the day n days from today.
func (w *bookingWorld) at(n, hour, minute int) time.Time {
	d := time.Now().In(w.loc)
	return time.Date(d.Year(), d.Month(), d.Day()+n, hour, minute, 0, 0, w.loc)
}

func wantReason(t *testing.T, err error, code, reason string) {
	t.Helper()
	if err == nil || holdspace.ErrorCode(err) != code || (reason != "" && holdspace.ErrorReason(err) != reason) {
		t.Fatalf("err = %v, want %s/%s", err, code, reason)
	}
}

func TestSessionTypeAuthorization(t *testing.T) {
	ctx := context.Background()
	w := newBookingWorld(t)
	in := SessionTypeInput{Name: "Hip", Intent: "therapeutic", DurationMinutes: 45, Regions: []string{"hips"}}
	for _, ac := range []Actor{w.pat, w.casey} {
		_, err := w.a.Bookings.CreateSessionType(ctx, ac, in)
		wantReason(t, err, holdspace.EFORBIDDEN, "")
		_, err = w.a.Bookings.UpdateSessionType(ctx, ac, w.back.ID, in)
		wantReason(t, err, holdspace.EFORBIDDEN, "")
	}
	bad := in
	bad.DurationMinutes = 7
	_, err := w.a.Bookings.CreateSessionType(ctx, System, bad)
	wantReason(t, err, holdspace.EINVALID, "out_of_range")
	if got := w.prostate.Requires; len(got) != 2 {
		t.Fatalf("prostate type requires %v", got)
	}
	off := false
	in.Active = &off
	if _, err := w.a.Bookings.UpdateSessionType(ctx, System, w.back.ID, in); err != nil {
		t.Fatal(err)
	}
	all, _ := w.a.Bookings.ListSessionTypes(ctx, System)
	mine, _ := w.a.Bookings.ListSessionTypes(ctx, w.casey)
	if len(all) != 2 || len(mine) != 1 || mine[0].ID != w.prostate.ID {
		t.Fatalf("admin sees %d types, client %v", len(all), mine)
	}
	_, err = w.a.Bookings.Book(ctx, w.casey, BookInput{PractitionerID: w.pat.UserID, SessionTypeID: w.back.ID,
		StartsAt: w.at(2, 10, 0).Format(time.RFC3339)})
	wantReason(t, err, holdspace.EINVALID, "inactive")
}

func TestAvailabilityAuthorization(t *testing.T) {
	ctx := context.Background()
	w := newBookingWorld(t)
	win := WindowInput{Weekday: 1, Start: "18:00", End: "20:00"}
	_, err := w.a.Bookings.AddAvailability(ctx, w.robin, w.pat.UserID, win)
	wantReason(t, err, holdspace.EFORBIDDEN, "")
	_, err = w.a.Bookings.AddAvailability(ctx, w.casey, w.pat.UserID, win)
	wantReason(t, err, holdspace.EFORBIDDEN, "")
	_, err = w.a.Bookings.AddAvailability(ctx, System, w.casey.UserID, win) // a client is no practitioner
	wantReason(t, err, holdspace.ENOTFOUND, "")
	_, err = w.a.Bookings.AddAvailability(ctx, w.pat, w.pat.UserID, WindowInput{Weekday: 1, Start: "16:00", End: "18:00"})
	wantReason(t, err, holdspace.ECONFLICT, "overlapping_window")
	_, err = w.a.Bookings.AddAvailability(ctx, w.pat, w.pat.UserID, WindowInput{Weekday: 1, Start: "9", End: "18:00"})
	wantReason(t, err, holdspace.EINVALID, "invalid_time")
	if _, err := w.a.Bookings.AddAvailability(ctx, System, w.pat.UserID, win); err != nil {
		t.Fatal(err)
	}
	av, err := w.a.Bookings.Availability(ctx, w.pat, w.pat.UserID)
	if err != nil || len(av.Windows) != 8 || av.TimeZone != "Europe/Berlin" {
		t.Fatalf("Availability = %+v, %v", av, err)
	}
	_, err = w.a.Bookings.Availability(ctx, w.robin, w.pat.UserID)
	wantReason(t, err, holdspace.EFORBIDDEN, "")
	if err := w.a.Bookings.DeleteAvailability(ctx, w.robin, w.pat.UserID, av.Windows[0].ID); holdspace.ErrorCode(err) != holdspace.EFORBIDDEN {
		t.Fatalf("another practitioner deleted a window: %v", err)
	}
	if err := w.a.Bookings.DeleteAvailability(ctx, w.pat, w.pat.UserID, av.Windows[0].ID); err != nil {
		t.Fatal(err)
	}

	// A sick day removes the day's slots.
	day := w.at(3, 0, 0).Format(time.DateOnly)
	q := SlotQuery{PractitionerID: w.pat.UserID, SessionTypeID: w.back.ID, From: day, Days: 1}
	before, err := w.a.Bookings.FreeSlots(ctx, w.pat, q)
	if err != nil || len(before) == 0 {
		t.Fatalf("FreeSlots = %v, %v", before, err)
	}
	_, err = w.a.Bookings.AddException(ctx, w.pat, w.pat.UserID, ExceptionInput{From: day, To: day, Reason: "bored"})
	wantReason(t, err, holdspace.EINVALID, "invalid_reason")
	ex, err := w.a.Bookings.AddException(ctx, w.pat, w.pat.UserID, ExceptionInput{From: day, To: day, Reason: booking.ReasonSick})
	if err != nil {
		t.Fatal(err)
	}
	after, _ := w.a.Bookings.FreeSlots(ctx, w.pat, q)
	if len(after) != 0 {
		t.Fatalf("slots on a sick day: %v", after)
	}
	_, err = w.a.Bookings.Book(ctx, w.casey, BookInput{PractitionerID: w.pat.UserID, SessionTypeID: w.back.ID, StartsAt: before[0].StartsAt.Format(time.RFC3339)})
	wantReason(t, err, holdspace.ECONFLICT, "outside_availability")
	if err := w.a.Bookings.DeleteException(ctx, w.pat, w.pat.UserID, ex.ID); err != nil {
		t.Fatal(err)
	}
	if again, _ := w.a.Bookings.FreeSlots(ctx, w.pat, q); len(again) != len(before) {
		t.Fatalf("after removing the exception %d slots, want %d", len(again), len(before))
	}
}

func TestBookFromPortal(t *testing.T) {
	ctx := context.Background()
	w := newBookingWorld(t)
	day := w.at(2, 0, 0).Format(time.DateOnly)
	q := SlotQuery{PractitionerID: w.pat.UserID, SessionTypeID: w.back.ID, From: day, Days: 1}
	slots, err := w.a.Bookings.FreeSlots(ctx, w.casey, q)
	if err != nil {
		t.Fatal(err)
	}
	// 09:00 to 16:00 every 15 minutes: 29 starts.
	if len(slots) != 29 || !slots[0].StartsAt.Equal(w.at(2, 9, 0)) {
		t.Fatalf("slots = %d, first %v", len(slots), slots)
	}
	if slots[0].Local == "" || slots[0].Local[len(slots[0].Local)-3:] != w.at(2, 9, 0).Format("MST") {
		t.Fatalf("local label %q", slots[0].Local)
	}
	b, err := w.a.Bookings.Book(ctx, w.casey, BookInput{PractitionerID: w.pat.UserID, SessionTypeID: w.back.ID, StartsAt: w.at(2, 10, 0).Format(time.RFC3339)})
	if err != nil {
		t.Fatal(err)
	}
	if b.Status != "booked" || !b.IntakeRequested || !b.IntakeDue || b.SessionTypeName != "Back massage" || b.SessionState != "scheduled" {
		t.Fatalf("booking = %+v", b)
	}
	// 10:00–11:15 is taken: starts from 09:00 would run into it, the next is 11:15.
	slots, _ = w.a.Bookings.FreeSlots(ctx, w.dana, q)
	for _, s := range slots {
		occ := booking.Interval{Start: s.StartsAt, End: s.StartsAt.Add(75 * time.Minute)}
		if occ.Overlaps(booking.Interval{Start: b.StartsAt, End: b.BlockedUntil}) {
			t.Fatalf("slot %v overlaps the booking", s.StartsAt)
		}
	}
	for _, c := range []struct {
		name         string
		ac           Actor
		in           BookInput
		code, reason string
	}{
		{"Taken", w.dana, BookInput{PractitionerID: w.pat.UserID, SessionTypeID: w.back.ID, StartsAt: w.at(2, 10, 30).Format(time.RFC3339)}, holdspace.ECONFLICT, "slot_taken"},
		{"OutsideHours", w.dana, BookInput{PractitionerID: w.pat.UserID, SessionTypeID: w.back.ID, StartsAt: w.at(2, 16, 30).Format(time.RFC3339)}, holdspace.ECONFLICT, "outside_availability"},
		{"NotMyPractitioner", w.dana, BookInput{PractitionerID: w.robin.UserID, SessionTypeID: w.back.ID, StartsAt: w.at(2, 12, 0).Format(time.RFC3339)}, holdspace.EINVALID, "not_assigned"},
		{"ForSomeoneElse", w.dana, BookInput{ClientID: w.casey.UserID, PractitionerID: w.pat.UserID, SessionTypeID: w.back.ID, StartsAt: w.at(2, 12, 0).Format(time.RFC3339)}, holdspace.ENOTFOUND, ""},
		{"Past", w.dana, BookInput{PractitionerID: w.pat.UserID, SessionTypeID: w.back.ID, StartsAt: w.at(-1, 12, 0).Format(time.RFC3339)}, holdspace.EINVALID, "in_the_past"},
		{"UnknownType", w.dana, BookInput{PractitionerID: w.pat.UserID, SessionTypeID: "nope", StartsAt: w.at(2, 12, 0).Format(time.RFC3339)}, holdspace.EINVALID, "unknown_session_type"},
		{"BadTime", w.dana, BookInput{PractitionerID: w.pat.UserID, SessionTypeID: w.back.ID, StartsAt: "noon"}, holdspace.EINVALID, "invalid_date"},
		{"PractitionerForOther", w.robin, BookInput{ClientID: w.casey.UserID, PractitionerID: w.pat.UserID, SessionTypeID: w.back.ID, StartsAt: w.at(2, 12, 0).Format(time.RFC3339)}, holdspace.EFORBIDDEN, ""},
		{"PractitionerUnassignedClient", w.robin, BookInput{ClientID: w.dana.UserID, SessionTypeID: w.back.ID, StartsAt: w.at(2, 12, 0).Format(time.RFC3339)}, holdspace.ENOTFOUND, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := w.a.Bookings.Book(ctx, c.ac, c.in)
			wantReason(t, err, c.code, c.reason)
		})
	}
	// A client sees only their own practitioners' slots.
	_, err = w.a.Bookings.FreeSlots(ctx, w.dana, SlotQuery{PractitionerID: w.robin.UserID, SessionTypeID: w.back.ID})
	wantReason(t, err, holdspace.ENOTFOUND, "")
	// Practitioners book their own clients outside published hours, never over a booking.
	if _, err := w.a.Bookings.Book(ctx, w.pat, BookInput{ClientID: w.dana.UserID, SessionTypeID: w.back.ID, StartsAt: w.at(2, 18, 0).Format(time.RFC3339)}); err != nil {
		t.Fatalf("console booking outside hours: %v", err)
	}
	_, err = w.a.Bookings.Book(ctx, System, BookInput{ClientID: w.dana.UserID, PractitionerID: w.pat.UserID, SessionTypeID: w.back.ID, StartsAt: w.at(2, 9, 30).Format(time.RFC3339)})
	wantReason(t, err, holdspace.ECONFLICT, "slot_taken")

	mine, err := w.a.Bookings.MyBookings(ctx, w.casey, time.Time{})
	if err != nil || len(mine) != 1 || mine[0].PractitionerName != "Pat" {
		t.Fatalf("MyBookings = %+v, %v", mine, err)
	}
	// The booking is a session both see.
	if _, err := w.a.Sessions.GetSession(ctx, w.casey, b.SessionID); err != nil {
		t.Fatal(err)
	}
	// The practitioner sees the intake request.
	reqs, err := w.a.Bookings.IntakeRequests(ctx, w.pat, time.Now(), time.Now().AddDate(0, 0, 7))
	if err != nil || len(reqs) != 2 || reqs[0].ClientName != "Casey" {
		t.Fatalf("IntakeRequests = %+v, %v", reqs, err)
	}
	// The client's export holds the booking.
	x, err := w.a.Records.ExportClient(ctx, w.casey, w.casey.UserID)
	if err != nil || len(x.Bookings) != 1 || x.Bookings[0].SessionTypeName != "Back massage" {
		t.Fatalf("export bookings = %+v, %v", x.Bookings, err)
	}
	// The session type is sealed in the store.
	err = w.a.DB().View(ctx, func(tx store.Tx) error {
		raw, err := tx.Booking(ctx, b.SessionID)
		if err != nil {
			return err
		}
		if raw.SessionType == w.back.ID || raw.SessionType[:7] != "sealed:" {
			t.Fatalf("session type stored as %q", raw.SessionType)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	entries, err := w.a.Audit.ListAudit(ctx, System, store.AuditFilter{ClientID: w.casey.UserID})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range entries {
		found = found || e.Action == "booking.create" && e.Target == b.SessionID
	}
	if !found {
		t.Fatal("booking not audited")
	}
}

func TestBookNeedsQualifiedPractitioner(t *testing.T) {
	ctx := context.Background()
	w := newBookingWorld(t)
	start := w.at(3, 10, 0).Format(time.RFC3339)
	_, err := w.a.Bookings.Book(ctx, w.casey, BookInput{PractitionerID: w.robin.UserID, SessionTypeID: w.prostate.ID, StartsAt: start})
	wantReason(t, err, holdspace.ECONFLICT, "not_qualified")
	_, err = w.a.Bookings.Book(ctx, System, BookInput{ClientID: w.casey.UserID, PractitionerID: w.robin.UserID, SessionTypeID: w.prostate.ID, StartsAt: start})
	wantReason(t, err, holdspace.ECONFLICT, "not_qualified")
	if _, err := w.a.Bookings.Book(ctx, w.casey, BookInput{PractitionerID: w.robin.UserID, SessionTypeID: w.back.ID, StartsAt: start}); err != nil {
		t.Fatalf("general work with an unqualified practitioner: %v", err)
	}
	if _, err := w.a.Bookings.Book(ctx, w.casey, BookInput{PractitionerID: w.pat.UserID, SessionTypeID: w.prostate.ID, StartsAt: start}); err != nil {
		t.Fatalf("qualified practitioner refused: %v", err)
	}
	// Beyond the credential's end the same booking is refused.
	late := time.Now().AddDate(1, 0, 3).Format(time.RFC3339)
	_, err = w.a.Bookings.Book(ctx, w.pat, BookInput{ClientID: w.dana.UserID, SessionTypeID: w.prostate.ID, StartsAt: late})
	wantReason(t, err, holdspace.ECONFLICT, "not_qualified")
}

func TestBookRace(t *testing.T) {
	ctx := context.Background()
	w := newBookingWorld(t)
	start := w.at(4, 11, 0).Format(time.RFC3339)
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ac := []Actor{w.casey, w.dana}[i%2]
			_, errs[i] = w.a.Bookings.Book(ctx, ac, BookInput{PractitionerID: w.pat.UserID, SessionTypeID: w.back.ID, StartsAt: start})
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
		} else if holdspace.ErrorReason(err) != "slot_taken" {
			t.Fatalf("unexpected %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d won", won)
	}
}

func TestCancelRescheduleNoShow(t *testing.T) {
	ctx := context.Background()
	w := newBookingWorld(t)
	b, err := w.a.Bookings.Book(ctx, w.casey, BookInput{PractitionerID: w.pat.UserID, SessionTypeID: w.back.ID, StartsAt: w.at(5, 10, 0).Format(time.RFC3339)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.a.Bookings.Reschedule(ctx, w.casey, b.SessionID, RescheduleInput{StartsAt: w.at(5, 12, 0).Format(time.RFC3339)})
	wantReason(t, err, holdspace.EFORBIDDEN, "")
	_, err = w.a.Bookings.Reschedule(ctx, w.robin, b.SessionID, RescheduleInput{StartsAt: w.at(5, 12, 0).Format(time.RFC3339)})
	wantReason(t, err, holdspace.ENOTFOUND, "")
	other, err := w.a.Bookings.Book(ctx, w.dana, BookInput{PractitionerID: w.pat.UserID, SessionTypeID: w.back.ID, StartsAt: w.at(5, 14, 0).Format(time.RFC3339)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.a.Bookings.Reschedule(ctx, w.pat, b.SessionID, RescheduleInput{StartsAt: w.at(5, 13, 30).Format(time.RFC3339)})
	wantReason(t, err, holdspace.ECONFLICT, "slot_taken")
	moved, err := w.a.Bookings.Reschedule(ctx, w.pat, b.SessionID, RescheduleInput{StartsAt: w.at(5, 10, 30).Format(time.RFC3339)})
	if err != nil || !moved.StartsAt.Equal(w.at(5, 10, 30)) {
		t.Fatalf("Reschedule = %+v, %v", moved, err)
	}
	ses, _ := w.a.Sessions.GetSession(ctx, w.pat, b.SessionID)
	if !ses.StartsAt.Equal(w.at(5, 10, 30)) {
		t.Fatalf("session did not move: %v", ses.StartsAt)
	}
	// Cancelling days ahead is not late; the time is free again.
	c, err := w.a.Bookings.CancelBooking(ctx, w.casey, b.SessionID)
	if err != nil || c.Status != "cancelled" || c.Late || c.ChangedBy != w.casey.UserID || c.ChangedRole != "client" || c.SessionState != "cancelled" {
		t.Fatalf("Cancel = %+v, %v", c, err)
	}
	_, err = w.a.Bookings.CancelBooking(ctx, w.casey, b.SessionID)
	wantReason(t, err, holdspace.ECONFLICT, "not_active")
	_, err = w.a.Bookings.CancelBooking(ctx, w.casey, other.SessionID)
	wantReason(t, err, holdspace.ENOTFOUND, "")
	if _, err := w.a.Bookings.Book(ctx, w.dana, BookInput{PractitionerID: w.pat.UserID, SessionTypeID: w.back.ID, StartsAt: w.at(5, 10, 30).Format(time.RFC3339)}); err != nil {
		t.Fatalf("freed slot: %v", err)
	}
	// An admin cancels within the window: late.
	soon, err := w.a.Bookings.Book(ctx, w.pat, BookInput{ClientID: w.casey.UserID, SessionTypeID: w.back.ID, StartsAt: time.Now().Add(3 * time.Hour).Truncate(time.Minute).Format(time.RFC3339)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.a.Bookings.MarkNoShow(ctx, w.pat, soon.SessionID)
	wantReason(t, err, holdspace.ECONFLICT, "too_early")
	_, err = w.a.Bookings.MarkNoShow(ctx, w.casey, soon.SessionID)
	wantReason(t, err, holdspace.EFORBIDDEN, "")
	lc, err := w.a.Bookings.CancelBooking(ctx, System, soon.SessionID)
	if err != nil || !lc.Late || lc.ChangedRole != "admin" || lc.SessionState != "cancelled" {
		t.Fatalf("late cancel = %+v, %v", lc, err)
	}
	// The admin's cancel event folds like any other: a decision on the
	// cancelled session is a clean deny, not an error.
	d, err := w.a.Decisions.Decide(ctx, w.pat, DecideInput{SessionID: soon.SessionID, Region: "upper-back", Technique: "touch"})
	if err != nil || d.Outcome == consent.Permit {
		t.Fatalf("decision on a session an admin cancelled = %+v, %v; want a deny", d, err)
	}
	if _, err := w.a.Decisions.SessionBoard(ctx, w.pat, soon.SessionID); err != nil {
		t.Fatalf("board of a session an admin cancelled: %v", err)
	}

	// A no-show: a booking whose start has passed (written as it would
	// have been booked, since bookings are only made for times to come).
	past := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	sid := newID("ses")
	err = w.a.core.update(ctx, func(tx store.Tx) error {
		if err := tx.CreateSession(ctx, &store.Session{ID: sid, ClientID: w.dana.UserID, PractitionerID: w.pat.UserID, Intent: "therapeutic",
			StartsAt: past, Duration: time.Hour, State: "scheduled", CreatedAt: past.Add(-48 * time.Hour)}); err != nil {
			return err
		}
		sealed, err := w.a.core.sealText(ctx, tx, w.dana.UserID, sid, "session_type", w.back.ID)
		if err != nil {
			return err
		}
		return tx.CreateBooking(ctx, &store.Booking{SessionID: sid, ClientID: w.dana.UserID, PractitionerID: w.pat.UserID,
			SessionType: sealed, StartsAt: past, EndsAt: past.Add(time.Hour), BlockedUntil: past.Add(75 * time.Minute),
			Status: "booked", BookedAt: past.Add(-48 * time.Hour), BookedBy: w.dana.UserID})
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.a.Bookings.CancelBooking(ctx, w.dana, sid)
	wantReason(t, err, holdspace.ECONFLICT, "started")
	ns, err := w.a.Bookings.MarkNoShow(ctx, w.pat, sid)
	if err != nil || ns.Status != "no-show" || ns.ChangedBy != w.pat.UserID || ns.ChangedAt == nil {
		t.Fatalf("MarkNoShow = %+v, %v", ns, err)
	}
	entries, _ := w.a.Audit.ListAudit(ctx, System, store.AuditFilter{})
	actions := map[string]int{}
	for _, e := range entries {
		actions[e.Action]++
	}
	for _, want := range []string{"booking.create", "booking.reschedule", "booking.cancel", "booking.no_show", "session_type.create", "availability.add"} {
		if actions[want] == 0 {
			t.Errorf("no %s audit entry", want)
		}
	}
	if actions["booking.cancel"] != 2 {
		t.Errorf("%d cancellations audited", actions["booking.cancel"])
	}

	// The week view shows the bookings with the clients' names.
	wk, err := w.a.Bookings.Week(ctx, w.pat, w.pat.UserID, w.at(5, 0, 0).Format(time.DateOnly))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range wk.Days {
		for _, bv := range d.Bookings {
			n++
			if bv.ClientName == "" {
				t.Fatalf("booking without a client name: %+v", bv)
			}
		}
		if len(d.Available) != 1 {
			t.Fatalf("%s: availability %v", d.Date, d.Available)
		}
	}
	if n < 2 || len(wk.Days) != 7 || wk.TimeZone != "Europe/Berlin" {
		t.Fatalf("week = %+v", wk)
	}
	_, err = w.a.Bookings.Week(ctx, w.robin, w.pat.UserID, "")
	wantReason(t, err, holdspace.EFORBIDDEN, "")
	_, err = w.a.Bookings.Week(ctx, w.casey, w.pat.UserID, "")
	wantReason(t, err, holdspace.EFORBIDDEN, "")
}
