package screening

import (
	"time"
)

// Severity is how strongly a finding limits the work. Severities are ordered:
// a larger value is worse.
type Severity int

// Severities, from none to worst.
const (
	Clear Severity = iota
	Precaution
	Referral
	Contraindicated
)

var severityNames = [...]string{"clear", "precaution", "referral", "contraindicated"}

// String returns the stable code of the severity.
func (s Severity) String() string {
	if s < 0 || int(s) >= len(severityNames) {
		return "unknown"
	}
	return severityNames[s]
}

// ParseSeverity returns the severity with the given code.
func ParseSeverity(code string) (Severity, bool) {
	for i, n := range severityNames {
		if n == code {
			return Severity(i), true
		}
	}
	return Clear, false
}

// MarshalText implements encoding.TextMarshaler.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Severity) UnmarshalText(b []byte) error {
	v, ok := ParseSeverity(string(b))
	if !ok {
		return &unknownSeverityError{string(b)}
	}
	*s = v
	return nil
}

type unknownSeverityError struct{ code string }

func (e *unknownSeverityError) Error() string { return "unknown severity " + e.code }

// Finding is one rule of the pack that fired for a client. It covers some
// regions and, when Techniques is not empty, only those techniques.
type Finding struct {
	Rule       string   `json:"rule"`
	Severity   Severity `json:"severity"`
	Regions    []string `json:"regions"`
	Techniques []string `json:"techniques,omitempty"`
	// Reason is written for the client: plain and without blame.
	Reason string `json:"reason"`
	// PractitionerReason is written for the practitioner.
	PractitionerReason string `json:"practitioner_reason"`
	Source             string `json:"source"`
	// Requires names a credential coverage (catalogue.Cover*) that a
	// practitioner must hold for the finding's regions; "trauma-informed"
	// for the trauma-history precaution.
	Requires string `json:"requires,omitempty"`
	// UntilCleared marks a contraindication that a medical clearance lifts.
	UntilCleared bool `json:"until_cleared,omitempty"`
	// Held, when set, says why the finding still applies although the
	// latest screening does not report it (see Effective), for the
	// practitioner to read.
	Held string `json:"held,omitempty"`
}

// Liftable reports whether a clearance lifts the finding: referrals, and
// contraindications until cleared.
func (f *Finding) Liftable() bool {
	return f.Severity == Referral || (f.Severity == Contraindicated && f.UntilCleared)
}

// Covers reports whether the finding applies to the region and technique.
func (f *Finding) Covers(region, technique string) bool {
	in := false
	for _, r := range f.Regions {
		if r == region {
			in = true
			break
		}
	}
	if !in {
		return false
	}
	if len(f.Techniques) == 0 {
		return true
	}
	for _, t := range f.Techniques {
		if t == technique {
			return true
		}
	}
	return false
}

// Clearance is a medical clearance recorded for a referral finding. It lifts
// exactly the finding whose Rule it names, of the screening it was recorded
// against (ScreeningID); a newer screening that fires the rule again needs a
// new clearance.
type Clearance struct {
	ID          string    `json:"id"`
	Rule        string    `json:"rule"`
	ScreeningID string    `json:"screening_id,omitempty"`
	ClearedBy   string    `json:"cleared_by"`
	ClearedOn   string    `json:"cleared_on"` // YYYY-MM-DD
	RecordedAt  time.Time `json:"recorded_at"`
}

// ReasonIn returns the client's reason in lang ("de"). A finding keeps
// the English words its rule gave when it fired; when the rule of that id
// in the default pack still gives exactly those words, its translation is
// returned, else (a custom pack, an older wording, an unknown language)
// the finding's own words.
func (f *Finding) ReasonIn(lang string) string {
	if r := f.defaultRule(); r != nil && r.Reason == f.Reason {
		return r.ReasonsIn(lang).Reason
	}
	return f.Reason
}

// PractitionerReasonIn is ReasonIn for the practitioner's reason.
func (f *Finding) PractitionerReasonIn(lang string) string {
	if r := f.defaultRule(); r != nil && r.PractitionerReason == f.PractitionerReason {
		return r.ReasonsIn(lang).PractitionerReason
	}
	return f.PractitionerReason
}

func (f *Finding) defaultRule() *Rule {
	p := DefaultPack()
	if p == nil {
		return nil
	}
	r, _ := p.Rule(f.Rule)
	return r
}

// TranslateReason returns text, a client or practitioner reason the
// default pack's rules give in English, in lang; false when no rule gives
// exactly that text (a custom pack's words) or lang has no translation.
func TranslateReason(text, lang string) (string, bool) {
	p := DefaultPack()
	if p == nil || text == "" {
		return "", false
	}
	for _, r := range p.rules {
		t, ok := r.Translations[lang]
		switch {
		case !ok:
		case r.Reason == text:
			return t.Reason, true
		case r.PractitionerReason == text:
			return t.PractitionerReason, true
		}
	}
	return "", false
}
