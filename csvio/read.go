// Package csvio reads the client lists other practice systems export (Jane
// and Cliniko) and writes CSV for a practice's own analysis, with every cell
// guarded against formula injection. It is pure: it knows column names and
// date layouts, not holdspace's rules, which package app applies.
package csvio

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Vendor names the system that wrote an export.
type Vendor string

const (
	Jane    Vendor = "jane"
	Cliniko Vendor = "cliniko"
)

// Vendors lists the systems whose exports Read understands.
var Vendors = []Vendor{Jane, Cliniko}

// field is a holdspace client field a column maps to.
type field int

const (
	fFirst field = iota
	fLast
	fPreferred
	fEmail
	fBirth
	fVendorID
	fFull
	nFields
)

// Column names. Headers are compared after normalize (lower case, BOM and
// punctuation dropped, runs of space, underscore and hyphen as one space),
// so "Date of Birth", "date_of_birth" and " DATE-OF-BIRTH " are one name.
//
// Cliniko: the patient export (Settings > Data exports > Patients) is a CSV
// named like Patients-Cliniko-20180123.csv whose columns are the patient
// record's fields in words (help.cliniko.com, "See which patients have
// account credit", which names the column "Unapplied Account Credit"); the
// fields are those of the Patient resource of Cliniko's API reference
// (docs.api.cliniko.com/openapi/reference/tag/Patient): id, first_name,
// last_name, preferred_first_name, date_of_birth, email, gender_identity,
// medicare, dva_card_number, appointment_notes, … The exact header text of
// the CSV was not reachable from here, so both spellings ("First Name" and
// "first_name") are accepted.
//
// Jane: the Patient List report (Jane's guide: "Importing from another Jane
// account" asks for the Patient List; a Jane-to-Jane transfer carries
// "First and Last Name, Phone Numbers, Email Address, Health Number, Date of
// Birth"; reports list patients by "patient number"). Jane's guide shows no
// header row either; the names below are the ones its guides use, with the
// common variants.
var (
	common = map[field][]string{
		fFirst: {"first name", "firstname", "given name", "first"},
		fLast:  {"last name", "lastname", "surname", "family name", "last"},
		fEmail: {"email", "email address", "e mail", "e mail address", "primary email"},
		fBirth: {"date of birth", "birth date", "birthdate", "dob", "birthday"},
		// An export with one name column instead of two.
		fFull: {"name", "full name", "patient name", "client name"},
	}
	vendorColumns = map[Vendor]map[field][]string{
		Jane: {
			fPreferred: {"preferred name", "preferred first name"},
			fVendorID:  {"patient number", "patient no", "patient id", "id"},
		},
		Cliniko: {
			fPreferred: {"preferred first name", "preferred name"},
			fVendorID:  {"patient id", "id", "patient number"},
		},
	}
	// distinctive are the headers that tell one vendor's export from the
	// other's when --from is auto.
	distinctive = map[Vendor][]string{
		Jane: {"preferred name", "patient number", "health number", "personal health number",
			"pronouns", "mailing address", "patient balance"},
		Cliniko: {"preferred first name", "patient id", "unapplied account credit", "medicare", "medicare reference number",
			"dva card number", "appointment notes", "gender identity", "address 1", "referral source"},
	}
)

// Row is one client read from an export. Line is its row number as a
// spreadsheet shows it (the header is row 1), whatever line breaks its
// quoted cells hold.
type Row struct {
	Line      int
	Name      string // first and last name
	Email     string
	BirthDate string // YYYY-MM-DD when it could be read
	// Preferred and VendorID are carried into the client's notes.
	Preferred string
	VendorID  string
	// Problems found while reading (a date that is not a date, a name
	// split in no column); app adds holdspace's own checks.
	Problems []Problem
}

