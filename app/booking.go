package app

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"holdspace"
	"holdspace/booking"
	"holdspace/catalogue"
	"holdspace/practice"
	"holdspace/store"
)

// Bookings is the use case of issue 14 item 2: session types, weekly
// availability and its exceptions, free slots, and booking, rescheduling,
// cancelling and no-shows. A booking is a session in state scheduled plus
// a bookings row with the session's id.
type Bookings struct {
	*core
}

// bookingsTx is what booking reads and writes.
type bookingsTx interface {
	mailTx // the client is told of a booking, a new time, a cancellation
	store.AuditLog
	store.Bookings
	store.Clients
	store.Credentials
	store.Keys
	store.Screenings
	store.Sessions
	store.Settings
	store.Users
	txBase
}

// update runs fn in a write transaction that offers only bookingsTx.
func (a *Bookings) update(ctx context.Context, fn func(bookingsTx) error) error {
	return a.core.update(ctx, func(tx store.Tx) error { return fn(tx) })
}

// view runs fn in a read transaction that offers only bookingsTx.
func (a *Bookings) view(ctx context.Context, fn func(bookingsTx) error) error {
	return a.core.view(ctx, func(tx store.Tx) error { return fn(tx) })
}

// Booking use cases (issue 14): admins manage session types;
// practitioners (their own) and admins manage availability and its
// exceptions; clients book their own assigned practitioners within
// availability; practitioners (their own) and admins book, reschedule,
// cancel and record no-shows. A booking is a session: booking creates a
// scheduled session and a booking record, which the store never lets
// overlap another of the practitioner's (store.Bookings). The session type
// a client booked says what work they receive, so it is stored sealed
// under the client's data key.

// maxSlotDays bounds one free-slot query.
const maxSlotDays = 31

// SessionTypeInput is the input of CreateSessionType and UpdateSessionType.
type SessionTypeInput struct {
	Name            string   `json:"name"`
	Intent          string   `json:"intent"`
	DurationMinutes int      `json:"duration_minutes"`
	BufferMinutes   int      `json:"buffer_minutes"`
	Regions         []string `json:"regions"`
	// Active: absent means active.
	Active *bool `json:"active,omitempty"`
}

// SessionTypeView is a session type as callers see it. Requires lists the
// credential coverages a practitioner needs for it under the practice's
// scope policy.
type SessionTypeView struct {
	ID              string   `json:"id"`
	Name            string   `json:"name"`
	Intent          string   `json:"intent"`
	DurationMinutes int      `json:"duration_minutes"`
	BufferMinutes   int      `json:"buffer_minutes"`
	Regions         []string `json:"regions"`
	Active          bool     `json:"active"`
	Requires        []string `json:"requires"`
}

func domainType(t *store.SessionType) booking.SessionType {
	return booking.SessionType{ID: t.ID, Name: t.Name, Intent: catalogue.Intent(t.Intent), Duration: t.Duration, Buffer: t.Buffer,
		Regions: t.Regions, Active: t.Active}
}

func sessionTypeView(t *store.SessionType, s practice.Settings) SessionTypeView {
	return SessionTypeView{ID: t.ID, Name: t.Name, Intent: t.Intent, DurationMinutes: int(t.Duration / time.Minute),
		BufferMinutes: int(t.Buffer / time.Minute), Regions: nonNil(t.Regions), Active: t.Active,
		Requires: nonNil(domainType(t).RequiredCovers(s))}
}

func (in SessionTypeInput) domain() booking.SessionType {
	active := in.Active == nil || *in.Active
	return booking.SessionType{Name: strings.TrimSpace(in.Name), Intent: catalogue.Intent(in.Intent),
		Duration: time.Duration(in.DurationMinutes) * time.Minute, Buffer: time.Duration(in.BufferMinutes) * time.Minute,
		Regions: in.Regions, Active: active}
}

// ListSessionTypes returns the practice's session types by name: admins
// see every one, others only the active ones.
func (a *Bookings) ListSessionTypes(ctx context.Context, ac Actor) ([]SessionTypeView, error) {
	var out []SessionTypeView
	err := a.view(ctx, func(tx bookingsTx) error {
		st, err := a.practiceSettings(ctx, tx)
		if err != nil {
			return err
		}
		ts, err := tx.ListSessionTypes(ctx, !ac.is(holdspace.RoleAdmin))
		if err != nil {
			return err
		}
		for _, t := range ts {
			out = append(out, sessionTypeView(t, st.settings))
		}
		return nil
	})
	return nonNil(out), err
}

// CreateSessionType adds a session type; admins only. EINVALID per
// booking.SessionType.Validate.
func (a *Bookings) CreateSessionType(ctx context.Context, ac Actor, in SessionTypeInput) (SessionTypeView, error) {
	var out SessionTypeView
	if !ac.is(holdspace.RoleAdmin) {
		return out, forbidden("Only an admin manages session types.")
	}
	d := in.domain()
	if err := d.Validate(); err != nil {
		return out, err
	}
	err := a.update(ctx, func(tx bookingsTx) error {
		st, err := a.practiceSettings(ctx, tx)
		if err != nil {
			return err
		}
		t := &store.SessionType{ID: newID("stype"), Name: d.Name, Intent: string(d.Intent), Duration: d.Duration, Buffer: d.Buffer,
			Regions: nonNil(d.Regions), Active: d.Active, CreatedAt: tx.Now(), UpdatedAt: tx.Now()}
		if err := tx.CreateSessionType(ctx, t); err != nil {
			return err
		}
		out = sessionTypeView(t, st.settings)
		return record(ctx, tx, ac, "session_type.create", t.ID, "", "")
	})
	return out, err
}

