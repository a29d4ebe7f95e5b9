package sqlstore

import (
	"context"
	"time"

	"holdspace"
	"holdspace/store"
)

const clientCols = `id, birth_date_sealed, anatomy_sealed, notes_sealed, created_at, created_by`

func scanClient(s scanner) (*store.Client, error) {
	var c store.Client
	err := s.Scan(&c.ID, &c.BirthDateSealed, &c.AnatomySealed, &c.NotesSealed, timeCol{&c.CreatedAt}, &c.CreatedBy)
	return &c, err
}

// CreateClient implements store.Clients: c and its assignments are stored;
// ENOTFOUND when the user or a practitioner does not exist, ECONFLICT when
// the client exists.
func (t *Tx) CreateClient(ctx context.Context, c *store.Client) error {
	if _, err := t.exec(ctx, "create client", `INSERT INTO clients (`+clientCols+`) VALUES ($1, $2, $3, $4, $5, $6)`,
		c.ID, blob(c.BirthDateSealed), blob(c.AnatomySealed), blob(c.NotesSealed), micros(c.CreatedAt), c.CreatedBy); err != nil {
		return err
	}
	return t.assign(ctx, c.ID, c.PractitionerIDs)
}

// assign stores the practitioner assignments of a client, in order,
// ignoring repeats.
func (t *Tx) assign(ctx context.Context, clientID string, practitionerIDs []string) error {
	seen := make(map[string]bool, len(practitionerIDs))
	pos := 0
	for _, p := range practitionerIDs {
		if seen[p] {
			continue
		}
		seen[p] = true
		if _, err := t.exec(ctx, "assign practitioner",
			`INSERT INTO client_practitioners (client_id, practitioner_id, position) VALUES ($1, $2, $3)`,
			clientID, p, pos); err != nil {
			return err
		}
		pos++
	}
	return nil
}

// Client implements store.Clients; ENOTFOUND when unknown or erased.
func (t *Tx) Client(ctx context.Context, id string) (*store.Client, error) {
	c, err := one(ctx, t, "client", `SELECT `+clientCols+` FROM clients WHERE id = $1`, scanClient, id)
	if err != nil {
		return nil, err
	}
	if err := t.loadAssignments(ctx, []*store.Client{c}, `WHERE client_id = $1`, id); err != nil {
		return nil, err
	}
	return c, nil
}

// loadAssignments fills PractitionerIDs of cs from the client_practitioners
// rows selected by cond.
func (t *Tx) loadAssignments(ctx context.Context, cs []*store.Client, cond string, args ...any) error {
	if len(cs) == 0 {
		return nil
	}
	type pair struct{ c, p string }
	ps, err := many(ctx, t, "assignments",
		`SELECT client_id, practitioner_id FROM client_practitioners `+cond+` ORDER BY client_id, position`,
		func(s scanner) (pair, error) {
			var p pair
			err := s.Scan(&p.c, &p.p)
			return p, err
		}, args...)
	if err != nil {
		return err
	}
	byID := make(map[string]*store.Client, len(cs))
	for _, c := range cs {
		byID[c.ID] = c
	}
	for _, p := range ps {
		if c, ok := byID[p.c]; ok {
			c.PractitionerIDs = append(c.PractitionerIDs, p.p)
		}
	}
	return nil
}

// ListClients implements store.Clients: matching clients by (created_at,
// id), from f.After, at most f.Limit. Only the page's assignments are read.
func (t *Tx) ListClients(ctx context.Context, f store.ClientFilter) ([]*store.Client, error) {
	var w where
	if f.PractitionerID != "" {
		w.add("id IN (SELECT client_id FROM client_practitioners WHERE practitioner_id = ?)", f.PractitionerID)
	}
	w.keyset("created_at", "id", f.After)
	lim, err := w.limitClause(f.Limit)
	if err != nil {
		return nil, err
	}
	cs, err := many(ctx, t, "clients", `SELECT `+clientCols+` FROM clients`+w.String()+` ORDER BY created_at, id`+lim,
		scanClient, w.args...)
	if err != nil || len(cs) == 0 {
		return cs, err
	}
	if f.Limit == 0 && f.After.IsZero() {
		if f.PractitionerID == "" {
			return cs, t.loadAssignments(ctx, cs, "")
		}
		return cs, t.loadAssignments(ctx, cs,
			`WHERE client_id IN (SELECT client_id FROM client_practitioners WHERE practitioner_id = $1)`, f.PractitionerID)
	}
	ids := make([]any, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	return cs, t.loadAssignments(ctx, cs, `WHERE client_id IN (`+paramList(1, len(ids))+`)`, ids...)
}

// UpdateClient implements store.Clients: the sealed fields and the
// assignments are replaced; ENOTFOUND.
func (t *Tx) UpdateClient(ctx context.Context, c *store.Client) error {
	n, err := t.exec(ctx, "update client",
		`UPDATE clients SET birth_date_sealed = $2, anatomy_sealed = $3, notes_sealed = $4 WHERE id = $1`,
		c.ID, blob(c.BirthDateSealed), blob(c.AnatomySealed), blob(c.NotesSealed))
	if err != nil {
		return err
	}
	if n == 0 {
		return holdspace.NotFound("client")
	}
	if _, err := t.exec(ctx, "update client", `DELETE FROM client_practitioners WHERE client_id = $1`, c.ID); err != nil {
		return err
	}
	return t.assign(ctx, c.ID, c.PractitionerIDs)
}

// eraseSteps delete everything about a client ($1), children first.
var eraseSteps = []string{
	`DELETE FROM follow_ups WHERE client_id = $1`,
	`DELETE FROM guardian_consents WHERE client_id = $1`,
	`DELETE FROM bookings WHERE client_id = $1`,
	`DELETE FROM session_events WHERE session_id IN (SELECT id FROM sessions WHERE client_id = $1)`,
	`DELETE FROM sessions WHERE client_id = $1`,
	`DELETE FROM revocations WHERE client_id = $1 OR agreement_id IN (SELECT id FROM agreements WHERE client_id = $1)`,
	`DELETE FROM agreements WHERE client_id = $1`,
	`DELETE FROM clearances WHERE client_id = $1`,
	`DELETE FROM health_changes WHERE client_id = $1`,
	`DELETE FROM screenings WHERE client_id = $1`,
	`DELETE FROM client_practitioners WHERE client_id = $1`,
	`DELETE FROM clients WHERE id = $1`,
	`DELETE FROM tokens WHERE user_id = $1`,
	`DELETE FROM outbox WHERE user_id = $1`,
	`DELETE FROM client_keys WHERE id = $1`,
}

// EraseClient implements store.Clients: every record about the client is
// deleted and the user is marked erased without name, email or index;
// audit entries stay. ENOTFOUND when the client is unknown or erased.
func (t *Tx) EraseClient(ctx context.Context, id string, at time.Time) error {
	found, err := t.exists(ctx, "erase client", `SELECT 1 FROM clients WHERE id = $1`, id)
	if err != nil {
		return err
	}
	if !found {
		return holdspace.NotFound("client")
	}
	for _, q := range eraseSteps {
		if _, err := t.exec(ctx, "erase client", q, id); err != nil {
			return err
		}
	}
	if at.IsZero() {
		at = t.now
	}
	_, err = t.exec(ctx, "erase client", `UPDATE users SET email_index = NULL, email_sealed = NULL, name_sealed = NULL,
		password_hash = '', totp_sealed = NULL, totp_pending_sealed = NULL, recovery_codes = '[]', erased_at = $2 WHERE id = $1`, id, micros(at))
	return err
}
