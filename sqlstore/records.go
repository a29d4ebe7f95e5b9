package sqlstore

import (
	"context"

	"holdspace/store"
)

// Revocation implements store.Records.
func (t *Tx) Revocation(ctx context.Context, id string) (*store.Revocation, error) {
	return one(ctx, t, "revocation", `SELECT `+revocationCols+` FROM revocations WHERE id = $1`, scanRevocation, id)
}

// Event implements store.Records.
func (t *Tx) Event(ctx context.Context, id string) (*store.SessionEvent, error) {
	return one(ctx, t, "event", `SELECT `+eventCols+` FROM session_events WHERE id = $1`, scanEvent, id)
}

// Clearance implements store.Records.
func (t *Tx) Clearance(ctx context.Context, id string) (*store.Clearance, error) {
	return one(ctx, t, "clearance", `SELECT `+clearanceCols+` FROM clearances WHERE id = $1`, scanClearance, id)
}
