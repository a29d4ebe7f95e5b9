package csvio

import (
	"bytes"
	"encoding/csv"
	"os"
	"slices"
	"strings"
	"testing"
)

func readFile(t *testing.T, name string, opt Options) Result {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := Read(f, opt)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return res
}

// TestReadJane: a Jane patient list with a byte order mark, CRLF, a quoted
// cell across two lines, Polish and Vietnamese names, and a month-name date
// and a US date, is told from its header and read row by row; the health
// and billing columns are listed as not imported.
func TestReadJane(t *testing.T) {
	res := readFile(t, "jane_patients.csv", Options{})
	if res.Vendor != Jane || res.Delimiter != ',' {
		t.Fatalf("vendor %q delimiter %q", res.Vendor, res.Delimiter)
	}
	want := []Row{
		{Line: 2, Name: "Łukasz Żółkiewski", Email: "lukasz.z@example.test", BirthDate: "1988-03-14", Preferred: "Łukasz", VendorID: "1001"},
		{Line: 3, Name: "Thị Minh Nguyễn", Email: "minh.nguyen@example.test", BirthDate: "1992-07-04", Preferred: "Minh", VendorID: "1002"},
		{Line: 4, Name: "Anna Kowalska-Wójcik", Email: "Anna.Kowalska@example.test", BirthDate: "1975-11-30", VendorID: "1003"},
		{Line: 5, Name: "Brigid O'Neill", Email: "bree@example.test", BirthDate: "1969-12-25", Preferred: "Bree", VendorID: "1004"},
	}
	if len(res.Rows) != len(want) {
		t.Fatalf("%d rows: %+v", len(res.Rows), res.Rows)
	}
	for i, w := range want {
		if g := res.Rows[i]; g.Line != w.Line || g.Name != w.Name || g.Email != w.Email || g.BirthDate != w.BirthDate ||
			g.Preferred != w.Preferred || g.VendorID != w.VendorID || len(g.Problems) != 0 {
			t.Errorf("row %d: got %+v, want %+v", i, g, w)
		}
	}
	for _, col := range []string{"Notes", "Personal Health Number", "Patient Balance", "Mobile Phone", "Pronouns"} {
		if !slices.Contains(res.Ignored, col) {
			t.Errorf("%q not listed as ignored: %v", col, res.Ignored)
		}
	}
}

// TestReadCliniko: a Cliniko patient export separated by semicolons, with
// day-first dates, is told from its header.
func TestReadCliniko(t *testing.T) {
	res := readFile(t, "cliniko_patients.csv", Options{From: ""})
	if res.Vendor != Cliniko || res.Delimiter != ';' {
		t.Fatalf("vendor %q delimiter %q", res.Vendor, res.Delimiter)
	}
	if len(res.Rows) != 3 {
		t.Fatalf("%d rows: %+v", len(res.Rows), res.Rows)
	}
	r := res.Rows[0]
	if r.Name != "Zofia Brzęczyszczykiewicz" || r.BirthDate != "1980-05-23" || r.Preferred != "Zosia" || r.VendorID != "204518" {
		t.Errorf("row 2: %+v", r)
	}
	if r := res.Rows[1]; r.Name != "Trần Văn Đức" || r.BirthDate != "1965-01-01" || r.Line != 3 {
		t.Errorf("row 3: %+v", r)
	}
	// The record before it spans lines 3 and 4 of the file; rows are
	// numbered as a spreadsheet shows them.
	if r := res.Rows[2]; r.Line != 4 || r.Name != "Ngô Bảo Châu" || r.BirthDate != "1972-06-28" {
		t.Errorf("row 4: %+v", r)
	}
	if !slices.Contains(res.Ignored, "Appointment Notes") || !slices.Contains(res.Ignored, "Medicare") {
		t.Errorf("ignored: %v", res.Ignored)
	}
}

// TestReadBadRows: date problems are the rows' own; an ambiguous date
// reads with an order.
func TestReadBadRows(t *testing.T) {
	res := readFile(t, "cliniko_bad.csv", Options{})
	reasons := map[int]string{}
	for _, r := range res.Rows {
		for _, p := range r.Problems {
			reasons[r.Line] += p.Reason
		}
	}
	if reasons[4] != "invalid_date" || reasons[5] != "ambiguous_date" || len(reasons) != 2 {
		t.Fatalf("problems: %v", reasons)
	}
	res = readFile(t, "cliniko_bad.csv", Options{Dates: DMY})
	if r := res.Rows[3]; r.BirthDate != "1990-04-03" || len(r.Problems) != 0 {
		t.Fatalf("03/04/1990 as DMY: %+v", r)
	}
}

