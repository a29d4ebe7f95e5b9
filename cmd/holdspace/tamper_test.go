package main

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// copyPractice copies a stopped practice (database and key file) into a
// new directory, applies stmts to the copy's database, and returns the
// copy's directory.
func copyPractice(t *testing.T, data string, stmts ...string) string {
	t.Helper()
	dir := t.TempDir()
	db, err := sql.Open("sqlite", filepath.Join(data, "holdspace.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`VACUUM INTO '` + filepath.Join(dir, "holdspace.db") + `'`); err != nil {
		t.Fatal(err)
	}
	cp, err := sql.Open("sqlite", filepath.Join(dir, "holdspace.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	for _, s := range stmts {
		if _, err := cp.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	copyFile(t, filepath.Join(data, "master.key"), filepath.Join(dir, "master.key"))
	return dir
}

// auditSeqOf returns the seq of the last audit entry with the action.
func auditSeqOf(t *testing.T, data, action string) int64 { return auditSeqBy(t, data, "MAX", action) }

// auditSeqBy returns MIN or MAX (agg) of the seqs of the entries with the
// action.
func auditSeqBy(t *testing.T, data, agg, action string) int64 {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(data, "holdspace.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var seq int64
	if err := db.QueryRow(`SELECT `+agg+`(seq) FROM audit WHERE action = ?`, action).Scan(&seq); err != nil {
		t.Fatal(err)
	}
	return seq
}

// TestConsentRecordsUnderChain replays "consent records can be edited
// unseen": deleting or editing a revocation (or another consent record)
// used to pass `audit verify`; a chain cut at its tail did too. Both are
// now reported, the first with the seq of the entry that holds the
// record's hash, the second against the head checkpoints the server wrote.
func TestConsentRecordsUnderChain(t *testing.T) {
	t.Parallel()
	checkpoints := filepath.Join(t.TempDir(), "audit-heads")
	f := newPractice(t, map[string]string{"HOLDSPACE_AUDIT_CHECKPOINT": checkpoints, "HOLDSPACE_AUDIT_CHECKPOINT_INTERVAL": "100ms"})
	f.n.must(201, "POST", "/api/v1/clients/"+f.c1ID+"/screenings", f.c1, map[string]any{"answers": clearAnswers()})
	ag := f.signedAgreement(t, []map[string]string{grant("shoulders", "massage", "yes"), grant("feet", "touch", "yes")})
	ses := f.session(t)
	f.event(t, f.p1, ses, map[string]any{"type": "open"})
	f.event(t, f.c1, ses, map[string]any{"type": "reconfirm", "agreement_id": ag})
	f.event(t, f.p1, ses, map[string]any{"type": "begin"})
	f.n.must(200, "POST", "/api/v1/agreements/"+ag+"/revoke", f.c1, map[string]any{"regions": []string{"shoulders"}})
	if d, codes := f.decision(t, f.p1, ses, "shoulders", "massage"); d != "deny" {
		t.Fatalf("shoulders after revoke: %s %v", d, codes)
	}
	if err := f.n.stop(); err != nil {
		t.Fatal(err)
	}
	data := f.n.data
	verify := func(dir string, extra ...string) (string, error) {
		return runCLI(nil, "", append([]string{"audit", "verify", "--data", dir}, extra...)...)
	}
	out, err := verify(data, "--checkpoint", checkpoints)
	if err != nil {
		t.Fatalf("intact practice: %v %s", err, out)
	}
	if !strings.Contains(out, "consent records checked against their hashes: ") || strings.Contains(out, "hashes: 0;") {
		t.Fatalf("no consent record was checked: %s", out)
	}
	revokeSeq := auditSeqOf(t, data, "agreement.revoke")
	signSeq := auditSeqOf(t, data, "agreement.sign")
	eventSeq := auditSeqBy(t, data, "MIN", "session.event")
	for _, tc := range []struct {
		name, stmt, want string
	}{
		{"RevocationDeleted", "DELETE FROM revocations", fmt.Sprintf("is missing: it does not match the content hash in audit entry seq %d", revokeSeq)},
		{"RevocationEdited", "UPDATE revocations SET regions = '[\"feet\"]'", fmt.Sprintf("is edited: it does not match the content hash in audit entry seq %d", revokeSeq)},
		{"GrantsSwapped", "UPDATE agreements SET valid_until = 1", fmt.Sprintf("audit entry seq %d", signSeq-1)},
		// Which words it was shown in is covered too.
		{"LanguageSwapped", "UPDATE agreements SET language = 'es'", fmt.Sprintf("is edited: it does not match the content hash in audit entry seq %d", signSeq-1)},
		{"EventDeleted", "DELETE FROM session_events", fmt.Sprintf("is missing: it does not match the content hash in audit entry seq %d", eventSeq)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := verify(copyPractice(t, data, tc.stmt))
			if err == nil {
				t.Fatalf("audit verify passed after %s: %s", tc.stmt, out)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not say %q", err, tc.want)
			}
		})
	}
	t.Run("TailTruncated", func(t *testing.T) {
		heads, err := os.ReadFile(checkpoints)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(heads)), "\n")
		if len(lines) < 2 {
			t.Fatalf("checkpoint file has %d lines, want several (at intervals and on shutdown): %q", len(lines), heads)
		}
		last := auditSeqOf(t, data, "decision")
		if !strings.HasPrefix(lines[len(lines)-1], fmt.Sprint(last)+" ") {
			t.Fatalf("the shutdown checkpoint %q is not the head seq %d", lines[len(lines)-1], last)
		}
		cut := copyPractice(t, data, fmt.Sprintf("DELETE FROM audit WHERE seq > %d", last-3))
		if out, err := verify(cut); err != nil {
			t.Fatalf("without a checkpoint a cut tail cannot be seen, but verify failed: %v %s", err, out)
		}
		out, err := verify(cut, "--checkpoint", checkpoints)
		if err == nil || !strings.Contains(err.Error(), "audit chain truncated") || !strings.Contains(err.Error(), fmt.Sprintf("chain ends at seq %d", last-3)) {
			t.Fatalf("truncated tail: %v %s", err, out)
		}
	})
}
