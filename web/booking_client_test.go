package web

import (
	"testing"
	"time"

	"holdspace/app"
	"holdspace/i18n"
)

// A German client reads free times and bookings the German way, in the
// practice's zone, grouped by day; English keeps the app's labels.
func TestSlotsInGerman(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	at := time.Date(2026, 12, 2, 14, 0, 0, 0, berlin)
	slots := []app.SlotView{
		{StartsAt: at.UTC(), Local: app.LocalLabel(at, berlin), Zone: "Europe/Berlin"},
		{StartsAt: at.Add(time.Hour).UTC(), Local: app.LocalLabel(at.Add(time.Hour), berlin), Zone: "Europe/Berlin"},
	}
	de := i18n.Default().Localizer("de")
	days := groupSlots(localSlots(de, slots))
	if len(days) != 1 || days[0].Label != "Mi., 2. Dez. 2026" || len(days[0].Slots) != 2 {
		t.Fatalf("German days = %+v", days)
	}
	if got := slotTime(days[0].Slots[1].Local); got != "15:00 MEZ" {
		t.Errorf("German slot time = %q", got)
	}
	en := groupSlots(localSlots(i18n.Default().Localizer("en"), slots))
	if en[0].Label != "Wed 2 Dec" || slotTime(en[0].Slots[0].Local) != "14:00 CET" {
		t.Errorf("English days = %+v", en)
	}
	bs := localBookings(de, []app.BookingView{{StartsAt: at.UTC(), Local: "x", Zone: "Europe/Berlin"}, {Local: "kept", Zone: "Nowhere/Else"}})
	if bs[0].Local != "Mi., 2. Dez. 2026, 14:00 MEZ" || bs[1].Local != "kept" {
		t.Errorf("German bookings = %q, %q", bs[0].Local, bs[1].Local)
	}
}