func TestReadFileErrors(t *testing.T) {
	for _, c := range []struct {
		name, data string
		opt        Options
		want       string
	}{
		{"empty", "", Options{}, "empty"},
		{"generic header", "First Name,Last Name,Email,Date of Birth\nA,B,a@example.test,1990-01-01\n", Options{}, "cannot tell"},
		{"generic header, told", "first_name,last_name,email,date_of_birth\nA,B,a@example.test,1990-01-01\n", Options{From: Cliniko}, ""},
		{"missing columns", "Patient ID,First Name,Medicare\n1,A,x\n", Options{}, "no column for last name, email, date of birth"},
		{"two email columns", "Patient ID,First Name,Last Name,Email,E-mail,DOB\n", Options{}, "two columns for email"},
		{"utf-16", "\xff\xfeP\x00", Options{}, "UTF-16"},
		{"latin-1", "Patient ID,First Name,Last Name,Email,DOB\n1,\xc5ukasz,B,a@example.test,1990-01-01\n", Options{}, "not UTF-8"},
		{"bare quote", "Patient ID,First Name,Last Name,Email,DOB\n1,\"A\"x,B,a@example.test,1990-01-01\n", Options{}, "row 2"},
		{"unknown vendor", "x\n", Options{From: "practicebetter"}, "unknown export format"},
	} {
		_, err := Read(strings.NewReader(c.data), c.opt)
		if c.want == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
	}
}

func TestHeaderVariants(t *testing.T) {
	data := "\ufeff\" PATIENT_ID \";first-name;LAST NAME;e-mail;Birth Date;Medicare\n7;Ewa;Nowak;ewa@example.test;5 March 1970;\n\n"
	res, err := Read(strings.NewReader(data), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Vendor != Cliniko || len(res.Rows) != 1 || res.Rows[0].Name != "Ewa Nowak" || res.Rows[0].BirthDate != "1970-03-05" || res.Rows[0].VendorID != "7" {
		t.Fatalf("%+v", res)
	}
}

func TestParseDate(t *testing.T) {
	for _, c := range []struct {
		in     string
		order  DateOrder
		want   string
		reason string
	}{
		{"1990-04-03", "", "1990-04-03", ""},
		{"1990-04-03T00:00:00Z", "", "1990-04-03", ""},
		{"1990-04-03 00:00:00", "", "1990-04-03", ""},
		{"July 4, 1992", "", "1992-07-04", ""},
		{"4 Jul 1992", "", "1992-07-04", ""},
		{"25/12/1969", "", "1969-12-25", ""},
		{"12/25/1969", "", "1969-12-25", ""},
		{"03/04/1990", "", "", "ambiguous_date"},
		{"03/04/1990", DMY, "1990-04-03", ""},
		{"03/04/1990", MDY, "1990-03-04", ""},
		{"04/04/1990", "", "1990-04-04", ""},
		{"31/02/1980", "", "", "invalid_date"},
		{"25/12/1969", MDY, "", "invalid_date"},
		{"25.12.1969", "", "1969-12-25", ""},
		{"yesterday", "", "", "invalid_date"},
		{"1/2/90", "", "", "invalid_date"},
	} {
		got, reason, _ := ParseDate(c.in, c.order)
		if got != c.want || reason != c.reason {
			t.Errorf("ParseDate(%q, %q) = %q %q, want %q %q", c.in, c.order, got, reason, c.want, c.reason)
		}
	}
}

// TestWriteGuardsFormulas: a cell a spreadsheet would run as a formula is
// written as text; others are unchanged, and the CSV reads back.
func TestWriteGuardsFormulas(t *testing.T) {
	cells := []string{"=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", "=HYPERLINK(\"http://x\",\"y\")", "Anna", "", "a=b", "Łukasz Nguyễn 李", "multi\nline"}
	var b bytes.Buffer
	if err := Write(&b, []string{"cell", "end"}, func() [][]string {
		var rows [][]string
		for _, c := range cells {
			rows = append(rows, []string{c, "end"})
		}
		return rows
	}()); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b.Bytes(), []byte("\uFEFFcell,end\r\n")) {
		t.Fatalf("no BOM or header: %q", b.String()[:12])
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b.Bytes(), []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"'=1+1", "'+SUM(A1)", "'-2+3", "'@cmd", "'\tx", "'\rx", "'=HYPERLINK(\"http://x\",\"y\")", "Anna", "", "a=b", "Łukasz Nguyễn 李", "multi\nline"}
	for i, w := range want {
		got := recs[i+1][0]
		if w == "'\rx" {
			// encoding/csv turns a quoted \r\n or \r into \n on reading.
			if !strings.HasPrefix(got, "'") {
				t.Errorf("cell %d: %q", i, got)
			}
			continue
		}
		if got != w {
			t.Errorf("cell %d: got %q, want %q", i, got, w)
		}
	}
}
