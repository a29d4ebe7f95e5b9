package practice

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"holdspace"
	"holdspace/catalogue"
)

// MinAgeOfMajority is the lowest age of majority a practice may set
// (design rule 9): never below 18.
const MinAgeOfMajority = 18

// maxAgeOfMajority bounds the setting so that a typo cannot lock every
// client out of all intimate work for ever.
const maxAgeOfMajority = 25

// DefaultFollowUpWindow is how long after the trigger a follow-up is due
// when the practice sets nothing.
const DefaultFollowUpWindow = 48 * time.Hour

// Scope groups: the sets of regions the practice's scope policy governs
// together (design rule 10).
const (
	ScopeAnorectal        = "internal-anorectal" // anal canal, rectum, prostate
	ScopeVaginal          = "internal-vaginal"   // vagina
	ScopeIntimateExternal = "intimate-external"  // genitals, perineum, external anus
)

// ScopeGroups returns every scope group, in body-map order.
func ScopeGroups() []string {
	return []string{ScopeIntimateExternal, ScopeAnorectal, ScopeVaginal}
}

// ScopeRegions returns the region codes of a scope group, or nil for an
// unknown group.
func ScopeRegions(group string) []string {
	switch group {
	case ScopeAnorectal:
		return []string{"anal-canal", "rectum", "prostate"}
	case ScopeVaginal:
		return []string{"vagina"}
	case ScopeIntimateExternal:
		return []string{"genitals", "perineum", "anus"}
	}
	return nil
}

// ScopeGroupOf returns the scope group a region belongs to, or "" for a
// region no scope group governs (general and sensitive regions).
func ScopeGroupOf(region string) string {
	for _, g := range ScopeGroups() {
		if slices.Contains(ScopeRegions(g), region) {
			return g
		}
	}
	return ""
}

// ScopeRule is the practice's policy for one scope group: the credential
// coverage a practitioner needs to work on its regions, and whether the
// practice offers work on them at all.
type ScopeRule struct {
	Group    string `json:"group" yaml:"group"`
	Requires string `json:"requires" yaml:"requires"`
	Offered  bool   `json:"offered" yaml:"offered"`
}

// DefaultScope is the scope policy of a new practice (design rule 10):
// internal-anorectal for the anal canal, rectum and prostate,
// internal-vaginal for the vagina, intimate-external for the genitals,
// perineum and external anus; every group offered.
func DefaultScope() []ScopeRule {
	return []ScopeRule{
		{Group: ScopeIntimateExternal, Requires: catalogue.CoverIntimateExternal, Offered: true},
		{Group: ScopeAnorectal, Requires: catalogue.CoverInternalAnorectal, Offered: true},
		{Group: ScopeVaginal, Requires: catalogue.CoverInternalVaginal, Offered: true},
	}
}

// Settings are the practice-wide policies that decisions and follow-ups
// read. The time zone is an IANA name; resolving it is the caller's job
// (it reads the time zone database), so this package stays free of I/O.
type Settings struct {
	// AgeOfMajority is the age from which a client is an adult: at least
	// MinAgeOfMajority.
	AgeOfMajority int `json:"age_of_majority" yaml:"age_of_majority"`
	// TimeZone is the practice's IANA time zone; ages and birthdays are
	// counted in it.
	TimeZone string `json:"time_zone" yaml:"time_zone"`
	// SensualOffered says whether the practice offers sensual work at all.
	SensualOffered bool `json:"sensual_offered" yaml:"sensual_offered"`
	// FollowUpWindowHours is how long after a session that needs one a
	// follow-up is due.
	FollowUpWindowHours int `json:"follow_up_window_hours" yaml:"follow_up_window_hours"`
	// Scope holds one rule per scope group.
	Scope []ScopeRule `json:"scope" yaml:"scope"`
	// Identity is who the practice is: the data controller on consent
	// receipts and FHIR records, the letterhead of printed agreements.
	Identity Identity `json:"identity" yaml:"identity"`
	// CancellationWindowHours is how long before a booked session a
	// cancellation counts as late (recorded as such); see booking_settings.go.
	CancellationWindowHours int `json:"cancellation_window_hours" yaml:"cancellation_window_hours"`
	// NoShowAfterMinutes is how long after a booked start the practitioner
	// may record that the client did not come.
	NoShowAfterMinutes int `json:"no_show_after_minutes" yaml:"no_show_after_minutes"`
	// Language is the practice's default language (a shipped tag such as
	// "de"): pages use it when neither the person nor their browser names
	// one holdspace ships; empty: English. The app checks it is shipped.
	Language string `json:"language,omitempty" yaml:"language,omitempty"`
}

