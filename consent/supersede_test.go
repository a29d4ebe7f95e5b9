package consent

import (
	"testing"
	"time"

	"holdspace/catalogue"
)

// TestSupersession: the one rule (Current) and what reads it — StatusAt
// and SupersededAt — agree, whatever order the versions are listed or
// signed in. Moved here from app (agreement signing, FHIR export).
func TestSupersession(t *testing.T) {
	th := catalogue.Therapeutic
	v1 := Agreement{ID: "v1", Intent: th, Version: 1, SignedAt: t0.Add(time.Hour)}
	v2 := Agreement{ID: "v2", Intent: th, Version: 2} // a draft never supersedes
	// v4 was signed before v3 (a later version's signature can come first).
	v3 := Agreement{ID: "v3", Intent: th, Version: 3, SignedAt: t0.Add(5 * time.Hour)}
	v4 := Agreement{ID: "v4", Intent: th, Version: 4, SignedAt: t0.Add(3 * time.Hour)}
	s1 := Agreement{ID: "s1", Intent: catalogue.Sensual, Version: 7, SignedAt: t0.Add(2 * time.Hour)}
	all := []Agreement{v4, s1, v2, v1, v3}

	current := []struct {
		at   time.Duration
		want string
	}{
		{0, ""},
		{time.Hour, "v1"},
		{2 * time.Hour, "v1"},
		{3 * time.Hour, "v4"},
		{6 * time.Hour, "v4"}, // v3 signed later does not displace the higher v4
	}
	for _, c := range current {
		got, ok := Current(all, th, t0.Add(c.at))
		if c.want == "" {
			if ok {
				t.Errorf("Current at +%v = %s, want none", c.at, got.ID)
			}
			continue
		}
		if !ok || got.ID != c.want {
			t.Errorf("Current at +%v = %v, want %s", c.at, got, c.want)
		}
	}
	if got, ok := Current(all, catalogue.Sensual, t0.Add(2*time.Hour)); !ok || got.ID != "s1" {
		t.Errorf("Current of the other intent = %v, want s1", got)
	}

	superseded := []struct {
		a    Agreement
		want time.Time
	}{
		{v1, t0.Add(3 * time.Hour)}, // first superseded by v4, not by v3 later
		{v2, t0.Add(3 * time.Hour)},
		{v3, t0.Add(3 * time.Hour)}, // signed when v4 already was
		{v4, time.Time{}},
		{s1, time.Time{}},
	}
	for _, s := range superseded {
		if got := s.a.SupersededAt(all); !got.Equal(s.want) {
			t.Errorf("%s.SupersededAt = %v, want %v", s.a.ID, got, s.want)
		}
		for _, at := range []time.Duration{0, time.Hour, 3*time.Hour - time.Microsecond, 3 * time.Hour, 6 * time.Hour} {
			st := StatusAt(&s.a, all, t0.Add(at))
			isSuperseded := !s.want.IsZero() && !t0.Add(at).Before(s.want) && s.a.signedBy(t0.Add(at))
			if (st == StatusSuperseded) != isSuperseded {
				t.Errorf("StatusAt(%s, +%v) = %s, SupersededAt says %v", s.a.ID, at, st, s.want)
			}
		}
	}
}
