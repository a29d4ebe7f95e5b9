package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/schollz/progressbar/v3"

	"holdspace"
	"holdspace/app"
	"holdspace/csvio"
)

// positional splits args into flags and the one positional argument (a
// file) wherever it stands: `--from jane FILE --dry-run` and `FILE --from
// jane` both work.
func positional(fs *flag.FlagSet, args []string) (flags []string, file string, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest := args[i+1:]
			if len(rest) > 1 || (len(rest) == 1 && file != "") {
				return nil, "", usageErrorf("one file only")
			}
			if len(rest) == 1 {
				file = rest[0]
			}
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			if file != "" {
				return nil, "", usageErrorf("unexpected argument %q", a)
			}
			file = a
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		f := fs.Lookup(name)
		if f == nil {
			continue // flag.Parse reports it
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			continue
		}
		if i+1 < len(args) {
			i++
			flags = append(flags, args[i])
		}
	}
	return flags, file, nil
}

const importUsage = "usage: holdspace import clients --from jane|cliniko|auto FILE [--dry-run] [--skip-bad] [--assign PRACTITIONER_EMAIL] [--dates dmy|mdy]"

// cmdImport runs `holdspace import clients`: it reads a Jane or Cliniko
// client export, checks every row, prints a report of every problem, and
// imports the clients through the app (sealed, blind-indexed, audited) in
// one transaction: all of them, or with --skip-bad the good ones, or none.
func cmdImport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "clients" {
		return usageErrorf(importUsage)
	}
	fs := newFlagSet("import clients", stderr)
	var c config
	c.register(fs, getenv)
	from := fs.String("from", "auto", "the system that wrote the export: jane, cliniko, or auto (told from the header row)")
	dry := fs.Bool("dry-run", false, "check every row against holdspace's rules and the practice, and write nothing")
	skipBad := fs.Bool("skip-bad", false, "import the good rows when some are bad (the bad ones are listed); without it a bad row stops the whole import")
	assign := fs.String("assign", "", "email of the practitioner every imported client is assigned to")
	dates := fs.String("dates", "", "how to read dates such as 03/04/1990: dmy or mdy (default: only dates that read one way)")
	quiet := fs.Bool("quiet", false, "no progress bar")
	flags, file, err := positional(fs, args[1:])
	if err != nil {
		return err
	}
	if err := c.parse(fs, flags); err != nil {
		return err
	}
	if file == "" {
		return usageErrorf(importUsage)
	}
	opt := csvio.Options{Dates: csvio.DateOrder(*dates)}
	switch *from {
	case "auto":
	case string(csvio.Jane), string(csvio.Cliniko):
		opt.From = csvio.Vendor(*from)
	default:
		return usageErrorf("--from must be jane, cliniko or auto")
	}
	if *dates != "" && opt.Dates != csvio.DMY && opt.Dates != csvio.MDY {
		return usageErrorf("--dates must be dmy or mdy")
	}
	f, err := os.Open(file)
	if err != nil {
		return usageErrorf("%v", err)
	}
	read, err := csvio.Read(f, opt)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", filepath.Base(file), err)
	}
	fmt.Fprintf(stdout, "%s: a %s client export, %d rows\n", filepath.Base(file), read.Vendor.Title(), len(read.Rows))
	if len(read.Ignored) > 0 {
		fmt.Fprintf(stdout, "not imported (columns holdspace does not take; health information is asked in holdspace's own screening): %s\n",
			strings.Join(read.Ignored, ", "))
	}
	p, err := c.open(ctx, stderr, nil)
	if err != nil {
		return err
	}
	defer p.db.Close()
	var bar *progressbar.ProgressBar
	iopt := app.ImportOptions{Source: read.Vendor, AssignEmail: *assign, DryRun: *dry, SkipBad: *skipBad}
	iopt.Progress = func() {
		if *quiet {
			return
		}
		if bar == nil {
			bar = progressbar.NewOptions(len(read.Rows), progressbar.OptionSetWriter(stderr), progressbar.OptionSetDescription("importing clients"),
				progressbar.OptionShowCount(), progressbar.OptionThrottle(100_000_000))
		}
		_ = bar.Add(1)
	}
	res, err := p.app.People.ImportClients(ctx, app.System, read.Rows, iopt)
	if bar != nil {
		_ = bar.Finish()
		fmt.Fprintln(stderr)
	}
	printImport(stdout, res)
	if err != nil {
		if holdspace.ErrorReason(err) == "import_rejected" {
			return errors.New(holdspace.ErrorMessage(err))
		}
		return err
	}
	switch {
	case *dry:
		fmt.Fprintf(stdout, "dry run: %d clients would be imported, %d rows skipped; nothing was written\n", len(res.Imported), len(res.BadRows))
	default:
		fmt.Fprintf(stdout, "imported %d clients, %d rows skipped; invite them to choose a password and to complete holdspace's screening\n",
			len(res.Imported), len(res.BadRows))
	}
	return nil
}

// printImport prints the report of an import: every problem of every bad
// row, one a line.
func printImport(w io.Writer, res app.ImportResult) {
	if len(res.Problems) == 0 {
		return
	}
	fmt.Fprintf(w, "%d rows have problems:\n", len(res.BadRows))
	for _, p := range res.Problems {
		fmt.Fprintf(w, "  row %d: %s: %s (%s)\n", p.Row, p.Field, p.Message, p.Reason)
	}
}

// cmdExport runs `holdspace export csv --what clients|sessions|outcomes
// --to FILE`.
func cmdExport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	const u = "usage: holdspace export csv --what clients|sessions|outcomes --to FILE"
	if len(args) == 0 || args[0] != "csv" {
		return usageErrorf(u)
	}
	fs := newFlagSet("export csv", stderr)
	var c config
	c.register(fs, getenv)
	what := fs.String("what", "", "clients, sessions or outcomes")
	to := fs.String("to", "", "the file to write (- for standard output); it holds personal data: keep it safe")
	if err := c.parse(fs, args[1:]); err != nil {
		return err
	}
	if *to == "" || *what == "" {
		return usageErrorf(u)
	}
	p, err := c.open(ctx, stderr, nil)
	if err != nil {
		return err
	}
	defer p.db.Close()
	t, err := p.app.Records.ExportTable(ctx, app.System, *what)
	if err != nil {
		if holdspace.ErrorReason(err) == "unknown_export" {
			return usageErrorf("--what must be clients, sessions or outcomes")
		}
		return err
	}
	if *to == "-" {
		return csvio.Write(stdout, t.Header, t.Rows)
	}
	// Personal data: readable by the owner only, and never half-written.
	tmp, err := os.CreateTemp(filepath.Dir(*to), ".export-*.csv")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := csvio.Write(tmp, t.Header, t.Rows); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), *to); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %d %s rows to %s\n", len(t.Rows), *what, *to)
	return nil
}
