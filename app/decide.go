package app

import (
	"context"
	"strings"
	"sync"
	"time"

	"holdspace"
	"holdspace/catalogue"
	"holdspace/consent"
	"holdspace/practice"
	"holdspace/store"
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

// decisionFacts returns the compiled index for a session's client and
// practitioner, and the session's folded facts (with its CloseBy), current
// as of tx.
func (a *App) decisionFacts(ctx context.Context, tx store.Tx, s *store.Session) (*indexEntry, practice.Facts, error) {
	at := tx.Now()
	f, err := a.sessionFacts(ctx, tx, s)
	if err != nil {
		return nil, practice.Facts{}, err
	}
	var liftFrom time.Time
	if f.State.IsLive() {
		liftFrom = f.OpenedAt
	}
	vs, err := tx.Versions(ctx, s.ClientID, s.PractitionerID)
	if err != nil {
		return nil, practice.Facts{}, err
	}
	cv, pv := vs[s.ClientID], vs[s.PractitionerID]
	ps, err := a.practiceSettings(ctx, tx)
	if err != nil {
		return nil, practice.Facts{}, err
	}
	e := a.facts.index(s.ClientID, s.PractitionerID, cv, pv, liftFrom, at)
	if e != nil && e.settingsV != ps.version {
		e = nil
	}
	if e == nil {
		if e, err = a.compile(ctx, tx, s.ClientID, s.PractitionerID, at, liftFrom, ps); err != nil {
			return nil, practice.Facts{}, err
		}
		e.clientV, e.practV, e.liftFrom, e.settingsV = cv, pv, liftFrom, ps.version
		a.facts.putIndex(s.ClientID, s.PractitionerID, e)
	}
	return e, f, nil
}

// sessionFacts folds a session's events (cached by its Seq) and sets its
// CloseBy from the booking.
func (a *App) sessionFacts(ctx context.Context, tx store.Tx, s *store.Session) (practice.Facts, error) {
	f, ok := a.facts.session(s.ID, s.Seq)
	if !ok {
		recs, err := tx.ListEvents(ctx, s.ID)
		if err != nil {
			return practice.Facts{}, err
		}
		f = practice.NewFacts(catalogue.Intent(s.Intent))
		for _, r := range recs {
			ev, err := a.eventOf(r, false)
			if err != nil {
				return practice.Facts{}, err
			}
			if err := f.Apply(ev); err != nil {
				return practice.Facts{}, err
			}
		}
		if int64(len(recs)) == s.Seq {
			a.facts.putSession(s.ID, s.Seq, f)
		}
	}
	f.CloseBy = a.booking(s).CloseBy(a.cfg.SessionGrace)
	return f, nil
}

// compile gathers every decision fact of a client and practitioner and
// compiles them into an index, for a session opened at liftFrom (zero:
// none; see screening.Effective), under the practice settings ps.
func (a *App) compile(ctx context.Context, tx store.Tx, clientID, practitionerID string, at, liftFrom time.Time, ps practiceState) (*indexEntry, error) {
	c, err := tx.Client(ctx, clientID)
	if err != nil {
		return nil, err
	}
	an, err := a.anatomy(c)
	if err != nil {
		return nil, err
	}
	ags, _, err := a.loadAgreements(ctx, tx, clientID)
	if err != nil {
		return nil, err
	}
	cur, err := a.effectiveScreening(ctx, tx, clientID, at, liftFrom)
	if err != nil {
		return nil, err
	}
	creds, err := tx.ListCredentials(ctx, practitionerID)
	if err != nil {
		return nil, err
	}
	facts := consent.ClientFacts{
		Anatomy:     an,
		Agreements:  ags,
		Screening:   consent.Screening{Present: cur.Present, Stale: cur.Stale, TakenAt: cur.TakenAt, Findings: cur.Findings},
		Credentials: practiceCredentials(creds),
		Policy:      a.policy(ps),
	}
	if facts.BirthDate, err = a.birthDate(c); err != nil {
		return nil, err
	}
	e := &indexEntry{ix: consent.Compile(facts), anatomy: an}
	if pu, err := tx.User(ctx, practitionerID); err == nil && !pu.DisabledAt.IsZero() {
		e.practDisabled = true
	}
	if cur.Present && !cur.Stale {
		e.staleAt = cur.ValidUntil
	}
	return e, nil
}

// DecideInput is the input of Decide.
type DecideInput struct {
	SessionID string `json:"session_id"`
	Region    string `json:"region"`
	Technique string `json:"technique"`
}

// Decide answers permit, ask or deny, with reasons, for touching a region
// with a technique now in a session. The session's practitioner and its
// client may ask. Every decision is audited with its reasons, in the same
// transaction that read its facts, so it reflects every revoke and stop
// acknowledged before it started.
func (a *App) Decide(ctx context.Context, ac Actor, in DecideInput) (consent.Decision, error) {
	var d consent.Decision
	if in.SessionID == "" {
		return d, holdspace.Invalid("required", "session_id", "Name the session.")
	}
	if _, ok := catalogue.LookupRegion(in.Region); !ok {
		return d, holdspace.Invalid("unknown_region", "region", "%q is not a body region.", in.Region)
	}
	if !catalogue.ValidTechnique(in.Technique) {
		return d, holdspace.Invalid("unknown_technique", "technique", "%q is not a technique.", in.Technique)
	}
	err := a.update(ctx, func(tx store.Tx) error {
		s, err := visibleSession(ctx, tx, ac, in.SessionID)
		if err != nil {
			return err
		}
		if ac.is(holdspace.RoleAdmin) {
			return forbidden("Decisions are asked by the session's practitioner or client.")
		}
		if err := a.closeIfOverdue(ctx, tx, s); err != nil {
			return err
		}
		e, f, err := a.decisionFacts(ctx, tx, s)
		if err != nil {
			return err
		}
		d = e.decide(&f, in.Region, in.Technique, tx.Now())
		// The outcome goes in the (sealed) detail, not in the action.
		return record(ctx, tx, ac, "decision", s.ID, s.ClientID,
			"outcome="+string(d.Outcome)+" region="+in.Region+" technique="+in.Technique+" reasons="+reasonCodes(d.Reasons()))
	})
	if err == nil && a.cfg.OnDecision != nil {
		a.cfg.OnDecision(string(d.Outcome))
	}
	return d, err
}

// SetDecisionObserver sets a function called with the outcome of every
// decision (for metrics). Call it before serving.
func (a *App) SetDecisionObserver(fn func(outcome string)) { a.cfg.OnDecision = fn }

func reasonCodes(rs []consent.Reason) string {
	var b strings.Builder
	for i, r := range rs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(r.Code)
	}
	return b.String()
}

