// Package peers holds holdspace's consent decision expressed for two
// general-purpose policy engines, OPA (Rego) and Cedar (cedar-go), with a
// differential test against consent.Index.Decide and benchmarks of the
// three on the same 60-grant case. It is a module of its own so that the
// product never depends on either engine.
//
// The peer policies (decision.rego, decision.cedar) cover the rules that
// decide the outcome for the benchmark's client: the region exists for
// the anatomy, the session is in progress, re-confirmation and the day
// check for non-general regions, a known technique, the governing
// agreement's answer (the most restrictive of duplicates) and its
// revocations, the prostate's passage rule (refusals propagate; it needs
// consent on the anal canal and the rectum), check-ins declined and
// ask-first with a recent check-in yes, screening present and current for
// intimate and internal regions, scope of practice (a valid credential
// with the region's coverage) and the chaperone offer for internal
// regions. Which agreement governs (versions, intents), expiry, minors,
// what the practice offers and the reasons' texts stay with holdspace: the
// peers are given the governing agreement, and outcomes are compared.
package peers

import (
	"context"
	_ "embed"
	"fmt"
	"slices"
	"time"

	"github.com/cedar-policy/cedar-go"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"holdspace/catalogue"
	"holdspace/consent"
	"holdspace/practice"
)

//go:embed decision.rego
var regoModule string

//go:embed decision.cedar
var cedarPolicies []byte

// Case is one decision: the client's facts, the session, what is asked
// and when. Governing is the agreement that governs the session (the
// peers are given it; holdspace finds it among Facts.Agreements).
type Case struct {
	Facts     consent.ClientFacts
	Governing consent.Agreement
	Session   *practice.Facts
	Region    string
	Technique string
	At        time.Time
}

// Holdspace decides c with consent.Index.Decide.
func Holdspace(c Case) string {
	return string(consent.Decide(c.Facts, c.Session, c.Region, c.Technique, c.At).Outcome)
}

// OPA is the Rego policy prepared for evaluation.
type OPA struct{ q rego.PreparedEvalQuery }

// NewOPA compiles decision.rego with the catalogue as data.
func NewOPA(ctx context.Context) (*OPA, error) {
	q, err := rego.New(
		rego.Query("data.holdspace.decision"),
		rego.Module("decision.rego", regoModule),
		rego.Data(map[string]any{"catalogue": catalogueData()}),
	).PrepareForEval(ctx)
	if err != nil {
		return nil, err
	}
	return &OPA{q: q}, nil
}

// Input converts c to the Rego input document, parsed once.
func (o *OPA) Input(c Case) ast.Value { return mustValue(opaInput(c)) }

// Decide evaluates the prepared query on an input made by Input.
func (o *OPA) Decide(ctx context.Context, in ast.Value) (string, error) {
	rs, err := o.q.Eval(ctx, rego.EvalParsedInput(in))
	if err != nil {
		return "", err
	}
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		return "", fmt.Errorf("opa: %d results", len(rs))
	}
	s, ok := rs[0].Expressions[0].Value.(string)
	if !ok {
		return "", fmt.Errorf("opa: decision %v", rs[0].Expressions[0].Value)
	}
	return s, nil
}

func mustValue(v any) ast.Value {
	val, err := ast.InterfaceToValue(v)
	if err != nil {
		panic(err) // only maps, slices, strings, numbers and booleans are passed
	}
	return val
}

// catalogueData is data.catalogue: each region's group, the anatomy it
// needs and the coverage the default scope of practice requires for it;
// the technique codes.
func catalogueData() map[string]any {
	regions := map[string]any{}
	for _, r := range catalogue.Regions() {
		regions[r.Code] = map[string]any{"group": string(r.Group), "needs": string(r.Needs), "requires": requires(r.Code)}
	}
	return map[string]any{"regions": regions, "techniques": catalogue.TechniqueCodes()}
}

// requires is the credential coverage the default scope names for region.
func requires(region string) string {
	g := practice.ScopeGroupOf(region)
	for _, r := range practice.DefaultScope() {
		if r.Group == g && g != "" {
			return r.Requires
		}
	}
	return ""
}

func anatomy(a catalogue.Anatomy) []string {
	var out []string
	if a.Prostate {
		out = append(out, string(catalogue.NeedsProstate))
	}
	if a.Vagina {
		out = append(out, string(catalogue.NeedsVagina))
	}
	if a.Breasts {
		out = append(out, string(catalogue.NeedsBreasts))
	}
	return out
}

// revokedRegions lists the regions the agreement's revocations cover (all
// of them for a revocation naming none).
func revokedRegions(a consent.Agreement) []string {
	var out []string
	for _, r := range a.Revocations {
		regs := r.Regions
		if len(regs) == 0 {
			regs = catalogue.RegionCodes()
		}
		for _, reg := range regs {
			if !slices.Contains(out, reg) {
				out = append(out, reg)
			}
		}
	}
	return out
}

// reconfirmed: the session re-confirmed the governing agreement.
func reconfirmed(c Case) bool {
	return c.Session.Reconfirmed && c.Session.AgreementID == c.Governing.ID && c.Session.AgreementVersion == c.Governing.Version
}

