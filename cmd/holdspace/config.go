package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"holdspace/app"
	"holdspace/authn"
	"holdspace/postgres"
	"holdspace/screening"
	"holdspace/seal"
	"holdspace/sqlite"
	"holdspace/store"
)

// config is what every subcommand that touches a practice needs. Each flag
// has a HOLDSPACE_* variable; secrets also have a *_FILE variant.
type config struct {
	data      string
	database  string
	keyFile   string
	rules     string
	logLevel  string
	logFormat string
	// argonMemKiB and argonTime override RFC 9106's recommended password
	// hashing cost (for constrained machines and fast test suites).
	argonMemKiB uint
	argonTime   uint
	tokenTTL    time.Duration
	// Live-session policy (issue 9): see app.Config.
	openWindow, sessionGrace, coolingOff time.Duration
	// init allows creating a master key file for a new PostgreSQL database.
	init bool
	// practice holds the defaults of the practice's settings.
	practice practiceFlags
	// requireSecondFactor makes admins and practitioners sign in with
	// TOTP (a practice setting; here until the practice settings hold it).
	requireSecondFactor bool
	// baseURL is the practice's public base URL (see app.Config.BaseURL).
	baseURL string

	getenv func(string) string
	envErr error // from reading the environment, reported by parse
}

// env returns a flag default from the environment: NAME, else the contents
// of the file named by NAME_FILE (trimmed), else def. A NAME_FILE that
// cannot be read is an error (reported by parse): falling back to the
// default would, for the database, quietly start an empty practice.
func (c *config) env(name, def string) string {
	if v := c.getenv(name); v != "" {
		return v
	}
	if f := c.getenv(name + "_FILE"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			c.envErr = errors.Join(c.envErr, fmt.Errorf("%s_FILE: %w", name, err))
			return def
		}
		return strings.TrimSpace(string(b))
	}
	return def
}

func (c *config) envUint(name string, def uint) uint {
	if v := c.getenv(name); v != "" {
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			c.envErr = errors.Join(c.envErr, fmt.Errorf("%s: %w", name, err))
			return def
		}
		return uint(n)
	}
	return def
}

func (c *config) envDuration(name string, def time.Duration) time.Duration {
	if v := c.getenv(name); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			c.envErr = errors.Join(c.envErr, fmt.Errorf("%s: %w", name, err))
			return def
		}
		return d
	}
	return def
}

func (c *config) envBool(name string, def bool) bool {
	if v := c.getenv(name); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			c.envErr = errors.Join(c.envErr, fmt.Errorf("%s: %w", name, err))
			return def
		}
		return b
	}
	return def
}

// parse parses the command line and reports any environment error.
func (c *config) parse(fs *flag.FlagSet, args []string) error {
	if err := parse(fs, args); err != nil {
		return err
	}
	if c.envErr != nil {
		return usageErrorf("environment: %v", c.envErr)
	}
	return nil
}

