// Command hsload is holdspace's load test: it starts a real holdspace HTTP
// server on a loopback port (SQLite in a temporary directory, or the
// PostgreSQL database given), seeds a practice with sessions in progress,
// and drives the consent decision endpoint — and, with -revoke-every, a
// stream of revocations — from concurrent clients for a bounded time. It
// prints throughput and latency percentiles. Traffic never leaves the
// machine.
//
//	go run ./cmd/hsload -duration 20s -workers 8
//	go run ./cmd/hsload -database postgres://… -master-key-file K
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
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

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("hsload", flag.ContinueOnError)
	duration := fs.Duration("duration", 15*time.Second, "how long to send load (at most 5m)")
	workers := fs.Int("workers", 8, "concurrent clients (1–256)")
	sessions := fs.Int("sessions", 8, "sessions in progress to decide in")
	revokeEvery := fs.Duration("revoke-every", 0, "also revoke a region every this often (0: never)")
	database := fs.String("database", "", "PostgreSQL URL; empty: SQLite in a temporary directory")
	keyFile := fs.String("master-key-file", "", "with -database: the master key file; empty: a throwaway key (use a throwaway database)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *duration <= 0 || *duration > 5*time.Minute || *workers < 1 || *workers > 256 || *sessions < 1 || *sessions > 1000 {
		return errors.New("out of bounds: -duration ≤ 5m, 1 ≤ -workers ≤ 256, 1 ≤ -sessions ≤ 1000")
	}
	var db store.DB
	var keys *seal.Keyring
	var err error
	if *database != "" {
		if db, err = postgres.Open(ctx, *database, nil); err != nil {
			return err
		}
		if *keyFile == "" {
			keys, err = seal.NewKeyring() // a throwaway key for a throwaway database
		} else {
			keys, err = seal.LoadKeyring(*keyFile)
		}
		if err != nil {
			return err
		}
	} else {
		dir, err := os.MkdirTemp("", "hsload")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		if db, err = sqlite.Open(ctx, dir, nil); err != nil {
			return err
		}
		if keys, err = seal.NewKeyring(); err != nil {
			return err
		}
	}
	defer db.Close()
	a, err := app.New(app.Config{DB: db, Keys: keys, Policies: app.Policies{Argon2: authn.Params{Time: 1, MemoryKiB: 8 * 1024, Threads: 1, SaltLen: 16, KeyLen: 32}}})
	if err != nil {
		return err
	}
	h, err := server.Handler(server.Config{App: a, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String()

	fmt.Fprintf(out, "seeding %d sessions on %s (%s)…\n", *sessions, base, db.Engine())
	targets, err := seed(ctx, a, *sessions)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *workers * 2}}
	regions := []string{"shoulders", "upper-back", "lower-back", "hips", "glutes", "thighs", "feet", "neck"}
	var (
		mu      sync.Mutex
		results []result
		revokes atomic.Int64
	)
	deadline := time.Now().Add(*duration)
	var wg sync.WaitGroup
	for w := 0; w < *workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			var local []result
			for i := 0; time.Now().Before(deadline); i++ {
				tg := targets[(w+i)%len(targets)]
				body, _ := json.Marshal(map[string]string{"session_id": tg.session, "region": regions[i%len(regions)], "technique": "massage"})
				start := time.Now()
				ok := post(client, base+"/api/v1/decisions", tg.practitioner, body) == 200
				local = append(local, result{time.Since(start), ok})
			}
			mu.Lock()
			results = append(results, local...)
			mu.Unlock()
		}(w)
	}
	if *revokeEvery > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(*revokeEvery)
			defer t.Stop()
			for i := 0; time.Now().Before(deadline); i++ {
				<-t.C
				tg := targets[i%len(targets)]
				body, _ := json.Marshal(map[string]any{"regions": []string{regions[(i/len(targets))%len(regions)]}})
				if post(client, base+"/api/v1/agreements/"+tg.agreement+"/revoke", tg.client, body) == 200 {
					revokes.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	report(out, results, *duration, *workers, revokes.Load())
	return nil
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

func report(out io.Writer, rs []result, d time.Duration, workers int, revokes int64) {
	var lat []time.Duration
	fails := 0
	for _, r := range rs {
		if !r.ok {
			fails++
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
	fmt.Fprintf(out, "decisions: %d in %v with %d workers = %.0f/s; failed %d; revokes %d\n",
		len(rs), d, workers, float64(len(rs))/d.Seconds(), fails, revokes)
	fmt.Fprintf(out, "latency: p50 %v  p90 %v  p99 %v  max %v\n", pct(.50), pct(.90), pct(.99), pct(1))
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
	pid, err := a.People.CreateUser(ctx, app.System, app.NewUser{Role: holdspace.RolePractitioner, Name: "Load Practitioner", Email: "load-p@example.test", Password: pw})
	if err != nil {
		return nil, err
	}
	ps, err := a.Accounts.Login(ctx, "load-p@example.test", pw, "127.0.0.1", "api")
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
		email := fmt.Sprintf("load-c%d@example.test", i)
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
