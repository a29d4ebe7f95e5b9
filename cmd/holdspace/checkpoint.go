package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"holdspace"
	"holdspace/app"
	"holdspace/audit"
	"holdspace/store"
)

// cmdAuditVerify walks the audit chain and checks every consent record
// under it against its content hash. On success it prints the count and
// the head hash. With --checkpoint it also checks the chain against the
// heads recorded by `serve --audit-checkpoint`, so that entries removed
// from the tail are detected.
func cmdAuditVerify(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var checkpointFile string
	db, kr, err := openWithKeys(ctx, "audit verify", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&checkpointFile, "checkpoint", getenv("HOLDSPACE_AUDIT_CHECKPOINT"), "a head checkpoint file written by serve --audit-checkpoint (HOLDSPACE_AUDIT_CHECKPOINT)")
	})
	if err != nil {
		return err
	}
	defer db.Close()
	var cps []app.Checkpoint
	if checkpointFile != "" {
		if cps, err = readCheckpoints(checkpointFile); err != nil {
			return err
		}
	}
	rep, err := app.VerifyAuditFull(ctx, app.OpenedDB(db, kr), cps)
	var re *app.RecordError
	switch {
	case errors.As(err, &re):
		return fmt.Errorf("consent records do not match the audit chain: %w", err)
	case errors.Is(err, app.ErrTruncated):
		return fmt.Errorf("audit chain truncated: %w", err)
	case err != nil:
		return fmt.Errorf("audit chain broken after %d entries: %w", rep.Entries, err)
	}
	fmt.Fprintf(stdout, "audit chain intact: %d entries, head %s\n", rep.Entries, rep.Head)
	fmt.Fprintf(stdout, "consent records checked against their hashes: %d; entries redacted by erasure: %d\n", rep.Records, rep.Redacted)
	if checkpointFile != "" {
		fmt.Fprintf(stdout, "the chain reaches all %d checkpoints in %s\n", len(cps), checkpointFile)
	}
	return nil
}

// readCheckpoints reads a checkpoint file: one "seq hash time" line per
// checkpoint.
func readCheckpoints(path string) ([]app.Checkpoint, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("checkpoint file: %w", err)
	}
	defer f.Close()
	var out []app.Checkpoint
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		seq, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil || len(fields) < 2 || len(fields[1]) != 64 {
			return nil, fmt.Errorf("checkpoint file %s: line %d: want \"seq hash time\"", path, line)
		}
		out = append(out, app.Checkpoint{Seq: seq, Hash: fields[1]})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("checkpoint file: %w", err)
	}
	return out, nil
}

// checkpointer appends the audit chain's head to a file outside the
// database, at intervals and on shutdown, when it moved.
type checkpointer struct {
	path string
	db   store.DB
	log  *slog.Logger
	mu   sync.Mutex
	last int64
}

// write appends the current head if it is newer than the last one written.
func (c *checkpointer) write(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var head audit.Entry
	err := c.db.View(ctx, func(tx store.Tx) (err error) { head, err = tx.AuditHead(ctx); return err })
	if holdspace.ErrorCode(err) == holdspace.ENOTFOUND {
		return nil // an empty chain has no head yet
	}
	if err != nil {
		return fmt.Errorf("audit checkpoint: %w", err)
	}
	if head.Seq <= c.last {
		return nil
	}
	f, err := os.OpenFile(c.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("audit checkpoint: %w", err)
	}
	_, werr := fmt.Fprintf(f, "%d %s %s\n", head.Seq, head.Hash, time.Now().UTC().Format(time.RFC3339))
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		return fmt.Errorf("audit checkpoint: %w", err)
	}
	c.last = head.Seq
	return nil
}

// run writes a checkpoint every interval until ctx ends.
func (c *checkpointer) run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := c.write(ctx); err != nil && ctx.Err() == nil {
				c.log.Error("audit checkpoint failed", "path", c.path, "err", err)
			}
		}
	}
}
