package sqlstore

import (
	"context"

	"holdspace"
)

// DeleteSession implements store.Retention.
func (t *Tx) DeleteSession(ctx context.Context, id string) error {
	for _, q := range []string{
		`DELETE FROM follow_ups WHERE session_id = $1`,
		`DELETE FROM bookings WHERE session_id = $1`,
		`DELETE FROM session_events WHERE session_id = $1`,
	} {
		if _, err := t.exec(ctx, "delete session", q, id); err != nil {
			return err
		}
	}
	n, err := t.exec(ctx, "delete session", `DELETE FROM sessions WHERE id = $1`, id)
	if err != nil {
		return err
	}
	if n == 0 {
		return holdspace.NotFound("session")
	}
	return nil
}
