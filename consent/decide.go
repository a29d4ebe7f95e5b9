package consent

import (
	"slices"
	"time"

	"holdspace/catalogue"
	"holdspace/practice"
	"holdspace/screening"
)

// DefaultAskWindow is how long a check-in "yes" satisfies an ask-first grant
// when the policy sets no window.
const DefaultAskWindow = 10 * time.Minute

// Policy is the practice's decision policy.
type Policy struct {
	// AskWindow is how long a check-in "yes" satisfies an ask-first grant;
	// zero or negative means DefaultAskWindow.
	AskWindow time.Duration
	// AgeOfMajority is the age from which a client is an adult (design
	// rule 9); below practice.MinAgeOfMajority (zero included) counts as 18.
	AgeOfMajority int
	// Location is the practice's time zone, in which ages are counted;
	// nil: UTC.
	Location *time.Location
	// SensualNotOffered is set when the practice does not offer sensual
	// work: every decision in a sensual session denies not_offered.
	SensualNotOffered bool
	// Scope is the practice's scope policy (design rule 10); nil: the
	// default, practice.DefaultScope. A group absent from a non-nil Scope
	// keeps its default rule.
	Scope []practice.ScopeRule
}

// Screening is the client's current screening as the decision sees it.
// Present is false when the client has none. Stale is true when it is older
// than the policy allows or the client reported a health change. Findings
// are the findings of that screening; Clearances are all the clearances on
// record for the client: a clearance lifts a referral finding with the same
// Rule when it was recorded at or after TakenAt (a zero TakenAt lets any
// clearance for the rule lift it). Callers may instead drop cleared referral
// findings themselves and pass no clearances.
type Screening struct {
	Present    bool                  `json:"present"`
	Stale      bool                  `json:"stale"`
	TakenAt    time.Time             `json:"taken_at,omitzero"`
	Findings   []screening.Finding   `json:"findings,omitempty"`
	Clearances []screening.Clearance `json:"clearances,omitempty"`
}

// ClientFacts is everything recorded about a client (and the session's
// practitioner) that decisions read, apart from the session itself.
type ClientFacts struct {
	Anatomy catalogue.Anatomy
	// Agreements are all the client's agreements, every version and intent,
	// with their revocations.
	Agreements []Agreement
	Screening  Screening
	// Credentials are the credentials of the practitioner doing the work.
	Credentials []practice.Credential
	Policy      Policy
	// BirthDate is the client's birth date (a civil date, as
	// time.Parse(time.DateOnly) gives it); zero when unknown, which no
	// age rule reads (the app requires a birth date for every client).
	BirthDate time.Time
}

// maxTechniques bounds the technique catalogue held in fixed arrays; a test
// asserts the catalogue fits.
const maxTechniques = 8

// Answers as compiled; a larger value is more restrictive.
const (
	ansNone uint8 = iota
	ansYes
	ansAsk
	ansNo
)

type compiledAgreement struct {
	id         string
	intent     catalogue.Intent
	version    int
	signedAt   time.Time // zero: draft
	validUntil time.Time // zero: no expiry
	guardian   bool      // a guardian's consent is recorded with it
	answers    [practice.MaxRegions][maxTechniques]uint8
	// revoked holds every recorded revocation, whatever its time (rule 8),
	// with a revocation of a passage region also revoking the prostate.
	revoked [practice.MaxRegions]bool
	// prostateViaRevoked is set when the prostate is revoked only because a
	// passage region is; prostateViaNo[ti] when its answer is "no" only
	// because a passage region's is. They choose the reason's message.
	prostateViaRevoked bool
	prostateViaNo      [maxTechniques]bool
}

// passageRegions holds the catalogue positions of the prostate and of the
// two regions it is reached through.
type passageRegions struct {
	prostate, analCanal, rectum int
}

// passage is the prostate and its passage regions; every position is -1
// when the catalogue lacks any of them, so that nothing propagates.
var passage = func() passageRegions {
	p := passageRegions{catalogue.RegionIndex("prostate"), catalogue.RegionIndex("anal-canal"), catalogue.RegionIndex("rectum")}
	for _, i := range []int{p.prostate, p.analCanal, p.rectum} {
		if i < 0 || i >= practice.MaxRegions {
			return passageRegions{-1, -1, -1}
		}
	}
	return p
}()

