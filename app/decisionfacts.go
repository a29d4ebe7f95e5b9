package app

import (
	"context"
	"time"

	"holdspace/catalogue"
	"holdspace/consent"
	"holdspace/practice"
	"holdspace/store"
)

// decisionFacts returns the compiled index for a session's client and
// practitioner, and the session's folded facts (with its CloseBy), current
// as of tx.
func (a *Decisions) decisionFacts(ctx context.Context, tx interface {
	store.Agreements
	store.Clients
	store.Credentials
	store.Guardians
	store.Screenings
	store.Sessions
	store.Settings
	store.Users
	txBase
}, s *store.Session, epoch int64) (*indexEntry, practice.Facts, error) {
	at := tx.Now()
	f, err := a.sessionFacts(ctx, tx, s)
	if err != nil {
		return nil, practice.Facts{}, err
	}
	var liftFrom time.Time
	if f.State.IsLive() {
		liftFrom = f.OpenedAt
	}
	// Versions and settings come from memory while tagged with the
	// epoch tx read before (hotcache.go); noEpoch reads them here.
	cv, pv, ok := a.hot.factVersions(s.ClientID, s.PractitionerID, epoch)
	if !ok {
		vs, err := tx.Versions(ctx, s.ClientID, s.PractitionerID)
		if err != nil {
			return nil, practice.Facts{}, err
		}
		cv, pv = vs[s.ClientID], vs[s.PractitionerID]
		a.hot.putVersions(vs, []string{s.ClientID, s.PractitionerID}, epoch)
	}
	ps, ok := a.hot.practiceSettings(epoch)
	if !ok {
		if ps, err = a.practiceSettings(ctx, tx); err != nil {
			return nil, practice.Facts{}, err
		}
		a.hot.putPracticeSettings(ps, epoch)
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
		// Cached once what it was built from is committed.
		client, pract := s.ClientID, s.PractitionerID
		tx.AfterCommit(func() { a.facts.putIndex(client, pract, e) })
	}
	return e, f, nil
}

// sessionFacts folds a session's events (cached by its Seq) and sets its
// CloseBy from the booking.
func (a *Decisions) sessionFacts(ctx context.Context, tx interface {
	store.Sessions
	txBase
}, s *store.Session) (practice.Facts, error) {
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
			id, seq, cached := s.ID, s.Seq, f
			tx.AfterCommit(func() { a.facts.putSession(id, seq, cached) })
		}
	}
	f.CloseBy = a.booking(s).CloseBy(a.cfg.SessionGrace)
	return f, nil
}

// compile gathers every decision fact of a client and practitioner and
// compiles them into an index, for a session opened at liftFrom (zero:
// none; see screening.Effective), under the practice settings ps.
func (a *Decisions) compile(ctx context.Context, tx interface {
	store.Agreements
	store.Clients
	store.Credentials
	store.Guardians
	store.Screenings
	store.Users
}, clientID, practitionerID string, at, liftFrom time.Time, ps practiceState) (*indexEntry, error) {
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

// policy returns the decision policy of the practice's settings.
func (a *Decisions) policy(st practiceState) consent.Policy {
	return consent.Policy{
		AskWindow:         a.cfg.AskWindow,
		AgeOfMajority:     st.settings.AgeOfMajority,
		Location:          st.loc,
		SensualNotOffered: !st.settings.SensualOffered,
		Scope:             st.settings.Scope,
	}
}
