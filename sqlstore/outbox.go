package sqlstore

import (
	"context"
	"time"

	"holdspace"
	"holdspace/store"
)

const outboxCols = `id, idem_key, kind, user_id, to_sealed, body_sealed, created_at, next_attempt_at, attempts, last_error, sent_at`

func scanOutbox(s scanner) (*store.OutboxMessage, error) {
	var m store.OutboxMessage
	err := s.Scan(&m.ID, &m.Key, &m.Kind, &m.UserID, &m.ToSealed, &m.BodySealed, timeCol{&m.CreatedAt},
		timeCol{&m.NextAttemptAt}, &m.Attempts, &m.LastError, timeCol{&m.SentAt})
	return &m, err
}

// EnqueueMessage implements store.Outbox: a message whose key exists is
// not stored again (ON CONFLICT DO NOTHING keeps the transaction usable on
// both engines).
func (t *Tx) EnqueueMessage(ctx context.Context, m *store.OutboxMessage) (bool, error) {
	n, err := t.exec(ctx, "enqueue message", `INSERT INTO outbox (`+outboxCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (idem_key) DO NOTHING`,
		m.ID, m.Key, m.Kind, m.UserID, m.ToSealed, m.BodySealed, micros(m.CreatedAt), micros(m.NextAttemptAt), m.Attempts, m.LastError, nullMicros(m.SentAt))
	return n == 1, err
}

// DueMessages implements store.Outbox.
func (t *Tx) DueMessages(ctx context.Context, now time.Time, limit int) ([]*store.OutboxMessage, error) {
	return many(ctx, t, "outbox", `SELECT `+outboxCols+` FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= $1
		ORDER BY next_attempt_at, id LIMIT $2`, scanOutbox, micros(now), limit)
}

// ClaimMessage implements store.Outbox.
func (t *Tx) ClaimMessage(ctx context.Context, id string, now, until time.Time) (bool, error) {
	n, err := t.exec(ctx, "claim message", `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $3
		WHERE id = $1 AND sent_at IS NULL AND next_attempt_at <= $2`, id, micros(now), micros(until))
	return n == 1, err
}

// MarkMessageSent implements store.Outbox.
func (t *Tx) MarkMessageSent(ctx context.Context, id string, at time.Time) error {
	n, err := t.exec(ctx, "mark message sent", `UPDATE outbox SET sent_at = $2, to_sealed = NULL, body_sealed = NULL, last_error = ''
		WHERE id = $1 AND sent_at IS NULL`, id, micros(at))
	if err != nil || n == 1 {
		return err
	}
	found, err := t.exists(ctx, "mark message sent", `SELECT 1 FROM outbox WHERE id = $1`, id)
	if err != nil {
		return err
	}
	if !found {
		return holdspace.NotFound("message")
	}
	return holdspace.Conflict("already_sent", "The message was sent already.")
}

// DeferMessage implements store.Outbox.
func (t *Tx) DeferMessage(ctx context.Context, id string, next time.Time, lastErr string) error {
	n, err := t.exec(ctx, "defer message", `UPDATE outbox SET next_attempt_at = $2, last_error = $3 WHERE id = $1`, id, micros(next), lastErr)
	if err != nil {
		return err
	}
	if n == 0 {
		return holdspace.NotFound("message")
	}
	return nil
}

// OutboxMessage implements store.Outbox; ENOTFOUND.
func (t *Tx) OutboxMessage(ctx context.Context, key string) (*store.OutboxMessage, error) {
	return one(ctx, t, "message", `SELECT `+outboxCols+` FROM outbox WHERE idem_key = $1`, scanOutbox, key)
}

// PruneOutbox implements store.Outbox.
func (t *Tx) PruneOutbox(ctx context.Context, before time.Time) (int64, error) {
	return t.exec(ctx, "prune outbox", `DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < $1`, micros(before))
}
