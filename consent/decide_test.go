package consent

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"holdspace"

	"holdspace/catalogue"
	"holdspace/practice"
	"holdspace/screening"
)

var t0 = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

// now is the time of the decisions in the table: 20 minutes into a session
// that began at t0.
var now = t0.Add(20 * time.Minute)

func g(region, technique string, a catalogue.Answer) Grant {
	return Grant{Region: region, Technique: technique, Answer: a}
}

// fixture is a client with prostate anatomy (no vagina, no breasts), a
// signed therapeutic agreement a1 v1, a signed sensual agreement s1 v1, a
// present clear screening and a practitioner holding internal-anorectal and
// trauma-informed and intimate-external credentials.
func fixture() ClientFacts {
	return ClientFacts{
		Anatomy: catalogue.Anatomy{Prostate: true},
		Agreements: []Agreement{
			{ID: "a1", ClientID: "c1", Intent: catalogue.Therapeutic, Version: 1,
				CreatedAt: t0.Add(-72 * time.Hour), SignedAt: t0.Add(-48 * time.Hour), SignMethod: SignByClient,
				Grants: []Grant{
					g("glutes", "massage", catalogue.Yes),
					g("neck", "touch", catalogue.Ask),
					g("thighs", "pressure", catalogue.No),
					g("inner-thighs", "massage", catalogue.Yes),
					g("perineum", "touch", catalogue.Yes),
					g("rectum", "touch", catalogue.Yes),
					g("anal-canal", "massage", catalogue.Yes),
					g("rectum", "massage", catalogue.Yes),
					g("prostate", "massage", catalogue.Yes),
				}},
			{ID: "s1", ClientID: "c1", Intent: catalogue.Sensual, Version: 1,
				CreatedAt: t0.Add(-72 * time.Hour), SignedAt: t0.Add(-48 * time.Hour), SignMethod: SignByClient,
				Grants: []Grant{g("genitals", "touch", catalogue.Yes), g("glutes", "massage", catalogue.Yes)}},
		},
		Screening: Screening{Present: true, TakenAt: t0.Add(-24 * time.Hour)},
		Credentials: []practice.Credential{{Kind: "pelvic", Issuer: "College", ValidFrom: t0.AddDate(-1, 0, 0), ValidUntil: t0.AddDate(1, 0, 0),
			Covers: []string{catalogue.CoverInternalAnorectal, catalogue.CoverTraumaInformed, catalogue.CoverIntimateExternal}}},
	}
}

// session returns an in-progress therapeutic session: opened, a1 v1
// re-confirmed, a clear day check, chaperone offered, begun at t0, plus
// extra events.
func session(t testing.TB, extra ...practice.Event) *practice.Facts {
	t.Helper()
	evs := []practice.Event{
		{Type: practice.EventOpen, ActorRole: holdspace.RolePractitioner, At: t0.Add(-5 * time.Minute)},
		{Type: practice.EventReconfirm, ActorRole: holdspace.RoleClient, At: t0.Add(-4 * time.Minute), AgreementID: "a1", AgreementVersion: 1},
		{Type: practice.EventDayCheck, ActorRole: holdspace.RoleClient, At: t0.Add(-4 * time.Minute), Today: &practice.Today{ClearHeaded: true}},
		{Type: practice.EventChaperone, ActorRole: holdspace.RolePractitioner, At: t0.Add(-3 * time.Minute), Chaperone: &practice.Chaperone{Offered: true}},
		{Type: practice.EventBegin, ActorRole: holdspace.RolePractitioner, At: t0},
	}
	f, err := practice.Fold(catalogue.Therapeutic, append(evs, extra...))
	if err != nil {
		t.Fatal(err)
	}
	return &f
}

func stop(at time.Time) practice.Event {
	return practice.Event{Type: practice.EventStop, ActorRole: holdspace.RoleClient, At: at}
}

func resume(at time.Time) practice.Event {
	return practice.Event{Type: practice.EventResume, ActorRole: holdspace.RoleClient, At: at}
}

func checkin(region, answer string, at time.Time) practice.Event {
	return practice.Event{Type: practice.EventCheckin, ActorRole: holdspace.RoleClient, At: at, Region: region, Answer: answer}
}

func revoke(f *ClientFacts, id string, at time.Time, regions ...string) {
	for i := range f.Agreements {
		if f.Agreements[i].ID == id {
			f.Agreements[i].Revocations = append(f.Agreements[i].Revocations, Revocation{At: at, Regions: regions, ByRole: "client"})
		}
	}
}

func codes(d Decision) []string {
	var out []string
	for _, r := range d.Reasons() {
		out = append(out, r.Code)
	}
	return out
}

type decideCase struct {
	name      string
	facts     func(*ClientFacts)
	session   func(testing.TB) *practice.Facts // nil: the default session
	region    string
	technique string
	at        time.Time // zero: now
	want      Outcome
	codes     []string
	message   string // a substring one reason's message must contain
}

