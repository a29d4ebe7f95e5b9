package sqlstore

import (
	"context"
	"fmt"
	"maps"

	"holdspace"
	"holdspace/audit"
	"holdspace/store"
)

// Copy copies every record of src into dst, which must be migrated and
// empty, keeping ids, times, versions, signatures, session sequences and the
// audit chain exactly (through the store.Importer methods), in one read
// transaction of src and one write transaction of dst: either all of it
// arrives or nothing does. It then compares the row counts of both and
// returns an error when they differ. It holds the practice in memory.
//
// progress, when not nil, is called after each record is written with the
// number written so far and the total.
func Copy(ctx context.Context, dst, src store.ImportDB, progress func(done, total int)) error {
	var snap snapshot
	if err := src.Export(ctx, func(tx store.ImportTx) error { return snap.read(ctx, tx) }); err != nil {
		return fmt.Errorf("copy: read source: %w", err)
	}
	total := snap.size()
	done := 0
	snap.tick = func() {
		done++
		if progress != nil {
			progress(done, total)
		}
	}
	if err := dst.Import(ctx, func(tx store.ImportTx) error { return snap.write(ctx, tx) }); err != nil {
		return fmt.Errorf("copy: write destination: %w", err)
	}
	var want, got map[string]int64
	if err := src.Export(ctx, func(tx store.ImportTx) (err error) { want, err = tx.Counts(ctx); return err }); err != nil {
		return fmt.Errorf("copy: count source: %w", err)
	}
	if err := dst.Export(ctx, func(tx store.ImportTx) (err error) { got, err = tx.Counts(ctx); return err }); err != nil {
		return fmt.Errorf("copy: count destination: %w", err)
	}
	if !maps.Equal(want, got) {
		return fmt.Errorf("copy: row counts differ: source %v, destination %v", want, got)
	}
	return nil
}

// snapshot is a whole practice read from one database.
type snapshot struct {
	users        []*store.User
	tokens       []*store.Token
	clients      []*store.Client
	credentials  []*store.Credential
	screenings   []*store.Screening
	health       []*store.HealthChange
	clearances   []*store.Clearance
	agreements   []*store.Agreement
	revocations  []*store.Revocation
	sessions     []*store.Session
	events       []*store.SessionEvent
	auditEntries []audit.Entry
	keyChecks    []store.KeyCheck
	clientKeys   []store.SealedValue
	practice     practiceSnapshot
	booking      bookingSnapshot
	tick         func()
}

// size is the number of records in the snapshot.
func (s *snapshot) size() int {
	return len(s.users) + len(s.tokens) + len(s.clients) + len(s.credentials) + len(s.screenings) + len(s.health) +
		len(s.clearances) + len(s.agreements) + len(s.revocations) + len(s.sessions) + len(s.events) + len(s.auditEntries) +
		len(s.keyChecks) + len(s.clientKeys) + s.practice.size() + s.booking.size()
}

func (s *snapshot) read(ctx context.Context, tx store.ImportTx) error {
	var err error
	if s.users, err = tx.AllUsers(ctx); err != nil {
		return err
	}
	if s.tokens, err = tx.AllTokens(ctx); err != nil {
		return err
	}
	if s.clients, err = tx.ListClients(ctx, store.ClientFilter{}); err != nil {
		return err
	}
	for _, u := range s.users {
		cs, err := tx.ListCredentials(ctx, u.ID)
		if err != nil {
			return err
		}
		s.credentials = append(s.credentials, cs...)
	}
	for _, c := range s.clients {
		scr, err := tx.ListScreenings(ctx, c.ID)
		if err != nil {
			return err
		}
		s.screenings = append(s.screenings, scr...)
		hs, err := tx.ListHealthChanges(ctx, c.ID)
		if err != nil {
			return err
		}
		s.health = append(s.health, hs...)
		cls, err := tx.ListClearances(ctx, c.ID)
		if err != nil {
			return err
		}
		s.clearances = append(s.clearances, cls...)
		as, err := tx.ListAgreements(ctx, c.ID)
		if err != nil {
			return err
		}
		s.agreements = append(s.agreements, as...)
		rs, err := tx.ListRevocations(ctx, c.ID)
		if err != nil {
			return err
		}
		s.revocations = append(s.revocations, rs...)
	}
	if s.sessions, err = tx.ListSessions(ctx, store.SessionFilter{}); err != nil {
		return err
	}
	for _, se := range s.sessions {
		evs, err := tx.ListEvents(ctx, se.ID)
		if err != nil {
			return err
		}
		s.events = append(s.events, evs...)
	}
	if s.keyChecks, err = tx.KeyChecks(ctx); err != nil {
		return err
	}
	keyCol := store.SealedColumn{Table: "client_keys", Column: "key_sealed"}
	for after := ""; ; {
		page, err := tx.SealedValues(ctx, keyCol, after, 1000)
		if err != nil {
			return err
		}
		s.clientKeys = append(s.clientKeys, page...)
		if len(page) < 1000 {
			break
		}
		after = page[len(page)-1].ID
	}
	if err := s.practice.read(ctx, tx, s.clients); err != nil {
		return err
	}
	if err := s.booking.read(ctx, tx, s.users); err != nil {
		return err
	}
	return tx.ScanAudit(ctx, func(e audit.Entry) error {
		s.auditEntries = append(s.auditEntries, e)
		return nil
	})
}

