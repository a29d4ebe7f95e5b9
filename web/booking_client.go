package web

import (
	"time"

	"holdspace/app"
	"holdspace/i18n"
)

// The client's booking pages in their language (issue 17): the app labels
// slots and bookings in English in the practice's zone ("Tue 1 Dec, 14:00
// CET"); for another language the label is written again from the time and
// that zone ("Di., 1. Dez. 2026, 14:00 MEZ"). English keeps the app's label.

func localSlots(l *i18n.Localizer, slots []app.SlotView) []app.SlotView {
	if l == nil || l.Lang() == i18n.Source {
		return slots
	}
	out := make([]app.SlotView, len(slots))
	for i, s := range slots {
		s.Local = localLabel(l, s.StartsAt, s.Zone, s.Local)
		out[i] = s
	}
	return out
}

func localBookings(l *i18n.Localizer, bs []app.BookingView) []app.BookingView {
	if l == nil || l.Lang() == i18n.Source {
		return bs
	}
	out := make([]app.BookingView, len(bs))
	for i, b := range bs {
		b.Local = localLabel(l, b.StartsAt, b.Zone, b.Local)
		out[i] = b
	}
	return out
}

// localLabel is t in the zone named zone, in l's words; def when the zone
// is unknown.
func localLabel(l *i18n.Localizer, t time.Time, zone, def string) string {
	loc, err := app.Location(zone)
	if zone == "" || err != nil {
		return def
	}
	return l.DateTime(t, loc)
}
