package app

import (
	"context"

	"holdspace/consent"
	"holdspace/store"
)

// clientRecord is what holdspace holds about one client, read in one
// transaction along one walk: the client, their practitioners (with
// credentials), agreements, screenings and sessions (with events). The
// export, the FHIR bundle and the client file are views of it.
type clientRecord struct {
	client *store.Client
	view   ClientView
	// practitioners are the client's assigned practitioners, in the order
	// the client lists them; credentials holds each one's credentials.
	practitioners []Person
	credentials   map[string][]*store.Credential
	// agreements are opened, oldest version first; agreementRecs are their
	// stored records, index for index.
	agreements    []consent.Agreement
	agreementRecs []*store.Agreement
	screenings    []ScreeningView
	sessions      []sessionRecord
}

// sessionRecord is a session with its events as stored (each view opens
// them as far as it needs: see eventOf).
type sessionRecord struct {
	session *store.Session
	events  []*store.SessionEvent
}

// gatherTx is the part of the store a client record is read from.
type gatherTx interface {
	store.Agreements
	store.Clients
	store.Credentials
	store.Guardians
	store.Screenings
	store.Sessions
	store.Users
}

// gatherClientRecord reads the record of client c, whom the caller has
// already found visible (visibleClient) and allowed to read. It records no
// audit entry: each use case audits its own read.
func (a *core) gatherClientRecord(ctx context.Context, tx gatherTx, c *store.Client) (*clientRecord, error) {
	rec := &clientRecord{client: c, credentials: map[string][]*store.Credential{}}
	u, err := tx.User(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	if rec.view, err = a.clientView(u, c); err != nil {
		return nil, err
	}
	if rec.practitioners, err = a.practitionersOf(ctx, tx, c); err != nil {
		return nil, err
	}
	for _, p := range rec.practitioners {
		if rec.credentials[p.ID], err = tx.ListCredentials(ctx, p.ID); err != nil {
			return nil, err
		}
	}
	if rec.agreements, rec.agreementRecs, err = a.loadAgreements(ctx, tx, c.ID); err != nil {
		return nil, err
	}
	if rec.screenings, err = a.screeningsOf(ctx, tx, c.ID); err != nil {
		return nil, err
	}
	sess, err := tx.ListSessions(ctx, store.SessionFilter{ClientID: c.ID})
	if err != nil {
		return nil, err
	}
	for _, s := range sess {
		evs, err := tx.ListEvents(ctx, s.ID)
		if err != nil {
			return nil, err
		}
		rec.sessions = append(rec.sessions, sessionRecord{session: s, events: evs})
	}
	return rec, nil
}

// practitionersOf opens the accounts of a client's practitioners (erased
// ones are skipped).
func (a *core) practitionersOf(ctx context.Context, tx store.Users, c *store.Client) ([]Person, error) {
	var out []Person
	for _, pid := range c.PractitionerIDs {
		pu, err := tx.User(ctx, pid)
		if err != nil {
			continue
		}
		p, err := a.person(pu)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}