// write stores the snapshot, parents before children.
func (s *snapshot) write(ctx context.Context, tx store.ImportTx) error {
	for _, u := range s.users {
		if err := tx.ImportUser(ctx, u); err != nil {
			return fmt.Errorf("user %s: %w", u.ID, err)
		}
		s.tick()
	}
	for _, k := range s.tokens {
		if err := tx.CreateToken(ctx, k); err != nil {
			return fmt.Errorf("token of %s: %w", k.UserID, err)
		}
		s.tick()
	}
	for _, c := range s.clients {
		if err := tx.CreateClient(ctx, c); err != nil {
			return fmt.Errorf("client %s: %w", c.ID, err)
		}
		s.tick()
	}
	for _, c := range s.credentials {
		if err := tx.CreateCredential(ctx, c); err != nil {
			return fmt.Errorf("credential %s: %w", c.ID, err)
		}
		s.tick()
	}
	for _, x := range s.screenings {
		if err := tx.CreateScreening(ctx, x); err != nil {
			return fmt.Errorf("screening %s: %w", x.ID, err)
		}
		s.tick()
	}
	for _, h := range s.health {
		if err := tx.CreateHealthChange(ctx, h); err != nil {
			return fmt.Errorf("health change %s: %w", h.ID, err)
		}
		s.tick()
	}
	for _, c := range s.clearances {
		if err := tx.CreateClearance(ctx, c); err != nil {
			return fmt.Errorf("clearance %s: %w", c.ID, err)
		}
		s.tick()
	}
	for _, a := range s.agreements {
		if err := tx.CreateAgreement(ctx, a); err != nil {
			return fmt.Errorf("agreement %s: %w", a.ID, err)
		}
		s.tick()
	}
	for _, r := range s.revocations {
		if err := tx.CreateRevocation(ctx, r); err != nil {
			return fmt.Errorf("revocation %s: %w", r.ID, err)
		}
		s.tick()
	}
	for _, se := range s.sessions {
		if err := tx.CreateSession(ctx, se); err != nil {
			return fmt.Errorf("session %s: %w", se.ID, err)
		}
		s.tick()
	}
	for _, e := range s.events {
		if err := tx.ImportEvent(ctx, e); err != nil {
			return fmt.Errorf("event %s: %w", e.ID, err)
		}
		s.tick()
	}
	if err := s.practice.write(ctx, tx, s.tick); err != nil {
		return err
	}
	if err := s.booking.write(ctx, tx, s.tick); err != nil {
		return err
	}
	for _, k := range s.keyChecks {
		if err := tx.PutKeyCheck(ctx, k); err != nil {
			return fmt.Errorf("key check %s: %w", k.ID, err)
		}
		s.tick()
	}
	for _, k := range s.clientKeys {
		if _, err := tx.PutClientKey(ctx, k.ID, k.Value, tx.Now()); err != nil {
			return fmt.Errorf("client key %s: %w", k.ID, err)
		}
		s.tick()
	}
	for _, e := range s.auditEntries {
		if err := tx.ImportAudit(ctx, e); err != nil {
			return fmt.Errorf("audit entry %d: %w", e.Seq, err)
		}
		s.tick()
	}
	return nil
}

// practiceSnapshot is the issue-10 part of a practice copied between
// engines: the settings row exactly (version included), guardians'
// consents and follow-ups.
type practiceSnapshot struct {
	settings  *store.PracticeSettings
	guardians []*store.GuardianConsent
	followUps []*store.FollowUp
}

func (p *practiceSnapshot) size() int {
	n := len(p.guardians) + len(p.followUps)
	if p.settings != nil {
		n++
	}
	return n
}

func (p *practiceSnapshot) read(ctx context.Context, tx store.Tx, clients []*store.Client) error {
	s, err := tx.PracticeSettings(ctx)
	switch {
	case err == nil:
		p.settings = s
	case holdspace.ErrorCode(err) != holdspace.ENOTFOUND:
		return err
	}
	for _, c := range clients {
		gs, err := tx.ListGuardianConsents(ctx, c.ID)
		if err != nil {
			return err
		}
		p.guardians = append(p.guardians, gs...)
	}
	p.followUps, err = tx.ListFollowUps(ctx, store.FollowUpFilter{})
	return err
}

func (p *practiceSnapshot) write(ctx context.Context, tx store.Tx, tick func()) error {
	if p.settings != nil {
		t, ok := tx.(*Tx)
		if !ok {
			return fmt.Errorf("copy: practice settings need a sqlstore transaction")
		}
		if _, err := t.exec(ctx, "import practice settings",
			`INSERT INTO practice_settings (id, body, version, updated_at, updated_by) VALUES (1, $1, $2, $3, $4)`,
			string(p.settings.Body), p.settings.Version, micros(p.settings.UpdatedAt), p.settings.UpdatedBy); err != nil {
			return err
		}
		tick()
	}
	for _, g := range p.guardians {
		if err := tx.CreateGuardianConsent(ctx, g); err != nil {
			return fmt.Errorf("guardian consent %s: %w", g.AgreementID, err)
		}
		tick()
	}
	for _, f := range p.followUps {
		if err := tx.CreateFollowUp(ctx, f); err != nil {
			return fmt.Errorf("follow-up %s: %w", f.ID, err)
		}
		tick()
	}
	return nil
}
