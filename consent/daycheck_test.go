package consent

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"holdspace"

	"holdspace/catalogue"
	"holdspace/practice"
	"holdspace/screening"
)

func dayCheckEvent(role holdspace.Role, at time.Time, clear, unwell, changes bool) practice.Event {
	return practice.Event{Type: practice.EventDayCheck, ActorRole: role, At: at,
		Today: &practice.Today{ClearHeaded: clear, Unwell: unwell, Changes: changes}}
}

// daySession is session() with the given day checks in place of its clear
// one: opened, a1 v1 re-confirmed, the day checks, chaperone offered, begun
// at t0, then extra events.
func daySession(tb testing.TB, checks []practice.Event, extra ...practice.Event) *practice.Facts {
	tb.Helper()
	evs := []practice.Event{
		{Type: practice.EventOpen, ActorRole: holdspace.RolePractitioner, At: t0.Add(-5 * time.Minute)},
		{Type: practice.EventReconfirm, ActorRole: holdspace.RoleClient, At: t0.Add(-4 * time.Minute), AgreementID: "a1", AgreementVersion: 1},
	}
	evs = append(evs, checks...)
	evs = append(evs,
		practice.Event{Type: practice.EventChaperone, ActorRole: holdspace.RolePractitioner, At: t0.Add(-3 * time.Minute), Chaperone: &practice.Chaperone{Offered: true}},
		practice.Event{Type: practice.EventBegin, ActorRole: holdspace.RolePractitioner, At: t0})
	f, err := practice.Fold(catalogue.Therapeutic, append(evs, extra...))
	if err != nil {
		tb.Fatal(err)
	}
	return &f
}

