package screening

import (
	"encoding/json"
	"math/rand"
	"testing"
	"time"

	"holdspace/catalogue"
)

// testAt is the moment every test evaluates at.
var testAt = time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)

func mustPack(t testing.TB) *Pack {
	t.Helper()
	p := DefaultPack()
	if p == nil {
		t.Fatalf("default pack does not load: %v", DefaultPackErr())
	}
	return p
}

func mustQ(t testing.TB) *Questionnaire {
	t.Helper()
	q, ok := Lookup(IntakeV1)
	if !ok {
		t.Fatal("intake-v1 does not resolve")
	}
	return q
}

// decodePartial decodes answers given as a Go map, without the required
// check.
func decodePartial(t testing.TB, m map[string]any) Answers {
	t.Helper()
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	a, err := DecodeAnswersWith(mustQ(t), raw, DecodeOptions{At: testAt, Partial: true})
	if err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return a
}

// baseAnswers returns a complete "no to everything" intake for a client
// with the given anatomy.
func baseAnswers(anat catalogue.Anatomy) map[string]any {
	m := map[string]any{}
	q, _ := Lookup(IntakeV1)
	for _, it := range q.Items {
		if it.Type == TypeBoolean && it.Required && len(it.EnableWhen) == 0 {
			if it.Anatomy == catalogue.Always || (catalogue.Region{Needs: it.Anatomy}).AppliesTo(anat) {
				m[it.LinkID] = false
			}
		}
	}
	return m
}

// daysAgo returns the date n days before testAt.
func daysAgo(n int) string { return DateOf(testAt.AddDate(0, 0, -n)).String() }

// outcomeFor returns the worst severity among findings that cover the
// region and technique: what a decision would see.
func outcomeFor(fs []Finding, region, technique string) Severity {
	worst := Clear
	for i := range fs {
		if fs[i].Covers(region, technique) && fs[i].Severity > worst {
			worst = fs[i].Severity
		}
	}
	return worst
}

// expect builds a full region → severity map from (name, severity) pairs
// applied in order; names may be group shorthands. Unnamed regions are
// clear.
func expect(t testing.TB, pairs ...any) map[string]Severity {
	t.Helper()
	m := map[string]Severity{}
	for _, c := range catalogue.RegionCodes() {
		m[c] = Clear
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		codes, err := ExpandRegions([]string{pairs[i].(string)})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range codes {
			m[c] = pairs[i+1].(Severity)
		}
	}
	return m
}

func findingRules(fs []Finding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Rule
	}
	return out
}

// newRand returns a deterministic source for randomized tests.
func newRand(seed int64) *rand.Rand { return rand.New(rand.NewSource(seed)) }
