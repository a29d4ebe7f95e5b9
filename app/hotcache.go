package app

import (
	"context"
	"slices"
	"sync"
	"time"

	"holdspace"
	"holdspace/store"
)

// hotCache keeps, per node, the facts that nearly every request reads:
// validated tokens (by the token's hash, never the token), sessions,
// clients' assignments to practitioners, users' fact versions and the
// practice settings (issue 16: the token read was 18% of a decision's CPU,
// visibleSession 11.7%).
//
// How each fact stays exact, on one node and across nodes: every fact is
// stored with the epoch read before the fact was read — the auth epoch
// (store.Tx.AuthEpoch) for tokens, the fact epoch (store.Tx.Epoch) for the
// rest — and is used only by a request that has just read the same epoch.
// Every transaction that changes such a fact moves the epoch in the same
// transaction, as its last statement before commit (sqlstore epoch.go):
//   - tokens (auth epoch, which moves the fact epoch too): logout and
//     every revocation (password change or reset,
//     sign-out everywhere, revoking one session), disabling, enabling,
//     erasing an account and changing its state move it; a token's
//     expiry is checked by time in memory; a web session's idle timeout
//     too, and when memory says idle (another node may have seen it used)
//     or due for a touch, the database answers as before;
//   - sessions: every event (stop, resume, close…), reschedule, deletion;
//   - assignments: updating or erasing the client;
//   - fact versions: BumpVersion, i.e. every agreement, revocation,
//     screening, clearance, credential and anatomy change;
//   - settings: every save.
//
// Fills happen before the request's own writes: Decide caches the session
// before its auto-close, and the auto-close changes neither fact versions
// nor settings, which it caches after; a transaction that has changed a
// cached fact reads epoch noEpoch and neither uses nor fills the cache.
//
// So a request that starts after such a write is acknowledged reads an
// epoch that differs from the tag of everything cached before the write,
// on this node and on every other node sharing the database, without
// waiting for a notification. A write committed by another process
// (the CLI) is seen the same way. Misses read the database as before and
// refill. A nil *hotCache caches nothing.
type hotCache struct {
	mu       sync.RWMutex
	tokens   map[string]tokenHot
	sessions map[string]sessionHot
	clients  map[string]clientHot
	vers     map[string]versionHot
	settings settingsHot
}

type tokenHot struct {
	epoch      int64
	userID     string
	role       holdspace.Role
	kind       string
	expiresAt  time.Time
	lastSeenAt time.Time
}

type sessionHot struct {
	epoch int64
	s     store.Session
}

type clientHot struct {
	epoch         int64
	practitioners []string // never modified once stored
}

type versionHot struct{ epoch, v int64 }

type settingsHot struct {
	ok    bool
	epoch int64
	st    practiceState
}

// maxHot bounds each map of the hot cache; a full map is cleared.
const maxHot = 16384

func newHotCache() *hotCache {
	return &hotCache{
		tokens:   map[string]tokenHot{},
		sessions: map[string]sessionHot{},
		clients:  map[string]clientHot{},
		vers:     map[string]versionHot{},
	}
}

// noEpoch is the epoch of a request that caches nothing: the database
// cannot tell, or the transaction has itself changed cached facts
// (store.Tx.Epoch returns it then: within a grouped transaction, a
// decision after a stop in the same transaction reads the stop).
const noEpoch = -1

func putBounded[V any](m map[string]V, k string, v V) {
	if _, ok := m[k]; !ok && len(m) >= maxHot {
		clear(m)
	}
	m[k] = v
}

func (c *hotCache) token(hash []byte, epoch int64) (tokenHot, bool) {
	if c == nil || epoch == noEpoch {
		return tokenHot{}, false
	}
	c.mu.RLock()
	t, ok := c.tokens[string(hash)]
	c.mu.RUnlock()
	return t, ok && t.epoch == epoch
}

func (c *hotCache) putToken(hash []byte, t tokenHot) {
	if c == nil || t.epoch == noEpoch {
		return
	}
	c.mu.Lock()
	putBounded(c.tokens, string(hash), t)
	c.mu.Unlock()
}

// dropToken forgets a token (this node's logout, before it answers; the
// epoch alone would do, this saves the next request a look-up).
func (c *hotCache) dropToken(hash []byte) {
	if c == nil {
		return
	}
	c.mu.Lock()
	delete(c.tokens, string(hash))
	c.mu.Unlock()
}

func (c *hotCache) session(id string, epoch int64) (*store.Session, bool) {
	if c == nil || epoch == noEpoch {
		return nil, false
	}
	c.mu.RLock()
	e, ok := c.sessions[id]
	c.mu.RUnlock()
	if !ok || e.epoch != epoch {
		return nil, false
	}
	s := e.s // a copy: callers update theirs
	return &s, true
}

func (c *hotCache) putSession(s *store.Session, epoch int64) {
	if c == nil || epoch == noEpoch {
		return
	}
	c.mu.Lock()
	putBounded(c.sessions, s.ID, sessionHot{epoch: epoch, s: *s})
	c.mu.Unlock()
}

