package consent

import (
	"time"

	"holdspace/catalogue"
	"holdspace/practice"
)

// compilePractice compiles the practice-wide rules (design rules 9 and 10)
// of f's policy and birth date into ix.
func (ix *Index) compilePractice(f ClientFacts) {
	p := f.Policy
	age := max(p.AgeOfMajority, practice.MinAgeOfMajority)
	ix.adultFrom = practice.AdultFrom(f.BirthDate, age, p.Location)
	ix.sensualOff = p.SensualNotOffered
	settings := practice.Settings{Scope: p.Scope}
	if p.Scope == nil {
		settings.Scope = practice.DefaultScope()
	}
	for i, r := range catalogue.Regions() {
		if i >= practice.MaxRegions {
			break
		}
		rule, ok := settings.Rule(r.Code)
		if !ok {
			continue
		}
		ix.notOffered[i] = !rule.Offered
		if rule.Requires != "" {
			ix.requires[i] = rule.Requires
			ix.qualReason[i] = Reason{CodeNotQualified, "This needs a practitioner holding a valid " + rule.Requires +
				" credential on the day; none is on record, or it is not valid now."}
		}
	}
}

// practiceRules applies the practice-wide rules to a decision on region
// index ri with intent at `at`: not_offered for a sensual session the
// practice does not offer or a switched-off region, minor for a minor's
// intimate, internal or sensual work. It reports whether the client is a
// minor at `at` and whether the work then needs a guardian's consent (the
// work a minor may have: therapeutic, general or sensitive).
func (ix *Index) practiceRules(d *Decision, ri int, reg catalogue.Region, intent catalogue.Intent, at time.Time) (minor, guardianNeeded bool) {
	if intent == catalogue.Sensual && ix.sensualOff {
		d.deny(reasonSensualNotOffered)
	}
	if ix.notOffered[ri] {
		d.deny(reasonRegionNotOffered)
	}
	minor = !ix.adultFrom.IsZero() && at.Before(ix.adultFrom)
	if !minor {
		return false, false
	}
	if reg.NeedsScreening() || intent == catalogue.Sensual {
		d.deny(reasonMinor)
		return true, false
	}
	return true, true
}

// Minor reports whether the index's client is under the age of majority at
// `at` (false when the birth date is unknown).
func (ix *Index) Minor(at time.Time) bool {
	return !ix.adultFrom.IsZero() && at.Before(ix.adultFrom)
}
