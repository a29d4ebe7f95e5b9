package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"

	"holdspace"
	"holdspace/app"
	"holdspace/catalogue"
	"holdspace/consent"
	hspractice "holdspace/practice"
	"holdspace/store"
)

// fixtureAnswers is a screening with nothing to flag but a latex allergy
// (a precaution), valid for every anatomy.
const fixtureAnswers = `{"fever":false,"dvt":false,"anticoagulants":false,"recent-surgery":false,"cancer-treatment":false,
	"hypertension-unstable":false,"stroke-recent":false,"prostatitis-symptoms":false,"prostate-cancer":false,
	"prostate-procedure-healing":false,"rectal-bleeding":false,"anal-acute":false,"anorectal-disease":false,
	"prolapse-repair":false,"seed-implants":false,"sti-active":false,"immunosuppressed":false,"latex-allergy":true,
	"trauma-history":"prefer-not-to-say"}`

// fixtureSessionEvents is the most events one fixture session holds: open,
// reconfirm, begin, check-ins and notes, close.
const fixtureSessionEvents = 10

// fixturePlan is what `holdspace fixtures` creates.
type fixturePlan struct {
	clients, events, practitioners, workers int
}

// cmdFixtures fills a practice with made-up clients and sessions for
// benchmarks, through the same services a person's requests go through:
// names, emails and health data sealed, blind indexes written, every act
// audited (so `audit verify` passes afterwards). Every account it makes is
// marked as demo data, and it refuses a database holding real accounts
// unless --force.
func cmdFixtures(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("fixtures", stderr)
	var c config
	c.register(fs, getenv)
	var plan fixturePlan
	fs.IntVar(&plan.clients, "clients", 1000, "clients to create (1–1000000)")
	fs.IntVar(&plan.events, "events", 10000, "session events to append in all, spread over the clients' sessions (0–10000000)")
	fs.IntVar(&plan.practitioners, "practitioners", 0, "practitioners to share the clients among; 0: one per 50 clients")
	fs.IntVar(&plan.workers, "workers", 128, "clients filled at the same time (1–256)")
	batch := fs.Int("batch", 500, "most service writes committed in one database transaction (1–1000)")
	force := fs.Bool("force", false, "fill even a database that holds real (not demo or fixture) accounts")
	quiet := fs.Bool("quiet", false, "no progress bar")
	fast := fs.Bool("fast", true, "commit without waiting for each transaction's flush to disk (SQLite synchronous=OFF, PostgreSQL synchronous_commit=off) and flush once at the end; a crash mid-fill leaves a shorter or unusable fill, never a half-sealed or unaudited record")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the fill to this file (go tool pprof)")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	if c.postgres() && *fast {
		// Each commit is still a whole transaction (sealing, audit chain
		// and all); only its flush to disk is not waited for.
		c.database = withRuntimeParam(c.database, "synchronous_commit", "off")
	}
	if plan.practitioners == 0 {
		plan.practitioners = max(1, plan.clients/50)
	}
	switch {
	case plan.clients < 1 || plan.clients > 1_000_000:
		return usageErrorf("--clients must be 1 to 1000000")
	case plan.events < 0 || plan.events > 10_000_000:
		return usageErrorf("--events must be 0 to 10000000")
	case plan.practitioners < 1 || plan.practitioners > plan.clients:
		return usageErrorf("--practitioners must be 1 to --clients")
	case plan.workers < 1 || plan.workers > 256:
		return usageErrorf("--workers must be 1 to 256")
	case *batch < 1 || *batch > 1000:
		return usageErrorf("--batch must be 1 to 1000")
	}
	// Fixture accounts cannot log in: no password, so no Argon2id cost.
	// The services' write transactions are coalesced, up to --batch of
	// them in one database transaction (one commit, one fsync).
	var batched *batchDB
	p, err := c.open(ctx, stderr, func(cfg *app.Config) {
		batched = newBatchDB(cfg.DB, *batch)
		cfg.DB = batched
	})
	if err != nil {
		return err
	}
	defer p.db.Close()
	defer batched.stop()
	if *fast {
		if err := relaxSync(ctx, p.db); err != nil {
			return err
		}
		defer func() {
			if err := flushSync(context.WithoutCancel(ctx), p.db); err != nil {
				fmt.Fprintf(stderr, "fixtures: final flush: %v\n", err)
			}
		}()
	}
	all, demo, err := p.app.Accounts.DemoStatus(ctx)
	if err != nil {
		return err
	}
	if all > demo && !*force {
		return usageErrorf("fixtures refuses this database: it holds %d account(s) that are not demo or fixture accounts, so it is a practice. "+
			"Fill a new, empty one (or pass --force to fill this one anyway)", all-demo)
	}
	var bar *progressbar.ProgressBar
	if !*quiet {
		bar = progressbar.NewOptions64(int64(plan.clients+plan.events),
			progressbar.OptionSetWriter(stderr),
			progressbar.OptionSetDescription("clients and events"),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("rec"),
			progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(stderr) }))
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	if getenv("GOGC") == "" {
		// The fill allocates much and keeps little: collect less often.
		defer debug.SetGCPercent(debug.SetGCPercent(400))
	}
	// Only the fill's writes count (not the start's, see app.New).
	txs0, writes0 := batched.Stats()
	start := time.Now()
	n, err := fillFixtures(ctx, p.app, plan, func(k int) {
		if bar != nil {
			bar.Add(k)
		}
	})
	if err != nil {
		if bar != nil {
			fmt.Fprintln(stderr)
		}
		return fmt.Errorf("fixtures: %w", err)
	}
	if bar != nil {
		bar.Finish()
	}
	d := time.Since(start)
	txs, writes := batched.Stats()
	txs, writes = txs-txs0, writes-writes0
	fmt.Fprintf(stdout, "fixtures: %d practitioners, %d clients (screened, agreement signed), %d sessions, %d events on %s in %v (%.0f clients/s; %d service writes in %d transactions)\n",
		plan.practitioners, plan.clients, n.sessions, n.events, p.db.Engine(), d.Round(time.Millisecond), float64(plan.clients)/d.Seconds(), writes, txs)
	return nil
}

