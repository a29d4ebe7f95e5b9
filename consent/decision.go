package consent

import "encoding/json"

// Outcome is what a decision says.
type Outcome string

// Decision outcomes.
const (
	Permit Outcome = "permit"
	Ask    Outcome = "ask" // ask the client first
	Deny   Outcome = "deny"
)

// Reason codes of a decision (shared/api.md). They never change meaning
// once shipped.
const (
	CodeNoGrant             = "no_grant"
	CodeAnswerNo            = "answer_no"
	CodeRevoked             = "revoked"
	CodeExpired             = "expired"
	CodeUnsigned            = "unsigned"
	CodeIntentMismatch      = "intent_mismatch"
	CodeNotApplicable       = "not_applicable"
	CodeNotReconfirmed      = "not_reconfirmed"
	CodeScreeningRequired   = "screening_required"
	CodeScreeningStale      = "screening_stale"
	CodeContraindicated     = "contraindicated"
	CodeReferralRequired    = "referral_required"
	CodeNotQualified        = "not_qualified"
	CodeChaperoneNotOffered = "chaperone_not_offered"
	CodeStopped             = "stopped"
	CodeAskFirst            = "ask_first"
	CodeCheckinDeclined     = "checkin_declined"
	CodeSessionNotActive    = "session_not_active"
	CodePrecaution          = "precaution"
	CodeDayCheckRequired    = "day_check_required"
	CodeCapacity            = "capacity"
	// Design rules 9 and 10.
	CodeMinor                   = "minor"
	CodeGuardianConsentRequired = "guardian_consent_required"
	CodeNotOffered              = "not_offered"
)

// Codes returns every reason code Decide can report.
func Codes() []string {
	return []string{CodeNotApplicable, CodeSessionNotActive, CodeStopped, CodeNotReconfirmed,
		CodeIntentMismatch, CodeNoGrant, CodeUnsigned, CodeExpired, CodeRevoked, CodeAnswerNo,
		CodeCheckinDeclined, CodeScreeningRequired, CodeScreeningStale, CodeContraindicated,
		CodeReferralRequired, CodeNotQualified, CodeChaperoneNotOffered, CodeAskFirst, CodePrecaution,
		CodeDayCheckRequired, CodeCapacity,
		CodeMinor, CodeGuardianConsentRequired, CodeNotOffered}
}

