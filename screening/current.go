package screening

import (
	"slices"
	"time"

	"holdspace"
)

// DefaultValidityMonths is how long a screening stays current by policy
// (six months); a practice may choose another value.
const DefaultValidityMonths = 6

// ValidUntil returns when a screening taken at takenAt stops being current
// under a validity of the given number of months.
func ValidUntil(takenAt time.Time, months int) time.Time { return takenAt.AddDate(0, months, 0) }

// Stale reasons.
const (
	StaleExpired      = "expired"
	StaleHealthChange = "health_change"
	StaleSuperseded   = "superseded"
)

// Record is a stored screening.
type Record struct {
	ID         string    `json:"id"`
	TakenAt    time.Time `json:"taken_at"`
	ValidUntil time.Time `json:"valid_until"`
	Result     Result    `json:"result"`
}

// Current is a client's screening as it applies at one moment.
type Current struct {
	// Present is false when the client has never been screened.
	Present    bool      `json:"present"`
	ID         string    `json:"id,omitempty"`
	TakenAt    time.Time `json:"taken_at"`
	ValidUntil time.Time `json:"valid_until"`
	// Stale screenings do not satisfy the screening requirement of
	// intimate and internal regions; StaleReason says why.
	Stale       bool   `json:"stale"`
	StaleReason string `json:"stale_reason,omitempty"`
	// Findings are the screening's findings less the referrals lifted by a
	// clearance, in Result order.
	Findings []Finding `json:"findings"`
	// Cleared lists the rule ids whose referral a clearance lifted.
	Cleared []string `json:"cleared"`
	// Outcome and Regions are recomputed from Findings.
	Outcome Severity            `json:"outcome"`
	Regions map[string]Severity `json:"regions"`
}

// CurrentAt returns the screening that applies at `at`, given the latest
// stored screening (nil when none), the times the client reported a health
// change and the clearances recorded for the client.
//
// The screening is stale when its questionnaire has been retired
// (superseded), when a health change was reported after it was taken and
// not after `at` (health_change), or when at >= ValidUntil (expired), in
// that order of precedence. A clearance lifts exactly the referral finding
// whose Rule it names, when it was recorded after the screening was taken
// and not after `at`; contraindications and precautions are never lifted.
func CurrentAt(latest *Record, healthChanges []time.Time, clearances []Clearance, at time.Time) Current {
	if latest == nil {
		_, regions := regionOutcomes(nil)
		return Current{Regions: regions}
	}
	c := Current{Present: true, ID: latest.ID, TakenAt: latest.TakenAt, ValidUntil: latest.ValidUntil}
	if q, ok := Lookup(latest.Result.Questionnaire); ok && q.Retired {
		c.Stale, c.StaleReason = true, StaleSuperseded
	}
	if !c.Stale {
		for _, h := range healthChanges {
			if h.After(latest.TakenAt) {
				c.Stale, c.StaleReason = true, StaleHealthChange
				break
			}
		}
	}
	if !c.Stale && !at.Before(latest.ValidUntil) {
		c.Stale, c.StaleReason = true, StaleExpired
	}
	for _, f := range latest.Result.Findings {
		if f.Liftable() && clearedBy(f.Rule, latest, clearances) {
			if !slices.Contains(c.Cleared, f.Rule) {
				c.Cleared = append(c.Cleared, f.Rule)
			}
			continue
		}
		c.Findings = append(c.Findings, f)
	}
	slices.Sort(c.Cleared)
	c.Outcome, c.Regions = regionOutcomes(c.Findings)
	return c
}

func clearedBy(rule string, latest *Record, clearances []Clearance) bool {
	for _, cl := range clearances {
		if cl.Rule != rule {
			continue
		}
		// A clearance recorded against a screening lifts that screening's
		// finding only; one without a screening (older records) lifts the
		// screenings taken up to its recording.
		if cl.ScreeningID != "" {
			if cl.ScreeningID == latest.ID {
				return true
			}
			continue
		}
		if !cl.RecordedAt.Before(latest.TakenAt) {
			return true
		}
	}
	return false
}

// ValidateClearance checks that a clearance for rule may be recorded
// against the client's current screening. Errors: EINVALID unknown_rule
// (no such rule in the pack), EINVALID not_a_referral (the rule is a
// contraindication or precaution, which a clearance never lifts),
// ECONFLICT screening_required (no screening), ECONFLICT not_in_findings
// (the current screening has no such referral finding, or it is already
// cleared). All have Field "rule" where it applies.
func (p *Pack) ValidateClearance(cur Current, rule string) error {
	r, ok := p.byID[rule]
	if !ok {
		return holdspace.Invalid("unknown_rule", "rule", "%q is not a screening rule.", rule)
	}
	if r.Severity != Referral && !r.UntilCleared {
		return holdspace.Invalid("not_a_referral", "rule", "%q is a %s, which a clearance cannot lift.", rule, r.Severity)
	}
	if !cur.Present {
		return holdspace.Conflict("screening_required", "The client has no screening to clear.")
	}
	for i := range cur.Findings {
		if f := &cur.Findings[i]; f.Rule == rule && f.Liftable() {
			return nil
		}
	}
	e := holdspace.Conflict("not_in_findings", "The client's current screening has no open finding %q to clear.", rule)
	e.Field = "rule"
	return e
}