// fixtureCounts is what fillFixtures made.
type fixtureCounts struct {
	sessions, events int64
}

// fillFixtures creates plan's practitioners, then its clients on
// plan.workers goroutines: each client is screened, signs a therapeutic
// agreement and has sessions holding its share of the events. progress is
// called with the number of clients and events done since its last call.
func fillFixtures(ctx context.Context, a *app.Services, plan fixturePlan, progress func(int)) (fixtureCounts, error) {
	var n fixtureCounts
	run := strings.ToLower(rand.Text()[:8]) // emails are unique across runs
	var pracs []string
	for i := range plan.practitioners {
		id, err := a.People.CreateUser(ctx, app.System, app.NewUser{Role: holdspace.RolePractitioner,
			Name: fmt.Sprintf("Fixture Practitioner %d", i+1), Email: fmt.Sprintf("fx-%s-p%d@fixtures.holdspace.test", run, i+1), Demo: true})
		if err != nil {
			return n, fmt.Errorf("practitioner: %w", err)
		}
		pracs = append(pracs, id)
	}
	var grants []consent.Grant
	for _, r := range catalogue.RegionsInGroup(catalogue.General) {
		for _, t := range catalogue.TechniqueCodes() {
			grants = append(grants, consent.Grant{Region: r, Technique: t, Answer: catalogue.Yes})
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next    atomic.Int64
		mu      sync.Mutex
		wg      sync.WaitGroup
		errOnce sync.Once
		first   error
	)
	fail := func(err error) {
		errOnce.Do(func() { first = err; cancel() })
	}
	for range plan.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= plan.clients || ctx.Err() != nil {
					return
				}
				// Client i gets an even share of the events, the first
				// ones one more each.
				events := plan.events / plan.clients
				if i < plan.events%plan.clients {
					events++
				}
				s, e, err := fillClient(ctx, a, run, i, pracs[i%len(pracs)], grants, events, progress)
				mu.Lock()
				n.sessions += s
				n.events += e
				mu.Unlock()
				if err != nil {
					fail(fmt.Errorf("client %d: %w", i+1, err))
					return
				}
			}
		}()
	}
	wg.Wait()
	return n, first
}

