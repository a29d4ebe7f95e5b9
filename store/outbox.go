package store

import (
	"context"
	"time"
)

// OutboxMessage is one email waiting in the transactional outbox: it is
// written in the same transaction as the act it tells about, and sent by a
// worker after that transaction commits. Recipient and body are personal
// data and stored sealed; both are removed once the message is sent.
type OutboxMessage struct {
	ID string
	// Key is the idempotency key: at most one message per key is ever
	// stored (a second enqueue with the same key is a no-op), and the
	// worker sends it as the Message-ID, so a resend after a crash is
	// recognisable as the same message.
	Key string
	// Kind names the message ("password_reset", "session_confirmed", …).
	Kind string
	// UserID is the recipient's account (empty: none), so that erasing a
	// client also removes the messages to them.
	UserID     string
	ToSealed   []byte
	BodySealed []byte
	CreatedAt  time.Time
	// NextAttemptAt is when the worker may (next) try to send it.
	NextAttemptAt time.Time
	// Attempts counts the sends begun (claims).
	Attempts  int
	LastError string
	SentAt    time.Time // zero while unsent
}

// Outbox stores outgoing email.
type Outbox interface {
	// EnqueueMessage stores m unless a message with m.Key exists, and
	// reports whether it stored it.
	EnqueueMessage(ctx context.Context, m *OutboxMessage) (bool, error)
	// DueMessages returns up to limit unsent messages whose NextAttemptAt
	// is not after now, earliest first.
	DueMessages(ctx context.Context, now time.Time, limit int) ([]*OutboxMessage, error)
	// ClaimMessage starts a send of an unsent message that is due at now:
	// it increments Attempts and moves NextAttemptAt to until (a lease, so
	// that no other worker sends it meanwhile), and reports whether it did.
	ClaimMessage(ctx context.Context, id string, now, until time.Time) (bool, error)
	// MarkMessageSent sets SentAt and removes the recipient and body;
	// ECONFLICT (reason already_sent) when it is marked already; ENOTFOUND.
	MarkMessageSent(ctx context.Context, id string, at time.Time) error
	// DeferMessage records a failed send: NextAttemptAt and LastError;
	// ENOTFOUND.
	DeferMessage(ctx context.Context, id string, next time.Time, lastErr string) error
	// OutboxMessage returns the message with the idempotency key;
	// ENOTFOUND.
	OutboxMessage(ctx context.Context, key string) (*OutboxMessage, error)
	// PruneOutbox deletes messages sent before before, and returns how many.
	PruneOutbox(ctx context.Context, before time.Time) (int64, error)
}