// UpdateSessionType replaces a session type; admins only. Bookings made
// before keep their times; the new duration applies to new bookings.
func (a *Bookings) UpdateSessionType(ctx context.Context, ac Actor, id string, in SessionTypeInput) (SessionTypeView, error) {
	var out SessionTypeView
	if !ac.is(holdspace.RoleAdmin) {
		return out, forbidden("Only an admin manages session types.")
	}
	d := in.domain()
	if err := d.Validate(); err != nil {
		return out, err
	}
	err := a.update(ctx, func(tx bookingsTx) error {
		st, err := a.practiceSettings(ctx, tx)
		if err != nil {
			return err
		}
		t, err := tx.SessionType(ctx, id)
		if err != nil {
			return err
		}
		t.Name, t.Intent, t.Duration, t.Buffer, t.Regions, t.Active = d.Name, string(d.Intent), d.Duration, d.Buffer, nonNil(d.Regions), d.Active
		t.UpdatedAt = tx.Now()
		if err := tx.UpdateSessionType(ctx, t); err != nil {
			return err
		}
		out = sessionTypeView(t, st.settings)
		return record(ctx, tx, ac, "session_type.update", t.ID, "", "active="+strconv.FormatBool(t.Active))
	})
	return out, err
}

// WindowInput is one weekly availability period: weekday 0 (Sunday) to 6,
// start and end as "HH:MM" local time in the practice's time zone.
type WindowInput struct {
	Weekday int    `json:"weekday"`
	Start   string `json:"start"`
	End     string `json:"end"`
}

// ExceptionInput removes availability on the local dates From to To
// (inclusive, YYYY-MM-DD) for a reason: holiday, sick or other.
type ExceptionInput struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Reason string `json:"reason"`
}

// WindowView is a weekly availability period.
type WindowView struct {
	ID      string `json:"id"`
	Weekday int    `json:"weekday"`
	Start   string `json:"start"`
	End     string `json:"end"`
}

// ExceptionView is an exception with its span in UTC and as local dates.
type ExceptionView struct {
	ID       string    `json:"id"`
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	FromDate string    `json:"from_date"`
	ToDate   string    `json:"to_date"`
	Reason   string    `json:"reason"`
}

// AvailabilityView is a practitioner's availability: their weekly windows
// in the practice's time zone and their exceptions that have not ended.
type AvailabilityView struct {
	PractitionerID string          `json:"practitioner_id"`
	TimeZone       string          `json:"time_zone"`
	Windows        []WindowView    `json:"windows"`
	Exceptions     []ExceptionView `json:"exceptions"`
}

// calendarPractitioner checks that id is a practitioner whose calendar the
// actor manages: an admin any, a practitioner their own; ENOTFOUND for an
// unknown practitioner, EFORBIDDEN for another practitioner's.
func calendarPractitioner(ctx context.Context, tx bookingsTx, ac Actor, id string) error {
	switch {
	case ac.is(holdspace.RoleAdmin):
	case ac.is(holdspace.RolePractitioner):
		if id != ac.UserID {
			return forbidden("A practitioner manages only their own calendar.")
		}
	default:
		return forbidden("Only practitioners and admins manage calendars.")
	}
	u, err := tx.User(ctx, id)
	if err != nil || u.Role != holdspace.RolePractitioner || !u.ErasedAt.IsZero() {
		return holdspace.NotFound("practitioner")
	}
	return nil
}

// Availability returns a practitioner's availability (admins, the
// practitioner).
func (a *Bookings) Availability(ctx context.Context, ac Actor, practitionerID string) (AvailabilityView, error) {
	var out AvailabilityView
	err := a.view(ctx, func(tx bookingsTx) error {
		if err := calendarPractitioner(ctx, tx, ac, practitionerID); err != nil {
			return err
		}
		var err error
		out, err = a.availability(ctx, tx, practitionerID)
		return err
	})
	return out, err
}

func (a *Bookings) availability(ctx context.Context, tx bookingsTx, pid string) (AvailabilityView, error) {
	out := AvailabilityView{PractitionerID: pid, Windows: []WindowView{}, Exceptions: []ExceptionView{}}
	st, err := a.practiceSettings(ctx, tx)
	if err != nil {
		return out, err
	}
	out.TimeZone = st.loc.String()
	ws, err := tx.ListAvailability(ctx, pid)
	if err != nil {
		return out, err
	}
	for _, w := range ws {
		out.Windows = append(out.Windows, WindowView{ID: w.ID, Weekday: w.Weekday, Start: booking.Clock(w.Start), End: booking.Clock(w.End)})
	}
	es, err := tx.ListExceptions(ctx, pid, tx.Now(), time.Time{})
	if err != nil {
		return out, err
	}
	for _, e := range es {
		out.Exceptions = append(out.Exceptions, ExceptionView{ID: e.ID, From: e.From, To: e.To, Reason: e.Reason,
			FromDate: e.From.In(st.loc).Format(time.DateOnly), ToDate: e.To.Add(-time.Microsecond).In(st.loc).Format(time.DateOnly)})
	}
	return out, nil
}

// AddAvailability adds a weekly window to a practitioner's availability.
// EINVALID per booking.Window.Validate (start/end "invalid_time");
// ECONFLICT "overlapping_window" when it overlaps one of their windows.
func (a *Bookings) AddAvailability(ctx context.Context, ac Actor, practitionerID string, in WindowInput) (WindowView, error) {
	var out WindowView
	start, err := booking.ParseClock("start", in.Start)
	if err != nil {
		return out, err
	}
	end, err := booking.ParseClock("end", in.End)
	if err != nil {
		return out, err
	}
	w := booking.Window{Weekday: time.Weekday(in.Weekday), Start: start, End: end}
	if err := w.Validate(); err != nil {
		return out, err
	}
	err = a.update(ctx, func(tx bookingsTx) error {
		if err := calendarPractitioner(ctx, tx, ac, practitionerID); err != nil {
			return err
		}
		ws, err := tx.ListAvailability(ctx, practitionerID)
		if err != nil {
			return err
		}
		for _, o := range ws {
			if w.Overlaps(booking.Window{Weekday: time.Weekday(o.Weekday), Start: o.Start, End: o.End}) {
				e := holdspace.Conflict("overlapping_window", "This overlaps the availability %s–%s on the same day.", booking.Clock(o.Start), booking.Clock(o.End))
				e.Field = "start"
				return e
			}
		}
		rec := &store.AvailabilityWindow{ID: newID("avail"), PractitionerID: practitionerID, Weekday: in.Weekday, Start: start, End: end, CreatedAt: tx.Now()}
		if err := tx.CreateAvailability(ctx, rec); err != nil {
			return err
		}
		out = WindowView{ID: rec.ID, Weekday: rec.Weekday, Start: booking.Clock(start), End: booking.Clock(end)}
		tx.Notify("calendar:" + practitionerID)
		return record(ctx, tx, ac, "availability.add", practitionerID, "", "window="+rec.ID)
	})
	return out, err
}