// Problem is one thing wrong with a row: the row, the holdspace field, a
// stable reason code and a sentence for a person.
type Problem struct {
	Row     int    `json:"row"`
	Field   string `json:"field"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

// DateOrder says how to read a date written with slashes or dots, such as
// 03/04/1990: DMY (3 April), MDY (4 March) or "" (only dates that read one
// way are accepted).
type DateOrder string

const (
	DMY DateOrder = "dmy"
	MDY DateOrder = "mdy"
)

// Options steers Read.
type Options struct {
	// From is Jane, Cliniko or "" to tell from the header row.
	From  Vendor
	Dates DateOrder
	// MaxRows bounds the rows read; zero: 100000.
	MaxRows int
}

// Result is a read export.
type Result struct {
	Vendor    Vendor
	Delimiter rune
	Rows      []Row
	// Ignored lists the columns not imported (health data, billing,
	// addresses), as their headers read.
	Ignored []string
}

// Read reads a Jane or Cliniko client export: UTF-8 with or without a byte
// order mark, comma, semicolon or tab separated (told from the header
// row), quoted cells across lines allowed. Errors about the file as a whole
// (not UTF-8, no header, not the vendor's columns) are returned; problems
// of single rows are in their Row.
func Read(r io.Reader, opt Options) (Result, error) {
	var res Result
	if opt.MaxRows == 0 {
		opt.MaxRows = 100000
	}
	if opt.From != "" && !slices.Contains(Vendors, opt.From) {
		return res, fmt.Errorf("unknown export format %q (jane, cliniko)", opt.From)
	}
	if opt.Dates != "" && opt.Dates != DMY && opt.Dates != MDY {
		return res, fmt.Errorf("unknown date order %q (dmy, mdy)", opt.Dates)
	}
	data, err := io.ReadAll(io.LimitReader(r, 64<<20+1))
	if err != nil {
		return res, fmt.Errorf("read the file: %w", err)
	}
	if len(data) > 64<<20 {
		return res, errors.New("the file is larger than 64 MiB")
	}
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return res, errors.New("the file is UTF-16 text; save it as \"CSV UTF-8\" and try again")
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	if !utf8.Valid(data) {
		return res, errors.New("the file is not UTF-8 text; save it as \"CSV UTF-8\" and try again")
	}
	res.Delimiter = sniffDelimiter(data)
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = res.Delimiter
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = false
	header, err := cr.Read()
	if err == io.EOF {
		return res, errors.New("the file is empty")
	}
	if err != nil {
		return res, fmt.Errorf("the header row: %w", err)
	}
	names := make([]string, len(header))
	for i, h := range header {
		names[i] = normalize(h)
	}
	if res.Vendor, err = detect(names, opt.From); err != nil {
		return res, err
	}
	cols, ignored, err := mapColumns(names, res.Vendor)
	if err != nil {
		return res, err
	}
	for _, i := range ignored {
		res.Ignored = append(res.Ignored, strings.TrimSpace(strings.TrimPrefix(header[i], "\uFEFF")))
	}
	line := 1
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line++
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return res, fmt.Errorf("row %d: %v; nothing after it could be read", line, pe.Err)
			}
			return res, err
		}
		if blank(rec) {
			continue
		}
		if len(res.Rows) >= opt.MaxRows {
			return res, fmt.Errorf("more than %d rows; split the file", opt.MaxRows)
		}
		res.Rows = append(res.Rows, readRow(line, rec, cols, opt.Dates))
	}
	return res, nil
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func cell(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

func readRow(line int, rec []string, cols [nFields]int, order DateOrder) Row {
	row := Row{Line: line,
		Name:      joinName(cell(rec, cols[fFirst]), cell(rec, cols[fLast]), cell(rec, cols[fFull])),
		Email:     cell(rec, cols[fEmail]),
		Preferred: cell(rec, cols[fPreferred]),
		VendorID:  cell(rec, cols[fVendorID])}
	if b := cell(rec, cols[fBirth]); b != "" {
		d, reason, msg := ParseDate(b, order)
		if reason != "" {
			row.Problems = append(row.Problems, Problem{Row: line, Field: "birth_date", Reason: reason, Message: msg})
		} else {
			row.BirthDate = d
		}
	}
	return row
}

// joinName is the client's full name: first and last, or the one name
// column, spaces collapsed.
func joinName(first, last, full string) string {
	if first == "" && last == "" {
		return strings.Join(strings.Fields(full), " ")
	}
	return strings.Join(strings.Fields(first+" "+last), " ")
}

// normalize is the form in which headers are compared.
func normalize(h string) string {
	h = strings.ToLower(strings.TrimPrefix(h, "\uFEFF"))
	var b strings.Builder
	space := false
	for _, r := range h {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		default:
			// Spaces, underscores, hyphens, '#', '.', '(' … separate words.
			space = true
		}
	}
	return b.String()
}

// sniffDelimiter picks the separator of the header row: the most frequent
// of comma, semicolon and tab outside quotes (comma on a tie).
func sniffDelimiter(data []byte) rune {
	counts := map[rune]int{}
	quoted := false
	for _, r := range string(data) {
		if r == '"' {
			quoted = !quoted
			continue
		}
		if quoted {
			continue
		}
		if r == '\n' || r == '\r' {
			break
		}
		if r == ',' || r == ';' || r == '\t' {
			counts[r]++
		}
	}
	best := ','
	for _, r := range []rune{';', '\t'} {
		if counts[r] > counts[best] {
			best = r
		}
	}
	return best
}

// detect returns the vendor: from, when given, or the one whose
// distinctive columns the header has more of.
func detect(names []string, from Vendor) (Vendor, error) {
	if from != "" {
		return from, nil
	}
	score := map[Vendor]int{}
	for _, v := range Vendors {
		for _, n := range names {
			if slices.Contains(distinctive[v], n) {
				score[v]++
			}
		}
	}
	switch {
	case score[Jane] > score[Cliniko]:
		return Jane, nil
	case score[Cliniko] > score[Jane]:
		return Cliniko, nil
	}
	return "", errors.New("cannot tell whether this is a Jane or a Cliniko export from its header row; pass --from jane or --from cliniko")
}

// mapColumns finds the column of every field (-1 when absent) and lists
// the columns that are not imported. It fails when a required column is
// missing or a field has two columns.
func mapColumns(names []string, v Vendor) ([nFields]int, []int, error) {
	var cols [nFields]int
	for i := range cols {
		cols[i] = -1
	}
	aliases := map[field][]string{}
	for f, a := range common {
		aliases[f] = a
	}
	for f, a := range vendorColumns[v] {
		aliases[f] = a
	}
	var ignored []int
	for i, n := range names {
		found := false
		// The most specific alias wins: "preferred first name" is not
		// "first name".
		for f := field(0); f < nFields; f++ {
			if slices.Contains(aliases[f], n) {
				if cols[f] >= 0 {
					return cols, nil, fmt.Errorf("the header has two columns for %s: %q and %q", fieldName(f), names[cols[f]], n)
				}
				cols[f] = i
				found = true
				break
			}
		}
		if !found {
			ignored = append(ignored, i)
		}
	}
	var missing []string
	for _, f := range []field{fFirst, fLast, fEmail, fBirth} {
		if cols[f] < 0 && ((f != fFirst && f != fLast) || cols[fFull] < 0) {
			missing = append(missing, fieldName(f))
		}
	}
	if len(missing) > 0 {
		return cols, nil, fmt.Errorf("this does not look like a %s client export: no column for %s", vendorTitle(v), strings.Join(missing, ", "))
	}
	return cols, ignored, nil
}

func fieldName(f field) string {
	return [...]string{"first name", "last name", "preferred name", "email", "date of birth", "patient id", "name"}[f]
}

func vendorTitle(v Vendor) string {
	if v == Cliniko {
		return "Cliniko"
	}
	return "Jane"
}

// Title is the vendor's name as people write it.
func (v Vendor) Title() string { return vendorTitle(v) }

var monthLayouts = []string{
	"2006-01-02", "2006/01/02", "2006.01.02",
	"January 2, 2006", "Jan 2, 2006", "2 January 2006", "2 Jan 2006", "January 2 2006", "Jan 2 2006",
	"Mon, Jan 2, 2006", "Monday, January 2, 2006", "02-Jan-2006", "2-Jan-2006", "2-Jan-06",
}

// ParseDate reads a date of birth as exports write it and returns it as
// YYYY-MM-DD, or a reason code and message. ISO dates, dates with month
// names, and a date-time whose time is midnight are read as such; dates
// with slashes, dots or hyphens and numbers only (03/04/1990) are read in
// order, and without an order only when they read one way.
func ParseDate(s string, order DateOrder) (string, string, string) {
	s = strings.TrimSpace(s)
	// A date-time from a spreadsheet: keep the date.
	if i := strings.IndexAny(s, "T "); i == 10 && len(s) > 10 {
		if _, err := time.Parse("2006-01-02", s[:10]); err == nil {
			s = s[:10]
		}
	}
	for _, l := range monthLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.Format(time.DateOnly), "", ""
		}
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '.' || r == '-' })
	if len(parts) != 3 || len(parts[2]) != 4 {
		return "", "invalid_date", fmt.Sprintf("%q is not a date this import can read; write it as YYYY-MM-DD.", s)
	}
	var a, b, y int
	if _, err := fmt.Sscanf(parts[0]+" "+parts[1]+" "+parts[2], "%d %d %d", &a, &b, &y); err != nil {
		return "", "invalid_date", fmt.Sprintf("%q is not a date this import can read; write it as YYYY-MM-DD.", s)
	}
	build := func(d, m int) (string, bool) {
		t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
		if m < 1 || m > 12 || t.Day() != d || t.Month() != time.Month(m) {
			return "", false
		}
		return t.Format(time.DateOnly), true
	}
	dmy, okD := build(a, b)
	mdy, okM := build(b, a)
	switch {
	case order == DMY && okD:
		return dmy, "", ""
	case order == MDY && okM:
		return mdy, "", ""
	case order != "":
		return "", "invalid_date", fmt.Sprintf("%q is not a real date read as %s.", s, strings.ToUpper(string(order)))
	case okD && okM && dmy != mdy:
		return "", "ambiguous_date", fmt.Sprintf("%q reads as %s or %s; pass --dates dmy or --dates mdy.", s, dmy, mdy)
	case okD:
		return dmy, "", ""
	case okM:
		return mdy, "", ""
	}
	return "", "invalid_date", fmt.Sprintf("%q is not a real date.", s)
}