// Identity is the practice as the people it serves and other systems see
// it. Every field is optional; a printed record leaves out what is empty.
type Identity struct {
	// Name is the practice's name, e.g. "Praxis am Park".
	Name string `json:"name,omitempty" yaml:"name,omitempty"`
	// Address is the postal address, one line per line.
	Address string `json:"address,omitempty" yaml:"address,omitempty"`
	// Email and Phone are how clients and authorities reach the practice
	// about their data.
	Email string `json:"email,omitempty" yaml:"email,omitempty"`
	Phone string `json:"phone,omitempty" yaml:"phone,omitempty"`
	// Jurisdiction is where the practice's data-protection law comes from:
	// an ISO 3166-1 alpha-2 country code, optionally with an ISO 3166-2
	// subdivision ("DE", "US-CA").
	Jurisdiction string `json:"jurisdiction,omitempty" yaml:"jurisdiction,omitempty"`
	// PrivacyNotice is the practice's privacy notice in plain text,
	// shown at /privacy.
	PrivacyNotice string `json:"privacy_notice,omitempty" yaml:"privacy_notice,omitempty"`
}

// DefaultSettings are the settings of a new practice: age of majority 18,
// time zone UTC, no sensual work, follow-ups due within 48 hours, the
// default scope policy.
func DefaultSettings() Settings {
	return Settings{
		AgeOfMajority:       MinAgeOfMajority,
		TimeZone:            "UTC",
		FollowUpWindowHours: int(DefaultFollowUpWindow / time.Hour),
		Scope:               DefaultScope(),
	}.bookingDefaults()
}

// WithDefaults returns s with unset fields taken from DefaultSettings, a
// scope rule without a credential given its group's default credential,
// and a missing scope group added with its default rule.
func (s Settings) WithDefaults() Settings {
	d := DefaultSettings()
	if s.AgeOfMajority == 0 {
		s.AgeOfMajority = d.AgeOfMajority
	}
	if s.TimeZone == "" {
		s.TimeZone = d.TimeZone
	}
	if s.FollowUpWindowHours == 0 {
		s.FollowUpWindowHours = d.FollowUpWindowHours
	}
	s = s.bookingDefaults()
	s.Scope = slices.Clone(s.Scope)
	for i, r := range s.Scope {
		for _, def := range d.Scope {
			if r.Group == def.Group && r.Requires == "" {
				s.Scope[i].Requires = def.Requires
			}
		}
	}
	for _, def := range d.Scope {
		if !slices.ContainsFunc(s.Scope, func(r ScopeRule) bool { return r.Group == def.Group }) {
			s.Scope = append(s.Scope, def)
		}
	}
	return s
}

// Validate checks s (after WithDefaults) and returns an EINVALID
// *holdspace.Error naming the field:
//   - age_of_majority below 18 or above 25 → "out_of_range";
//   - follow_up_window_hours outside 1–720 → "out_of_range";
//   - a scope group that is unknown ("unknown_scope_group") or repeated
//     ("duplicate_scope_group"), field "scope[i].group";
//   - a scope rule whose requires is not a credential coverage →
//     "unknown_cover", field "scope[i].requires".
//
// The time zone is checked by whoever resolves it.
func (s Settings) Validate() error {
	var ps holdspace.Problems
	if s.AgeOfMajority < MinAgeOfMajority || s.AgeOfMajority > maxAgeOfMajority {
		ps.Add(holdspace.Invalid("out_of_range", "age_of_majority", "The age of majority is between %d and %d; it is never below %d.",
			MinAgeOfMajority, maxAgeOfMajority, MinAgeOfMajority))
	}
	if s.FollowUpWindowHours < 1 || s.FollowUpWindowHours > 720 {
		ps.Add(holdspace.Invalid("out_of_range", "follow_up_window_hours", "The follow-up window is between 1 and 720 hours."))
	}
	if err := s.Identity.Validate(); !ps.AddErr(err) {
		return err
	}
	if err := s.validateBooking(); err != nil {
		return err
	}
	seen := map[string]bool{}
	for i, r := range s.Scope {
		f := "scope[" + strconv.Itoa(i) + "]"
		if ScopeRegions(r.Group) == nil {
			ps.Add(holdspace.Invalid("unknown_scope_group", f+".group", "%q is not a scope group (one of %v).", r.Group, ScopeGroups()))
		} else if seen[r.Group] {
			ps.Add(holdspace.Invalid("duplicate_scope_group", f+".group", "The scope group %q is listed twice.", r.Group))
		}
		seen[r.Group] = true
		if !catalogue.ValidCover(r.Requires) {
			ps.Add(holdspace.Invalid("unknown_cover", f+".requires", "%q is not a credential coverage (one of %v).", r.Requires, catalogue.Covers()))
		}
	}
	return ps.Err()
}