// DeleteAvailability removes one of a practitioner's weekly windows.
// Bookings already made stay.
func (a *Bookings) DeleteAvailability(ctx context.Context, ac Actor, practitionerID, id string) error {
	return a.update(ctx, func(tx bookingsTx) error {
		if err := calendarPractitioner(ctx, tx, ac, practitionerID); err != nil {
			return err
		}
		if err := tx.DeleteAvailability(ctx, practitionerID, id); err != nil {
			return err
		}
		tx.Notify("calendar:" + practitionerID)
		return record(ctx, tx, ac, "availability.delete", practitionerID, "", "window="+id)
	})
}

// AddException removes a practitioner's availability on whole local days.
// Bookings already made on those days stay (the calendar shows them): the
// practitioner reschedules or cancels them.
func (a *Bookings) AddException(ctx context.Context, ac Actor, practitionerID string, in ExceptionInput) (ExceptionView, error) {
	var out ExceptionView
	err := a.update(ctx, func(tx bookingsTx) error {
		if err := calendarPractitioner(ctx, tx, ac, practitionerID); err != nil {
			return err
		}
		st, err := a.practiceSettings(ctx, tx)
		if err != nil {
			return err
		}
		from, to, err := booking.DayRange(strings.TrimSpace(in.From), strings.TrimSpace(in.To), st.loc)
		if err != nil {
			return err
		}
		ex := booking.Exception{From: from, To: to, Reason: in.Reason}
		if err := ex.Validate(); err != nil {
			return err
		}
		rec := &store.AvailabilityException{ID: newID("exc"), PractitionerID: practitionerID, From: from, To: to, Reason: in.Reason,
			CreatedAt: tx.Now(), CreatedBy: ac.UserID}
		if err := tx.CreateException(ctx, rec); err != nil {
			return err
		}
		out = ExceptionView{ID: rec.ID, From: from, To: to, FromDate: strings.TrimSpace(in.From), ToDate: strings.TrimSpace(in.To), Reason: in.Reason}
		tx.Notify("calendar:" + practitionerID)
		return record(ctx, tx, ac, "availability.exception", practitionerID, "", "exception="+rec.ID+" reason="+in.Reason)
	})
	return out, err
}

// DeleteException removes one of a practitioner's exceptions.
func (a *Bookings) DeleteException(ctx context.Context, ac Actor, practitionerID, id string) error {
	return a.update(ctx, func(tx bookingsTx) error {
		if err := calendarPractitioner(ctx, tx, ac, practitionerID); err != nil {
			return err
		}
		if err := tx.DeleteException(ctx, practitionerID, id); err != nil {
			return err
		}
		tx.Notify("calendar:" + practitionerID)
		return record(ctx, tx, ac, "availability.exception_delete", practitionerID, "", "exception="+id)
	})
}

// calendar gathers a practitioner's calendar around [from, to): windows,
// exceptions, and the spans their active bookings and other sessions
// occupy (except is left out: the booking being moved).
func (a *Bookings) calendar(ctx context.Context, tx bookingsTx, pid string, loc *time.Location, from, to time.Time, except string) (booking.Calendar, error) {
	cal := booking.Calendar{Loc: loc}
	ws, err := tx.ListAvailability(ctx, pid)
	if err != nil {
		return cal, err
	}
	for _, w := range ws {
		cal.Windows = append(cal.Windows, booking.Window{ID: w.ID, Weekday: time.Weekday(w.Weekday), Start: w.Start, End: w.End})
	}
	es, err := tx.ListExceptions(ctx, pid, from.Add(-48*time.Hour), to.Add(48*time.Hour))
	if err != nil {
		return cal, err
	}
	for _, e := range es {
		cal.Exceptions = append(cal.Exceptions, booking.Exception{ID: e.ID, From: e.From, To: e.To, Reason: e.Reason})
	}
	// A booking occupies at most its session and buffer (8 h + 2 h):
	// look back far enough to see one that started before from.
	lookFrom := from.Add(-booking.MaxDuration - booking.MaxBuffer)
	bs, err := tx.ListBookings(ctx, store.BookingFilter{PractitionerID: pid, From: lookFrom, To: to, Active: true})
	if err != nil {
		return cal, err
	}
	booked := map[string]bool{}
	for _, b := range bs {
		booked[b.SessionID] = true
		if b.SessionID != except {
			cal.Busy = append(cal.Busy, booking.Interval{Start: b.StartsAt, End: b.BlockedUntil})
		}
	}
	ss, err := tx.ListSessions(ctx, store.SessionFilter{PractitionerID: pid, From: lookFrom, To: to})
	if err != nil {
		return cal, err
	}
	for _, s := range ss {
		if booked[s.ID] || s.ID == except || s.State == string(practice.Cancelled) || s.State == string(practice.Closed) {
			continue
		}
		if b, err := tx.Booking(ctx, s.ID); err == nil && b.Status != booking.StatusBooked {
			continue // a cancelled booking or a no-show frees its time
		}
		cal.Busy = append(cal.Busy, booking.Interval{Start: s.StartsAt, End: s.StartsAt.Add(bookedDuration(s))})
	}
	return cal, nil
}

