package store

import (
	"context"
	"time"
)

// SessionType is a kind of session the practice offers for booking
// (booking.SessionType). Regions are catalogue region codes.
type SessionType struct {
	ID        string
	Name      string
	Intent    string
	Duration  time.Duration // stored in whole minutes
	Buffer    time.Duration // stored in whole minutes
	Regions   []string
	Active    bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// AvailabilityWindow is one weekly period a practitioner is available:
// Weekday 0 (Sunday) to 6, Start and End in minutes after local midnight in
// the practice's time zone.
type AvailabilityWindow struct {
	ID             string
	PractitionerID string
	Weekday        int
	Start, End     int
	CreatedAt      time.Time
}

// AvailabilityException removes a practitioner's availability over
// [From, To): a holiday, a sick day.
type AvailabilityException struct {
	ID             string
	PractitionerID string
	From, To       time.Time
	Reason         string
	CreatedAt      time.Time
	CreatedBy      string
}

// Booking is how a session came to be booked: the session (SessionID, the
// key) with its practitioner and client, the span it keeps the
// practitioner busy ([StartsAt, BlockedUntil): the session and the buffer
// after it), its status, and who cancelled it or recorded the no-show and
// when. SessionType holds the session type's id sealed under the client's
// data key by the app (it says what work the client booked).
type Booking struct {
	SessionID      string
	ClientID       string
	PractitionerID string
	SessionType    string
	StartsAt       time.Time
	EndsAt         time.Time
	BlockedUntil   time.Time
	// Status is "booked", "cancelled" or "no-show".
	Status string
	// IntakeRequested is set when the client had no current screening at
	// booking: they are asked to complete intake before the day.
	IntakeRequested bool
	BookedAt        time.Time
	BookedBy        string
	// ChangedAt, ChangedBy and ChangedRole record the cancellation or the
	// no-show; Late is set for a cancellation within the practice's
	// cancellation window.
	ChangedAt   time.Time
	ChangedBy   string
	ChangedRole string
	Late        bool
}

// BookingFilter selects bookings. Zero fields select all.
type BookingFilter struct {
	PractitionerID string
	ClientID       string
	From, To       time.Time // StartsAt in [From, To)
	// Active selects only bookings with status booked.
	Active bool
}

// Bookings stores session types, availability and bookings. A booking's
// span never overlaps another active booking of the same practitioner,
// whatever the concurrency: CreateBooking and RescheduleBooking serialize
// on the practitioner and check inside the transaction.
type Bookings interface {
	// CreateSessionType stores t; ECONFLICT when the id exists.
	CreateSessionType(ctx context.Context, t *SessionType) error
	// UpdateSessionType replaces name, intent, duration, buffer, regions,
	// active and UpdatedAt of t; ENOTFOUND.
	UpdateSessionType(ctx context.Context, t *SessionType) error
	// SessionType returns one session type; ENOTFOUND.
	SessionType(ctx context.Context, id string) (*SessionType, error)
	// ListSessionTypes returns every session type by name (only active
	// ones when activeOnly).
	ListSessionTypes(ctx context.Context, activeOnly bool) ([]*SessionType, error)

	// CreateAvailability stores w; ENOTFOUND when the practitioner does
	// not exist.
	CreateAvailability(ctx context.Context, w *AvailabilityWindow) error
	// DeleteAvailability deletes one of a practitioner's windows;
	// ENOTFOUND.
	DeleteAvailability(ctx context.Context, practitionerID, id string) error
	// ListAvailability returns a practitioner's windows by weekday and
	// start.
	ListAvailability(ctx context.Context, practitionerID string) ([]*AvailabilityWindow, error)
	// CreateException stores e; ENOTFOUND when the practitioner does not
	// exist.
	CreateException(ctx context.Context, e *AvailabilityException) error
	// DeleteException deletes one of a practitioner's exceptions;
	// ENOTFOUND.
	DeleteException(ctx context.Context, practitionerID, id string) error
	// ListExceptions returns a practitioner's exceptions that end after
	// from and start before to (zero: unbounded), earliest first.
	ListExceptions(ctx context.Context, practitionerID string, from, to time.Time) ([]*AvailabilityException, error)

	// CreateBooking stores b (its session must exist) after taking the
	// practitioner's booking lock. ECONFLICT slot_taken (field starts_at)
	// when [StartsAt, BlockedUntil) overlaps an active booking of the
	// practitioner, or a session of theirs neither cancelled nor closed
	// that has no booking; EINVALID when BlockedUntil is not after
	// StartsAt; ENOTFOUND when the session does not exist.
	CreateBooking(ctx context.Context, b *Booking) error
	// Booking returns the booking of a session; ENOTFOUND.
	Booking(ctx context.Context, sessionID string) (*Booking, error)
	// ListBookings returns matching bookings by StartsAt, earliest first.
	ListBookings(ctx context.Context, f BookingFilter) ([]*Booking, error)
	// RescheduleBooking moves an active booking and its session to
	// b.StartsAt, b.EndsAt and b.BlockedUntil under the same lock and
	// overlap check as CreateBooking (the booking itself excluded).
	// ECONFLICT not_active when it is not booked; ENOTFOUND.
	RescheduleBooking(ctx context.Context, b *Booking) error
	// EndBooking sets an active booking's Status (cancelled or no-show),
	// ChangedAt, ChangedBy, ChangedRole and Late. ECONFLICT not_active when
	// it is not booked; ENOTFOUND.
	EndBooking(ctx context.Context, b *Booking) error
}
