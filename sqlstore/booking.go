package sqlstore

import (
	"context"
	"time"

	"holdspace"
	"holdspace/store"
)

const sessionTypeCols = `id, name, intent, duration_minutes, buffer_minutes, regions, active, created_at, updated_at`

func scanSessionType(s scanner) (*store.SessionType, error) {
	var t store.SessionType
	var dur, buf int64
	err := s.Scan(&t.ID, &t.Name, &t.Intent, &dur, &buf, listCol{&t.Regions}, &t.Active, timeCol{&t.CreatedAt}, timeCol{&t.UpdatedAt})
	t.Duration, t.Buffer = time.Duration(dur)*time.Minute, time.Duration(buf)*time.Minute
	return &t, err
}

// CreateSessionType implements store.Bookings; ECONFLICT when the id
// exists.
func (t *Tx) CreateSessionType(ctx context.Context, st *store.SessionType) error {
	_, err := t.exec(ctx, "create session type", `INSERT INTO session_types (`+sessionTypeCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		st.ID, st.Name, st.Intent, int64(st.Duration/time.Minute), int64(st.Buffer/time.Minute), list(st.Regions), st.Active,
		micros(st.CreatedAt), micros(st.UpdatedAt))
	return err
}

// UpdateSessionType implements store.Bookings; ENOTFOUND.
func (t *Tx) UpdateSessionType(ctx context.Context, st *store.SessionType) error {
	n, err := t.exec(ctx, "update session type", `UPDATE session_types SET name = $2, intent = $3, duration_minutes = $4,
		buffer_minutes = $5, regions = $6, active = $7, updated_at = $8 WHERE id = $1`,
		st.ID, st.Name, st.Intent, int64(st.Duration/time.Minute), int64(st.Buffer/time.Minute), list(st.Regions), st.Active,
		micros(st.UpdatedAt))
	if err != nil {
		return err
	}
	if n == 0 {
		return holdspace.NotFound("session type")
	}
	return nil
}

// SessionType implements store.Bookings; ENOTFOUND.
func (t *Tx) SessionType(ctx context.Context, id string) (*store.SessionType, error) {
	return one(ctx, t, "session type", `SELECT `+sessionTypeCols+` FROM session_types WHERE id = $1`, scanSessionType, id)
}

// ListSessionTypes implements store.Bookings: by name.
func (t *Tx) ListSessionTypes(ctx context.Context, activeOnly bool) ([]*store.SessionType, error) {
	q := `SELECT ` + sessionTypeCols + ` FROM session_types`
	if activeOnly {
		q += ` WHERE active`
	}
	return many(ctx, t, "session types", q+` ORDER BY name, id`, scanSessionType)
}

const availabilityCols = `id, practitioner_id, weekday, start_minute, end_minute, created_at`

func scanAvailability(s scanner) (*store.AvailabilityWindow, error) {
	var w store.AvailabilityWindow
	err := s.Scan(&w.ID, &w.PractitionerID, &w.Weekday, &w.Start, &w.End, timeCol{&w.CreatedAt})
	return &w, err
}

// CreateAvailability implements store.Bookings; ENOTFOUND when the
// practitioner does not exist.
func (t *Tx) CreateAvailability(ctx context.Context, w *store.AvailabilityWindow) error {
	_, err := t.exec(ctx, "create availability", `INSERT INTO availability (`+availabilityCols+`) VALUES ($1, $2, $3, $4, $5, $6)`,
		w.ID, w.PractitionerID, w.Weekday, w.Start, w.End, micros(w.CreatedAt))
	return err
}

// DeleteAvailability implements store.Bookings; ENOTFOUND.
func (t *Tx) DeleteAvailability(ctx context.Context, practitionerID, id string) error {
	n, err := t.exec(ctx, "delete availability", `DELETE FROM availability WHERE id = $1 AND practitioner_id = $2`, id, practitionerID)
	if err != nil {
		return err
	}
	if n == 0 {
		return holdspace.NotFound("availability")
	}
	return nil
}

// ListAvailability implements store.Bookings: by weekday and start.
func (t *Tx) ListAvailability(ctx context.Context, practitionerID string) ([]*store.AvailabilityWindow, error) {
	return many(ctx, t, "availability", `SELECT `+availabilityCols+` FROM availability WHERE practitioner_id = $1
		ORDER BY weekday, start_minute, id`, scanAvailability, practitionerID)
}

