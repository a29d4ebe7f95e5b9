package practice

import (
	"time"

	"holdspace"
)

// Refusal reports whether e may follow a stop ("not today") recorded before
// the session began, given the facts f so far. Every refusal is kept: after
// such a stop the session cannot begin until a fresh re-confirmation is
// recorded, and when the client said stop, only the client's own
// re-confirmation counts (a practitioner recording it "in person" could
// otherwise walk around it). Errors:
//   - begin while refused → ECONFLICT "reconfirm_required";
//   - reconfirm by anyone but the client after the client's refusal →
//     ECONFLICT "client_reconfirm_required".
//
// It returns nil for every other event and whenever f holds no refusal.
func (f *Facts) Refusal(e Event) error {
	if !f.Refused {
		return nil
	}
	switch e.Type {
	case EventBegin:
		return holdspace.Conflict("reconfirm_required", "Stop was said before the session began; it can begin only after the client confirms again.")
	case EventReconfirm:
		if f.RefusedByClient && e.ActorRole != holdspace.RoleClient {
			return holdspace.Conflict("client_reconfirm_required", "The client said stop; only the client, from their own account, can confirm again.")
		}
	}
	return nil
}

// DefaultDuration is a session's booked duration when the booking names
// none.
const DefaultDuration = time.Hour

// Booking is when a session is booked: its start and its duration.
type Booking struct {
	StartsAt time.Time
	Duration time.Duration // zero or negative: DefaultDuration
}

// CloseBy returns when a session booked as b ends by itself: its start,
// plus its duration, plus grace (negative grace counts as zero).
func (b Booking) CloseBy(grace time.Duration) time.Time {
	d := b.Duration
	if d <= 0 {
		d = DefaultDuration
	}
	return b.StartsAt.Add(d + max(grace, 0))
}

// Overdue reports whether a session in state s booked as b is live at `at`
// although its CloseBy(grace) has passed: it must be closed automatically.
func (b Booking) Overdue(s State, grace time.Duration, at time.Time) bool {
	return s.IsLive() && !at.Before(b.CloseBy(grace))
}

// MayOpen reports whether a session booked as b may open at `at`: within
// window either side of its start, and before it would close by itself.
// Errors: ECONFLICT "too_early" or "too_late" (field "starts_at").
func (b Booking) MayOpen(at time.Time, window, grace time.Duration) error {
	window = max(window, 0)
	if at.Before(b.StartsAt.Add(-window)) {
		e := holdspace.Conflict("too_early", "This session starts at %s; it can open from %s.",
			b.StartsAt.UTC().Format(time.RFC3339), b.StartsAt.Add(-window).UTC().Format(time.RFC3339))
		e.Field = "starts_at"
		return e
	}
	if at.After(b.StartsAt.Add(window)) || !at.Before(b.CloseBy(grace)) {
		e := holdspace.Conflict("too_late", "This session was booked for %s; it is too late to open it. Book a new one.",
			b.StartsAt.UTC().Format(time.RFC3339))
		e.Field = "starts_at"
		return e
	}
	return nil
}
