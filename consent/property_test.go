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

var (
	allRegions    = catalogue.RegionCodes()
	allTechniques = catalogue.TechniqueCodes()
	answers       = []catalogue.Answer{catalogue.Yes, catalogue.No, catalogue.Ask}
)

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func minutes(r *rand.Rand, lo, hi int) time.Duration {
	return time.Duration(lo+r.IntN(hi-lo+1)) * time.Minute
}

// randFacts returns random client facts: up to three versions per intent,
// some unsigned, some signed mid-session, some expiring or revoked; a random
// screening, anatomy and credentials.
func randFacts(r *rand.Rand) ClientFacts {
	f := ClientFacts{Anatomy: catalogue.Anatomy{Prostate: r.IntN(2) == 0, Vagina: r.IntN(2) == 0, Breasts: r.IntN(2) == 0}}
	for _, intent := range catalogue.Intents() {
		n := r.IntN(4)
		for v := 1; v <= n; v++ {
			a := Agreement{ID: fmt.Sprintf("%s-%d", intent, v), Intent: intent, Version: v, CreatedAt: t0.Add(-72 * time.Hour)}
			for _, reg := range allRegions {
				for _, tech := range allTechniques {
					if r.IntN(3) == 0 {
						a.Grants = append(a.Grants, g(reg, tech, pick(r, answers)))
					}
				}
			}
			if r.IntN(8) != 0 {
				a.SignedAt = t0.Add(minutes(r, -3000, 25))
			}
			if r.IntN(7) == 0 {
				a.ValidUntil = t0.Add(minutes(r, -60, 60))
			}
			if r.IntN(5) == 0 {
				rv := Revocation{At: t0.Add(minutes(r, -100, 30)), ByRole: "client"}
				if r.IntN(2) == 0 {
					rv.Regions = []string{pick(r, allRegions), pick(r, allRegions)}
				}
				a.Revocations = append(a.Revocations, rv)
			}
			f.Agreements = append(f.Agreements, a)
		}
	}
	f.Screening = Screening{Present: r.IntN(7) != 0, Stale: r.IntN(6) == 0, TakenAt: t0.Add(-time.Hour)}
	for range r.IntN(4) {
		fd := screening.Finding{Rule: fmt.Sprintf("rule-%d", r.IntN(5)), Severity: screening.Severity(r.IntN(4)), Reason: "A finding."}
		for range 1 + r.IntN(4) {
			fd.Regions = append(fd.Regions, pick(r, allRegions))
		}
		if r.IntN(3) == 0 {
			fd.Techniques = []string{pick(r, allTechniques)}
		}
		if r.IntN(4) == 0 {
			fd.Requires = catalogue.CoverTraumaInformed
		}
		f.Screening.Findings = append(f.Screening.Findings, fd)
	}
	if r.IntN(3) == 0 {
		f.Screening.Clearances = []screening.Clearance{{Rule: fmt.Sprintf("rule-%d", r.IntN(5)), RecordedAt: t0}}
	}
	for range r.IntN(3) {
		c := practice.Credential{Kind: "k", Issuer: "i", ValidFrom: t0.Add(minutes(r, -1000, 10)), ValidUntil: t0.Add(minutes(r, 0, 1000))}
		for _, cv := range catalogue.Covers() {
			if r.IntN(2) == 0 {
				c.Covers = append(c.Covers, cv)
			}
		}
		f.Credentials = append(f.Credentials, c)
	}
	return f
}

