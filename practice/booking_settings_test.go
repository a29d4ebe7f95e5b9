package practice

import (
	"testing"
	"time"

	"holdspace"
)

func TestBookingSettingsDefaultsAndBounds(t *testing.T) {
	d := DefaultSettings()
	if d.CancellationWindowHours != 24 || d.NoShowAfterMinutes != 15 {
		t.Fatalf("defaults = %d h, %d min", d.CancellationWindowHours, d.NoShowAfterMinutes)
	}
	if (Settings{}).CancellationWindow() != 24*time.Hour || (Settings{}).NoShowAfter() != 15*time.Minute {
		t.Fatal("unset settings must read as the defaults")
	}
	filled := Settings{}.WithDefaults()
	if filled.CancellationWindowHours != 24 || filled.NoShowAfterMinutes != 15 {
		t.Fatalf("WithDefaults = %+v", filled)
	}
	for _, c := range []struct {
		name   string
		mutate func(*Settings)
		field  string
	}{
		{"WindowNegative", func(s *Settings) { s.CancellationWindowHours = -1 }, "cancellation_window_hours"},
		{"WindowTooLong", func(s *Settings) { s.CancellationWindowHours = 337 }, "cancellation_window_hours"},
		{"NoShowNegative", func(s *Settings) { s.NoShowAfterMinutes = -5 }, "no_show_after_minutes"},
		{"NoShowTooLong", func(s *Settings) { s.NoShowAfterMinutes = 241 }, "no_show_after_minutes"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := DefaultSettings()
			c.mutate(&s)
			err := s.Validate()
			if holdspace.ErrorReason(err) != "out_of_range" || holdspace.ErrorField(err) != c.field {
				t.Fatalf("Validate = %v, want out_of_range on %s", err, c.field)
			}
		})
	}
	s := DefaultSettings()
	s.CancellationWindowHours, s.NoShowAfterMinutes = 336, 240
	if err := s.Validate(); err != nil {
		t.Fatalf("upper bounds refused: %v", err)
	}
}
