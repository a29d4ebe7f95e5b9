package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"holdspace"

	"holdspace/app"
	"holdspace/seal"
	"holdspace/sqlite"
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
	for _, re := range []string{`(?m)^sqlite +c2 +[\d.]+ .* 0 +\d+\.\d% \(1/\d+\)$`, `(?m)^bare +c3 +[\d.]+ .* 0 +-$`} {
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
		{"-mode", "nope"},
		{"-mode", "list"},
		{"-mode", "list", "-data", "x", "-modes", "bare"},
		{"-mode", "startup", "-data", "x"},
		{"-mode", "auditverify", "-binary", "/bin/true"},
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

// TestReadModes fills a small practice as the fixtures do (demo
// practitioner and clients) and measures the list, search and client
// file on it: every request answered 200, the probe says what the list
// holds.
func TestReadModes(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	keys, _, err := seal.LoadOrCreate(filepath.Join(dir, "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(app.Config{DB: db, Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	pid, err := a.People.CreateUser(ctx, app.System, app.NewUser{Role: holdspace.RolePractitioner, Name: "Fixture Practitioner", Email: "fx-p@fixtures.holdspace.test", Demo: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := a.People.CreateClient(ctx, app.System, app.ClientInput{Name: fmt.Sprintf("Fixture Client %d", i), Email: fmt.Sprintf("fx-c%d@fixtures.holdspace.test", i),
			BirthDate: "1980-01-01", PractitionerIDs: []string{pid}, Demo: true}); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	for _, kind := range []string{"list", "search", "clientfile"} {
		var out bytes.Buffer
		if err := run(ctx, []string{"-mode", kind, "-data", dir, "-duration", "200ms", "-workers", "2", "-runs", "1"}, &out); err != nil {
			t.Fatalf("%s: %v\n%s", kind, err, out.String())
		}
		s := out.String()
		if !regexp.MustCompile(`(?m)^run 1  sqlite +c2 +[\d.]+ requests/s .* failed 0 `).MatchString(s) {
			t.Errorf("%s: no run without failures:\n%s", kind, s)
		}
		if kind == "list" && !strings.Contains(s, "the first page of the client list holds 3 clients") {
			t.Errorf("list: the probe did not see the 3 clients:\n%s", s)
		}
	}
}
