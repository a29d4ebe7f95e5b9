package app

import (
	"context"
	"fmt"

	"holdspace"

	"holdspace/store"
)

// erase deletes every record about a client in tx, with the client's data
// key (so that values sealed under it, wherever copies went, can no longer
// be opened), redacts the client's audit entries to tombstones without
// action, region, outcome or reason (the chain still verifies: see
// audit.Redact), and appends the "client.erased" tombstone with detail.
func (a *Records) erase(ctx context.Context, tx interface {
	store.AuditLog
	store.Clients
	store.Keys
	txBase
}, ac Actor, clientID, detail string) error {
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
	a.touchedClients(ctx, clientID)
	if c, ok := a.db.(compacter); ok {
		if err := c.Compact(ctx); err != nil {
			return fmt.Errorf("erasure committed, but the write-ahead log still holds old pages: %w", err)
		}
	}
	return nil
}

// EraseClient deletes every record about a client (GDPR Art. 17) and
// revokes their tokens; see erase. Admins only.
func (a *Records) EraseClient(ctx context.Context, ac Actor, clientID string) error {
	err := a.update(ctx, func(tx recordsTx) error {
		if _, err := visibleClient(ctx, tx, ac, clientID); err != nil {
			return err
		}
		if !ac.is(holdspace.RoleAdmin) {
			return forbidden("Only an admin can erase a client.")
		}
		return a.erase(ctx, tx, ac, clientID, "tombstone")
	})
	if err == nil {
		err = a.erased(ctx, clientID)
	}
	return err
}