// SlotQuery asks for free slots of a session type with a practitioner on
// the local dates From (YYYY-MM-DD; empty: today) and the Days after it
// (1–31; zero: 7).
type SlotQuery struct {
	PractitionerID string `json:"practitioner_id"`
	SessionTypeID  string `json:"session_type_id"`
	From           string `json:"from"`
	Days           int    `json:"days"`
}

// SlotView is one free slot: its start and end in UTC and as the
// practice's local time with its zone.
type SlotView struct {
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
	Local    string    `json:"local"`
	// Zone is the practice's time zone that Local is in ("Europe/Berlin").
	Zone string `json:"zone"`
}

// LocalLabel is how a time is shown to people: local to the practice
// with its zone, e.g. "Tue 1 Dec, 14:00 PST".
func LocalLabel(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("Mon 2 Jan, 15:04 MST")
}

// bookablePractitioner checks that the actor may book with practitioner
// pid for client c: a client only their assigned practitioners, a
// practitioner only themself (with a client assigned to them), an admin
// any practitioner assigned to the client.
func bookablePractitioner(ac Actor, c *store.Client, pid string) error {
	if ac.is(holdspace.RolePractitioner) && pid != ac.UserID {
		return forbidden("A practitioner books sessions for themself.")
	}
	if !slices.Contains(c.PractitionerIDs, pid) {
		return holdspace.Invalid("not_assigned", "practitioner_id", "This practitioner is not assigned to the client.")
	}
	return nil
}

// FreeSlots returns the free slots of a session type with a practitioner.
// A client asks about their assigned practitioners, a practitioner about
// themself, an admin about anyone. Slots lie within the practitioner's
// availability, outside exceptions and existing bookings (with buffers),
// and not in the past.
func (a *Bookings) FreeSlots(ctx context.Context, ac Actor, q SlotQuery) ([]SlotView, error) {
	var out []SlotView
	if q.Days == 0 {
		q.Days = 7
	}
	if q.Days < 1 || q.Days > maxSlotDays {
		return nil, holdspace.Invalid("out_of_range", "days", "Ask for 1 to %d days.", maxSlotDays)
	}
	err := a.view(ctx, func(tx bookingsTx) error {
		switch {
		case ac.is(holdspace.RoleClient):
			c, err := tx.Client(ctx, ac.UserID)
			if err != nil {
				return err
			}
			if !slices.Contains(c.PractitionerIDs, q.PractitionerID) {
				return holdspace.NotFound("practitioner")
			}
		default:
			if err := calendarPractitioner(ctx, tx, ac, q.PractitionerID); err != nil {
				return err
			}
		}
		t, err := tx.SessionType(ctx, q.SessionTypeID)
		if err != nil || !t.Active {
			return holdspace.NotFound("session type")
		}
		st, err := a.practiceSettings(ctx, tx)
		if err != nil {
			return err
		}
		day := tx.Now().In(st.loc)
		from := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, st.loc)
		if q.From != "" {
			if from, err = time.ParseInLocation(time.DateOnly, q.From, st.loc); err != nil {
				return holdspace.Invalid("invalid_date", "from", "%q is not a date (YYYY-MM-DD).", q.From)
			}
		}
		to := time.Date(from.Year(), from.Month(), from.Day()+q.Days, 0, 0, 0, 0, st.loc)
		cal, err := a.calendar(ctx, tx, q.PractitionerID, st.loc, from, to, "")
		if err != nil {
			return err
		}
		d := domainType(t)
		for _, s := range cal.Slots(d, from, to, tx.Now(), booking.DefaultStep) {
			out = append(out, SlotView{StartsAt: s.UTC(), EndsAt: s.Add(d.Duration).UTC(), Local: LocalLabel(s, st.loc), Zone: st.loc.String()})
		}
		return nil
	})
	return nonNil(out), err
}

// BookInput is the input of Book.
type BookInput struct {
	ClientID       string `json:"client_id"`
	PractitionerID string `json:"practitioner_id"`
	SessionTypeID  string `json:"session_type_id"`
	StartsAt       string `json:"starts_at"`
}

// BookingView is a booking as callers see it, with its times in UTC and
// local to the practice.
type BookingView struct {
	SessionID        string    `json:"session_id"`
	ClientID         string    `json:"client_id"`
	ClientName       string    `json:"client_name,omitempty"`
	PractitionerID   string    `json:"practitioner_id"`
	PractitionerName string    `json:"practitioner_name,omitempty"`
	SessionTypeID    string    `json:"session_type_id"`
	SessionTypeName  string    `json:"session_type_name"`
	Intent           string    `json:"intent"`
	StartsAt         time.Time `json:"starts_at"`
	EndsAt           time.Time `json:"ends_at"`
	BlockedUntil     time.Time `json:"blocked_until"`
	Local            string    `json:"local"`
	// Zone is the practice's time zone that Local is in.
	Zone   string `json:"zone"`
	Status string `json:"status"`
	// IntakeRequested: the client had no current screening when booked;
	// IntakeDue says they still have none valid at the session's start.
	IntakeRequested bool       `json:"intake_requested"`
	IntakeDue       bool       `json:"intake_due"`
	SessionState    string     `json:"session_state"`
	BookedBy        string     `json:"booked_by"`
	ChangedAt       *time.Time `json:"changed_at,omitempty"`
	ChangedBy       string     `json:"changed_by,omitempty"`
	ChangedRole     string     `json:"changed_role,omitempty"`
	Late            bool       `json:"late"`
}

