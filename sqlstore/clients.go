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

// ListClients implements store.Clients: matching clients, oldest first.
func (t *Tx) ListClients(ctx context.Context, f store.ClientFilter) ([]*store.Client, error) {
	if f.PractitionerID == "" {
		cs, err := many(ctx, t, "clients", `SELECT `+clientCols+` FROM clients ORDER BY created_at, id`, scanClient)
		if err != nil {
			return nil, err
		}
		return cs, t.loadAssignments(ctx, cs, "")
	}
	cs, err := many(ctx, t, "clients", `SELECT `+clientCols+` FROM clients
		WHERE id IN (SELECT client_id FROM client_practitioners WHERE practitioner_id = $1)
		ORDER BY created_at, id`, scanClient, f.PractitionerID)
	if err != nil {
		return nil, err
	}
	return cs, t.loadAssignments(ctx, cs,
		`WHERE client_id IN (SELECT client_id FROM client_practitioners WHERE practitioner_id = $1)`, f.PractitionerID)
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

const credentialCols = `id, practitioner_id, kind, issuer, number, valid_from, valid_until, covers, created_at, revoked_at, revoked_reason`

func scanCredential(s scanner) (*store.Credential, error) {
	var c store.Credential
	err := s.Scan(&c.ID, &c.PractitionerID, &c.Kind, &c.Issuer, &c.Number, timeCol{&c.ValidFrom},
		timeCol{&c.ValidUntil}, listCol{&c.Covers}, timeCol{&c.CreatedAt}, timeCol{&c.RevokedAt}, &c.RevokedReason)
	return &c, err
}

// CreateCredential implements store.Credentials; ENOTFOUND when the
// practitioner does not exist, ECONFLICT when the id does.
func (t *Tx) CreateCredential(ctx context.Context, c *store.Credential) error {
	_, err := t.exec(ctx, "create credential", `INSERT INTO credentials (`+credentialCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		c.ID, c.PractitionerID, c.Kind, c.Issuer, c.Number, nullMicros(c.ValidFrom), nullMicros(c.ValidUntil),
		list(c.Covers), micros(c.CreatedAt), nullMicros(c.RevokedAt), c.RevokedReason)
	return err
}

// RevokeCredential implements store.Credentials: ECONFLICT
// already_revoked, ENOTFOUND.
func (t *Tx) RevokeCredential(ctx context.Context, id string, at time.Time, reason string) error {
	n, err := t.exec(ctx, "revoke credential", `UPDATE credentials SET revoked_at = $2, revoked_reason = $3 WHERE id = $1 AND revoked_at IS NULL`,
		id, micros(at), reason)
	if err != nil || n == 1 {
		return err
	}
	found, err := t.exists(ctx, "revoke credential", `SELECT 1 FROM credentials WHERE id = $1`, id)
	if err != nil {
		return err
	}
	if !found {
		return holdspace.NotFound("credential")
	}
	return holdspace.Conflict("already_revoked", "This credential is revoked already.")
}

// ListCredentials implements store.Credentials: oldest first.
func (t *Tx) ListCredentials(ctx context.Context, practitionerID string) ([]*store.Credential, error) {
	return many(ctx, t, "credentials", `SELECT `+credentialCols+` FROM credentials WHERE practitioner_id = $1 ORDER BY created_at, id`,
		scanCredential, practitionerID)
}

const screeningCols = `id, client_id, questionnaire, answers_sealed, result_sealed, taken_at, valid_until, recorded_by,
	recorded_role, confirmed_at, confirmed_by, confirm_method, confirm_typed_name_sealed`

func scanScreening(s scanner) (*store.Screening, error) {
	var x store.Screening
	var role string
	err := s.Scan(&x.ID, &x.ClientID, &x.Questionnaire, &x.AnswersSealed, &x.ResultSealed, timeCol{&x.TakenAt},
		timeCol{&x.ValidUntil}, &x.RecordedBy, &role, timeCol{&x.ConfirmedAt}, &x.ConfirmedBy, &x.ConfirmMethod,
		&x.ConfirmTypedNameSealed)
	x.RecordedRole = holdspace.Role(role)
	return &x, err
}

// CreateScreening implements store.Screenings; ENOTFOUND when the client
// does not exist.
func (t *Tx) CreateScreening(ctx context.Context, s *store.Screening) error {
	_, err := t.exec(ctx, "create screening", `INSERT INTO screenings (`+screeningCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		s.ID, s.ClientID, s.Questionnaire, blob(s.AnswersSealed), blob(s.ResultSealed), micros(s.TakenAt),
		nullMicros(s.ValidUntil), s.RecordedBy, string(s.RecordedRole), nullMicros(s.ConfirmedAt), s.ConfirmedBy,
		s.ConfirmMethod, blob(s.ConfirmTypedNameSealed))
	return err
}

// ConfirmScreening implements store.Screenings: the confirmation fields of
// s.ID are written once. EINVALID when s.ConfirmedAt is zero, ECONFLICT
// already_confirmed, ENOTFOUND.
func (t *Tx) ConfirmScreening(ctx context.Context, s *store.Screening) error {
	if s.ConfirmedAt.IsZero() {
		return holdspace.Invalid("confirmed_at_required", "confirmed_at", "A confirmation needs a time.")
	}
	n, err := t.exec(ctx, "confirm screening", `UPDATE screenings SET confirmed_at = $2, confirmed_by = $3, confirm_method = $4,
		confirm_typed_name_sealed = $5 WHERE id = $1 AND confirmed_at IS NULL`,
		s.ID, micros(s.ConfirmedAt), s.ConfirmedBy, s.ConfirmMethod, blob(s.ConfirmTypedNameSealed))
	if err != nil || n == 1 {
		return err
	}
	found, err := t.exists(ctx, "confirm screening", `SELECT 1 FROM screenings WHERE id = $1`, s.ID)
	if err != nil {
		return err
	}
	if found {
		return holdspace.Conflict("already_confirmed", "The client has confirmed this screening already.")
	}
	return holdspace.NotFound("screening")
}

// Screening implements store.Screenings; ENOTFOUND.
func (t *Tx) Screening(ctx context.Context, id string) (*store.Screening, error) {
	return one(ctx, t, "screening", `SELECT `+screeningCols+` FROM screenings WHERE id = $1`, scanScreening, id)
}

// ListScreenings implements store.Screenings: newest first.
func (t *Tx) ListScreenings(ctx context.Context, clientID string) ([]*store.Screening, error) {
	return many(ctx, t, "screenings", `SELECT `+screeningCols+` FROM screenings WHERE client_id = $1 ORDER BY taken_at DESC, id DESC`,
		scanScreening, clientID)
}

// LatestScreening implements store.Screenings; ENOTFOUND when none.
func (t *Tx) LatestScreening(ctx context.Context, clientID string) (*store.Screening, error) {
	return one(ctx, t, "screening", `SELECT `+screeningCols+` FROM screenings WHERE client_id = $1 ORDER BY taken_at DESC, id DESC LIMIT 1`,
		scanScreening, clientID)
}

const healthChangeCols = `id, client_id, at, note_sealed, recorded_by`

func scanHealthChange(s scanner) (*store.HealthChange, error) {
	var h store.HealthChange
	err := s.Scan(&h.ID, &h.ClientID, timeCol{&h.At}, &h.NoteSealed, &h.RecordedBy)
	return &h, err
}

// CreateHealthChange implements store.Screenings; ENOTFOUND when the
// client does not exist.
func (t *Tx) CreateHealthChange(ctx context.Context, h *store.HealthChange) error {
	_, err := t.exec(ctx, "create health change", `INSERT INTO health_changes (`+healthChangeCols+`) VALUES ($1, $2, $3, $4, $5)`,
		h.ID, h.ClientID, micros(h.At), blob(h.NoteSealed), h.RecordedBy)
	return err
}

// ListHealthChanges implements store.Screenings: oldest first.
func (t *Tx) ListHealthChanges(ctx context.Context, clientID string) ([]*store.HealthChange, error) {
	return many(ctx, t, "health changes", `SELECT `+healthChangeCols+` FROM health_changes WHERE client_id = $1 ORDER BY at, id`,
		scanHealthChange, clientID)
}

const clearanceCols = `id, client_id, screening_id, rule, cleared_by_sealed, cleared_on, note_sealed, recorded_by, recorded_at`

func scanClearance(s scanner) (*store.Clearance, error) {
	var c store.Clearance
	err := s.Scan(&c.ID, &c.ClientID, &c.ScreeningID, &c.Rule, &c.ClearedBySealed, &c.ClearedOn, &c.NoteSealed,
		&c.RecordedBy, timeCol{&c.RecordedAt})
	return &c, err
}

// CreateClearance implements store.Screenings; ENOTFOUND when the client
// does not exist.
func (t *Tx) CreateClearance(ctx context.Context, c *store.Clearance) error {
	_, err := t.exec(ctx, "create clearance", `INSERT INTO clearances (`+clearanceCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		c.ID, c.ClientID, c.ScreeningID, c.Rule, blob(c.ClearedBySealed), c.ClearedOn, blob(c.NoteSealed),
		c.RecordedBy, micros(c.RecordedAt))
	return err
}

// ListClearances implements store.Screenings: oldest first.
func (t *Tx) ListClearances(ctx context.Context, clientID string) ([]*store.Clearance, error) {
	return many(ctx, t, "clearances", `SELECT `+clearanceCols+` FROM clearances WHERE client_id = $1 ORDER BY recorded_at, id`,
		scanClearance, clientID)
}