// Reason explains a decision: a stable code and a sentence for the person
// reading it.
type Reason struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Reasons with fixed messages. Screening reasons carry the finding's text
// and are built when an Index is compiled.
var (
	reasonNoGrant          = Reason{CodeNoGrant, "The client has not given consent for this technique on this region."}
	reasonUnknownTechnique = Reason{CodeNoGrant, "This technique is not one the client can consent to."}
	reasonAnswerNo         = Reason{CodeAnswerNo, "The client answered no for this technique on this region."}
	reasonRevoked          = Reason{CodeRevoked, "The client has withdrawn consent for this region."}
	reasonExpired          = Reason{CodeExpired, "The client's agreement has expired; a new one is needed."}
	reasonUnsigned         = Reason{CodeUnsigned, "The agreement confirmed for this session is not signed by the client."}
	reasonIntentMismatch   = Reason{CodeIntentMismatch, "The client's consent for this is for a different intent than this session's; one intent never permits the other."}
	reasonNotApplicable    = Reason{CodeNotApplicable, "This region does not apply to the client's recorded anatomy."}
	reasonUnknownRegion    = Reason{CodeNotApplicable, "This is not a region of the body map."}
	reasonNotReconfirmed   = Reason{CodeNotReconfirmed, "Consent for this region must be re-confirmed by the client at the start of this session."}
	reasonScreeningReq     = Reason{CodeScreeningRequired, "Work on this region needs a current health screening; none is on record."}
	reasonScreeningStale   = Reason{CodeScreeningStale, "The client's health screening is out of date; it must be renewed before work on this region."}
	reasonChaperone        = Reason{CodeChaperoneNotOffered, "A chaperone must be offered, and the offer recorded, before internal work."}
	reasonStopped          = Reason{CodeStopped, "The session is stopped; nothing is permitted until the client resumes."}
	reasonAskFirst         = Reason{CodeAskFirst, "The client asked to be asked first: check in before touching this region."}
	reasonCheckinDeclined  = Reason{CodeCheckinDeclined, "The client said no to this region at a check-in; it stays off for the rest of the session."}
	// The passage reasons deny the prostate for a refusal of the anal canal
	// or rectum, through which it is reached.
	reasonRevokedPassage         = Reason{CodeRevoked, "The client has withdrawn consent for the anal canal or rectum, through which the prostate is reached."}
	reasonAnswerNoPassage        = Reason{CodeAnswerNo, "The client answered no for this technique on the anal canal or rectum, through which the prostate is reached."}
	reasonCheckinDeclinedPassage = Reason{CodeCheckinDeclined, "The client said no to the anal canal or rectum at a check-in; the prostate is reached through them, so it stays off for the rest of the session."}
	reasonNotActive              = Reason{CodeSessionNotActive, "Touch is permitted only while the session is in progress."}
	// reasonOverdue denies in a session past its booked end plus grace,
	// before (and after) its automatic close is recorded.
	reasonOverdue = Reason{CodeSessionNotActive, "The session's booked time and grace period are over: it has closed itself."}
	// reasonNoGrantPassage denies the prostate when the client has not said
	// yes for the technique on both passage regions.
	reasonNoGrantPassage = Reason{CodeNoGrant, "The prostate is reached through the anal canal and rectum: the client has not said yes to this technique on both for this session (an ask-first answer there needs a check-in yes first)."}
	// Design rules 9 and 10.
	reasonMinor             = Reason{CodeMinor, "The client is under the practice's age of majority: no intimate, internal or sensual work, whatever else is on record."}
	reasonGuardian          = Reason{CodeGuardianConsentRequired, "The client is under the practice's age of majority: this work needs a guardian's consent recorded with the agreement."}
	reasonSensualNotOffered = Reason{CodeNotOffered, "This practice does not offer sensual work."}
	reasonRegionNotOffered  = Reason{CodeNotOffered, "This practice does not offer work on this region."}
)

// maxInline is how many reasons a Decision holds without allocating.
const maxInline = 8

// Decision is the outcome of Decide with its reasons. A permit may carry
// precaution reasons; an ask carries ask_first (and any precautions); a
// deny carries every deny reason that applies. The zero Decision is a deny
// with no reasons; Decide never returns it.
type Decision struct {
	Outcome Outcome
	inline  [maxInline]Reason
	n       int
	more    []Reason // all reasons, once more than maxInline
	denied  bool
}

func (d *Decision) deny(r Reason) {
	d.denied = true
	d.add(r)
}

func (d *Decision) add(r Reason) {
	if d.more == nil && d.n < maxInline {
		d.inline[d.n] = r
		d.n++
		return
	}
	if d.more == nil {
		d.more = make([]Reason, 0, 2*maxInline)
		d.more = append(d.more, d.inline[:d.n]...)
	}
	d.more = append(d.more, r)
}

// Reasons returns the reasons in the order the rules were checked.
func (d *Decision) Reasons() []Reason {
	if d.more != nil {
		return d.more
	}
	return d.inline[:d.n:d.n]
}

// Has reports whether the decision carries a reason with code.
func (d *Decision) Has(code string) bool {
	for _, r := range d.Reasons() {
		if r.Code == code {
			return true
		}
	}
	return false
}

// MarshalJSON renders the API shape {"decision": ..., "reasons": [...]}.
func (d Decision) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Decision Outcome  `json:"decision"`
		Reasons  []Reason `json:"reasons"`
	}{d.Outcome, d.Reasons()})
}
