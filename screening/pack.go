package screening

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"cel.dev/cel-go/cel"
	"go.yaml.in/yaml/v3"

	"holdspace/catalogue"
)

//go:embed rules/intake-v1.yaml
var defaultPackYAML []byte

// DefaultPackYAML returns the source of the embedded default rule pack, as a
// starting point for a custom pack.
func DefaultPackYAML() []byte { return slices.Clone(defaultPackYAML) }

// Pack is a compiled rule pack for one questionnaire version. It is
// immutable and safe for concurrent use.
type Pack struct {
	Name          string
	Version       int
	Questionnaire *Questionnaire
	// Languages are the languages the rules' reasons are translated to,
	// beside English.
	Languages     []string
	rules         []*Rule
	byID          map[string]*Rule
	provider      *answersProvider
	examplesToday time.Time
}

// Rule is one compiled rule of a pack.
type Rule struct {
	ID       string
	When     string
	Severity Severity
	// Regions are the catalogue codes the rule covers, in catalogue order,
	// with group shorthands expanded.
	Regions []string
	// RegionsFrom names a regions item whose answer adds regions (the site
	// of a recent surgery).
	RegionsFrom string
	Techniques  []string
	Requires    string
	// UntilCleared marks a contraindication that a recorded medical
	// clearance lifts, as a referral's is ("contraindicated until
	// cleared"); other contraindications are never lifted.
	UntilCleared       bool
	Reason             string
	PractitionerReason string
	Source             string
	// Translations are Reason and PractitionerReason in the pack's other
	// languages, by language tag ("de").
	Translations map[string]Reasons

	prg      cel.Program
	examples []example
}

type example struct {
	fires   bool
	answers Answers
	subject Subject
	at      time.Time
}

// Reasons are a rule's two reasons in one language: Reason for the
// client, plain and without blame; PractitionerReason, clinical.
type Reasons struct {
	Reason             string `yaml:"reason"`
	PractitionerReason string `yaml:"practitioner_reason"`
}

// packSpec is the YAML shape of a pack.
type packSpec struct {
	Pack          string `yaml:"pack"`
	Version       int    `yaml:"version"`
	Questionnaire string `yaml:"questionnaire"`
	// Languages are the languages, beside the source language English,
	// in which every rule gives its reasons (under translations).
	Languages     []string   `yaml:"languages"`
	ExamplesToday string     `yaml:"examples_today"`
	Rules         []ruleSpec `yaml:"rules"`
}

type ruleSpec struct {
	ID                 string             `yaml:"id"`
	When               string             `yaml:"when"`
	Severity           string             `yaml:"severity"`
	Regions            []string           `yaml:"regions"`
	RegionsFrom        string             `yaml:"regions_from"`
	Techniques         []string           `yaml:"techniques"`
	Requires           string             `yaml:"requires"`
	UntilCleared       bool               `yaml:"until_cleared"`
	Reason             string             `yaml:"reason"`
	PractitionerReason string             `yaml:"practitioner_reason"`
	Source             string             `yaml:"source"`
	Translations       map[string]Reasons `yaml:"translations"`
	Examples           struct {
		Fires       []exampleSpec `yaml:"fires"`
		DoesNotFire []exampleSpec `yaml:"does_not_fire"`
	} `yaml:"examples"`
}

type exampleSpec struct {
	Answers   map[string]any `yaml:"answers"`
	Anatomy   *anatomySpec   `yaml:"anatomy"`
	BirthDate string         `yaml:"birth_date"`
	Today     string         `yaml:"today"`
}

type anatomySpec struct {
	Prostate bool `yaml:"prostate"`
	Vagina   bool `yaml:"vagina"`
	Breasts  bool `yaml:"breasts"`
}

// RuleError is why a pack was refused: the rule (empty for the pack as a
// whole) and the problem.
type RuleError struct {
	Rule string
	Err  error
}

// Error implements error.
func (e *RuleError) Error() string {
	if e.Rule == "" {
		return "rule pack: " + e.Err.Error()
	}
	return fmt.Sprintf("rule %s: %v", e.Rule, e.Err)
}

