package app

import (
	"sync"
	"time"

	"holdspace/catalogue"
	"holdspace/consent"
	"holdspace/practice"
)

// factsCache keeps compiled decision indexes and folded session facts. An
// index is keyed on the client's and the practitioner's fact versions, which
// every write that changes a decision fact moves in its own transaction; a
// decision reads those versions inside its transaction, so a cached index is
// used only while it is exactly current (never a time-to-live guess). It
// also expires when the screening it was built with goes stale by time.
type factsCache struct {
	mu       sync.Mutex
	indexes  map[[2]string]*indexEntry
	sessions map[string]sessionEntry
}

type indexEntry struct {
	clientV, practV int64
	settingsV       int64     // the practice settings' version
	staleAt         time.Time // zero: never by time
	ix              *consent.Index
	anatomy         catalogue.Anatomy

	// liftFrom is the opening time of the session the index was built for
	// (screenings taken after it narrow but never widen; zero: none).
	liftFrom time.Time
	// practDisabled: the practitioner's account is disabled; every
	// decision denies with not_qualified.
	practDisabled bool
}

// decide is e.ix.Decide, except that a disabled practitioner's sessions
// deny everything.
func (e *indexEntry) decide(f *practice.Facts, region, technique string, at time.Time) consent.Decision {
	if e.practDisabled {
		return consent.PractitionerDisabled()
	}
	return e.ix.Decide(f, region, technique, at)
}

type sessionEntry struct {
	seq   int64
	facts practice.Facts
}

// maxCached bounds each map; when full it is cleared (rebuilding is cheap).
const maxCached = 4096

func newFactsCache() *factsCache {
	return &factsCache{indexes: map[[2]string]*indexEntry{}, sessions: map[string]sessionEntry{}}
}

func (c *factsCache) index(client, pract string, cv, pv int64, liftFrom, at time.Time) *indexEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.indexes[[2]string{client, pract}]
	if e == nil || e.clientV != cv || e.practV != pv || !e.liftFrom.Equal(liftFrom) || (!e.staleAt.IsZero() && !at.Before(e.staleAt)) {
		return nil
	}
	return e
}

func (c *factsCache) putIndex(client, pract string, e *indexEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.indexes) >= maxCached {
		clear(c.indexes)
	}
	c.indexes[[2]string{client, pract}] = e
}

func (c *factsCache) session(id string, seq int64) (practice.Facts, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.sessions[id]
	if !ok || e.seq != seq {
		return practice.Facts{}, false
	}
	return e.facts, true
}

func (c *factsCache) putSession(id string, seq int64, f practice.Facts) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.sessions) >= maxCached {
		clear(c.sessions)
	}
	c.sessions[id] = sessionEntry{seq: seq, facts: f}
}

func (c *factsCache) forget(client string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.indexes {
		if k[0] == client {
			delete(c.indexes, k)
		}
	}
}
