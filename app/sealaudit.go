package app

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"

	"holdspace/audit"
	"holdspace/store"
)

// Audit details of acts on a client say what the act was about: an
// intent, regions, a screening outcome, a decision's outcome and reasons.
// They are sealed under the client's data key as they are appended (every
// write goes through core.update, whose transaction seals them), so the
// audit table holds them only encrypted, and erasure shreds them with the
// rest of the client's data. The chain covers the sealed text.

// sealedDetailPrefix starts a sealed audit detail.
const sealedDetailPrefix = "sealed:"

// auditSealingTx is a transaction whose AppendAudit seals the detail of
// entries about a client.
type auditSealingTx struct {
	store.Tx
	a *core
}

// AppendAudit seals e.Detail under the data key of e.ClientID, except for
// the erasure tombstones (whose client has no key any more), then appends.
func (t auditSealingTx) AppendAudit(ctx context.Context, e audit.Entry) (audit.Entry, error) {
	if e.ClientID != "" && e.Detail != "" && !strings.HasSuffix(e.Action, ".erased") && !strings.HasPrefix(e.Detail, sealedDetailPrefix) {
		k, err := t.a.clientKey(ctx, t.Tx, e.ClientID)
		if err != nil {
			return audit.Entry{}, fmt.Errorf("seal audit detail: %w", err)
		}
		b, err := t.a.sealFor(k, e.ClientID, e.Target, "audit:"+e.Action, e.Detail)
		if err != nil {
			return audit.Entry{}, err
		}
		e.Detail = sealedDetailPrefix + base64.RawStdEncoding.EncodeToString(b)
	}
	return t.Tx.AppendAudit(ctx, e)
}

// openDetails opens the sealed details of entries in place, for an admin's
// view. A detail that cannot be opened (its client was erased since) is
// left sealed.
func (a *core) openDetails(es []audit.Entry) {
	for i := range es {
		e := &es[i]
		enc, ok := strings.CutPrefix(e.Detail, sealedDetailPrefix)
		if !ok {
			continue
		}
		b, err := base64.RawStdEncoding.DecodeString(enc)
		if err != nil {
			continue
		}
		if d, err := a.open(e.Target, "audit:"+e.Action, b); err == nil {
			e.Detail = d
		}
	}
}
