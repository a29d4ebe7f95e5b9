package peers

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"holdspace"
	"holdspace/catalogue"
	"holdspace/consent"
	"holdspace/practice"
	"holdspace/screening"
)

var (
	t0  = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	now = t0.Add(20 * time.Minute)
)

// benchFacts is consent's benchmark client (consent/property_test.go):
// prostate anatomy; agreement a1 (therapeutic, version 1) with 60 grants,
// 15 regions × 4 techniques, all yes; an older version a0 and a sensual
// agreement s1; a present screening with a latex precaution on intimate
// and internal regions; a practitioner qualified for all of it.
func benchFacts() consent.ClientFacts {
	regs := []string{"head", "neck", "shoulders", "upper-back", "lower-back", "arms", "hands", "abdomen",
		"hips", "glutes", "thighs", "lower-legs", "inner-thighs", "perineum", "rectum"}
	var grants []consent.Grant
	for _, reg := range regs {
		for _, tech := range catalogue.TechniqueCodes() {
			grants = append(grants, consent.Grant{Region: reg, Technique: tech, Answer: catalogue.Yes})
		}
	}
	g := func(r, t string, a catalogue.Answer) consent.Grant {
		return consent.Grant{Region: r, Technique: t, Answer: a}
	}
	a0 := consent.Agreement{ID: "a0", ClientID: "c1", Intent: catalogue.Therapeutic, Version: 0,
		CreatedAt: t0.Add(-72 * time.Hour), SignedAt: t0.Add(-48 * time.Hour), SignMethod: consent.SignByClient,
		Grants: []consent.Grant{g("glutes", "massage", catalogue.Yes), g("neck", "touch", catalogue.Ask), g("thighs", "pressure", catalogue.No)}}
	a1 := a0
	a1.ID, a1.Version, a1.Grants = "a1", 1, grants
	return consent.ClientFacts{
		Anatomy: catalogue.Anatomy{Prostate: true},
		Agreements: []consent.Agreement{a1, a0,
			{ID: "s1", ClientID: "c1", Intent: catalogue.Sensual, Version: 1,
				CreatedAt: t0.Add(-72 * time.Hour), SignedAt: t0.Add(-48 * time.Hour), SignMethod: consent.SignByClient,
				Grants: []consent.Grant{g("genitals", "touch", catalogue.Yes), g("glutes", "massage", catalogue.Yes)}}},
		Screening: consent.Screening{Present: true, TakenAt: t0.Add(-24 * time.Hour),
			Findings: []screening.Finding{{Rule: "latex-allergy", Severity: screening.Precaution,
				Regions: catalogue.RegionsInGroup(catalogue.Intimate, catalogue.Internal), Reason: "Use nitrile gloves."}}},
		Credentials: []practice.Credential{{Kind: "pelvic", Issuer: "College", ValidFrom: t0.AddDate(-1, 0, 0), ValidUntil: t0.AddDate(1, 0, 0),
			Covers: []string{catalogue.CoverInternalAnorectal, catalogue.CoverTraumaInformed, catalogue.CoverIntimateExternal}}},
	}
}

// sessionEvents opens a therapeutic session, re-confirms a1 v1, records a
// clear day check and a chaperone offer, and begins at t0 (each step
// optional), then appends extra.
type sessionPlan struct {
	reconfirm, dayCheck, chaperone, begin bool
	extra                                 []practice.Event
}

func (p sessionPlan) fold(tb testing.TB) *practice.Facts {
	tb.Helper()
	evs := []practice.Event{{Type: practice.EventOpen, ActorRole: holdspace.RolePractitioner, At: t0.Add(-5 * time.Minute)}}
	if p.reconfirm {
		evs = append(evs, practice.Event{Type: practice.EventReconfirm, ActorRole: holdspace.RoleClient, At: t0.Add(-4 * time.Minute), AgreementID: "a1", AgreementVersion: 1})
	}
	if p.dayCheck {
		evs = append(evs, practice.Event{Type: practice.EventDayCheck, ActorRole: holdspace.RoleClient, At: t0.Add(-4 * time.Minute), Today: &practice.Today{ClearHeaded: true}})
	}
	if p.chaperone {
		evs = append(evs, practice.Event{Type: practice.EventChaperone, ActorRole: holdspace.RolePractitioner, At: t0.Add(-3 * time.Minute), Chaperone: &practice.Chaperone{Offered: true}})
	}
	if p.begin {
		evs = append(evs, practice.Event{Type: practice.EventBegin, ActorRole: holdspace.RolePractitioner, At: t0})
		evs = append(evs, p.extra...)
	}
	f, err := practice.Fold(catalogue.Therapeutic, evs)
	if err != nil {
		tb.Fatal(err)
	}
	return &f
}