func decideCases() []decideCase {
	v2 := func(signed time.Time, grants ...Grant) func(*ClientFacts) {
		return func(f *ClientFacts) {
			f.Agreements = append(f.Agreements, Agreement{ID: "a2", Intent: catalogue.Therapeutic, Version: 2, Supersedes: "a1",
				CreatedAt: signed.Add(-time.Minute), SignedAt: signed, SignMethod: SignByClient, Grants: grants})
		}
	}
	finding := func(sev screening.Severity, rule, reason string, regions ...string) func(*ClientFacts) {
		return func(f *ClientFacts) {
			f.Screening.Findings = append(f.Screening.Findings, screening.Finding{Rule: rule, Severity: sev, Regions: regions, Reason: reason})
		}
	}
	noCreds := func(f *ClientFacts) { f.Credentials = nil }
	grantA1 := func(grants ...Grant) func(*ClientFacts) {
		return func(f *ClientFacts) { f.Agreements[0].Grants = append(f.Agreements[0].Grants, grants...) }
	}
	revokeA1 := func(regions ...string) func(*ClientFacts) {
		return func(f *ClientFacts) { revoke(f, "a1", now.Add(-time.Minute), regions...) }
	}
	checkinNo := func(region string) func(testing.TB) *practice.Facts {
		return func(tb testing.TB) *practice.Facts { return session(tb, checkin(region, "no", now.Add(-time.Minute))) }
	}
	const viaPassage = "through which the prostate is reached"
	closeBy := func(at time.Time, extra []practice.Event) func(testing.TB) *practice.Facts {
		return func(tb testing.TB) *practice.Facts {
			f := session(tb, extra...)
			f.CloseBy = at
			return f
		}
	}
	withoutPassage := func(grants ...Grant) func(*ClientFacts) {
		return func(f *ClientFacts) {
			f.Agreements[0].Grants = slices.DeleteFunc(slices.Clone(f.Agreements[0].Grants), func(x Grant) bool {
				return x.Region == "anal-canal" || x.Region == "rectum"
			})
			f.Agreements[0].Grants = append(f.Agreements[0].Grants, grants...)
		}
	}
	checkinsYes := func(at time.Time, regions ...string) func(testing.TB) *practice.Facts {
		return func(tb testing.TB) *practice.Facts {
			var evs []practice.Event
			for _, r := range regions {
				evs = append(evs, checkin(r, "yes", at))
			}
			return session(tb, evs...)
		}
	}
	cases := []decideCase{
		{name: "PermitYes", region: "glutes", technique: "massage", want: Permit},
		{name: "PermitSensitiveReconfirmed", region: "inner-thighs", technique: "massage", want: Permit},
		{name: "PermitIntimate", region: "perineum", technique: "touch", want: Permit},
		{name: "PermitInternal", region: "rectum", technique: "touch", want: Permit},
		{name: "NoGrant", region: "feet", technique: "touch", want: Deny, codes: []string{CodeNoGrant}},
		{name: "NoGrantOtherTechnique", region: "glutes", technique: "pressure", want: Deny, codes: []string{CodeNoGrant}},
		{name: "AnswerNo", region: "thighs", technique: "pressure", want: Deny, codes: []string{CodeAnswerNo}},
		{name: "Revoked", facts: func(f *ClientFacts) { revoke(f, "a1", now.Add(-time.Minute), "glutes") },
			region: "glutes", technique: "massage", want: Deny, codes: []string{CodeRevoked}},
		{name: "RevokedWhole", facts: func(f *ClientFacts) { revoke(f, "a1", now.Add(-time.Minute)) },
			region: "rectum", technique: "touch", want: Deny, codes: []string{CodeRevoked}},
		{name: "RevocationStampedAfterDecisionStillApplies", facts: func(f *ClientFacts) { revoke(f, "a1", now.Add(time.Second), "glutes") },
			region: "glutes", technique: "massage", want: Deny, codes: []string{CodeRevoked}},
		{name: "RevokedOtherRegionStillPermits", facts: func(f *ClientFacts) { revoke(f, "a1", now, "neck") },
			region: "glutes", technique: "massage", want: Permit},
		{name: "Expired", facts: func(f *ClientFacts) { f.Agreements[0].ValidUntil = now.Add(-time.Minute) },
			region: "glutes", technique: "massage", want: Deny, codes: []string{CodeExpired}},
		{name: "ExpiresLater", facts: func(f *ClientFacts) { f.Agreements[0].ValidUntil = now.Add(time.Minute) },
			region: "glutes", technique: "massage", want: Permit},
		{name: "UnsignedReconfirmed",
			facts: func(f *ClientFacts) {
				f.Agreements = append(f.Agreements, Agreement{ID: "d2", Intent: catalogue.Therapeutic, Version: 2,
					CreatedAt: t0.Add(-time.Hour), Grants: []Grant{g("inner-thighs", "massage", catalogue.Yes)}})
			},
			session: func(tb testing.TB) *practice.Facts {
				s := session(tb)
				s.AgreementID, s.AgreementVersion = "d2", 2
				return s
			},
			region: "inner-thighs", technique: "massage", want: Deny, codes: []string{CodeUnsigned}},
		{name: "IntentMismatchOtherIntentGrants", region: "genitals", technique: "touch", want: Deny, codes: []string{CodeIntentMismatch}},
		{name: "IntentMismatchReconfirmedOtherIntent",
			session: func(tb testing.TB) *practice.Facts {
				s := session(tb)
				s.AgreementID, s.AgreementVersion = "s1", 1
				return s
			},
			region: "glutes", technique: "massage", want: Deny, codes: []string{CodeIntentMismatch}},
		{name: "NotApplicable", region: "vagina", technique: "touch", want: Deny, codes: []string{CodeNotApplicable}},
		{name: "NotApplicableBreasts", region: "breasts", technique: "touch", want: Deny, codes: []string{CodeNotApplicable}},
		{name: "UnknownRegion", region: "elbow", technique: "touch", want: Deny, codes: []string{CodeNotApplicable}},
		{name: "UnknownTechnique", region: "glutes", technique: "kiss", want: Deny, codes: []string{CodeNoGrant}},
		{name: "NotReconfirmed",
			session: func(tb testing.TB) *practice.Facts {
				f, _ := practice.Fold(catalogue.Therapeutic, []practice.Event{
					{Type: practice.EventOpen, ActorRole: holdspace.RolePractitioner, At: t0.Add(-time.Minute)},
					{Type: practice.EventBegin, ActorRole: holdspace.RolePractitioner, At: t0}})
				return &f
			},
			region: "inner-thighs", technique: "massage", want: Deny, codes: []string{CodeNotReconfirmed, CodeDayCheckRequired}},
		{name: "GeneralNeedsNoReconfirmation",
			session: func(tb testing.TB) *practice.Facts {
				f, _ := practice.Fold(catalogue.Therapeutic, []practice.Event{
					{Type: practice.EventOpen, ActorRole: holdspace.RolePractitioner, At: t0.Add(-time.Minute)},
					{Type: practice.EventBegin, ActorRole: holdspace.RolePractitioner, At: t0}})
				return &f
			},
			region: "glutes", technique: "massage", want: Permit},
		{name: "ReconfirmedWrongVersion",
			session: func(tb testing.TB) *practice.Facts {
				s := session(tb)
				s.AgreementVersion = 7
				return s
			},
			region: "perineum", technique: "touch", want: Deny, codes: []string{CodeNotReconfirmed}},
		{name: "ScreeningRequired", facts: func(f *ClientFacts) { f.Screening = Screening{} },
			region: "perineum", technique: "touch", want: Deny, codes: []string{CodeScreeningRequired}},
		{name: "ScreeningNotNeededForSensitive", facts: func(f *ClientFacts) { f.Screening = Screening{} },
			region: "inner-thighs", technique: "massage", want: Permit},
		{name: "ScreeningStale", facts: func(f *ClientFacts) { f.Screening.Stale = true },
			region: "rectum", technique: "touch", want: Deny, codes: []string{CodeScreeningStale}},
		{name: "Contraindicated", facts: finding(screening.Contraindicated, "fever", "You have a fever today.", catalogue.RegionCodes()...),
			region: "glutes", technique: "massage", want: Deny, codes: []string{CodeContraindicated}, message: "You have a fever today."},
		{name: "ContraindicatedStaleScreeningStillApplies",
			facts: func(f *ClientFacts) {
				f.Screening.Stale = true
				finding(screening.Contraindicated, "surgery", "Recent surgery here.", "glutes")(f)
			},
			region: "glutes", technique: "massage", want: Deny, codes: []string{CodeContraindicated}},
		{name: "ContraindicatedTechniqueOnly",
			facts: func(f *ClientFacts) {
				f.Screening.Findings = []screening.Finding{{Rule: "anticoagulants", Severity: screening.Contraindicated,
					Regions: []string{"glutes"}, Techniques: []string{"pressure"}, Reason: "Blood thinners."}}
			},
			region: "glutes", technique: "massage", want: Permit},
		{name: "ContraindicatedProstateViaRectum", facts: finding(screening.Contraindicated, "anal-acute", "Acute anal condition.", "anus", "anal-canal", "rectum"),
			region: "prostate", technique: "massage", want: Deny, codes: []string{CodeContraindicated}},
		// The passage rule: a refusal of the anal canal or rectum refuses
		// the prostate; nothing else propagates, and nothing flows back.
		// A session past its booked end plus grace denies everything, before
		// its automatic close is recorded.
		{name: "OverdueInProgress", session: closeBy(now, nil), region: "glutes", technique: "massage",
			want: Deny, codes: []string{CodeSessionNotActive}, message: "closed itself"},
		{name: "OverdueStopped", session: closeBy(now.Add(-time.Hour), []practice.Event{stop(now.Add(-2 * time.Minute))}),
			region: "glutes", technique: "massage", want: Deny, codes: []string{CodeSessionNotActive}, message: "closed itself"},
		{name: "NotYetOverdue", session: closeBy(now.Add(time.Microsecond), nil), region: "glutes", technique: "massage", want: Permit},
		{name: "PermitProstateWithPassageGrant", region: "prostate", technique: "massage", want: Permit},
		// The passage needs consent too: no grant there, or an ask-first
		// answer without a check-in yes, denies the prostate no_grant
		// naming the passage.
		{name: "DenyProstateWithoutPassageGrant", facts: withoutPassage(),
			region: "prostate", technique: "massage", want: Deny, codes: []string{CodeNoGrant}, message: "reached through the anal canal and rectum"},
		{name: "DenyProstateWithOnlyRectumGrant", facts: withoutPassage(g("rectum", "massage", catalogue.Yes)),
			region: "prostate", technique: "massage", want: Deny, codes: []string{CodeNoGrant}, message: "reached through the anal canal and rectum"},
		{name: "DenyProstatePassageOtherTechnique", facts: withoutPassage(g("rectum", "touch", catalogue.Yes), g("anal-canal", "touch", catalogue.Yes)),
			region: "prostate", technique: "massage", want: Deny, codes: []string{CodeNoGrant}},
		{name: "PassageAskWithoutCheckinDeniesProstate", facts: grantA1(g("anal-canal", "massage", catalogue.Ask), g("rectum", "massage", catalogue.Ask)),
			region: "prostate", technique: "massage", want: Deny, codes: []string{CodeNoGrant}, message: "check-in yes"},
		{name: "PassageAskWithCheckinsPermitsProstate", facts: grantA1(g("anal-canal", "massage", catalogue.Ask), g("rectum", "massage", catalogue.Ask)),
			session: checkinsYes(now.Add(-time.Minute), "anal-canal", "rectum"),
			region:  "prostate", technique: "massage", want: Permit},
		{name: "PassageAskOneCheckinDeniesProstate", facts: grantA1(g("anal-canal", "massage", catalogue.Ask), g("rectum", "massage", catalogue.Ask)),
			session: checkinsYes(now.Add(-time.Minute), "rectum"),
			region:  "prostate", technique: "massage", want: Deny, codes: []string{CodeNoGrant}},
		{name: "PassageCheckinTooOldDeniesProstate", facts: grantA1(g("anal-canal", "massage", catalogue.Ask), g("rectum", "massage", catalogue.Ask)),
			session: checkinsYes(now.Add(-11*time.Minute), "anal-canal", "rectum"),
			region:  "prostate", technique: "massage", want: Deny, codes: []string{CodeNoGrant}},
		{name: "PassageNewerVersionWithoutPassageDeniesProstate",
			facts:  v2(t0.Add(-time.Hour), g("prostate", "massage", catalogue.Yes)),
			region: "prostate", technique: "massage", want: Deny, codes: []string{CodeNoGrant}},
		{name: "RevokeAnalCanalRevokesProstate", facts: revokeA1("anal-canal"),
			region: "prostate", technique: "massage", want: Deny, codes: []string{CodeRevoked}, message: viaPassage},
		{name: "RevokeRectumRevokesProstate", facts: revokeA1("rectum"),
			region: "prostate", technique: "massage", want: Deny, codes: []string{CodeRevoked}, message: viaPassage},
		{name: "RevokeRectumInNewerVersionRevokesProstate",
			facts: func(f *ClientFacts) {
				v2(t0.Add(-time.Hour), g("prostate", "massage", catalogue.Yes))(f)
				revoke(f, "a2", now.Add(-time.Minute), "rectum")
			},
			region: "prostate", technique: "massage", want: Deny, codes: []string{CodeRevoked}, message: viaPassage},
		{name: "RevokeOtherRegionKeepsProstate", facts: revokeA1("anus", "perineum"),
			region: "prostate", technique: "massage", want: Permit},
		{name: "RevokeProstateKeepsRectum", facts: revokeA1("prostate"),
			region: "rectum", technique: "touch", want: Permit},
		{name: "CheckinNoAnalCanalDeclinesProstate", session: checkinNo("anal-canal"),
			region: "prostate", technique: "massage", want: Deny, codes: []string{CodeCheckinDeclined}, message: "prostate is reached through them"},
		{name: "CheckinNoRectumDeclinesProstate", session: checkinNo("rectum"),
			region: "prostate", technique: "massage", want: Deny, codes: []string{CodeCheckinDeclined}, message: "prostate is reached through them"},
		{name: "CheckinNoProstateKeepsRectum", session: checkinNo("prostate"),
			region: "rectum", technique: "touch", want: Permit},
		{name: "CheckinNoPerineumKeepsProstate", session: checkinNo("perineum"),
			region: "prostate", technique: "massage", want: Permit},
		{name: "AnswerNoAnalCanalRefusesProstate", facts: grantA1(g("anal-canal", "massage", catalogue.No)),
			region: "prostate", technique: "massage", want: Deny, codes: []string{CodeAnswerNo}, message: viaPassage},
		{name: "AnswerNoRectumRefusesProstate", facts: grantA1(g("rectum", "massage", catalogue.No)),
			region: "prostate", technique: "massage", want: Deny, codes: []string{CodeAnswerNo}, message: viaPassage},
		{name: "AnswerNoRectumOtherTechniqueKeepsProstate", facts: grantA1(g("rectum", "pressure", catalogue.No)),
			region: "prostate", technique: "massage", want: Permit},
		{name: "AnswerNoRectumInNewerVersionRefusesProstate",
			facts:  v2(t0.Add(-time.Hour), g("rectum", "massage", catalogue.No), g("prostate", "massage", catalogue.Yes)),
			region: "prostate", technique: "massage", want: Deny, codes: []string{CodeAnswerNo}, message: viaPassage},
		{name: "AnswerNoPassageWithoutProstateGrant", facts: grantA1(g("anal-canal", "touch", catalogue.No)),
			region: "prostate", technique: "touch", want: Deny, codes: []string{CodeAnswerNo}, message: viaPassage},
		{name: "AnswerNoProstateKeepsRectum", facts: grantA1(g("prostate", "touch", catalogue.No)),
			region: "rectum", technique: "touch", want: Permit},
		{name: "ReferralRequired", facts: finding(screening.Referral, "dvt", "Possible blood clot.", "glutes"),
			region: "glutes", technique: "massage", want: Deny, codes: []string{CodeReferralRequired}, message: "Possible blood clot."},
		{name: "ReferralCleared",
			facts: func(f *ClientFacts) {
				finding(screening.Referral, "dvt", "Possible blood clot.", "glutes")(f)
				f.Screening.Clearances = []screening.Clearance{{Rule: "dvt", RecordedAt: t0}}
			},
			region: "glutes", technique: "massage", want: Permit},
		{name: "ReferralClearedBeforeScreeningDoesNotLift",
			facts: func(f *ClientFacts) {
				finding(screening.Referral, "dvt", "Possible blood clot.", "glutes")(f)
				f.Screening.Clearances = []screening.Clearance{{Rule: "dvt", RecordedAt: t0.Add(-30 * 24 * time.Hour)}}
			},
			region: "glutes", technique: "massage", want: Deny, codes: []string{CodeReferralRequired}},
		{name: "NotQualifiedInternal", facts: noCreds,
			region: "rectum", technique: "touch", want: Deny, codes: []string{CodeNotQualified}},
		{name: "NotQualifiedCredentialExpired",
			facts:  func(f *ClientFacts) { f.Credentials[0].ValidUntil = now.Add(-time.Hour) },
			region: "prostate", technique: "massage", want: Deny, codes: []string{CodeNotQualified}},
		{name: "NotQualifiedTrauma",
			facts: func(f *ClientFacts) {
				f.Credentials[0].Covers = []string{catalogue.CoverInternalAnorectal, catalogue.CoverIntimateExternal}
				f.Screening.Findings = []screening.Finding{{Rule: "trauma-history", Severity: screening.Precaution,
					Regions: []string{"perineum", "rectum"}, Reason: "Go gently; check in often.", Requires: catalogue.CoverTraumaInformed}}
			},
			region: "perineum", technique: "touch", want: Deny, codes: []string{CodeNotQualified}, message: "trauma-informed"},
		{name: "PrecautionTraumaQualified",
			facts: func(f *ClientFacts) {
				f.Screening.Findings = []screening.Finding{{Rule: "trauma-history", Severity: screening.Precaution,
					Regions: []string{"perineum"}, Reason: "Go gently; check in often.", Requires: catalogue.CoverTraumaInformed}}
			},
			region: "perineum", technique: "touch", want: Permit, codes: []string{CodePrecaution}, message: "Go gently"},
		{name: "Precaution", facts: finding(screening.Precaution, "latex-allergy", "Use nitrile gloves.", "perineum", "rectum"),
			region: "rectum", technique: "touch", want: Permit, codes: []string{CodePrecaution}, message: "Use nitrile gloves."},
		{name: "ChaperoneNotOffered",
			session: func(tb testing.TB) *practice.Facts {
				s := session(tb)
				s.Chaperone = practice.ChaperoneRecord{}
				return s
			},
			region: "rectum", technique: "touch", want: Deny, codes: []string{CodeChaperoneNotOffered}},
		{name: "ChaperoneNotNeededExternal",
			session: func(tb testing.TB) *practice.Facts {
				s := session(tb)
				s.Chaperone = practice.ChaperoneRecord{}
				return s
			},
			region: "perineum", technique: "touch", want: Permit},
		{name: "Stopped", session: func(tb testing.TB) *practice.Facts { return session(tb, stop(now.Add(-time.Minute))) },
			region: "glutes", technique: "massage", want: Deny, codes: []string{CodeStopped}},
		{name: "StoppedAndRevoked", facts: func(f *ClientFacts) { revoke(f, "a1", now, "glutes") },
			session: func(tb testing.TB) *practice.Facts { return session(tb, stop(now.Add(-time.Minute))) },
			region:  "glutes", technique: "massage", want: Deny, codes: []string{CodeStopped, CodeRevoked}},
		{name: "Resumed",
			session: func(tb testing.TB) *practice.Facts {
				return session(tb, stop(now.Add(-2*time.Minute)), resume(now.Add(-time.Minute)))
			},
			region: "glutes", technique: "massage", want: Permit},
		{name: "AskFirst", region: "neck", technique: "touch", want: Ask, codes: []string{CodeAskFirst}},
		{name: "AskFirstCheckedIn", session: func(tb testing.TB) *practice.Facts {
			return session(tb, checkin("neck", "yes", now.Add(-5*time.Minute)))
		},
			region: "neck", technique: "touch", want: Permit},
		{name: "AskFirstCheckInOld", session: func(tb testing.TB) *practice.Facts {
			return session(tb, checkin("neck", "yes", now.Add(-11*time.Minute)))
		},
			region: "neck", technique: "touch", want: Ask, codes: []string{CodeAskFirst}},
		{name: "AskFirstPolicyWindow", facts: func(f *ClientFacts) { f.Policy.AskWindow = 15 * time.Minute },
			session: func(tb testing.TB) *practice.Facts {
				return session(tb, checkin("neck", "yes", now.Add(-11*time.Minute)))
			},
			region: "neck", technique: "touch", want: Permit},
		{name: "AskFirstCheckInBeforeStopDoesNotCount",
			session: func(tb testing.TB) *practice.Facts {
				return session(tb, checkin("neck", "yes", now.Add(-3*time.Minute)), stop(now.Add(-2*time.Minute)), resume(now.Add(-time.Minute)))
			},
			region: "neck", technique: "touch", want: Ask, codes: []string{CodeAskFirst}},
		{name: "CheckinYesDoesNotWidenNo", session: func(tb testing.TB) *practice.Facts { return session(tb, checkin("thighs", "yes", now)) },
			region: "thighs", technique: "pressure", want: Deny, codes: []string{CodeAnswerNo}},
		{name: "CheckinDeclined", session: func(tb testing.TB) *practice.Facts { return session(tb, checkin("glutes", "no", t0.Add(time.Minute))) },
			region: "glutes", technique: "massage", want: Deny, codes: []string{CodeCheckinDeclined}},
		{name: "CheckinDeclinedThenYes",
			session: func(tb testing.TB) *practice.Facts {
				return session(tb, checkin("neck", "no", t0.Add(time.Minute)), checkin("neck", "yes", now))
			},
			region: "neck", technique: "touch", want: Deny, codes: []string{CodeCheckinDeclined}},
		{name: "SessionNotActiveOpen",
			session: func(tb testing.TB) *practice.Facts {
				f, _ := practice.Fold(catalogue.Therapeutic, []practice.Event{{Type: practice.EventOpen, ActorRole: holdspace.RolePractitioner, At: t0}})
				return &f
			},
			region: "glutes", technique: "massage", want: Deny, codes: []string{CodeSessionNotActive}},
		{name: "SessionNotActiveNil", session: func(testing.TB) *practice.Facts { return nil },
			region: "glutes", technique: "massage", want: Deny, codes: []string{CodeSessionNotActive, CodeNoGrant}}, // no session, no intent: no agreement applies
		{name: "SessionNotActiveNilSensitive", session: func(testing.TB) *practice.Facts { return nil },
			region: "inner-thighs", technique: "massage", want: Deny, codes: []string{CodeSessionNotActive, CodeNotReconfirmed, CodeDayCheckRequired, CodeNoGrant}},
		// No expansion in session; narrowing at once.
		{name: "NewerNarrowerVersionAppliesAtOnce", facts: v2(now.Add(-time.Minute), g("glutes", "massage", catalogue.No)),
			region: "glutes", technique: "massage", want: Deny, codes: []string{CodeAnswerNo}},
		{name: "NewerVersionOmittingGrantNarrows", facts: v2(now.Add(-time.Minute), g("neck", "touch", catalogue.Yes)),
			region: "glutes", technique: "massage", want: Deny, codes: []string{CodeNoGrant}},
		{name: "NewerAskVersionNarrowsYesToAsk", facts: v2(now.Add(-time.Minute), g("glutes", "massage", catalogue.Ask)),
			region: "glutes", technique: "massage", want: Ask, codes: []string{CodeAskFirst}},
		{name: "NewerWiderVersionWaitsForNextSession", facts: v2(now.Add(-time.Minute), g("feet", "touch", catalogue.Yes), g("glutes", "massage", catalogue.Yes)),
			region: "feet", technique: "touch", want: Deny, codes: []string{CodeNoGrant}},
		{name: "NewerVersionYesDoesNotLiftAsk", facts: v2(now.Add(-time.Minute), g("neck", "touch", catalogue.Yes)),
			region: "neck", technique: "touch", want: Ask, codes: []string{CodeAskFirst}},
		{name: "NewerVersionRevoked",
			facts: func(f *ClientFacts) {
				v2(now.Add(-time.Minute), g("glutes", "massage", catalogue.Yes))(f)
				revoke(f, "a2", now, "glutes")
			},
			region: "glutes", technique: "massage", want: Deny, codes: []string{CodeRevoked}},
		{name: "NewerVersionExpired",
			facts: func(f *ClientFacts) {
				v2(now.Add(-2*time.Minute), g("glutes", "massage", catalogue.Yes))(f)
				f.Agreements[2].ValidUntil = now.Add(-time.Minute)
			},
			region: "glutes", technique: "massage", want: Deny, codes: []string{CodeExpired}},
		{name: "NextSessionReconfirmsWider",
			facts: v2(now.Add(-time.Hour), g("feet", "touch", catalogue.Yes)),
			session: func(tb testing.TB) *practice.Facts {
				s := session(tb)
				s.AgreementID, s.AgreementVersion = "a2", 2
				return s
			},
			region: "feet", technique: "touch", want: Permit},
		{name: "RevokingOlderVersionAfterConfirmingNewerIsMoot",
			facts: func(f *ClientFacts) {
				v2(t0.Add(-time.Hour), g("glutes", "massage", catalogue.Yes))(f)
				revoke(f, "a1", now)
			},
			session: func(tb testing.TB) *practice.Facts {
				s := session(tb)
				s.AgreementID, s.AgreementVersion = "a2", 2
				return s
			},
			region: "glutes", technique: "massage", want: Permit},
		{name: "UnreconfirmedGeneralUsesAgreementAtBegin",
			facts: v2(now.Add(-time.Minute), g("feet", "touch", catalogue.Yes)),
			session: func(tb testing.TB) *practice.Facts {
				f, _ := practice.Fold(catalogue.Therapeutic, []practice.Event{
					{Type: practice.EventOpen, ActorRole: holdspace.RolePractitioner, At: t0.Add(-time.Minute)},
					{Type: practice.EventBegin, ActorRole: holdspace.RolePractitioner, At: t0}})
				return &f
			},
			region: "feet", technique: "touch", want: Deny, codes: []string{CodeNoGrant}},
		{name: "DraftDoesNotNarrow",
			facts: func(f *ClientFacts) {
				f.Agreements = append(f.Agreements, Agreement{ID: "d2", Intent: catalogue.Therapeutic, Version: 2,
					Grants: []Grant{g("glutes", "massage", catalogue.No)}})
			},
			region: "glutes", technique: "massage", want: Permit},
		// Accumulation.
		{name: "ManyReasons",
			facts: func(f *ClientFacts) {
				f.Screening = Screening{}
				f.Credentials = nil
				revoke(f, "a1", now)
			},
			session: func(tb testing.TB) *practice.Facts {
				f, _ := practice.Fold(catalogue.Therapeutic, []practice.Event{{Type: practice.EventOpen, ActorRole: holdspace.RolePractitioner, At: t0}})
				return &f
			},
			region: "rectum", technique: "touch", want: Deny,
			codes: []string{CodeSessionNotActive, CodeNotReconfirmed, CodeDayCheckRequired, CodeRevoked, CodeScreeningRequired, CodeNotQualified, CodeChaperoneNotOffered}},
		{name: "MoreThanInlineReasons",
			facts: func(f *ClientFacts) {
				for _, r := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
					finding(screening.Contraindicated, r, "Finding "+r+".", "glutes")(f)
				}
			},
			session: func(tb testing.TB) *practice.Facts { return session(tb, stop(now)) },
			region:  "glutes", technique: "massage", want: Deny,
			codes: []string{CodeStopped, CodeContraindicated, CodeContraindicated, CodeContraindicated, CodeContraindicated,
				CodeContraindicated, CodeContraindicated, CodeContraindicated, CodeContraindicated}},
	}
	return append(cases, dayCheckCases()...)
}

