package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"holdspace/app"
	"holdspace/authn"
	"holdspace/catalogue"
	"holdspace/httpedge"
	"holdspace/seal"
	"holdspace/server"
	"holdspace/store"
)

const usage = `holdspace — consent, screening and session records for intimate and pelvic bodywork.

Usage:
  holdspace serve        [--addr HOST:PORT] [--data DIR | --database postgres://…]
  holdspace demo         [--addr HOST:PORT] [--data DIR]   serve with demo data (idempotent)
  holdspace migrate      [--data DIR | --database URL]     apply database migrations
  holdspace migrate-data --from DIR --to postgres://… [--force]
  holdspace user add     --role ROLE --email E --name N --password-stdin [--data DIR | --database URL]
  holdspace user password --email E --password-stdin      set a new password; signs the account out everywhere
  holdspace audit verify [--data DIR | --database URL] [--checkpoint FILE]
                                                           exit 0 when the audit chain and the consent records under it are intact
  holdspace keys status  [--data DIR | --database URL]     which master key wraps how many values
  holdspace keys rotate  [--retire-after 10s]              new master key, everything re-wrapped online, old key retired
  holdspace retention run [--dry-run] [--retention client=10,session=10]   erase records whose retention period ended
  holdspace backup       --to FILE [--data DIR | --database URL]   online, consistent snapshot (PostgreSQL: pg_dump); keep the key file apart
  holdspace restore      --from FILE [--data DIR | --database URL] [--force]   key and audit chain checked
  holdspace import clients --from jane|cliniko|auto FILE [--dry-run] [--skip-bad] [--assign PRACTITIONER_EMAIL] [--dates dmy|mdy]
                                                           clients from a Jane or Cliniko export: all rows or none (--skip-bad: the good ones)
  holdspace export csv   --what clients|sessions|outcomes --to FILE   a table for the practice's own analysis (audited)
  holdspace fixtures     --clients N --events M [--practitioners P] [--force]
                                                           fill a new practice with made-up, audited demo data for benchmarks
  holdspace rules check FILE                               validate a rule pack and run its examples
  holdspace rules explain --answers FILE [--anatomy prostate,vagina,breasts] [--birth-date YYYY-MM-DD]

Every flag has a HOLDSPACE_* environment variable; run a command with -h for its flags.
`

