// Package store is the storage contract of holdspace: the records the
// engines persist and the interfaces they implement. The engines (sqlite,
// postgres) implement it and pass one shared suite, storetest.Run.
//
// Records hold sensitive values only as sealed bytes (see package seal): the
// store never sees them in clear. Every method that can fail on input returns
// a *holdspace.Error: ENOTFOUND for an unknown id, ECONFLICT for a uniqueness
// or state conflict. Driver errors are translated at the engine boundary.
package store

import (
	"context"
	"time"

	"holdspace"

	"holdspace/audit"
)

// DB is a holdspace database. Methods are safe for concurrent use.
type DB interface {
	// Update runs fn in a read-write transaction that commits when fn
	// returns nil and rolls back otherwise. Writes are durable when Update
	// returns nil. Transactions that write are serialized with respect to the
	// audit chain.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only transaction. Writing inside it fails.
	View(ctx context.Context, fn func(Tx) error) error
	// Subscribe delivers the topics passed to Tx.Notify by transactions that
	// committed after Subscribe returned, on every node sharing the database,
	// until ctx ends (then the channel is closed). Delivery is a hint to
	// refresh: a slow receiver may miss topics (the channel is buffered and
	// never blocks a writer), so receivers re-read state on every topic and
	// also poll at a modest interval.
	Subscribe(ctx context.Context) <-chan string
	// Ready reports nil when every migration is applied and the database
	// answers.
	Ready(ctx context.Context) error
	// Engine names the engine: "sqlite" or "postgres".
	Engine() string
	// Close closes the database; in-flight transactions finish first.
	Close() error
}

// Tx is one transaction. It is not safe for concurrent use.
type Tx interface {
	Users
	Tokens
	Clients
	Credentials
	Screenings
	Agreements
	Sessions
	AuditLog
	Keys
	Records
	Resealing
	Retention
	Settings
	Guardians
	FollowUps
	Bookings
	Outbox
	Savepoints
	Lookups
	// Notify queues topic for delivery to subscribers once the transaction
	// commits; a rolled-back transaction delivers nothing.
	Notify(topic string)
	// Now is the fixed time of this transaction (UTC, microseconds), so that
	// every record and audit entry of one service call carries one time.
	Now() time.Time
	// Epoch returns the fact epoch as this transaction reads it now: a
	// counter that every committed transaction changing a fact that
	// nodes cache (tokens' revocation, accounts, client assignments,
	// sessions and their events, agreements, revocations, screenings,
	// clearances, credentials, guardians' consents, settings) has moved.
	// Read before the facts, it tags what a node caches (issue 16). It
	// is -1 once this transaction has itself changed such a fact: then
	// nothing may be answered from, or put in, a cache.
	Epoch(ctx context.Context) (int64, error)
	// AuthEpoch is Epoch for the auth epoch, which only the writes that
	// may end or change a validated token move (revoking or deleting
	// tokens, changing or erasing an account); -1 once this transaction
	// has made such a write.
	AuthEpoch(ctx context.Context) (int64, error)
}

// Savepoints let one write transaction carry several units of work that
// fail alone and commit together (group commit: many callers' writes and
// audit appends in one transaction, one flush, one hold of the audit lock).
type Savepoints interface {
	// Savepoint runs fn as a part of the transaction that can fail alone.
	// When fn returns an error, every write fn made, the topics it passed
	// to Notify, the functions it passed to AfterCommit and the audit
	// entries it appended are undone (the next append chains after the
	// entry before fn), fn's error is returned, and the transaction goes
	// on. When fn returns nil its work stays part of the transaction,
	// durable only when the transaction commits. If the part cannot be
	// undone (the engine lost the transaction), Savepoint returns an
	// error and so do every later Savepoint and the commit. Savepoints
	// nest.
	Savepoint(ctx context.Context, fn func() error) error
	// AfterCommit queues fn to run once the transaction has committed and
	// its writes are durable, in the order queued, before Update returns
	// (for a View: once it ended without error). It never runs if the
	// transaction rolls back or the Savepoint that queued it is undone:
	// in-memory state derived from uncommitted reads (caches) is updated
	// through it.
	AfterCommit(fn func())
}

