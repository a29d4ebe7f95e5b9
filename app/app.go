// Package app holds holdspace's services: every use case of the API and the
// web pages, with authorization (role and ownership) checked in one place per
// use case, sensitive fields sealed on the way in and opened on the way out,
// and an audit entry written in the same transaction as every act.
//
// The package gathers facts from the store and hands them to the pure domain
// packages (catalogue, screening, consent, practice); it does no HTTP.
package app

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"time"

	"holdspace"
	"holdspace/audit"
	"holdspace/authn"
	"holdspace/practice"
	"holdspace/screening"
	"holdspace/seal"
	"holdspace/store"
)

// Config holds the policies and dependencies of an App.
type Config struct {
	DB     store.DB
	Keys   *seal.Keyring
	Pack   *screening.Pack // nil: the built-in pack
	Logger *slog.Logger
	// Now returns the current time; nil: time.Now.
	Now func() time.Time
	// Password hashing parameters; zero: RFC 9106's recommendation.
	Argon2 authn.Params
	// TokenTTL is how long an API token lives; zero: 12 hours.
	TokenTTL time.Duration
	// WebIdle is the idle timeout of a web session; zero: 15 minutes.
	WebIdle time.Duration
	// AskWindow is how long a check-in "yes" satisfies an ask-first grant;
	// zero: 10 minutes.
	AskWindow time.Duration
	// ScreeningValidityMonths is how long a screening stays current;
	// zero: six months.
	ScreeningValidityMonths int
	// Throttle slows login attempts per address, per account and address,
	// and per account from unknown browsers; nil: authn's defaults.
	Throttle *authn.Throttle
	// RequireSecondFactor makes admins and practitioners sign in with a
	// second factor (TOTP); off by default so that API integrations keep
	// working until the practice turns it on.
	RequireSecondFactor bool
	// InviteTTL is how long an invitation link stays usable; zero: 7 days.
	InviteTTL time.Duration
	// PracticeName, PracticeEmail, Jurisdiction and PolicyURL describe the
	// data controller on consent receipts.
	PracticeName  string
	PracticeEmail string
	Jurisdiction  string
	PolicyURL     string
	// OnDecision, if set, is called after every decision with its outcome
	// (for metrics).
	OnDecision func(outcome string)
	// OpenWindow is how long before or after its start a session may open;
	// zero: one hour (app/live.go).
	OpenWindow time.Duration
	// SessionGrace is how long after its booked end a live session closes
	// itself; zero: 15 minutes.
	SessionGrace time.Duration
	// CoolingOff is how long after a withdrawal only the client's own
	// signature can grant the region again; zero: 24 hours.
	CoolingOff time.Duration
	// Practice holds the practice's settings until an admin saves some
	// (age of majority, time zone, sensual work offered, scope policy,
	// follow-up window); unset fields take practice.DefaultSettings.
	Practice practice.Settings
	// Mail configures email and the links of emails and calendar feeds
	// (app/mail.go); a nil Sender: email is off.
	Mail MailConfig
}

// App is the service layer. It is safe for concurrent use.
type App struct {
	db      store.DB
	keys    *seal.Keyring
	pack    *screening.Pack
	log     *slog.Logger
	now     func() time.Time
	cfg     Config
	limiter *authn.Throttle
	facts   *factsCache
	ckeys   *clientKeyCache
	// pwSlots bounds concurrent Argon2id computations: each takes the
	// configured memory (64 MiB by default), so a burst of logins must
	// queue rather than exhaust memory.
	pwSlots chan struct{}
	// streams counts each user's open live views (see Watch).
	streamsMu sync.Mutex
	streams   map[string]int
}

// New returns an App. It fails when a required dependency is missing.
func New(cfg Config) (*App, error) {
	if cfg.DB == nil || cfg.Keys == nil {
		return nil, fmt.Errorf("app: a database and a keyring are required")
	}
	if cfg.Pack == nil {
		cfg.Pack = screening.DefaultPack()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Argon2 == (authn.Params{}) {
		cfg.Argon2 = authn.DefaultParams
	}
	if cfg.TokenTTL == 0 {
		cfg.TokenTTL = 12 * time.Hour
	}
	if cfg.WebIdle == 0 {
		cfg.WebIdle = 15 * time.Minute
	}
	if cfg.AskWindow == 0 {
		cfg.AskWindow = 10 * time.Minute
	}
	if cfg.PracticeName == "" {
		cfg.PracticeName = "holdspace practice"
	}
	if cfg.Jurisdiction == "" {
		cfg.Jurisdiction = "EU"
	}
	if cfg.PolicyURL == "" {
		cfg.PolicyURL = "/privacy"
	}
	if cfg.Throttle == nil {
		cfg.Throttle = authn.NewThrottle(authn.ThrottleConfig{})
	}
	if cfg.InviteTTL == 0 {
		cfg.InviteTTL = 7 * 24 * time.Hour
	}
	cfg.liveDefaults()
	a := &App{
		db:      cfg.DB,
		keys:    cfg.Keys,
		pack:    cfg.Pack,
		log:     cfg.Logger,
		now:     cfg.Now,
		cfg:     cfg,
		limiter: cfg.Throttle,
		facts:   newFactsCache(),
		ckeys:   newClientKeyCache(),
		pwSlots: make(chan struct{}, max(2, runtime.NumCPU())),
		streams: map[string]int{},
	}
	// Records written in clear by versions before sealing are sealed now,
	// before the App serves anything.
	n, err := a.sealClearRecords(context.Background())
	if err != nil {
		return nil, fmt.Errorf("app: seal the records stored in clear: %w", err)
	}
	if n > 0 {
		a.log.Info("sealed the values that reveal sex life or health stored in clear", "values", n)
	}
	return a, nil
}

// DB returns the database the App uses.
func (a *App) DB() store.DB { return a.db }

// Actor is an authenticated caller.
type Actor struct {
	UserID string
	Role   holdspace.Role
	// Device describes where the act came from ("api", "web"), for records.
	Device string
}

// System is the actor for acts of holdspace itself (demo data, the CLI).
var System = Actor{UserID: "system", Role: holdspace.RoleAdmin, Device: "cli"}

func (ac Actor) is(r holdspace.Role) bool { return ac.Role == r }

// newID returns a random opaque id with a short kind prefix.
func newID(prefix string) string {
	// rand.Text has 130 random bits and never fails.
	return prefix + "_" + strings.ToLower(rand.Text())
}

// update runs fn in a write transaction, whose audit appends seal the
// details of entries about a client (see auditSealingTx) and whose records
// that reveal sex life or health are sealed (see recordSealingTx).
func (a *App) update(ctx context.Context, fn func(store.Tx) error) error {
	return a.db.Update(ctx, func(tx store.Tx) error { return fn(auditSealingTx{Tx: recordSealingTx{Tx: tx, a: a}, a: a}) })
}

// record appends an audit entry in tx. detail must hold codes and ids only,
// never names or health data.
func record(ctx context.Context, tx store.Tx, ac Actor, action, target, clientID, detail string) error {
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
func (a *App) seal(owner, field, value string) ([]byte, error) {
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
func (a *App) open(owner, field string, sealed []byte) (string, error) {
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
func (a *App) withPasswordSlot(ctx context.Context, fn func()) error {
	select {
	case a.pwSlots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-a.pwSlots }()
	fn()
	return nil
}
