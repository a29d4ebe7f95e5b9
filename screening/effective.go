package screening

import (
	"slices"
	"time"
)

// Why a finding is held although the latest screening does not report it
// (Finding.Held): each is a sentence the practitioner reads in a decision's
// reason.
const (
	HeldUntilCleared = "a referral stands until a clearance is recorded, whatever later screenings say"
	HeldUnconfirmed  = "a later screening entered by the practitioner leaves it out; it stands until the client confirms that screening"
	HeldThisSession  = "a later screening lifts it from the next session, not during this one"
)

// Entry is one stored screening as Effective reads it.
type Entry struct {
	Record
	// ByPractitioner is set when a practitioner (or admin) entered the
	// screening rather than the client from their own account.
	ByPractitioner bool
	// ConfirmedAt is when the client confirmed a screening entered by
	// someone else (zero: not confirmed).
	ConfirmedAt time.Time
}

// effectiveFrom is when a screening's answers count as the client's: when
// taken, or for one entered by a practitioner, when the client confirmed it
// (zero: not yet).
func (e *Entry) effectiveFrom() time.Time {
	if !e.ByPractitioner {
		return e.TakenAt
	}
	if e.ConfirmedAt.IsZero() {
		return time.Time{}
	}
	return e.ConfirmedAt
}

type heldFinding struct {
	f           Finding
	originID    string
	originTaken time.Time
}

// Effective returns the screening in force at `at`, given every screening
// of the client oldest first, the times the client reported a health
// change, the clearances on record and liftFrom, the time the session the
// decision is for opened (zero: no session open). Screenings never widen
// behind the client's back: walking the history, a finding that an earlier
// screening reported and a later one leaves out still applies (with Held
// saying why, in this order) when
//   - it is a referral (or a contraindication until cleared) for which no
//     clearance was recorded since the screening that reported it
//     (HeldUntilCleared);
//   - the later screening was entered by a practitioner and the client has
//     not confirmed it (HeldUnconfirmed);
//   - the later screening counts from after liftFrom: lifting applies from
//     the next session, never in the middle of one (HeldThisSession).
//
// The latest screening's own findings always apply. The result is then
// CurrentAt of the latest screening with the held findings added, so that
// staleness, clearances, Outcome and Regions follow the usual rules.
func Effective(history []Entry, healthChanges []time.Time, clearances []Clearance, liftFrom, at time.Time) Current {
	if len(history) == 0 {
		return CurrentAt(nil, healthChanges, clearances, at)
	}
	var state []heldFinding
	for i := range history {
		e := &history[i]
		next := make([]heldFinding, 0, len(e.Result.Findings)+len(state))
		for _, f := range e.Result.Findings {
			next = append(next, heldFinding{f: f, originID: e.ID, originTaken: e.TakenAt})
		}
		from := e.effectiveFrom()
		for _, old := range state {
			if slices.ContainsFunc(e.Result.Findings, func(f Finding) bool { return f.Rule == old.f.Rule }) {
				continue
			}
			why := ""
			switch {
			case old.f.Liftable() && !clearedSince(old.f.Rule, old.originID, old.originTaken, clearances):
				why = HeldUntilCleared
			case from.IsZero():
				why = HeldUnconfirmed
			case !liftFrom.IsZero() && from.After(liftFrom):
				why = HeldThisSession
			}
			if why != "" {
				old.f.Held = why
				next = append(next, old)
			}
		}
		state = next
	}
	latest := history[len(history)-1].Record
	latest.Result.Findings = make([]Finding, 0, len(state))
	for _, h := range state {
		latest.Result.Findings = append(latest.Result.Findings, h.f)
	}
	// A held finding's clearance may have been recorded against the
	// screening that reported it: CurrentAt only knows the latest one.
	var own []Clearance
	for _, c := range clearances {
		if c.ScreeningID == "" || c.ScreeningID == latest.ID {
			own = append(own, c)
			continue
		}
		for _, h := range state {
			if h.f.Held != "" && h.originID == c.ScreeningID && h.f.Rule == c.Rule {
				c.ScreeningID = latest.ID
				own = append(own, c)
				break
			}
		}
	}
	return CurrentAt(&latest, healthChanges, own, at)
}

// clearedSince reports whether a clearance for rule was recorded against
// the screening originID or, without a screening, at or after originTaken.
// A clearance recorded against a later screening also counts: it was
// recorded after the finding was reported.
func clearedSince(rule, originID string, originTaken time.Time, clearances []Clearance) bool {
	for _, c := range clearances {
		if c.Rule != rule {
			continue
		}
		if c.ScreeningID == originID || !c.RecordedAt.Before(originTaken) {
			return true
		}
	}
	return false
}
