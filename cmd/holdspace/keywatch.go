package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"sync"
	"time"

	"holdspace/app"
	"holdspace/seal"
	"holdspace/store"
)

// keyWatch reloads the master key file of a running server when it
// changes (a rotation or retirement by `holdspace keys`, possibly on
// another node) and checks it against the database again. While the file
// does not match, the server is not ready (/healthz answers 503).
type keyWatch struct {
	mu  sync.Mutex
	err error
}

// watchKeys polls path every interval until ctx ends. Between polls, a
// value re-wrapped under a key the server has not read yet (another
// process has just rotated) makes the keyring re-read the file at once
// (seal.Keyring.FollowFile), at most every interval/4, so that no request
// fails in the instant between a rotation and the next poll.
func watchKeys(ctx context.Context, db store.DB, kr *seal.Keyring, path string, interval time.Duration, log *slog.Logger) *keyWatch {
	w := &keyWatch{}
	kr.FollowFile(path, interval/4)
	stamp := func() (time.Time, int64) {
		st, err := os.Stat(path)
		if err != nil {
			return time.Time{}, -1
		}
		return st.ModTime(), st.Size()
	}
	lastMod, lastSize := stamp()
	go func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			mod, size := stamp()
			if mod.Equal(lastMod) && size == lastSize {
				continue
			}
			lastMod, lastSize = mod, size
			err := kr.Reload(path)
			if err == nil {
				err = app.VerifyKeys(ctx, db, kr)
			}
			if errors.Is(err, context.Canceled) {
				return
			}
			if err != nil {
				log.Error("master key file changed and does not match the database: not ready", "path", path, "err", err)
			} else {
				log.Info("master key file reloaded", "path", path, "active", kr.ActiveID())
			}
			w.mu.Lock()
			w.err = err
			w.mu.Unlock()
		}
	}()
	return w
}

// Err returns why the key file does not match, or nil.
func (w *keyWatch) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}