func (a *compiledAgreement) signedBy(t time.Time) bool {
	return !a.signedAt.IsZero() && !a.signedAt.After(t)
}

func (a *compiledAgreement) expiredAt(t time.Time) bool {
	return !a.validUntil.IsZero() && !t.Before(a.validUntil)
}

type findingRef struct {
	severity screening.Severity // Clear when a referral was lifted
	requires string
	holders  []practice.Credential // the credentials covering requires
	reason   Reason                // contraindicated, referral_required or precaution
	gated    Reason                // not_qualified, when requires is not held
}

// Index is a client's facts compiled for fast decisions. It is immutable
// and safe for concurrent use. A caller caches it keyed on a version of the
// facts it was built from and compiles a new one whenever any of them change
// (a new agreement, signature or revocation, screening, clearance,
// credential, anatomy or policy).
type Index struct {
	applies    [practice.MaxRegions]bool
	agreements []compiledAgreement // by Version, ascending
	present    bool
	stale      bool
	takenAt    time.Time
	cells      [practice.MaxRegions][maxTechniques][]findingRef
	creds      []practice.Credential
	askWindow  time.Duration
	// adultFrom is when the client reaches the age of majority; zero when
	// the birth date is unknown.
	adultFrom  time.Time
	sensualOff bool
	notOffered [practice.MaxRegions]bool
	// requires is the credential coverage each region needs under the
	// scope policy ("" for none) and qualReason the reason naming it.
	requires   [practice.MaxRegions]string
	reqHolders [practice.MaxRegions][]practice.Credential // of requires
	qualReason [practice.MaxRegions]Reason
}

// Compile builds the Index of f. It never fails: grants, revocations and
// findings naming unknown regions or techniques are ignored (they can match
// no decision), since validation is the job of whoever recorded them.
// A finding that covers both anal-canal and rectum also covers prostate,
// which is reached through them.
func Compile(f ClientFacts) *Index {
	ix := &Index{
		present:   f.Screening.Present,
		stale:     f.Screening.Stale,
		takenAt:   f.Screening.TakenAt,
		creds:     slices.Clone(f.Credentials),
		askWindow: f.Policy.AskWindow,
	}
	for i := range ix.creds {
		ix.creds[i].Covers = slices.Clone(ix.creds[i].Covers)
	}
	if ix.askWindow <= 0 {
		ix.askWindow = DefaultAskWindow
	}
	ix.compilePractice(f)
	for i, r := range catalogue.Regions() {
		if i < practice.MaxRegions {
			ix.applies[i] = r.AppliesTo(f.Anatomy)
		}
	}
	for i := range f.Agreements {
		ix.agreements = append(ix.agreements, compileAgreement(&f.Agreements[i]))
	}
	slices.SortStableFunc(ix.agreements, func(a, b compiledAgreement) int { return a.version - b.version })
	if f.Screening.Present {
		for i := range f.Screening.Findings {
			ix.addFinding(&f.Screening.Findings[i], &f.Screening)
		}
	}
	return ix
}

func compileAgreement(a *Agreement) compiledAgreement {
	c := compiledAgreement{id: a.ID, intent: a.Intent, version: a.Version, signedAt: a.SignedAt, validUntil: a.ValidUntil,
		guardian: a.GuardianConsent}
	for _, g := range a.Grants {
		ri, ti := catalogue.RegionIndex(g.Region), catalogue.TechniqueIndex(g.Technique)
		if ri < 0 || ri >= practice.MaxRegions || ti < 0 || ti >= maxTechniques {
			continue
		}
		var v uint8
		switch g.Answer {
		case catalogue.Yes:
			v = ansYes
		case catalogue.Ask:
			v = ansAsk
		default: // "no", and any unknown answer, never permit
			v = ansNo
		}
		// A duplicate grant keeps the most restrictive answer.
		c.answers[ri][ti] = max(c.answers[ri][ti], v)
	}
	for _, r := range a.Revocations {
		if len(r.Regions) == 0 {
			for i := range c.revoked {
				c.revoked[i] = true
			}
			continue
		}
		for _, reg := range r.Regions {
			if ri := catalogue.RegionIndex(reg); ri >= 0 && ri < practice.MaxRegions {
				c.revoked[ri] = true
			}
		}
	}
	c.propagatePassage()
	return c
}

