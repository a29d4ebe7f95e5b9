package web

import (
	"slices"
	"strings"

	"holdspace/catalogue"
	"holdspace/i18n"
	"holdspace/screening"
)

// regionScreening is one region's screening outcome as the body map shows
// it. A finding limited to some techniques (blood thinners rule out deep
// pressure) leaves the region open with the others, so the region takes
// the severity of its most open technique, and the text names what is
// ruled out or needs care beyond that: "Fine, with care; not for now: deep
// pressure" rather than a red "Not for now" over the whole body.
// Its words are in l.
func regionScreening(l *i18n.Localizer, fs []screening.Finding, region string) (screening.Severity, string) {
	techs := catalogue.Techniques()
	per := make([]screening.Severity, len(techs))
	for _, f := range fs {
		if !slices.Contains(f.Regions, region) {
			continue
		}
		for i, t := range techs {
			if len(f.Techniques) == 0 || slices.Contains(f.Techniques, t.Code) {
				per[i] = max(per[i], f.Severity)
			}
		}
	}
	best := slices.Min(per)
	parts := []string{severityName(l, best)}
	for _, sev := range []screening.Severity{screening.Contraindicated, screening.Referral, screening.Precaution} {
		if sev <= best {
			continue
		}
		var names []string
		for i, t := range techs {
			if per[i] == sev {
				names = append(names, techWord(l, t.Code))
			}
		}
		if len(names) > 0 {
			parts = append(parts, orSrc(l).T("screening.severity_for."+sev.String(), "List", strings.Join(names, ", ")))
		}
	}
	return best, strings.Join(parts, "; ")
}
