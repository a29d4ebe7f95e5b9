package app

import (
	"context"
	"fmt"

	"holdspace/store"
)

// erase deletes every record about a client in tx, with the client's data
// key (so that values sealed under it, wherever copies went, can no longer
// be opened), redacts the client's audit entries to tombstones without
// action, region, outcome or reason (the chain still verifies: see
// audit.Redact), and appends the "client.erased" tombstone with detail.
func (a *core) erase(ctx context.Context, tx store.Tx, ac Actor, clientID, detail string) error {
	if err := tx.EraseClient(ctx, clientID, tx.Now()); err != nil {
		return err
	}
	if _, err := tx.RedactAudit(ctx, clientID); err != nil {
		return err
	}
	tx.Notify("client:" + clientID)
	return record(ctx, tx, ac, "client.erased", clientID, clientID, detail)
}

// compacter is a database that can make deletions final on disk (SQLite:
// checkpoint and truncate the write-ahead log).
type compacter interface {
	Compact(ctx context.Context) error
}

// erased forgets a client erased by a committed transaction and makes the
// deletion final on disk where the engine can.
func (a *Records) erased(ctx context.Context, clientID string) error {
	a.facts.forget(clientID)
	a.ckeys.forget(clientID)
	if c, ok := a.db.(compacter); ok {
		if err := c.Compact(ctx); err != nil {
			return fmt.Errorf("erasure committed, but the write-ahead log still holds old pages: %w", err)
		}
	}
	return nil
}
