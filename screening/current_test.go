package screening

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"holdspace"
	"holdspace/catalogue"
)

func record(t *testing.T, m map[string]any) *Record {
	t.Helper()
	res, err := mustPack(t).Evaluate(decodePartial(t, m), Subject{}, testAt)
	if err != nil {
		t.Fatal(err)
	}
	return &Record{ID: "s1", TakenAt: testAt, ValidUntil: ValidUntil(testAt, DefaultValidityMonths), Result: res}
}

func TestCurrentAtClearances(t *testing.T) {
	rec := record(t, map[string]any{"dvt": true, "anorectal-disease": true})
	later := testAt.Add(24 * time.Hour)
	cl := func(rule string, at time.Time) Clearance {
		return Clearance{ID: "c-" + rule, Rule: rule, ClearedBy: "Dr A", ClearedOn: "2026-06-16", RecordedAt: at}
	}

	cur := CurrentAt(rec, nil, nil, later)
	if !cur.Present || cur.Stale || cur.Regions["upper-back"] != Referral || cur.Regions["thighs"] != Contraindicated {
		t.Fatalf("uncleared %+v", cur)
	}
	// Its own clearance lifts the referral; the legs stay contraindicated.
	cur = CurrentAt(rec, nil, []Clearance{cl("dvt-referral", later)}, later)
	if !slices.Equal(cur.Cleared, []string{"dvt-referral"}) || cur.Regions["upper-back"] != Clear ||
		cur.Regions["thighs"] != Contraindicated || cur.Regions["anus"] != Referral {
		t.Errorf("dvt cleared: %+v", cur)
	}
	// A clearance for another rule lifts nothing here.
	cur = CurrentAt(rec, nil, []Clearance{cl("pregnancy-referral", later)}, later)
	if len(cur.Cleared) != 0 || cur.Regions["upper-back"] != Referral {
		t.Errorf("unrelated clearance lifted something: %+v", cur)
	}
	// A contraindication is never lifted.
	cur = CurrentAt(rec, nil, []Clearance{cl("dvt-legs", later)}, later)
	if len(cur.Cleared) != 0 || cur.Regions["thighs"] != Contraindicated {
		t.Errorf("contraindication lifted: %+v", cur)
	}
	// Without a screening id, a clearance recorded before this screening
	// does not apply; one recorded later does, whatever `at` says (a node
	// whose clock lags must not ignore a clearance already on record).
	if cur = CurrentAt(rec, nil, []Clearance{cl("dvt-referral", testAt.Add(-time.Hour))}, later); len(cur.Cleared) != 0 {
		t.Error("a clearance recorded before the screening applied")
	}
	if cur = CurrentAt(rec, nil, []Clearance{cl("dvt-referral", later.Add(time.Hour))}, later); len(cur.Cleared) != 1 {
		t.Error("a clearance on record was ignored for its timestamp")
	}
	// With a screening id, it lifts that screening's finding only, whatever
	// the times.
	own, other := cl("dvt-referral", testAt.Add(-time.Hour)), cl("dvt-referral", later)
	own.ScreeningID, other.ScreeningID = rec.ID, "scr_other"
	if cur = CurrentAt(rec, nil, []Clearance{own}, later); len(cur.Cleared) != 1 {
		t.Error("a clearance recorded against this screening did not lift its referral")
	}
	if cur = CurrentAt(rec, nil, []Clearance{other}, later); len(cur.Cleared) != 0 {
		t.Error("a clearance recorded against another screening lifted this one's referral")
	}
	// Both referrals cleared: only the contraindication is left.
	cur = CurrentAt(rec, nil, []Clearance{cl("dvt-referral", later), cl("anorectal-disease", later)}, later)
	if cur.Outcome != Contraindicated || len(cur.Findings) != 1 || cur.Findings[0].Rule != "dvt-legs" {
		t.Errorf("both cleared: %+v", cur)
	}
}

