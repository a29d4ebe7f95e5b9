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

// sidestep is the world of TestPropertyPractitionerNeverWidens: a client's
// facts, the history of their screenings and a session's events.
type sidestep struct {
	facts   ClientFacts
	history []screening.Entry
	events  []practice.Event
	session practice.Facts
}

// decide compiles the world at `at` (screenings walked by
// screening.Effective, lifting only from the next session) and decides.
func (w *sidestep) decide(region, technique string, at time.Time) Decision {
	var liftFrom time.Time
	if w.session.State.IsLive() {
		liftFrom = w.session.OpenedAt
	}
	cur := screening.Effective(w.history, nil, nil, liftFrom, at)
	f := w.facts
	f.Screening = Screening{Present: cur.Present, Stale: cur.Stale, TakenAt: cur.TakenAt, Findings: cur.Findings}
	return Compile(f).Decide(&w.session, region, technique, at)
}

// apply folds e into the session; a refused event changes nothing.
func (w *sidestep) apply(e practice.Event) bool {
	if err := w.session.Apply(e); err != nil {
		return false
	}
	w.events = append(w.events, e)
	return true
}

func (w *sidestep) newest() *Agreement {
	var out *Agreement
	for i := range w.facts.Agreements {
		if a := &w.facts.Agreements[i]; !a.SignedAt.IsZero() && (out == nil || a.Version > out.Version) {
			out = a
		}
	}
	return out
}

// permissive is a client who said yes to everything, with a clear screening
// of their own, a fully qualified practitioner, and a session that is open,
// re-confirmed by the client and offered a chaperone (and, unless
// notBegun, begun at t0).
func permissive(t *testing.T, r *rand.Rand, notBegun bool) *sidestep {
	t.Helper()
	w := &sidestep{facts: ClientFacts{
		Anatomy: catalogue.Anatomy{Prostate: r.IntN(4) != 0, Vagina: r.IntN(2) == 0, Breasts: r.IntN(2) == 0},
		Credentials: []practice.Credential{{Kind: "k", Issuer: "i", ValidFrom: t0.AddDate(-1, 0, 0), ValidUntil: t0.AddDate(1, 0, 0),
			Covers: catalogue.Covers()}},
	}}
	a := Agreement{ID: "a1", Intent: catalogue.Therapeutic, Version: 1, CreatedAt: t0.Add(-72 * time.Hour),
		SignedAt: t0.Add(-48 * time.Hour), SignMethod: SignByClient}
	for _, reg := range allRegions {
		for _, tech := range allTechniques {
			a.Grants = append(a.Grants, g(reg, tech, pick(r, []catalogue.Answer{catalogue.Yes, catalogue.Yes, catalogue.Ask})))
		}
	}
	w.facts.Agreements = []Agreement{a}
	w.history = []screening.Entry{{Record: screening.Record{ID: "s0", TakenAt: t0.Add(-24 * time.Hour), ValidUntil: t0.AddDate(0, 6, 0)}}}
	w.session = practice.NewFacts(catalogue.Therapeutic)
	for _, e := range []practice.Event{
		{Type: practice.EventOpen, ActorRole: holdspace.RolePractitioner, At: t0.Add(-10 * time.Minute)},
		{Type: practice.EventReconfirm, ActorRole: holdspace.RoleClient, At: t0.Add(-5 * time.Minute), AgreementID: "a1", AgreementVersion: 1},
		{Type: practice.EventChaperone, ActorRole: holdspace.RolePractitioner, At: t0.Add(-4 * time.Minute), Chaperone: &practice.Chaperone{Offered: true}},
	} {
		if !w.apply(e) {
			t.Fatalf("setup event %s refused", e.Type)
		}
	}
	if !notBegun && !w.apply(practice.Event{Type: practice.EventBegin, ActorRole: holdspace.RolePractitioner, At: t0}) {
		t.Fatal("begin refused")
	}
	return w
}

// withPassage adds the prostate to regions that hold a passage region.
func withPassage(regions []string) []string {
	if (slices.Contains(regions, "anal-canal") || slices.Contains(regions, "rectum")) && !slices.Contains(regions, "prostate") {
		return append(regions, "prostate")
	}
	return regions
}