// bookingView opens a stored booking.
func (a *core) bookingView(ctx context.Context, tx bookingsTx, b *store.Booking, loc *time.Location) (BookingView, error) {
	v := BookingView{SessionID: b.SessionID, ClientID: b.ClientID, PractitionerID: b.PractitionerID, StartsAt: b.StartsAt,
		EndsAt: b.EndsAt, BlockedUntil: b.BlockedUntil, Local: LocalLabel(b.StartsAt, loc), Zone: loc.String(), Status: b.Status,
		IntakeRequested: b.IntakeRequested, BookedBy: b.BookedBy, ChangedBy: b.ChangedBy, ChangedRole: b.ChangedRole, Late: b.Late}
	if !b.ChangedAt.IsZero() {
		v.ChangedAt = timePtr(b.ChangedAt)
	}
	typeID, err := a.openText(ctx, tx, b.SessionID, "session_type", b.SessionType)
	if err != nil {
		return v, err
	}
	v.SessionTypeID = typeID
	if t, err := tx.SessionType(ctx, typeID); err == nil {
		v.SessionTypeName = t.Name
	}
	s, err := tx.Session(ctx, b.SessionID)
	if err != nil {
		return v, err
	}
	v.Intent, v.SessionState = s.Intent, s.State
	if b.Status == booking.StatusBooked {
		if v.IntakeDue, err = a.intakeDue(ctx, tx, b.ClientID, b.StartsAt); err != nil {
			return v, err
		}
	}
	return v, nil
}

// intakeDue reports whether the client has no screening that is current
// at `at`: they are asked to complete intake before the day.
func (a *core) intakeDue(ctx context.Context, tx bookingsTx, clientID string, at time.Time) (bool, error) {
	cur, err := a.currentScreening(ctx, tx, clientID, tx.Now())
	if err != nil {
		return false, err
	}
	return !cur.Present || cur.Stale || cur.ValidUntil.Before(at), nil
}

// checkBookable applies the practice's rules to booking type t with
// practitioner pid for client c from start: the type is active and
// offered, the client may have that work then (sensual work: not a minor),
// and the practitioner holds credentials covering its regions on that
// date (ECONFLICT not_qualified).
func (a *Bookings) checkBookable(ctx context.Context, tx bookingsTx, st practiceState, c *store.Client, t *store.SessionType, pid string, start time.Time) error {
	if !t.Active {
		return holdspace.Invalid("inactive", "session_type_id", "This session type is no longer offered.")
	}
	d := domainType(t)
	if err := d.Offered(st.settings); err != nil {
		return err
	}
	if err := a.checkSessionOffered(ctx, tx, c, t.Intent, start); err != nil {
		return err
	}
	creds, err := tx.ListCredentials(ctx, pid)
	if err != nil {
		return err
	}
	return d.Qualified(st.settings, practiceCredentials(creds), start, start.Add(d.Duration))
}

// Book books a session of a session type. Clients book themselves with
// an assigned practitioner within that practitioner's availability;
// practitioners book their own clients with themselves and admins any
// client with an assigned practitioner, outside published hours too. No
// booking ever overlaps another of the practitioner's (with buffers):
// ECONFLICT slot_taken, also when two book the same slot at once. A
// client without a current screening is booked and asked to complete
// intake (BookingView.IntakeRequested).
func (a *Bookings) Book(ctx context.Context, ac Actor, in BookInput) (BookingView, error) {
	var out BookingView
	if !ac.is(holdspace.RoleAdmin) && !ac.is(holdspace.RolePractitioner) && !ac.is(holdspace.RoleClient) {
		return out, forbidden("You may not book sessions.")
	}
	start, err := parseTime("starts_at", in.StartsAt, false)
	if err != nil {
		return out, err
	}
	if ac.is(holdspace.RoleClient) && in.ClientID == "" {
		in.ClientID = ac.UserID
	}
	if ac.is(holdspace.RolePractitioner) && in.PractitionerID == "" {
		in.PractitionerID = ac.UserID
	}
	err = a.update(ctx, func(tx bookingsTx) error {
		c, err := visibleClient(ctx, tx, ac, in.ClientID)
		if err != nil {
			return err
		}
		if err := bookablePractitioner(ac, c, in.PractitionerID); err != nil {
			return err
		}
		t, err := tx.SessionType(ctx, in.SessionTypeID)
		if err != nil {
			if holdspace.ErrorCode(err) == holdspace.ENOTFOUND {
				return holdspace.Invalid("unknown_session_type", "session_type_id", "There is no such session type.")
			}
			return err
		}
		if !start.After(tx.Now()) {
			return holdspace.Invalid("in_the_past", "starts_at", "A session is booked for a time still to come.")
		}
		st, err := a.practiceSettings(ctx, tx)
		if err != nil {
			return err
		}
		if err := a.checkBookable(ctx, tx, st, c, t, in.PractitionerID, start); err != nil {
			return err
		}
		d := domainType(t)
		cal, err := a.calendar(ctx, tx, in.PractitionerID, st.loc, start.Add(-24*time.Hour), start.Add(d.Duration+d.Buffer+24*time.Hour), "")
		if err != nil {
			return err
		}
		if err := cal.Check(d, start, ac.is(holdspace.RoleClient)); err != nil {
			return err
		}
		intake, err := a.intakeDue(ctx, tx, c.ID, start)
		if err != nil {
			return err
		}
		s := &store.Session{ID: newID("ses"), ClientID: c.ID, PractitionerID: in.PractitionerID, Intent: t.Intent,
			StartsAt: start, Duration: d.Duration, State: string(practice.Scheduled), CreatedAt: tx.Now(), CreatedBy: ac.UserID}
		if err := tx.CreateSession(ctx, s); err != nil {
			return err
		}
		sealedType, err := a.sealText(ctx, tx, c.ID, s.ID, "session_type", t.ID)
		if err != nil {
			return err
		}
		b := &store.Booking{SessionID: s.ID, ClientID: c.ID, PractitionerID: in.PractitionerID, SessionType: sealedType,
			StartsAt: start, EndsAt: start.Add(d.Duration), BlockedUntil: start.Add(d.Duration + d.Buffer), Status: booking.StatusBooked,
			IntakeRequested: intake, BookedAt: tx.Now(), BookedBy: ac.UserID}
		if err := tx.CreateBooking(ctx, b); err != nil {
			return err
		}
		if err := a.QueueBookingMail(ctx, tx, ac, s, false); err != nil {
			return err
		}
		if out, err = a.bookingView(ctx, tx, b, st.loc); err != nil {
			return err
		}
		tx.Notify("calendar:" + in.PractitionerID)
		return record(ctx, tx, ac, "booking.create", s.ID, c.ID, "intake_requested="+strconv.FormatBool(intake))
	})
	return out, err
}

