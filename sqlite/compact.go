package sqlite

import (
	"context"
	"fmt"
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
