package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"holdspace/catalogue"
)

// intimateSession has c1 sign a sensual agreement for prostate work,
// withdraw part of it, and go through a session with check-ins, decisions,
// emotional release and an adverse event, closed so that a follow-up is
// due: every record that reveals sex life or health, written once.
func (f *practiceFixture) intimateSession(t *testing.T) (agreement, session string) {
	t.Helper()
	n := f.n
	f.setSettings(t, map[string]any{"sensual_offered": true})
	n.must(201, "POST", "/api/v1/clients/"+f.c1ID+"/screenings", f.c1, map[string]any{"answers": clearAnswers()})
	ag := n.must(201, "POST", "/api/v1/clients/"+f.c1ID+"/agreements", f.c1, map[string]any{"intent": "sensual",
		"grants": []map[string]string{grant("genitals", "massage", "yes"), grant("prostate", "massage", "yes"),
			grant("anal-canal", "massage", "yes"), grant("rectum", "massage", "yes"), grant("perineum", "touch", "ask")}}).str("id")
	n.must(200, "POST", "/api/v1/agreements/"+ag+"/sign", f.c1, nil)
	n.must(200, "POST", "/api/v1/agreements/"+ag+"/revoke", f.c1, map[string]any{"regions": []string{"genitals"}})
	ses := f.inProgress(t, "sensual")
	f.event(t, f.p1, ses, map[string]any{"type": "chaperone", "chaperone": map[string]any{"offered": true, "accepted": true, "name": "Sam Chaperone"}})
	f.event(t, f.p1, ses, map[string]any{"type": "checkin", "region": "perineum", "answer": "yes"})
	f.event(t, f.c1, ses, map[string]any{"type": "checkin", "region": "anal-canal", "answer": "yes"})
	f.event(t, f.c1, ses, map[string]any{"type": "checkin", "region": "prostate", "answer": "yes"})
	if d, codes := f.decision(t, f.p1, ses, "prostate", "massage"); d != "permit" {
		t.Fatalf("prostate: %s %v", d, codes)
	}
	if d, _ := f.decision(t, f.p1, ses, "genitals", "massage"); d != "deny" {
		t.Fatalf("withdrawn genitals: %s", d)
	}
	f.event(t, f.c1, ses, map[string]any{"type": "emotional-release", "intensity": 6, "text": "tears"})
	f.event(t, f.p1, ses, map[string]any{"type": "adverse", "kind": "light-headedness"})
	f.event(t, f.p1, ses, map[string]any{"type": "close", "close": map[string]any{"subjective": "ok", "pain_before": 2, "pain_after": 1}})
	if r := n.must(200, "GET", "/api/v1/follow-ups", f.p1, nil); !bytes.Contains(r.Raw, []byte(`"adverse"`)) ||
		!bytes.Contains(r.Raw, []byte("emotional-release")) {
		t.Fatalf("the follow-up of the session, through the API: %s", r.Raw)
	}
	return ag, ses
}

// revealing lists what no database file may hold in clear: the sensual
// intent, event types and follow-up triggers that reveal health, and the
// code of every region beyond the general ones. They are searched as whole
// words, so that the practice's own settings ("sensual_offered", the scope
// group "internal-vaginal"), which say nothing about anyone, do not count;
// a four-letter code only as a JSON string, since four letters occur by
// chance in sealed bytes.
func revealing() []string {
	words := []string{"sensual", "emotional-release", "adverse", "light-headedness", "checkin", "declined-checkin"}
	for _, r := range catalogue.Regions() {
		if r.Group == catalogue.General {
			continue
		}
		if len(r.Code) < 5 {
			words = append(words, `"`+r.Code+`"`)
			continue
		}
		words = append(words, r.Code)
	}
	return words
}

// wantNothingRevealing fails t for every revealing word in raw, as a whole
// word, outside the text of SQLite's migrations (see schemaLines). It
// searches with bytes.Index and checks the word's edges and the schema
// only where the word is found: a regular expression over the whole
// files, and removing every schema line from them first, took a minute
// under the race detector.
func wantNothingRevealing(t *testing.T, when string, raw []byte) {
	t.Helper()
	// The practice's settings say "sensual_offered" in clear: found, they
	// show the search reads the files the server writes.
	if !bytes.Contains(raw, []byte(`"sensual_offered":true`)) {
		t.Fatalf("%s: the search does not find the practice's settings: it proves nothing", when)
	}
	schema := schemaLines(t)
	for _, w := range revealing() {
		if at := findWord(raw, []byte(w), schema); at >= 0 {
			t.Errorf("%s: the database files hold %q in clear: …%q…", when, w, raw[max(0, at-60):min(len(raw), at+len(w)+60)])
		}
	}
}

// findWord returns where w first occurs in raw as a whole word (not next
// to a letter, digit, '_' or '-') and not inside a copy of one of the
// schema lines, or -1.
func findWord(raw, w []byte, schema [][]byte) int {
	for off := 0; off < len(raw); {
		i := bytes.Index(raw[off:], w)
		if i < 0 {
			return -1
		}
		i += off
		off = i + 1
		if (i > 0 && wordByte(raw[i-1])) || (i+len(w) < len(raw) && wordByte(raw[i+len(w)])) {
			continue
		}
		if !inSchemaLine(raw, i, w, schema) {
			return i
		}
	}
	return -1
}

func wordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_' || b == '-'
}

// inSchemaLine reports whether the w at raw[i:] is part of a copy of one
// of the schema lines.
func inSchemaLine(raw []byte, i int, w []byte, schema [][]byte) bool {
	for _, line := range schema {
		for j := bytes.Index(line, w); j >= 0; {
			if start := i - j; start >= 0 && start+len(line) <= len(raw) && bytes.Equal(raw[start:start+len(line)], line) {
				return true
			}
			next := bytes.Index(line[j+1:], w)
			if next < 0 {
				break
			}
			j += 1 + next
		}
	}
	return false
}

// schemaLines returns the lines of SQLite's migrations: the schema is text
// too, and older copies of it stay in free pages and the WAL after a
// migration rewrites it ("adverse INTEGER", a column 0007 renamed, was
// found once 0017's triggers grew the schema). They are never a client's
// data.
func schemaLines(t *testing.T) [][]byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "sqlite", "migrations", "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("the migrations to leave out of the search: %v", err)
	}
	var out [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range bytes.Split(b, []byte("\n")) {
			if line = bytes.TrimRight(line, " \r"); len(bytes.TrimSpace(line)) >= 8 && !bytes.HasPrefix(bytes.TrimSpace(line), []byte("--")) {
				out = append(out, line)
			}
		}
	}
	return out
}

// TestFindWord: the search behind wantNothingRevealing finds a word alone
// or between quotes, not as part of a longer name, and not inside a copy of
// a schema line — but still when the same word also stands elsewhere.
func TestFindWord(t *testing.T) {
	t.Parallel()
	schema := [][]byte{[]byte("  adverse INTEGER NOT NULL,")}
	for _, tc := range []struct {
		raw  string
		want int
	}{
		{"xx adverse yy", 3},
		{`{"type":"adverse"}`, 9},
		{"adverse", 0},
		{"sub_adverse adverse-x adverse2", -1},
		{"\x00  adverse INTEGER NOT NULL,\x00", -1},
		{"\x00  adverse INTEGER NOT NULL,\x00 adverse", 30},
		{"", -1},
	} {
		if got := findWord([]byte(tc.raw), []byte("adverse"), schema); got != tc.want {
			t.Errorf("findWord(%q) = %d, want %d", tc.raw, got, tc.want)
		}
	}
}
