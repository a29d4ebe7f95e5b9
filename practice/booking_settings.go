package practice

import (
	"time"

	"holdspace"
)

// Booking policy defaults and bounds.
const (
	// DefaultCancellationWindowHours: a cancellation less than a day ahead
	// is late.
	DefaultCancellationWindowHours = 24
	maxCancellationWindowHours     = 14 * 24
	// DefaultNoShowAfterMinutes: a client not there 15 minutes after the
	// start may be recorded as a no-show.
	DefaultNoShowAfterMinutes = 15
	maxNoShowAfterMinutes     = 240
)

// bookingDefaults fills the booking policy fields left at zero.
func (s Settings) bookingDefaults() Settings {
	if s.CancellationWindowHours == 0 {
		s.CancellationWindowHours = DefaultCancellationWindowHours
	}
	if s.NoShowAfterMinutes == 0 {
		s.NoShowAfterMinutes = DefaultNoShowAfterMinutes
	}
	return s
}

// validateBooking checks the booking policy: cancellation_window_hours
// 1–336 and no_show_after_minutes 1–240, else EINVALID "out_of_range".
func (s Settings) validateBooking() error {
	if s.CancellationWindowHours < 1 || s.CancellationWindowHours > maxCancellationWindowHours {
		return holdspace.Invalid("out_of_range", "cancellation_window_hours", "The cancellation window is between 1 and %d hours.", maxCancellationWindowHours)
	}
	if s.NoShowAfterMinutes < 1 || s.NoShowAfterMinutes > maxNoShowAfterMinutes {
		return holdspace.Invalid("out_of_range", "no_show_after_minutes", "A no-show can be recorded from 1 to %d minutes after the start.", maxNoShowAfterMinutes)
	}
	return nil
}

// CancellationWindow is how long before its start a cancellation is late
// (the default when unset).
func (s Settings) CancellationWindow() time.Duration {
	return time.Duration(s.bookingDefaults().CancellationWindowHours) * time.Hour
}

// NoShowAfter is how long after its start a booking may be recorded as a
// no-show (the default when unset).
func (s Settings) NoShowAfter() time.Duration {
	return time.Duration(s.bookingDefaults().NoShowAfterMinutes) * time.Minute
}