// propagatePassage applies the passage rule to a compiled agreement: the
// prostate is reached through the anal canal and the rectum, so a
// revocation of either revokes the prostate and a "no" for either with a
// technique is a "no" for the prostate with it. Grants and "ask" do not
// propagate: only refusals do.
func (c *compiledAgreement) propagatePassage() {
	pr, ac, re := passage.prostate, passage.analCanal, passage.rectum
	if pr < 0 {
		return
	}
	if (c.revoked[ac] || c.revoked[re]) && !c.revoked[pr] {
		c.revoked[pr] = true
		c.prostateViaRevoked = true
	}
	for ti := range c.answers[pr] {
		if (c.answers[ac][ti] == ansNo || c.answers[re][ti] == ansNo) && c.answers[pr][ti] != ansNo {
			c.answers[pr][ti] = ansNo
			c.prostateViaNo[ti] = true
		}
	}
}

func (ix *Index) addFinding(f *screening.Finding, s *Screening) {
	sev := f.Severity
	if sev == screening.Referral {
		for _, c := range s.Clearances {
			if c.Rule == f.Rule && !c.RecordedAt.Before(s.TakenAt) {
				sev = screening.Clear
				break
			}
		}
	}
	if sev <= screening.Clear && f.Requires == "" {
		return
	}
	text := f.Reason
	if text == "" {
		text = f.PractitionerReason
	}
	if text == "" {
		text = f.Rule
	}
	if f.Held != "" {
		text += " (" + f.Held + ")"
	}
	ref := findingRef{severity: sev, requires: f.Requires, holders: practice.Holders(ix.creds, f.Requires)}
	switch {
	case sev >= screening.Contraindicated:
		ref.reason = Reason{CodeContraindicated, PrefixContraindicated + text}
	case sev == screening.Referral:
		ref.reason = Reason{CodeReferralRequired, PrefixReferral + text}
	case sev == screening.Precaution:
		ref.reason = Reason{CodePrecaution, PrefixPrecaution + text}
	}
	if f.Requires != "" {
		ref.gated = Reason{CodeNotQualified, PrefixGated + f.Requires + " credential: " + text}
	}
	var regions [practice.MaxRegions]bool
	for _, r := range f.Regions {
		if ri := catalogue.RegionIndex(r); ri >= 0 && ri < practice.MaxRegions {
			regions[ri] = true
		}
	}
	if pr := passage.prostate; pr >= 0 && regions[passage.analCanal] && regions[passage.rectum] {
		regions[pr] = true
	}
	techs := catalogue.TechniqueCodes()
	for ri, in := range regions {
		if !in {
			continue
		}
		for ti, t := range techs {
			if ti >= maxTechniques {
				break
			}
			if len(f.Techniques) == 0 || slices.Contains(f.Techniques, t) {
				ix.cells[ri][ti] = append(ix.cells[ri][ti], ref)
			}
		}
	}
}

// Decide is Compile(f).Decide(s, region, technique, at), for tests and
// one-off decisions.
func Decide(f ClientFacts, s *practice.Facts, region, technique string, at time.Time) Decision {
	return Compile(f).Decide(s, region, technique, at)
}

