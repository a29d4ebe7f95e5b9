package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestLoadSQLiteAndBare runs hsload briefly in both local modes, twice
// interleaved, and checks every decision was answered 200 and the summary
// names both modes with the ratio on the holdspace line.
func TestLoadSQLiteAndBare(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"-duration", "200ms", "-concurrency", "2,3", "-runs", "2", "-sessions", "1", "-revoke-every", "50ms"}, &out)
	if err != nil {
		t.Fatalf("hsload: %v\n%s", err, out.String())
	}
	s := out.String()
	runs := regexp.MustCompile(`(?m)^run [12]  (sqlite|bare) +c[23] .* failed 0 `).FindAllString(s, -1)
	if len(runs) != 2*2*2 {
		t.Fatalf("want 8 runs without failures, got %d:\n%s", len(runs), s)
	}
	_, summary, ok := strings.Cut(s, "medians of 2 run(s):")
	if !ok {
		t.Fatalf("no summary:\n%s", s)
	}
	for _, re := range []string{`(?m)^sqlite +c2 +\d+ .* 0 +\d+\.\d% \(1/\d+\)$`, `(?m)^bare +c3 +\d+ .* 0 +-$`} {
		if !regexp.MustCompile(re).MatchString(summary) {
			t.Errorf("summary lacks %s:\n%s", re, summary)
		}
	}
}

func TestFlagsRefused(t *testing.T) {
	for _, args := range [][]string{
		{"-modes", "postgres"},
		{"-modes", "sqlite,mysql"},
		{"-modes", "bare,bare"},
		{"-concurrency", "8,x"},
		{"-concurrency", "0"},
		{"-runs", "0"},
	} {
		if err := run(context.Background(), args, &bytes.Buffer{}); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}

func TestMedian(t *testing.T) {
	rs := []runStats{{rate: 5, p99: 3 * time.Millisecond}, {rate: 1, p99: time.Millisecond}, {rate: 9, p99: 2 * time.Millisecond}}
	if m := median(rs, func(s runStats) float64 { return s.rate }); m != 5 {
		t.Errorf("median rate %v, want 5", m)
	}
	if m := median(rs[:2], func(s runStats) float64 { return float64(s.p99) }); time.Duration(m) != 2*time.Millisecond {
		t.Errorf("median p99 of two %v, want 2ms", time.Duration(m))
	}
}
