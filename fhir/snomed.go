package fhir

// SNOMED CT body-structure codes beside holdspace's region codes.
//
// Sources. Each concept id below was checked against published uses of the
// same concept with the same display: the HL7 FHIR R4 body-site value set
// (http://hl7.org/fhir/ValueSet/body-site, every concept is-a 442083009
// "Anatomical or acquired body structure") and implementation guides and
// mapping tables that code body sites with these concepts (radiotherapy
// target-area and DICOM anatomic-region maps, the FHIR IPS/mCODE examples).
// No id here is guessed: where SNOMED CT has no concept of exactly the
// extent of a holdspace region, the table says so (FitBroader) and names
// the nearest parent concept instead, and the comment on the row says what
// the parent covers besides. The test checks every id's Verhoeff check
// digit and that it is a concept id (partition 00).
//
// Why a broader concept is never written into a permit. A Consent permit
// whose code is a concept wider than what the client agreed to would tell a
// receiving system that more was permitted (a permit on "thighs" coded as
// Thigh structure would cover the inner thighs, which holdspace asks about
// separately, as a sensitive region). So NewConsent writes the SNOMED
// coding of a region only when its Fit is FitExact; the broader parents are
// kept here, documented, for mapping and search, never for permits.

// SNOMEDFit says how well a SNOMED CT concept matches a holdspace region.
type SNOMEDFit string

// SNOMED fits.
const (
	// FitExact: the concept covers what the region covers, no more.
	FitExact SNOMEDFit = "exact"
	// FitBroader: no concept of exactly the region's extent was found; the
	// concept is the nearest parent and covers more than the region.
	FitBroader SNOMEDFit = "broader"
	// FitNone: no SNOMED CT coding is given.
	FitNone SNOMEDFit = "none"
)

// SNOMEDRegion is the SNOMED CT coding of one holdspace region.
type SNOMEDRegion struct {
	Region  string    // holdspace region code (catalogue)
	Code    string    // SNOMED CT concept id; empty when Fit is FitNone
	Display string    // the concept's preferred term
	Fit     SNOMEDFit // how well it matches
	Note    string    // why the fit is not exact (or why there is none)
}

// snomedRegions is the mapping table, in catalogue order.
var snomedRegions = []SNOMEDRegion{
	// Head structure includes the face, which holdspace asks about
	// separately.
	{"head", "69536005", "Head structure", FitBroader, "Head structure includes the face, a separate holdspace region."},
	{"face", "89545001", "Face structure", FitExact, ""},
	{"neck", "45048000", "Neck structure", FitExact, ""},
	{"shoulders", "16982005", "Shoulder region structure", FitExact, ""},
	// No upper-back concept was found that could be confirmed; the
	// parent is the whole back of the trunk.
	{"upper-back", "77568009", "Structure of back of trunk", FitBroader, "No confirmed concept for the upper back alone; the back of the trunk also covers the lower back."},
	// 37822005's current fully specified name is "Structure of back of
	// abdominopelvic segment of trunk"; "Lower back structure" is its
	// long-standing preferred term.
	{"lower-back", "37822005", "Lower back structure", FitExact, ""},
	// Upper limb structure includes the hand.
	{"arms", "53120007", "Upper limb structure", FitBroader, "Upper limb structure includes the hands, a separate holdspace region."},
	{"hands", "85562004", "Hand structure", FitExact, ""},
	// Thoracic structure is the whole thorax, back included.
	{"chest", "51185008", "Thoracic structure", FitBroader, "Thoracic structure is the whole thorax, including the back of the chest and the breasts."},
	// Abdominal structure reaches down to the pubic region.
	{"abdomen", "113345001", "Abdominal structure", FitBroader, "Abdominal structure includes the lower abdomen down to the pubic region, a separate holdspace region."},
	// The hip region is taken with the buttock in some uses; holdspace
	// asks about the buttocks separately, so the code stays out of permits.
	{"hips", "29836001", "Hip region structure", FitBroader, "The hip region can be read to include the gluteal region, a separate holdspace region."},
	{"glutes", "46862004", "Buttock structure", FitExact, ""},
	// Thigh structure includes the inner thighs (sensitive in holdspace).
	{"thighs", "68367000", "Thigh structure", FitBroader, "Thigh structure includes the inner thighs, a separate (sensitive) holdspace region."},
	{"lower-legs", "30021000", "Lower leg structure", FitExact, ""},
	{"feet", "56459004", "Foot structure", FitExact, ""},
	// No confirmed concept for the medial surface of the thigh.
	{"inner-thighs", "68367000", "Thigh structure", FitBroader, "No confirmed concept for the inner thigh; nearest parent is the whole thigh."},
	{"breasts", "76752008", "Breast structure", FitExact, ""},
	// No confirmed concept for the pubic region; the nearest parent found
	// is the pelvis.
	{"pubic", "12921003", "Pelvic structure", FitBroader, "No confirmed concept for the pubic region; nearest parent is the pelvis, which also holds the genitals, perineum and internal pelvic organs."},
	// Genital structure includes the internal genital organs.
	{"genitals", "71934003", "Genital structure", FitBroader, "Genital structure includes internal genital organs (vagina, prostate), separate holdspace regions; holdspace's region is the external genitals."},
	// The anatomical perineum contains the anal and urogenital triangles.
	{"perineum", "38864007", "Perineal structure", FitBroader, "The anatomical perineum contains the anus and external genitals, separate holdspace regions."},
	// Anal structure includes the anal canal.
	{"anus", "53505006", "Anal structure", FitBroader, "Anal structure includes the anal canal, a separate (internal) holdspace region; holdspace's region is the external anus."},
	{"anal-canal", "34381000", "Anal canal structure", FitExact, ""},
	{"rectum", "34402009", "Rectum structure", FitExact, ""},
	{"prostate", "41216001", "Prostatic structure", FitExact, ""},
	{"vagina", "76784001", "Vaginal structure", FitExact, ""},
}