// BoardCell is the decision for one region and technique.
type BoardCell struct {
	Technique string           `json:"technique"`
	Decision  consent.Decision `json:"decision"`
}

// BoardRow is every technique's decision for one region.
type BoardRow struct {
	Region string      `json:"region"`
	Label  string      `json:"label"`
	Group  string      `json:"group"`
	Cells  []BoardCell `json:"cells"`
}

// Board is the live console's view of a session: its state and the
// decision for every region that applies to the client and every technique.
type Board struct {
	Session SessionView `json:"session"`
	At      time.Time   `json:"at"`
	Rows    []BoardRow  `json:"rows"`
}

// SessionBoard decides every applicable (region, technique) of a session at
// once. The session's practitioner, its client and admins may read it; it is
// audited as one read.
func (a *App) SessionBoard(ctx context.Context, ac Actor, sessionID string) (Board, error) {
	var b Board
	counts := map[consent.Outcome]int{}
	err := a.update(ctx, func(tx store.Tx) error {
		s, err := visibleSession(ctx, tx, ac, sessionID)
		if err != nil {
			return err
		}
		if err := a.closeIfOverdue(ctx, tx, s); err != nil {
			return err
		}
		e, f, err := a.decisionFacts(ctx, tx, s)
		if err != nil {
			return err
		}
		b = Board{Session: a.sessionView(s), At: tx.Now()}
		techniques := catalogue.TechniqueCodes()
		for _, r := range catalogue.Regions() {
			if !r.AppliesTo(e.anatomy) {
				continue
			}
			row := BoardRow{Region: r.Code, Label: r.Label, Group: string(r.Group), Cells: make([]BoardCell, 0, len(techniques))}
			for _, t := range techniques {
				d := e.decide(&f, r.Code, t, tx.Now())
				counts[d.Outcome]++
				row.Cells = append(row.Cells, BoardCell{Technique: t, Decision: d})
			}
			b.Rows = append(b.Rows, row)
		}
		return record(ctx, tx, ac, "decision.board", s.ID, s.ClientID, "")
	})
	if err == nil && a.cfg.OnDecision != nil {
		for o, n := range counts {
			for range n {
				a.cfg.OnDecision(string(o))
			}
		}
	}
	return b, err
}
