// Package catalogue holds the stable vocabulary of holdspace: body regions
// and their groups, techniques, intents, consent answers and credential
// coverage. Codes here appear in the API, the database and exports and never
// change meaning once shipped (see shared/domain.md). The package is pure.
package catalogue

import "slices"

// Group classifies a region by how much care touching it needs.
type Group string

// Region groups, from least to most guarded.
const (
	General   Group = "general"
	Sensitive Group = "sensitive"
	Intimate  Group = "intimate"
	Internal  Group = "internal"
)

// Anatomy is what a client records about their body. It is never inferred
// from gender.
type Anatomy struct {
	Prostate bool `json:"prostate"`
	Vagina   bool `json:"vagina"`
	Breasts  bool `json:"breasts"`
}

// Condition is the anatomy a region needs in order to apply.
type Condition string

// Anatomy conditions.
const (
	Always        Condition = ""
	NeedsProstate Condition = "prostate"
	NeedsVagina   Condition = "vagina"
	NeedsBreasts  Condition = "breasts"
)

// Region is one area of the body map.
type Region struct {
	Code  string    `json:"code"`
	Label string    `json:"label"`
	Group Group     `json:"group"`
	Needs Condition `json:"needs,omitempty"`
	// Side tells a body map where to draw it: "front", "back" or "both".
	Side string `json:"side"`
}

// AppliesTo reports whether the region exists for a client with anatomy a.
func (r Region) AppliesTo(a Anatomy) bool {
	switch r.Needs {
	case NeedsProstate:
		return a.Prostate
	case NeedsVagina:
		return a.Vagina
	case NeedsBreasts:
		return a.Breasts
	}
	return true
}

// NeedsReconfirmation reports whether consent to touch the region must be
// re-confirmed at the start of every session (design rule 4).
func (r Region) NeedsReconfirmation() bool { return r.Group.NeedsReconfirmation() }

// NeedsReconfirmation reports whether consent to touch a region of the
// group must be re-confirmed at the start of every session.
func (g Group) NeedsReconfirmation() bool { return g != General }

// NeedsScreening reports whether touching the region needs a current
// screening (intimate and internal regions).
func (r Region) NeedsScreening() bool { return r.Group.NeedsScreening() }

// NeedsScreening reports whether touching a region of the group needs a
// current screening.
func (g Group) NeedsScreening() bool { return g == Intimate || g == Internal }

// regions is the catalogue in body-map order. Index positions are stable
// within one build and used by Index for allocation-free lookups.
var regions = []Region{
	{"head", "Head", General, Always, "both"},
	{"face", "Face", General, Always, "front"},
	{"neck", "Neck", General, Always, "both"},
	{"shoulders", "Shoulders", General, Always, "both"},
	{"upper-back", "Upper back", General, Always, "back"},
	{"lower-back", "Lower back", General, Always, "back"},
	{"arms", "Arms", General, Always, "both"},
	{"hands", "Hands", General, Always, "both"},
	{"chest", "Chest", General, Always, "front"},
	{"abdomen", "Abdomen", General, Always, "front"},
	{"hips", "Hips", General, Always, "both"},
	{"glutes", "Glutes", General, Always, "back"},
	{"thighs", "Thighs", General, Always, "both"},
	{"lower-legs", "Lower legs", General, Always, "both"},
	{"feet", "Feet", General, Always, "both"},
	{"inner-thighs", "Inner thighs", Sensitive, Always, "front"},
	{"breasts", "Breasts", Sensitive, NeedsBreasts, "front"},
	{"pubic", "Pubic area", Sensitive, Always, "front"},
	{"genitals", "Genitals", Intimate, Always, "front"},
	{"perineum", "Perineum", Intimate, Always, "front"},
	{"anus", "Anus (external)", Intimate, Always, "back"},
	{"anal-canal", "Anal canal (internal)", Internal, Always, "back"},
	{"rectum", "Rectum (internal)", Internal, Always, "back"},
	{"prostate", "Prostate (internal, via rectum)", Internal, NeedsProstate, "back"},
	{"vagina", "Vagina (internal pelvic floor)", Internal, NeedsVagina, "front"},
}

var regionIndex = func() map[string]int {
	m := make(map[string]int, len(regions))
	for i, r := range regions {
		m[r.Code] = i
	}
	return m
}()