// User is an account: an admin, a practitioner or a client. Name and email
// are sealed; EmailIndex is a blind index (keyed HMAC) for look-ups.
type User struct {
	ID           string
	Role         holdspace.Role
	EmailIndex   []byte
	EmailSealed  []byte
	NameSealed   []byte
	PasswordHash string // empty: cannot log in (a client without a portal)
	CreatedAt    time.Time
	// Version counts changes to this user's decision facts (a client's
	// agreements, screenings, clearances, anatomy; a practitioner's
	// credentials). Caches of compiled facts are keyed on it.
	Version  int64
	ErasedAt time.Time // zero unless erased
	// DisabledAt is when an admin switched the account off (zero: enabled).
	DisabledAt time.Time
	// MustChangePassword: someone else set the password; the holder must
	// choose their own at their next web sign-in.
	MustChangePassword bool
	// TOTPSealed is the sealed TOTP secret of a confirmed second factor;
	// TOTPPendingSealed a secret being enrolled, not yet confirmed.
	TOTPSealed        []byte
	TOTPPendingSealed []byte
	// RecoveryHashes are the SHA-256 hashes (hex) of unused recovery codes.
	RecoveryHashes []string
	// TOTPLastStep is the last TOTP time step accepted (a code is never
	// accepted twice).
	TOTPLastStep int64
	// Demo marks an account made by `holdspace demo`.
	Demo bool
	// TimeZone is the IANA time zone the person sees and enters times in;
	// empty: the practice's.
	TimeZone string
	// Language is the language the person chose to read holdspace in (a
	// shipped tag such as "de"); empty: their browser's, else the
	// practice's.
	Language string
	// LastLanguage is the language the person last signed in with; their
	// emails and PDFs use it when Language is empty.
	LastLanguage string
}

// Users stores accounts.
type Users interface {
	// CreateUser stores u. ECONFLICT (reason email_taken) when the email
	// index is already used.
	CreateUser(ctx context.Context, u *User) error
	// User returns the user with id; ENOTFOUND when unknown or erased.
	User(ctx context.Context, id string) (*User, error)
	// UserByEmail returns the user with the blind index; ENOTFOUND.
	UserByEmail(ctx context.Context, emailIndex []byte) (*User, error)
	// ListUsers returns the users with the role, oldest first, not erased.
	ListUsers(ctx context.Context, role holdspace.Role) ([]*User, error)
	// SetPassword replaces a user's password hash; ENOTFOUND.
	SetPassword(ctx context.Context, id, hash string) error
	// BumpVersion increments the user's Version and returns the new value;
	// ENOTFOUND.
	BumpVersion(ctx context.Context, id string) (int64, error)
	// Versions returns the Version of each id that exists, by id.
	Versions(ctx context.Context, ids ...string) (map[string]int64, error)
	// SetAccountState writes u's DisabledAt, MustChangePassword,
	// TOTPSealed, TOTPPendingSealed, RecoveryHashes, TOTPLastStep, Demo,
	// TimeZone, Language and LastLanguage; ENOTFOUND.
	SetAccountState(ctx context.Context, u *User) error
	// CountUsers returns how many accounts that are not erased exist,
	// and how many of them are demo accounts.
	CountUsers(ctx context.Context) (all, demo int64, err error)
}

// Token is a bearer token (API) or a web session, stored only as a hash.
type Token struct {
	Hash      []byte
	UserID    string
	Kind      string // "api" or "web"
	CreatedAt time.Time
	ExpiresAt time.Time
	// LastSeenAt drives idle timeouts for web sessions.
	LastSeenAt time.Time
	RevokedAt  time.Time // zero unless revoked
	// Device describes where it was issued ("web · 192.0.2.7").
	Device string
}

