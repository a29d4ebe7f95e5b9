package screening

import (
	"encoding/json"
	"maps"
	"slices"
	"testing"

	"holdspace/catalogue"
)

// TestClientProfiles evaluates realistic complete intakes (validated by
// DecodeAnswersWith with the client's anatomy) and checks every region's
// outcome against domain.md.
func TestClientProfiles(t *testing.T) {
	p := mustPack(t)
	q := mustQ(t)
	C, R, P := Contraindicated, Referral, Precaution
	pro := catalogue.Anatomy{Prostate: true}
	vag := catalogue.Anatomy{Vagina: true, Breasts: true}
	cases := []struct {
		name    string
		anat    catalogue.Anatomy
		answers map[string]any
		want    []any // (region or group, severity) pairs applied in order
		rules   []string
	}{
		{"healthy, prostate", pro, nil, nil, nil},
		{"healthy, vagina", vag, nil, nil, nil},
		{"fever contraindicates everything", vag, map[string]any{"fever": true}, []any{"all", C}, []string{"fever"}},
		{"fever with latex allergy", pro, map[string]any{"fever": true, "latex-allergy": true}, []any{"all", C}, []string{"fever", "latex-allergy"}},
		{"anal fissure spares the back", pro, map[string]any{"anal-acute": true},
			[]any{"anus", C, "anal-canal", C, "rectum", C, "prostate", C}, []string{"anal-acute"}},
		{"anticoagulants", vag, map[string]any{"anticoagulants": true}, []any{"all", C}, []string{"anticoagulants-pressure", "anticoagulants-care"}},
		{"DVT", pro, map[string]any{"dvt": true}, []any{"all", R, "thighs", C, "lower-legs", C, "inner-thighs", C}, []string{"dvt-legs", "dvt-referral"}},
		{"surgery 5 weeks ago", vag, map[string]any{"recent-surgery": true, "recent-surgery-regions": []string{"abdomen", "shoulders"}, "recent-surgery-date": daysAgo(35)},
			[]any{"abdomen", C, "shoulders", C}, []string{"recent-surgery-site"}},
		{"surgery 7 weeks ago", vag, map[string]any{"recent-surgery": true, "recent-surgery-regions": []string{"abdomen"}, "recent-surgery-date": daysAgo(49)}, nil, nil},
		{"cancer treatment", pro, map[string]any{"cancer-treatment": true}, []any{"all", R}, []string{"cancer-treatment"}},
		{"unstable hypertension", pro, map[string]any{"hypertension-unstable": true}, []any{"all", C}, []string{"hypertension-unstable"}},
		{"recent TIA", vag, map[string]any{"stroke-recent": true}, []any{"all", C}, []string{"stroke-recent"}},
		{"pregnant", vag, map[string]any{"pregnant": true, "pelvic-rest": false}, []any{"all", R}, []string{"pregnancy-referral"}},
		{"pregnant on pelvic rest", vag, map[string]any{"pregnant": true, "pelvic-rest": true}, []any{"all", R, "vagina", C}, []string{"pregnancy-pelvic-rest", "pregnancy-referral"}},
		{"4 weeks postpartum", vag, map[string]any{"postpartum-date": daysAgo(28)}, []any{"vagina", C}, []string{"postpartum-recent"}},
		{"8 weeks postpartum, latex", vag, map[string]any{"postpartum-date": daysAgo(56), "latex-allergy": true}, []any{"intimate", P, "internal", P}, []string{"latex-allergy"}},
		{"prostatitis", pro, map[string]any{"prostatitis-symptoms": true}, []any{"prostate", C, "rectum", C, "anal-canal", C}, []string{"prostatitis-acute"}},
		{"raised PSA", pro, map[string]any{"prostate-cancer": true}, []any{"prostate", C}, []string{"prostate-cancer", "prostate-cancer-referral"}},
		{"after biopsy", pro, map[string]any{"prostate-procedure-healing": true}, []any{"prostate", C, "rectum", C}, []string{"prostate-procedure-healing"}},
		{"rectal bleeding", pro, map[string]any{"rectal-bleeding": true}, []any{"anus", C, "anal-canal", C, "rectum", C, "prostate", C}, []string{"rectal-bleeding", "rectal-bleeding-referral"}},
		{"IBD flare", vag, map[string]any{"anorectal-disease": true}, []any{"anus", R, "anal-canal", R, "rectum", R, "prostate", R}, []string{"anorectal-disease"}},
		{"pelvic surgery 3 weeks ago", vag, map[string]any{"pelvic-surgery-date": daysAgo(21), "prolapse-repair": false}, []any{"internal", C}, []string{"pelvic-surgery-recent"}},
		{"prolapse repair 10 weeks ago", vag, map[string]any{"pelvic-surgery-date": daysAgo(70), "prolapse-repair": true}, []any{"internal", C}, []string{"prolapse-repair-recent"}},
		{"prolapse repair 13 weeks ago", vag, map[string]any{"pelvic-surgery-date": daysAgo(91), "prolapse-repair": true}, nil, nil},
		{"radiotherapy 8 weeks ago", pro, map[string]any{"pelvic-radiotherapy-date": daysAgo(56)}, []any{"internal", C}, []string{"pelvic-radiotherapy-recent"}},
		{"seed implants", pro, map[string]any{"seed-implants": true}, []any{"internal", C}, []string{"seed-implants"}},
		{"STI", vag, map[string]any{"sti-active": true}, []any{"intimate", C, "internal", C}, []string{"sti-active"}},
		{"neutropenia", vag, map[string]any{"immunosuppressed": true}, []any{"internal", C, "anus", C}, []string{"immunosuppressed"}},
		{"trauma history", vag, map[string]any{"trauma-history": "yes"}, []any{"intimate", P, "internal", P}, []string{"trauma-history"}},
		{"trauma prefer not to say", vag, map[string]any{"trauma-history": "prefer-not-to-say"}, nil, nil},
		{"trauma no, notes", pro, map[string]any{"trauma-history": "no", "other-notes": "Tight hips after running."}, nil, nil},
		{"fissure with latex and trauma", pro, map[string]any{"anal-acute": true, "latex-allergy": true, "trauma-history": "yes"},
			[]any{"intimate", P, "internal", P, "anus", C, "anal-canal", C, "rectum", C, "prostate", C}, []string{"anal-acute", "latex-allergy", "trauma-history"}},
		{"anorectal disease with STI", pro, map[string]any{"anorectal-disease": true, "sti-active": true}, []any{"intimate", C, "internal", C}, []string{"sti-active", "anorectal-disease"}},
	}
	if len(cases) < 25 {
		t.Fatalf("only %d profiles", len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := baseAnswers(c.anat)
			maps.Copy(m, c.answers)
			raw, _ := json.Marshal(m)
			a, err := DecodeAnswersWith(q, raw, DecodeOptions{At: testAt, Anatomy: &c.anat})
			if err != nil {
				t.Fatalf("profile does not decode: %v", err)
			}
			res, err := p.Evaluate(a, Subject{Anatomy: c.anat}, testAt)
			if err != nil {
				t.Fatal(err)
			}
			want := expect(t, c.want...)
			for code, sev := range want {
				if res.Regions[code] != sev {
					t.Errorf("%s: %s, want %s", code, res.Regions[code], sev)
				}
			}
			got := findingRules(res.Findings)
			slices.Sort(got)
			wantRules := slices.Clone(c.rules)
			slices.Sort(wantRules)
			if !slices.Equal(got, wantRules) {
				t.Errorf("findings %v, want %v", got, wantRules)
			}
		})
	}
}