// randEvents returns a valid random event sequence for a session that ends
// in progress at t0+20m: open, maybe reconfirm, maybe a day check, maybe
// chaperone, begin at t0, check-ins.
func randEvents(r *rand.Rand, f ClientFacts) []practice.Event {
	evs := []practice.Event{{Type: practice.EventOpen, ActorRole: holdspace.RolePractitioner, At: t0.Add(-10 * time.Minute)}}
	if r.IntN(5) != 0 && len(f.Agreements) > 0 {
		a := pick(r, f.Agreements)
		evs = append(evs, practice.Event{Type: practice.EventReconfirm, ActorRole: holdspace.RoleClient, At: t0.Add(-5 * time.Minute),
			AgreementID: a.ID, AgreementVersion: a.Version})
	}
	if r.IntN(5) != 0 {
		// Mostly a clear day check; sometimes one that narrows.
		today := &practice.Today{ClearHeaded: r.IntN(8) != 0, Unwell: r.IntN(8) == 0, Changes: r.IntN(8) == 0}
		evs = append(evs, practice.Event{Type: practice.EventDayCheck, ActorRole: pick(r, []holdspace.Role{holdspace.RoleClient, holdspace.RolePractitioner}),
			At: t0.Add(-5 * time.Minute), Today: today})
	}
	if r.IntN(4) != 0 {
		evs = append(evs, practice.Event{Type: practice.EventChaperone, ActorRole: holdspace.RolePractitioner, At: t0.Add(-4 * time.Minute),
			Chaperone: &practice.Chaperone{Offered: r.IntN(5) != 0}})
	}
	evs = append(evs, practice.Event{Type: practice.EventBegin, ActorRole: holdspace.RolePractitioner, At: t0})
	for range r.IntN(5) {
		evs = append(evs, checkin(pick(r, allRegions), pick(r, []string{"yes", "yes", "no"}), t0.Add(minutes(r, 0, 20))))
	}
	return evs
}

func randSession(t testing.TB, r *rand.Rand, f ClientFacts) (*practice.Facts, []practice.Event) {
	t.Helper()
	evs := randEvents(r, f)
	s, err := practice.Fold(pick(r, catalogue.Intents()), evs)
	if err != nil {
		t.Fatalf("random events refused: %v", err)
	}
	return &s, evs
}

func rank(o Outcome) int {
	switch o {
	case Permit:
		return 2
	case Ask:
		return 1
	}
	return 0
}

// checkShape asserts what every decision promises about its reasons.
func checkShape(t testing.TB, d Decision) {
	t.Helper()
	rs := d.Reasons()
	switch d.Outcome {
	case Deny:
		if len(rs) == 0 {
			t.Fatalf("deny without a reason")
		}
		for _, r := range rs {
			if r.Code == CodeAskFirst || r.Code == CodePrecaution {
				t.Fatalf("deny carries %s", r.Code)
			}
		}
	case Ask:
		if len(rs) == 0 || rs[0].Code != CodeAskFirst {
			t.Fatalf("ask without ask_first: %v", rs)
		}
		for _, r := range rs[1:] {
			if r.Code != CodePrecaution {
				t.Fatalf("ask carries %s", r.Code)
			}
		}
	case Permit:
		for _, r := range rs {
			if r.Code != CodePrecaution {
				t.Fatalf("permit carries %s", r.Code)
			}
		}
	default:
		t.Fatalf("outcome %q", d.Outcome)
	}
	for _, r := range rs {
		if r.Message == "" || !slices.Contains(Codes(), r.Code) {
			t.Fatalf("bad reason %+v", r)
		}
	}
}

// grantedBy reports whether some signed agreement for intent grants yes or
// ask for (region, technique).
func grantedBy(f ClientFacts, intent catalogue.Intent, region, technique string) bool {
	for _, a := range f.Agreements {
		if a.Intent != intent || a.SignedAt.IsZero() {
			continue
		}
		for _, gr := range a.Grants {
			if gr.Region == region && gr.Technique == technique && (gr.Answer == catalogue.Yes || gr.Answer == catalogue.Ask) {
				return true
			}
		}
	}
	return false
}

const propertyRounds = 300