const exceptionCols = `id, practitioner_id, starts_at, ends_at, reason, created_at, created_by`

func scanException(s scanner) (*store.AvailabilityException, error) {
	var e store.AvailabilityException
	err := s.Scan(&e.ID, &e.PractitionerID, timeCol{&e.From}, timeCol{&e.To}, &e.Reason, timeCol{&e.CreatedAt}, &e.CreatedBy)
	return &e, err
}

// CreateException implements store.Bookings; ENOTFOUND when the
// practitioner does not exist.
func (t *Tx) CreateException(ctx context.Context, e *store.AvailabilityException) error {
	_, err := t.exec(ctx, "create exception", `INSERT INTO availability_exceptions (`+exceptionCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		e.ID, e.PractitionerID, micros(e.From), micros(e.To), e.Reason, micros(e.CreatedAt), e.CreatedBy)
	return err
}

// DeleteException implements store.Bookings; ENOTFOUND.
func (t *Tx) DeleteException(ctx context.Context, practitionerID, id string) error {
	n, err := t.exec(ctx, "delete exception", `DELETE FROM availability_exceptions WHERE id = $1 AND practitioner_id = $2`, id, practitionerID)
	if err != nil {
		return err
	}
	if n == 0 {
		return holdspace.NotFound("exception")
	}
	return nil
}

// ListExceptions implements store.Bookings: exceptions overlapping
// [from, to), earliest first.
func (t *Tx) ListExceptions(ctx context.Context, practitionerID string, from, to time.Time) ([]*store.AvailabilityException, error) {
	var w where
	w.add("practitioner_id = ?", practitionerID)
	if !from.IsZero() {
		w.add("ends_at > ?", from.UnixMicro())
	}
	if !to.IsZero() {
		w.add("starts_at < ?", to.UnixMicro())
	}
	return many(ctx, t, "exceptions", `SELECT `+exceptionCols+` FROM availability_exceptions`+w.String()+` ORDER BY starts_at, id`,
		scanException, w.args...)
}

const bookingCols = `session_id, client_id, practitioner_id, session_type, starts_at, ends_at, blocked_until, status,
	intake_requested, booked_at, booked_by, changed_at, changed_by, changed_role, late`

func scanBooking(s scanner) (*store.Booking, error) {
	var b store.Booking
	err := s.Scan(&b.SessionID, &b.ClientID, &b.PractitionerID, &b.SessionType, timeCol{&b.StartsAt}, timeCol{&b.EndsAt},
		timeCol{&b.BlockedUntil}, &b.Status, &b.IntakeRequested, timeCol{&b.BookedAt}, &b.BookedBy, timeCol{&b.ChangedAt},
		&b.ChangedBy, &b.ChangedRole, &b.Late)
	return &b, err
}

// lockCalendar serializes booking writes of one practitioner: every one
// of them first updates the practitioner's booking_calendars row, which
// PostgreSQL locks until the transaction ends (SQLite's single writer
// serializes all writes anyway). The overlap check that follows therefore
// sees every booking committed before it.
func (t *Tx) lockCalendar(ctx context.Context, practitionerID string) error {
	_, err := t.exec(ctx, "lock calendar", `INSERT INTO booking_calendars (practitioner_id, version) VALUES ($1, 1)
		ON CONFLICT (practitioner_id) DO UPDATE SET version = booking_calendars.version + 1`, practitionerID)
	return err
}

// checkFree returns ECONFLICT slot_taken when [start, until) overlaps an
// active booking of the practitioner other than except's, or one of their
// sessions without a booking that is neither cancelled nor closed.
func (t *Tx) checkFree(ctx context.Context, practitionerID, except string, start, until time.Time) error {
	taken, err := t.exists(ctx, "check booking", `SELECT 1 FROM bookings b JOIN sessions s ON s.id = b.session_id
		WHERE b.practitioner_id = $1 AND b.session_id <> $2 AND b.status = 'booked' AND s.state <> 'cancelled'
		AND b.starts_at < $4 AND b.blocked_until > $3
		UNION ALL
		SELECT 1 FROM sessions s WHERE s.practitioner_id = $1 AND s.id <> $2 AND s.state NOT IN ('cancelled', 'closed')
		AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.session_id = s.id)
		AND s.starts_at < $4 AND s.starts_at + s.duration_minutes * CAST(60000000 AS BIGINT) > $3
		LIMIT 1`, practitionerID, except, start.UnixMicro(), until.UnixMicro())
	if err != nil {
		return err
	}
	if taken {
		e := holdspace.Conflict("slot_taken", "That time is booked already.")
		e.Field = "starts_at"
		return e
	}
	return nil
}