// fillClient creates client i with a screening, a signed agreement and
// sessions holding events events, and returns the sessions and events made.
func fillClient(ctx context.Context, a *app.Services, run string, i int, pract string, grants []consent.Grant, events int, progress func(int)) (int64, int64, error) {
	anatomy := []catalogue.Anatomy{{Prostate: true}, {Vagina: true, Breasts: true}, {Breasts: true}, {}}[i%4]
	cid, err := a.People.CreateClient(ctx, app.System, app.ClientInput{Name: fmt.Sprintf("Fixture Client %d", i+1),
		Email: fmt.Sprintf("fx-%s-c%d@fixtures.holdspace.test", run, i+1), BirthDate: fmt.Sprintf("19%02d-%02d-%02d", 50+i%50, 1+i%12, 1+i%28),
		Anatomy: anatomy, PractitionerIDs: []string{pract}, Demo: true})
	if err != nil {
		return 0, 0, err
	}
	client := app.Actor{UserID: cid, Role: holdspace.RoleClient, Device: "cli"}
	prac := app.Actor{UserID: pract, Role: holdspace.RolePractitioner, Device: "cli"}
	answers := fixtureAnswers
	if anatomy.Vagina {
		answers = strings.Replace(answers, "{", `{"pregnant":false,"pelvic-rest":false,`, 1)
	}
	if _, err := a.Screenings.SubmitScreening(ctx, client, cid, app.ScreeningInput{Answers: []byte(answers)}); err != nil {
		return 0, 0, fmt.Errorf("screening: %w", err)
	}
	ag, err := a.Agreements.CreateAgreement(ctx, client, cid, app.AgreementInput{Intent: string(catalogue.Therapeutic), Grants: grants})
	if err != nil {
		return 0, 0, fmt.Errorf("agreement: %w", err)
	}
	if _, err := a.Agreements.SignAgreement(ctx, client, ag.ID, app.SignInput{}); err != nil {
		return 0, 0, fmt.Errorf("signature: %w", err)
	}
	progress(1)
	regions := catalogue.RegionsInGroup(catalogue.General)
	var sessions, done int64
	for left := events; left > 0; {
		k := min(left, fixtureSessionEvents)
		left -= k
		ses, err := a.Sessions.CreateSession(ctx, prac, app.SessionInput{ClientID: cid, PractitionerID: pract,
			Intent: string(catalogue.Therapeutic), StartsAt: time.Now().UTC().Truncate(time.Minute).Format(time.RFC3339)})
		if err != nil {
			return sessions, done, fmt.Errorf("session: %w", err)
		}
		sessions++
		for j := range k {
			who, in := prac, app.EventInput{Type: "note", Text: "settled, breathing slowly"}
			switch {
			case j == 0:
				in = app.EventInput{Type: "open"}
			case j == 1:
				who, in = client, app.EventInput{Type: "reconfirm"}
			case j == 2:
				in = app.EventInput{Type: "begin"}
			case j == k-1 && k > 3:
				in = app.EventInput{Type: "close", Close: &hspractice.CloseNotes{Subjective: "lower back tight after travel",
					Objective: "guarding eased", Assessment: "tension", Plan: "again in two weeks", Aftercare: "water, rest",
					PainBefore: 4, PainAfter: 2, TensionBefore: 6, TensionAfter: 3}}
			case j%2 == 1:
				who, in = client, app.EventInput{Type: "checkin", Region: regions[j%len(regions)], Answer: "yes"}
			}
			if _, err := a.Sessions.AppendEvent(ctx, who, ses.ID, in); err != nil {
				return sessions, done, fmt.Errorf("event %s: %w", in.Type, err)
			}
			done++
			progress(1)
		}
	}
	return sessions, done, nil
}

// batchDB coalesces concurrent Update calls into shared transactions: a
// committer runs the waiting functions one after another in one
// transaction of the database below and answers each caller when it has
// committed. Each function sees the writes of those before it, the audit
// entries they append form one chain as ever, and a caller returns only
// once its writes are durable. When one function fails the transaction
// rolls back and every caller in it gets the error: fit for fixtures,
// where any error ends the run, not for serving requests.
type batchDB struct {
	store.DB
	max  int
	reqs chan batchReq
	done chan struct{}

	mu          sync.Mutex
	txs, writes int64
}

type batchReq struct {
	ctx  context.Context
	fn   func(store.Tx) error
	errc chan error
}

func newBatchDB(db store.DB, max int) *batchDB {
	b := &batchDB{DB: db, max: max, reqs: make(chan batchReq), done: make(chan struct{})}
	go b.commit()
	return b
}

// Update implements store.DB.Update through the committer.
func (b *batchDB) Update(ctx context.Context, fn func(store.Tx) error) error {
	r := batchReq{ctx: ctx, fn: fn, errc: make(chan error, 1)}
	select {
	case b.reqs <- r:
	case <-ctx.Done():
		return ctx.Err()
	}
	return <-r.errc
}

// Stats returns the transactions committed and the Update calls they held.
func (b *batchDB) Stats() (txs, writes int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.txs, b.writes
}

// stop stops the committer; the database below is closed by its owner.
func (b *batchDB) stop() {
	close(b.reqs)
	<-b.done
}

func (b *batchDB) commit() {
	defer close(b.done)
	for r := range b.reqs {
		batch := []batchReq{r}
	gather:
		for len(batch) < b.max {
			select {
			case r, ok := <-b.reqs:
				if !ok {
					break gather
				}
				batch = append(batch, r)
			default:
				break gather
			}
		}
		err := b.DB.Update(context.Background(), func(tx store.Tx) error {
			for _, r := range batch {
				if err := r.ctx.Err(); err != nil {
					return err
				}
				if err := r.fn(tx); err != nil {
					return err
				}
			}
			return nil
		})
		if err == nil {
			b.mu.Lock()
			b.txs++
			b.writes += int64(len(batch))
			b.mu.Unlock()
		}
		for _, r := range batch {
			r.errc <- err
		}
	}
}