// TestPropertyNarrowingNeverWidens: revoking, answering no in any agreement
// or checking in "no" never makes any decision more permissive.
func TestPropertyNarrowingNeverWidens(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	changed := 0
	for i := range propertyRounds {
		f := randFacts(r)
		s, evs := randSession(t, r, f)
		g := f
		g.Agreements = slices.Clone(f.Agreements)
		s2 := s
		switch k := r.IntN(3); {
		case k == 0 && len(g.Agreements) > 0:
			j := r.IntN(len(g.Agreements))
			a := g.Agreements[j]
			a.Revocations = append(slices.Clone(a.Revocations), Revocation{At: now, ByRole: "client", Regions: []string{pick(r, allRegions)}})
			if r.IntN(3) == 0 {
				a.Revocations[len(a.Revocations)-1].Regions = nil
			}
			g.Agreements[j] = a
		case k == 1 && len(g.Agreements) > 0:
			j := r.IntN(len(g.Agreements))
			a := g.Agreements[j]
			a.Grants = slices.Clone(a.Grants)
			reg, tech := pick(r, allRegions), pick(r, allTechniques)
			a.Grants = slices.DeleteFunc(a.Grants, func(x Grant) bool { return x.Region == reg && x.Technique == tech })
			a.Grants = append(a.Grants, g2(reg, tech, catalogue.No))
			g.Agreements[j] = a
		default:
			ns, err := practice.Fold(s.Intent, append(slices.Clone(evs), checkin(pick(r, allRegions), "no", now)))
			if err != nil {
				t.Fatal(err)
			}
			s2 = &ns
		}
		before, after := Compile(f), Compile(g)
		for _, reg := range allRegions {
			for _, tech := range allTechniques {
				b, a := before.Decide(s, reg, tech, now), after.Decide(s2, reg, tech, now)
				checkShape(t, a)
				if rank(a.Outcome) > rank(b.Outcome) {
					t.Fatalf("round %d: narrowing widened %s/%s from %s %v to %s %v", i, reg, tech, b.Outcome, codes(b), a.Outcome, codes(a))
				}
				if rank(a.Outcome) < rank(b.Outcome) {
					changed++
				}
			}
		}
	}
	if changed == 0 {
		t.Fatal("no narrowing ever changed a decision: the generator is too weak to test anything")
	}
}

func g2(region, technique string, a catalogue.Answer) Grant { return g(region, technique, a) }

// TestPropertyStopDeniesEverything and a resume never restores more than
// before the stop, nor anything the agreements do not grant.
func TestPropertyStopAndResume(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	permits := 0
	for range propertyRounds {
		f := randFacts(r)
		s, evs := randSession(t, r, f)
		stopped, err := practice.Fold(s.Intent, append(slices.Clone(evs), stop(now.Add(-2*time.Minute))))
		if err != nil {
			t.Fatal(err)
		}
		resumed := stopped
		if err := resumed.Apply(resume(now.Add(-time.Minute))); err != nil {
			t.Fatal(err)
		}
		ix := Compile(f)
		for _, reg := range allRegions {
			for _, tech := range allTechniques {
				d := ix.Decide(&stopped, reg, tech, now)
				if d.Outcome != Deny || !d.Has(CodeStopped) {
					t.Fatalf("stopped session: %s/%s %s %v", reg, tech, d.Outcome, codes(d))
				}
				before, after := ix.Decide(s, reg, tech, now), ix.Decide(&resumed, reg, tech, now)
				checkShape(t, after)
				if rank(after.Outcome) > rank(before.Outcome) {
					t.Fatalf("resume widened %s/%s: %s → %s", reg, tech, before.Outcome, after.Outcome)
				}
				if after.Outcome != Deny {
					permits++
					if !grantedBy(f, s.Intent, reg, tech) {
						t.Fatalf("resume permits %s/%s which no %s agreement grants", reg, tech, s.Intent)
					}
				}
			}
		}
	}
	if permits == 0 {
		t.Fatal("nothing was ever permitted after a resume: the generator is too weak")
	}
}

// TestPropertyIntentNeverCrosses: a permit or ask is always backed by a
// grant of the session's intent, and with every agreement moved to the
// other intent, nothing is permitted or asked.
func TestPropertyIntentNeverCrosses(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range propertyRounds {
		f := randFacts(r)
		s, _ := randSession(t, r, f)
		other := catalogue.Sensual
		if s.Intent == catalogue.Sensual {
			other = catalogue.Therapeutic
		}
		moved := f
		moved.Agreements = slices.Clone(f.Agreements)
		for i := range moved.Agreements {
			moved.Agreements[i].Intent = other
		}
		ix, mx := Compile(f), Compile(moved)
		for _, reg := range allRegions {
			for _, tech := range allTechniques {
				if d := ix.Decide(s, reg, tech, now); d.Outcome != Deny && !grantedBy(f, s.Intent, reg, tech) {
					t.Fatalf("%s %s/%s without a %s grant", d.Outcome, reg, tech, s.Intent)
				}
				if d := mx.Decide(s, reg, tech, now); d.Outcome != Deny {
					t.Fatalf("%s session: %s %s/%s from %s agreements only (%v)", s.Intent, d.Outcome, reg, tech, other, codes(d))
				}
			}
		}
	}
}

