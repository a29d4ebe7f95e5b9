package catalogue

import (
	"slices"
	"testing"
)

func TestRegionsAreStable(t *testing.T) {
	want := map[Group][]string{
		General:   {"head", "face", "neck", "shoulders", "upper-back", "lower-back", "arms", "hands", "chest", "abdomen", "hips", "glutes", "thighs", "lower-legs", "feet"},
		Sensitive: {"inner-thighs", "breasts", "pubic"},
		Intimate:  {"genitals", "perineum", "anus"},
		Internal:  {"anal-canal", "rectum", "prostate", "vagina"},
	}
	for g, codes := range want {
		if got := RegionsInGroup(g); !slices.Equal(got, codes) {
			t.Errorf("%s: %v, want %v", g, got, codes)
		}
	}
	seen := map[string]bool{}
	for i, r := range Regions() {
		if seen[r.Code] {
			t.Errorf("duplicate region %s", r.Code)
		}
		seen[r.Code] = true
		if RegionIndex(r.Code) != i {
			t.Errorf("RegionIndex(%s) = %d, want %d", r.Code, RegionIndex(r.Code), i)
		}
		if r.NeedsReconfirmation() != (r.Group != General) {
			t.Errorf("%s: reconfirmation", r.Code)
		}
		if r.NeedsScreening() != (r.Group == Intimate || r.Group == Internal) {
			t.Errorf("%s: screening", r.Code)
		}
	}
	if RegionIndex("elbow") != -1 || TechniqueIndex("tickle") != -1 {
		t.Error("unknown codes must index to -1")
	}
}

func TestAnatomyConditions(t *testing.T) {
	cases := []struct {
		region string
		an     Anatomy
		want   bool
	}{
		{"prostate", Anatomy{}, false},
		{"prostate", Anatomy{Prostate: true}, true},
		{"vagina", Anatomy{Prostate: true}, false},
		{"vagina", Anatomy{Vagina: true}, true},
		{"breasts", Anatomy{}, false},
		{"breasts", Anatomy{Breasts: true}, true},
		{"rectum", Anatomy{}, true},
		{"chest", Anatomy{}, true},
	}
	for _, c := range cases {
		r, ok := LookupRegion(c.region)
		if !ok || r.AppliesTo(c.an) != c.want {
			t.Errorf("%s with %+v: %v, want %v", c.region, c.an, r.AppliesTo(c.an), c.want)
		}
	}
}

func TestRequiredCover(t *testing.T) {
	for region, want := range map[string]string{"anal-canal": CoverInternalAnorectal, "rectum": CoverInternalAnorectal,
		"prostate": CoverInternalAnorectal, "vagina": CoverInternalVaginal, "anus": "", "genitals": "", "feet": ""} {
		if got := RequiredCover(region); got != want {
			t.Errorf("RequiredCover(%s) = %q, want %q", region, got, want)
		}
	}
	for _, r := range RegionsInGroup(Internal) {
		if RequiredCover(r) == "" || !ValidCover(RequiredCover(r)) {
			t.Errorf("internal region %s has no valid cover", r)
		}
	}
}

func TestValidators(t *testing.T) {
	for _, s := range []string{"yes", "no", "ask"} {
		if !ValidAnswer(s) {
			t.Errorf("answer %s", s)
		}
	}
	if ValidAnswer("maybe") || ValidIntent("recreational") || ValidTechnique("") || ValidCover("internal") {
		t.Error("accepted an unknown code")
	}
	if !ValidIntent("therapeutic") || !ValidIntent("sensual") || !ValidTechnique("instrument") {
		t.Error("refused a known code")
	}
}