// Unwrap returns the cause.
func (e *RuleError) Unwrap() error { return e.Err }

var ruleIDPattern = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

// ExpandRegions turns region codes and group shorthands (all, general,
// sensitive, intimate, internal) into catalogue codes in catalogue order.
// It fails on an unknown name.
func ExpandRegions(names []string) ([]string, error) {
	set := make([]bool, catalogue.NumRegions)
	for _, n := range names {
		switch n {
		case "all":
			for i := range set {
				set[i] = true
			}
		case string(catalogue.General), string(catalogue.Sensitive), string(catalogue.Intimate), string(catalogue.Internal):
			for _, c := range catalogue.RegionsInGroup(catalogue.Group(n)) {
				set[catalogue.RegionIndex(c)] = true
			}
		default:
			i := catalogue.RegionIndex(n)
			if i < 0 {
				return nil, fmt.Errorf("unknown region %q", n)
			}
			set[i] = true
		}
	}
	codes := catalogue.RegionCodes()
	var out []string
	for i, ok := range set {
		if ok {
			out = append(out, codes[i])
		}
	}
	return out, nil
}

// LoadPack parses a YAML rule pack, compiles every condition once against
// the schema of the questionnaire it names and runs every rule's examples.
// It refuses (with a *RuleError naming the rule) a pack whose questionnaire
// is unknown, or with a rule that has a malformed or duplicate id, a
// condition that does not compile or is not a bool (an unknown linkId does
// not compile), an unknown severity, region, regions_from item, technique or
// requirement, no reason, no source, no fires or no does_not_fire example,
// or an example that does not behave as stated.
func LoadPack(data []byte) (*Pack, error) {
	p, err := compilePack(data)
	if err != nil {
		return nil, err
	}
	for _, r := range p.rules {
		if fails := p.runExamples(r); len(fails) > 0 {
			return nil, &RuleError{Rule: r.ID, Err: errors.New(fails[0].Message)}
		}
	}
	return p, nil
}

func compilePack(data []byte) (*Pack, error) {
	var spec packSpec
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&spec); err != nil {
		return nil, &RuleError{Err: fmt.Errorf("parse: %w", err)}
	}
	if spec.Pack == "" {
		return nil, &RuleError{Err: errors.New("pack name is required")}
	}
	q, ok := Lookup(spec.Questionnaire)
	if !ok {
		return nil, &RuleError{Err: fmt.Errorf("unknown questionnaire %q", spec.Questionnaire)}
	}
	if len(spec.Rules) == 0 {
		return nil, &RuleError{Err: errors.New("no rules")}
	}
	env, prov, err := newEnv(q)
	if err != nil {
		return nil, &RuleError{Err: err}
	}
	p := &Pack{Name: spec.Pack, Version: spec.Version, Questionnaire: q, provider: prov,
		byID: make(map[string]*Rule, len(spec.Rules))}
	for _, l := range spec.Languages {
		if !langPattern.MatchString(l) || l == "en" || slices.Contains(p.Languages, l) {
			return nil, &RuleError{Err: fmt.Errorf("languages: %q is not a language tag other than en, listed once", l)}
		}
		p.Languages = append(p.Languages, l)
	}
	if spec.ExamplesToday != "" {
		d, err := ParseDate(spec.ExamplesToday)
		if err != nil {
			return nil, &RuleError{Err: fmt.Errorf("examples_today: %w", err)}
		}
		p.examplesToday = d.Time().Add(12 * time.Hour)
	}
	for i := range spec.Rules {
		rs := &spec.Rules[i]
		r, err := p.compileRule(env, rs)
		if err != nil {
			id := rs.ID
			if id == "" {
				id = fmt.Sprintf("#%d", i+1)
			}
			return nil, &RuleError{Rule: id, Err: err}
		}
		p.rules = append(p.rules, r)
		p.byID[r.ID] = r
	}
	return p, nil
}

