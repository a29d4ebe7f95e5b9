package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"holdspace"
	"holdspace/store"
)

// bookingAt is a booking of session id for client c1 with practitioner p1
// starting at start, lasting d, blocking b more.
func bookingAt(id string, start time.Time, d, b time.Duration) *store.Booking {
	return &store.Booking{SessionID: id, ClientID: "c1", PractitionerID: "p1", SessionType: "sealed-type", StartsAt: start,
		EndsAt: start.Add(d), BlockedUntil: start.Add(d + b), Status: "booked", BookedAt: t0, BookedBy: "c1"}
}

// book creates a scheduled session and its booking in one transaction.
func book(ctx context.Context, tx store.Tx, b *store.Booking) error {
	if err := tx.CreateSession(ctx, &store.Session{ID: b.SessionID, ClientID: b.ClientID, PractitionerID: b.PractitionerID,
		Intent: "therapeutic", StartsAt: b.StartsAt, Duration: b.EndsAt.Sub(b.StartsAt), State: "scheduled", CreatedAt: t0,
		CreatedBy: b.BookedBy}); err != nil {
		return err
	}
	return tx.CreateBooking(ctx, b)
}

func (s suite) bookingCases() []tcase {
	ctx := context.Background()
	seed := func(t *testing.T, db store.DB) {
		update(t, db, func(tx store.Tx) error {
			seedPractitioner(t, tx, "p1", t0)
			seedPractitioner(t, tx, "p2", t0)
			seedClient(t, tx, "c1", t0, "p1", "p2")
			seedClient(t, tx, "c2", t0, "p1")
			return nil
		})
	}
	day := t0.Add(7 * 24 * time.Hour).Truncate(time.Hour)
	return []tcase{
		{"SessionTypes", func(t *testing.T, db store.DB) {
			a := &store.SessionType{ID: "st-a", Name: "Prostate massage", Intent: "therapeutic", Duration: 90 * time.Minute,
				Buffer: 15 * time.Minute, Regions: []string{"prostate", "perineum"}, Active: true, CreatedAt: t0, UpdatedAt: t0}
			b := &store.SessionType{ID: "st-b", Name: "Back massage", Intent: "therapeutic", Duration: time.Hour,
				Regions: []string{}, Active: false, CreatedAt: t0, UpdatedAt: t0}
			update(t, db, func(tx store.Tx) error {
				if err := tx.CreateSessionType(ctx, a); err != nil {
					return err
				}
				return tx.CreateSessionType(ctx, b)
			})
			wantErr(t, db.Update(ctx, func(tx store.Tx) error { return tx.CreateSessionType(ctx, a) }), holdspace.ECONFLICT, "")
			view(t, db, func(tx store.Tx) error {
				got, err := tx.SessionType(ctx, "st-a")
				if err != nil {
					return err
				}
				same(t, "SessionType", got, a)
				all, err := tx.ListSessionTypes(ctx, false)
				if err != nil {
					return err
				}
				if len(all) != 2 || all[0].ID != "st-b" || all[1].ID != "st-a" {
					t.Fatalf("ListSessionTypes = %+v, want by name", all)
				}
				active, err := tx.ListSessionTypes(ctx, true)
				if err != nil {
					return err
				}
				if len(active) != 1 || active[0].ID != "st-a" {
					t.Fatalf("active types = %+v", active)
				}
				_, err = tx.SessionType(ctx, "nope")
				wantErr(t, err, holdspace.ENOTFOUND, "")
				return nil
			})
			a2 := *a
			a2.Name, a2.Buffer, a2.Active, a2.UpdatedAt = "Prostate massage, long", 30*time.Minute, false, t0.Add(time.Hour)
			update(t, db, func(tx store.Tx) error { return tx.UpdateSessionType(ctx, &a2) })
			view(t, db, func(tx store.Tx) error {
				got, err := tx.SessionType(ctx, "st-a")
				same(t, "updated SessionType", got, &a2)
				return err
			})
			missing := a2
			missing.ID = "nope"
			wantErr(t, db.Update(ctx, func(tx store.Tx) error { return tx.UpdateSessionType(ctx, &missing) }), holdspace.ENOTFOUND, "")
		}},
		{"Availability", func(t *testing.T, db store.DB) {
			seed(t, db)
			w1 := &store.AvailabilityWindow{ID: "w1", PractitionerID: "p1", Weekday: 3, Start: 540, End: 720, CreatedAt: t0}
			w2 := &store.AvailabilityWindow{ID: "w2", PractitionerID: "p1", Weekday: 1, Start: 780, End: 1020, CreatedAt: t0}
			w3 := &store.AvailabilityWindow{ID: "w3", PractitionerID: "p2", Weekday: 1, Start: 0, End: 1440, CreatedAt: t0}
			update(t, db, func(tx store.Tx) error {
				for _, w := range []*store.AvailabilityWindow{w1, w2, w3} {
					if err := tx.CreateAvailability(ctx, w); err != nil {
						return err
					}
				}
				return nil
			})
			wantErr(t, db.Update(ctx, func(tx store.Tx) error {
				return tx.CreateAvailability(ctx, &store.AvailabilityWindow{ID: "w4", PractitionerID: "ghost", Weekday: 1, Start: 0, End: 60, CreatedAt: t0})
			}), holdspace.ENOTFOUND, "")
			view(t, db, func(tx store.Tx) error {
				got, err := tx.ListAvailability(ctx, "p1")
				same(t, "ListAvailability", got, []*store.AvailabilityWindow{w2, w1})
				return err
			})
			// Deleting is scoped to the practitioner.
			wantErr(t, db.Update(ctx, func(tx store.Tx) error { return tx.DeleteAvailability(ctx, "p2", "w1") }), holdspace.ENOTFOUND, "")
			update(t, db, func(tx store.Tx) error { return tx.DeleteAvailability(ctx, "p1", "w1") })
			view(t, db, func(tx store.Tx) error {
				got, err := tx.ListAvailability(ctx, "p1")
				same(t, "after delete", got, []*store.AvailabilityWindow{w2})
				return err
			})
		}},
		{"Exceptions", func(t *testing.T, db store.DB) {
			seed(t, db)
			e1 := &store.AvailabilityException{ID: "e1", PractitionerID: "p1", From: day, To: day.Add(24 * time.Hour), Reason: "sick", CreatedAt: t0, CreatedBy: "p1"}
			e2 := &store.AvailabilityException{ID: "e2", PractitionerID: "p1", From: day.Add(72 * time.Hour), To: day.Add(96 * time.Hour), Reason: "holiday", CreatedAt: t0, CreatedBy: "a1"}
			update(t, db, func(tx store.Tx) error {
				if err := tx.CreateException(ctx, e2); err != nil {
					return err
				}
				return tx.CreateException(ctx, e1)
			})
			view(t, db, func(tx store.Tx) error {
				all, err := tx.ListExceptions(ctx, "p1", time.Time{}, time.Time{})
				if err != nil {
					return err
				}
				same(t, "ListExceptions", all, []*store.AvailabilityException{e1, e2})
				// [day+24h, day+72h) touches both but overlaps neither.
				none, err := tx.ListExceptions(ctx, "p1", day.Add(24*time.Hour), day.Add(72*time.Hour))
				if err != nil {
					return err
				}
				if len(none) != 0 {
					t.Fatalf("touching exceptions listed: %+v", none)
				}
				some, err := tx.ListExceptions(ctx, "p1", day.Add(23*time.Hour), day.Add(73*time.Hour))
				same(t, "overlapping", some, []*store.AvailabilityException{e1, e2})
				return err
			})
			wantErr(t, db.Update(ctx, func(tx store.Tx) error { return tx.DeleteException(ctx, "p2", "e1") }), holdspace.ENOTFOUND, "")
			update(t, db, func(tx store.Tx) error { return tx.DeleteException(ctx, "p1", "e1") })
		}},
		{"Bookings", func(t *testing.T, db store.DB) {
			seed(t, db)
			b1 := bookingAt("b1", day.Add(10*time.Hour), 90*time.Minute, 15*time.Minute) // 10:00–11:45
			b1.IntakeRequested = true
			update(t, db, func(tx store.Tx) error { return book(ctx, tx, b1) })
			view(t, db, func(tx store.Tx) error {
				got, err := tx.Booking(ctx, "b1")
				same(t, "Booking", got, b1)
				return err
			})
			for _, c := range []struct {
				name  string
				start time.Time
				d, b  time.Duration
				pract string
				want  string
			}{
				{"Same", day.Add(10 * time.Hour), time.Hour, 0, "p1", "slot_taken"},
				{"IntoBuffer", day.Add(11*time.Hour + 30*time.Minute), time.Hour, 0, "p1", "slot_taken"},
				{"OwnBufferIntoIt", day.Add(9 * time.Hour), 50 * time.Minute, 15 * time.Minute, "p1", "slot_taken"},
				{"Around", day.Add(9 * time.Hour), 4 * time.Hour, 0, "p1", "slot_taken"},
				{"AfterBuffer", day.Add(11*time.Hour + 45*time.Minute), time.Hour, 0, "p1", ""},
				{"BeforeTouching", day.Add(8*time.Hour + 45*time.Minute), time.Hour, 15 * time.Minute, "p1", ""},
				{"OtherPractitioner", day.Add(10 * time.Hour), time.Hour, 0, "p2", ""},
			} {
				b := bookingAt("x-"+c.name, c.start, c.d, c.b)
				b.PractitionerID = c.pract
				err := db.Update(ctx, func(tx store.Tx) error { return book(ctx, tx, b) })
				if c.want == "" {
					if err != nil {
						t.Fatalf("%s: %v", c.name, err)
					}
					continue
				}
				wantErr(t, err, holdspace.ECONFLICT, c.want)
				if holdspace.ErrorField(err) != "starts_at" {
					t.Fatalf("%s: field %q", c.name, holdspace.ErrorField(err))
				}
				// Nothing half-written: the session went with the booking.
				view(t, db, func(tx store.Tx) error {
					_, err := tx.Session(ctx, b.SessionID)
					wantErr(t, err, holdspace.ENOTFOUND, "")
					return nil
				})
			}
			view(t, db, func(tx store.Tx) error {
				got, err := tx.ListBookings(ctx, store.BookingFilter{PractitionerID: "p1"})
				if err != nil {
					return err
				}
				if len(got) != 3 || got[0].SessionID != "x-BeforeTouching" || got[1].SessionID != "b1" || got[2].SessionID != "x-AfterBuffer" {
					t.Fatalf("ListBookings = %+v", got)
				}
				one, err := tx.ListBookings(ctx, store.BookingFilter{ClientID: "c1", From: day.Add(10 * time.Hour), To: day.Add(11 * time.Hour)})
				if err != nil {
					return err
				}
				if len(one) != 2 || one[0].SessionID != "b1" || one[1].SessionID != "x-OtherPractitioner" {
					t.Fatalf("filtered = %+v", one)
				}
				return nil
			})
			wantErr(t, db.Update(ctx, func(tx store.Tx) error {
				return tx.CreateBooking(ctx, bookingAt("ghost", day.Add(20*time.Hour), time.Hour, 0))
			}), holdspace.ENOTFOUND, "")
			wantErr(t, db.Update(ctx, func(tx store.Tx) error {
				return tx.CreateBooking(ctx, bookingAt("b1", day.Add(20*time.Hour), 0, 0))
			}), holdspace.EINVALID, "")
		}},
		{"CancelFreesSlot", func(t *testing.T, db store.DB) {
			seed(t, db)
			b1 := bookingAt("b1", day.Add(10*time.Hour), time.Hour, 0)
			update(t, db, func(tx store.Tx) error { return book(ctx, tx, b1) })
			end := *b1
			end.Status, end.ChangedAt, end.ChangedBy, end.ChangedRole, end.Late = "cancelled", t0.Add(time.Hour), "c1", "client", true
			update(t, db, func(tx store.Tx) error { return tx.EndBooking(ctx, &end) })
			view(t, db, func(tx store.Tx) error {
				got, err := tx.Booking(ctx, "b1")
				same(t, "cancelled", got, &end)
				active, err2 := tx.ListBookings(ctx, store.BookingFilter{Active: true})
				if len(active) != 0 {
					t.Fatalf("active after cancel: %+v", active)
				}
				if err2 != nil {
					return err2
				}
				return err
			})
			wantErr(t, db.Update(ctx, func(tx store.Tx) error { return tx.EndBooking(ctx, &end) }), holdspace.ECONFLICT, "not_active")
			wantErr(t, db.Update(ctx, func(tx store.Tx) error { return tx.RescheduleBooking(ctx, &end) }), holdspace.ECONFLICT, "not_active")
			bad := end
			bad.SessionID, bad.Status = "b1", "gone"
			wantErr(t, db.Update(ctx, func(tx store.Tx) error { return tx.EndBooking(ctx, &bad) }), holdspace.EINVALID, "")
			update(t, db, func(tx store.Tx) error { return book(ctx, tx, bookingAt("b2", day.Add(10*time.Hour), time.Hour, 0)) })
			noShow := *bookingAt("b2", day.Add(10*time.Hour), time.Hour, 0)
			noShow.Status, noShow.ChangedAt, noShow.ChangedBy, noShow.ChangedRole = "no-show", day.Add(10*time.Hour+20*time.Minute), "p1", "practitioner"
			update(t, db, func(tx store.Tx) error { return tx.EndBooking(ctx, &noShow) })
			view(t, db, func(tx store.Tx) error {
				got, err := tx.Booking(ctx, "b2")
				same(t, "no-show", got, &noShow)
				return err
			})
			wantErr(t, db.Update(ctx, func(tx store.Tx) error {
				g := noShow
				g.SessionID = "ghost"
				return tx.EndBooking(ctx, &g)
			}), holdspace.ENOTFOUND, "")
		}},
		{"CancelledSessionFreesSlot", func(t *testing.T, db store.DB) {
			seed(t, db)
			update(t, db, func(tx store.Tx) error { return book(ctx, tx, bookingAt("b1", day.Add(10*time.Hour), time.Hour, 0)) })
			update(t, db, func(tx store.Tx) error {
				return tx.AppendEvent(ctx, &store.SessionEvent{ID: "ev1", SessionID: "b1", Seq: 1, Type: "cancel", At: t0,
					ActorID: "p1", ActorRole: holdspace.RolePractitioner}, "cancelled")
			})
			update(t, db, func(tx store.Tx) error { return book(ctx, tx, bookingAt("b2", day.Add(10*time.Hour), time.Hour, 0)) })
		}},
		{"UnbookedSessionBlocks", func(t *testing.T, db store.DB) {
			seed(t, db)
			update(t, db, func(tx store.Tx) error {
				return tx.CreateSession(ctx, &store.Session{ID: "plain", ClientID: "c2", PractitionerID: "p1", Intent: "therapeutic",
					StartsAt: day.Add(10 * time.Hour), Duration: time.Hour, State: "scheduled", CreatedAt: t0})
			})
			err := db.Update(ctx, func(tx store.Tx) error {
				return book(ctx, tx, bookingAt("b1", day.Add(10*time.Hour+30*time.Minute), time.Hour, 0))
			})
			wantErr(t, err, holdspace.ECONFLICT, "slot_taken")
			update(t, db, func(tx store.Tx) error { return book(ctx, tx, bookingAt("b1", day.Add(11*time.Hour), time.Hour, 0)) })
		}},
		{"Reschedule", func(t *testing.T, db store.DB) {
			seed(t, db)
			update(t, db, func(tx store.Tx) error {
				if err := book(ctx, tx, bookingAt("b1", day.Add(10*time.Hour), time.Hour, 15*time.Minute)); err != nil {
					return err
				}
				return book(ctx, tx, bookingAt("b2", day.Add(14*time.Hour), time.Hour, 15*time.Minute))
			})
			// Into b2: refused, nothing moves.
			err := db.Update(ctx, func(tx store.Tx) error {
				return tx.RescheduleBooking(ctx, bookingAt("b1", day.Add(13*time.Hour+30*time.Minute), time.Hour, 15*time.Minute))
			})
			wantErr(t, err, holdspace.ECONFLICT, "slot_taken")
			// Overlapping its own old span is fine.
			moved := bookingAt("b1", day.Add(10*time.Hour+30*time.Minute), 90*time.Minute, 15*time.Minute)
			update(t, db, func(tx store.Tx) error { return tx.RescheduleBooking(ctx, moved) })
			view(t, db, func(tx store.Tx) error {
				b, err := tx.Booking(ctx, "b1")
				if err != nil {
					return err
				}
				if !b.StartsAt.Equal(moved.StartsAt) || !b.BlockedUntil.Equal(moved.BlockedUntil) {
					t.Fatalf("booking not moved: %+v", b)
				}
				se, err := tx.Session(ctx, "b1")
				if err != nil {
					return err
				}
				if !se.StartsAt.Equal(moved.StartsAt) || se.Duration != 90*time.Minute {
					t.Fatalf("session not moved: %+v", se)
				}
				return nil
			})
		}},
		{"Race", func(t *testing.T, db store.DB) {
			seed(t, db)
			// N clients race for one slot (and its neighbours, which
			// overlap it): exactly one wins, the others see slot_taken.
			// Where transactions run concurrently (PostgreSQL), every one
			// has written its session before any of them books, so that
			// all overlap checks run while the others are open; SQLite's
			// single writer runs them one after the other anyway.
			n := 12
			concurrent := db.Engine() == "postgres"
			if concurrent {
				n = 8 // within one node's connection pool
			}
			var wg, ready sync.WaitGroup
			ready.Add(n)
			errs := make([]error, n)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					start := day.Add(10*time.Hour + time.Duration(i%3)*10*time.Minute)
					b := bookingAt(fmt.Sprintf("race-%02d", i), start, time.Hour, 15*time.Minute)
					b.ClientID = []string{"c1", "c2"}[i%2]
					once := false
					errs[i] = db.Update(ctx, func(tx store.Tx) error {
						if err := tx.CreateSession(ctx, &store.Session{ID: b.SessionID, ClientID: b.ClientID, PractitionerID: b.PractitionerID,
							Intent: "therapeutic", StartsAt: b.StartsAt, Duration: time.Hour, State: "scheduled", CreatedAt: t0}); err != nil {
							return err
						}
						if concurrent && !once {
							once = true
							ready.Done()
							ready.Wait()
						}
						return tx.CreateBooking(ctx, b)
					})
					if !once && concurrent {
						ready.Done()
					}
				}()
			}
			wg.Wait()
			won := 0
			for i, err := range errs {
				switch {
				case err == nil:
					won++
				case holdspace.ErrorReason(err) == "slot_taken":
				default:
					t.Fatalf("booking %d: unexpected error %v", i, err)
				}
			}
			if won != 1 {
				t.Fatalf("%d bookings won the slot, want exactly 1", won)
			}
			view(t, db, func(tx store.Tx) error {
				all, err := tx.ListBookings(ctx, store.BookingFilter{PractitionerID: "p1", Active: true})
				if err != nil {
					return err
				}
				if len(all) != 1 {
					t.Fatalf("%d bookings stored", len(all))
				}
				overlaps := 0
				for i := range all {
					for j := range all[:i] {
						if all[i].StartsAt.Before(all[j].BlockedUntil) && all[j].StartsAt.Before(all[i].BlockedUntil) {
							overlaps++
						}
					}
				}
				if overlaps != 0 {
					t.Fatalf("%d overlaps", overlaps)
				}
				ss, err := tx.ListSessions(ctx, store.SessionFilter{PractitionerID: "p1"})
				if len(ss) != 1 {
					t.Fatalf("%d sessions stored, want the winner's only", len(ss))
				}
				return err
			})
		}},
		{"RaceDisjoint", func(t *testing.T, db store.DB) {
			seed(t, db)
			// Racing for distinct slots: all win.
			const n = 8
			var wg sync.WaitGroup
			errs := make([]error, n)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					b := bookingAt(fmt.Sprintf("d-%02d", i), day.Add(time.Duration(i)*time.Hour), 45*time.Minute, 15*time.Minute)
					errs[i] = db.Update(ctx, func(tx store.Tx) error { return book(ctx, tx, b) })
				}()
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("booking %d: %v", i, err)
				}
			}
		}},
	}
}