// managedBooking returns an active booking the actor may change: the
// client's own (clients may only cancel), the practitioner's own while the
// client is assigned to them, any for an admin. ENOTFOUND otherwise.
func managedBooking(ctx context.Context, tx bookingsTx, ac Actor, sessionID string) (*store.Booking, *store.Session, error) {
	s, err := visibleSession(ctx, tx, ac, sessionID)
	if err != nil {
		return nil, nil, err
	}
	b, err := tx.Booking(ctx, sessionID)
	if err != nil {
		if holdspace.ErrorCode(err) == holdspace.ENOTFOUND {
			return nil, nil, holdspace.NotFound("booking")
		}
		return nil, nil, err
	}
	if b.Status != booking.StatusBooked || s.State == string(practice.Cancelled) {
		return nil, nil, holdspace.Conflict("not_active", "This booking was %s already.", b.Status)
	}
	return b, s, nil
}

// RescheduleInput is the input of Reschedule.
type RescheduleInput struct {
	StartsAt string `json:"starts_at"`
}

// Reschedule moves a booking that has not started to a new start
// (practitioner of the booking, admins). The same rules as Book apply;
// the booking keeps its session type, and its session moves with it.
func (a *Bookings) Reschedule(ctx context.Context, ac Actor, sessionID string, in RescheduleInput) (BookingView, error) {
	var out BookingView
	if !ac.is(holdspace.RoleAdmin) && !ac.is(holdspace.RolePractitioner) {
		return out, forbidden("Ask your practitioner to move a booking, or cancel it and book again.")
	}
	start, err := parseTime("starts_at", in.StartsAt, false)
	if err != nil {
		return out, err
	}
	err = a.update(ctx, func(tx bookingsTx) error {
		b, s, err := managedBooking(ctx, tx, ac, sessionID)
		if err != nil {
			return err
		}
		if s.State != string(practice.Scheduled) || !b.StartsAt.After(tx.Now()) {
			return holdspace.Conflict("started", "This session has started; it can no longer be moved.")
		}
		if !start.After(tx.Now()) {
			return holdspace.Invalid("in_the_past", "starts_at", "A session is booked for a time still to come.")
		}
		st, err := a.practiceSettings(ctx, tx)
		if err != nil {
			return err
		}
		typeID, err := a.openText(ctx, tx, b.SessionID, "session_type", b.SessionType)
		if err != nil {
			return err
		}
		t, err := tx.SessionType(ctx, typeID)
		if err != nil {
			return err
		}
		c, err := tx.Client(ctx, b.ClientID)
		if err != nil {
			return err
		}
		if err := a.checkBookable(ctx, tx, st, c, t, b.PractitionerID, start); err != nil {
			return err
		}
		d := domainType(t)
		cal, err := a.calendar(ctx, tx, b.PractitionerID, st.loc, start.Add(-24*time.Hour), start.Add(d.Duration+d.Buffer+24*time.Hour), b.SessionID)
		if err != nil {
			return err
		}
		if err := cal.Check(d, start, false); err != nil {
			return err
		}
		from := b.StartsAt
		b.StartsAt, b.EndsAt, b.BlockedUntil = start, start.Add(d.Duration), start.Add(d.Duration+d.Buffer)
		if err := tx.RescheduleBooking(ctx, b); err != nil {
			return err
		}
		moved, err := tx.Session(ctx, b.SessionID)
		if err != nil {
			return err
		}
		if err := a.QueueBookingMail(ctx, tx, ac, moved, true); err != nil {
			return err
		}
		if out, err = a.bookingView(ctx, tx, b, st.loc); err != nil {
			return err
		}
		tx.Notify("calendar:" + b.PractitionerID)
		tx.Notify("session:" + b.SessionID)
		return record(ctx, tx, ac, "booking.reschedule", b.SessionID, b.ClientID,
			"from="+from.UTC().Format(time.RFC3339)+" to="+start.UTC().Format(time.RFC3339))
	})
	return out, err
}

// endSession records a session's cancellation (a cancelled booking or a
// no-show): a cancel event by the client, the practitioner or an admin, as
// practice.Apply allows (an admin records no session event but this one).
func (a *Bookings) endSession(ctx context.Context, tx bookingsTx, ac Actor, s *store.Session) error {
	ev := practice.Event{Type: practice.EventCancel, At: tx.Now(), ActorID: ac.UserID, ActorRole: ac.Role}
	next, err := practice.Apply(practice.State(s.State), ev)
	if err != nil {
		return err
	}
	payload, err := json.Marshal(eventPublic{})
	if err != nil {
		return err
	}
	rec := &store.SessionEvent{ID: newID("evt"), SessionID: s.ID, Seq: s.Seq + 1, Type: string(practice.EventCancel), At: tx.Now(),
		ActorID: ac.UserID, ActorRole: ac.Role, Device: ac.Device, Payload: payload}
	if err := tx.AppendEvent(ctx, rec, string(next)); err != nil {
		return err
	}
	tx.Notify("session:" + s.ID)
	return nil
}