// Tokens stores bearer tokens and web sessions.
type Tokens interface {
	// CreateToken stores t.
	CreateToken(ctx context.Context, t *Token) error
	// Token returns the token with the hash; ENOTFOUND.
	Token(ctx context.Context, hash []byte) (*Token, error)
	// TouchToken sets LastSeenAt; ENOTFOUND.
	TouchToken(ctx context.Context, hash []byte, at time.Time) error
	// RevokeToken sets RevokedAt if not yet revoked; ENOTFOUND.
	RevokeToken(ctx context.Context, hash []byte, at time.Time) error
	// RevokeUserTokens revokes every live token of a user.
	RevokeUserTokens(ctx context.Context, userID string, at time.Time) error
	// RevokeUserTokensExcept revokes every live token of a user of the
	// kinds given but the one with keep's hash.
	RevokeUserTokensExcept(ctx context.Context, userID string, keep []byte, kinds []string, at time.Time) error
	// ListUserTokens returns a user's tokens of the kinds given that are
	// neither revoked nor expired at now, newest first.
	ListUserTokens(ctx context.Context, userID string, kinds []string, now time.Time) ([]*Token, error)
	// PruneTokens deletes tokens that expired or were revoked before
	// before, and returns how many.
	PruneTokens(ctx context.Context, before time.Time) (int64, error)
}

// Client is the profile of a client account (ID is the user's ID).
type Client struct {
	ID              string
	BirthDateSealed []byte
	AnatomySealed   []byte
	NotesSealed     []byte // free text: pronouns, preferences, access needs
	PractitionerIDs []string
	CreatedAt       time.Time
	CreatedBy       string
}

// Key is a position in a list kept in keyset order: the time the list is
// sorted by and the id that breaks ties between equal times. The zero Key
// is the start of the list.
type Key struct {
	At time.Time
	ID string
}

// IsZero reports whether k is the start of the list.
func (k Key) IsZero() bool { return k.At.IsZero() && k.ID == "" }

// ClientFilter selects clients. Zero fields select all.
type ClientFilter struct {
	PractitionerID string // only clients assigned to this practitioner
	// After, when set, keeps clients strictly after it in the list's order
	// (CreatedAt, ID): the keyset of the previous page's last client.
	After Key
	// Limit, when positive, keeps at most Limit clients; a negative Limit
	// is EINVALID.
	Limit int
}

// Clients stores client profiles and their assignment to practitioners.
type Clients interface {
	// CreateClient stores c and its assignments; the user must exist.
	CreateClient(ctx context.Context, c *Client) error
	// Client returns the client with id; ENOTFOUND when unknown or erased.
	Client(ctx context.Context, id string) (*Client, error)
	// ListClients returns matching clients, oldest first: by (CreatedAt,
	// ID), so that pages cut with After and Limit see every client exactly
	// once, ties included. EINVALID for a negative Limit.
	ListClients(ctx context.Context, f ClientFilter) ([]*Client, error)
	// UpdateClient replaces the sealed fields and assignments of c; ENOTFOUND.
	UpdateClient(ctx context.Context, c *Client) error
	// EraseClient deletes every record about the client (profile,
	// screenings, health changes, clearances, agreements, revocations,
	// sessions and events, tokens) and marks the user erased with its name,
	// email and index removed. Audit entries stay (they hold ids only).
	// ENOTFOUND.
	EraseClient(ctx context.Context, id string, at time.Time) error
}

// Credential is a practitioner's qualification.
type Credential struct {
	ID             string
	PractitionerID string
	Kind           string
	Issuer         string
	Number         string
	ValidFrom      time.Time
	ValidUntil     time.Time
	Covers         []string
	CreatedAt      time.Time
	// RevokedAt is when the credential was revoked (zero: never); it is
	// not valid from then on. RevokedReason says why.
	RevokedAt     time.Time
	RevokedReason string
}