func (p *Pack) compileRule(env *cel.Env, rs *ruleSpec) (*Rule, error) {
	if !ruleIDPattern.MatchString(rs.ID) {
		return nil, fmt.Errorf("malformed id %q", rs.ID)
	}
	if _, dup := p.byID[rs.ID]; dup {
		return nil, errors.New("duplicate id")
	}
	sev, ok := ParseSeverity(rs.Severity)
	if !ok || sev == Clear {
		return nil, fmt.Errorf("unknown severity %q (want contraindicated, referral or precaution)", rs.Severity)
	}
	if rs.UntilCleared && sev != Contraindicated {
		return nil, fmt.Errorf("until_cleared applies to contraindications only (a referral is always lifted by its clearance)")
	}
	regions, err := ExpandRegions(rs.Regions)
	if err != nil {
		return nil, err
	}
	if rs.RegionsFrom != "" {
		it, ok := p.Questionnaire.Item(rs.RegionsFrom)
		if !ok || it.Type != TypeRegions {
			return nil, fmt.Errorf("regions_from %q is not a regions item of %s", rs.RegionsFrom, p.Questionnaire.Name)
		}
	}
	if len(regions) == 0 && rs.RegionsFrom == "" {
		return nil, errors.New("covers no regions")
	}
	for _, t := range rs.Techniques {
		if !catalogue.ValidTechnique(t) {
			return nil, fmt.Errorf("unknown technique %q", t)
		}
	}
	if rs.Requires != "" && !catalogue.ValidCover(rs.Requires) {
		return nil, fmt.Errorf("unknown requirement %q", rs.Requires)
	}
	if strings.TrimSpace(rs.Source) == "" {
		return nil, errors.New("no source: every rule must cite where it comes from")
	}
	if strings.TrimSpace(rs.Reason) == "" || strings.TrimSpace(rs.PractitionerReason) == "" {
		return nil, errors.New("reason and practitioner_reason are required")
	}
	translations, err := p.translations(rs)
	if err != nil {
		return nil, err
	}
	if len(rs.Examples.Fires) == 0 || len(rs.Examples.DoesNotFire) == 0 {
		return nil, errors.New("needs at least one fires and one does_not_fire example")
	}
	checked, iss := env.Compile(rs.When)
	if iss.Err() != nil {
		return nil, fmt.Errorf("condition does not compile: %w", iss.Err())
	}
	if !checked.OutputType().IsExactType(cel.BoolType) {
		return nil, fmt.Errorf("condition is %v, want bool", checked.OutputType())
	}
	prg, err := env.Program(checked, cel.CostLimit(CostLimit), cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		return nil, fmt.Errorf("condition: %w", err)
	}
	r := &Rule{ID: rs.ID, When: rs.When, Severity: sev, Regions: regions, RegionsFrom: rs.RegionsFrom,
		Techniques: slices.Clone(rs.Techniques), Requires: rs.Requires, UntilCleared: rs.UntilCleared, Reason: strings.TrimSpace(rs.Reason),
		PractitionerReason: strings.TrimSpace(rs.PractitionerReason), Source: strings.TrimSpace(rs.Source), Translations: translations, prg: prg}
	for _, group := range []struct {
		fires bool
		specs []exampleSpec
	}{{true, rs.Examples.Fires}, {false, rs.Examples.DoesNotFire}} {
		for i, es := range group.specs {
			ex, err := p.buildExample(es, group.fires)
			if err != nil {
				kind := "does_not_fire"
				if group.fires {
					kind = "fires"
				}
				return nil, fmt.Errorf("example %s[%d]: %w", kind, i, err)
			}
			r.examples = append(r.examples, ex)
		}
	}
	return r, nil
}

var langPattern = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)