func validSpan(b *store.Booking) error {
	if !b.StartsAt.Before(b.EndsAt) || b.BlockedUntil.Before(b.EndsAt) {
		return holdspace.Invalid("invalid_period", "starts_at", "A booking ends after it starts and its buffer after it ends.")
	}
	return nil
}

// CreateBooking implements store.Bookings: under the practitioner's lock,
// ECONFLICT slot_taken when the span is taken; ENOTFOUND when the session
// does not exist.
func (t *Tx) CreateBooking(ctx context.Context, b *store.Booking) error {
	if err := validSpan(b); err != nil {
		return err
	}
	if err := t.lockCalendar(ctx, b.PractitionerID); err != nil {
		return err
	}
	if err := t.checkFree(ctx, b.PractitionerID, b.SessionID, b.StartsAt, b.BlockedUntil); err != nil {
		return err
	}
	found, err := t.exists(ctx, "create booking", `SELECT 1 FROM sessions WHERE id = $1`, b.SessionID)
	if err != nil {
		return err
	}
	if !found {
		return holdspace.NotFound("session")
	}
	_, err = t.exec(ctx, "create booking", `INSERT INTO bookings (`+bookingCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		b.SessionID, b.ClientID, b.PractitionerID, b.SessionType, micros(b.StartsAt), micros(b.EndsAt), micros(b.BlockedUntil),
		b.Status, b.IntakeRequested, micros(b.BookedAt), b.BookedBy, nullMicros(b.ChangedAt), b.ChangedBy, b.ChangedRole, b.Late)
	return err
}

// Booking implements store.Bookings; ENOTFOUND.
func (t *Tx) Booking(ctx context.Context, sessionID string) (*store.Booking, error) {
	return one(ctx, t, "booking", `SELECT `+bookingCols+` FROM bookings WHERE session_id = $1`, scanBooking, sessionID)
}

// ListBookings implements store.Bookings: by StartsAt.
func (t *Tx) ListBookings(ctx context.Context, f store.BookingFilter) ([]*store.Booking, error) {
	var w where
	if f.PractitionerID != "" {
		w.add("practitioner_id = ?", f.PractitionerID)
	}
	if f.ClientID != "" {
		w.add("client_id = ?", f.ClientID)
	}
	if !f.From.IsZero() {
		w.add("starts_at >= ?", f.From.UnixMicro())
	}
	if !f.To.IsZero() {
		w.add("starts_at < ?", f.To.UnixMicro())
	}
	if f.Active {
		w.conds = append(w.conds, "status = 'booked'")
	}
	return many(ctx, t, "bookings", `SELECT `+bookingCols+` FROM bookings`+w.String()+` ORDER BY starts_at, session_id`,
		scanBooking, w.args...)
}

