package practice

import "holdspace"

// Size limits of a session event's payload. Text is counted in bytes.
const (
	// MaxEventText bounds an event's free text, and the close notes
	// (subjective, objective, assessment, plan, aftercare and referrals)
	// in all.
	MaxEventText = 20000
	// MaxReferrals bounds the referrals of a close.
	MaxReferrals = 20
	// MaxChaperoneName bounds a chaperone's name.
	MaxChaperoneName = 200
	// MaxFollowUpText bounds the note of a follow-up answer (checked by
	// Validate, after the answer itself).
	MaxFollowUpText = 4000
	// maxType, maxRegion, maxAnswer, maxKind and maxAgreementID bound the
	// code fields.
	maxType        = 40
	maxRegion      = 40
	maxAnswer      = 10
	maxKind        = 40
	maxAgreementID = 100
)

// CheckSize refuses a payload field of e that exceeds its size limit,
// whatever e's type. Validate runs it once the fields fit the type; callers
// run it on raw input before doing any work, so that an oversized request
// is refused before anything is read.
// Errors: EINVALID "too_long" (field "text", "close" or "chaperone.name";
// "type" for any code field: type, region, answer, kind, agreement id),
// "too_many" (field "close.referrals").
func (e Event) CheckSize() error {
	if len(e.Text) > MaxEventText {
		return holdspace.Invalid("too_long", "text", "Text may have at most %d characters.", MaxEventText)
	}
	if c := e.Close; c != nil {
		n := len(c.Subjective) + len(c.Objective) + len(c.Assessment) + len(c.Plan) + len(c.Aftercare)
		if len(c.Referrals) > MaxReferrals {
			return holdspace.Invalid("too_many", "close.referrals", "At most %d referrals.", MaxReferrals)
		}
		for _, r := range c.Referrals {
			n += len(r)
		}
		if n > MaxEventText {
			return holdspace.Invalid("too_long", "close", "Notes may have at most %d characters in all.", MaxEventText)
		}
	}
	if e.Chaperone != nil && len(e.Chaperone.Name) > MaxChaperoneName {
		return holdspace.Invalid("too_long", "chaperone.name", "A name may have at most %d characters.", MaxChaperoneName)
	}
	if len(e.Type) > maxType || len(e.Region) > maxRegion || len(e.Answer) > maxAnswer || len(e.Kind) > maxKind ||
		len(e.AgreementID) > maxAgreementID {
		return holdspace.Invalid("too_long", "type", "A code field is too long.")
	}
	return nil
}