func (c *config) register(fs *flag.FlagSet, getenv func(string) string) {
	c.getenv = getenv
	fs.StringVar(&c.data, "data", c.env("HOLDSPACE_DATA", "holdspace-data"), "data directory: the SQLite database and, unless configured, the master key (HOLDSPACE_DATA)")
	fs.StringVar(&c.database, "database", c.env("HOLDSPACE_DATABASE", ""), "PostgreSQL URL postgres://…; empty: SQLite in --data (HOLDSPACE_DATABASE, HOLDSPACE_DATABASE_FILE)")
	fs.StringVar(&c.keyFile, "master-key-file", c.getenv("HOLDSPACE_MASTER_KEY_FILE"), "master key file; empty: DATA/master.key, created if missing (HOLDSPACE_MASTER_KEY_FILE)")
	fs.StringVar(&c.rules, "rules", c.getenv("HOLDSPACE_RULES"), "a custom screening rule pack (YAML) replacing the built-in one (HOLDSPACE_RULES)")
	fs.StringVar(&c.logLevel, "log-level", c.env("HOLDSPACE_LOG_LEVEL", "info"), "debug, info, warn or error (HOLDSPACE_LOG_LEVEL)")
	fs.UintVar(&c.argonMemKiB, "argon2-memory-kib", c.envUint("HOLDSPACE_ARGON2_MEMORY_KIB", 0), "Argon2id memory in KiB for new password hashes; 0: RFC 9106's 65536 (HOLDSPACE_ARGON2_MEMORY_KIB)")
	fs.UintVar(&c.argonTime, "argon2-time", c.envUint("HOLDSPACE_ARGON2_TIME", 0), "Argon2id passes for new password hashes; 0: RFC 9106's 3 (HOLDSPACE_ARGON2_TIME)")
	fs.DurationVar(&c.tokenTTL, "token-ttl", c.envDuration("HOLDSPACE_TOKEN_TTL", 12*time.Hour), "lifetime of API tokens (HOLDSPACE_TOKEN_TTL)")
	fs.BoolVar(&c.init, "init", c.envBool("HOLDSPACE_INIT", false), "with --database: create a new master key file for a new, empty database (HOLDSPACE_INIT)")
	fs.BoolVar(&c.requireSecondFactor, "require-second-factor", c.envBool("HOLDSPACE_REQUIRE_SECOND_FACTOR", false), "admins and practitioners must sign in with a TOTP second factor (HOLDSPACE_REQUIRE_SECOND_FACTOR)")
	fs.StringVar(&c.logFormat, "log-format", c.env("HOLDSPACE_LOG_FORMAT", "text"), "text or json (HOLDSPACE_LOG_FORMAT)")
	fs.DurationVar(&c.openWindow, "open-window", c.envDuration("HOLDSPACE_OPEN_WINDOW", app.DefaultOpenWindow), "how long before or after its start a session may open (HOLDSPACE_OPEN_WINDOW)")
	fs.DurationVar(&c.sessionGrace, "session-grace", c.envDuration("HOLDSPACE_SESSION_GRACE", app.DefaultSessionGrace), "how long after its booked end a session closes itself (HOLDSPACE_SESSION_GRACE)")
	fs.DurationVar(&c.coolingOff, "cooling-off", c.envDuration("HOLDSPACE_COOLING_OFF", 24*time.Hour), "how long after a withdrawal only the client's own signature can grant the region again (HOLDSPACE_COOLING_OFF)")
	fs.StringVar(&c.baseURL, "base-url", c.getenv("HOLDSPACE_BASE_URL"), "the practice's public address, such as https://practice.example: receipts and FHIR records link to its privacy notice and extension definitions there; serve: empty means the listening address (HOLDSPACE_BASE_URL)")
	c.practice.register(fs, c)
}

func (c *config) logger(w io.Writer) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.logLevel)); err != nil {
		return nil, usageErrorf("--log-level: %v", err)
	}
	opts := &slog.HandlerOptions{Level: lvl}
	switch c.logFormat {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, usageErrorf("--log-format must be text or json")
}

func (c *config) postgres() bool {
	return strings.HasPrefix(c.database, "postgres://") || strings.HasPrefix(c.database, "postgresql://")
}

