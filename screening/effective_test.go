package screening

import (
	"testing"
	"time"
)

// entry evaluates answers into a screening taken at `at`.
func entry(t *testing.T, id string, at time.Time, byPractitioner bool, m map[string]any) Entry {
	t.Helper()
	res, err := mustPack(t).Evaluate(decodePartial(t, m), Subject{}, at)
	if err != nil {
		t.Fatal(err)
	}
	return Entry{Record: Record{ID: id, TakenAt: at, ValidUntil: ValidUntil(at, DefaultValidityMonths), Result: res}, ByPractitioner: byPractitioner}
}

func confirmed(e Entry, at time.Time) Entry { e.ConfirmedAt = at; return e }

func heldBy(cur Current, rule string) (string, bool) {
	for _, f := range cur.Findings {
		if f.Rule == rule {
			return f.Held, true
		}
	}
	return "", false
}

// TestEffectiveNeverWidens walks the "fresh screening" sequence and
// its neighbours: what each rule keeps in force, and why.
func TestEffectiveNeverWidens(t *testing.T) {
	t1, t2, t3, t4 := testAt, testAt.Add(time.Hour), testAt.Add(2*time.Hour), testAt.Add(3*time.Hour)
	bleeding := map[string]any{"rectal-bleeding": true}
	allNo := map[string]any{"rectal-bleeding": false}
	clr := func(rule, screeningID string, at time.Time) Clearance {
		return Clearance{ID: "c-" + rule, Rule: rule, ScreeningID: screeningID, RecordedAt: at}
	}
	type want struct {
		rule string
		held string // "" with present: reported by the latest; "-": absent
	}
	tests := []struct {
		name       string
		history    []Entry
		clearances []Clearance
		liftFrom   time.Time
		want       []want
	}{
		{"client reports bleeding", []Entry{entry(t, "s1", t1, false, bleeding)}, nil, time.Time{},
			[]want{{"rectal-bleeding", ""}, {"rectal-bleeding-referral", ""}}},
		{"practitioner's all-no screening lifts nothing", []Entry{entry(t, "s1", t1, false, bleeding), entry(t, "s2", t2, true, allNo)}, nil, time.Time{},
			[]want{{"rectal-bleeding", HeldUnconfirmed}, {"rectal-bleeding-referral", HeldUntilCleared}}},
		{"confirmed by the client: the referral still stands", []Entry{entry(t, "s1", t1, false, bleeding), confirmed(entry(t, "s2", t2, true, allNo), t3)}, nil, time.Time{},
			[]want{{"rectal-bleeding", "-"}, {"rectal-bleeding-referral", HeldUntilCleared}}},
		{"the client's own all-no: the referral still stands", []Entry{entry(t, "s1", t1, false, bleeding), entry(t, "s2", t2, false, allNo)}, nil, time.Time{},
			[]want{{"rectal-bleeding", "-"}, {"rectal-bleeding-referral", HeldUntilCleared}}},
		{"a clearance recorded against the reporting screening lifts it", []Entry{entry(t, "s1", t1, false, bleeding), entry(t, "s2", t3, false, allNo)},
			[]Clearance{clr("rectal-bleeding-referral", "s1", t2)}, time.Time{}, []want{{"rectal-bleeding", "-"}, {"rectal-bleeding-referral", "-"}}},
		{"a clearance recorded against the latest screening lifts the held referral", []Entry{entry(t, "s1", t1, false, bleeding), entry(t, "s2", t2, false, allNo)},
			[]Clearance{clr("rectal-bleeding-referral", "s2", t3)}, time.Time{}, []want{{"rectal-bleeding-referral", "-"}}},
		{"a clearance older than a new report lifts nothing", []Entry{entry(t, "s1", t2, false, bleeding)},
			[]Clearance{clr("rectal-bleeding-referral", "s0", t1)}, time.Time{}, []want{{"rectal-bleeding-referral", ""}}},
		{"a lift mid-session applies from the next session", []Entry{entry(t, "s1", t1, false, bleeding), entry(t, "s2", t3, false, allNo)}, nil, t2,
			[]want{{"rectal-bleeding", HeldThisSession}, {"rectal-bleeding-referral", HeldUntilCleared}}},
		{"a lift before the session opened applies", []Entry{entry(t, "s1", t1, false, bleeding), entry(t, "s2", t2, false, allNo)}, nil, t3,
			[]want{{"rectal-bleeding", "-"}}},
		{"a confirmation mid-session applies from the next session", []Entry{entry(t, "s1", t1, false, bleeding), confirmed(entry(t, "s2", t2, true, allNo), t4)}, nil, t3,
			[]want{{"rectal-bleeding", HeldThisSession}}},
		{"held through several screenings", []Entry{entry(t, "s1", t1, false, bleeding), entry(t, "s2", t2, true, allNo), entry(t, "s3", t3, true, allNo)}, nil, time.Time{},
			[]want{{"rectal-bleeding", HeldUnconfirmed}, {"rectal-bleeding-referral", HeldUntilCleared}}},
		{"a later client screening after an unconfirmed one decides", []Entry{entry(t, "s1", t1, false, bleeding), entry(t, "s2", t2, true, allNo), entry(t, "s3", t3, false, allNo)}, nil, time.Time{},
			[]want{{"rectal-bleeding", "-"}, {"rectal-bleeding-referral", HeldUntilCleared}}},
		{"a practitioner may add findings at once", []Entry{entry(t, "s1", t1, false, allNo), entry(t, "s2", t2, true, bleeding)}, nil, time.Time{},
			[]want{{"rectal-bleeding", ""}, {"rectal-bleeding-referral", ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cur := Effective(tt.history, nil, tt.clearances, tt.liftFrom, t4)
			if cur.ID != tt.history[len(tt.history)-1].ID || !cur.Present {
				t.Fatalf("current is %q, not the latest", cur.ID)
			}
			for _, w := range tt.want {
				held, ok := heldBy(cur, w.rule)
				switch {
				case w.held == "-" && ok:
					t.Errorf("%s still applies (held %q)", w.rule, held)
				case w.held != "-" && !ok:
					t.Errorf("%s no longer applies", w.rule)
				case w.held != "-" && held != w.held:
					t.Errorf("%s held %q, want %q", w.rule, held, w.held)
				}
			}
			// Held findings count in the outcome by region.
			if _, ok := heldBy(cur, "rectal-bleeding"); ok && cur.Regions["rectum"] != Contraindicated {
				t.Errorf("rectum is %v with the bleeding finding in force", cur.Regions["rectum"])
			}
		})
	}
	if cur := Effective(nil, nil, nil, time.Time{}, t4); cur.Present {
		t.Error("no history, yet present")
	}
}