func opaInput(c Case) map[string]any {
	var grants []any
	for _, g := range c.Governing.Grants {
		grants = append(grants, map[string]any{"region": g.Region, "technique": g.Technique, "answer": string(g.Answer)})
	}
	declined := []string{}
	lastYes := map[string]any{}
	for code, ci := range c.Session.CheckIns() {
		if ci.Declined {
			declined = append(declined, code)
		}
		if !ci.LastYes.IsZero() {
			lastYes[code] = ci.LastYes.UnixNano()
		}
	}
	var creds []any
	for _, cr := range c.Facts.Credentials {
		if !cr.RevokedAt.IsZero() {
			continue
		}
		creds = append(creds, map[string]any{"covers": cr.Covers, "valid_from": cr.ValidFrom.UnixNano(), "valid_until": cr.ValidUntil.UnixNano()})
	}
	return map[string]any{
		"region":     c.Region,
		"technique":  c.Technique,
		"at":         c.At.UnixNano(),
		"ask_window": int64(consent.DefaultAskWindow),
		"anatomy":    anatomy(c.Facts.Anatomy),
		"agreement":  map[string]any{"grants": grants, "revoked": revokedRegions(c.Governing)},
		"session": map[string]any{"state": string(c.Session.State), "reconfirmed": reconfirmed(c),
			"day_check": c.Session.DayCheck.Recorded, "chaperone": c.Session.Chaperone.Offered,
			"declined": declined, "last_yes": lastYes},
		"screening":   map[string]any{"present": c.Facts.Screening.Present, "stale": c.Facts.Screening.Stale},
		"credentials": creds,
	}
}

// Cedar is the Cedar policy set.
type Cedar struct{ ps *cedar.PolicySet }

// NewCedar parses decision.cedar.
func NewCedar() (*Cedar, error) {
	ps, err := cedar.NewPolicySetFromBytes("decision.cedar", cedarPolicies)
	if err != nil {
		return nil, err
	}
	return &Cedar{ps: ps}, nil
}

// CedarCase is a case as Cedar takes it: the region entities and the
// request (its action is set by Decide).
type CedarCase struct {
	Entities cedar.EntityMap
	Request  cedar.Request
}

// Case converts c to Cedar entities and a request.
func (*Cedar) Case(c Case) CedarCase {
	answers := map[string]map[catalogue.Answer][]cedar.Value{}
	for _, g := range c.Governing.Grants {
		if answers[g.Region] == nil {
			answers[g.Region] = map[catalogue.Answer][]cedar.Value{}
		}
		a := g.Answer
		if a != catalogue.Yes && a != catalogue.Ask {
			a = catalogue.No
		}
		answers[g.Region][a] = append(answers[g.Region][a], cedar.String(g.Technique))
	}
	revoked := revokedRegions(c.Governing)
	checkins := c.Session.CheckIns()
	ents := cedar.EntityMap{}
	for _, r := range catalogue.Regions() {
		uid := cedar.NewEntityUID("Region", cedar.String(r.Code))
		var lastYes int64
		if ci := checkins[r.Code]; !ci.LastYes.IsZero() {
			lastYes = ci.LastYes.UnixNano()
		}
		ents[uid] = cedar.Entity{UID: uid, Attributes: cedar.NewRecord(cedar.RecordMap{
			"group":    cedar.String(r.Group),
			"needs":    cedar.String(r.Needs),
			"requires": cedar.String(requires(r.Code)),
			"yes":      cedar.NewSet(answers[r.Code][catalogue.Yes]...),
			"ask":      cedar.NewSet(answers[r.Code][catalogue.Ask]...),
			"no":       cedar.NewSet(answers[r.Code][catalogue.No]...),
			"revoked":  cedar.Boolean(slices.Contains(revoked, r.Code)),
			"declined": cedar.Boolean(checkins[r.Code].Declined),
			"last_yes": cedar.Long(lastYes),
		})}
	}
	var anat, techs, covers []cedar.Value
	for _, a := range anatomy(c.Facts.Anatomy) {
		anat = append(anat, cedar.String(a))
	}
	for _, t := range catalogue.TechniqueCodes() {
		techs = append(techs, cedar.String(t))
	}
	// Cedar has no quantifier over a set: the coverages of the credentials
	// valid at the decision's time are given.
	for _, cr := range c.Facts.Credentials {
		if cr.ValidAt(c.At) {
			for _, cv := range cr.Covers {
				covers = append(covers, cedar.String(cv))
			}
		}
	}
	req := cedar.Request{
		Principal: cedar.NewEntityUID("Practitioner", "p1"),
		Resource:  cedar.NewEntityUID("Region", cedar.String(c.Region)),
		Context: cedar.NewRecord(cedar.RecordMap{
			"technique":         cedar.String(c.Technique),
			"techniques":        cedar.NewSet(techs...),
			"anatomy":           cedar.NewSet(anat...),
			"at":                cedar.Long(c.At.UnixNano()),
			"ask_window":        cedar.Long(int64(consent.DefaultAskWindow)),
			"state":             cedar.String(c.Session.State),
			"reconfirmed":       cedar.Boolean(reconfirmed(c)),
			"day_check":         cedar.Boolean(c.Session.DayCheck.Recorded),
			"chaperone":         cedar.Boolean(c.Session.Chaperone.Offered),
			"screening_present": cedar.Boolean(c.Facts.Screening.Present),
			"screening_stale":   cedar.Boolean(c.Facts.Screening.Stale),
			"covers":            cedar.NewSet(covers...),
		}),
	}
	return CedarCase{Entities: ents, Request: req}
}

var (
	actionTouch = cedar.NewEntityUID("Action", "touch")
	actionAsk   = cedar.NewEntityUID("Action", "ask")
)

// Decide authorizes "touch" (permit), else "ask" (ask), else deny. An
// unknown region has no entity: its policies err and nothing is allowed.
func (cd *Cedar) Decide(cc CedarCase) string {
	req := cc.Request
	req.Action = actionTouch
	if d, _ := cedar.Authorize(cd.ps, cc.Entities, req); d == cedar.Allow {
		return string(consent.Permit)
	}
	req.Action = actionAsk
	if d, _ := cedar.Authorize(cd.ps, cc.Entities, req); d == cedar.Allow {
		return string(consent.Ask)
	}
	return string(consent.Deny)
}
