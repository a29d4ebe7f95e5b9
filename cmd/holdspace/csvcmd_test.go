package main

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"holdspace/postgres/pgtest"
)

const csvFixtures = "../../csvio/testdata/"

// exportRows runs `export csv` and returns its rows without the header.
func exportRows(t *testing.T, data, what string) [][]string {
	t.Helper()
	return exportRowsEnv(t, nil, what, "--data", data)
}

func exportRowsEnv(t *testing.T, env map[string]string, what string, db ...string) [][]string {
	t.Helper()
	to := filepath.Join(t.TempDir(), what+".csv")
	if out, err := runCLI(env, "", append([]string{"export", "csv", "--what", what, "--to", to}, db...)...); err != nil {
		t.Fatalf("export %s: %v %s", what, err, out)
	}
	b, err := os.ReadFile(to)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(to); st.Mode().Perm() != 0o600 {
		t.Errorf("export file mode %v, want 0600", st.Mode().Perm())
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\uFEFF")))).ReadAll()
	if err != nil || len(recs) == 0 {
		t.Fatalf("export %s: %v %q", what, err, b)
	}
	return recs[1:]
}

func importCLI(data string, args ...string) (string, error) {
	return runCLI(nil, "", append([]string{"import", "clients", "--data", data, "--quiet"}, args...)...)
}

// TestImportClientsAllOrNothing: a Cliniko export with bad rows imports
// nothing and reports every problem of every bad row (row, field,
// reason); a dry run writes nothing; --skip-bad imports the good rows and
// lists the bad ones; --dates dmy reads an ambiguous date.
func TestImportClientsAllOrNothing(t *testing.T) {
	t.Parallel()
	data := freshData(t)
	addUser(t, data, "admin", "admin@example.test", "Admin One", fixturePassword)
	addUser(t, data, "practitioner", "p1@example.test", "Pat One", fixturePassword)
	bad := csvFixtures + "cliniko_bad.csv"

	out, err := importCLI(data, "--from", "auto", bad)
	if err == nil {
		t.Fatalf("an export with bad rows was imported: %s", out)
	}
	for _, want := range []string{
		"a Cliniko client export, 8 rows",
		"6 rows have problems",
		"row 3: name: A name is required. (required)",
		"row 3: email: This is not a valid email address. (invalid_email)",
		"row 3: birth_date: A date of birth is required. (required)",
		"row 4: birth_date: \"31/02/1980\" is not a real date. (invalid_date)",
		"row 4: email: Row 6 has the same email. (duplicate_in_file)",
		"row 5: birth_date: \"03/04/1990\" reads as 1990-04-03 or 1990-03-04; pass --dates dmy or --dates mdy. (ambiguous_date)",
		"row 6: email: Row 4 has the same email. (duplicate_in_file)",
		"row 7: email: An account of this practice already has this email. (email_taken)",
		"row 8: birth_date: The birth date must be in the past. (invalid_date)",
		"not imported (columns holdspace does not take; health information is asked in holdspace's own screening): Medicare, Unapplied Account Credit",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(err.Error(), "6 of 8 rows have problems; nothing was imported") {
		t.Errorf("error: %v", err)
	}
	if strings.Contains(out, "row 2:") || strings.Contains(out, "row 9:") {
		t.Errorf("good rows reported as bad:\n%s", out)
	}
	if rows := exportRows(t, data, "clients"); len(rows) != 0 {
		t.Fatalf("a refused import wrote %d clients: %v", len(rows), rows)
	}

	out, err = importCLI(data, "--dry-run", "--skip-bad", bad)
	if err != nil || !strings.Contains(out, "dry run: 2 clients would be imported, 6 rows skipped; nothing was written") {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	if rows := exportRows(t, data, "clients"); len(rows) != 0 {
		t.Fatalf("a dry run wrote %d clients", len(rows))
	}

	out, err = importCLI(data, "--skip-bad", "--dates", "dmy", "--assign", "p1@example.test", bad)
	if err != nil || !strings.Contains(out, "imported 3 clients, 5 rows skipped") || !strings.Contains(out, "row 7: email") ||
		strings.Contains(out, "row 5:") {
		t.Fatalf("skip bad: %v\n%s", err, out)
	}
	rows := exportRows(t, data, "clients")
	var names []string
	for _, r := range rows {
		names = append(names, r[1]+" <"+r[2]+">")
		if r[4] != "none" {
			t.Errorf("an imported client has a screening status %q: imported clients take holdspace's own screening", r[4])
		}
	}
	slices.Sort(names)
	want := []string{"Maja Nowak <maja@example.test>", "Quinn Ambig <quinn@example.test>", "Wiktoria Łęcka <wiktoria@example.test>"}
	if !slices.Equal(names, want) {
		t.Fatalf("imported %v, want %v", names, want)
	}

	// An unknown practitioner to assign, a bad flag: usage errors, nothing written.
	if out, err := importCLI(data, "--assign", "nobody@example.test", csvFixtures+"jane_patients.csv"); err == nil || !strings.Contains(out+err.Error(), "No practitioner") {
		t.Fatalf("unknown --assign: %v %s", err, out)
	}
	if _, err := importCLI(data, "--from", "practicebetter", csvFixtures+"jane_patients.csv"); err == nil || exitCode(err) != 2 {
		t.Fatalf("--from practicebetter: %v", err)
	}
	if n := len(exportRows(t, data, "clients")); n != 3 {
		t.Fatalf("%d clients after refused imports, want 3", n)
	}
}

// TestImportJaneAndCliniko imports both vendors' sample exports (BOM,
// semicolons, a cell across lines, Polish and Vietnamese names), then
// reads the clients back through the API: names and emails as written,
// assigned to the practitioner, the vendor's id and preferred name in the
// notes and no health column anywhere. A second import of the same file
// is refused whole.
func TestImportJaneAndCliniko(t *testing.T) {
	t.Parallel()
	data := freshData(t)
	addUser(t, data, "admin", "admin@example.test", "Admin One", fixturePassword)
	pid := addUser(t, data, "practitioner", "p1@example.test", "Pat One", fixturePassword)
	out, err := importCLI(data, csvFixtures+"jane_patients.csv", "--assign", "p1@example.test")
	if err != nil || !strings.Contains(out, "a Jane client export, 4 rows") || !strings.Contains(out, "imported 4 clients, 0 rows skipped") ||
		!strings.Contains(out, "Personal Health Number") {
		t.Fatalf("jane: %v\n%s", err, out)
	}
	out, err = importCLI(data, "--from", "cliniko", csvFixtures+"cliniko_patients.csv")
	if err != nil || !strings.Contains(out, "imported 3 clients") {
		t.Fatalf("cliniko: %v\n%s", err, out)
	}
	out, err = importCLI(data, csvFixtures+"jane_patients.csv")
	if err == nil || strings.Count(out, "(email_taken)") != 4 {
		t.Fatalf("a second import of the same file: %v\n%s", err, out)
	}
	if n := len(exportRows(t, data, "clients")); n != 7 {
		t.Fatalf("%d clients, want 7", n)
	}

	n := start(t, data, nil, "serve")
	admin := n.login("admin@example.test", fixturePassword)
	list := n.must(200, "GET", "/api/v1/clients", admin, nil)
	clients, _ := list.Body["clients"].([]any)
	got := map[string]map[string]any{}
	for _, c := range clients {
		m := c.(map[string]any)
		got[m["email"].(string)] = m
	}
	for email, w := range map[string]struct{ name, birth, notes string }{
		"lukasz.z@example.test":      {"Łukasz Żółkiewski", "1988-03-14", "Imported from Jane (patient id 1001). Preferred name: Łukasz."},
		"minh.nguyen@example.test":   {"Thị Minh Nguyễn", "1992-07-04", "Imported from Jane (patient id 1002). Preferred name: Minh."},
		"anna.kowalska@example.test": {"Anna Kowalska-Wójcik", "1975-11-30", "Imported from Jane (patient id 1003)."},
		"bree@example.test":          {"Brigid O'Neill", "1969-12-25", "Imported from Jane (patient id 1004). Preferred name: Bree."},
		"zofia@example.test":         {"Zofia Brzęczyszczykiewicz", "1980-05-23", "Imported from Cliniko (patient id 204518). Preferred name: Zosia."},
		"duc.tran@example.test":      {"Trần Văn Đức", "1965-01-01", "Imported from Cliniko (patient id 204519)."},
		"chau@example.test":          {"Ngô Bảo Châu", "1972-06-28", "Imported from Cliniko (patient id 204520)."},
	} {
		c := got[email]
		if c == nil {
			t.Errorf("%s was not imported: %s", email, list.Raw)
			continue
		}
		if c["name"] != w.name || c["birth_date"] != w.birth || c["notes"] != w.notes || c["can_log_in"] != false {
			t.Errorf("%s: %v", email, c)
		}
		ids, _ := c["practitioner_ids"].([]any)
		if strings.Contains(w.notes, "Jane") != (len(ids) == 1 && ids[0] == pid) {
			t.Errorf("%s: practitioners %v", email, ids)
		}
	}
	for _, health := range []string{"Lower back pain", "Knee replacement", "side door", "HYPERLINK", "2123 45670"} {
		if strings.Contains(string(list.Raw), health) {
			t.Errorf("the export's %q was imported", health)
		}
	}
	audit := n.must(200, "GET", "/api/v1/audit", admin, nil)
	if !strings.Contains(string(audit.Raw), "source=jane rows=4 imported=4 skipped=0") || !strings.Contains(string(audit.Raw), "source=cliniko rows=3 imported=3 skipped=0") {
		t.Errorf("import audit: %s", audit.Raw)
	}
}

// csvTable parses a CSV download and returns its rows by their first cell.
func csvTable(t *testing.T, r response, header string) map[string][]string {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" || r.Header.Get("Cache-Control") != "no-store" ||
		!strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment; filename=\"holdspace-") {
		t.Fatalf("headers: %v", r.Header)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(r.Raw, []byte("\uFEFF")))).ReadAll()
	if err != nil || len(recs) == 0 {
		t.Fatalf("csv: %v %q", err, r.Raw)
	}
	if got := strings.Join(recs[0], ","); got != header {
		t.Fatalf("header %q, want %q", got, header)
	}
	out := map[string][]string{}
	for _, rec := range recs[1:] {
		out[rec[0]] = rec
	}
	return out
}

// TestExportCSV: the admin downloads clients, sessions and outcomes as
// CSV with what each holds (screening status, how a session ended, stops,
// check-ins, emotional release, follow-up, scores); a name that is a
// formula is written as text; each download is one audit entry naming the
// table and its clients; no one else may download.
func TestExportCSV(t *testing.T) {
	t.Parallel()
	f := newPractice(t, nil)
	n := f.n
	evil := n.must(201, "POST", "/api/v1/clients", f.admin, map[string]any{"name": `=HYPERLINK("http://evil.example","x")`, "email": "evil@example.test",
		"birth_date": "1990-01-01", "practitioner_ids": []string{f.p1ID}}).str("id")
	n.must(201, "POST", "/api/v1/clients/"+f.c1ID+"/screenings", f.c1, map[string]any{"answers": clearAnswers()})
	f.signedAgreement(t, []map[string]string{grant("shoulders", "massage", "yes"), grant("upper-back", "massage", "yes")})
	ses := f.inProgress(t, "therapeutic")
	f.event(t, f.p1, ses, map[string]any{"type": "checkin", "region": "shoulders", "answer": "yes"})
	f.event(t, f.c1, ses, map[string]any{"type": "checkin", "region": "upper-back", "answer": "no"})
	f.event(t, f.c1, ses, map[string]any{"type": "stop"})
	f.event(t, f.c1, ses, map[string]any{"type": "resume"})
	f.event(t, f.c1, ses, map[string]any{"type": "emotional-release", "intensity": 4, "text": "tears"})
	f.event(t, f.p1, ses, map[string]any{"type": "close", "close": map[string]any{"subjective": "ok", "pain_before": 6, "pain_after": 3,
		"tension_before": 7, "tension_after": 4}})
	cancelled := n.must(201, "POST", "/api/v1/sessions", f.p1, map[string]any{"client_id": f.c1ID, "practitioner_id": f.p1ID,
		"intent": "therapeutic", "starts_at": "2030-01-02T10:00:00Z", "duration_minutes": 90}).str("id")
	f.event(t, f.c1, cancelled, map[string]any{"type": "cancel"})

	clients := csvTable(t, n.must(200, "GET", "/api/v1/export/clients.csv", f.admin, nil),
		"id,name,email,created_at,screening_status,screening_stale_reason,screening_valid_until")
	if c := clients[f.c1ID]; len(c) != 7 || c[1] != "Casey Client" || c[2] != "c1@example.test" || c[4] != "current" || c[6] == "" || c[3] == "" {
		t.Errorf("c1: %q", c)
	}
	if c := clients[f.c2ID]; c[1] != "Dana Client" || c[4] != "none" || c[6] != "" {
		t.Errorf("c2: %q", c)
	}
	if c := clients[evil]; c[1] != `'=HYPERLINK("http://evil.example","x")` {
		t.Errorf("a formula name is not guarded: %q", c)
	}
	sessions := csvTable(t, n.must(200, "GET", "/api/v1/export/sessions.csv", f.admin, nil),
		"id,client_id,practitioner_id,starts_at,duration_minutes,state,ended,ended_for")
	if s := sessions[ses]; len(s) != 8 || s[1] != f.c1ID || s[2] != f.p1ID || s[4] != "60" || s[5] != "closed" || s[6] != "closed" || s[7] != "" {
		t.Errorf("closed session: %q", s)
	}
	if s := sessions[cancelled]; s[3] != "2030-01-02T10:00:00Z" || s[4] != "90" || s[5] != "cancelled" || s[6] != "cancelled-by-client" {
		t.Errorf("cancelled session: %q", s)
	}
	outcomes := csvTable(t, n.must(200, "GET", "/api/v1/export/outcomes.csv", f.admin, nil),
		"session_id,client_id,practitioner_id,starts_at,state,ended,stops,checkins,checkins_declined,emotional_release,adverse_event,follow_up,follow_up_triggers,pain_before,pain_after,tension_before,tension_after")
	if len(outcomes) != 2 {
		t.Errorf("outcomes of %d sessions, want the 2 that are over: %v", len(outcomes), outcomes)
	}
	if o := outcomes[ses]; strings.Join(o[4:], ",") != "closed,closed,1,2,1,yes,no,due,emotional-release stop checkin-declined,6,3,7,4" {
		t.Errorf("outcome: %q", o)
	}
	if o := outcomes[cancelled]; strings.Join(o[4:], ",") != "cancelled,cancelled-by-client,0,0,0,no,no,none,,,,," {
		t.Errorf("outcome of the cancelled session: %q", o)
	}

	for _, who := range []string{f.p1, f.c1} {
		if r := n.call("GET", "/api/v1/export/clients.csv", who, nil); r.Status != 403 || r.errCode() == "" {
			t.Errorf("a non-admin export: %d %s", r.Status, r.Raw)
		}
	}
	if r := n.call("GET", "/api/v1/export/agreements.csv", f.admin, nil); r.Status != 400 || r.errCode() == "" {
		t.Errorf("unknown table: %d %s", r.Status, r.Raw)
	}
	if r := n.call("GET", "/api/v1/export/clients.json", f.admin, nil); r.Status != 404 {
		t.Errorf("not .csv: %d %s", r.Status, r.Raw)
	}
	audit := string(n.must(200, "GET", "/api/v1/audit?order=newest&limit=50", f.admin, nil).Raw)
	ids := []string{f.c1ID, f.c2ID, evil}
	slices.Sort(ids)
	for _, want := range []string{"what=clients rows=3 clients=" + strings.Join(ids, ","), "what=sessions rows=2 clients=" + f.c1ID,
		"what=outcomes rows=2 clients=" + f.c1ID} {
		if strings.Count(audit, want) != 1 {
			t.Errorf("audit has not one %q:\n%s", want, audit)
		}
	}
}

// TestImportClientsPostgres: the same guarantees on PostgreSQL, with the
// progress bar on standard error.
func TestImportClientsPostgres(t *testing.T) {
	t.Parallel()
	env := map[string]string{"HOLDSPACE_DATABASE": pgtest.FreshURL(t), "HOLDSPACE_MASTER_KEY_FILE": t.TempDir() + "/master.key", "HOLDSPACE_INIT": "1"}
	for _, u := range [][]string{{"admin", "admin@example.test"}, {"practitioner", "p1@example.test"}} {
		if out, err := runCLI(env, fixturePassword+"\n", "user", "add", "--role", u[0], "--email", u[1], "--name", "Some One", "--password-stdin"); err != nil {
			t.Fatalf("user add: %v %s", err, out)
		}
	}
	imp := func(args ...string) (string, error) {
		return runCLI(env, "", append([]string{"import", "clients"}, args...)...)
	}
	if out, err := imp("--quiet", csvFixtures+"cliniko_bad.csv"); err == nil || !strings.Contains(out, "row 7: email: An account of this practice already has this email.") {
		t.Fatalf("bad rows: %v\n%s", err, out)
	}
	if n := len(exportRowsEnv(t, env, "clients")); n != 0 {
		t.Fatalf("a refused import wrote %d clients", n)
	}
	out, err := imp(csvFixtures+"jane_patients.csv", "--assign", "p1@example.test")
	if err != nil || !strings.Contains(out, "imported 4 clients") || !strings.Contains(out, "importing clients") || !strings.Contains(out, "4/4") {
		t.Fatalf("jane with a progress bar: %v\n%s", err, out)
	}
	if out, err := imp("--quiet", "--skip-bad", "--dates", "dmy", csvFixtures+"cliniko_bad.csv"); err != nil || !strings.Contains(out, "imported 3 clients, 5 rows skipped") {
		t.Fatalf("skip bad: %v\n%s", err, out)
	}
	rows := exportRowsEnv(t, env, "clients")
	var names []string
	for _, r := range rows {
		names = append(names, r[1])
	}
	if len(rows) != 7 || !slices.Contains(names, "Thị Minh Nguyễn") || !slices.Contains(names, "Wiktoria Łęcka") {
		t.Fatalf("clients: %v", names)
	}
}
