package screening

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"holdspace/catalogue"
)

// ExampleFailure is one rule example that did not behave as stated.
type ExampleFailure struct {
	Rule string `json:"rule"`
	// Kind is "fires" or "does_not_fire".
	Kind    string `json:"kind"`
	Index   int    `json:"index"`
	Message string `json:"message"`
}

// Report is what CheckPack found in a pack that compiled.
type Report struct {
	Pack     string           `json:"pack"`
	Rules    int              `json:"rules"`
	Examples int              `json:"examples"`
	Failures []ExampleFailure `json:"failures"`
}

// OK reports whether every example behaved as stated.
func (r Report) OK() bool { return len(r.Failures) == 0 }

// runExamples evaluates a rule's examples and returns the failures.
func (p *Pack) runExamples(r *Rule) []ExampleFailure {
	var out []ExampleFailure
	idx := map[bool]int{}
	for _, ex := range r.examples {
		kind := "does_not_fire"
		if ex.fires {
			kind = "fires"
		}
		i := idx[ex.fires]
		idx[ex.fires]++
		act := newActivation(p.provider, ex.answers, ex.subject, ex.at)
		fired, err := r.eval(act)
		if err != nil {
			out = append(out, ExampleFailure{r.ID, kind, i, fmt.Sprintf("example %s[%d]: evaluation failed: %v", kind, i, err)})
			continue
		}
		if fired && len(r.finding(ex.answers).Regions) == 0 {
			fired = false
		}
		if fired != ex.fires {
			want := "to fire"
			if !ex.fires {
				want = "not to fire"
			}
			out = append(out, ExampleFailure{r.ID, kind, i, fmt.Sprintf("example %s[%d]: expected the rule %s on %s", kind, i, want, DateOf(ex.at))})
		}
	}
	return out
}

// CheckPack validates a custom rule pack for the clinical lead: it fails
// (with a *RuleError naming the rule) when the pack does not load for any
// reason LoadPack gives other than a failing example, and otherwise runs
// every rule's examples and reports each one that does not behave as
// stated.
func CheckPack(data []byte) (Report, error) {
	p, err := compilePack(data)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Pack: p.Name, Rules: len(p.rules)}
	for _, r := range p.rules {
		rep.Examples += len(r.examples)
		rep.Failures = append(rep.Failures, p.runExamples(r)...)
	}
	return rep, nil
}

// Explain writes, as plain text, the outcome of evaluating the pack over the
// answers: a table of every region that applies to the subject's anatomy
// with its outcome and the rules behind it, then every finding with its
// reasons and source. It returns the first write error, or the evaluation
// error after writing (rules that could not run are shown as fired).
func Explain(w io.Writer, p *Pack, a Answers, s Subject, at time.Time) error {
	res, evalErr := p.Evaluate(a, s, at)
	var b strings.Builder
	fmt.Fprintf(&b, "Screening %s with pack %s v%d on %s\n", res.Questionnaire, res.Pack, res.PackVersion, DateOf(at))
	fmt.Fprintf(&b, "Outcome: %s\n\n", res.Outcome)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "REGION\tGROUP\tOUTCOME\tRULES")
	for _, reg := range catalogue.Regions() {
		if !reg.AppliesTo(s.Anatomy) {
			continue
		}
		var rules []string
		for i := range res.Findings {
			f := &res.Findings[i]
			for _, c := range f.Regions {
				if c == reg.Code {
					label := f.Rule
					if len(f.Techniques) > 0 {
						label += " (" + strings.Join(f.Techniques, ", ") + ")"
					}
					rules = append(rules, label)
					break
				}
			}
		}
		if len(rules) == 0 {
			rules = []string{"-"}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", reg.Code, reg.Group, res.Regions[reg.Code], strings.Join(rules, "; "))
	}
	tw.Flush()
	if len(res.Findings) == 0 {
		b.WriteString("\nNo findings.\n")
	} else {
		b.WriteString("\nFindings:\n")
	}
	for _, f := range res.Findings {
		fmt.Fprintf(&b, "\n%s: %s\n", f.Rule, f.Severity)
		fmt.Fprintf(&b, "  Regions: %s\n", strings.Join(f.Regions, ", "))
		if len(f.Techniques) > 0 {
			fmt.Fprintf(&b, "  Techniques: %s\n", strings.Join(f.Techniques, ", "))
		}
		if f.Requires != "" {
			fmt.Fprintf(&b, "  Requires: %s\n", f.Requires)
		}
		fmt.Fprintf(&b, "  For the client: %s\n", f.Reason)
		fmt.Fprintf(&b, "  For the practitioner: %s\n", f.PractitionerReason)
		fmt.Fprintf(&b, "  Source: %s\n", f.Source)
	}
	if evalErr != nil {
		fmt.Fprintf(&b, "\nWarning: %v\n", evalErr)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("explain: %w", err)
	}
	return evalErr
}