func (c *hotCache) assigned(clientID string, epoch int64) ([]string, bool) {
	if c == nil || epoch == noEpoch {
		return nil, false
	}
	c.mu.RLock()
	e, ok := c.clients[clientID]
	c.mu.RUnlock()
	return e.practitioners, ok && e.epoch == epoch
}

func (c *hotCache) putAssigned(clientID string, practitioners []string, epoch int64) {
	if c == nil || epoch == noEpoch {
		return
	}
	c.mu.Lock()
	putBounded(c.clients, clientID, clientHot{epoch: epoch, practitioners: slices.Clone(practitioners)})
	c.mu.Unlock()
}

// versions returns the fact versions of a client and a practitioner.
func (c *hotCache) factVersions(clientID, practitionerID string, epoch int64) (cv, pv int64, ok bool) {
	if c == nil || epoch == noEpoch {
		return 0, 0, false
	}
	c.mu.RLock()
	ce, cok := c.vers[clientID]
	pe, pok := c.vers[practitionerID]
	c.mu.RUnlock()
	if !cok || !pok || ce.epoch != epoch || pe.epoch != epoch {
		return 0, 0, false
	}
	return ce.v, pe.v, true
}

func (c *hotCache) putVersions(vs map[string]int64, ids []string, epoch int64) {
	if c == nil || epoch == noEpoch {
		return
	}
	c.mu.Lock()
	for _, id := range ids {
		putBounded(c.vers, id, versionHot{epoch: epoch, v: vs[id]})
	}
	c.mu.Unlock()
}

func (c *hotCache) practiceSettings(epoch int64) (practiceState, bool) {
	if c == nil || epoch == noEpoch {
		return practiceState{}, false
	}
	c.mu.RLock()
	e := c.settings
	c.mu.RUnlock()
	return e.st, e.ok && e.epoch == epoch
}

func (c *hotCache) putPracticeSettings(st practiceState, epoch int64) {
	if c == nil || epoch == noEpoch {
		return
	}
	c.mu.Lock()
	c.settings = settingsHot{ok: true, epoch: epoch, st: st}
	c.mu.Unlock()
}

// authEpochReader is a database that reads the auth epoch in one
// statement outside any transaction (sqlstore.DB).
type authEpochReader interface {
	AuthEpoch(ctx context.Context) (int64, error)
}

// dbAuthEpoch returns the auth epoch as last committed, or noEpoch when
// the database cannot tell (then nothing is answered from memory).
func (a *core) dbAuthEpoch(ctx context.Context) int64 {
	if a.hot == nil {
		return noEpoch
	}
	db, ok := a.db.(authEpochReader)
	if !ok {
		return noEpoch
	}
	n, err := db.AuthEpoch(ctx)
	if err != nil {
		a.log.WarnContext(ctx, "auth epoch unreadable; reading tokens from the database", "err", err)
		return noEpoch
	}
	return n
}

// txEpoch returns the fact epoch as tx reads it now, to be read before
// any fact the request may answer from memory. An error ends tx (on
// PostgreSQL a failed statement aborts the transaction).
func (a *core) txEpoch(ctx context.Context, tx txBase) (int64, error) {
	if a.hot == nil {
		return noEpoch, nil
	}
	return tx.Epoch(ctx)
}

// txAuthEpoch is txEpoch for the auth epoch.
func (a *core) txAuthEpoch(ctx context.Context, tx txBase) (int64, error) {
	if a.hot == nil {
		return noEpoch, nil
	}
	return tx.AuthEpoch(ctx)
}

// visibleSessionAt is visibleSession answered from memory while the
// session and its client's assignments are tagged with epoch, which tx
// read before (see hotCache).
func (a *core) visibleSessionAt(ctx context.Context, tx interface {
	store.Clients
	store.Sessions
}, epoch int64, ac Actor, id string) (*store.Session, error) {
	s, ok := a.hot.session(id, epoch)
	if !ok {
		var err error
		if s, err = tx.Session(ctx, id); err != nil {
			if holdspace.ErrorCode(err) == holdspace.ENOTFOUND {
				return nil, holdspace.NotFound("session")
			}
			return nil, err
		}
		a.hot.putSession(s, epoch)
	}
	switch {
	case ac.is(holdspace.RoleAdmin), ac.is(holdspace.RoleClient) && s.ClientID == ac.UserID:
		return s, nil
	case ac.is(holdspace.RolePractitioner) && s.PractitionerID == ac.UserID:
		// Only while still assigned: a practitioner taken off a client
		// loses the client's sessions with the client.
		ps, ok := a.hot.assigned(s.ClientID, epoch)
		if !ok {
			c, err := tx.Client(ctx, s.ClientID)
			if err != nil {
				if holdspace.ErrorCode(err) == holdspace.ENOTFOUND {
					return nil, holdspace.NotFound("session")
				}
				return nil, err
			}
			ps = c.PractitionerIDs
			a.hot.putAssigned(s.ClientID, ps, epoch)
		}
		if slices.Contains(ps, ac.UserID) {
			return s, nil
		}
	}
	return nil, holdspace.NotFound("session")
}
