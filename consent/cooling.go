package consent

import (
	"strconv"
	"time"

	"holdspace"
	"holdspace/catalogue"
)

// DefaultCoolingOff is how long after a withdrawal only the client's own
// signature can grant the region again, when the practice sets no period.
const DefaultCoolingOff = 24 * time.Hour

// CoolingOff checks that signing draft by method at `at` grants again no
// region the client withdrew during the cooling-off period before `at`
// (zero or negative period: DefaultCoolingOff). Withdrawn means withdrawn:
// in that period a region withdrawn from any agreement of the client, of
// either intent, can be granted again ("yes" or "ask") only by the client's
// own signature from their own account (SignByClient), never in person on
// the practitioner's device. A withdrawal of the anal canal or the rectum
// also withdraws the prostate, which is reached through them. Revocations
// recorded after `at` (a node with a slower clock) count too.
//
// Errors: ECONFLICT "cooling_off" with field "grants[i].region" naming the
// first such grant.
func CoolingOff(all []Agreement, draft *Agreement, method string, at time.Time, period time.Duration) error {
	if method == SignByClient {
		return nil
	}
	if period <= 0 {
		period = DefaultCoolingOff
	}
	since := at.Add(-period)
	for i, g := range draft.Grants {
		if g.Answer != catalogue.Yes && g.Answer != catalogue.Ask {
			continue
		}
		when, ok := withdrawnSince(all, g.Region, since)
		if !ok {
			continue
		}
		e := holdspace.Conflict("cooling_off",
			"The client withdrew consent for %s at %s. Until %s only the client can give it again, by signing from their own account.",
			regionLabel(g.Region), when.UTC().Format(time.RFC3339), when.Add(period).UTC().Format(time.RFC3339))
		e.Field = "grants[" + strconv.Itoa(i) + "].region"
		return e
	}
	return nil
}

// withdrawnSince returns the latest revocation at or after since covering
// region (or, for the prostate, a passage region).
func withdrawnSince(all []Agreement, region string, since time.Time) (time.Time, bool) {
	var latest time.Time
	found := false
	for i := range all {
		for _, r := range all[i].Revocations {
			if r.At.Before(since) {
				continue
			}
			covers := r.covers(region)
			if !covers && region == "prostate" {
				covers = r.covers("anal-canal") || r.covers("rectum")
			}
			if covers && (!found || r.At.After(latest)) {
				latest, found = r.At, true
			}
		}
	}
	return latest, found
}

func regionLabel(code string) string {
	if r, ok := catalogue.LookupRegion(code); ok {
		return r.Label
	}
	return code
}
