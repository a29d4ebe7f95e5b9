package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// auditCount returns the number of audit entries, via `holdspace audit
// verify`, which also proves the chain intact.
func auditCount(t *testing.T, data string) int {
	t.Helper()
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"audit", "verify", "--data", data}, testEnv(nil), nil, &out, &errb); err != nil {
		t.Fatalf("audit verify: %v %s", err, errb.String())
	}
	m := regexp.MustCompile(`(\d+) entries`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("audit verify said %q", out.String())
	}
	c, _ := strconv.Atoi(m[1])
	return c
}

// TestEncryptionAtRest writes known sensitive strings through the API and
// then searches the raw database files, WAL included, for them.
func TestEncryptionAtRest(t *testing.T) {
	t.Parallel()
	f := newPractice(t, map[string]string{"HOLDSPACE_LOG_LEVEL": "debug", "HOLDSPACE_LOG_FORMAT": "json"})
	n := f.n
	secrets := map[string]string{
		"name":      "Quentin Zephyrine-Sensitive",
		"email":     "quentin.zephyrine@example.test",
		"notes":     "prefers-low-light-Xyloquartz",
		"birth":     "1977-07-17",
		"freetext":  "screening note Vorpalwhisk",
		"health":    "health change Glimmerbrook",
		"emotional": "tears and release Thistlemarrow",
		"chaperone": "Chaperone Name Brindlewick",
		"soap":      "subjective SOAP Quillfeather",
		"aftercare": "aftercare plan Moonwhistle",
		"typedname": "Quentin Zephyrine-Sensitive",
		"clearedby": "Dr Albrecht Vellacourt",
		"clearnote": "PSA normal Wintergreave",
		"rule":      "prostate-cancer-referral",
	}
	// An admin sets the first password (a practitioner may not, issue 13).
	id := n.must(201, "POST", "/api/v1/clients", f.admin, map[string]any{"name": secrets["name"], "email": secrets["email"],
		"password": fixturePassword, "birth_date": secrets["birth"], "notes": secrets["notes"],
		"anatomy": map[string]bool{"prostate": true}, "practitioner_ids": []string{f.p1ID}}).str("id")
	tok := n.login(secrets["email"], fixturePassword)
	ans := clearAnswers()
	ans["other-notes"] = secrets["freetext"]
	ans["trauma-history"] = "yes"
	ans["prostate-cancer"] = true
	n.must(201, "POST", "/api/v1/clients/"+id+"/screenings", tok, map[string]any{"answers": ans})
	// A clearance's rule names a condition; it is sealed too.
	n.must(201, "POST", "/api/v1/clients/"+id+"/clearances", f.p1, map[string]string{"rule": "prostate-cancer-referral",
		"cleared_by": secrets["clearedby"], "cleared_on": "2026-11-01", "note": secrets["clearnote"]})
	ag := n.must(201, "POST", "/api/v1/clients/"+id+"/agreements", f.p1, map[string]any{"intent": "therapeutic",
		"grants": []map[string]string{grant("shoulders", "massage", "yes")}}).str("id")
	n.must(200, "POST", "/api/v1/agreements/"+ag+"/sign", f.p1, map[string]any{"in_person": true, "client_typed_name": secrets["typedname"]})
	ses := n.must(201, "POST", "/api/v1/sessions", f.p1, map[string]any{"client_id": id, "intent": "therapeutic", "starts_at": time.Now().UTC().Format(time.RFC3339)}).str("id")
	for _, ev := range []map[string]any{
		{"type": "open"}, {"type": "reconfirm"},
		{"type": "chaperone", "chaperone": map[string]any{"offered": true, "accepted": true, "name": secrets["chaperone"]}},
		{"type": "begin"},
		{"type": "emotional-release", "intensity": 7, "text": secrets["emotional"]},
		{"type": "close", "close": map[string]any{"subjective": secrets["soap"], "aftercare": secrets["aftercare"], "pain_before": 6, "pain_after": 2}},
	} {
		by := f.p1
		if ev["type"] == "reconfirm" {
			by = tok
		}
		n.must(201, "POST", "/api/v1/sessions/"+ses+"/events", by, ev)
	}
	n.must(201, "POST", "/api/v1/clients/"+id+"/health-changes", tok, map[string]string{"note": secrets["health"]})
	// A sensual session with prostate work, check-ins, emotional release
	// and an adverse event: its intent, regions and event types are sealed.
	f.intimateSession(t)

	// The data is really there, readable through the API…
	x := n.must(200, "GET", "/api/v1/clients/"+id+"/export", tok, nil)
	for k, v := range secrets {
		if !bytes.Contains(x.Raw, []byte(v)) && k != "typedname" {
			t.Errorf("export lacks %s", k)
		}
	}
	// …and never in clear in the files, while running and after shutdown.
	check := func(when string) {
		raw := readAll(t, dbFiles(t, n.data))
		wantNothingRevealing(t, when, raw)
		lower := bytes.ToLower(raw)
		for k, v := range secrets {
			if bytes.Contains(raw, []byte(v)) || bytes.Contains(lower, bytes.ToLower([]byte(v))) {
				t.Errorf("%s: %s found in clear in the database files", when, k)
			}
		}
	}
	check("running")
	if err := n.stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	check("stopped")
	// The logs, at their most verbose, hold ids and routes only.
	logs := n.stderr.String()
	if !strings.Contains(logs, `"route":"POST /api/v1/sessions/{id}/events"`) {
		t.Fatalf("no request log lines to check:\n%.500s", logs)
	}
	for k, v := range secrets {
		if strings.Contains(strings.ToLower(logs), strings.ToLower(v)) {
			t.Errorf("the logs hold the %s", k)
		}
	}
}

