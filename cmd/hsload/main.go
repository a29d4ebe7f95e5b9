// Command hsload is holdspace's load test: it starts real holdspace HTTP
// servers on loopback ports (SQLite in a temporary directory and, when a
// URL is given, PostgreSQL), each seeded with sessions in progress, and a
// bare net/http handler that decodes the same decision JSON and answers a
// constant: the ceiling of HTTP on this machine. It drives the consent
// decision endpoint of each — and, with -revoke-every, a stream of
// revocations on holdspace — from concurrent clients for a bounded time,
// every mode in turn (interleaved, -runs times) at each concurrency, and
// prints each run, then the medians of decisions/s and latency and the
// ratio holdspace/bare. Traffic never leaves the machine.
//
// Other -mode values measure a practice `holdspace fixtures` filled (-data
// DIR for SQLite, -database URL with -master-key-file for PostgreSQL):
// list (the admin's first page of GET /api/v1/clients), search (the same
// with ?q=a client's name) and clientfile (a practitioner's GET
// /api/v1/clients/{id}) report requests/s and latency like decisions;
// startup starts the holdspace -binary -starts times and reports the time
// to a 200 from /healthz and the process's RSS after a warm-up load;
// auditverify times `holdspace audit verify` -runs times.
//
//	go run ./cmd/hsload -duration 10s -concurrency 8,50 -runs 3
//	go run ./cmd/hsload -database postgres://… -master-key-file K
//	go run ./cmd/hsload -duration 20s -workers 8 -modes sqlite -runs 1
//	go run ./cmd/hsload -mode list -data DIR -duration 10s -concurrency 8
//	go run ./cmd/hsload -mode startup -binary ./holdspace -data DIR -starts 5
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"holdspace"

	"holdspace/app"
	"holdspace/authn"
	"holdspace/catalogue"
	"holdspace/consent"
	"holdspace/postgres"
	"holdspace/seal"
	"holdspace/server"
	"holdspace/sqlite"
	"holdspace/store"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "hsload:", err)
		os.Exit(1)
	}
}

type result struct {
	latency time.Duration
	ok      bool
}

// mode is one server under load: holdspace on an engine, or the bare
// handler.
type mode struct {
	name    string
	base    string
	targets []target
	bare    bool
	close   func()
	// readers and kind, for a read mode (list, search, clientfile).
	readers *readers
	kind    string
}

// runStats is one measured run of one mode at one concurrency.
type runStats struct {
	rate               float64 // decisions/s
	p50, p90, p99, max time.Duration
	n, fails           int
	revokes            int64
}