// dayCheckCases are the rule 11 rows of the decision table: every answer
// of the day's check against one granted region of every group (general
// glutes, sensitive inner thighs, intimate perineum, internal rectum and
// prostate).
func dayCheckCases() []decideCase {
	type group struct {
		name, region, technique string
	}
	groups := []group{
		{"General", "glutes", "massage"},
		{"Sensitive", "inner-thighs", "massage"},
		{"Intimate", "perineum", "touch"},
		{"Internal", "rectum", "touch"},
		{"Prostate", "prostate", "massage"},
	}
	at := t0.Add(-4 * time.Minute)
	client, pract := holdspace.RoleClient, holdspace.RolePractitioner
	type answer struct {
		name    string
		checks  []practice.Event
		extra   []practice.Event
		facts   func(*ClientFacts)
		outcome func(g group) (Outcome, []string)
	}
	permit := func(group) (Outcome, []string) { return Permit, nil }
	denyAll := func(code string) func(group) (Outcome, []string) {
		return func(group) (Outcome, []string) { return Deny, []string{code} }
	}
	needsScreening := func(code string) func(g group) (Outcome, []string) {
		return func(g group) (Outcome, []string) {
			if r, _ := catalogue.LookupRegion(g.region); r.NeedsScreening() {
				return Deny, []string{code}
			}
			return Permit, nil
		}
	}
	answers := []answer{
		{name: "NoDayCheck", outcome: func(g group) (Outcome, []string) {
			if r, _ := catalogue.LookupRegion(g.region); r.NeedsReconfirmation() {
				return Deny, []string{CodeDayCheckRequired}
			}
			return Permit, nil
		}},
		{name: "Clear", checks: []practice.Event{dayCheckEvent(client, at, true, false, false)}, outcome: permit},
		{name: "ClearInPerson", checks: []practice.Event{dayCheckEvent(pract, at, true, false, false)}, outcome: permit},
		{name: "ClearDuringSession", extra: []practice.Event{dayCheckEvent(client, t0.Add(time.Minute), true, false, false)}, outcome: permit},
		{name: "NotClearHeaded", checks: []practice.Event{dayCheckEvent(client, at, false, false, false)}, outcome: denyAll(CodeCapacity)},
		{name: "NotClearHeadedInPerson", checks: []practice.Event{dayCheckEvent(pract, at, false, false, false)}, outcome: denyAll(CodeCapacity)},
		{name: "NotClearHeadedThenPractitionerSaysClear",
			checks:  []practice.Event{dayCheckEvent(client, at, false, false, false), dayCheckEvent(pract, at.Add(time.Minute), true, false, false)},
			outcome: denyAll(CodeCapacity)},
		{name: "NotClearHeadedMidSession", extra: []practice.Event{dayCheckEvent(client, now.Add(-time.Minute), false, false, false)},
			outcome: denyAll(CodeCapacity)},
		{name: "Unwell", checks: []practice.Event{dayCheckEvent(client, at, true, true, false)}, outcome: denyAll(CodeContraindicated)},
		{name: "UnwellThenWell",
			checks:  []practice.Event{dayCheckEvent(client, at, true, true, false), dayCheckEvent(client, at.Add(time.Minute), true, false, false)},
			outcome: denyAll(CodeContraindicated)},
		{name: "Changes", checks: []practice.Event{dayCheckEvent(client, at, true, false, true)}, outcome: needsScreening(CodeScreeningStale)},
		{name: "ChangesThenNoChanges",
			checks:  []practice.Event{dayCheckEvent(client, at, true, false, true), dayCheckEvent(pract, at.Add(time.Minute), true, false, false)},
			outcome: needsScreening(CodeScreeningStale)},
		{name: "ChangesAnsweredAgain", checks: []practice.Event{dayCheckEvent(client, at, true, false, true)},
			facts: func(f *ClientFacts) { f.Screening.TakenAt = at.Add(time.Second) }, outcome: permit},
		{name: "ChangesAnsweredAgainNarrows", checks: []practice.Event{dayCheckEvent(client, at, true, false, true)},
			facts: func(f *ClientFacts) {
				f.Screening.TakenAt = at.Add(time.Second)
				f.Screening.Findings = []screening.Finding{{Rule: "prostatitis-symptoms", Severity: screening.Contraindicated,
					Regions: []string{"prostate", "rectum", "anal-canal"}, Reason: "Acute prostatitis symptoms."}}
			},
			outcome: func(g group) (Outcome, []string) {
				if g.region == "rectum" || g.region == "prostate" {
					return Deny, []string{CodeContraindicated}
				}
				return Permit, nil
			}},
		{name: "ChangesAgainAfterAnsweringAgain",
			checks:  []practice.Event{dayCheckEvent(client, at, true, false, true), dayCheckEvent(client, at.Add(2*time.Second), true, false, true)},
			facts:   func(f *ClientFacts) { f.Screening.TakenAt = at.Add(time.Second) },
			outcome: needsScreening(CodeScreeningStale)},
		{name: "AllThree", checks: []practice.Event{dayCheckEvent(client, at, false, true, true)},
			outcome: func(g group) (Outcome, []string) {
				if r, _ := catalogue.LookupRegion(g.region); r.NeedsScreening() {
					return Deny, []string{CodeCapacity, CodeScreeningStale, CodeContraindicated}
				}
				return Deny, []string{CodeCapacity, CodeContraindicated}
			}},
	}
	var out []decideCase
	for _, a := range answers {
		for _, g := range groups {
			want, codes := a.outcome(g)
			checks, extra := a.checks, a.extra
			out = append(out, decideCase{
				name:  fmt.Sprintf("DayCheck%s%s", a.name, g.name),
				facts: a.facts,
				session: func(tb testing.TB) *practice.Facts {
					return daySession(tb, checks, extra...)
				},
				region: g.region, technique: g.technique, want: want, codes: codes,
			})
		}
	}
	return out
}