// Credentials stores practitioner credentials.
type Credentials interface {
	// CreateCredential stores c; the practitioner must exist.
	CreateCredential(ctx context.Context, c *Credential) error
	// ListCredentials returns a practitioner's credentials, oldest first.
	ListCredentials(ctx context.Context, practitionerID string) ([]*Credential, error)
	// RevokeCredential sets RevokedAt and RevokedReason of a credential
	// not yet revoked; ECONFLICT (reason already_revoked) when it is;
	// ENOTFOUND.
	RevokeCredential(ctx context.Context, id string, at time.Time, reason string) error
}

// Screening is one completed intake questionnaire and its evaluation.
type Screening struct {
	ID            string
	ClientID      string
	Questionnaire string
	AnswersSealed []byte // JSON answers
	ResultSealed  []byte // JSON screening.Result
	TakenAt       time.Time
	ValidUntil    time.Time
	RecordedBy    string
	// RecordedRole is the role of RecordedBy when the screening was entered:
	// a screening entered by anyone but the client needs the client's
	// confirmation before it can lift anything.
	RecordedRole holdspace.Role
	// ConfirmedAt (zero: not confirmed), ConfirmedBy and ConfirmMethod
	// ("client" from their account, "in_person" with their typed name,
	// sealed in ConfirmTypedNameSealed) record the client's confirmation.
	ConfirmedAt            time.Time
	ConfirmedBy            string
	ConfirmMethod          string
	ConfirmTypedNameSealed []byte
}

// HealthChange is a client's report that their health changed: it makes the
// current screening stale at once.
type HealthChange struct {
	ID         string
	ClientID   string
	At         time.Time
	NoteSealed []byte
	RecordedBy string
}

// Clearance is a recorded medical clearance for one referral finding.
type Clearance struct {
	ID              string
	ClientID        string
	ScreeningID     string
	Rule            string // an opaque key of the rule lifted (the app stores a blind index; the rule id names a condition)
	ClearedBySealed []byte
	ClearedOn       string // YYYY-MM-DD
	NoteSealed      []byte
	RecordedBy      string
	RecordedAt      time.Time
}

// Screenings stores screenings, health changes and clearances.
type Screenings interface {
	// CreateScreening stores s.
	CreateScreening(ctx context.Context, s *Screening) error
	// Screening returns one screening; ENOTFOUND.
	Screening(ctx context.Context, id string) (*Screening, error)
	// ListScreenings returns a client's screenings, newest first.
	ListScreenings(ctx context.Context, clientID string) ([]*Screening, error)
	// LatestScreening returns the newest screening; ENOTFOUND when none.
	LatestScreening(ctx context.Context, clientID string) (*Screening, error)
	// CreateHealthChange stores h.
	CreateHealthChange(ctx context.Context, h *HealthChange) error
	// ListHealthChanges returns a client's health changes, oldest first.
	ListHealthChanges(ctx context.Context, clientID string) ([]*HealthChange, error)
	// CreateClearance stores c.
	CreateClearance(ctx context.Context, c *Clearance) error
	// ListClearances returns a client's clearances, oldest first.
	ListClearances(ctx context.Context, clientID string) ([]*Clearance, error)
	// ConfirmScreening writes the confirmation fields of s (ConfirmedAt,
	// ConfirmedBy, ConfirmMethod, ConfirmTypedNameSealed) once. ECONFLICT
	// (reason already_confirmed) when confirmed already; ENOTFOUND.
	ConfirmScreening(ctx context.Context, s *Screening) error
}

