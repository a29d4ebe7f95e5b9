package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"

	"holdspace/app"
	"holdspace/postgres"
	"holdspace/seal"
	"holdspace/sqlite"
	"holdspace/store"
)

// cmdBackup writes an online, consistent snapshot of the practice: with
// SQLite a database file made with VACUUM INTO, checked (key and audit
// chain) before the command returns; with PostgreSQL a pg_dump archive
// (custom format). The key file is never in a backup: keep it apart.
func cmdBackup(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("backup", stderr)
	var c config
	c.register(fs, getenv)
	to := fs.String("to", "", "the backup file to write (it must not exist)")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	if *to == "" {
		return usageErrorf("usage: holdspace backup --to FILE [--data DIR | --database URL]")
	}
	if _, err := os.Lstat(*to); err == nil {
		return fmt.Errorf("backup: %s exists; refusing to overwrite it", *to)
	}
	log, err := c.logger(stderr)
	if err != nil {
		return err
	}
	db, kr, err := c.openKeyed(ctx, log)
	if err != nil {
		return err
	}
	defer db.Close()
	switch d := db.(type) {
	case *sqlite.DB:
		if err := d.BackupTo(ctx, *to); err != nil {
			return err
		}
		rep, err := checkSQLiteBackup(ctx, *to, kr)
		if err != nil {
			os.Remove(*to)
			return fmt.Errorf("backup: the snapshot does not check: %w", err)
		}
		fmt.Fprintf(stdout, "backup written to %s: %d audit entries, head %s\n", *to, rep.Entries, rep.Head)
	default:
		if err := pgTool(ctx, "pg_dump", "--format=custom", "--no-owner", "--file="+*to, "--dbname="+c.database); err != nil {
			os.Remove(*to)
			return err
		}
		fmt.Fprintf(stdout, "backup written to %s (pg_dump custom format)\n", *to)
	}
	path, _ := c.keyPath()
	fmt.Fprintf(stdout, "the backup holds no key: keep a copy of %s apart from it; a restore needs both\n", path)
	return nil
}

// pgTool runs a PostgreSQL client program, with its output in the error.
func pgTool(ctx context.Context, name string, args ...string) error {
	if _, err := exec.LookPath(name); err != nil {
		return fmt.Errorf("%s is needed for PostgreSQL backups (install the PostgreSQL client tools): %w", name, err)
	}
	cmd := exec.CommandContext(ctx, name, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w: %s", name, err, bytes.TrimSpace(out.Bytes()))
	}
	return nil
}

// checkSQLiteBackup opens a copy of a SQLite backup file and checks that the
// keyring is its key and that its audit chain and consent records verify.
func checkSQLiteBackup(ctx context.Context, file string, kr *seal.Keyring) (app.AuditReport, error) {
	dir, err := os.MkdirTemp("", "holdspace-check-")
	if err != nil {
		return app.AuditReport{}, err
	}
	defer os.RemoveAll(dir)
	if err := copyFileTo(file, filepath.Join(dir, sqlite.FileName)); err != nil {
		return app.AuditReport{}, err
	}
	db, err := sqlite.Open(ctx, dir, discardLogger())
	if err != nil {
		return app.AuditReport{}, err
	}
	defer db.Close()
	return verifyRestored(ctx, db, kr)
}

// verifyRestored checks a restored or backed-up practice: the keyring must
// match its key checks, and its audit chain and consent records verify.
func verifyRestored(ctx context.Context, db store.DB, kr *seal.Keyring) (app.AuditReport, error) {
	if err := app.VerifyKeys(ctx, db, kr); err != nil {
		if empty, _ := app.DatabaseIsNew(ctx, db); !empty {
			return app.AuditReport{}, err
		}
	}
	return app.VerifyAuditFull(ctx, app.OpenedDB(db, kr), nil)
}