func TestCurrentAtStaleness(t *testing.T) {
	rec := record(t, map[string]any{})
	if cur := CurrentAt(nil, nil, nil, testAt); cur.Present || len(cur.Regions) != catalogue.NumRegions {
		t.Errorf("no screening: %+v", cur)
	}
	if got := rec.ValidUntil; !got.Equal(time.Date(2026, 12, 15, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("valid until %v", got)
	}
	cases := []struct {
		name    string
		changes []time.Time
		at      time.Time
		reason  string
	}{
		{"fresh", nil, testAt.AddDate(0, 5, 0), ""},
		{"expired at ValidUntil", nil, rec.ValidUntil, StaleExpired},
		{"just before expiry", nil, rec.ValidUntil.Add(-time.Second), ""},
		{"health change after", []time.Time{testAt.Add(time.Hour)}, testAt.Add(2 * time.Hour), StaleHealthChange},
		{"health change before", []time.Time{testAt.Add(-time.Hour)}, testAt.Add(2 * time.Hour), ""},
		// A health change on record counts even if stamped after `at` by a
		// node whose clock runs ahead: staleness never waits for clocks.
		{"health change after at", []time.Time{testAt.Add(3 * time.Hour)}, testAt.Add(2 * time.Hour), StaleHealthChange},
		{"both", []time.Time{testAt.Add(time.Hour)}, rec.ValidUntil.Add(time.Hour), StaleHealthChange},
	}
	for _, c := range cases {
		cur := CurrentAt(rec, c.changes, nil, c.at)
		if cur.Stale != (c.reason != "") || cur.StaleReason != c.reason {
			t.Errorf("%s: stale=%v %q, want %q", c.name, cur.Stale, cur.StaleReason, c.reason)
		}
	}
}

func TestValidateClearance(t *testing.T) {
	p := mustPack(t)
	rec := record(t, map[string]any{"dvt": true})
	cur := CurrentAt(rec, nil, nil, testAt)
	if err := p.ValidateClearance(cur, "dvt-referral"); err != nil {
		t.Errorf("valid clearance refused: %v", err)
	}
	check := func(c Current, rule, code, reason string) {
		t.Helper()
		err := p.ValidateClearance(c, rule)
		var he *holdspace.Error
		if !errors.As(err, &he) || he.Code != code || he.Reason != reason {
			t.Errorf("%s: got %v, want %s/%s", rule, err, code, reason)
		}
	}
	check(cur, "no-such-rule", holdspace.EINVALID, "unknown_rule")
	check(cur, "dvt-legs", holdspace.EINVALID, "not_a_referral")
	check(cur, "pregnancy-referral", holdspace.ECONFLICT, "not_in_findings")
	check(CurrentAt(nil, nil, nil, testAt), "dvt-referral", holdspace.ECONFLICT, "screening_required")
	cleared := CurrentAt(rec, nil, []Clearance{{Rule: "dvt-referral", RecordedAt: testAt}}, testAt)
	check(cleared, "dvt-referral", holdspace.ECONFLICT, "not_in_findings")
}

func TestExplain(t *testing.T) {
	p := mustPack(t)
	var b bytes.Buffer
	a := decodePartial(t, map[string]any{"anal-acute": true, "latex-allergy": true})
	if err := Explain(&b, p, a, Subject{Anatomy: catalogue.Anatomy{Vagina: true}}, testAt); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"Outcome: contraindicated", "anal-acute", "Source: clinical summaries",
		"Source: pelvic PT clinic policies", "For the client:", "upper-back", "vagina"} {
		if !strings.Contains(out, want) {
			t.Errorf("explain output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\nprostate ") {
		t.Errorf("explain lists a region that does not apply:\n%s", out)
	}
	if err := Explain(failWriter{}, p, a, Subject{}, testAt); err == nil {
		t.Error("write error swallowed")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestCheckPackReportsFailures(t *testing.T) {
	src := strings.Replace(goodRule, "fires: [{answers: {fever: true}}]", "fires: [{answers: {fever: true}}, {answers: {fever: false}}]", 1)
	rep, err := CheckPack(packWith(src))
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() || len(rep.Failures) != 1 || rep.Failures[0].Rule != "good" || rep.Failures[0].Kind != "fires" || rep.Failures[0].Index != 1 {
		t.Errorf("report %+v", rep)
	}
	if _, err := CheckPack(packWith(strings.Replace(goodRule, "answers.fever", "answers.nope", 1))); err == nil {
		t.Error("CheckPack accepted a pack that does not compile")
	}
}

// TestContraindicatedUntilCleared: "contraindicated until cleared" (domain
// table: unstable hypertension, recent stroke) is lifted by a clearance of
// that rule and only by it; other contraindications never are.
func TestContraindicatedUntilCleared(t *testing.T) {
	p := mustPack(t)
	rec := record(t, map[string]any{"hypertension-unstable": true, "dvt": true})
	cur := CurrentAt(rec, nil, nil, testAt)
	if cur.Regions["upper-back"] != Contraindicated {
		t.Fatalf("uncleared: %v", cur.Regions["upper-back"])
	}
	if err := p.ValidateClearance(cur, "hypertension-unstable"); err != nil {
		t.Fatalf("a clearance of hypertension-unstable was refused: %v", err)
	}
	if err := p.ValidateClearance(cur, "dvt-legs"); holdspace.ErrorReason(err) != "not_a_referral" {
		t.Fatalf("a clearance of a plain contraindication: %v", err)
	}
	cl := Clearance{ID: "c", Rule: "hypertension-unstable", ScreeningID: rec.ID, RecordedAt: testAt}
	cur = CurrentAt(rec, nil, []Clearance{cl}, testAt)
	if !slices.Contains(cur.Cleared, "hypertension-unstable") {
		t.Fatalf("not lifted: %+v", cur.Cleared)
	}
	// The DVT findings stay: legs contraindicated, the rest referral.
	if cur.Regions["thighs"] != Contraindicated || cur.Regions["upper-back"] != Referral {
		t.Fatalf("after clearing hypertension: thighs %v, upper-back %v", cur.Regions["thighs"], cur.Regions["upper-back"])
	}
	bad := strings.Replace(string(DefaultPackYAML()), "  - id: pregnancy-referral\n    when: answers.pregnant\n    severity: referral\n",
		"  - id: pregnancy-referral\n    when: answers.pregnant\n    severity: referral\n    until_cleared: true\n", 1)
	if _, err := LoadPack([]byte(bad)); err == nil || !strings.Contains(err.Error(), "pregnancy-referral") {
		t.Fatalf("until_cleared on a referral was accepted: %v", err)
	}
}