// TestPropertyPractitionerNeverWidens: after a client's refusal (a
// withdrawal, a check-in "no", a STOP during or before the session, a
// finding they reported), no sequence of practitioner-only acts within the
// cooling-off period (new versions signed in person, revocations, session
// events recorded by the practitioner, screenings the practitioner enters)
// turns it into a permit or an ask.
func TestPropertyPractitionerNeverWidens(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	permitsBefore, widenedElsewhere := 0, 0
	for round := range propertyRounds {
		kind := r.IntN(5)
		w := permissive(t, r, kind == 3)
		tr := t0.Add(time.Minute)
		baseline := map[string]Outcome{}
		for _, reg := range allRegions {
			baseline[reg] = w.decide(reg, "massage", tr.Add(-time.Second)).Outcome
		}
		var refused []string
		switch kind {
		case 0: // the client withdraws some regions, or everything
			rv := Revocation{At: tr, ByRole: "client"}
			if r.IntN(4) != 0 {
				rv.Regions = []string{pick(r, allRegions), pick(r, allRegions)}
				refused = withPassage(slices.Clone(rv.Regions))
			} else {
				refused = allRegions
			}
			w.facts.Agreements[0].Revocations = []Revocation{rv}
		case 1: // a check-in "no"
			reg := pick(r, allRegions)
			refused = withPassage([]string{reg})
			if !w.apply(checkin(reg, "no", tr)) {
				t.Fatal("check-in refused")
			}
		case 2, 3: // STOP during the session, or before it began
			refused = allRegions
			if !w.apply(practice.Event{Type: practice.EventStop, ActorRole: holdspace.RoleClient, At: tr}) {
				t.Fatal("stop refused")
			}
		case 4: // the client reports a finding
			fd := screening.Finding{Rule: "client-reported", Severity: pick(r, []screening.Severity{screening.Contraindicated, screening.Referral}),
				Regions: []string{pick(r, allRegions), pick(r, allRegions)}, Reason: "Reported by the client."}
			refused = withPassage(slices.Clone(fd.Regions))
			if slices.Contains(fd.Regions, "anal-canal") && slices.Contains(fd.Regions, "rectum") {
				refused = withPassage(refused)
			} else {
				refused = slices.DeleteFunc(refused, func(x string) bool { return x == "prostate" && !slices.Contains(fd.Regions, "prostate") })
			}
			w.history = append(w.history, screening.Entry{Record: screening.Record{ID: "s1", TakenAt: tr, ValidUntil: tr.AddDate(0, 6, 0),
				Result: screening.Result{Findings: []screening.Finding{fd}}}})
		}
		at := tr
		check := func(step string) {
			t.Helper()
			for _, reg := range refused {
				for _, tech := range allTechniques {
					if d := w.decide(reg, tech, at); d.Outcome != Deny {
						t.Fatalf("round %d (refusal kind %d), after %s: %s %s is %s %v", round, kind, step, reg, tech, d.Outcome, codes(d))
					}
				}
			}
		}
		check("the refusal")
		for step := range 1 + r.IntN(8) {
			at = at.Add(minutes(r, 1, 120))
			if at.After(tr.Add(23 * time.Hour)) {
				break
			}
			op := r.IntN(5)
			if op == 4 && kind != 0 && kind != 4 {
				op = 2 // a STOP or check-in "no" belongs to its session; the rest hold across sessions
			}
			switch op {
			case 0: // a new version with everything yes, signed in person
				prev := w.newest()
				v := Agreement{ID: fmt.Sprintf("p%d", step), Intent: catalogue.Therapeutic, Version: prev.Version + 1,
					CreatedAt: at, Supersedes: prev.ID}
				for _, reg := range allRegions {
					if _, withdrawn := withdrawnSince(w.facts.Agreements, reg, at.Add(-DefaultCoolingOff)); withdrawn && r.IntN(3) != 0 {
						continue // a careful practitioner leaves the withdrawn regions out
					}
					for _, tech := range allTechniques {
						v.Grants = append(v.Grants, g(reg, tech, catalogue.Yes))
					}
				}
				if CoolingOff(w.facts.Agreements, &v, SignInPerson, at, 0) == nil {
					v.SignedAt, v.SignMethod = at, SignInPerson
					w.facts.Agreements = append(w.facts.Agreements, v)
				}
			case 1: // a revocation recorded by the practitioner
				a := &w.facts.Agreements[r.IntN(len(w.facts.Agreements))]
				a.Revocations = append(slices.Clone(a.Revocations), Revocation{At: at, ByRole: "practitioner", Regions: []string{pick(r, allRegions)}})
			case 2: // a session event recorded by the practitioner
				e := practice.Event{Type: pick(r, []practice.EventType{practice.EventOpen, practice.EventReconfirm, practice.EventChaperone,
					practice.EventBegin, practice.EventCheckin, practice.EventNote, practice.EventStop, practice.EventResume,
					practice.EventClose, practice.EventCancel}), ActorRole: holdspace.RolePractitioner, At: at}
				switch e.Type {
				case practice.EventReconfirm:
					n := w.newest()
					e.AgreementID, e.AgreementVersion = n.ID, n.Version
				case practice.EventChaperone:
					e.Chaperone = &practice.Chaperone{Offered: true}
				case practice.EventCheckin:
					e.Region, e.Answer = pick(r, append(slices.Clone(refused), pick(r, allRegions))), "yes"
				case practice.EventClose:
					e.Close = &practice.CloseNotes{}
				}
				w.apply(e)
			case 3: // an all-clear screening entered by the practitioner
				w.history = append(w.history, screening.Entry{Record: screening.Record{ID: fmt.Sprintf("p-s%d", step), TakenAt: at,
					ValidUntil: at.AddDate(0, 6, 0)}, ByPractitioner: true})
			case 4: // the next session, run by the practitioner alone
				w.session = practice.NewFacts(catalogue.Therapeutic)
				n := w.newest()
				for _, e := range []practice.Event{
					{Type: practice.EventOpen, ActorRole: holdspace.RolePractitioner, At: at},
					{Type: practice.EventReconfirm, ActorRole: holdspace.RolePractitioner, At: at, AgreementID: n.ID, AgreementVersion: n.Version},
					{Type: practice.EventChaperone, ActorRole: holdspace.RolePractitioner, At: at, Chaperone: &practice.Chaperone{Offered: true}},
					{Type: practice.EventBegin, ActorRole: holdspace.RolePractitioner, At: at},
				} {
					w.apply(e)
				}
			}
			check(fmt.Sprintf("practitioner step %d", step))
			for _, reg := range allRegions {
				if !slices.Contains(refused, reg) && w.decide(reg, "massage", at).Outcome == Permit {
					widenedElsewhere++
					break
				}
			}
		}
		// The refusal mattered: before it, the same world permitted.
		for _, reg := range refused {
			if baseline[reg] != Deny {
				permitsBefore++
				break
			}
		}
	}
	if permitsBefore == 0 || widenedElsewhere == 0 {
		t.Fatalf("the generator is too weak: %d refused regions permitted before the refusal, %d steps left other regions permitted",
			permitsBefore, widenedElsewhere)
	}
}
