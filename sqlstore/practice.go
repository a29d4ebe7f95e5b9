package sqlstore

import (
	"context"
	"fmt"
	"time"

	"holdspace"
	"holdspace/store"
)

// PracticeSettings implements store.Settings; ENOTFOUND when never saved.
func (t *Tx) PracticeSettings(ctx context.Context) (*store.PracticeSettings, error) {
	return one(ctx, t, "practice settings", `SELECT body, version, updated_at, updated_by FROM practice_settings WHERE id = 1`,
		func(s scanner) (*store.PracticeSettings, error) {
			var p store.PracticeSettings
			var body string
			err := s.Scan(&body, &p.Version, timeCol{&p.UpdatedAt}, &p.UpdatedBy)
			p.Body = []byte(body)
			return &p, err
		})
}

// PutPracticeSettings implements store.Settings: the one row is replaced
// and its version moves by one.
func (t *Tx) PutPracticeSettings(ctx context.Context, p *store.PracticeSettings) error {
	n, err := t.exec(ctx, "put practice settings",
		`UPDATE practice_settings SET body = $1, version = version + 1, updated_at = $2, updated_by = $3 WHERE id = 1`,
		string(p.Body), micros(p.UpdatedAt), p.UpdatedBy)
	if err != nil {
		return err
	}
	if n == 0 {
		if _, err := t.exec(ctx, "put practice settings",
			`INSERT INTO practice_settings (id, body, version, updated_at, updated_by) VALUES (1, $1, 1, $2, $3)`,
			string(p.Body), micros(p.UpdatedAt), p.UpdatedBy); err != nil {
			return err
		}
	}
	cur, err := t.PracticeSettings(ctx)
	if err != nil {
		return err
	}
	p.Version = cur.Version
	return nil
}

// CreateGuardianConsent implements store.Guardians.
func (t *Tx) CreateGuardianConsent(ctx context.Context, g *store.GuardianConsent) error {
	_, err := t.exec(ctx, "create guardian consent",
		`INSERT INTO guardian_consents (id, client_id, sealed, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5)`,
		g.AgreementID, g.ClientID, g.Sealed, g.RecordedBy, micros(g.RecordedAt))
	return err
}

// ListGuardianConsents implements store.Guardians: oldest first.
func (t *Tx) ListGuardianConsents(ctx context.Context, clientID string) ([]*store.GuardianConsent, error) {
	return many(ctx, t, "guardian consents",
		`SELECT id, client_id, sealed, recorded_by, recorded_at FROM guardian_consents WHERE client_id = $1 ORDER BY recorded_at, id`,
		func(s scanner) (*store.GuardianConsent, error) {
			var g store.GuardianConsent
			err := s.Scan(&g.AgreementID, &g.ClientID, &g.Sealed, &g.RecordedBy, timeCol{&g.RecordedAt})
			return &g, err
		}, clientID)
}

const followUpCols = `id, session_id, client_id, practitioner_id, triggers, to_acknowledge, created_at, due_at, answered_at,
	answer_event_id, acknowledged_at, acknowledged_by`

func scanFollowUp(s scanner) (*store.FollowUp, error) {
	var f store.FollowUp
	var adverse int64
	err := s.Scan(&f.ID, &f.SessionID, &f.ClientID, &f.PractitionerID, listCol{&f.Triggers}, &adverse, timeCol{&f.CreatedAt},
		timeCol{&f.DueAt}, timeCol{&f.AnsweredAt}, &f.AnswerEventID, timeCol{&f.AcknowledgedAt}, &f.AcknowledgedBy)
	f.Adverse = adverse != 0
	return &f, err
}

// CreateFollowUp implements store.FollowUps.
func (t *Tx) CreateFollowUp(ctx context.Context, f *store.FollowUp) error {
	_, err := t.exec(ctx, "create follow-up", `INSERT INTO follow_ups (`+followUpCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		f.ID, f.SessionID, f.ClientID, f.PractitionerID, list(f.Triggers), boolInt(f.Adverse), micros(f.CreatedAt), micros(f.DueAt),
		nullMicros(f.AnsweredAt), f.AnswerEventID, nullMicros(f.AcknowledgedAt), f.AcknowledgedBy)
	return err
}

// FollowUp implements store.FollowUps; ENOTFOUND.
func (t *Tx) FollowUp(ctx context.Context, id string) (*store.FollowUp, error) {
	return one(ctx, t, "follow-up", `SELECT `+followUpCols+` FROM follow_ups WHERE id = $1`, scanFollowUp, id)
}

// ListFollowUps implements store.FollowUps: earliest due first.
func (t *Tx) ListFollowUps(ctx context.Context, f store.FollowUpFilter) ([]*store.FollowUp, error) {
	var w where
	if f.ClientID != "" {
		w.add("client_id = ?", f.ClientID)
	}
	if f.PractitionerID != "" {
		w.add("practitioner_id = ?", f.PractitionerID)
	}
	if f.SessionID != "" {
		w.add("session_id = ?", f.SessionID)
	}
	q := `SELECT ` + followUpCols + ` FROM follow_ups` + w.String()
	extra := ""
	if f.Unanswered {
		extra += " AND answered_at IS NULL"
	}
	if f.Unacknowledged {
		extra += " AND to_acknowledge = 1 AND acknowledged_at IS NULL"
	}
	if extra != "" {
		if len(w.conds) == 0 {
			q += " WHERE 1 = 1"
		}
		q += extra
	}
	return many(ctx, t, "follow-ups", q+` ORDER BY due_at, id`, scanFollowUp, w.args...)
}

// AnswerFollowUp implements store.FollowUps.
func (t *Tx) AnswerFollowUp(ctx context.Context, id, eventID string, at time.Time) error {
	n, err := t.exec(ctx, "answer follow-up",
		`UPDATE follow_ups SET answered_at = $2, answer_event_id = $3 WHERE id = $1 AND answered_at IS NULL`, id, micros(at), eventID)
	if err != nil || n == 1 {
		return err
	}
	return t.followUpConflict(ctx, id, "already_answered", "The follow-up is answered already.")
}

// AcknowledgeFollowUp implements store.FollowUps.
func (t *Tx) AcknowledgeFollowUp(ctx context.Context, id, by string, at time.Time) error {
	n, err := t.exec(ctx, "acknowledge follow-up",
		`UPDATE follow_ups SET acknowledged_at = $2, acknowledged_by = $3 WHERE id = $1 AND acknowledged_at IS NULL`, id, micros(at), by)
	if err != nil || n == 1 {
		return err
	}
	return t.followUpConflict(ctx, id, "already_acknowledged", "The follow-up is acknowledged already.")
}

func (t *Tx) followUpConflict(ctx context.Context, id, reason, msg string) error {
	found, err := t.exists(ctx, "follow-up", `SELECT 1 FROM follow_ups WHERE id = $1`, id)
	if err != nil {
		return err
	}
	if found {
		return holdspace.Conflict(reason, "%s", msg)
	}
	return holdspace.NotFound("follow-up")
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