// TestPropertyIndexMatchesDecide: one cached Index, reused across many
// sessions, regions, techniques and times, decides exactly as a fresh
// Decide does.
func TestPropertyIndexMatchesDecide(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for range 60 {
		f := randFacts(r)
		ix := Compile(f)
		for range 40 {
			s, _ := randSession(t, r, f)
			reg, tech := pick(r, allRegions), pick(r, allTechniques)
			at := t0.Add(minutes(r, -5, 60))
			a, b := ix.Decide(s, reg, tech, at), Decide(f, s, reg, tech, at)
			if a.Outcome != b.Outcome || !slices.Equal(a.Reasons(), b.Reasons()) {
				t.Fatalf("index %s %v, Decide %s %v", a.Outcome, a.Reasons(), b.Outcome, b.Reasons())
			}
		}
	}
}

func FuzzDecide(f *testing.F) {
	f.Add(uint64(1), "glutes", "massage", int64(20))
	f.Add(uint64(2), "rectum", "instrument", int64(-100))
	f.Add(uint64(3), "", "", int64(0))
	f.Add(uint64(4), "prostate\x00", "touch", int64(1<<40))
	f.Fuzz(func(t *testing.T, seed uint64, region, technique string, offset int64) {
		r := rand.New(rand.NewPCG(seed, seed>>1))
		facts := randFacts(r)
		s, _ := randSession(t, r, facts)
		if region == "" {
			region = pick(r, allRegions)
		}
		if technique == "" {
			technique = pick(r, allTechniques)
		}
		at := t0.Add(time.Duration(offset) * time.Minute)
		d := Decide(facts, s, region, technique, at)
		checkShape(t, d)
		if d.Outcome != Deny {
			if _, ok := catalogue.LookupRegion(region); !ok || !catalogue.ValidTechnique(technique) {
				t.Fatalf("%s for unknown %q/%q", d.Outcome, region, technique)
			}
		}
		var nilSession *practice.Facts
		if d := Decide(facts, nilSession, region, technique, at); d.Outcome != Deny {
			t.Fatalf("no session, but %s", d.Outcome)
		}
	})
}

// benchFacts is a client with 60 grants (15 regions × 4 techniques, all
// yes), an older version, a sensual agreement, a present screening with a
// precaution finding, and a qualified practitioner.
func benchFacts() ClientFacts {
	regs := []string{"head", "neck", "shoulders", "upper-back", "lower-back", "arms", "hands", "abdomen",
		"hips", "glutes", "thighs", "lower-legs", "inner-thighs", "perineum", "rectum"}
	var grants []Grant
	for _, reg := range regs {
		for _, tech := range allTechniques {
			grants = append(grants, g(reg, tech, catalogue.Yes))
		}
	}
	f := fixture()
	old := f.Agreements[0]
	old.ID, old.Version = "a0", 0
	f.Agreements[0].Grants = grants
	f.Agreements = append(f.Agreements, old)
	f.Screening.Findings = []screening.Finding{{Rule: "latex-allergy", Severity: screening.Precaution,
		Regions: catalogue.RegionsInGroup(catalogue.Intimate, catalogue.Internal), Reason: "Use nitrile gloves."}}
	return f
}

func BenchmarkDecide(b *testing.B) {
	ix := Compile(benchFacts())
	s := session(b, checkin("neck", "yes", now.Add(-time.Minute)))
	b.ReportAllocs()
	for b.Loop() {
		if d := ix.Decide(s, "glutes", "massage", now); d.Outcome != Permit {
			b.Fatal(d.Outcome)
		}
	}
}

func BenchmarkDecideInternal(b *testing.B) {
	ix := Compile(benchFacts())
	s := session(b)
	b.ReportAllocs()
	for b.Loop() {
		if d := ix.Decide(s, "rectum", "pressure", now); d.Outcome != Permit {
			b.Fatal(d.Outcome)
		}
	}
}

func BenchmarkCompile(b *testing.B) {
	f := benchFacts()
	b.ReportAllocs()
	for b.Loop() {
		Compile(f)
	}
}

// isRefusal reports whether code is a reason that the passage rule carries
// from the anal canal or rectum to the prostate.
func isRefusal(code string) bool {
	return code == CodeRevoked || code == CodeAnswerNo || code == CodeCheckinDeclined
}

