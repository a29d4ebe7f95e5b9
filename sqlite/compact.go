package sqlite

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"
)

// Compact makes deletions final on disk: with secure_delete on (every
// connection sets it) deleted content is overwritten in the database
// file, and this checkpoints the write-ahead log into the file and
// truncates it, so that no old page image with the deleted content stays
// in the WAL. It retries while readers hold old snapshots, up to about two
// seconds, and then reports an error.
func (db *DB) Compact(ctx context.Context) error {
	var busy, logFrames, done int64
	for try := 0; try < 20; try++ {
		err := db.Writer().QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logFrames, &done)
		if err != nil {
			return fmt.Errorf("sqlite: checkpoint: %w", err)
		}
		if busy == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("sqlite: checkpoint: readers kept the write-ahead log busy (%d of %d frames copied)", done, logFrames)
}

// BackupTo writes a consistent snapshot of the database, as of one
// instant, to a new file at path (VACUUM INTO: a read transaction, so
// writers carry on meanwhile), with mode 0600, and syncs it. It refuses an
// existing path.
func (db *DB) BackupTo(ctx context.Context, path string) error {
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("sqlite: backup: %s exists; refusing to overwrite it", path)
	}
	if strings.ContainsRune(path, '\'') {
		return fmt.Errorf("sqlite: backup: the path may not contain a quote")
	}
	if _, err := db.Writer().ExecContext(ctx, `VACUUM INTO '`+path+`'`); err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	defer f.Close()
	if err := f.Chmod(0o600); err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	return nil
}
