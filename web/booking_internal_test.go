package web

import (
	"testing"
	"time"

	"holdspace"
)

func TestLocalInputAcrossDST(t *testing.T) {
	la, _ := time.LoadLocation("America/Los_Angeles")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	for _, c := range []struct {
		name, in string
		loc      *time.Location
		reason   string
		want     time.Time
	}{
		{"Plain", "2026-12-01T14:00", la, "", time.Date(2026, 12, 1, 22, 0, 0, 0, time.UTC)},
		{"SkippedLA", "2026-03-08T02:30", la, "nonexistent_local_time", time.Time{}},
		{"RepeatedLA", "2026-11-01T01:30", la, "ambiguous_local_time", time.Time{}},
		{"SkippedBerlin", "2027-03-28T02:30", berlin, "nonexistent_local_time", time.Time{}},
		{"RepeatedBerlin", "2026-10-25T02:30", berlin, "ambiguous_local_time", time.Time{}},
		{"AfterRepeat", "2026-10-25T03:30", berlin, "", time.Date(2026, 10, 25, 2, 30, 0, 0, time.UTC)},
		{"Garbage", "tomorrow", la, "invalid_time", time.Time{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := localInput("starts_at", c.in, c.loc)
			if c.reason != "" {
				if holdspace.ErrorReason(err) != c.reason || holdspace.ErrorField(err) != "starts_at" {
					t.Fatalf("localInput(%q) = %v, %v; want %s", c.in, got, err, c.reason)
				}
				return
			}
			if err != nil || !got.Equal(c.want) {
				t.Fatalf("localInput(%q) = %v, %v; want %v", c.in, got, err, c.want)
			}
		})
	}
}
