package consent

import (
	"math/rand/v2"
	"testing"
	"time"

	"holdspace"

	"holdspace/catalogue"
	"holdspace/practice"
)

// sensualSession returns an in-progress sensual session: opened, s1 v1
// re-confirmed, a clear day check, chaperone offered, begun at t0.
func sensualSession(tb testing.TB) *practice.Facts {
	tb.Helper()
	f, err := practice.Fold(catalogue.Sensual, []practice.Event{
		{Type: practice.EventOpen, ActorRole: holdspace.RolePractitioner, At: t0.Add(-5 * time.Minute)},
		{Type: practice.EventReconfirm, ActorRole: holdspace.RoleClient, At: t0.Add(-4 * time.Minute), AgreementID: "s1", AgreementVersion: 1},
		{Type: practice.EventDayCheck, ActorRole: holdspace.RoleClient, At: t0.Add(-4 * time.Minute), Today: &practice.Today{ClearHeaded: true}},
		{Type: practice.EventChaperone, ActorRole: holdspace.RolePractitioner, At: t0.Add(-3 * time.Minute), Chaperone: &practice.Chaperone{Offered: true}},
		{Type: practice.EventBegin, ActorRole: holdspace.RolePractitioner, At: t0},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return &f
}

func born(s string) func(*ClientFacts) {
	return func(f *ClientFacts) {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			panic(err)
		}
		f.BirthDate = d
	}
}

func all(fs ...func(*ClientFacts)) func(*ClientFacts) {
	return func(f *ClientFacts) {
		for _, fn := range fs {
			fn(f)
		}
	}
}

func guardianOnA1(f *ClientFacts) { f.Agreements[0].GuardianConsent = true }

// edgeCases are the rows of design rules 9 and 10 (minors, scope of
// practice, what the practice offers); TestDecideTable runs them with the
// rest. "now" is 2026-11-26 10:20 UTC.
func edgeCases() []decideCase {
	const fourteen = "2012-03-01"
	scope := func(group, requires string, offered bool) func(*ClientFacts) {
		return func(f *ClientFacts) {
			f.Policy.Scope = append(f.Policy.Scope, practice.ScopeRule{Group: group, Requires: requires, Offered: offered})
		}
	}
	return []decideCase{
		// Rule 9: minors.
		{name: "MinorIntimate", facts: born(fourteen), region: "perineum", technique: "touch", want: Deny, codes: []string{CodeMinor}},
		{name: "MinorInternal", facts: born(fourteen), region: "prostate", technique: "massage", want: Deny, codes: []string{CodeMinor}},
		{name: "MinorInternalWithGuardian", facts: all(born(fourteen), guardianOnA1),
			region: "rectum", technique: "touch", want: Deny, codes: []string{CodeMinor}},
		{name: "MinorSensualGeneral", facts: all(born(fourteen), func(f *ClientFacts) { f.Agreements[1].GuardianConsent = true }),
			session: sensualSession, region: "glutes", technique: "massage", want: Deny, codes: []string{CodeMinor}},
		{name: "MinorSensualGenitals", facts: born(fourteen),
			session: sensualSession, region: "genitals", technique: "touch", want: Deny, codes: []string{CodeMinor}},
		{name: "MinorGeneralWithoutGuardian", facts: born(fourteen),
			region: "glutes", technique: "massage", want: Deny, codes: []string{CodeGuardianConsentRequired}},
		{name: "MinorSensitiveWithoutGuardian", facts: born(fourteen),
			region: "inner-thighs", technique: "massage", want: Deny, codes: []string{CodeGuardianConsentRequired}},
		{name: "MinorGeneralWithGuardian", facts: all(born(fourteen), guardianOnA1), region: "glutes", technique: "massage", want: Permit},
		{name: "MinorSensitiveWithGuardian", facts: all(born(fourteen), guardianOnA1), region: "inner-thighs", technique: "massage", want: Permit},
		{name: "MinorNoGrantStillNeedsGuardian", facts: born(fourteen),
			region: "feet", technique: "touch", want: Deny, codes: []string{CodeNoGrant, CodeGuardianConsentRequired}},
		// Unreachable when the fact is absent: an adult, or no birth date.
		{name: "AdultNeedsNoGuardian", facts: born("1990-05-05"), region: "glutes", technique: "massage", want: Permit},
		{name: "AdultIntimate", facts: born("1990-05-05"), region: "perineum", technique: "touch", want: Permit},
		{name: "EighteenToday", facts: born("2008-11-26"), region: "perineum", technique: "touch", want: Permit},
		{name: "EighteenTomorrow", facts: born("2008-11-27"), region: "perineum", technique: "touch", want: Deny, codes: []string{CodeMinor}},
		{name: "EighteenAtMidnightInPracticeZone",
			facts:  all(born("2008-11-27"), func(f *ClientFacts) { f.Policy.Location = time.FixedZone("UTC+14", 14*3600) }),
			region: "perineum", technique: "touch", at: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC), want: Permit},
		{name: "StillMinorJustBeforeMidnightInPracticeZone",
			facts:  all(born("2008-11-27"), func(f *ClientFacts) { f.Policy.Location = time.FixedZone("UTC+14", 14*3600) }),
			region: "perineum", technique: "touch", at: time.Date(2026, 11, 26, 9, 59, 59, 0, time.UTC), want: Deny, codes: []string{CodeMinor}},
		{name: "AgeOfMajorityRaised", facts: all(born("2006-01-01"), func(f *ClientFacts) { f.Policy.AgeOfMajority = 21 }),
			region: "perineum", technique: "touch", want: Deny, codes: []string{CodeMinor}},
		{name: "AgeOfMajorityNeverBelow18", facts: all(born("2010-01-01"), func(f *ClientFacts) { f.Policy.AgeOfMajority = 16 }),
			region: "perineum", technique: "touch", want: Deny, codes: []string{CodeMinor}},

		// Rule 10: scope of practice as data.
		{name: "NotQualifiedIntimateExternalExpiredYesterday",
			facts: func(f *ClientFacts) {
				f.Credentials[0].Covers = []string{catalogue.CoverInternalAnorectal, catalogue.CoverTraumaInformed}
				f.Credentials = append(f.Credentials, practice.Credential{Kind: "intimate", Issuer: "Board",
					ValidFrom: t0.AddDate(-2, 0, 0), ValidUntil: t0.AddDate(0, 0, -1), Covers: []string{catalogue.CoverIntimateExternal}})
			},
			session: sensualSession, region: "genitals", technique: "touch", want: Deny, codes: []string{CodeNotQualified},
			message: "intimate-external"},
		{name: "NotQualifiedNamesPolicyCredential", facts: scope(practice.ScopeIntimateExternal, catalogue.CoverInternalVaginal, true),
			region: "perineum", technique: "touch", want: Deny, codes: []string{CodeNotQualified}, message: "internal-vaginal"},
		{name: "NotQualifiedInternalNamesCredential", facts: func(f *ClientFacts) { f.Credentials = nil },
			region: "prostate", technique: "massage", want: Deny, codes: []string{CodeNotQualified}, message: "internal-anorectal"},
		{name: "GeneralNeedsNoCredential", facts: func(f *ClientFacts) { f.Credentials = nil }, region: "glutes", technique: "massage", want: Permit},
		{name: "NotOfferedGroup", facts: scope(practice.ScopeAnorectal, catalogue.CoverInternalAnorectal, false),
			region: "rectum", technique: "touch", want: Deny, codes: []string{CodeNotOffered}},
		{name: "NotOfferedGroupCoversProstate", facts: scope(practice.ScopeAnorectal, catalogue.CoverInternalAnorectal, false),
			region: "prostate", technique: "massage", want: Deny, codes: []string{CodeNotOffered}},
		{name: "OtherGroupStillOffered", facts: scope(practice.ScopeAnorectal, catalogue.CoverInternalAnorectal, false),
			region: "perineum", technique: "touch", want: Permit},
		// What the practice offers.
		{name: "SensualNotOffered", facts: func(f *ClientFacts) { f.Policy.SensualNotOffered = true },
			session: sensualSession, region: "glutes", technique: "massage", want: Deny, codes: []string{CodeNotOffered}},
		{name: "SensualOffered", session: sensualSession, region: "genitals", technique: "touch", want: Permit},
		{name: "TherapeuticWhenSensualNotOffered", facts: func(f *ClientFacts) { f.Policy.SensualNotOffered = true },
			region: "glutes", technique: "massage", want: Permit},
		{name: "MinorSensualNotOffered", facts: all(born(fourteen), func(f *ClientFacts) { f.Policy.SensualNotOffered = true }),
			session: sensualSession, region: "genitals", technique: "touch", want: Deny, codes: []string{CodeNotOffered, CodeMinor}},
	}
}

