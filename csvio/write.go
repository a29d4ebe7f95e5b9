package csvio

import (
	"encoding/csv"
	"io"
)

// Safe returns a cell that a spreadsheet shows as text, never runs: one
// that begins with =, +, -, @, a tab or a carriage return (which Excel,
// LibreOffice and Google Sheets take for a formula) gets a leading
// apostrophe (OWASP, "CSV Injection").
func Safe(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// Write writes a header and rows as CSV (RFC 4180, CRLF line ends, with a
// UTF-8 byte order mark so that spreadsheets read names in any script),
// every cell through Safe.
func Write(w io.Writer, header []string, rows [][]string) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	put := func(rec []string) error {
		out := make([]string, len(rec))
		for i, c := range rec {
			out[i] = Safe(c)
		}
		return cw.Write(out)
	}
	if err := put(header); err != nil {
		return err
	}
	for _, r := range rows {
		if err := put(r); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