// translations checks that a rule gives both reasons in every language of
// the pack, and in no other.
func (p *Pack) translations(rs *ruleSpec) (map[string]Reasons, error) {
	out := make(map[string]Reasons, len(p.Languages))
	for _, l := range p.Languages {
		t, ok := rs.Translations[l]
		if !ok {
			return nil, fmt.Errorf("no %s translation of the reasons", l)
		}
		t.Reason, t.PractitionerReason = strings.TrimSpace(t.Reason), strings.TrimSpace(t.PractitionerReason)
		if t.Reason == "" || t.PractitionerReason == "" {
			return nil, fmt.Errorf("the %s translation needs reason and practitioner_reason", l)
		}
		out[l] = t
	}
	for l := range rs.Translations {
		if !slices.Contains(p.Languages, l) {
			return nil, fmt.Errorf("translation to %q, which the pack's languages do not list", l)
		}
	}
	return out, nil
}

// ReasonsIn returns the rule's reasons in lang, or in English when the
// pack has no translation to it.
func (r *Rule) ReasonsIn(lang string) Reasons {
	if t, ok := r.Translations[lang]; ok {
		return t
	}
	return Reasons{Reason: r.Reason, PractitionerReason: r.PractitionerReason}
}

func (p *Pack) buildExample(es exampleSpec, fires bool) (example, error) {
	ex := example{fires: fires, at: p.examplesToday}
	if es.Today != "" {
		d, err := ParseDate(es.Today)
		if err != nil {
			return ex, fmt.Errorf("today: %w", err)
		}
		ex.at = d.Time().Add(12 * time.Hour)
	}
	if ex.at.IsZero() {
		return ex, errors.New("no today: set examples_today on the pack or today on the example")
	}
	if es.BirthDate != "" {
		d, err := ParseDate(es.BirthDate)
		if err != nil {
			return ex, fmt.Errorf("birth_date: %w", err)
		}
		ex.subject.BirthDate = d.Time()
	}
	if es.Anatomy != nil {
		ex.subject.Anatomy = catalogue.Anatomy(*es.Anatomy)
	}
	norm := make(map[string]any, len(es.Answers))
	for k, v := range es.Answers {
		if t, ok := v.(time.Time); ok {
			v = DateOf(t).String()
		}
		norm[k] = v
	}
	raw, err := json.Marshal(norm)
	if err != nil {
		return ex, err
	}
	a, err := DecodeAnswersWith(p.Questionnaire, raw, DecodeOptions{At: ex.at, Partial: true})
	if err != nil {
		return ex, err
	}
	ex.answers = a
	return ex, nil
}

// Rules returns the rules in pack order.
func (p *Pack) Rules() []*Rule { return slices.Clone(p.rules) }

// Rule returns the rule with the given id.
func (p *Pack) Rule(id string) (*Rule, bool) {
	r, ok := p.byID[id]
	return r, ok
}

// IsReferral reports whether id names a rule of the pack whose finding a
// clearance lifts: a referral, or a contraindication until cleared.
func (p *Pack) IsReferral(id string) bool {
	r, ok := p.byID[id]
	return ok && (r.Severity == Referral || r.UntilCleared)
}

var (
	defaultOnce sync.Once
	defaultPack *Pack
	defaultErr  error
)

// DefaultPack returns the embedded rule pack for intake-v1, compiled once.
// It never panics; the embedded pack is checked by the package tests, and
// if it were ever broken DefaultPack returns nil (see DefaultPackErr).
func DefaultPack() *Pack {
	defaultOnce.Do(func() { defaultPack, defaultErr = LoadPack(defaultPackYAML) })
	return defaultPack
}

// DefaultPackErr returns why the embedded pack failed to load, or nil.
func DefaultPackErr() error {
	DefaultPack()
	return defaultErr
}

// Result is the outcome of one screening.
type Result struct {
	Questionnaire string `json:"questionnaire"`
	Pack          string `json:"pack"`
	PackVersion   int    `json:"pack_version"`
	// Outcome is the worst outcome over all regions.
	Outcome Severity `json:"outcome"`
	// Regions maps every catalogue region code to the worst finding
	// covering it (whatever its techniques), or clear.
	Regions map[string]Severity `json:"regions"`
	// Findings are ordered by severity, worst first, then by rule id.
	Findings []Finding `json:"findings"`
	// Language is the language the questions were shown and answered
	// in ("de"), when the caller knows it; a FHIR QuestionnaireResponse
	// carries it.
	Language string `json:"language,omitempty"`
}

