package fhir

import (
	"testing"

	"holdspace/catalogue"
	"holdspace/consent"
)

// TestSNOMEDRegions: every catalogue region has a SNOMED CT coding or a
// documented absence; every code is a well-formed concept id; a coding that
// is not exact says why.
func TestSNOMEDRegions(t *testing.T) {
	listed := map[string]bool{}
	for _, s := range SNOMEDRegions() {
		if listed[s.Region] {
			t.Errorf("%s listed twice", s.Region)
		}
		listed[s.Region] = true
		if _, ok := catalogue.LookupRegion(s.Region); !ok {
			t.Errorf("%s is not a catalogue region", s.Region)
		}
		switch s.Fit {
		case FitExact, FitBroader:
			if !ValidSCTID(s.Code) {
				t.Errorf("%s: %q is not a valid SCTID (Verhoeff check digit)", s.Region, s.Code)
			}
			// Partition identifier: the second and third digits from the
			// right are 00 for a concept in the international release.
			if n := len(s.Code); n >= 3 && s.Code[n-3:n-1] != "00" {
				t.Errorf("%s: %s is not a concept id (partition %s)", s.Region, s.Code, s.Code[n-3:n-1])
			}
			if s.Display == "" {
				t.Errorf("%s: no display", s.Region)
			}
			if s.Fit == FitBroader && s.Note == "" {
				t.Errorf("%s: a broader mapping needs a note saying what else it covers", s.Region)
			}
		case FitNone:
			if s.Code != "" || s.Note == "" {
				t.Errorf("%s: an absent coding has no code and a note saying why", s.Region)
			}
		default:
			t.Errorf("%s: fit %q", s.Region, s.Fit)
		}
	}
	for _, r := range catalogue.Regions() {
		if !listed[r.Code] {
			t.Errorf("region %s has neither a SNOMED CT coding nor a documented absence", r.Code)
		}
	}
}

func TestValidSCTID(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"442083009", true}, // Anatomical or acquired body structure
		{"404684003", true}, // Clinical finding
		{"138875005", true}, // SNOMED CT Concept (root)
		{"442083008", false},
		{"404684030", false},
		{"12345", false},
		{"012921003", false},
		{"46862O04", false},
		{"", false},
	} {
		if got := ValidSCTID(tc.in); got != tc.want {
			t.Errorf("ValidSCTID(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// TestConsentSNOMED: a permit carries the SNOMED CT coding of an exactly
// mapped region beside the holdspace coding, and never the broader parent
// of one that is not (it would widen the permit).
func TestConsentSNOMED(t *testing.T) {
	a := sampleAgreement()
	a.Grants = append(a.Grants, consent.Grant{Region: "thighs", Technique: "massage", Answer: catalogue.Yes})
	m := mustConsent(t, ConsentInput{Agreement: a, Status: consent.StatusActive})
	want := map[string]string{"glutes": "46862004", "perineum": "", "prostate": "41216001", "thighs": ""}
	permits := jlist(m, "provision", "provision")
	if len(permits) != len(want) {
		t.Fatalf("%d permits, want %d", len(permits), len(want))
	}
	for _, p := range permits {
		codings := jlist(p, "code", 0, "coding")
		region := jget(codings[0], "code").(string)
		if jget(codings[0], "system") != SystemRegion {
			t.Errorf("%s: first coding %v, want the holdspace region", region, codings[0])
		}
		var sct []any
		for _, c := range codings[1:] {
			if jget(c, "system") == SystemSNOMED {
				sct = append(sct, c)
			}
		}
		switch w := want[region]; {
		case w == "" && len(sct) != 0:
			t.Errorf("%s: broader SNOMED coding %v written into a permit", region, sct)
		case w != "" && (len(sct) != 1 || jget(sct[0], "code") != w):
			t.Errorf("%s: SNOMED codings %v, want %s", region, sct, w)
		}
	}
}