// TestDecideTable runs the rules table and checks that every reason code
// is produced by some row, so that no code can become unreachable.
func TestDecideTable(t *testing.T) {
	seen := map[string]bool{}
	for _, tt := range append(decideCases(), edgeCases()...) {
		t.Run(tt.name, func(t *testing.T) {
			f := fixture()
			if tt.facts != nil {
				tt.facts(&f)
			}
			var s *practice.Facts
			if tt.session != nil {
				s = tt.session(t)
			} else {
				s = session(t)
			}
			at := tt.at
			if at.IsZero() {
				at = now
			}
			d := Decide(f, s, tt.region, tt.technique, at)
			got := codes(d)
			if d.Outcome != tt.want || !slices.Equal(got, tt.codes) {
				t.Fatalf("got %s %v, want %s %v (%v)", d.Outcome, got, tt.want, tt.codes, d.Reasons())
			}
			for _, r := range d.Reasons() {
				seen[r.Code] = true
				if r.Message == "" || !strings.HasSuffix(r.Message, ".") {
					t.Errorf("reason %s has no sentence: %q", r.Code, r.Message)
				}
			}
			if tt.message != "" && !slices.ContainsFunc(d.Reasons(), func(r Reason) bool { return strings.Contains(r.Message, tt.message) }) {
				t.Errorf("no reason message contains %q: %v", tt.message, d.Reasons())
			}
		})
	}
	for _, c := range Codes() {
		if !seen[c] {
			t.Errorf("reason code %s is produced by no case", c)
		}
	}
	if len(Codes()) != 24 {
		t.Errorf("api.md lists 24 reason codes (19, minor, guardian_consent_required and not_offered of rules 9 and 10, day_check_required and capacity of rule 11), Codes has %d", len(Codes()))
	}
}