var regions = []string{"shoulders", "upper-back", "lower-back", "hips", "glutes", "thighs", "feet", "neck"}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("hsload", flag.ContinueOnError)
	duration := fs.Duration("duration", 15*time.Second, "how long each run sends load (at most 5m)")
	workers := fs.Int("workers", 8, "concurrent clients (1–256), when -concurrency is not given")
	concurrency := fs.String("concurrency", "", "comma-separated concurrencies to measure, e.g. 8,50 (each 1–256); empty: -workers")
	runs := fs.Int("runs", 3, "runs of each mode at each concurrency, interleaved; medians are reported (1–20)")
	modesFlag := fs.String("modes", "", "comma-separated modes among sqlite, postgres, bare; empty: sqlite, postgres when -database is given, and bare")
	sessions := fs.Int("sessions", 8, "sessions in progress to decide in")
	revokeEvery := fs.Duration("revoke-every", 0, "also revoke a region every this often on holdspace (0: never)")
	database := fs.String("database", "", "PostgreSQL URL for the postgres mode (use a throwaway database)")
	keyFile := fs.String("master-key-file", "", "with -database: the master key file; empty: a throwaway key (use a throwaway database); with -data: default DIR/master.key")
	kind := fs.String("mode", "decisions", "what to measure: decisions, list, search, clientfile, startup, auditverify")
	dataDir := fs.String("data", "", "SQLite data directory a `holdspace fixtures` filled, for the list, search, clientfile, startup and auditverify modes")
	binary := fs.String("binary", "", "the holdspace binary for -mode startup and auditverify (go build -o holdspace ./cmd/holdspace)")
	starts := fs.Int("starts", 5, "-mode startup: how many times to start the server (1–50)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run (load, servers and all) to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	concs := []int{*workers}
	if *concurrency != "" {
		concs = nil
		for _, f := range strings.Split(*concurrency, ",") {
			c, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil {
				return fmt.Errorf("-concurrency: %q is not a number", f)
			}
			concs = append(concs, c)
		}
	}
	switch {
	case *kind == "startup" || *kind == "auditverify":
		return runProcess(ctx, out, processConfig{kind: *kind, binary: *binary, data: *dataDir, database: *database, keyFile: *keyFile,
			starts: *starts, runs: *runs, workers: *workers, duration: *duration})
	case *kind != "decisions" && !readModes[*kind]:
		return fmt.Errorf("-mode: unknown mode %q (decisions, list, search, clientfile, startup, auditverify)", *kind)
	case readModes[*kind] && *dataDir == "" && *database == "":
		return fmt.Errorf("-mode %s measures a filled practice: give -data DIR (SQLite) and/or -database URL with -master-key-file", *kind)
	}
	if *duration <= 0 || *duration > 5*time.Minute || *runs < 1 || *runs > 20 || *sessions < 1 || *sessions > 1000 {
		return errors.New("out of bounds: -duration ≤ 5m, 1 ≤ -runs ≤ 20, 1 ≤ -sessions ≤ 1000")
	}
	for _, c := range concs {
		if c < 1 || c > 256 {
			return errors.New("out of bounds: 1 ≤ -workers, -concurrency ≤ 256")
		}
	}
	names := []string{"sqlite"}
	if readModes[*kind] && *dataDir == "" {
		names = nil
	}
	if *database != "" {
		names = append(names, "postgres")
	}
	if !readModes[*kind] {
		names = append(names, "bare")
	}
	if *modesFlag != "" {
		names = nil
		for _, m := range strings.Split(*modesFlag, ",") {
			m = strings.TrimSpace(m)
			switch {
			case m != "sqlite" && m != "postgres" && m != "bare":
				return fmt.Errorf("-modes: unknown mode %q (sqlite, postgres, bare)", m)
			case m == "postgres" && *database == "":
				return errors.New("-modes postgres needs -database")
			case readModes[*kind] && m == "bare":
				return fmt.Errorf("-modes bare: the bare handler answers decisions only, not -mode %s", *kind)
			case readModes[*kind] && m == "sqlite" && *dataDir == "":
				return fmt.Errorf("-modes sqlite with -mode %s needs -data", *kind)
			case slices.Contains(names, m):
				return fmt.Errorf("-modes: %s given twice", m)
			}
			names = append(names, m)
		}
	}

	maxConc := slices.Max(concs)
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: 4 * maxConc, MaxIdleConnsPerHost: 2 * maxConc}}
	var modes []*mode
	defer func() {
		for _, m := range modes {
			m.close()
		}
	}()
	answer := []byte(`{"outcome":"permit","reasons":[]}`)
	for _, name := range names {
		var m *mode
		var err error
		switch {
		case name == "bare":
			continue // started last, answering what holdspace answers
		case readModes[*kind] && name == "sqlite":
			// -master-key-file is PostgreSQL's when both are given.
			kf := *keyFile
			if *database != "" {
				kf = ""
			}
			m, err = startPractice(ctx, out, *kind, *dataDir, "", kf)
		case readModes[*kind]:
			m, err = startPractice(ctx, out, *kind, "", *database, *keyFile)
		case name == "sqlite":
			m, err = startHoldspace(ctx, out, "", "", *sessions)
		case name == "postgres":
			m, err = startHoldspace(ctx, out, *database, *keyFile, *sessions)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		modes = append(modes, m)
		if m.readers != nil {
			note, ok := probe(client, *kind, m)
			fmt.Fprintln(out, note)
			if !ok {
				return fmt.Errorf("-mode %s: %s", *kind, note)
			}
			continue
		}
		if b, ok := decideOnce(client, m); ok {
			answer = b
		}
	}
	if slices.Contains(names, "bare") {
		m, err := startBare(answer)
		if err != nil {
			return err
		}
		modes = append(modes, m)
	}
	// Keep the order asked for.
	slices.SortStableFunc(modes, func(a, b *mode) int { return slices.Index(names, a.name) - slices.Index(names, b.name) })

	// A short warm-up of each: connections, caches, the JIT of nothing.
	for _, m := range modes {
		drive(client, m, maxConc, min(time.Second, *duration), 0)
	}
	stats := map[string][]runStats{} // by mode and concurrency
	key := func(m string, c int) string { return m + "/" + strconv.Itoa(c) }
	unit := "decisions/s"
	if readModes[*kind] {
		unit = "requests/s"
		fmt.Fprintf(out, "-mode %s: ", *kind)
	}
	fmt.Fprintf(out, "%d run(s) of %v per mode and concurrency, interleaved\n", *runs, *duration)
	for r := 1; r <= *runs; r++ {
		for _, c := range concs {
			for _, m := range modes {
				st := drive(client, m, c, *duration, *revokeEvery)
				stats[key(m.name, c)] = append(stats[key(m.name, c)], st)
				fmt.Fprintf(out, "run %d  %-8s c%-3d %8s %s  p50 %-9v p90 %-9v p99 %-9v max %-9v failed %d  revokes %d\n",
					r, m.name, c, rate(st.rate), unit, round(st.p50), round(st.p90), round(st.p99), round(st.max), st.fails, st.revokes)
			}
		}
	}
	summarize(out, unit, modes, concs, *runs, func(m string, c int) []runStats { return stats[key(m, c)] })
	return nil
}