// Decide returns permit, ask or deny for touching region with technique at
// `at` in the session whose facts are s (nil: no session), with reasons in
// the order the rules are checked. It never panics; unknown regions deny with
// not_applicable, unknown techniques with no_grant. It allocates nothing
// unless a decision carries more than eight reasons.
//
// The rules (shared/design.md 1–8 and 11), all of which are checked and whose deny
// reasons accumulate:
//
//   - Session (rules 4, 6): only an in-progress session permits; a stopped
//     one reports stopped, any other state (or no session)
//     session_not_active.
//   - Re-confirmation (rule 4): sensitive, intimate and internal regions
//     need s.Reconfirmed naming an agreement of the client with that ID and
//     Version (else not_reconfirmed).
//   - Which agreement governs (rules 1–3, 8; "no expansion in session"):
//     the base is the re-confirmed agreement when there is one; otherwise
//     the latest agreement for the session's intent signed at or before the
//     session began (or at `at` when it has not begun). The effective answer
//     is the most restrictive of the base and every agreement for the same
//     intent with a higher Version that is signed, whenever it was signed.
//     So a newer agreement narrows at once and never widens within the
//     session (a wider one takes effect when the next session re-confirms
//     it), and revoking the newest version never brings an older one back.
//     Each of those agreements denies with expired when expired at `at`,
//     revoked when any recorded revocation covers the region (every
//     recorded revocation counts, whatever its timestamp, so that no node
//     with a slower clock ever permits after a revoke), no_grant when it has
//     no grant for (region, technique), answer_no for "no". The base also
//     denies unsigned when not signed at `at`, and intent_mismatch when its
//     intent is not the session's. When the base has no grant (or there is
//     no base) but the other intent's current agreement would grant it, the
//     reason is intent_mismatch instead of no_grant.
//   - Check-ins (rule 7): a check-in "no" for the region denies
//     checkin_declined for the rest of the session.
//   - Passage (domain.md "Techniques"): the prostate is reached through the
//     anal canal and the rectum, so a refusal of either refuses the
//     prostate too: a revocation covering either denies prostate revoked
//     (in any agreement that counts, as above), a "no" for either with a
//     technique makes the prostate's answer for that technique "no"
//     (answer_no), and a check-in "no" for either denies prostate
//     checkin_declined for the rest of the session. Only refusals
//     propagate: a missing grant or an "ask" for a passage region changes
//     nothing for the prostate, and refusing the prostate refuses neither
//     passage region.
//   - Passage needs consent too: the prostate also needs, for the same
//     technique, an effective "yes" on both the anal canal and the rectum
//     (or "ask" there with a check-in "yes" within the AskWindow), from the
//     same agreements as above; otherwise no_grant naming the passage (a
//     refusal there is already reported as above).
//   - Booked time (practice.Facts.CloseBy): from CloseBy on, an in-progress
//     or stopped session denies session_not_active, before and after its
//     automatic close is recorded.
//   - Screening (rule 5): intimate and internal regions need a present
//     (screening_required) and not stale (screening_stale) screening. The
//     findings of a present screening, stale or not, apply to every region
//     and technique they cover: contraindicated, referral_required (unless
//     cleared), precaution (reported on permit and ask); a finding that
//     Requires a coverage (the trauma-history precaution requires
//     trauma-informed) denies not_qualified unless the practitioner holds
//     it, valid at `at`.
//   - Internal regions (rule 5) need a credential with
//     catalogue.RequiredCover(region) valid at `at` (not_qualified) and a
//     recorded chaperone offer (chaperone_not_offered).
//   - The day's check (rule 11): sensitive, intimate and internal regions
//     need a day check recorded in the session (day_check_required); once
//     any day check says the client is not clear-headed, every region
//     denies capacity, and once one says they are unwell, every region
//     denies contraindicated, for the rest of the session; after one
//     reports a health change, intimate and internal regions deny
//     screening_stale until a screening taken after that report is the
//     current one (its findings apply at once).
//   - Scope of practice (rule 10): a region a scope group governs needs a
//     credential with the coverage the policy names for the group, valid
//     at `at` (not_qualified, naming the coverage); internal regions also
//     need a recorded chaperone offer (chaperone_not_offered).
//   - What the practice offers (rule 10): a sensual session when the
//     practice offers no sensual work, or a region of a scope group the
//     practice has switched off, denies not_offered.
//   - Minors (rule 9): a client under the age of majority at `at`,
//     counted in the policy's time zone, is denied minor for intimate and
//     internal regions and for every region in a sensual session; other
//     (general and sensitive therapeutic) work needs the governing
//     agreement to carry a guardian's consent (guardian_consent_required).
//   - Ask-first (rule 7): with no deny reason, an effective answer "ask"
//     yields ask (ask_first) unless the region had a check-in "yes" within
//     the policy's AskWindow of `at`; a stop clears earlier check-ins, so
//     after a resume ask-first regions need a fresh one.
func (ix *Index) Decide(s *practice.Facts, region, technique string, at time.Time) (d Decision) {
	// d is the named result, written in place: a Decision is some 300
	// bytes, and a local returned by value was copied on every return.
	d.Outcome = Deny
	ri := catalogue.RegionIndex(region)
	if ri < 0 || ri >= practice.MaxRegions {
		d.add(reasonUnknownRegion)
		return d
	}
	grp := catalogue.GroupAt(ri)
	ti := catalogue.TechniqueIndex(technique)
	if ti >= maxTechniques {
		ti = -1
	}
	if !ix.applies[ri] {
		d.deny(reasonNotApplicable)
	}
	switch {
	case s != nil && (s.State == practice.InProgress || s.State == practice.Stopped) && !s.CloseBy.IsZero() && !at.Before(s.CloseBy):
		d.deny(reasonOverdue)
	case s != nil && s.State == practice.InProgress:
	case s != nil && s.State == practice.Stopped:
		d.deny(reasonStopped)
	default:
		d.deny(reasonNotActive)
	}
	if s != nil && s.DayCheck.NotClearHeaded {
		d.deny(reasonCapacity)
	}
	if !ix.applies[ri] {
		return d
	}

	var intent catalogue.Intent
	if s != nil {
		intent = s.Intent
	}
	minor, guardianNeeded := ix.practiceRules(&d, ri, grp, intent, at)

	var base *compiledAgreement
	if s != nil && s.Reconfirmed {
		for i := range ix.agreements {
			if a := &ix.agreements[i]; a.id == s.AgreementID && a.version == s.AgreementVersion {
				base = a
				break
			}
		}
	}
	if grp.NeedsReconfirmation() && base == nil {
		d.deny(reasonNotReconfirmed)
	}
	if grp.NeedsReconfirmation() && (s == nil || !s.DayCheck.Recorded) {
		d.deny(reasonDayCheckRequired)
	}

	answer := ansNone
	if ti < 0 {
		d.deny(reasonUnknownTechnique)
	} else {
		if base == nil {
			since := at
			if s != nil && !s.BegunAt.IsZero() && s.BegunAt.Before(at) {
				since = s.BegunAt
			}
			base = ix.latest(intent, since)
		}
		answer = ix.agreementAnswer(&d, base, intent, ri, ti, at)
		if ri == passage.prostate && base != nil && !ix.passageGranted(s, base, intent, ti, at) {
			d.deny(reasonNoGrantPassage)
		}
	}
	if minor && guardianNeeded && (base == nil || !base.guardian) {
		d.deny(reasonGuardian)
	}

	if s != nil {
		if s.CheckInAt(ri).Declined {
			d.deny(reasonCheckinDeclined)
		} else if ri == passage.prostate && (s.CheckInAt(passage.analCanal).Declined || s.CheckInAt(passage.rectum).Declined) {
			d.deny(reasonCheckinDeclinedPassage)
		}
	}

	if grp.NeedsScreening() {
		if !ix.present {
			d.deny(reasonScreeningReq)
		} else if ix.stale {
			d.deny(reasonScreeningStale)
		} else if s != nil && s.DayCheck.StaleSince(ix.takenAt) {
			d.deny(reasonChangedToday)
		}
	}
	if s != nil && s.DayCheck.Unwell {
		d.deny(reasonUnwell)
	}
	var cell []findingRef
	if ti >= 0 {
		cell = ix.cells[ri][ti]
	}
	for i := range cell {
		f := &cell[i]
		switch f.severity {
		case screening.Contraindicated, screening.Referral:
			d.deny(f.reason)
		}
		if f.requires != "" && !practice.AnyValidAt(f.holders, at) {
			d.deny(f.gated)
		}
	}
	if ix.requires[ri] != "" && !practice.AnyValidAt(ix.reqHolders[ri], at) {
		d.deny(ix.qualReason[ri])
	}
	if grp == catalogue.Internal {
		if s == nil || !s.Chaperone.Offered {
			d.deny(reasonChaperone)
		}
	}
	if d.denied {
		return d
	}

	d.Outcome = Permit
	if answer == ansAsk {
		ci := s.CheckInAt(ri)
		since := at.Sub(ci.LastYes)
		if ci.LastYes.IsZero() || since > ix.askWindow || since < -ix.askWindow {
			d.Outcome = Ask
			d.add(reasonAskFirst)
		}
	}
	for i := range cell {
		if cell[i].severity == screening.Precaution {
			d.add(cell[i].reason)
		}
	}
	return d
}