// CancelBooking cancels a booking that has not started: its client, its
// practitioner or an admin. A cancellation within the practice's
// cancellation window is recorded as late. Who cancelled and when are
// kept on the booking and audited; the time is free again at once.
func (a *Bookings) CancelBooking(ctx context.Context, ac Actor, sessionID string) (BookingView, error) {
	var out BookingView
	err := a.update(ctx, func(tx bookingsTx) error {
		b, s, err := managedBooking(ctx, tx, ac, sessionID)
		if err != nil {
			return err
		}
		if s.State != string(practice.Scheduled) || !b.StartsAt.After(tx.Now()) {
			return holdspace.Conflict("started", "This session has started or its time has passed; it can no longer be cancelled.")
		}
		st, err := a.practiceSettings(ctx, tx)
		if err != nil {
			return err
		}
		b.Status, b.ChangedAt, b.ChangedBy, b.ChangedRole = booking.StatusCancelled, tx.Now(), ac.UserID, string(ac.Role)
		b.Late = booking.LateCancellation(st.settings, b.StartsAt, tx.Now())
		if err := tx.EndBooking(ctx, b); err != nil {
			return err
		}
		if err := a.endSession(ctx, tx, ac, s); err != nil {
			return err
		}
		if err := a.mailAfterEvent(ctx, tx, ac, s, practice.EventCancel); err != nil {
			return err
		}
		if out, err = a.bookingView(ctx, tx, b, st.loc); err != nil {
			return err
		}
		tx.Notify("calendar:" + b.PractitionerID)
		return record(ctx, tx, ac, "booking.cancel", b.SessionID, b.ClientID, "late="+strconv.FormatBool(b.Late)+" by="+string(ac.Role))
	})
	return out, err
}

// MarkNoShow records that the client did not come to a booked session:
// its practitioner or an admin, from the practice's no-show time after the
// start, while the session was never opened. The booking keeps who
// recorded it and when; the session is cancelled.
func (a *Bookings) MarkNoShow(ctx context.Context, ac Actor, sessionID string) (BookingView, error) {
	var out BookingView
	if !ac.is(holdspace.RoleAdmin) && !ac.is(holdspace.RolePractitioner) {
		return out, forbidden("Only the practitioner or an admin records a no-show.")
	}
	err := a.update(ctx, func(tx bookingsTx) error {
		b, s, err := managedBooking(ctx, tx, ac, sessionID)
		if err != nil {
			return err
		}
		if s.State != string(practice.Scheduled) {
			return holdspace.Conflict("started", "This session was opened; the client came.")
		}
		st, err := a.practiceSettings(ctx, tx)
		if err != nil {
			return err
		}
		if err := booking.MayMarkNoShow(st.settings, b.StartsAt, tx.Now()); err != nil {
			return err
		}
		b.Status, b.ChangedAt, b.ChangedBy, b.ChangedRole = booking.StatusNoShow, tx.Now(), ac.UserID, string(ac.Role)
		if err := tx.EndBooking(ctx, b); err != nil {
			return err
		}
		if err := a.endSession(ctx, tx, ac, s); err != nil {
			return err
		}
		if out, err = a.bookingView(ctx, tx, b, st.loc); err != nil {
			return err
		}
		tx.Notify("calendar:" + b.PractitionerID)
		return record(ctx, tx, ac, "booking.no_show", b.SessionID, b.ClientID, "by="+string(ac.Role))
	})
	return out, err
}

// GetBooking returns one booking to its client, its practitioner or an
// admin. The read is audited.
func (a *Bookings) GetBooking(ctx context.Context, ac Actor, sessionID string) (BookingView, error) {
	var out BookingView
	err := a.update(ctx, func(tx bookingsTx) error {
		s, err := visibleSession(ctx, tx, ac, sessionID)
		if err != nil {
			return err
		}
		b, err := tx.Booking(ctx, s.ID)
		if err != nil {
			if holdspace.ErrorCode(err) == holdspace.ENOTFOUND {
				return holdspace.NotFound("booking")
			}
			return err
		}
		st, err := a.practiceSettings(ctx, tx)
		if err != nil {
			return err
		}
		if out, err = a.bookingView(ctx, tx, b, st.loc); err != nil {
			return err
		}
		return record(ctx, tx, ac, "booking.read", b.SessionID, b.ClientID, "")
	})
	return out, err
}

// MyBookings returns a client's own bookings from `from` on (zero: all),
// with their practitioners' names. The read is audited.
func (a *Bookings) MyBookings(ctx context.Context, ac Actor, from time.Time) ([]BookingView, error) {
	var out []BookingView
	if !ac.is(holdspace.RoleClient) {
		return nil, forbidden("Only a client has their own bookings.")
	}
	err := a.update(ctx, func(tx bookingsTx) error {
		st, err := a.practiceSettings(ctx, tx)
		if err != nil {
			return err
		}
		bs, err := tx.ListBookings(ctx, store.BookingFilter{ClientID: ac.UserID, From: from})
		if err != nil {
			return err
		}
		names := map[string]string{}
		for _, b := range bs {
			v, err := a.bookingView(ctx, tx, b, st.loc)
			if err != nil {
				return err
			}
			if _, ok := names[b.PractitionerID]; !ok {
				names[b.PractitionerID] = a.userName(ctx, tx, b.PractitionerID)
			}
			v.PractitionerName = names[b.PractitionerID]
			out = append(out, v)
		}
		return record(ctx, tx, ac, "booking.read", ac.UserID, ac.UserID, "own")
	})
	return nonNil(out), err
}

// userName opens a user's name; "" when it cannot.
func (a *core) userName(ctx context.Context, tx bookingsTx, id string) string {
	u, err := tx.User(ctx, id)
	if err != nil {
		return ""
	}
	p, err := a.person(u)
	if err != nil {
		return ""
	}
	return p.Name
}

// Span is a span of availability: UTC instants and the local clock times
// with the zone ("09:00–17:00 PST").
type Span struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Local string    `json:"local"`
}

// WeekDay is one local day of a practitioner's week.
type WeekDay struct {
	Date      string        `json:"date"`
	Label     string        `json:"label"`
	Available []Span        `json:"available"`
	Bookings  []BookingView `json:"bookings"`
}

// WeekView is a practitioner's calendar week in the practice's time zone.
type WeekView struct {
	PractitionerID string    `json:"practitioner_id"`
	TimeZone       string    `json:"time_zone"`
	Start          string    `json:"start"`
	Prev, Next     string    `json:"-"`
	Days           []WeekDay `json:"days"`
}