// run is the whole program; main only calls it, so tests run the real thing.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageErrorf("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return cmdServe(ctx, rest, getenv, stdout, stderr, false)
	case "demo":
		return cmdServe(ctx, rest, getenv, stdout, stderr, true)
	case "migrate":
		return cmdMigrate(ctx, rest, getenv, stdout, stderr)
	case "migrate-data":
		return cmdMigrateData(ctx, rest, getenv, stdout, stderr)
	case "backup":
		return cmdBackup(ctx, rest, getenv, stdout, stderr)
	case "keys":
		return cmdKeys(ctx, rest, getenv, stdout, stderr)
	case "retention":
		return cmdRetention(ctx, rest, getenv, stdout, stderr)
	case "restore":
		return cmdRestore(ctx, rest, getenv, stdout, stderr)
	case "import":
		return cmdImport(ctx, rest, getenv, stdout, stderr)
	case "export":
		return cmdExport(ctx, rest, getenv, stdout, stderr)
	case "user":
		switch {
		case len(rest) > 0 && rest[0] == "add":
			return cmdUserAdd(ctx, rest[1:], getenv, stdin, stdout, stderr)
		case len(rest) > 0 && rest[0] == "password":
			return cmdUserPassword(ctx, rest[1:], getenv, stdin, stdout, stderr)
		}
		return usageErrorf("usage: holdspace user add --role ROLE --email E --name N --password-stdin | holdspace user password --email E --password-stdin")
	case "audit":
		if len(rest) == 0 || rest[0] != "verify" {
			return usageErrorf("usage: holdspace audit verify [--data DIR | --database URL]")
		}
		return cmdAuditVerify(ctx, rest[1:], getenv, stdout, stderr)
	case "fixtures":
		return cmdFixtures(ctx, rest, getenv, stdout, stderr)
	case "rules":
		if len(rest) == 0 {
			return usageErrorf("usage: holdspace rules check FILE | holdspace rules explain --answers FILE")
		}
		switch rest[0] {
		case "check":
			return cmdRulesCheck(rest[1:], stdout, stderr)
		case "explain":
			return cmdRulesExplain(rest[1:], getenv, stdout, stderr)
		}
		return usageErrorf("unknown rules command %q", rest[0])
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return usageErrorf("unknown command %q", cmd)
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageErrorf("%v", err)
	}
	if fs.NArg() > 0 {
		return usageErrorf("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// cmdServe runs the server until ctx ends, then shuts down gracefully:
// it stops taking connections, lets in-flight requests finish (up to the
// grace period), ends event streams, and closes the database.
func cmdServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, demo bool) error {
	name := "serve"
	if demo {
		name = "demo"
	}
	fs := newFlagSet(name, stderr)
	var c config
	c.register(fs, getenv)
	var mf mailFlags
	mf.register(fs, &c)
	addr := fs.String("addr", c.env("HOLDSPACE_ADDR", "127.0.0.1:8080"), "address to listen on (HOLDSPACE_ADDR)")
	tlsCert := fs.String("tls-cert", getenv("HOLDSPACE_TLS_CERT"), "TLS certificate file; with --tls-key serves HTTPS (HOLDSPACE_TLS_CERT)")
	tlsKey := fs.String("tls-key", getenv("HOLDSPACE_TLS_KEY"), "TLS key file (HOLDSPACE_TLS_KEY)")
	pseudoLocale := fs.Bool("pseudo-locale", c.envBool("HOLDSPACE_PSEUDO_LOCALE", false), "offer the pseudo-locale en-XA (accented, longer English) in the language switcher, to find text that is cut off or not translated; for testing (HOLDSPACE_PSEUDO_LOCALE)")
	secureCookies := fs.Bool("secure-cookies", c.envBool("HOLDSPACE_SECURE_COOKIES", false), "users reach holdspace over HTTPS through a TLS-ending proxy: mark cookies Secure and send HSTS (HOLDSPACE_SECURE_COOKIES)")
	trusted := fs.String("trusted-proxies", c.getenv("HOLDSPACE_TRUSTED_PROXIES"), "comma-separated addresses or CIDR prefixes of proxies whose X-Forwarded-For is believed (HOLDSPACE_TRUSTED_PROXIES)")
	loginDelay := fs.Duration("login-delay", c.envDuration("HOLDSPACE_LOGIN_DELAY", authn.DefaultBaseDelay), "first wait imposed once a sign-in key's free failures are used up; it doubles with each further failure, up to 15 minutes (HOLDSPACE_LOGIN_DELAY)")
	grace := fs.Duration("shutdown-grace", 15*time.Second, "how long in-flight requests may take to finish on shutdown")
	checkpointFile := fs.String("audit-checkpoint", getenv("HOLDSPACE_AUDIT_CHECKPOINT"), "append the audit chain's head to FILE (outside the database) at intervals and on shutdown; check it with audit verify --checkpoint (HOLDSPACE_AUDIT_CHECKPOINT)")
	checkpointEvery := fs.Duration("audit-checkpoint-interval", c.envDuration("HOLDSPACE_AUDIT_CHECKPOINT_INTERVAL", time.Minute), "how often to write the audit head checkpoint (HOLDSPACE_AUDIT_CHECKPOINT_INTERVAL)")
	bodyTimeout := fs.Duration("body-read-timeout", c.envDuration("HOLDSPACE_BODY_READ_TIMEOUT", server.DefaultBodyReadTimeout), "how long a client may take to send a request body (HOLDSPACE_BODY_READ_TIMEOUT)")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	proxies, err := httpedge.ParsePrefixes(*trusted)
	if err != nil {
		return usageErrorf("--trusted-proxies: %v", err)
	}
	if *loginDelay <= 0 || *loginDelay > authn.DefaultWindow {
		return usageErrorf("--login-delay must be between 0 and %v", authn.DefaultWindow)
	}
	if demo && c.database != "" {
		return usageErrorf("demo runs on the embedded store; use --data, not --database")
	}
	// Listen first: without --base-url the practice's base URL is the
	// address actually bound (a port of 0 is chosen here).
	metrics := httpedge.NewMetrics()
	mailCfg, err := mf.config()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	p, err := c.open(ctx, stderr, func(cfg *app.Config) {
		cfg.OnDecision = metrics.Decision
		cfg.Throttle = authn.NewThrottle(authn.ThrottleConfig{BaseDelay: *loginDelay})
		cfg.Mail = mailCfg
		if cfg.BaseURL == "" {
			cfg.BaseURL = listenBaseURL(ln.Addr().String(), *tlsCert != "")
		}
	})
	if err != nil {
		ln.Close()
		return err
	}
	defer p.db.Close()
	scheme := "http"
	if *tlsCert != "" {
		scheme = "https"
	}
	url := scheme + "://" + ln.Addr().String()

	var accounts []demoAccount
	if demo {
		if err := demoOnly(ctx, p.app, c.data); err != nil {
			ln.Close()
			return err
		}
		if accounts, err = seedDemo(ctx, p.app, c.data); err != nil {
			ln.Close()
			return fmt.Errorf("demo data: %w", err)
		}
	}

	watchCtx, stopWatch := context.WithCancel(context.Background())
	defer stopWatch()
	keys := watchKeys(watchCtx, p.db, p.keys, p.keyPath, time.Second, p.log)
	var cp *checkpointer
	if *checkpointFile != "" {
		if *checkpointEvery <= 0 {
			return usageErrorf("--audit-checkpoint-interval must be positive")
		}
		cp = &checkpointer{path: *checkpointFile, db: p.db, log: p.log}
		if err := cp.write(ctx); err != nil {
			return err
		}
		go cp.run(watchCtx, *checkpointEvery)
	}
	var shuttingDown atomic.Bool
	ready := func(ctx context.Context) error {
		if shuttingDown.Load() {
			return errors.New("shutting down")
		}
		if err := keys.Err(); err != nil {
			return err
		}
		return p.db.Ready(ctx)
	}
	handler, err := server.Handler(server.Config{App: p.app, Metrics: metrics, Logger: p.log, Ready: ready,
		Secure: *tlsCert != "" || *secureCookies, TrustedProxies: proxies, BodyReadTimeout: *bodyTimeout,
		PseudoLocale: *pseudoLocale})
	if err != nil {
		ln.Close()
		return err
	}
	baseCtx, cancelBase := context.WithCancel(context.Background())
	defer cancelBase()
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return baseCtx },
	}
	// Event streams are long-lived: end them when shutdown starts, so that
	// Shutdown waits only for ordinary requests.
	srv.RegisterOnShutdown(cancelBase)
	go pruneTokens(baseCtx, p)

	// Sessions past their booked end plus grace close themselves; decisions
	// deny them before this records it.
	go p.app.Sessions.SweepSessions(baseCtx, sweepEvery(c.sessionGrace))
	// Email: the outbox worker and the reminder scheduler (app/mail.go).
	logMail(p.log, mailCfg, p.app.Records.BaseURL())
	go p.app.Mail.RunMail(baseCtx, 2*time.Second)

	errc := make(chan error, 1)
	go func() {
		if *tlsCert != "" {
			errc <- srv.ServeTLS(ln, *tlsCert, *tlsKey)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	p.log.Info("holdspace listening", "url", url, "engine", p.db.Engine())
	if all, nd, err := p.app.Accounts.DemoStatus(ctx); err == nil && nd > 0 {
		p.log.Warn(demoNotice(all, nd))
	}
	// One write, so that whoever waits for the URL line also has the demo
	// accounts.
	var banner bytes.Buffer
	fmt.Fprintf(&banner, "holdspace is listening on %s\n", url)
	if demo {
		printDemo(&banner, url, accounts)
	}
	if _, err := stdout.Write(banner.Bytes()); err != nil {
		p.log.Warn("writing the start banner", "err", err)
	}

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shuttingDown.Store(true)
	p.log.Info("shutting down: finishing in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), *grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	if cp != nil {
		stopWatch()
		if err := cp.write(context.Background()); err != nil {
			return err
		}
	}
	if err := p.db.Close(); err != nil {
		return fmt.Errorf("close database: %w", err)
	}
	p.log.Info("stopped cleanly")
	return nil
}

// openWithKeys parses a command's database flags (and any more it adds),
// then opens the database and the master keyring that matches it; on error
// nothing is left open. Commands that open sealed records themselves (audit
// verify checks the consent records against the chain) use the keyring.
func openWithKeys(ctx context.Context, name string, args []string, getenv func(string) string, stderr io.Writer, more ...func(*flag.FlagSet)) (store.DB, *seal.Keyring, error) {
	fs := newFlagSet(name, stderr)
	var c config
	c.register(fs, getenv)
	for _, m := range more {
		m(fs)
	}
	if err := c.parse(fs, args); err != nil {
		return nil, nil, err
	}
	log, err := c.logger(stderr)
	if err != nil {
		return nil, nil, err
	}
	return c.openKeyed(ctx, log)
}

func cmdMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	db, _, err := openWithKeys(ctx, "migrate", args, getenv, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Ready(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "migrations applied (%s)\n", db.Engine())
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// parseAnatomy reads --anatomy: a comma-separated list of prostate, vagina
// and breasts.
func parseAnatomy(s string) (catalogue.Anatomy, error) {
	var an catalogue.Anatomy
	for _, f := range splitList(s) {
		switch f {
		case "prostate":
			an.Prostate = true
		case "vagina":
			an.Vagina = true
		case "breasts":
			an.Breasts = true
		default:
			return an, usageErrorf("--anatomy: unknown %q (prostate, vagina, breasts)", f)
		}
	}
	return an, nil
}

// sweepEvery is how often overdue sessions are closed: every minute, or
// more often when the grace period is shorter.
func sweepEvery(grace time.Duration) time.Duration {
	return min(time.Minute, max(grace, time.Second))
}