// Agreement is one version of a client's consent for one intent. Grants are
// sealed JSON; once signed nothing in it changes.
type Agreement struct {
	ID           string
	ClientID     string
	Intent       string
	Version      int
	GrantsSealed []byte
	ValidUntil   time.Time // zero: no expiry
	CreatedAt    time.Time
	CreatedBy    string
	SignedAt     time.Time // zero: draft
	SignedBy     string
	SignMethod   string // "client" or "in_person"
	// TypedNameSealed is the client's typed name for an in-person signature.
	TypedNameSealed []byte
	// ContentHash is the hex SHA-256 of the signed content.
	ContentHash string
	Supersedes  string // ID of the version this one replaced, if any
	// ClientSeenAt is when the client saw this version in their portal
	// (zero: not yet): a version the client did not make and sign
	// themselves is shown to them until then.
	ClientSeenAt time.Time
	// Language is the language the consent text was shown in ("de"; empty
	// for agreements made before languages were recorded).
	Language string
	// TextHashSealed is the sealed SHA-256 of the exact consent text shown
	// in Language ("sha256:" and 64 hex digits). Language and the text hash
	// are written with the draft and never change.
	TextHashSealed []byte
}

// Revocation withdraws consent for some regions (none listed: all) of one
// agreement, effective from At.
type Revocation struct {
	ID            string
	AgreementID   string
	ClientID      string
	Regions       []string
	At            time.Time
	By            string
	ByRole        holdspace.Role
	OnClientsWord bool
}

// Agreements stores consent agreements and revocations. Both are
// append-only: a change is a new version, a signature is written once.
type Agreements interface {
	// CreateAgreement stores a draft; Version must be NextAgreementVersion's.
	// ECONFLICT when the (client, intent, version) exists.
	CreateAgreement(ctx context.Context, a *Agreement) error
	// NextAgreementVersion returns 1 + the highest version for the client
	// and intent.
	NextAgreementVersion(ctx context.Context, clientID, intent string) (int, error)
	// Agreement returns one agreement; ENOTFOUND.
	Agreement(ctx context.Context, id string) (*Agreement, error)
	// ListAgreements returns a client's agreements, oldest first.
	ListAgreements(ctx context.Context, clientID string) ([]*Agreement, error)
	// SignAgreement writes the signature fields of a draft (SignedAt,
	// SignedBy, SignMethod, TypedNameSealed, ContentHash, Supersedes); ECONFLICT
	// (reason already_signed) when it is signed already; ENOTFOUND.
	SignAgreement(ctx context.Context, a *Agreement) error
	// CreateRevocation stores r.
	CreateRevocation(ctx context.Context, r *Revocation) error
	// ListRevocations returns a client's revocations, oldest first.
	ListRevocations(ctx context.Context, clientID string) ([]*Revocation, error)
	// MarkAgreementSeen sets ClientSeenAt of agreement id to at unless it is
	// set already; ENOTFOUND.
	MarkAgreementSeen(ctx context.Context, id string, at time.Time) error
}

// Session is one booked session between a client and a practitioner.
type Session struct {
	ID             string
	ClientID       string
	PractitionerID string
	Intent         string
	StartsAt       time.Time
	// Duration is the booked length (stored in whole minutes; zero: 60).
	Duration time.Duration
	State    string
	// Seq is the number of events appended; it guards AppendEvent.
	Seq       int64
	CreatedAt time.Time
	CreatedBy string
}

// SessionEvent is one append-only event of a session.
type SessionEvent struct {
	ID        string
	SessionID string
	Seq       int64
	Type      string
	At        time.Time
	ActorID   string
	ActorRole holdspace.Role
	Device    string
	// Payload is the non-sensitive structured part (JSON): region, answer,
	// agreement, chaperone offered/accepted, scores.
	Payload []byte
	// Sealed is the sensitive part (sealed JSON): free text, notes, names.
	Sealed []byte
}

// SessionFilter selects sessions. Zero fields select all.
type SessionFilter struct {
	ClientID       string
	PractitionerID string
	From, To       time.Time // StartsAt in [From, To)
	// Live selects only open, in-progress and stopped sessions.
	Live bool
	// After, when set, keeps sessions strictly after it in the list's
	// order (StartsAt, ID): the keyset of the previous page's last session.
	After Key
	// Limit, when positive, keeps at most Limit sessions; a negative Limit
	// is EINVALID.
	Limit int
}

