package app

import (
	"context"

	"holdspace/audit"
	"holdspace/store"
	"time"
)

// ListAudit returns audit entries for admins, filtered by client and time.
// The read itself is audited.
func (a *App) ListAudit(ctx context.Context, ac Actor, clientID string, since time.Time, afterSeq int64, limit int) ([]audit.Entry, error) {
	if !ac.is(store.RoleAdmin) {
		return nil, forbidden("Only an admin can read the audit log.")
	}
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	var out []audit.Entry
	err := a.update(ctx, func(tx store.Tx) error {
		var err error
		out, err = tx.ListAudit(ctx, store.AuditFilter{ClientID: clientID, Since: since, AfterSeq: afterSeq, Limit: limit})
		if err != nil {
			return err
		}
		return record(ctx, tx, ac, "audit.read", clientID, clientID, "")
	})
	if out == nil {
		out = []audit.Entry{}
	}
	return out, err
}

// VerifyAudit walks the whole audit chain and returns nil when it is intact,
// or an *audit.BrokenError naming the first bad seq. It also returns how
// many entries it checked and the hash of the last one (the head).
func VerifyAudit(ctx context.Context, db store.DB) (n int64, head string, err error) {
	var v audit.Verifier
	err = db.View(ctx, func(tx store.Tx) error {
		return tx.ScanAudit(ctx, func(e audit.Entry) error {
			n++
			head = e.Hash
			return v.Add(e)
		})
	})
	return n, head, err
}
