package store

import (
	"context"
	"time"

	"holdspace/audit"
)

// KeyCheck ties one master key to the database: Value is a keyed hash of
// a fixed label under the key (see seal.Keyring.Checks), so a key file can
// be checked against the database before anything is read or sealed.
type KeyCheck struct {
	ID        string
	Value     string
	CreatedAt time.Time
	RetiredAt time.Time // zero while the key may still be in use
}

// SealedColumn names one column holding sealed values: a column named
// "sealed" or "*_sealed" in a table whose primary key is "id".
type SealedColumn struct {
	Table  string
	Column string
}

// SealedValue is one sealed value and the id of its row.
type SealedValue struct {
	ID    string
	Value []byte
}

// Keys stores what ties keys to the database: key-check values, the
// per-client data keys (sealed under a master key) and access to every
// sealed value for re-wrapping under a new master key.
type Keys interface {
	// KeyChecks returns every key-check value, oldest first.
	KeyChecks(ctx context.Context) ([]KeyCheck, error)
	// PutKeyCheck stores k; ECONFLICT when its id exists.
	PutKeyCheck(ctx context.Context, k KeyCheck) error
	// RetireKeyCheck sets RetiredAt of the key id; ENOTFOUND.
	RetireKeyCheck(ctx context.Context, id string, at time.Time) error
	// Empty reports whether the database holds no user, no audit entry and
	// no key check: a brand-new practice.
	Empty(ctx context.Context) (bool, error)
	// ClientKey returns the sealed data key of a client; ENOTFOUND.
	ClientKey(ctx context.Context, clientID string) ([]byte, error)
	// PutClientKey stores the sealed data key of a client unless one
	// exists, and returns the one stored (which may be another's).
	PutClientKey(ctx context.Context, clientID string, sealed []byte, at time.Time) ([]byte, error)
	// SealedColumns returns every column holding sealed values. It fails
	// when a table has such a column but no "id" primary key, since its
	// values could not be re-wrapped.
	SealedColumns(ctx context.Context) ([]SealedColumn, error)
	// SealedValues returns up to limit non-empty values of col whose row id
	// is greater than after, by id.
	SealedValues(ctx context.Context, col SealedColumn, after string, limit int) ([]SealedValue, error)
	// ReplaceSealed sets col of row id to next if it still holds old, and
	// reports whether it did.
	ReplaceSealed(ctx context.Context, col SealedColumn, id string, old, next []byte) (bool, error)
	// RedactAudit redacts (audit.Redact) every version 2 entry whose
	// ClientID, Actor or Target is id and returns how many it redacted.
	RedactAudit(ctx context.Context, id string) (int64, error)
	// AuditHead returns the last entry; ENOTFOUND when the log is empty.
	AuditHead(ctx context.Context) (audit.Entry, error)
	// AuditEntry returns the entry with seq; ENOTFOUND.
	AuditEntry(ctx context.Context, seq int64) (audit.Entry, error)
}

// Records returns consent records by id, for checking them against the
// content hashes in the audit chain.
type Records interface {
	// Revocation returns one revocation; ENOTFOUND.
	Revocation(ctx context.Context, id string) (*Revocation, error)
	// Event returns one session event; ENOTFOUND.
	Event(ctx context.Context, id string) (*SessionEvent, error)
	// Clearance returns one clearance; ENOTFOUND.
	Clearance(ctx context.Context, id string) (*Clearance, error)
}

// Retention deletes records whose retention period ended.
type Retention interface {
	// DeleteSession deletes a session, its events and its follow-up;
	// ENOTFOUND.
	DeleteSession(ctx context.Context, id string) error
}

// ClearValue is one value of a column that older versions stored in
// clear, with the client its row belongs to.
type ClearValue struct {
	ID       string
	ClientID string
	Value    []byte
}

// Resealing gives access to the columns that older versions of holdspace
// stored in clear and that now hold values sealed under the client's data
// key or blind indexes (see ClearColumns), so that the app can seal the
// values written before.
type Resealing interface {
	// ClearValues returns up to limit values of col whose row id is
	// greater than after, by id; col must be one of ClearColumns.
	ClearValues(ctx context.Context, col SealedColumn, after string, limit int) ([]ClearValue, error)
	// ReplaceClear sets col of row id to next if it still holds old, and
	// reports whether it did; col must be one of ClearColumns.
	ReplaceClear(ctx context.Context, col SealedColumn, id string, old, next []byte) (bool, error)
	// ClearWrites returns what the database noted of values written in
	// clear into ClearColumns, by whatever wrote them, and not forgotten
	// since: none once a complete pass has found every value sealed and
	// nothing has been written in clear after it.
	ClearWrites(ctx context.Context) ([]ClearWrite, error)
	// ForgetClearWrites forgets the notes read before a complete pass,
	// each only if it has not counted more writes since.
	ForgetClearWrites(ctx context.Context, ws []ClearWrite) error
}

// ClearWrite is a note of values written in clear (see
// Resealing.ClearWrites): by which writer, and how many.
type ClearWrite struct {
	Writer, N int64
}

// Columns that older versions stored in clear and that reveal sex life
// or health: the intent of agreements and sessions, the regions of
// revocations, the type and payload of session events, the triggers of
// follow-ups.
var (
	AgreementIntent   = SealedColumn{Table: "agreements", Column: "intent"}
	SessionIntent     = SealedColumn{Table: "sessions", Column: "intent"}
	RevocationRegions = SealedColumn{Table: "revocations", Column: "regions"}
	EventType         = SealedColumn{Table: "session_events", Column: "type"}
	EventPayload      = SealedColumn{Table: "session_events", Column: "payload"}
	FollowUpTriggers  = SealedColumn{Table: "follow_ups", Column: "triggers"}
)

// ClearColumns returns the columns of Resealing.
func ClearColumns() []SealedColumn {
	return []SealedColumn{AgreementIntent, SessionIntent, RevocationRegions, EventType, EventPayload, FollowUpTriggers}
}