// TestPropertyNotClearHeadedNeverPermits: once a day check in a session
// says the client is not clear-headed, no sequence of later events (day
// checks saying all is well, by the client or the practitioner, check-ins,
// stops and resumes, chaperone records) yields a permit or an ask for any
// region, technique or time in that session.
func TestPropertyNotClearHeadedNeverPermits(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	roles := []holdspace.Role{holdspace.RoleClient, holdspace.RolePractitioner}
	permitsWithout := 0
	for range propertyRounds {
		f := randFacts(r)
		evs := randEvents(r, f)
		// Put "not clear-headed" at a random point while the session is
		// open or in progress.
		i := 1 + r.IntN(len(evs))
		at := evs[i-1].At
		evs = slices.Insert(evs, i, dayCheckEvent(pick(r, roles), at, false, r.IntN(2) == 0, r.IntN(2) == 0))
		for range r.IntN(8) {
			last := evs[len(evs)-1].At.Add(time.Minute)
			switch r.IntN(5) {
			case 0, 1:
				evs = append(evs, dayCheckEvent(pick(r, roles), last, true, false, false))
			case 2:
				evs = append(evs, checkin(pick(r, allRegions), "yes", last))
			case 3:
				evs = append(evs, stop(last), resume(last.Add(time.Second)))
			case 4:
				evs = append(evs, practice.Event{Type: practice.EventChaperone, ActorRole: holdspace.RolePractitioner, At: last,
					Chaperone: &practice.Chaperone{Offered: true}})
			}
		}
		intent := pick(r, catalogue.Intents())
		s, err := practice.Fold(intent, evs)
		if err != nil {
			t.Fatalf("events refused: %v", err)
		}
		without := slices.DeleteFunc(slices.Clone(evs), func(e practice.Event) bool { return e.Type == practice.EventDayCheck && !e.Today.ClearHeaded })
		w, err := practice.Fold(intent, without)
		if err != nil {
			t.Fatal(err)
		}
		ix := Compile(f)
		for _, reg := range allRegions {
			for _, tech := range allTechniques {
				for _, at := range []time.Time{t0, now, now.Add(time.Hour)} {
					d := ix.Decide(&s, reg, tech, at)
					checkShape(t, d)
					if d.Outcome != Deny || !d.Has(CodeCapacity) {
						t.Fatalf("%s/%s after not clear-headed: %s %v", reg, tech, d.Outcome, codes(d))
					}
					if ix.Decide(&w, reg, tech, at).Outcome != Deny {
						permitsWithout++
					}
				}
			}
		}
	}
	if permitsWithout == 0 {
		t.Fatal("without the answer nothing was ever permitted: the generator is too weak to test anything")
	}
}

// TestPropertyDayCheckNeverWidens: adding a day check, whatever its
// answers and whoever records it, never makes a decision more permissive,
// except that the first one recorded lifts day_check_required.
func TestPropertyDayCheckNeverWidens(t *testing.T) {
	r := rand.New(rand.NewPCG(33, 34))
	narrowed := 0
	for range propertyRounds {
		f := randFacts(r)
		s, evs := randSession(t, r, f)
		if !s.DayCheck.Recorded {
			continue
		}
		tt := dayCheckEvent(pick(r, []holdspace.Role{holdspace.RoleClient, holdspace.RolePractitioner}), now.Add(-time.Second),
			r.IntN(3) != 0, r.IntN(3) == 0, r.IntN(3) == 0)
		s2, err := practice.Fold(s.Intent, append(slices.Clone(evs), tt))
		if err != nil {
			t.Fatal(err)
		}
		ix := Compile(f)
		for _, reg := range allRegions {
			for _, tech := range allTechniques {
				b, a := ix.Decide(s, reg, tech, now), ix.Decide(&s2, reg, tech, now)
				if rank(a.Outcome) > rank(b.Outcome) {
					t.Fatalf("day check %+v widened %s/%s: %s %v → %s %v", *tt.Today, reg, tech, b.Outcome, codes(b), a.Outcome, codes(a))
				}
				if rank(a.Outcome) < rank(b.Outcome) {
					narrowed++
				}
			}
		}
	}
	if narrowed == 0 {
		t.Fatal("no day check ever narrowed a decision: the generator is too weak")
	}
}