// populateBooking is the booking of populate's session for clientID, at a
// time of its own (derived from the id) so that clients of one
// practitioner never overlap.
func populateBooking(clientID, practitionerID string, at time.Time) *store.Booking {
	offset := 0
	for _, c := range clientID {
		offset += int(c)
	}
	start := at.Add(30*24*time.Hour + time.Duration(offset)*2*time.Hour)
	return &store.Booking{SessionID: "se-" + clientID, ClientID: clientID, PractitionerID: practitionerID,
		SessionType: "sealed-" + clientID, StartsAt: start, EndsAt: start.Add(time.Hour), BlockedUntil: start.Add(75 * time.Minute),
		Status: "booked", IntakeRequested: true, BookedAt: at, BookedBy: clientID}
}

// populateCalendar stores Populate's session types, availability and
// exceptions.
func populateCalendar(ctx context.Context, tx store.Tx) error {
	for _, st := range []*store.SessionType{
		{ID: "st-1", Name: "Prostate massage", Intent: "therapeutic", Duration: 90 * time.Minute, Buffer: 15 * time.Minute,
			Regions: []string{"prostate"}, Active: true, CreatedAt: t0, UpdatedAt: t0},
		{ID: "st-2", Name: "Back", Intent: "therapeutic", Duration: time.Hour, Regions: []string{"upper-back"}, CreatedAt: t0, UpdatedAt: t0},
	} {
		if err := tx.CreateSessionType(ctx, st); err != nil {
			return err
		}
	}
	for i, p := range []string{"p1", "p2"} {
		if err := tx.CreateAvailability(ctx, &store.AvailabilityWindow{ID: "av-" + p, PractitionerID: p, Weekday: i + 1,
			Start: 540, End: 1020, CreatedAt: t0}); err != nil {
			return err
		}
	}
	return tx.CreateException(ctx, &store.AvailabilityException{ID: "ex-p1", PractitionerID: "p1", From: t0, To: t0.Add(24 * time.Hour),
		Reason: "holiday", CreatedAt: t0, CreatedBy: "p1"})
}

// bookingContent is the booking part of a practice as the contract reads it.
type bookingContent struct {
	Types      []*store.SessionType
	Windows    map[string][]*store.AvailabilityWindow
	Exceptions map[string][]*store.AvailabilityException
	Bookings   []*store.Booking
}

func readBookingContent(ctx context.Context, tx store.Tx, users []*store.User) (bookingContent, error) {
	var c bookingContent
	var err error
	if c.Types, err = tx.ListSessionTypes(ctx, false); err != nil {
		return c, err
	}
	c.Windows = map[string][]*store.AvailabilityWindow{}
	c.Exceptions = map[string][]*store.AvailabilityException{}
	for _, u := range users {
		if c.Windows[u.ID], err = tx.ListAvailability(ctx, u.ID); err != nil {
			return c, err
		}
		if c.Exceptions[u.ID], err = tx.ListExceptions(ctx, u.ID, time.Time{}, time.Time{}); err != nil {
			return c, err
		}
	}
	c.Bookings, err = tx.ListBookings(ctx, store.BookingFilter{})
	return c, err
}