// TestAuditVerify proves that `holdspace audit verify` passes on an intact
// chain and names the first bad seq when a row is altered, removed or
// inserted in the database file.
func TestAuditVerify(t *testing.T) {
	t.Parallel()
	f := newPractice(t, nil)
	f.n.must(200, "GET", "/api/v1/clients/"+f.c1ID, f.p1, nil)
	if err := f.n.stop(); err != nil {
		t.Fatal(err)
	}
	data := f.n.data
	total := auditCount(t, data)
	if total < 10 {
		t.Fatalf("only %d audit entries", total)
	}
	src := filepath.Join(data, "holdspace.db")
	tamper := func(t *testing.T, stmt string) (string, error) {
		dir := t.TempDir()
		// Copy the practice (database and key) and tamper with the copy.
		var out, errb bytes.Buffer
		db, err := sql.Open("sqlite", src)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`VACUUM INTO '` + filepath.Join(dir, "holdspace.db") + `'`); err != nil {
			t.Fatal(err)
		}
		db.Close()
		cp, err := sql.Open("sqlite", filepath.Join(dir, "holdspace.db"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cp.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
		cp.Close()
		copyFile(t, filepath.Join(data, "master.key"), filepath.Join(dir, "master.key"))
		err = run(context.Background(), []string{"audit", "verify", "--data", dir}, testEnv(nil), nil, &out, &errb)
		return out.String(), err
	}
	t.Run("Intact", func(t *testing.T) {
		if _, err := tamper(t, "SELECT 1"); err != nil {
			t.Fatalf("intact chain failed: %v", err)
		}
	})
	for _, tc := range []struct {
		name, stmt string
		seq        int
	}{
		{"Altered", "UPDATE audit SET action = 'client.read.forged' WHERE seq = 5", 5},
		{"AlteredActor", "UPDATE audit SET actor = 'someone-else' WHERE seq = 7", 7},
		{"Removed", "DELETE FROM audit WHERE seq = 6", 7},
		{"Inserted", "UPDATE audit SET seq = seq + 1000 WHERE seq >= 4; INSERT INTO audit SELECT 4, at, actor, 'forged', target, client_id, detail, prev_hash, hash, content, salt, body_hash FROM audit WHERE seq = 1003; UPDATE audit SET seq = seq - 999 WHERE seq >= 1004", 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tamper(t, tc.stmt)
			if err == nil {
				t.Fatal("audit verify passed a tampered chain")
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("seq %d", tc.seq)) {
				t.Fatalf("error does not name seq %d: %v", tc.seq, err)
			}
		})
	}
}