func copyFileTo(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	if err := dst.Sync(); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

// cmdRestore restores a backup into a new practice: a SQLite backup file
// into --data DIR (which must not hold a practice unless --force, and then
// no server may be running on it), a pg_dump archive into an empty
// PostgreSQL database. The key file must be the backup's: its key check is
// verified before anything is written, and the audit chain after.
func cmdRestore(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("restore", stderr)
	var c config
	c.register(fs, getenv)
	from := fs.String("from", "", "the backup file to restore")
	force := fs.Bool("force", false, "SQLite: replace the practice in --data (stop its server first)")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	if *from == "" {
		return usageErrorf("usage: holdspace restore --from FILE [--data DIR | --database URL] [--master-key-file FILE]")
	}
	keyPath, err := c.keyPath()
	if err != nil {
		return err
	}
	kr, err := seal.LoadKeyring(keyPath)
	if err != nil {
		return fmt.Errorf("restore needs the key file of the backup (%s): %w", keyPath, err)
	}
	head := make([]byte, 16)
	f, err := os.Open(*from)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	_, err = io.ReadFull(f, head)
	f.Close()
	if err != nil {
		return fmt.Errorf("restore: %s is not a holdspace backup: %w", *from, err)
	}
	isSQLite := bytes.HasPrefix(head, []byte("SQLite format 3\x00"))
	isDump := bytes.HasPrefix(head, []byte("PGDMP"))
	var rep app.AuditReport
	switch {
	case c.database == "" && isSQLite:
		rep, err = restoreSQLite(ctx, &c, *from, kr, *force)
	case c.database != "" && isDump:
		if !c.postgres() {
			return usageErrorf("--database must be a postgres:// URL")
		}
		rep, err = restorePostgres(ctx, &c, *from, kr)
	case isSQLite:
		return usageErrorf("%s is a SQLite backup: restore it with --data DIR (then migrate-data moves it to PostgreSQL)", *from)
	case isDump:
		return usageErrorf("%s is a pg_dump archive: restore it with --database postgres://… (an empty database)", *from)
	default:
		return fmt.Errorf("restore: %s is neither a SQLite backup nor a pg_dump archive", *from)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored from %s: the key file matches, the audit chain verifies (%d entries, head %s)\n", *from, rep.Entries, rep.Head)
	return nil
}

func restoreSQLite(ctx context.Context, c *config, from string, kr *seal.Keyring, force bool) (app.AuditReport, error) {
	if rep, err := checkSQLiteBackup(ctx, from, kr); err != nil {
		return rep, fmt.Errorf("restore: refusing %s: %w", from, err)
	}
	if err := os.MkdirAll(c.data, 0o700); err != nil {
		return app.AuditReport{}, err
	}
	target := filepath.Join(c.data, sqlite.FileName)
	if st, err := os.Stat(target); err == nil && st.Size() > 0 && !force {
		return app.AuditReport{}, fmt.Errorf("restore: %s holds a practice; refusing to replace it (stop its server and use --force)", target)
	}
	tmp := target + ".restoring"
	os.Remove(tmp)
	if err := copyFileTo(from, tmp); err != nil {
		return app.AuditReport{}, err
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(target + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return app.AuditReport{}, err
		}
	}
	if err := os.Rename(tmp, target); err != nil {
		return app.AuditReport{}, err
	}
	db, err := sqlite.Open(ctx, c.data, discardLogger())
	if err != nil {
		return app.AuditReport{}, err
	}
	defer db.Close()
	return verifyRestored(ctx, db, kr)
}

func restorePostgres(ctx context.Context, c *config, from string, kr *seal.Keyring) (app.AuditReport, error) {
	raw, err := sql.Open("pgx", c.database)
	if err != nil {
		return app.AuditReport{}, err
	}
	var tables int
	err = raw.QueryRowContext(ctx, `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()`).Scan(&tables)
	raw.Close()
	if err != nil {
		return app.AuditReport{}, fmt.Errorf("restore: %w", err)
	}
	if tables > 0 {
		return app.AuditReport{}, fmt.Errorf("restore: the target database is not empty (%d tables); restore into a new, empty database", tables)
	}
	if err := pgTool(ctx, "pg_restore", "--no-owner", "--exit-on-error", "--single-transaction", "--dbname="+c.database, from); err != nil {
		return app.AuditReport{}, err
	}
	db, err := postgres.Open(ctx, c.database, discardLogger())
	if err != nil {
		return app.AuditReport{}, err
	}
	defer db.Close()
	rep, err := verifyRestored(ctx, db, kr)
	if err != nil {
		return rep, fmt.Errorf("restore: the restored database does not check (drop it): %w", err)
	}
	return rep, nil
}
