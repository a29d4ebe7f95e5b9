package seal

import (
	"sync"
	"time"
)

// follower re-reads a keyring's key file when a value names a master key
// the keyring does not hold (see Keyring.FollowFile).
type follower struct {
	mu    sync.Mutex
	path  string
	every time.Duration
	last  time.Time
}

// FollowFile makes k re-read the key file at path (as Reload does) when it
// is asked to open a value wrapped under a master key it does not hold,
// and then try again, re-reading at most once per every. A node sharing a
// database with a process that has just rotated the master key can then
// open values re-wrapped under the new key before its periodic reload has
// seen the file; a value under a key that is in no file still fails with
// ErrUnknownKey.
func (k *Keyring) FollowFile(path string, every time.Duration) {
	k.follow.Store(&follower{path: path, every: every})
}

// reloadFor re-reads the key file for a value under id, unless id arrived
// meanwhile or the file was re-read less than every ago; it reports
// whether k now holds id.
func (f *follower) reloadFor(k *Keyring, id string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if k.has(id) {
		return true // another caller's re-read brought it
	}
	now := time.Now()
	if !f.last.IsZero() && now.Sub(f.last) < f.every {
		return false
	}
	f.last = now
	return k.Reload(f.path) == nil && k.has(id)
}

func (k *Keyring) has(id string) bool {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.byID[id] != nil
}