// TestPropertyPassageRefusalRefusesProstate: for random facts and sessions,
// whenever anal-canal or rectum with technique T is denied for a refusal
// (revoked, answer_no, checkin_declined), prostate with T is denied, and
// when the prostate applies to the client, for that same refusal.
func TestPropertyPassageRefusalRefusesProstate(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	seen := map[string]int{}
	for range propertyRounds {
		f := randFacts(r)
		s, _ := randSession(t, r, f)
		ix := Compile(f)
		at := t0.Add(minutes(r, 0, 30))
		for _, tech := range allTechniques {
			pd := ix.Decide(s, "prostate", tech, at)
			for _, via := range []string{"anal-canal", "rectum"} {
				vd := ix.Decide(s, via, tech, at)
				for _, rs := range vd.Reasons() {
					if !isRefusal(rs.Code) {
						continue
					}
					if pd.Outcome != Deny {
						t.Fatalf("%s/%s denied %s, but prostate/%s is %s %v", via, tech, rs.Code, tech, pd.Outcome, codes(pd))
					}
					if f.Anatomy.Prostate {
						seen[rs.Code]++
						if !pd.Has(rs.Code) {
							t.Fatalf("%s/%s denied %s, prostate/%s only %v", via, tech, rs.Code, tech, codes(pd))
						}
					}
				}
			}
		}
	}
	for _, c := range []string{CodeRevoked, CodeAnswerNo, CodeCheckinDeclined} {
		if seen[c] == 0 {
			t.Errorf("no passage refusal %s was generated: the generator is too weak", c)
		}
	}
}

// withoutProstate returns f with every prostate grant dropped and the
// prostate taken out of every revocation that names regions (one that named
// only the prostate is dropped), and the events without prostate check-ins.
func withoutProstate(f ClientFacts, evs []practice.Event) (ClientFacts, []practice.Event) {
	out := f
	out.Agreements = nil
	for _, a := range f.Agreements {
		a.Grants = slices.DeleteFunc(slices.Clone(a.Grants), func(g Grant) bool { return g.Region == "prostate" })
		var revs []Revocation
		for _, rv := range a.Revocations {
			if len(rv.Regions) > 0 {
				rv.Regions = slices.DeleteFunc(slices.Clone(rv.Regions), func(s string) bool { return s == "prostate" })
				if len(rv.Regions) == 0 {
					continue
				}
			}
			revs = append(revs, rv)
		}
		a.Revocations = revs
		out.Agreements = append(out.Agreements, a)
	}
	evs = slices.DeleteFunc(slices.Clone(evs), func(e practice.Event) bool {
		return e.Type == practice.EventCheckin && e.Region == "prostate"
	})
	return out, evs
}

// TestPropertyProstateRefusalStaysPut: nothing recorded about the prostate
// (grants, revocations, check-ins) changes a decision on the anal canal or
// rectum, so refusing the prostate never refuses its passage.
func TestPropertyProstateRefusalStaysPut(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for range propertyRounds {
		f := randFacts(r)
		// Refuse the prostate outright in some agreements, so that a
		// leak back to the passage would show.
		for i := range f.Agreements {
			a := &f.Agreements[i]
			if r.IntN(2) == 0 {
				a.Revocations = append(slices.Clone(a.Revocations), Revocation{At: t0, Regions: []string{"prostate"}, ByRole: "client"})
			}
			a.Grants = append(slices.Clone(a.Grants), g("prostate", pick(r, allTechniques), catalogue.No))
		}
		intent := pick(r, catalogue.Intents())
		evs := randEvents(r, f)
		if r.IntN(2) == 0 {
			evs = append(evs, checkin("prostate", "no", t0.Add(minutes(r, 0, 20))))
		}
		s, err := practice.Fold(intent, evs)
		if err != nil {
			t.Fatal(err)
		}
		g, gevs := withoutProstate(f, evs)
		gs, err := practice.Fold(intent, gevs)
		if err != nil {
			t.Fatal(err)
		}
		ix, gx := Compile(f), Compile(g)
		for _, via := range []string{"anal-canal", "rectum"} {
			for _, tech := range allTechniques {
				a, b := ix.Decide(&s, via, tech, now), gx.Decide(&gs, via, tech, now)
				if a.Outcome != b.Outcome || !slices.Equal(a.Reasons(), b.Reasons()) {
					t.Fatalf("%s/%s: with prostate facts %s %v, without %s %v", via, tech, a.Outcome, codes(a), b.Outcome, codes(b))
				}
			}
		}
	}
}