// benchCase is the benchmarks' decision: glutes, massage, in a session
// with a check-in on the neck: permit.
func benchCase(tb testing.TB) Case {
	f := benchFacts()
	s := sessionPlan{true, true, true, true, []practice.Event{checkin("neck", "yes", now.Add(-time.Minute))}}.fold(tb)
	return Case{Facts: f, Governing: f.Agreements[0], Session: s, Region: "glutes", Technique: "massage", At: now}
}

func checkin(region, answer string, at time.Time) practice.Event {
	return practice.Event{Type: practice.EventCheckin, ActorRole: holdspace.RoleClient, At: at, Region: region, Answer: answer}
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// randCase varies the benchmark's case: the region and technique (now and
// then unknown ones), some of a1's answers, revocations, the screening,
// the anatomy, the session's steps, check-ins (yes and no, on the region
// and the prostate's passage, some within the ask window) and a stop.
func randCase(tb testing.TB, r *rand.Rand) Case {
	f := benchFacts()
	regions := catalogue.RegionCodes()
	techs := catalogue.TechniqueCodes()
	near := []string{"anal-canal", "rectum", "prostate", "perineum", "glutes", "neck", "genitals"}
	answers := []catalogue.Answer{catalogue.Yes, catalogue.Ask, catalogue.No}
	a1 := &f.Agreements[0]
	a1.Grants = append([]consent.Grant(nil), a1.Grants...)
	region := pick(r, near)
	switch r.IntN(20) {
	case 0:
		region = "elbow"
	case 1, 2, 3, 4, 5, 6, 7, 8:
		region = pick(r, regions)
	}
	tech := pick(r, techs)
	if r.IntN(20) == 0 {
		tech = "laser"
	}
	if r.IntN(2) == 0 { // a grant for what is asked, ask-first most often
		a1.Grants = append(a1.Grants, consent.Grant{Region: region, Technique: tech, Answer: pick(r, []catalogue.Answer{catalogue.Ask, catalogue.Ask, catalogue.Yes, catalogue.No})})
	}
	if r.IntN(10) < 4 {
		for range 1 + r.IntN(6) {
			reg := pick(r, near)
			if r.IntN(3) == 0 {
				reg = pick(r, regions)
			}
			a1.Grants = append(a1.Grants, consent.Grant{Region: reg, Technique: pick(r, techs), Answer: pick(r, answers)})
		}
	}
	if r.IntN(10) == 0 {
		rev := consent.Revocation{At: t0.Add(5 * time.Minute), ByRole: "client"}
		if r.IntN(5) > 0 {
			rev.Regions = []string{pick(r, near)}
		}
		a1.Revocations = append(a1.Revocations, rev)
	}
	switch r.IntN(20) {
	case 0:
		f.Screening.Stale = true
	case 1:
		f.Screening = consent.Screening{}
	}
	if r.IntN(6) == 0 {
		f.Anatomy = catalogue.Anatomy{Prostate: r.IntN(2) == 0, Vagina: r.IntN(2) == 0, Breasts: r.IntN(2) == 0}
	}
	p := sessionPlan{r.IntN(5) > 0, r.IntN(5) > 0, r.IntN(5) > 0, r.IntN(8) > 0, nil}
	for range r.IntN(4) {
		reg := pick(r, []string{region, "anal-canal", "rectum", pick(r, regions)})
		if reg == "elbow" {
			reg = "neck"
		}
		ans := "yes"
		if r.IntN(4) == 0 {
			ans = "no"
		}
		p.extra = append(p.extra, checkin(reg, ans, t0.Add(time.Duration(1+r.IntN(19))*time.Minute)))
	}
	if r.IntN(10) == 0 {
		p.extra = append(p.extra, practice.Event{Type: practice.EventStop, ActorRole: holdspace.RoleClient, At: now.Add(-30 * time.Second)})
	}
	// Check-ins in time order, as a session records them.
	for i := 1; i < len(p.extra); i++ {
		for j := i; j > 0 && p.extra[j].At.Before(p.extra[j-1].At); j-- {
			p.extra[j], p.extra[j-1] = p.extra[j-1], p.extra[j]
		}
	}
	return Case{Facts: f, Governing: *a1, Session: p.fold(tb), Region: region, Technique: tech, At: now}
}

// TestDifferential: on 500 generated cases, consent.Index.Decide, the
// Rego policy and the Cedar policy give the same outcome; and the cases
// reach every outcome often enough to mean something.
func TestDifferential(t *testing.T) {
	ctx := context.Background()
	opa, err := NewOPA(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cd, err := NewCedar()
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(16, 5))
	seen := map[string]int{}
	for i := range 500 {
		c := randCase(t, r)
		hs := Holdspace(c)
		o, err := opa.Decide(ctx, opa.Input(c))
		if err != nil {
			t.Fatalf("case %d: opa: %v", i, err)
		}
		ce := cd.Decide(cd.Case(c))
		if o != hs || ce != hs {
			d := consent.Decide(c.Facts, c.Session, c.Region, c.Technique, c.At)
			t.Errorf("case %d: %s/%s: holdspace %s %v, opa %s, cedar %s\n  session %s reconfirmed %v day check %v chaperone %v check-ins %v\n  grants for it %v revoked %v",
				i, c.Region, c.Technique, hs, d.Reasons(), o, ce, c.Session.State, c.Session.Reconfirmed, c.Session.DayCheck.Recorded,
				c.Session.Chaperone.Offered, c.Session.CheckIns(), grantsFor(c), revokedRegions(c.Governing))
		}
		seen[hs]++
	}
	t.Logf("outcomes: %v", seen)
	for _, o := range []consent.Outcome{consent.Permit, consent.Ask, consent.Deny} {
		if seen[string(o)] < 20 {
			t.Errorf("only %d cases end %s: the generator does not exercise it", seen[string(o)], o)
		}
	}
}

func grantsFor(c Case) string {
	s := ""
	for _, g := range c.Governing.Grants {
		if g.Region == c.Region || g.Region == "anal-canal" || g.Region == "rectum" {
			if g.Technique == c.Technique {
				s += fmt.Sprintf("%s=%s ", g.Region, g.Answer)
			}
		}
	}
	return s
}

// The three benchmarks decide the same permit: glutes, massage, 60 grants.

func BenchmarkHoldspaceDecide(b *testing.B) {
	c := benchCase(b)
	ix := consent.Compile(c.Facts)
	b.ReportAllocs()
	for b.Loop() {
		if d := ix.Decide(c.Session, c.Region, c.Technique, c.At); d.Outcome != consent.Permit {
			b.Fatal(d.Outcome)
		}
	}
}

func BenchmarkCedar(b *testing.B) {
	cd, err := NewCedar()
	if err != nil {
		b.Fatal(err)
	}
	cc := cd.Case(benchCase(b))
	b.ReportAllocs()
	for b.Loop() {
		if d := cd.Decide(cc); d != "permit" {
			b.Fatal(d)
		}
	}
}

func BenchmarkOPAPrepared(b *testing.B) {
	ctx := context.Background()
	opa, err := NewOPA(ctx)
	if err != nil {
		b.Fatal(err)
	}
	in := opa.Input(benchCase(b))
	b.ReportAllocs()
	for b.Loop() {
		if d, err := opa.Decide(ctx, in); err != nil || d != "permit" {
			b.Fatal(d, err)
		}
	}
}