// latest returns the agreement for intent in force at t (see Current), or
// nil.
func (ix *Index) latest(intent catalogue.Intent, t time.Time) *compiledAgreement {
	i := newest(len(ix.agreements), func(i int) (catalogue.Intent, int, time.Time) {
		return ix.agreements[i].intent, ix.agreements[i].version, ix.agreements[i].signedAt
	}, intent, t)
	if i < 0 {
		return nil
	}
	return &ix.agreements[i]
}

// agreementAnswer applies rules 1–3 for (ri, ti) from base and every newer
// signed agreement of the session's intent, reporting deny reasons to d, and returns the most restrictive answer.
func (ix *Index) agreementAnswer(d *Decision, base *compiledAgreement, intent catalogue.Intent, ri, ti int, at time.Time) uint8 {
	if base == nil {
		if ix.otherIntentGrants(intent, ri, ti, at) {
			d.deny(reasonIntentMismatch)
		} else {
			d.deny(reasonNoGrant)
		}
		return ansNone
	}
	if base.intent != intent {
		d.deny(reasonIntentMismatch)
		return ansNone
	}
	if !base.signedBy(at) {
		d.deny(reasonUnsigned)
	}
	if base.answers[ri][ti] == ansNone && ix.otherIntentGrants(intent, ri, ti, at) {
		d.deny(reasonIntentMismatch)
	}
	var flags uint8 // which per-agreement reasons were reported
	const fExpired, fRevoked, fNoGrant, fNo = 1, 2, 4, 8
	answer := ansYes
	for i := range ix.agreements {
		a := &ix.agreements[i]
		if a != base && (a.intent != intent || a.version <= base.version || a.signedAt.IsZero()) {
			continue
		}
		if a.expiredAt(at) && flags&fExpired == 0 {
			flags |= fExpired
			d.deny(reasonExpired)
		}
		if a.revoked[ri] && flags&fRevoked == 0 {
			flags |= fRevoked
			if ri == passage.prostate && a.prostateViaRevoked {
				d.deny(reasonRevokedPassage)
			} else {
				d.deny(reasonRevoked)
			}
		}
		v := a.answers[ri][ti]
		switch {
		case v == ansNone && flags&fNoGrant == 0:
			flags |= fNoGrant
			if a != base || !ix.otherIntentGrants(intent, ri, ti, at) {
				d.deny(reasonNoGrant)
			}
		case v == ansNo && flags&fNo == 0:
			flags |= fNo
			if ri == passage.prostate && a.prostateViaNo[ti] {
				d.deny(reasonAnswerNoPassage)
			} else {
				d.deny(reasonAnswerNo)
			}
		}
		if v == ansNone {
			answer = ansNo
		} else {
			answer = max(answer, v)
		}
	}
	return answer
}

// otherIntentGrants reports whether the other intent's current agreement
// would grant (region, technique), to explain a deny as intent_mismatch.
func (ix *Index) otherIntentGrants(intent catalogue.Intent, ri, ti int, at time.Time) bool {
	var other catalogue.Intent
	switch intent {
	case catalogue.Therapeutic:
		other = catalogue.Sensual
	case catalogue.Sensual:
		other = catalogue.Therapeutic
	default:
		return false
	}
	a := ix.latest(other, at)
	if a == nil || a.expiredAt(at) || a.revoked[ri] {
		return false
	}
	v := a.answers[ri][ti]
	return v == ansYes || v == ansAsk
}