// summarize prints the medians per mode and concurrency and, with a bare
// mode, each holdspace mode's share of the bare handler's rate.
func summarize(out io.Writer, unit string, modes []*mode, concs []int, runs int, get func(string, int) []runStats) {
	fmt.Fprintf(out, "\nmedians of %d run(s):\n", runs)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "mode\tconcurrency\t%s\tp50\tp99\tfailed\tholdspace/bare\n", unit)
	for _, c := range concs {
		var bare float64
		for _, m := range modes {
			if m.bare {
				bare = median(get(m.name, c), func(s runStats) float64 { return s.rate })
			}
		}
		for _, m := range modes {
			rs := get(m.name, c)
			r := median(rs, func(s runStats) float64 { return s.rate })
			p50 := time.Duration(median(rs, func(s runStats) float64 { return float64(s.p50) }))
			p99 := time.Duration(median(rs, func(s runStats) float64 { return float64(s.p99) }))
			fails := 0
			for _, s := range rs {
				fails += s.fails
			}
			ratio := "-"
			if !m.bare && bare > 0 {
				ratio = fmt.Sprintf("%.1f%% (1/%.0f)", 100*r/bare, bare/r)
			}
			fmt.Fprintf(tw, "%s\tc%d\t%s\t%v\t%v\t%d\t%s\n", m.name, c, rate(r), round(p50), round(p99), fails, ratio)
		}
	}
	tw.Flush()
}

// rate prints a rate: whole numbers, two decimals below 10 (a list of
// 100k clients is not served 0 times a second).
func rate(r float64) string {
	if r < 10 {
		return strconv.FormatFloat(r, 'f', 2, 64)
	}
	return strconv.FormatFloat(r, 'f', 0, 64)
}