// TestTechniqueAndRequirement checks what a decision sees per technique.
func TestTechniqueAndRequirement(t *testing.T) {
	p := mustPack(t)
	res, _ := p.Evaluate(decodePartial(t, map[string]any{"anticoagulants": true}), Subject{}, testAt)
	if outcomeFor(res.Findings, "upper-back", "pressure") != Contraindicated {
		t.Error("anticoagulants: pressure must be contraindicated")
	}
	for _, tech := range []string{"touch", "massage", "instrument"} {
		if got := outcomeFor(res.Findings, "upper-back", tech); got != Precaution {
			t.Errorf("anticoagulants: %s = %s, want precaution", tech, got)
		}
	}
	res, _ = p.Evaluate(decodePartial(t, map[string]any{"cancer-treatment": true}), Subject{}, testAt)
	if outcomeFor(res.Findings, "feet", "pressure") != Referral || outcomeFor(res.Findings, "feet", "touch") != Clear {
		t.Error("cancer treatment: referral for pressure only")
	}
	res, _ = p.Evaluate(decodePartial(t, map[string]any{"trauma-history": "yes"}), Subject{}, testAt)
	f := res.Findings[0]
	want, _ := ExpandRegions([]string{"intimate", "internal"})
	if f.Requires != "trauma-informed" || f.Severity != Precaution || !slices.Equal(f.Regions, want) {
		t.Errorf("trauma finding %+v", f)
	}
}
