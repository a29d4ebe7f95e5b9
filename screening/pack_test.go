package screening

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"holdspace/catalogue"
)

// ruleCases holds, for every rule of the default pack, answers on which it
// fires and answers on which it does not (on testAt, for a client with
// both prostate and vaginal anatomy so that no anatomy gate hides it).
var ruleCases = map[string]struct{ fires, not map[string]any }{
	"fever":                    {map[string]any{"fever": true}, map[string]any{"fever": false}},
	"dvt-legs":                 {map[string]any{"dvt": true}, map[string]any{"dvt": false, "anticoagulants": true}},
	"dvt-referral":             {map[string]any{"dvt": true}, map[string]any{}},
	"anticoagulants-pressure":  {map[string]any{"anticoagulants": true}, map[string]any{"anticoagulants": false, "dvt": true}},
	"anticoagulants-care":      {map[string]any{"anticoagulants": true}, map[string]any{"anticoagulants": false}},
	"recent-surgery-site":      {map[string]any{"recent-surgery": true, "recent-surgery-regions": []string{"hips"}, "recent-surgery-date": daysAgo(35)}, map[string]any{"recent-surgery": true, "recent-surgery-regions": []string{"hips"}, "recent-surgery-date": daysAgo(49)}},
	"cancer-treatment":         {map[string]any{"cancer-treatment": true}, map[string]any{"cancer-treatment": false}},
	"hypertension-unstable":    {map[string]any{"hypertension-unstable": true}, map[string]any{"hypertension-unstable": false, "stroke-recent": false}},
	"stroke-recent":            {map[string]any{"stroke-recent": true}, map[string]any{"stroke-recent": false, "hypertension-unstable": true}},
	"pregnancy-referral":       {map[string]any{"pregnant": true, "pelvic-rest": false}, map[string]any{"pregnant": false}},
	"pregnancy-pelvic-rest":    {map[string]any{"pregnant": true, "pelvic-rest": true}, map[string]any{"pregnant": true, "pelvic-rest": false}},
	"postpartum-recent":        {map[string]any{"postpartum-date": daysAgo(41)}, map[string]any{"postpartum-date": daysAgo(42)}},
	"prostatitis-acute":        {map[string]any{"prostatitis-symptoms": true}, map[string]any{"prostatitis-symptoms": false, "fever": true}},
	"prostate-cancer":          {map[string]any{"prostate-cancer": true}, map[string]any{"prostate-cancer": false}},
	"prostate-cancer-referral": {map[string]any{"prostate-cancer": true}, map[string]any{"prostate-procedure-healing": true}},
	"prostate-procedure-healing": {map[string]any{"prostate-procedure-healing": true},
		map[string]any{"prostate-procedure-healing": false, "prostate-cancer": true}},
	"rectal-bleeding":          {map[string]any{"rectal-bleeding": true}, map[string]any{"rectal-bleeding": false, "anal-acute": true}},
	"rectal-bleeding-referral": {map[string]any{"rectal-bleeding": true}, map[string]any{"anorectal-disease": true}},
	"anal-acute":               {map[string]any{"anal-acute": true}, map[string]any{"anal-acute": false, "anorectal-disease": true}},
	"anorectal-disease":        {map[string]any{"anorectal-disease": true}, map[string]any{"anorectal-disease": false, "anal-acute": true}},
	"pelvic-surgery-recent":    {map[string]any{"pelvic-surgery-date": daysAgo(20), "prolapse-repair": false}, map[string]any{"pelvic-surgery-date": daysAgo(43), "prolapse-repair": false}},
	"prolapse-repair-recent":   {map[string]any{"pelvic-surgery-date": daysAgo(70), "prolapse-repair": true}, map[string]any{"pelvic-surgery-date": daysAgo(84), "prolapse-repair": true}},
	"pelvic-radiotherapy-recent": {map[string]any{"pelvic-radiotherapy-date": daysAgo(83)},
		map[string]any{"pelvic-radiotherapy-date": daysAgo(84)}},
	"seed-implants":    {map[string]any{"seed-implants": true}, map[string]any{"seed-implants": false}},
	"sti-active":       {map[string]any{"sti-active": true}, map[string]any{"sti-active": false}},
	"immunosuppressed": {map[string]any{"immunosuppressed": true}, map[string]any{"immunosuppressed": false}},
	"latex-allergy":    {map[string]any{"latex-allergy": true}, map[string]any{"latex-allergy": false}},
	"trauma-history":   {map[string]any{"trauma-history": "yes"}, map[string]any{"trauma-history": "prefer-not-to-say"}},
}

