package sqlstore

import (
	"context"
	"time"

	"holdspace"
	"holdspace/store"
)

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