// activeBooking returns the booking of a session when it is booked;
// ECONFLICT not_active otherwise, ENOTFOUND.
func (t *Tx) activeBooking(ctx context.Context, sessionID string) (*store.Booking, error) {
	cur, err := t.Booking(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	if cur.Status != "booked" {
		return nil, holdspace.Conflict("not_active", "This booking was %s already.", cur.Status)
	}
	return cur, nil
}

// RescheduleBooking implements store.Bookings.
func (t *Tx) RescheduleBooking(ctx context.Context, b *store.Booking) error {
	if err := validSpan(b); err != nil {
		return err
	}
	cur, err := t.activeBooking(ctx, b.SessionID)
	if err != nil {
		return err
	}
	if err := t.lockCalendar(ctx, cur.PractitionerID); err != nil {
		return err
	}
	if err := t.checkFree(ctx, cur.PractitionerID, b.SessionID, b.StartsAt, b.BlockedUntil); err != nil {
		return err
	}
	if _, err := t.exec(ctx, "reschedule booking", `UPDATE bookings SET starts_at = $2, ends_at = $3, blocked_until = $4
		WHERE session_id = $1`, b.SessionID, micros(b.StartsAt), micros(b.EndsAt), micros(b.BlockedUntil)); err != nil {
		return err
	}
	_, err = t.exec(ctx, "reschedule booking", `UPDATE sessions SET starts_at = $2, duration_minutes = $3 WHERE id = $1`,
		b.SessionID, micros(b.StartsAt), durationMinutes(b.EndsAt.Sub(b.StartsAt)))
	return err
}

// EndBooking implements store.Bookings.
func (t *Tx) EndBooking(ctx context.Context, b *store.Booking) error {
	if b.Status != "cancelled" && b.Status != "no-show" {
		return holdspace.Invalid("invalid_status", "status", "A booking ends cancelled or as a no-show.")
	}
	if _, err := t.activeBooking(ctx, b.SessionID); err != nil {
		return err
	}
	_, err := t.exec(ctx, "end booking", `UPDATE bookings SET status = $2, changed_at = $3, changed_by = $4, changed_role = $5,
		late = $6 WHERE session_id = $1 AND status = 'booked'`,
		b.SessionID, b.Status, micros(b.ChangedAt), b.ChangedBy, b.ChangedRole, b.Late)
	return err
}

// bookingSnapshot is the issue-14 part of a practice copied between
// engines.
type bookingSnapshot struct {
	types      []*store.SessionType
	windows    []*store.AvailabilityWindow
	exceptions []*store.AvailabilityException
	bookings   []*store.Booking
	calendars  map[string]int64
}

func (p *bookingSnapshot) size() int {
	return len(p.types) + len(p.windows) + len(p.exceptions) + len(p.bookings) + len(p.calendars)
}

func (p *bookingSnapshot) read(ctx context.Context, tx store.Tx, users []*store.User) error {
	var err error
	if p.types, err = tx.ListSessionTypes(ctx, false); err != nil {
		return err
	}
	for _, u := range users {
		if u.Role != holdspace.RolePractitioner {
			continue
		}
		ws, err := tx.ListAvailability(ctx, u.ID)
		if err != nil {
			return err
		}
		p.windows = append(p.windows, ws...)
		es, err := tx.ListExceptions(ctx, u.ID, time.Time{}, time.Time{})
		if err != nil {
			return err
		}
		p.exceptions = append(p.exceptions, es...)
	}
	if p.bookings, err = tx.ListBookings(ctx, store.BookingFilter{}); err != nil {
		return err
	}
	t, ok := tx.(*Tx)
	if !ok {
		return holdspace.Errorf(holdspace.EINTERNAL, "copy: bookings need a sqlstore transaction")
	}
	type calendar struct {
		id      string
		version int64
	}
	cals, err := many(ctx, t, "booking calendars", `SELECT practitioner_id, version FROM booking_calendars ORDER BY practitioner_id`,
		func(s scanner) (calendar, error) {
			var c calendar
			err := s.Scan(&c.id, &c.version)
			return c, err
		})
	if err != nil {
		return err
	}
	p.calendars = make(map[string]int64, len(cals))
	for _, c := range cals {
		p.calendars[c.id] = c.version
	}
	return nil
}

// write stores the snapshot as it was; bookings go in as recorded (the
// source already held them without overlaps), after the calendar rows.
func (p *bookingSnapshot) write(ctx context.Context, tx store.Tx, tick func()) error {
	t, ok := tx.(*Tx)
	if !ok {
		return holdspace.Errorf(holdspace.EINTERNAL, "copy: bookings need a sqlstore transaction")
	}
	for _, st := range p.types {
		if err := t.CreateSessionType(ctx, st); err != nil {
			return err
		}
		tick()
	}
	for _, w := range p.windows {
		if err := t.CreateAvailability(ctx, w); err != nil {
			return err
		}
		tick()
	}
	for _, e := range p.exceptions {
		if err := t.CreateException(ctx, e); err != nil {
			return err
		}
		tick()
	}
	for id, v := range p.calendars {
		if _, err := t.exec(ctx, "import booking calendar", `INSERT INTO booking_calendars (practitioner_id, version) VALUES ($1, $2)`,
			id, v); err != nil {
			return err
		}
		tick()
	}
	for _, b := range p.bookings {
		if _, err := t.exec(ctx, "import booking", `INSERT INTO bookings (`+bookingCols+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
			b.SessionID, b.ClientID, b.PractitionerID, b.SessionType, micros(b.StartsAt), micros(b.EndsAt), micros(b.BlockedUntil),
			b.Status, b.IntakeRequested, micros(b.BookedAt), b.BookedBy, nullMicros(b.ChangedAt), b.ChangedBy, b.ChangedRole, b.Late); err != nil {
			return err
		}
		tick()
	}
	return nil
}