// openDB opens the configured store and applies migrations.
func (c *config) openDB(ctx context.Context, log *slog.Logger) (store.DB, error) {
	if c.database != "" {
		if !c.postgres() {
			return nil, usageErrorf("--database must be a postgres:// URL (SQLite is chosen with --data)")
		}
		return postgres.Open(ctx, c.database, log)
	}
	if err := os.MkdirAll(c.data, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	return sqlite.Open(ctx, c.data, log)
}

// keyPath returns the master key file: --master-key-file, else
// DATA/master.key with SQLite. With PostgreSQL every node must share one
// key file, so it must be configured.
func (c *config) keyPath() (string, error) {
	if c.keyFile != "" {
		return c.keyFile, nil
	}
	if c.database != "" {
		return "", usageErrorf("with --database, set --master-key-file (HOLDSPACE_MASTER_KEY_FILE): every node must use the same key file")
	}
	return filepath.Join(c.data, "master.key"), nil
}

// openKeyed opens the database and the master keyring that matches it (see
// keyring); on error nothing is left open. The caller closes the database.
func (c *config) openKeyed(ctx context.Context, log *slog.Logger) (store.DB, *seal.Keyring, error) {
	db, err := c.openDB(ctx, log)
	if err != nil {
		return nil, nil, err
	}
	kr, err := c.keyring(ctx, db, log)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, kr, nil
}

// keyring loads the master keys and checks them against db (see
// app.CheckKeys). A missing key file is created only for a brand-new,
// empty database, and with PostgreSQL only when --init is given.
func (c *config) keyring(ctx context.Context, db store.DB, log *slog.Logger) (*seal.Keyring, error) {
	path, err := c.keyPath()
	if err != nil {
		return nil, err
	}
	kr, err := seal.LoadKeyring(path)
	if errors.Is(err, fs.ErrNotExist) {
		kr, err = c.createKey(ctx, db, path, log)
	}
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	if err := app.CheckKeys(ctx, db, kr); err != nil {
		return nil, fmt.Errorf("master key %s: %w", path, err)
	}
	return kr, nil
}

func (c *config) createKey(ctx context.Context, db store.DB, path string, log *slog.Logger) (*seal.Keyring, error) {
	empty, err := app.DatabaseIsNew(ctx, db)
	if err != nil {
		return nil, err
	}
	if !empty {
		ids, _ := app.KeyIDsOf(ctx, db)
		held := "sealed data"
		if len(ids) > 0 {
			held = "data sealed under key " + strings.Join(ids, ", ")
		}
		return nil, fmt.Errorf("%w: the key file %s does not exist, and this database is not new: it holds %s. "+
			"Restore the key file from your backup (or point --master-key-file at it); a new key could not read the data", seal.ErrKeyMismatch, path, held)
	}
	if c.database != "" && !c.init {
		return nil, usageErrorf("the key file %s does not exist; for a new PostgreSQL database, pass --init once to create it "+
			"(then copy it to every node and back it up apart from the database)", path)
	}
	kr, created, err := seal.LoadOrCreate(path)
	if err != nil {
		return nil, err
	}
	if created {
		log.Warn("created a new master key file for a new database; back it up apart from the database: without it the sensitive fields cannot be read", "path", path)
	}
	return kr, nil
}

func (c *config) pack() (*screening.Pack, error) {
	if c.rules == "" {
		return screening.DefaultPack(), nil
	}
	b, err := os.ReadFile(c.rules)
	if err != nil {
		return nil, fmt.Errorf("rule pack: %w", err)
	}
	p, err := screening.LoadPack(b)
	if err != nil {
		return nil, fmt.Errorf("rule pack %s: %w", c.rules, err)
	}
	return p, nil
}

// practice opens everything a command needs to act on a practice.
type practice struct {
	db      store.DB
	app     *app.Services
	log     *slog.Logger
	keys    *seal.Keyring
	keyPath string
}

func (c *config) open(ctx context.Context, stderr io.Writer, extra func(*app.Config)) (*practice, error) {
	log, err := c.logger(stderr)
	if err != nil {
		return nil, err
	}
	pack, err := c.pack()
	if err != nil {
		return nil, err
	}
	if c.database == "" {
		if err := os.MkdirAll(c.data, 0o700); err != nil {
			return nil, fmt.Errorf("data directory: %w", err)
		}
	}
	settings, err := c.practice.settings()
	if err != nil {
		return nil, err
	}
	baseURL, err := checkBaseURL(c.baseURL)
	if err != nil {
		return nil, err
	}
	db, keys, err := c.openKeyed(ctx, log)
	if err != nil {
		return nil, err
	}
	cfg := app.Config{DB: db, Keys: keys, Pack: pack, Logger: log, Policies: app.Policies{TokenTTL: c.tokenTTL,
		OpenWindow: c.openWindow, SessionGrace: c.sessionGrace, CoolingOff: c.coolingOff,
		Practice: settings, RequireSecondFactor: c.requireSecondFactor, BaseURL: baseURL}}
	if c.argonMemKiB != 0 || c.argonTime != 0 {
		cfg.Argon2 = authn.DefaultParams
		if c.argonMemKiB != 0 {
			cfg.Argon2.MemoryKiB = uint32(c.argonMemKiB)
		}
		if c.argonTime != 0 {
			cfg.Argon2.Time = uint32(c.argonTime)
		}
		if err := cfg.Argon2.Validate(); err != nil {
			db.Close()
			return nil, usageErrorf("argon2 parameters: %v", err)
		}
	}
	if extra != nil {
		extra(&cfg)
	}
	a, err := app.New(cfg)
	if err != nil {
		db.Close()
		return nil, err
	}
	keyPath, _ := c.keyPath()
	return &practice{db: db, app: a, log: log, keys: keys, keyPath: keyPath}, nil
}

// usageError is a mistake in the command line: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

func exitCode(err error) int {
	var ue *usageError
	if errors.As(err, &ue) || errors.Is(err, flag.ErrHelp) {
		return 2
	}
	return 1
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