// Sessions stores sessions and their events.
type Sessions interface {
	// CreateSession stores s.
	CreateSession(ctx context.Context, s *Session) error
	// Session returns one session; ENOTFOUND.
	Session(ctx context.Context, id string) (*Session, error)
	// ListSessions returns matching sessions by (StartsAt, ID), earliest
	// first, so that pages cut with After and Limit see every session
	// exactly once, ties included. EINVALID for a negative Limit.
	ListSessions(ctx context.Context, f SessionFilter) ([]*Session, error)
	// AppendEvent appends e (e.Seq must be the session's Seq+1) and sets the
	// session's State to state. ECONFLICT (reason stale_session) when the
	// session's Seq moved meanwhile; ECONFLICT (reason live_session) when
	// state is live (open, in-progress, stopped) and the client has another
	// live session: a client has at most one at a time, whatever the
	// concurrency; ENOTFOUND.
	AppendEvent(ctx context.Context, e *SessionEvent, state string) error
	// ListEvents returns a session's events in order.
	ListEvents(ctx context.Context, sessionID string) ([]*SessionEvent, error)
}

// AuditFilter selects audit entries. Zero fields select all.
type AuditFilter struct {
	ClientID string
	Since    time.Time
	AfterSeq int64
	// BeforeSeq, when positive, keeps entries with Seq below it (paging
	// back through the log).
	BeforeSeq int64
	Limit     int // 0: no limit
	// Newest returns the latest entries first (Seq descending), so that
	// Limit keeps the most recent ones.
	Newest bool
}

// AuditLog stores the hash-chained audit log.
type AuditLog interface {
	// AppendAudit chains e after the last entry (see audit.Next), stores it
	// and returns it. Appends from concurrent transactions, on any node, are
	// serialized so that the chain stays linear. The entry is written with
	// the transaction: the transaction's own reads of the log see it, and
	// an engine may write several appends in one statement, before the
	// commit or the next statement touching the log; an entry that cannot
	// be written fails the transaction.
	AppendAudit(ctx context.Context, e audit.Entry) (audit.Entry, error)
	// HoldAudit takes now what the first AppendAudit of the transaction
	// would take: the right to append, held to the end of the transaction.
	// A transaction whose several parts append (group commit) takes it
	// before any part locks a row, so that no transaction holding it waits
	// for a row held by another batch that waits for it.
	HoldAudit(ctx context.Context) error
	// ListAudit returns matching entries by Seq ascending (descending with
	// Newest). A Since filter is answered from the index on the entry time,
	// not by scanning the log from its first entry.
	ListAudit(ctx context.Context, f AuditFilter) ([]audit.Entry, error)
	// ScanAudit calls fn for every entry by Seq ascending, stopping at the
	// first error, which it returns.
	ScanAudit(ctx context.Context, fn func(audit.Entry) error) error
}

// Importer copies a practice between engines record by record, keeping ids,
// times and the audit chain exactly. Only ImportDB's transactions offer it:
// a use case's Tx can neither import nor wipe.
type Importer interface {
	// ImportAudit stores e exactly as given (Seq, hashes and all).
	ImportAudit(ctx context.Context, e audit.Entry) error
	// ImportUser stores u exactly as given, erased or not.
	ImportUser(ctx context.Context, u *User) error
	// ImportEvent stores e exactly as given, without touching its session.
	ImportEvent(ctx context.Context, e *SessionEvent) error
	// AllUsers returns every user, erased ones too, oldest first.
	AllUsers(ctx context.Context) ([]*User, error)
	// AllTokens returns every token, revoked and expired ones too, oldest
	// first, so that a copy keeps API tokens and web sessions working.
	AllTokens(ctx context.Context) ([]*Token, error)
	// Counts returns the number of rows per table, for verifying a copy.
	Counts(ctx context.Context) (map[string]int64, error)
	// Wipe deletes every row of every table, audit included: only for
	// overwriting the target of a copy on the operator's explicit word.
	Wipe(ctx context.Context) error
}