func TestEveryRuleFiresAndDoesNotFire(t *testing.T) {
	p := mustPack(t)
	subj := Subject{Anatomy: catalogue.Anatomy{Prostate: true, Vagina: true, Breasts: true}}
	for _, r := range p.Rules() {
		c, ok := ruleCases[r.ID]
		if !ok {
			t.Errorf("rule %s has no test case", r.ID)
			continue
		}
		t.Run(r.ID, func(t *testing.T) {
			res, err := p.Evaluate(decodePartial(t, c.fires), subj, testAt)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(findingRules(res.Findings), r.ID) {
				t.Errorf("does not fire on %v: %v", c.fires, findingRules(res.Findings))
			}
			res, err = p.Evaluate(decodePartial(t, c.not), subj, testAt)
			if err != nil {
				t.Fatal(err)
			}
			if slices.Contains(findingRules(res.Findings), r.ID) {
				t.Errorf("fires on %v", c.not)
			}
		})
	}
	if len(ruleCases) != len(p.Rules()) {
		t.Errorf("%d cases for %d rules", len(ruleCases), len(p.Rules()))
	}
}

func TestEmbeddedExamples(t *testing.T) {
	rep, err := CheckPack(DefaultPackYAML())
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("failures: %+v", rep.Failures)
	}
	if rep.Rules != 28 || rep.Examples < 2*rep.Rules {
		t.Errorf("report %+v", rep)
	}
}

// TestPackCoversDomainTable checks the default pack against the rows of
// the domain.md screening table: severity, regions, techniques, source.
func TestPackCoversDomainTable(t *testing.T) {
	p := mustPack(t)
	all := catalogue.RegionCodes()
	internal := catalogue.RegionsInGroup(catalogue.Internal)
	intInt := catalogue.RegionsInGroup(catalogue.Intimate, catalogue.Internal)
	anorectal := []string{"anus", "anal-canal", "rectum", "prostate"}
	want := []struct {
		id         string
		sev        Severity
		regions    []string
		techniques []string
		source     string
	}{
		{"fever", Contraindicated, all, nil, "NCCIH"},
		{"dvt-legs", Contraindicated, []string{"thighs", "lower-legs", "inner-thighs"}, nil, "spencermassage.com"},
		{"dvt-referral", Referral, all, nil, "spencermassage.com"},
		{"anticoagulants-pressure", Contraindicated, all, []string{"pressure"}, "NCCIH"},
		{"anticoagulants-care", Precaution, all, []string{"touch", "massage", "instrument"}, "NCCIH"},
		{"recent-surgery-site", Contraindicated, nil, nil, "NCCIH"},
		{"cancer-treatment", Referral, all, []string{"pressure"}, "NCCIH"},
		{"hypertension-unstable", Contraindicated, all, nil, "NCCIH"},
		{"stroke-recent", Contraindicated, all, nil, "NCCIH"},
		{"pregnancy-referral", Referral, all, nil, "NCCIH"},
		{"pregnancy-pelvic-rest", Contraindicated, []string{"vagina"}, nil, "pelvic PT clinic policies"},
		{"prostatitis-acute", Contraindicated, []string{"anal-canal", "rectum", "prostate"}, nil, "rectal examination literature"},
		{"prostate-cancer", Contraindicated, []string{"prostate"}, nil, "clinical summaries"},
		{"prostate-cancer-referral", Referral, []string{"prostate"}, nil, "clinical summaries"},
		{"prostate-procedure-healing", Contraindicated, []string{"rectum", "prostate"}, nil, "clinical summaries"},
		{"rectal-bleeding", Contraindicated, anorectal, nil, "purepelvichealth.ca"},
		{"rectal-bleeding-referral", Referral, anorectal, nil, "purepelvichealth.ca"},
		{"anal-acute", Contraindicated, anorectal, nil, "clinical summaries"},
		{"anorectal-disease", Referral, anorectal, nil, "ours"},
		{"pelvic-surgery-recent", Contraindicated, internal, nil, "purepelvichealth.ca"},
		{"prolapse-repair-recent", Contraindicated, internal, nil, "purepelvichealth.ca"},
		{"pelvic-radiotherapy-recent", Contraindicated, internal, nil, "purepelvichealth.ca"},
		{"seed-implants", Contraindicated, internal, nil, "purepelvichealth.ca"},
		{"sti-active", Contraindicated, intInt, nil, "pelvic PT clinic policies"},
		{"immunosuppressed", Contraindicated, []string{"anus", "anal-canal", "rectum", "prostate", "vagina"}, nil, "IDSA/CDC"},
		{"latex-allergy", Precaution, intInt, nil, "pelvic PT clinic policies"},
		{"postpartum-recent", Contraindicated, []string{"vagina"}, nil, "clinic policies"},
		{"trauma-history", Precaution, intInt, nil, "SAMHSA"},
	}
	for _, w := range want {
		r, ok := p.Rule(w.id)
		if !ok {
			t.Errorf("missing rule %s", w.id)
			continue
		}
		if r.Severity != w.sev || !slices.Equal(r.Regions, w.regions) || !slices.Equal(r.Techniques, w.techniques) || !strings.Contains(r.Source, w.source) {
			t.Errorf("%s: %s %v %v %q", w.id, r.Severity, r.Regions, r.Techniques, r.Source)
		}
	}
	if r, _ := p.Rule("recent-surgery-site"); r.RegionsFrom != "recent-surgery-regions" {
		t.Error("recent-surgery-site must cover the answered sites")
	}
	if r, _ := p.Rule("trauma-history"); r.Requires != catalogue.CoverTraumaInformed {
		t.Error("trauma-history must require trauma-informed")
	}
	if !p.IsReferral("dvt-referral") || p.IsReferral("dvt-legs") || p.IsReferral("nope") {
		t.Error("IsReferral")
	}
}