// SNOMEDRegions returns the whole mapping table, in catalogue order.
func SNOMEDRegions() []SNOMEDRegion {
	return append([]SNOMEDRegion(nil), snomedRegions...)
}

// RegionSNOMED returns the SNOMED CT mapping of a holdspace region; ok is
// false for a region the table does not list.
func RegionSNOMED(region string) (SNOMEDRegion, bool) {
	for _, r := range snomedRegions {
		if r.Region == region {
			return r, true
		}
	}
	return SNOMEDRegion{}, false
}

// ValidSCTID reports whether s is a well-formed SNOMED CT identifier: 6 to
// 18 digits, no leading zero, a valid Verhoeff check digit.
func ValidSCTID(s string) bool {
	if len(s) < 6 || len(s) > 18 || s[0] == '0' {
		return false
	}
	c := 0
	for i := len(s) - 1; i >= 0; i-- {
		d := s[i]
		if d < '0' || d > '9' {
			return false
		}
		c = verhoeffD[c][verhoeffP[(len(s)-1-i)%8][d-'0']]
	}
	return c == 0
}

// Verhoeff's dihedral-group tables.
var (
	verhoeffD = [10][10]int{
		{0, 1, 2, 3, 4, 5, 6, 7, 8, 9},
		{1, 2, 3, 4, 0, 6, 7, 8, 9, 5},
		{2, 3, 4, 0, 1, 7, 8, 9, 5, 6},
		{3, 4, 0, 1, 2, 8, 9, 5, 6, 7},
		{4, 0, 1, 2, 3, 9, 5, 6, 7, 8},
		{5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
		{6, 5, 9, 8, 7, 1, 0, 4, 3, 2},
		{7, 6, 5, 9, 8, 2, 1, 0, 4, 3},
		{8, 7, 6, 5, 9, 3, 2, 1, 0, 4},
		{9, 8, 7, 6, 5, 4, 3, 2, 1, 0},
	}
	verhoeffP = [8][10]int{
		{0, 1, 2, 3, 4, 5, 6, 7, 8, 9},
		{1, 5, 7, 6, 2, 8, 3, 0, 9, 4},
		{5, 8, 0, 3, 7, 9, 6, 1, 4, 2},
		{8, 9, 1, 6, 0, 4, 3, 5, 2, 7},
		{9, 4, 5, 3, 1, 2, 6, 8, 7, 0},
		{4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
		{2, 7, 9, 3, 8, 0, 6, 4, 1, 5},
		{7, 0, 4, 6, 9, 1, 3, 2, 5, 8},
	}
)
