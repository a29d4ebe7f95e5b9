package consent

import (
	"time"

	"holdspace/catalogue"
	"holdspace/practice"
)

// regionScopeGroup is the scope group of each region, by catalogue
// position ("" for none), and qualReasons the not_qualified reason naming
// each credential coverage: both built once, so that Compile allocates
// nothing for them.
var (
	regionScopeGroup = func() (out [practice.MaxRegions]string) {
		for i, code := range catalogue.RegionCodes() {
			if i < practice.MaxRegions {
				out[i] = practice.ScopeGroupOf(code)
			}
		}
		return out
	}()
	qualReasons = func() map[string]Reason {
		m := map[string]Reason{}
		for _, c := range catalogue.Covers() {
			m[c] = qualReason(c)
		}
		return m
	}()
)

func qualReason(cover string) Reason {
	return Reason{CodeNotQualified, PrefixQualification + cover +
		" credential on the day; none is on record, or it is not valid now."}
}

// compilePractice compiles the practice-wide rules (design rules 9 and 10)
// of f's policy and birth date into ix.
func (ix *Index) compilePractice(f ClientFacts) {
	p := f.Policy
	age := max(p.AgeOfMajority, practice.MinAgeOfMajority)
	ix.adultFrom = practice.AdultFrom(f.BirthDate, age, p.Location)
	ix.sensualOff = p.SensualNotOffered
	// The policy's rule for each group: the first one listed, else the
	// default.
	var rules [8]practice.ScopeRule
	groups := practice.ScopeGroups()
	if len(groups) > len(rules) {
		groups = groups[:len(rules)] // a test asserts every group fits
	}
	for gi, g := range groups {
		found := false
		for _, r := range p.Scope {
			if r.Group == g {
				rules[gi], found = r, true
				break
			}
		}
		if !found {
			for _, r := range practice.DefaultScope() {
				if r.Group == g {
					rules[gi] = r
				}
			}
		}
	}
	for i, g := range regionScopeGroup {
		if g == "" {
			continue
		}
		for gi := range groups {
			if groups[gi] != g {
				continue
			}
			rule := rules[gi]
			ix.notOffered[i] = !rule.Offered
			if rule.Requires != "" {
				ix.requires[i] = rule.Requires
				ix.reqHolders[i] = practice.Holders(ix.creds, rule.Requires)
				r, ok := qualReasons[rule.Requires]
				if !ok {
					r = qualReason(rule.Requires)
				}
				ix.qualReason[i] = r
			}
		}
	}
}

// practiceRules applies the practice-wide rules to a decision on region
// index ri with intent at `at`: not_offered for a sensual session the
// practice does not offer or a switched-off region, minor for a minor's
// intimate, internal or sensual work. It reports whether the client is a
// minor at `at` and whether the work then needs a guardian's consent (the
// work a minor may have: therapeutic, general or sensitive).
func (ix *Index) practiceRules(d *Decision, ri int, grp catalogue.Group, intent catalogue.Intent, at time.Time) (minor, guardianNeeded bool) {
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
	if grp.NeedsScreening() || intent == catalogue.Sensual {
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
