package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"holdspace/screening"
)

// cmdRulesCheck validates a rule pack and runs the examples of every rule.
func cmdRulesCheck(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("rules check", stderr)
	if err := fs.Parse(args); err != nil {
		return usageErrorf("%v", err)
	}
	if fs.NArg() != 1 {
		return usageErrorf("usage: holdspace rules check FILE")
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	rep, err := screening.CheckPack(data)
	if err != nil {
		return fmt.Errorf("%s: %w", fs.Arg(0), err)
	}
	for _, f := range rep.Failures {
		fmt.Fprintf(stdout, "FAIL %s: %s\n", f.Rule, f.Message)
	}
	if !rep.OK() {
		return fmt.Errorf("%s: %d of %d examples failed", fs.Arg(0), len(rep.Failures), rep.Examples)
	}
	fmt.Fprintf(stdout, "ok: pack %s, %d rules, %d examples pass\n", rep.Pack, rep.Rules, rep.Examples)
	return nil
}

// cmdRulesExplain prints the per-region outcome table for a set of answers.
func cmdRulesExplain(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("rules explain", stderr)
	answers := fs.String("answers", "", "a JSON file of intake answers {linkId: value}")
	rules := fs.String("rules", getenv("HOLDSPACE_RULES"), "a rule pack file; empty: the built-in pack")
	qname := fs.String("questionnaire", "intake-v1", "the questionnaire the answers belong to")
	anatomy := fs.String("anatomy", "", "comma-separated anatomy: prostate, vagina, breasts")
	birth := fs.String("birth-date", "1990-01-01", "the client's birth date YYYY-MM-DD")
	at := fs.String("at", "", "evaluate as of this date YYYY-MM-DD; empty: today")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *answers == "" {
		return usageErrorf("--answers FILE is required")
	}
	pack := screening.DefaultPack()
	if *rules != "" {
		b, err := os.ReadFile(*rules)
		if err != nil {
			return err
		}
		if pack, err = screening.LoadPack(b); err != nil {
			return err
		}
	}
	q, ok := screening.Lookup(*qname)
	if !ok {
		return usageErrorf("unknown questionnaire %q", *qname)
	}
	raw, err := os.ReadFile(*answers)
	if err != nil {
		return err
	}
	an, err := parseAnatomy(*anatomy)
	if err != nil {
		return err
	}
	subj := screening.Subject{Anatomy: an}
	bd, err := time.Parse(time.DateOnly, *birth)
	if err != nil {
		return usageErrorf("--birth-date: %v", err)
	}
	subj.BirthDate = bd
	when := time.Now().UTC()
	if *at != "" {
		if when, err = time.Parse(time.DateOnly, *at); err != nil {
			return usageErrorf("--at: %v", err)
		}
	}
	// What-if answers may be partial: unanswered items read as "no".
	a, err := screening.DecodeAnswersWith(q, raw, screening.DecodeOptions{At: when, Anatomy: &subj.Anatomy, Partial: true})
	if err != nil {
		return fmt.Errorf("%s: %w", *answers, err)
	}
	return screening.Explain(stdout, pack, a, subj, when)
}