func TestDecisionJSON(t *testing.T) {
	d := Decide(fixture(), session(t), "neck", "touch", now)
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"decision":"ask","reasons":[{"code":"ask_first","message":"` + reasonAskFirst.Message + `"}]}`
	if string(b) != want {
		t.Fatalf("got %s", b)
	}
	b, _ = json.Marshal(Decide(fixture(), session(t), "glutes", "massage", now))
	if string(b) != `{"decision":"permit","reasons":[]}` {
		t.Fatalf("permit: got %s", b)
	}
}

// TestIndexIsImmutable checks that an Index keeps its decisions when the
// facts it was compiled from are changed afterwards.
func TestIndexIsImmutable(t *testing.T) {
	f := fixture()
	f.Screening.Findings = []screening.Finding{{Rule: "latex", Severity: screening.Precaution, Regions: []string{"rectum"}, Reason: "Nitrile."}}
	ix := Compile(f)
	s := session(t)
	f.Agreements[0].Grants[0].Answer = catalogue.No
	f.Agreements[0].Revocations = append(f.Agreements[0].Revocations, Revocation{At: now})
	f.Credentials[0].Covers[0] = catalogue.CoverInternalVaginal
	f.Screening.Findings[0].Severity = screening.Contraindicated
	if d := ix.Decide(s, "glutes", "massage", now); d.Outcome != Permit {
		t.Fatalf("glutes: %s %v", d.Outcome, codes(d))
	}
	if d := ix.Decide(s, "rectum", "touch", now); d.Outcome != Permit || !d.Has(CodePrecaution) {
		t.Fatalf("rectum: %s %v", d.Outcome, codes(d))
	}
}

func TestCatalogueFitsIndex(t *testing.T) {
	if n := len(catalogue.TechniqueCodes()); n > maxTechniques {
		t.Fatalf("catalogue has %d techniques; the index holds %d", n, maxTechniques)
	}
	if catalogue.NumRegions > practice.MaxRegions {
		t.Fatalf("catalogue has %d regions; the index holds %d", catalogue.NumRegions, practice.MaxRegions)
	}
}

// TestIndexConcurrent shares one Index between goroutines; run with -race.
func TestIndexConcurrent(t *testing.T) {
	ix := Compile(fixture())
	s := session(t)
	want := ix.Decide(s, "neck", "touch", now)
	done := make(chan Decision, 4)
	for range 4 {
		go func() {
			var d Decision
			for range 200 {
				d = ix.Decide(s, "neck", "touch", now)
			}
			done <- d
		}()
	}
	for range 4 {
		if d := <-done; d.Outcome != want.Outcome || !slices.Equal(d.Reasons(), want.Reasons()) {
			t.Fatalf("concurrent decision differs: %s %v", d.Outcome, codes(d))
		}
	}
}
