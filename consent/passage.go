package consent

import (
	"time"

	"holdspace/catalogue"
	"holdspace/practice"
)

// passageGranted reports whether the client said yes to technique ti on
// both passage regions (the anal canal and the rectum) in the agreements
// that govern the session (base and every newer signed version of the
// intent), an "ask" counting only with a check-in "yes" for that region
// within the ask window of `at`. A refusal there (revocation, "no" or a
// check-in "no") also reports true: the prostate is already denied for it
// with a reason naming the passage, and one reason is enough.
func (ix *Index) passageGranted(s *practice.Facts, base *compiledAgreement, intent catalogue.Intent, ti int, at time.Time) bool {
	if passage.prostate < 0 {
		return true
	}
	missing := false
	for _, ri := range [2]int{passage.analCanal, passage.rectum} {
		if s != nil && s.CheckInAt(ri).Declined {
			return true
		}
		switch ix.effectiveAnswer(base, intent, ri, ti) {
		case ansNo:
			return true
		case ansYes:
		case ansAsk:
			if s == nil {
				missing = true
				continue
			}
			ci := s.CheckInAt(ri)
			since := at.Sub(ci.LastYes)
			if ci.LastYes.IsZero() || since > ix.askWindow || since < -ix.askWindow {
				missing = true
			}
		default:
			missing = true
		}
	}
	return !missing
}

// effectiveAnswer is the most restrictive answer for (ri, ti) of base and
// every newer signed agreement of intent, a revocation counting as "no" and
// a missing grant in any of them as no grant at all.
func (ix *Index) effectiveAnswer(base *compiledAgreement, intent catalogue.Intent, ri, ti int) uint8 {
	if base.intent != intent {
		return ansNone
	}
	answer, none := ansYes, false
	for i := range ix.agreements {
		a := &ix.agreements[i]
		if a != base && (a.intent != intent || a.version <= base.version || a.signedAt.IsZero()) {
			continue
		}
		if a.revoked[ri] {
			return ansNo
		}
		switch v := a.answers[ri][ti]; v {
		case ansNone:
			none = true
		default:
			answer = max(answer, v)
		}
	}
	if none && answer != ansNo {
		return ansNone
	}
	return answer
}
