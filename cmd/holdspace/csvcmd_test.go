package main

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const csvFixtures = "../../csvio/testdata/"

// exportRows runs `export csv` and returns its rows without the header.
func exportRows(t *testing.T, data, what string) [][]string {
	t.Helper()
	to := filepath.Join(t.TempDir(), what+".csv")
	if out, err := runCLI(nil, "", "export", "csv", "--data", data, "--what", what, "--to", to); err != nil {
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
	data := t.TempDir()
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
	data := t.TempDir()
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
	audit := n.must(200, "GET", "/api/v1/audit?action=client.import", admin, nil)
	if !strings.Contains(string(audit.Raw), "source=jane rows=4 imported=4 skipped=0") || !strings.Contains(string(audit.Raw), "source=cliniko rows=3 imported=3 skipped=0") {
		t.Errorf("import audit: %s", audit.Raw)
	}
}
