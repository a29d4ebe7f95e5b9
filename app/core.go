package app

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"holdspace"
	"holdspace/audit"
	"holdspace/screening"
	"holdspace/seal"
	"holdspace/store"
)

// core is what every service needs: the store, the keyring and the cache of
// clients' data keys, the clock, the log and the policies, with the
// transaction wrappers that seal records and audit details (update, view)
// and the helpers that seal fields and record audit entries.
type core struct {
	db    store.DB
	keys  *seal.Keyring
	pack  *screening.Pack
	log   *slog.Logger
	now   func() time.Time
	cfg   Policies
	ckeys *clientKeyCache
	// hot answers tokens, sessions, assignments, fact versions and
	// settings from memory while exactly current (hotcache.go).
	hot *hotCache
	// pwSlots bounds concurrent Argon2id computations: each takes the
	// configured memory (64 MiB by default), so a burst of logins must
	// queue rather than exhaust memory.
	pwSlots chan struct{}
	// lim rate-limits password resets and calendar feed reads.
	lim *appLimiters
	// group batches the write transactions of updateGrouped (see
	// groupcommit.go).
	group groupCommitter
}

// newID returns a random opaque id with a short kind prefix.
func newID(prefix string) string {
	// rand.Text has 130 random bits and never fails.
	return prefix + "_" + strings.ToLower(rand.Text())
}

// update runs fn in a write transaction, whose audit appends seal the
// details of entries about a client (see auditSealingTx) and whose records
// that reveal sex life or health are sealed (see recordSealingTx).
func (a *core) update(ctx context.Context, fn func(store.Tx) error) error {
	return a.db.Update(ctx, func(tx store.Tx) error { return fn(auditSealingTx{Tx: recordSealingTx{Tx: tx, a: a}, a: a}) })
}

// record appends an audit entry in tx. detail must hold codes and ids only,
// never names or health data.
func record(ctx context.Context, tx recordTx, ac Actor, action, target, clientID, detail string) error {
	_, err := tx.AppendAudit(ctx, audit.Entry{
		At:       tx.Now(),
		Actor:    ac.UserID,
		Action:   action,
		Target:   target,
		ClientID: clientID,
		Detail:   detail,
	})
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// forbidden is returned when the caller may see a thing but not do this.
func forbidden(format string, args ...any) error {
	return holdspace.Errorf(holdspace.EFORBIDDEN, format, args...)
}

// seal seals a string field bound to its owner and field name.
func (a *core) seal(owner, field, value string) ([]byte, error) {
	if value == "" {
		return nil, nil
	}
	b, err := a.keys.Seal([]byte(value), aad(owner, field))
	if err != nil {
		return nil, fmt.Errorf("seal %s: %w", field, err)
	}
	return b, nil
}

// open opens a field sealed by seal, or by sealFor/sealClient under a
// client's data key.
func (a *core) open(owner, field string, sealed []byte) (string, error) {
	if len(sealed) == 0 {
		return "", nil
	}
	if seal.UnderDataKey(sealed) {
		return a.openData(owner, field, sealed)
	}
	b, err := a.keys.Open(sealed, aad(owner, field))
	if err != nil {
		return "", fmt.Errorf("open %s of %s: %w", field, owner, err)
	}
	return string(b), nil
}

func aad(owner, field string) []byte { return []byte(owner + "\x00" + field) }

// withPasswordSlot runs fn while holding one of the bounded Argon2id slots.
func (a *core) withPasswordSlot(ctx context.Context, fn func()) error {
	select {
	case a.pwSlots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-a.pwSlots }()
	fn()
	return nil
}

// txBase is what every transaction offers besides its stores: its fixed
// time and notifications delivered after commit. Each service's narrow
// transaction interface (decide.go's decisionsTx, sessions.go's sessionsTx,
// …) is its stores plus txBase.
type txBase interface {
	// Notify queues topic for subscribers once the transaction commits.
	Notify(topic string)
	// Now is the transaction's fixed time.
	Now() time.Time
	// AfterCommit queues fn for once the transaction's writes are durable
	// (never if they roll back): caches filled from what the transaction
	// read are filled through it.
	AfterCommit(fn func())
	// Epoch and AuthEpoch read the fact and auth epochs (store.Tx).
	Epoch(ctx context.Context) (int64, error)
	AuthEpoch(ctx context.Context) (int64, error)
}

// recordTx is what recording an audit entry needs.
type recordTx interface {
	store.AuditLog
	txBase
}

// sealTx is what sealing under a client's data key needs: the stored,
// wrapped data keys.
type sealTx interface {
	store.Keys
	txBase
}