// packWith returns a one-rule pack whose rule is given as YAML lines
// (indented four spaces under "  - ").
func packWith(rule string) []byte {
	return []byte("pack: test\nversion: 1\nquestionnaire: intake-v1\nexamples_today: 2026-06-15\nrules:\n  - " +
		strings.TrimPrefix(rule, "    "))
}

const goodRule = `    id: good
    when: answers.fever
    severity: contraindicated
    regions: [all]
    reason: r
    practitioner_reason: pr
    source: s
    examples:
      fires: [{answers: {fever: true}}]
      does_not_fire: [{answers: {fever: false}}]
`

func TestLoadPackRefusesBrokenRules(t *testing.T) {
	if _, err := LoadPack(packWith(goodRule)); err != nil {
		t.Fatalf("good pack refused: %v", err)
	}
	cases := []struct{ name, old, new, want string }{
		{"bad CEL", "when: answers.fever", "when: answers.fever &&", "does not compile"},
		{"unknown linkId", "when: answers.fever", "when: answers.fevre", "undefined field 'fevre'"},
		{"not bool", "when: answers.fever", "when: answers.trauma_history", "want bool"},
		{"unknown function", "when: answers.fever", "when: months_since(answers.postpartum_date) < 3", "does not compile"},
		{"unknown region", "regions: [all]", "regions: [spleen]", `unknown region "spleen"`},
		{"no regions", "regions: [all]", "regions: []", "covers no regions"},
		{"regions_from not regions", "regions: [all]", "regions_from: fever", "regions_from"},
		{"unknown severity", "severity: contraindicated", "severity: severe", "unknown severity"},
		{"clear severity", "severity: contraindicated", "severity: clear", "unknown severity"},
		{"unknown technique", "regions: [all]", "regions: [all]\n    techniques: [tickle]", "unknown technique"},
		{"unknown requirement", "regions: [all]", "regions: [all]\n    requires: wizard", "unknown requirement"},
		{"no source", "source: s", "source: ''", "no source"},
		{"no reason", "    reason: r\n", "", "reason"},
		{"no fires example", "fires: [{answers: {fever: true}}]", "fires: []", "example"},
		{"no does_not_fire example", "does_not_fire: [{answers: {fever: false}}]", "does_not_fire: []", "example"},
		{"example with unknown linkId", "fires: [{answers: {fever: true}}]", "fires: [{answers: {fevre: true}}]", "unknown_link_id"},
		{"failing example", "fires: [{answers: {fever: true}}]", "fires: [{answers: {fever: false}}]", "expected the rule to fire"},
		{"failing negative example", "does_not_fire: [{answers: {fever: false}}]", "does_not_fire: [{answers: {fever: true}}]", "not to fire"},
		{"malformed id", "id: good", "id: Good_Rule", "malformed id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := strings.Replace(goodRule, c.old, c.new, 1)
			if src == goodRule {
				t.Fatal("test edit did not apply")
			}
			_, err := LoadPack(packWith(src))
			var re *RuleError
			if !errors.As(err, &re) {
				t.Fatalf("err = %v, want *RuleError", err)
			}
			wantRule := "good"
			if c.name == "malformed id" {
				wantRule = "Good_Rule"
			}
			if re.Rule != wantRule || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "rule "+wantRule) {
				t.Fatalf("err = %v (rule %q), want it to name %s and say %q", err, re.Rule, wantRule, c.want)
			}
		})
	}
	// Pack-level problems.
	for name, src := range map[string]string{
		"duplicate id":          string(packWith(goodRule)) + "  - " + strings.TrimPrefix(goodRule, "    "),
		"unknown questionnaire": strings.Replace(string(packWith(goodRule)), "intake-v1", "intake-v9", 1),
		"unknown key":           string(packWith(goodRule)) + "extra: 1\n",
		"no rules":              "pack: test\nquestionnaire: intake-v1\nrules: []\n",
		"not yaml":              "pack: [",
	} {
		if _, err := LoadPack([]byte(src)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestEvaluateCostLimit(t *testing.T) {
	ten := "[0,1,2,3,4,5,6,7,8,9]"
	when := fmt.Sprintf("answers.fever || %s.all(a, %s.all(b, %s.all(c, %s.all(d, a+b+c+d >= 0))))", ten, ten, ten, ten)
	p, err := compilePack(packWith(strings.Replace(goodRule, "when: answers.fever", "when: "+when, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LoadPack(packWith(strings.Replace(goodRule, "when: answers.fever", "when: "+when, 1))); err == nil {
		t.Error("a pack whose examples exceed the cost limit loaded")
	}
	res, err := p.Evaluate(Answers{"fever": false}, Subject{}, testAt)
	var ee *EvalError
	if !errors.As(err, &ee) || len(ee.Rules) != 1 || ee.Rules[0] != "good" || !strings.Contains(err.Error(), "cost") {
		t.Fatalf("err = %v, want an EvalError naming the rule", err)
	}
	if res.Outcome != Contraindicated || len(res.Findings) != 1 {
		t.Errorf("a rule that cannot run must fail closed: %+v", res)
	}
}

func TestEvaluateDeterministicOrderAndAllRegions(t *testing.T) {
	p := mustPack(t)
	a := decodePartial(t, map[string]any{"latex-allergy": true, "anorectal-disease": true, "anal-acute": true, "trauma-history": "yes", "cancer-treatment": true})
	res, err := p.Evaluate(a, Subject{}, testAt)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"anal-acute", "anorectal-disease", "cancer-treatment", "latex-allergy", "trauma-history"}
	if got := findingRules(res.Findings); !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
	if len(res.Regions) != catalogue.NumRegions {
		t.Errorf("%d regions, want every catalogue region", len(res.Regions))
	}
	if res.Questionnaire != IntakeV1 || res.Pack != "intake-v1-rules" || res.Outcome != Contraindicated {
		t.Errorf("result header %+v", res)
	}
	// The result does not share slices with the pack.
	res.Findings[0].Regions[0] = "mutated"
	again, _ := p.Evaluate(a, Subject{}, testAt)
	if again.Findings[0].Regions[0] == "mutated" {
		t.Error("findings alias the pack")
	}
}

// TestEvaluateRandomized checks invariants over random answer sets: the
// overall outcome is the worst region, each region is the worst finding
// covering it, and evaluation never errors.
func TestEvaluateRandomized(t *testing.T) {
	p := mustPack(t)
	q := mustQ(t)
	rng := newRand(1)
	regions := catalogue.RegionCodes()
	for n := 0; n < 300; n++ {
		m := map[string]any{}
		for _, it := range q.Items {
			if rng.Intn(3) == 0 {
				continue
			}
			switch it.Type {
			case TypeBoolean:
				m[it.LinkID] = rng.Intn(2) == 0
			case TypeDate:
				m[it.LinkID] = daysAgo(rng.Intn(200))
			case TypeChoice:
				m[it.LinkID] = it.Options[rng.Intn(len(it.Options))].Code
			case TypeRegions:
				m[it.LinkID] = []string{regions[rng.Intn(len(regions))]}
			case TypeText:
				m[it.LinkID] = "note"
			}
		}
		res, err := p.Evaluate(decodePartial(t, m), Subject{}, testAt)
		if err != nil {
			t.Fatal(err)
		}
		worst := Clear
		for _, c := range regions {
			w := Clear
			for _, f := range res.Findings {
				if slices.Contains(f.Regions, c) {
					w = max(w, f.Severity)
				}
			}
			if res.Regions[c] != w {
				t.Fatalf("%v: region %s = %s, want %s", m, c, res.Regions[c], w)
			}
			worst = max(worst, w)
		}
		if res.Outcome != worst {
			t.Fatalf("outcome %s, want %s", res.Outcome, worst)
		}
		if fever, _ := m["fever"].(bool); fever && res.Outcome != Contraindicated {
			t.Fatal("fever must contraindicate")
		}
	}
}

func BenchmarkEvaluate(b *testing.B) {
	p := mustPack(b)
	a := decodePartial(b, map[string]any{
		"fever": false, "dvt": false, "anticoagulants": true, "recent-surgery": true,
		"recent-surgery-regions": []string{"abdomen"}, "recent-surgery-date": daysAgo(20),
		"pelvic-surgery-date": daysAgo(60), "prolapse-repair": true, "latex-allergy": true,
		"trauma-history": "yes", "pregnant": false, "prostate-cancer": false,
	})
	s := Subject{Anatomy: catalogue.Anatomy{Prostate: true}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Evaluate(a, s, testAt); err != nil {
			b.Fatal(err)
		}
	}
}