// Rule returns the scope rule for a region, and false when no scope group
// governs the region.
func (s Settings) Rule(region string) (ScopeRule, bool) {
	g := ScopeGroupOf(region)
	if g == "" {
		return ScopeRule{}, false
	}
	for _, r := range s.Scope {
		if r.Group == g {
			return r, true
		}
	}
	for _, r := range DefaultScope() {
		if r.Group == g {
			return r, true
		}
	}
	return ScopeRule{}, false
}

// Offers reports whether the practice offers work on region with intent:
// sensual work only when SensualOffered, and a region governed by a scope
// group only when that group is offered.
func (s Settings) Offers(region string, intent catalogue.Intent) bool {
	if intent == catalogue.Sensual && !s.SensualOffered {
		return false
	}
	if r, ok := s.Rule(region); ok && !r.Offered {
		return false
	}
	return true
}

// FollowUpWindow returns the follow-up window as a duration.
func (s Settings) FollowUpWindow() time.Duration {
	if s.FollowUpWindowHours <= 0 {
		return DefaultFollowUpWindow
	}
	return time.Duration(s.FollowUpWindowHours) * time.Hour
}

// AdultFrom returns the instant a person born on birth (a civil date; its
// year, month and day are read in UTC, as time.Parse(time.DateOnly) gives
// them) reaches age in loc (nil: UTC): 00:00 of that birthday in loc. A
// 29 February birthday falls on 1 March in a year without one, the later of
// the two readings, so that no one is treated as an adult early. A zero
// birth returns the zero time.
func AdultFrom(birth time.Time, age int, loc *time.Location) time.Time {
	if birth.IsZero() {
		return time.Time{}
	}
	if loc == nil {
		loc = time.UTC
	}
	y, m, d := birth.UTC().Date()
	return time.Date(y+age, m, d, 0, 0, 0, 0, loc)
}

// MinorAt reports whether a person born on birth is under age at the
// instant at, counted in loc (see AdultFrom). A zero birth is never a minor:
// callers require a birth date for every client.
func MinorAt(birth time.Time, age int, loc *time.Location, at time.Time) bool {
	if birth.IsZero() {
		return false
	}
	return at.Before(AdultFrom(birth, age, loc))
}

// Identity limits, in characters.
const (
	maxIdentityLine    = 200
	maxIdentityAddress = 500
	maxPrivacyNotice   = 20000
)

// Validate checks the identity's lengths and its jurisdiction's form, and
// returns an EINVALID *holdspace.Error naming the field
// ("identity.name", …): "too_long" or "bad_jurisdiction".
func (id Identity) Validate() error {
	for _, f := range []struct {
		name, value string
		max         int
	}{
		{"identity.name", id.Name, maxIdentityLine},
		{"identity.address", id.Address, maxIdentityAddress},
		{"identity.email", id.Email, maxIdentityLine},
		{"identity.phone", id.Phone, maxIdentityLine},
		{"identity.privacy_notice", id.PrivacyNotice, maxPrivacyNotice},
	} {
		if utf8.RuneCountInString(f.value) > f.max {
			return holdspace.Invalid("too_long", f.name, "At most %d characters.", f.max)
		}
	}
	if id.Jurisdiction != "" && !validJurisdiction(id.Jurisdiction) {
		return holdspace.Invalid("bad_jurisdiction", "identity.jurisdiction",
			"%q is not an ISO 3166 country code such as \"DE\" or \"US-CA\".", id.Jurisdiction)
	}
	return nil
}

// validJurisdiction accepts "CC" or "CC-SUB" with CC two upper-case letters
// and SUB one to three upper-case letters or digits (ISO 3166-1 alpha-2 and
// ISO 3166-2).
func validJurisdiction(j string) bool {
	country, sub, hasSub := strings.Cut(j, "-")
	if len(country) != 2 || !isUpper(country) {
		return false
	}
	if !hasSub {
		return true
	}
	if len(sub) < 1 || len(sub) > 3 {
		return false
	}
	for _, r := range sub {
		if !('A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return false
		}
	}
	return true
}

func isUpper(s string) bool {
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}