// TestTurnsEighteenBetweenBookingAndSession: one index, compiled before
// the birthday, permits at the session after it.
func TestTurnsEighteenBetweenBookingAndSession(t *testing.T) {
	f := fixture()
	born("2008-11-26")(&f)
	ix := Compile(f)
	if d := ix.Decide(session(t), "perineum", "touch", now.AddDate(0, 0, -1)); !d.Has(CodeMinor) {
		t.Fatalf("the day before: %s %v", d.Outcome, codes(d))
	}
	if d := ix.Decide(session(t), "perineum", "touch", now); d.Outcome != Permit {
		t.Fatalf("on the day: %s %v", d.Outcome, codes(d))
	}
	if !ix.Minor(t0.AddDate(0, 0, -1)) || ix.Minor(t0) {
		t.Fatal("Minor disagrees with Decide")
	}
}

// TestPropertyNoPermitForMinorIntimateOrInternal: whatever else is true
// (random agreements with or without guardian consent, screenings,
// credentials, sessions of either intent, policies), a client under the
// age of majority is never permitted or asked for an intimate or internal
// region, nor for any region in a sensual session.
func TestPropertyNoPermitForMinorIntimateOrInternal(t *testing.T) {
	r := rand.New(rand.NewPCG(91, 92))
	guarded := catalogue.RegionsInGroup(catalogue.Intimate, catalogue.Internal)
	for range propertyRounds {
		f := randFacts(r)
		for i := range f.Agreements {
			f.Agreements[i].GuardianConsent = r.IntN(2) == 0
		}
		f.Policy.AgeOfMajority = pick(r, []int{0, 10, 18, 21})
		f.Policy.Location = time.FixedZone("z", (r.IntN(27)-12)*3600)
		f.Policy.SensualNotOffered = r.IntN(2) == 0
		// Between 0 and 17 years and 364 days old at the decision.
		f.BirthDate = time.Date(2026-r.IntN(18), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
		at := t0.Add(minutes(r, 0, 30))
		if !practice.MinorAt(f.BirthDate, max(18, f.Policy.AgeOfMajority), f.Policy.Location, at) {
			continue
		}
		s, _ := randSession(t, r, f)
		ix := Compile(f)
		for _, reg := range allRegions {
			for _, tech := range allTechniques {
				d := ix.Decide(s, reg, tech, at)
				intimate := contains(guarded, reg)
				if (intimate || s.Intent == catalogue.Sensual) && d.Outcome != Deny {
					t.Fatalf("minor born %s: %s %s/%s in a %s session (%v)", f.BirthDate.Format(time.DateOnly), d.Outcome, reg, tech, s.Intent, codes(d))
				}
				if (intimate || s.Intent == catalogue.Sensual) && !d.Has(CodeMinor) && ix.applies[catalogue.RegionIndex(reg)] {
					t.Fatalf("minor denied %s/%s without the minor reason: %v", reg, tech, codes(d))
				}
			}
		}
	}
}

// TestPropertyNotOfferedNeverPermits: a sensual session where the practice
// offers no sensual work, or a region of a switched-off scope group, never
// permits.
func TestPropertyNotOfferedNeverPermits(t *testing.T) {
	r := rand.New(rand.NewPCG(93, 94))
	for range propertyRounds {
		f := randFacts(r)
		f.Policy.SensualNotOffered = r.IntN(2) == 0
		off := pick(r, practice.ScopeGroups())
		f.Policy.Scope = []practice.ScopeRule{{Group: off, Requires: catalogue.CoverTraumaInformed, Offered: false}}
		s, _ := randSession(t, r, f)
		ix := Compile(f)
		for _, reg := range allRegions {
			for _, tech := range allTechniques {
				d := ix.Decide(s, reg, tech, now)
				if (s.Intent == catalogue.Sensual && f.Policy.SensualNotOffered) || practice.ScopeGroupOf(reg) == off {
					if d.Outcome != Deny {
						t.Fatalf("%s %s/%s not offered (%v)", d.Outcome, reg, tech, codes(d))
					}
				}
			}
		}
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// TestPropertyPermitNeedsPolicyCredential: whatever else is true, a permit
// or ask on a region a scope group governs means the practitioner holds the
// credential the practice's policy names for it, valid at that instant.
func TestPropertyPermitNeedsPolicyCredential(t *testing.T) {
	r := rand.New(rand.NewPCG(95, 96))
	covers := catalogue.Covers()
	seen := 0
	for range propertyRounds {
		f := randFacts(r)
		for _, g := range practice.ScopeGroups() {
			if r.IntN(2) == 0 {
				f.Policy.Scope = append(f.Policy.Scope, practice.ScopeRule{Group: g, Requires: pick(r, covers), Offered: true})
			}
		}
		settings := practice.Settings{Scope: f.Policy.Scope}
		if f.Policy.Scope == nil {
			settings.Scope = practice.DefaultScope()
		}
		s, _ := randSession(t, r, f)
		ix := Compile(f)
		at := t0.Add(minutes(r, 0, 30))
		for _, reg := range catalogue.RegionsInGroup(catalogue.Intimate, catalogue.Internal) {
			rule, _ := settings.Rule(reg)
			for _, tech := range allTechniques {
				d := ix.Decide(s, reg, tech, at)
				if d.Outcome == Deny {
					continue
				}
				seen++
				if !practice.Qualified(f.Credentials, rule.Requires, at) {
					t.Fatalf("%s %s/%s without a valid %s credential (%v)", d.Outcome, reg, tech, rule.Requires, codes(d))
				}
			}
		}
	}
	if seen == 0 {
		t.Fatal("no permit or ask on an intimate or internal region in any round: the property was never exercised")
	}
}

func TestScopeGroupsFitIndex(t *testing.T) {
	if n := len(practice.ScopeGroups()); n > 8 {
		t.Fatalf("%d scope groups; compilePractice holds 8", n)
	}
}

// FuzzDecideAge: for any birth date, zone offset, age of majority and
// instant, a client under the age of majority at that instant is never
// permitted or asked intimate, internal or sensual work, and the age rule
// never panics on extreme dates.
func FuzzDecideAge(f *testing.F) {
	f.Add(uint64(1), int64(0), int64(0), 18, 0)
	f.Add(uint64(2), int64(-10000), int64(5000), 21, 14)
	f.Add(uint64(3), int64(1<<40), int64(-1<<40), 0, -12)
	f.Fuzz(func(t *testing.T, seed uint64, birthDays, atMinutes int64, age, zoneHours int) {
		r := rand.New(rand.NewPCG(seed, seed>>1))
		facts := randFacts(r)
		facts.BirthDate = time.Date(2008, 11, 26, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(birthDays%200000))
		facts.Policy.AgeOfMajority = age
		facts.Policy.Location = time.FixedZone("z", (zoneHours%15)*3600)
		s, _ := randSession(t, r, facts)
		at := t0.Add(time.Duration(atMinutes%(1<<30)) * time.Minute)
		ix := Compile(facts)
		minor := practice.MinorAt(facts.BirthDate, max(age, 18), facts.Policy.Location, at)
		if ix.Minor(at) != minor {
			t.Fatalf("Index.Minor %v, MinorAt %v", ix.Minor(at), minor)
		}
		for _, reg := range allRegions {
			rg, _ := catalogue.LookupRegion(reg)
			for _, tech := range allTechniques {
				d := ix.Decide(s, reg, tech, at)
				checkShape(t, d)
				if minor && (rg.NeedsScreening() || s.Intent == catalogue.Sensual) && d.Outcome != Deny {
					t.Fatalf("minor: %s %s/%s (%v)", d.Outcome, reg, tech, codes(d))
				}
			}
		}
	})
}
