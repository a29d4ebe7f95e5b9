package sqlstore

import (
	"context"

	"holdspace"
	"holdspace/store"
)

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
