package main

import (
	"bytes"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

// clientTraces reads, from a practice's database, every sealed value, blind
// index and audit salt that belongs to the client, and the audit details
// that name them: what a raw search must not find after erasure.
func clientTraces(t *testing.T, data, clientID string) (blobs [][]byte, texts []string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(data, "holdspace.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	queries := []string{
		`SELECT email_index FROM users WHERE id = $1`, `SELECT email_sealed FROM users WHERE id = $1`, `SELECT name_sealed FROM users WHERE id = $1`,
		`SELECT birth_date_sealed FROM clients WHERE id = $1`, `SELECT anatomy_sealed FROM clients WHERE id = $1`,
		`SELECT answers_sealed FROM screenings WHERE client_id = $1`, `SELECT result_sealed FROM screenings WHERE client_id = $1`,
		`SELECT grants_sealed FROM agreements WHERE client_id = $1`,
		`SELECT sealed FROM session_events WHERE session_id IN (SELECT id FROM sessions WHERE client_id = $1)`,
		`SELECT key_sealed FROM client_keys WHERE id = $1`,
	}
	for _, q := range queries {
		rows, err := db.Query(q, clientID)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		for rows.Next() {
			var b []byte
			if err := rows.Scan(&b); err != nil {
				t.Fatal(err)
			}
			if len(b) > 0 {
				blobs = append(blobs, b)
			}
		}
		rows.Close()
	}
	rows, err := db.Query(`SELECT salt, detail FROM audit WHERE client_id = $1 AND detail <> ''`, clientID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var salt, detail string
		if err := rows.Scan(&salt, &detail); err != nil {
			t.Fatal(err)
		}
		texts = append(texts, salt)
		if strings.HasPrefix(detail, "sealed:") {
			texts = append(texts, detail)
		}
	}
	return blobs, texts
}

// TestErasureErases replays "erasure leaves traces": after DELETE
// /clients/{id} the audit rows said outcome, region and reasons, and the
// sealed name stayed in the WAL. Now a raw search of the database files,
// while the server still runs, finds nothing of the client: no sealed
// value, no blind index, no data key, no audit body; the audit chain still
// verifies, with the client's entries reduced to tombstones.
func TestErasureErases(t *testing.T) {
	t.Parallel()
	f := newPractice(t, nil)
	n := f.n
	f.intimateSession(t)
	answers := clearAnswers()
	answers["prostatitis-symptoms"] = true
	n.must(201, "POST", "/api/v1/clients/"+f.c1ID+"/screenings", f.c1, map[string]any{"answers": answers})
	ag := f.signedAgreement(t, []map[string]string{grant("prostate", "massage", "yes"), grant("shoulders", "massage", "yes")})
	ses := f.session(t)
	f.event(t, f.p1, ses, map[string]any{"type": "open"})
	f.event(t, f.c1, ses, map[string]any{"type": "reconfirm", "agreement_id": ag})
	f.event(t, f.p1, ses, map[string]any{"type": "chaperone", "chaperone": map[string]any{"offered": true, "accepted": true, "name": "Chris Chaperone"}})
	f.event(t, f.p1, ses, map[string]any{"type": "begin"})
	for range 3 {
		if d, codes := f.decision(t, f.p1, ses, "prostate", "massage"); d != "deny" {
			t.Fatalf("prostate with prostatitis symptoms: %s %v", d, codes)
		}
	}
	f.n.must(200, "POST", "/api/v1/agreements/"+ag+"/revoke", f.c1, map[string]any{"regions": []string{"shoulders"}})
	// The other client's record stays whole.
	a2 := clearAnswers()
	a2["pregnant"] = false
	n.must(201, "POST", "/api/v1/clients/"+f.c2ID+"/screenings", f.c2, map[string]any{"answers": a2})

	blobs, texts := clientTraces(t, n.data, f.c1ID)
	if len(blobs) < 10 || len(texts) < 10 {
		t.Fatalf("found only %d sealed values and %d audit traces of the client before erasure", len(blobs), len(texts))
	}
	raw := readAll(t, dbFiles(t, n.data))
	if !bytes.Contains(raw, blobs[0][len(blobs[0])-16:]) || !bytes.Contains(raw, []byte(texts[len(texts)-1])) {
		t.Fatal("the search cannot find the client's traces even before erasure: it proves nothing")
	}
	wantNothingRevealing(t, "before erasure", raw)
	// Audit details are sealed under the client's key from the start: no
	// region, outcome, reason or intent in clear.
	for _, needle := range []string{"region=prostate", "reasons=contraindicated", "outcome=deny", "intent=therapeutic", "decision.deny"} {
		if bytes.Contains(raw, []byte(needle)) {
			t.Errorf("the database files hold %q in clear", needle)
		}
	}

	n.must(204, "DELETE", "/api/v1/clients/"+f.c1ID, f.admin, nil)

	raw = readAll(t, dbFiles(t, n.data))
	wantNothingRevealing(t, "after erasure", raw)
	for _, needle := range []string{"Casey Client", "c1@example.test", "Chris Chaperone", "region=prostate", "contraindicated", "1985-05-05"} {
		if bytes.Contains(raw, []byte(needle)) {
			t.Errorf("the database files still hold %q after erasure", needle)
		}
	}
	for i, b := range blobs {
		if bytes.Contains(raw, b[len(b)-16:]) {
			t.Errorf("the database files still hold sealed value %d of the client (%d bytes)", i, len(b))
		}
	}
	for _, s := range texts {
		if bytes.Contains(raw, []byte(s)) {
			t.Errorf("the database files still hold the audit trace %q", s)
		}
	}
	// The chain verifies, with tombstones.
	out, err := runCLI(nil, "", "audit", "verify", "--data", n.data)
	if err != nil || !strings.Contains(out, "entries redacted by erasure: ") || strings.Contains(out, "erasure: 0\n") {
		t.Fatalf("audit verify after erasure: %v %s", err, out)
	}
	r := n.must(200, "GET", "/api/v1/audit?client_id="+f.c1ID, f.admin, nil)
	if strings.Contains(string(r.Raw), "decision.") || strings.Contains(string(r.Raw), "region=") || !strings.Contains(string(r.Raw), `"redacted"`) ||
		!strings.Contains(string(r.Raw), "client.erased") {
		t.Fatalf("audit of the erased client: %s", r.Raw)
	}
	if v := n.must(200, "GET", "/api/v1/clients/"+f.c2ID, f.admin, nil); v.str("name") != "Dana Client" {
		t.Fatalf("the other client: %s", v.Raw)
	}
}