// EvalError is returned by Evaluate when rule conditions failed to run
// (for example over the cost limit). Those rules are treated as having
// fired: an unknown is never read as clear.
type EvalError struct {
	Rules []string
	Errs  []error
}

// Error implements error.
func (e *EvalError) Error() string {
	return fmt.Sprintf("screening: %d rule(s) could not be evaluated (%s), treated as fired: %v",
		len(e.Rules), strings.Join(e.Rules, ", "), errors.Join(e.Errs...))
}

// Evaluate runs every rule over the answers for the subject at the given
// moment. It is pure and never panics. When a rule cannot be evaluated, the
// result treats it as fired (fail closed) and the error is an *EvalError
// naming the rules.
func (p *Pack) Evaluate(a Answers, s Subject, at time.Time) (Result, error) {
	act := newActivation(p.provider, a, s, at)
	var findings []Finding
	var evalErr *EvalError
	for _, r := range p.rules {
		fired, err := r.eval(act)
		if err != nil {
			if evalErr == nil {
				evalErr = &EvalError{}
			}
			evalErr.Rules = append(evalErr.Rules, r.ID)
			evalErr.Errs = append(evalErr.Errs, fmt.Errorf("rule %s: %w", r.ID, err))
			fired = true
		}
		if !fired {
			continue
		}
		f := r.finding(a)
		if len(f.Regions) == 0 {
			continue
		}
		findings = append(findings, f)
	}
	sortFindings(findings)
	res := Result{Questionnaire: p.Questionnaire.Name, Pack: p.Name, PackVersion: p.Version, Findings: findings}
	res.Outcome, res.Regions = regionOutcomes(findings)
	if evalErr != nil {
		return res, evalErr
	}
	return res, nil
}

func (r *Rule) eval(act *activation) (bool, error) {
	out, _, err := r.prg.Eval(act)
	if err != nil {
		return false, err
	}
	b, ok := out.Value().(bool)
	if !ok {
		return false, fmt.Errorf("condition gave %v, want bool", out.Type())
	}
	return b, nil
}

// finding builds the finding of a fired rule.
func (r *Rule) finding(a Answers) Finding {
	regions := slices.Clone(r.Regions)
	if r.RegionsFrom != "" {
		extra, _ := a[r.RegionsFrom].([]string)
		for _, c := range extra {
			if !slices.Contains(regions, c) && catalogue.RegionIndex(c) >= 0 {
				regions = append(regions, c)
			}
		}
		slices.SortFunc(regions, func(x, y string) int { return catalogue.RegionIndex(x) - catalogue.RegionIndex(y) })
	}
	return Finding{Rule: r.ID, Severity: r.Severity, Regions: regions, Techniques: slices.Clone(r.Techniques),
		Reason: r.Reason, PractitionerReason: r.PractitionerReason, Source: r.Source, Requires: r.Requires, UntilCleared: r.UntilCleared}
}

func sortFindings(fs []Finding) {
	slices.SortFunc(fs, func(x, y Finding) int {
		if x.Severity != y.Severity {
			return int(y.Severity) - int(x.Severity)
		}
		return strings.Compare(x.Rule, y.Rule)
	})
}

// regionOutcomes returns the worst severity overall and per region code
// (every catalogue region present).
func regionOutcomes(fs []Finding) (Severity, map[string]Severity) {
	worst := make([]Severity, catalogue.NumRegions)
	for i := range fs {
		for _, c := range fs[i].Regions {
			if j := catalogue.RegionIndex(c); j >= 0 && fs[i].Severity > worst[j] {
				worst[j] = fs[i].Severity
			}
		}
	}
	codes := catalogue.RegionCodes()
	m := make(map[string]Severity, len(codes))
	overall := Clear
	for i, c := range codes {
		m[c] = worst[i]
		overall = max(overall, worst[i])
	}
	return overall, m
}
