// Package app holds holdspace's services: every use case of the API and the
// web pages, with authorization (role and ownership) checked in one place per
// use case, sensitive fields sealed on the way in and opened on the way out,
// and an audit entry written in the same transaction as every act.
//
// The package gathers facts from the store and hands them to the pure domain
// packages (catalogue, screening, consent, practice); it does no HTTP.
//
// New returns the use cases as Services, one service per area. Each
// service's main file declares the narrow transaction interface its use
// cases run in (the stores they touch, nothing else):
//
//	service     files                                          transaction
//	Accounts    accounts.go auth.go                            accountsTx
//	Agreements  consent.go notices.go guardian.go              agreementsTx
//	            agreementprint.go
//	Audit       auditlog.go                                    auditTx
//	Bookings    booking.go (session types, availability,       bookingsTx
//	            slots, bookings)
//	Decisions   decide.go board.go decisionfacts.go            decisionsTx
//	            decisioncache.go (the compiled-facts cache)
//	FollowUps   followups.go                                   followUpsTx
//	People      people.go credentials.go birthdate.go          peopleTx
//	            timezone.go (a person's own time zone)
//	Practice    practice.go identity.go (who the practice is)  practiceTx
//	Records     export.go fhir.go clientfile.go erase.go       recordsTx
//	            retention.go gather.go (the client record)
//	Screenings  screening.go screening_confirm.go              screeningsTx
//	Sessions    sessions.go live.go stream.go daycheck.go      sessionsTx
//	            web_outcomes.go
//
// What every service shares (the store, the keyring, sealing, the audit
// helper) is the unexported core (core.go, clientkeys.go, sealrecords.go,
// sealaudit.go); keys.go, rotate.go and integrity.go are the key and
// audit-chain operations of the command line.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"time"

	"holdspace"
	"holdspace/authn"
	"holdspace/practice"
	"holdspace/screening"
	"holdspace/seal"
	"holdspace/store"
)

// Config holds the dependencies of the services and, embedded, their
// policies.
type Config struct {
	DB     store.DB
	Keys   *seal.Keyring
	Pack   *screening.Pack // nil: the built-in pack
	Logger *slog.Logger
	// Now returns the current time; nil: time.Now.
	Now func() time.Time
	// Throttle slows login attempts per address, per account and address,
	// and per account from unknown browsers; nil: authn's defaults.
	Throttle *authn.Throttle
	// OnDecision, if set, is called after every decision with its outcome
	// (for metrics).
	OnDecision func(outcome string)
	Policies
}

// Policies are the practice's rules the services apply: lifetimes, windows
// and defaults. Zero values take the defaults named on each field.
type Policies struct {
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
	// RequireSecondFactor makes admins and practitioners sign in with a
	// second factor (TOTP); off by default so that API integrations keep
	// working until the practice turns it on.
	RequireSecondFactor bool
	// InviteTTL is how long an invitation link stays usable; zero: 7 days.
	InviteTTL time.Duration
	// PracticeName names the issuer of second-factor (TOTP) enrolments.
	// Receipts and FHIR records name the practice from its settings
	// (practice.Settings.Identity).
	PracticeName string
	// BaseURL is the practice's public base URL ("https://practice.example"):
	// the prefix of the absolute URLs in receipts and FHIR records (the
	// privacy notice at /privacy, extension definitions at
	// /fhir/StructureDefinition/<id>). Empty: those URLs are relative.
	BaseURL string
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
	// Mail configures email (app/mail.go); a nil Sender: email is off.
	Mail MailConfig
}

// Services are holdspace's use cases, one service per area. Each is safe
// for concurrent use; a handler takes the one service it calls.
type Services struct {
	Decisions  *Decisions
	Agreements *Agreements
	Sessions   *Sessions
	Screenings *Screenings
	People     *People
	Practice   *Practice
	Accounts   *Accounts
	Records    *Records
	Audit      *Audit
	FollowUps  *FollowUps
	Bookings   *Bookings
	Mail       *Mail
	Calendars  *Calendars

	core *core
}

// New returns the services over cfg's dependencies. It fails when a
// required dependency is missing.
func New(cfg Config) (*Services, error) {
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
	if cfg.Throttle == nil {
		cfg.Throttle = authn.NewThrottle(authn.ThrottleConfig{})
	}
	cfg.Policies.defaults()
	c := &core{
		db:      cfg.DB,
		keys:    cfg.Keys,
		pack:    cfg.Pack,
		log:     cfg.Logger,
		now:     cfg.Now,
		cfg:     cfg.Policies,
		ckeys:   newClientKeyCache(),
		hot:     newHotCache(),
		pwSlots: make(chan struct{}, max(2, runtime.NumCPU())),
		lim:     newAppLimiters(),
	}
	// Records written in clear by versions before sealing are sealed now,
	// before the services serve anything.
	n, err := c.sealClearRecords(context.Background())
	if err != nil {
		return nil, fmt.Errorf("app: seal the records stored in clear: %w", err)
	}
	if n > 0 {
		c.log.Info("sealed the values that reveal sex life or health stored in clear", "values", n)
	}
	facts := newFactsCache()
	decisions := &Decisions{core: c, facts: facts, observe: cfg.OnDecision}
	sessions := &Sessions{core: c, decisions: decisions, streams: map[string]int{}}
	return &Services{
		Decisions:  decisions,
		Agreements: &Agreements{core: c},
		Sessions:   sessions,
		Screenings: &Screenings{core: c},
		People:     &People{core: c},
		Practice:   &Practice{core: c},
		Accounts:   &Accounts{core: c, limiter: cfg.Throttle},
		Records:    &Records{core: c, facts: facts},
		Audit:      &Audit{core: c},
		FollowUps:  &FollowUps{core: c, sessions: sessions},
		Bookings:   &Bookings{core: c},
		Mail:       &Mail{core: c},
		Calendars:  &Calendars{core: c},
		core:       c,
	}, nil
}

// defaults fills the zero policies with their defaults.
func (p *Policies) defaults() {
	if p.Argon2 == (authn.Params{}) {
		p.Argon2 = authn.DefaultParams
	}
	if p.TokenTTL == 0 {
		p.TokenTTL = 12 * time.Hour
	}
	if p.WebIdle == 0 {
		p.WebIdle = 15 * time.Minute
	}
	if p.AskWindow == 0 {
		p.AskWindow = 10 * time.Minute
	}
	if p.PracticeName == "" {
		p.PracticeName = "holdspace practice"
	}
	if p.InviteTTL == 0 {
		p.InviteTTL = 7 * 24 * time.Hour
	}
	p.liveDefaults()
}

// DB returns the database the services use.
func (s *Services) DB() store.DB { return s.core.db }

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