func median(rs []runStats, f func(runStats) float64) float64 {
	if len(rs) == 0 {
		return 0
	}
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func round(d time.Duration) time.Duration {
	switch {
	case d >= 10*time.Millisecond:
		return d.Round(100 * time.Microsecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}

// startHoldspace opens the store (SQLite in a temporary directory when
// database is empty), serves holdspace on a loopback port and seeds it.
func startHoldspace(ctx context.Context, out io.Writer, database, keyFile string, sessions int) (_ *mode, err error) {
	var db store.DB
	var keys *seal.Keyring
	var cleanup []func()
	closeAll := func() {
		for i := len(cleanup) - 1; i >= 0; i-- {
			cleanup[i]()
		}
	}
	defer func() {
		if err != nil {
			closeAll()
		}
	}()
	if database != "" {
		if db, err = postgres.Open(ctx, database, nil); err != nil {
			return nil, err
		}
		cleanup = append(cleanup, func() { db.Close() })
		if keyFile == "" {
			keys, err = seal.NewKeyring() // a throwaway key for a throwaway database
		} else {
			keys, err = seal.LoadKeyring(keyFile)
		}
		if err != nil {
			return nil, err
		}
	} else {
		dir, err := os.MkdirTemp("", "hsload")
		if err != nil {
			return nil, err
		}
		cleanup = append(cleanup, func() { os.RemoveAll(dir) })
		if db, err = sqlite.Open(ctx, dir, nil); err != nil {
			return nil, err
		}
		cleanup = append(cleanup, func() { db.Close() })
		if keys, err = seal.NewKeyring(); err != nil {
			return nil, err
		}
	}
	a, base, stop, err := serveApp(db, keys)
	if err != nil {
		return nil, err
	}
	cleanup = append(cleanup, stop)
	fmt.Fprintf(out, "seeding %d sessions on %s (%s)…\n", sessions, base, db.Engine())
	targets, err := seed(ctx, a, sessions)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	return &mode{name: db.Engine(), base: base, targets: targets, close: closeAll}, nil
}

// serveApp builds holdspace over db and serves it on a loopback port.
func serveApp(db store.DB, keys *seal.Keyring) (*app.Services, string, func(), error) {
	a, err := app.New(app.Config{DB: db, Keys: keys, Policies: app.Policies{Argon2: authn.Params{Time: 1, MemoryKiB: 8 * 1024, Threads: 1, SaltLen: 16, KeyLen: 32}}})
	if err != nil {
		return nil, "", nil, err
	}
	h, err := server.Handler(server.Config{App: a, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, "", nil, err
	}
	base, stop, err := serve(h)
	if err != nil {
		return nil, "", nil, err
	}
	return a, base, stop, nil
}

// startPractice serves holdspace over a practice the fixtures filled (SQLite
// in dir, or database) and signs in the accounts a read mode needs.
func startPractice(ctx context.Context, out io.Writer, kind, dir, database, keyFile string) (*mode, error) {
	db, keys, err := openPractice(ctx, dir, database, keyFile)
	if err != nil {
		return nil, err
	}
	a, base, stop, err := serveApp(db, keys)
	if err != nil {
		db.Close()
		return nil, err
	}
	closeAll := func() { stop(); db.Close() }
	fmt.Fprintf(out, "signing in an admin and a practitioner on %s (%s)…\n", base, db.Engine())
	r, err := prepareReaders(ctx, a)
	if err != nil {
		closeAll()
		return nil, err
	}
	return &mode{name: db.Engine(), base: base, readers: r, kind: kind, close: closeAll}, nil
}

// startBare serves the bare handler: it reads the bearer token and
// decodes the decision JSON as holdspace's handler does, then answers
// answer. No store, no audit, no rules: what HTTP and JSON cost here.
func startBare(answer []byte) (*mode, error) {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/decisions", func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			http.Error(w, `{"error":"unauthenticated"}`, http.StatusUnauthorized)
			return
		}
		var in app.DecideInput
		dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil || in.SessionID == "" || in.Region == "" || in.Technique == "" {
			http.Error(w, `{"error":"invalid"}`, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(answer)
	})
	base, stop, err := serve(mux)
	if err != nil {
		return nil, err
	}
	var targets []target
	for i := range 8 {
		targets = append(targets, target{practitioner: "bare-token", session: "ses_bare" + strconv.Itoa(i)})
	}
	return &mode{name: "bare", base: base, targets: targets, bare: true, close: stop}, nil
}

func serve(h http.Handler) (base string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}

// decideOnce asks m for one decision and returns the answer's body.
func decideOnce(c *http.Client, m *mode) ([]byte, bool) {
	tg := m.targets[0]
	body, _ := json.Marshal(map[string]string{"session_id": tg.session, "region": regions[0], "technique": "massage"})
	req, _ := http.NewRequest("POST", m.base+"/api/v1/decisions", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tg.practitioner)
	resp, err := c.Do(req)
	if err != nil {
		return nil, false
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return b, err == nil && resp.StatusCode == 200
}

// drive sends decisions to m from workers clients for d (and, on
// holdspace, a revocation every revokeEvery) and measures them.
func drive(client *http.Client, m *mode, workers int, d, revokeEvery time.Duration) runStats {
	var (
		mu      sync.Mutex
		results []result
		revokes atomic.Int64
	)
	started := time.Now()
	deadline := started.Add(d)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			var local []result
			for i := 0; time.Now().Before(deadline); i++ {
				if m.readers != nil {
					u, token := readRequest(m.kind, m.base, m.readers, w, i)
					start := time.Now()
					ok := get(client, u, token) == 200
					local = append(local, result{time.Since(start), ok})
					continue
				}
				tg := m.targets[(w+i)%len(m.targets)]
				body, _ := json.Marshal(map[string]string{"session_id": tg.session, "region": regions[i%len(regions)], "technique": "massage"})
				start := time.Now()
				ok := post(client, m.base+"/api/v1/decisions", tg.practitioner, body) == 200
				local = append(local, result{time.Since(start), ok})
			}
			mu.Lock()
			results = append(results, local...)
			mu.Unlock()
		}(w)
	}
	if revokeEvery > 0 && !m.bare {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(revokeEvery)
			defer t.Stop()
			for i := 0; time.Now().Before(deadline); i++ {
				<-t.C
				tg := m.targets[i%len(m.targets)]
				body, _ := json.Marshal(map[string]any{"regions": []string{regions[(i/len(m.targets))%len(regions)]}})
				if post(client, m.base+"/api/v1/agreements/"+tg.agreement+"/revoke", tg.client, body) == 200 {
					revokes.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	return stats(results, time.Since(started), revokes.Load())
}

func post(c *http.Client, url, token string, body []byte) int {
	req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func stats(rs []result, d time.Duration, revokes int64) runStats {
	var lat []time.Duration
	st := runStats{n: len(rs), revokes: revokes, rate: float64(len(rs)) / d.Seconds()}
	for _, r := range rs {
		if !r.ok {
			st.fails++
		}
		lat = append(lat, r.latency)
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))]
	}
	st.p50, st.p90, st.p99, st.max = pct(.50), pct(.90), pct(.99), pct(1)
	return st
}

// target is one session in progress and the tokens to act in it.
type target struct {
	practitioner, client string // bearer tokens
	session, agreement   string
}

// seed creates a practitioner and n clients, each with a signed agreement
// for general regions and a session in progress, through the service layer.
func seed(ctx context.Context, a *app.Services, n int) ([]target, error) {
	const pw = "load test password"
	run := strings.ToLower(rand.Text()[:8]) // a database may be loaded again
	pemail := "load-" + run + "-p@example.test"
	pid, err := a.People.CreateUser(ctx, app.System, app.NewUser{Role: holdspace.RolePractitioner, Name: "Load Practitioner", Email: pemail, Password: pw})
	if err != nil {
		return nil, err
	}
	ps, err := a.Accounts.Login(ctx, pemail, pw, "127.0.0.1", "api")
	if err != nil {
		return nil, err
	}
	pract := app.Actor{UserID: pid, Role: holdspace.RolePractitioner, Device: "api"}
	var grants []consent.Grant
	for _, r := range catalogue.RegionsInGroup(catalogue.General) {
		for _, t := range catalogue.TechniqueCodes() {
			grants = append(grants, consent.Grant{Region: r, Technique: t, Answer: catalogue.Yes})
		}
	}
	var out []target
	for i := 0; i < n; i++ {
		email := fmt.Sprintf("load-%s-c%d@example.test", run, i)
		cid, err := a.People.CreateClient(ctx, app.System, app.ClientInput{Name: fmt.Sprintf("Load Client %d", i), Email: email, Password: pw,
			BirthDate: "1980-01-01", PractitionerIDs: []string{pid}})
		if err != nil {
			return nil, err
		}
		cs, err := a.Accounts.Login(ctx, email, pw, "127.0.0."+fmt.Sprint(2+i%200), "api")
		if err != nil {
			return nil, err
		}
		client := app.Actor{UserID: cid, Role: holdspace.RoleClient, Device: "api"}
		ag, err := a.Agreements.CreateAgreement(ctx, client, cid, app.AgreementInput{Intent: "therapeutic", Grants: grants})
		if err != nil {
			return nil, err
		}
		if _, err := a.Agreements.SignAgreement(ctx, client, ag.ID, app.SignInput{}); err != nil {
			return nil, err
		}
		ses, err := a.Sessions.CreateSession(ctx, pract, app.SessionInput{ClientID: cid, PractitionerID: pid, Intent: "therapeutic",
			StartsAt: time.Now().UTC().Format(time.RFC3339)})
		if err != nil {
			return nil, err
		}
		for _, ev := range []struct {
			who app.Actor
			typ string
		}{{pract, "open"}, {client, "reconfirm"}, {pract, "begin"}} {
			if _, err := a.Sessions.AppendEvent(ctx, ev.who, ses.ID, app.EventInput{Type: ev.typ}); err != nil {
				return nil, err
			}
		}
		out = append(out, target{practitioner: ps.Token, client: cs.Token, session: ses.ID, agreement: ag.ID})
	}
	return out, nil
}
