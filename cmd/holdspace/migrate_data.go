package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/schollz/progressbar/v3"

	"holdspace/app"
	"holdspace/postgres"
	"holdspace/sqlite"
	"holdspace/sqlstore"
	"holdspace/store"
)

// cmdMigrateData copies a SQLite practice into PostgreSQL: every record,
// with ids, times, signatures and the audit chain kept exactly, in one
// transaction on the target. It then verifies the row counts and the audit
// chain on the target. A non-empty target is refused unless --force, which
// wipes it first.
func cmdMigrateData(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("migrate-data", stderr)
	from := fs.String("from", "", "the SQLite data directory to copy from")
	to := fs.String("to", "", "the PostgreSQL URL to copy into")
	force := fs.Bool("force", false, "wipe a non-empty target first")
	quiet := fs.Bool("quiet", false, "no progress bar")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *from == "" || *to == "" {
		return usageErrorf("usage: holdspace migrate-data --from DIR --to postgres://… [--force]")
	}
	c := config{database: *to}
	if !c.postgres() {
		return usageErrorf("--to must be a postgres:// URL")
	}
	if _, err := os.Stat(filepath.Join(*from, sqlite.FileName)); err != nil {
		return fmt.Errorf("--from: no practice in %s: %w", *from, err)
	}
	log := discardLogger()
	src, err := sqlite.Open(ctx, *from, log)
	if err != nil {
		return fmt.Errorf("open source: %w", err)
	}
	defer src.Close()
	dst, err := postgres.Open(ctx, *to, log)
	if err != nil {
		return fmt.Errorf("open target: %w", err)
	}
	defer dst.Close()

	var counts map[string]int64
	if err := dst.Export(ctx, func(tx store.ImportTx) (err error) { counts, err = tx.Counts(ctx); return err }); err != nil {
		return err
	}
	var rows int64
	for _, n := range counts {
		rows += n
	}
	if rows > 0 {
		if !*force {
			return fmt.Errorf("the target already holds %d rows; refusing to overwrite it (use --force to wipe it first)", rows)
		}
		if err := dst.Import(ctx, func(tx store.ImportTx) error { return tx.Wipe(ctx) }); err != nil {
			return fmt.Errorf("wipe target: %w", err)
		}
		fmt.Fprintf(stdout, "wiped %d rows from the target\n", rows)
	}
	var bar *progressbar.ProgressBar
	progress := func(done, total int) {
		if *quiet {
			return
		}
		if bar == nil {
			bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(stderr), progressbar.OptionSetDescription("copying records"),
				progressbar.OptionShowCount(), progressbar.OptionThrottle(100_000_000))
		}
		_ = bar.Set(done)
	}
	if err := sqlstore.Copy(ctx, dst, src, progress); err != nil {
		return err
	}
	if bar != nil {
		_ = bar.Finish()
		fmt.Fprintln(stderr)
	}
	n, _, err := app.VerifyAudit(ctx, dst)
	if err != nil {
		return fmt.Errorf("audit chain on the target: %w", err)
	}
	fmt.Fprintf(stdout, "copied; row counts match and the audit chain verifies (%d entries)\n", n)
	fmt.Fprintf(stdout, "every node must use the master key file of the source (%s) with --master-key-file\n", filepath.Join(*from, "master.key"))
	return nil
}