// Week returns a practitioner's week from the Monday on or before the
// local date start (empty: this week): availability per day and every
// booking, with client names for the practitioner and admins. Each
// client's bookings read is audited.
func (a *Bookings) Week(ctx context.Context, ac Actor, practitionerID, start string) (WeekView, error) {
	var out WeekView
	err := a.update(ctx, func(tx bookingsTx) error {
		if err := calendarPractitioner(ctx, tx, ac, practitionerID); err != nil {
			return err
		}
		st, err := a.practiceSettings(ctx, tx)
		if err != nil {
			return err
		}
		day := tx.Now().In(st.loc)
		if start != "" {
			if day, err = time.ParseInLocation(time.DateOnly, start, st.loc); err != nil {
				return holdspace.Invalid("invalid_date", "start", "%q is not a date (YYYY-MM-DD).", start)
			}
		}
		offset := (int(day.Weekday()) + 6) % 7 // days since Monday
		mon := time.Date(day.Year(), day.Month(), day.Day()-offset, 0, 0, 0, 0, st.loc)
		end := mon.AddDate(0, 0, 7)
		out = WeekView{PractitionerID: practitionerID, TimeZone: st.loc.String(), Start: mon.Format(time.DateOnly),
			Prev: mon.AddDate(0, 0, -7).Format(time.DateOnly), Next: end.Format(time.DateOnly)}
		cal, err := a.calendar(ctx, tx, practitionerID, st.loc, mon, end, "")
		if err != nil {
			return err
		}
		bs, err := tx.ListBookings(ctx, store.BookingFilter{PractitionerID: practitionerID, From: mon, To: end})
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for i := range 7 {
			d0 := mon.AddDate(0, 0, i)
			d1 := mon.AddDate(0, 0, i+1)
			wd := WeekDay{Date: d0.Format(time.DateOnly), Label: d0.Format("Mon 2 Jan"), Available: []Span{}, Bookings: []BookingView{}}
			for _, av := range cal.Available(d0, d1) {
				wd.Available = append(wd.Available, Span{Start: av.Start.UTC(), End: av.End.UTC(),
					Local: av.Start.In(st.loc).Format("15:04") + "–" + av.End.In(st.loc).Format("15:04 MST")})
			}
			for _, b := range bs {
				if b.StartsAt.Before(d0) || !b.StartsAt.Before(d1) {
					continue
				}
				v, err := a.bookingView(ctx, tx, b, st.loc)
				if err != nil {
					return err
				}
				v.ClientName = a.userName(ctx, tx, b.ClientID)
				wd.Bookings = append(wd.Bookings, v)
				if !seen[b.ClientID] {
					seen[b.ClientID] = true
					if err := record(ctx, tx, ac, "booking.read", b.ClientID, b.ClientID, "week"); err != nil {
						return err
					}
				}
			}
			out.Days = append(out.Days, wd)
		}
		return nil
	})
	return out, err
}

// IntakeRequests returns the practitioner's active bookings between from
// and to whose clients still have no screening current at the session's
// start: for the Today page. Admins see every practitioner's. Each
// client's read is audited.
func (a *Bookings) IntakeRequests(ctx context.Context, ac Actor, from, to time.Time) ([]BookingView, error) {
	var out []BookingView
	if !ac.is(holdspace.RoleAdmin) && !ac.is(holdspace.RolePractitioner) {
		return nil, forbidden("Only practitioners and admins see intake requests.")
	}
	err := a.update(ctx, func(tx bookingsTx) error {
		f := store.BookingFilter{From: from, To: to, Active: true}
		if ac.is(holdspace.RolePractitioner) {
			f.PractitionerID = ac.UserID
		}
		bs, err := tx.ListBookings(ctx, f)
		if err != nil {
			return err
		}
		st, err := a.practiceSettings(ctx, tx)
		if err != nil {
			return err
		}
		for _, b := range bs {
			if ac.is(holdspace.RolePractitioner) {
				if _, err := visibleClient(ctx, tx, ac, b.ClientID); err != nil {
					continue
				}
			}
			v, err := a.bookingView(ctx, tx, b, st.loc)
			if err != nil {
				return err
			}
			if !v.IntakeDue {
				continue
			}
			v.ClientName = a.userName(ctx, tx, b.ClientID)
			out = append(out, v)
			if err := record(ctx, tx, ac, "booking.read", b.ClientID, b.ClientID, "intake"); err != nil {
				return err
			}
		}
		return nil
	})
	return nonNil(out), err
}

// BookingChoice is a practitioner a client may book with.
type BookingChoice struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// BookingOptions returns what a client may book: the active session types
// the practice offers and their assigned practitioners.
func (a *Bookings) BookingOptions(ctx context.Context, ac Actor) ([]SessionTypeView, []BookingChoice, error) {
	var types []SessionTypeView
	var people []BookingChoice
	if !ac.is(holdspace.RoleClient) {
		return nil, nil, forbidden("Only a client books from the portal.")
	}
	err := a.view(ctx, func(tx bookingsTx) error {
		st, err := a.practiceSettings(ctx, tx)
		if err != nil {
			return err
		}
		c, err := tx.Client(ctx, ac.UserID)
		if err != nil {
			return err
		}
		ts, err := tx.ListSessionTypes(ctx, true)
		if err != nil {
			return err
		}
		for _, t := range ts {
			if domainType(t).Offered(st.settings) == nil {
				types = append(types, sessionTypeView(t, st.settings))
			}
		}
		for _, p := range c.PractitionerIDs {
			people = append(people, BookingChoice{ID: p, Name: a.userName(ctx, tx, p)})
		}
		return nil
	})
	return nonNil(types), nonNil(people), err
}

// bookingsOf returns every booking of a client, opened, for the client's
// export (GDPR Art. 15 and 20).
func (a *core) bookingsOf(ctx context.Context, tx bookingsTx, clientID string) ([]BookingView, error) {
	st, err := a.practiceSettings(ctx, tx)
	if err != nil {
		return nil, err
	}
	bs, err := tx.ListBookings(ctx, store.BookingFilter{ClientID: clientID})
	if err != nil {
		return nil, err
	}
	out := []BookingView{}
	for _, b := range bs {
		v, err := a.bookingView(ctx, tx, b, st.loc)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}