// NumRegions is the number of regions in the catalogue.
var NumRegions = len(regions)

// Regions returns every region in body-map order. The slice is a copy.
func Regions() []Region { return slices.Clone(regions) }

// RegionCodes returns every region code in body-map order.
func RegionCodes() []string {
	out := make([]string, len(regions))
	for i, r := range regions {
		out[i] = r.Code
	}
	return out
}

// LookupRegion returns the region with the given code.
func LookupRegion(code string) (Region, bool) {
	i, ok := regionIndex[code]
	if !ok {
		return Region{}, false
	}
	return regions[i], true
}

// GroupAt returns the group of the region at position i of Regions(), as
// RegionIndex gave it; i must be such a position.
func GroupAt(i int) Group { return regions[i].Group }

// RegionIndex returns the position of code in Regions(), or -1.
func RegionIndex(code string) int {
	if i, ok := regionIndex[code]; ok {
		return i
	}
	return -1
}

// RegionsInGroup returns the codes of the regions in any of the groups.
func RegionsInGroup(groups ...Group) []string {
	var out []string
	for _, r := range regions {
		if slices.Contains(groups, r.Group) {
			out = append(out, r.Code)
		}
	}
	return out
}

// Technique is a kind of touch.
type Technique struct {
	Code  string `json:"code"`
	Label string `json:"label"`
	Help  string `json:"help"`
}

var techniques = []Technique{
	{"touch", "Touch", "Contact, holding, light stroke."},
	{"massage", "Massage", "Kneading and stroking with moderate pressure."},
	{"pressure", "Deep pressure", "Deep or sustained pressure, trigger-point release."},
	{"instrument", "Instrument", "A tool such as an internal trigger-point wand."},
}

// Techniques returns every technique. The slice is a copy.
func Techniques() []Technique { return slices.Clone(techniques) }

// TechniqueCodes returns every technique code.
func TechniqueCodes() []string {
	out := make([]string, len(techniques))
	for i, t := range techniques {
		out[i] = t.Code
	}
	return out
}

// TechniqueIndex returns the position of code in Techniques(), or -1.
func TechniqueIndex(code string) int {
	for i, t := range techniques {
		if t.Code == code {
			return i
		}
	}
	return -1
}

// ValidTechnique reports whether code is a known technique.
func ValidTechnique(code string) bool { return TechniqueIndex(code) >= 0 }

// Intent is why the work is done. A grant is for one intent; the other is
// never implied.
type Intent string

// Intents.
const (
	Therapeutic Intent = "therapeutic"
	Sensual     Intent = "sensual"
)

// Intents returns both intents.
func Intents() []Intent { return []Intent{Therapeutic, Sensual} }

// ValidIntent reports whether s is a known intent.
func ValidIntent(s string) bool { return s == string(Therapeutic) || s == string(Sensual) }

// Answer is a client's answer for one (region, technique).
type Answer string

// Consent answers.
const (
	Yes Answer = "yes"
	No  Answer = "no"
	Ask Answer = "ask" // ask me first, every time
)

// ValidAnswer reports whether s is a consent answer.
func ValidAnswer(s string) bool { return s == string(Yes) || s == string(No) || s == string(Ask) }

// Credential coverage codes: what a practitioner credential qualifies for.
const (
	CoverInternalAnorectal = "internal-anorectal"
	CoverInternalVaginal   = "internal-vaginal"
	CoverIntimateExternal  = "intimate-external"
	CoverTraumaInformed    = "trauma-informed"
)

// Covers returns every credential coverage code.
func Covers() []string {
	return []string{CoverInternalAnorectal, CoverInternalVaginal, CoverIntimateExternal, CoverTraumaInformed}
}

// ValidCover reports whether s is a credential coverage code.
func ValidCover(s string) bool { return slices.Contains(Covers(), s) }

// RequiredCover returns the credential coverage that internal work on a
// region needs, or "" when the region needs none. The prostate is reached
// through the anal canal and rectum, so it needs internal-anorectal.
func RequiredCover(region string) string {
	switch region {
	case "anal-canal", "rectum", "prostate":
		return CoverInternalAnorectal
	case "vagina":
		return CoverInternalVaginal
	}
	return ""
}
