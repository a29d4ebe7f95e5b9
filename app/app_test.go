package app

import (
	"encoding/json"
	"strings"

	"context"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"holdspace"

	"holdspace/authn"
	"holdspace/catalogue"
	"holdspace/consent"
	"holdspace/practice"
	"holdspace/seal"
	"holdspace/sqlite/sqlitetest"
	"holdspace/store"
)

// cheap makes password hashing fast in tests; production uses RFC 9106.
var cheap = authn.Params{Time: 1, MemoryKiB: 8 * 1024, Threads: 1, SaltLen: 16, KeyLen: 32}

func newTestApp(t testing.TB) *Services {
	t.Helper()
	return newTestAppOn(t, sqlitetest.Open(t))
}

// newTestAppOn returns the services over db with a fresh keyring and cheap
// password hashing.
func newTestAppOn(t testing.TB, db store.DB) *Services {
	t.Helper()
	keys, err := seal.NewKeyring()
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(Config{DB: db, Keys: keys, Policies: Policies{Argon2: cheap}})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// live is a session in progress with a signed agreement granting massage on
// every general region.
type live struct {
	a               *Services
	client, pract   Actor
	session, agreed string
}

func newLive(t testing.TB, a *Services) live {
	t.Helper()
	ctx := context.Background()
	pid, err := a.People.CreateUser(ctx, System, NewUser{Role: holdspace.RolePractitioner, Name: "Pat", Email: "p@example.test"})
	if err != nil {
		t.Fatal(err)
	}
	cid, err := a.People.CreateClient(ctx, System, ClientInput{Name: "Casey", Email: "c@example.test", BirthDate: "1980-01-01", PractitionerIDs: []string{pid}})
	if err != nil {
		t.Fatal(err)
	}
	l := live{a: a, client: Actor{UserID: cid, Role: holdspace.RoleClient}, pract: Actor{UserID: pid, Role: holdspace.RolePractitioner}}
	var grants []consent.Grant
	for _, r := range catalogue.RegionsInGroup(catalogue.General) {
		grants = append(grants, consent.Grant{Region: r, Technique: "massage", Answer: catalogue.Yes})
	}
	ag, err := a.Agreements.CreateAgreement(ctx, l.client, cid, AgreementInput{Intent: "therapeutic", Grants: grants})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Agreements.SignAgreement(ctx, l.client, ag.ID, SignInput{}); err != nil {
		t.Fatal(err)
	}
	l.agreed = ag.ID
	s, err := a.Sessions.CreateSession(ctx, l.pract, SessionInput{ClientID: cid, Intent: "therapeutic", StartsAt: time.Now().UTC().Format(time.RFC3339)})
	if err != nil {
		t.Fatal(err)
	}
	l.session = s.ID
	for _, ev := range []struct {
		who Actor
		typ string
	}{{l.pract, "open"}, {l.client, "reconfirm"}, {l.pract, "begin"}} {
		if _, err := a.Sessions.AppendEvent(ctx, ev.who, s.ID, EventInput{Type: ev.typ}); err != nil {
			t.Fatalf("%s: %v", ev.typ, err)
		}
	}
	return l
}

// nextSession closes the live session and runs the next one: booked,
// opened, re-confirmed by the client and begun. It returns its id.
func (l *live) nextSession(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	if _, err := l.a.Sessions.AppendEvent(ctx, l.pract, l.session, EventInput{Type: "close", Close: &practiceCloseNotes}); err != nil {
		t.Fatalf("close: %v", err)
	}
	s, err := l.a.Sessions.CreateSession(ctx, l.pract, SessionInput{ClientID: l.client.UserID, Intent: "therapeutic", StartsAt: time.Now().UTC().Format(time.RFC3339)})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range []struct {
		who Actor
		typ string
	}{{l.pract, "open"}, {l.client, "reconfirm"}, {l.pract, "begin"}} {
		if _, err := l.a.Sessions.AppendEvent(ctx, ev.who, s.ID, EventInput{Type: ev.typ}); err != nil {
			t.Fatalf("%s: %v", ev.typ, err)
		}
	}
	l.session = s.ID
	return s.ID
}

var practiceCloseNotes = practice.CloseNotes{Subjective: "ok", Aftercare: "rest"}

// TestNoStalePermit runs decisions in parallel with revokes and stops and
// checks every decision against the order of acknowledged writes (see
// raceDecisions). Run it with -race.
func TestNoStalePermit(t *testing.T) {
	raceDecisions(t, newTestApp(t), 4)
}

// raceDecisions runs deciders concurrent decisions on a live session while
// the client stops, resumes and revokes one region after another without
// pauses, and checks every decision against the order of acknowledged
// writes: a decision that started after a revoke of its region was
// acknowledged, or inside an acknowledged stop (until the resume began),
// must not permit. It fails when the run proved nothing (no permit, under
// 100 decisions, no stop) and checks the audit chain afterwards.
func raceDecisions(t *testing.T, a *Services, deciders int) {
	t.Helper()
	l := newLive(t, a)
	ctx := context.Background()
	regions := catalogue.RegionsInGroup(catalogue.General)
	c := a.core
	batches0, parts0 := c.group.batches.Load(), c.group.parts.Load()

	type decision struct {
		start, end time.Time
		region     string
		outcome    consent.Outcome
	}
	var mu sync.Mutex
	var decisions []decision
	revokedAt := map[string]time.Time{}
	type interval struct{ from, to time.Time }
	var stops []interval

	done := make(chan struct{})
	var wg sync.WaitGroup
	for w := range deciders {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for {
				select {
				case <-done:
					return
				default:
				}
				region := regions[rng.IntN(len(regions))]
				actor := l.pract
				if rng.IntN(2) == 0 {
					actor = l.client
				}
				start := time.Now()
				d, err := a.Decisions.Decide(ctx, actor, DecideInput{SessionID: l.session, Region: region, Technique: "massage"})
				end := time.Now()
				if err != nil {
					t.Errorf("decide: %v", err)
					return
				}
				mu.Lock()
				decisions = append(decisions, decision{start, end, region, d.Outcome})
				mu.Unlock()
			}
		})
	}
	rng := rand.New(rand.NewPCG(42, 42))
	order := slices.Clone(regions)
	rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	for _, region := range order {
		if rng.IntN(2) == 0 {
			if _, err := a.Sessions.AppendEvent(ctx, l.client, l.session, EventInput{Type: "stop"}); err != nil {
				t.Fatal(err)
			}
			stopAck := time.Now()
			// Let some decisions run inside the stop.
			if _, err := a.Decisions.Decide(ctx, l.pract, DecideInput{SessionID: l.session, Region: region, Technique: "massage"}); err != nil {
				t.Fatal(err)
			}
			resumeStart := time.Now()
			if _, err := a.Sessions.AppendEvent(ctx, l.client, l.session, EventInput{Type: "resume"}); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			stops = append(stops, interval{stopAck, resumeStart})
			mu.Unlock()
		}
		if _, err := a.Agreements.RevokeAgreement(ctx, l.client, l.agreed, RevokeInput{Regions: []string{region}}); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		revokedAt[region] = time.Now()
		mu.Unlock()
		// A few decisions after each revoke.
		for range 3 {
			if _, err := a.Decisions.Decide(ctx, l.client, DecideInput{SessionID: l.session, Region: region, Technique: "massage"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	close(done)
	wg.Wait()

	permits, stale := 0, 0
	for _, d := range decisions {
		if d.outcome != consent.Permit {
			continue
		}
		permits++
		if at, ok := revokedAt[d.region]; ok && d.start.After(at) {
			stale++
			t.Errorf("permit for %s started %v after its revoke was acknowledged", d.region, d.start.Sub(at))
		}
		for _, s := range stops {
			if d.start.After(s.from) && d.end.Before(s.to) {
				stale++
				t.Errorf("permit for %s inside an acknowledged stop", d.region)
			}
		}
	}
	if permits == 0 || len(decisions) < 100 || len(stops) == 0 {
		t.Fatalf("the test proved nothing: %d decisions, %d permits, %d stops", len(decisions), permits, len(stops))
	}
	if _, _, err := VerifyAudit(ctx, c.db); err != nil {
		t.Fatalf("audit chain: %v", err)
	}
	batches, parts := c.group.batches.Load()-batches0, c.group.parts.Load()-parts0
	t.Logf("%d deciders: %d decisions (%d permits), %d revokes, %d stops: %d stale permits; %d grouped parts in %d transactions",
		deciders, len(decisions), permits, len(order), len(stops), stale, parts, batches)
}

// TestCachedIndexFollowsEveryFactChange decides through the cache before
// and after each kind of write that changes a decision fact, and checks the
// decision moves with it.
func TestCachedIndexFollowsEveryFactChange(t *testing.T) {
	a := newTestApp(t)
	l := newLive(t, a)
	ctx := context.Background()
	ses := l.session
	decide := func(region, technique string) consent.Decision {
		t.Helper()
		d, err := a.Decisions.Decide(ctx, l.pract, DecideInput{SessionID: ses, Region: region, Technique: technique})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	if d := decide("feet", "massage"); d.Outcome != consent.Permit {
		t.Fatalf("feet: %v", d.Reasons())
	}
	// A screening with a contraindication for everything (fever).
	ans := `{"fever":true,"dvt":false,"anticoagulants":false,"recent-surgery":false,"cancer-treatment":false,
		"hypertension-unstable":false,"stroke-recent":false,"prostatitis-symptoms":false,"prostate-cancer":false,
		"prostate-procedure-healing":false,"rectal-bleeding":false,"anal-acute":false,"anorectal-disease":false,
		"prolapse-repair":false,"seed-implants":false,"sti-active":false,"immunosuppressed":false,"latex-allergy":false,
		"trauma-history":"no"}`
	if _, err := a.Screenings.SubmitScreening(ctx, l.client, l.client.UserID, ScreeningInput{Answers: []byte(ans)}); err != nil {
		t.Fatal(err)
	}
	if d := decide("feet", "massage"); d.Outcome != consent.Deny || !d.Has(consent.CodeContraindicated) {
		t.Fatalf("after fever screening: %v", d.Reasons())
	}
	// A newer screening without fever lifts it from the next session, never
	// in the middle of this one.
	clear := []byte(`{"fever":false` + ans[len(`{"fever":true`):])
	if _, err := a.Screenings.SubmitScreening(ctx, l.client, l.client.UserID, ScreeningInput{Answers: clear}); err != nil {
		t.Fatal(err)
	}
	if d := decide("feet", "massage"); d.Outcome != consent.Deny || !strings.Contains(d.Reasons()[0].Message, "next session") {
		t.Fatalf("after clear screening, same session: %v", d.Reasons())
	}
	ses = l.nextSession(t)
	if d := decide("feet", "massage"); d.Outcome != consent.Permit {
		t.Fatalf("after clear screening, next session: %v", d.Reasons())
	}
	// A check-in no (a session event) narrows at once.
	if _, err := a.Sessions.AppendEvent(ctx, l.client, ses, EventInput{Type: "checkin", Region: "feet", Answer: "no"}); err != nil {
		t.Fatal(err)
	}
	if d := decide("feet", "massage"); !d.Has(consent.CodeCheckinDeclined) {
		t.Fatalf("after check-in no: %v", d.Reasons())
	}
	// A narrower agreement signed mid-session narrows at once.
	if d := decide("hands", "massage"); d.Outcome != consent.Permit {
		t.Fatalf("hands: %v", d.Reasons())
	}
	narrow, err := a.Agreements.CreateAgreement(ctx, l.client, l.client.UserID, AgreementInput{Intent: "therapeutic",
		Grants: []consent.Grant{{Region: "head", Technique: "massage", Answer: catalogue.Yes}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Agreements.SignAgreement(ctx, l.client, narrow.ID, SignInput{}); err != nil {
		t.Fatal(err)
	}
	if d := decide("hands", "massage"); d.Outcome != consent.Deny {
		t.Fatalf("after a narrower agreement: %v", d.Reasons())
	}
}

// TestRevokingAnOlderVersionNarrowsTheCurrentOne: a client who withdraws an
// area from an agreement that a newer version has replaced still gets what
// they asked for.
func TestRevokingAnOlderVersionNarrowsTheCurrentOne(t *testing.T) {
	a := newTestApp(t)
	l := newLive(t, a)
	ctx := context.Background()
	// A second, signed version replaces the first (effective from the next
	// session, so book and run one).
	var grants []consent.Grant
	for _, r := range []string{"feet", "hands"} {
		grants = append(grants, consent.Grant{Region: r, Technique: "massage", Answer: catalogue.Yes})
	}
	v2, err := a.Agreements.CreateAgreement(ctx, l.client, l.client.UserID, AgreementInput{Intent: "therapeutic", Grants: grants})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Agreements.SignAgreement(ctx, l.client, v2.ID, SignInput{}); err != nil {
		t.Fatal(err)
	}
	sid := l.nextSession(t)
	decide := func() consent.Decision {
		d, err := a.Decisions.Decide(ctx, l.pract, DecideInput{SessionID: sid, Region: "feet", Technique: "massage"})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	if d := decide(); d.Outcome != consent.Permit {
		t.Fatalf("feet under v2: %v", d.Reasons())
	}
	res, err := a.Agreements.RevokeAgreement(ctx, l.client, l.agreed, RevokeInput{Regions: []string{"feet"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != consent.StatusSuperseded {
		t.Fatalf("v1 status %s", res.Status)
	}
	if d := decide(); d.Outcome != consent.Deny || !d.Has(consent.CodeRevoked) {
		t.Fatalf("feet after withdrawing it from v1: %v", d.Reasons())
	}
}

// TestUnassignedPractitionerLosesSessions: a practitioner taken off a
// client loses the client's sessions with the client — notes, decisions,
// events and the live view alike.
func TestUnassignedPractitionerLosesSessions(t *testing.T) {
	a := newTestApp(t)
	l := newLive(t, a)
	ctx := context.Background()
	if _, err := a.Sessions.AppendEvent(ctx, l.pract, l.session, EventInput{Type: "note", Text: "private note"}); err != nil {
		t.Fatal(err)
	}
	other, err := a.People.CreateUser(ctx, System, NewUser{Role: holdspace.RolePractitioner, Name: "Other", Email: "o@example.test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.People.AssignPractitioners(ctx, System, l.client.UserID, []string{other}); err != nil {
		t.Fatal(err)
	}
	notFound := func(what string, err error) {
		t.Helper()
		if holdspace.ErrorCode(err) != holdspace.ENOTFOUND {
			t.Errorf("%s after unassignment: %v, want not found", what, err)
		}
	}
	_, err = a.Sessions.GetSession(ctx, l.pract, l.session)
	notFound("GetSession", err)
	_, err = a.Sessions.ListEvents(ctx, l.pract, l.session)
	notFound("ListEvents", err)
	_, err = a.Decisions.Decide(ctx, l.pract, DecideInput{SessionID: l.session, Region: "feet", Technique: "massage"})
	notFound("Decide", err)
	_, err = a.Sessions.AppendEvent(ctx, l.pract, l.session, EventInput{Type: "note", Text: "more"})
	notFound("AppendEvent", err)
	_, err = a.Sessions.Watch(ctx, l.pract, l.session)
	notFound("Watch", err)
	notFound("SessionVisible", a.Sessions.SessionVisible(ctx, l.pract, l.session))
	if ss, err := a.Sessions.ListSessions(ctx, l.pract, "", time.Time{}, time.Time{}); err != nil || len(ss) != 0 {
		t.Errorf("ListSessions after unassignment: %v %v", ss, err)
	}
	// The client keeps their session.
	if _, err := a.Sessions.GetSession(ctx, l.client, l.session); err != nil {
		t.Errorf("the client lost their own session: %v", err)
	}
}

// TestSigningAnOlderDraftIsRefused: a draft older than a signed version
// cannot be signed, because its signature would be superseded at once and
// do nothing while the client believed it narrowed their consent.
func TestSigningAnOlderDraftIsRefused(t *testing.T) {
	a := newTestApp(t)
	l := newLive(t, a)
	ctx := context.Background()
	grants := []consent.Grant{{Region: "feet", Technique: "touch", Answer: catalogue.No}}
	older, err := a.Agreements.CreateAgreement(ctx, l.client, l.client.UserID, AgreementInput{Intent: "therapeutic", Grants: grants})
	if err != nil {
		t.Fatal(err)
	}
	newer, err := a.Agreements.CreateAgreement(ctx, l.client, l.client.UserID, AgreementInput{Intent: "therapeutic", Grants: grants})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Agreements.SignAgreement(ctx, l.client, newer.ID, SignInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = a.Agreements.SignAgreement(ctx, l.client, older.ID, SignInput{})
	if holdspace.ErrorReason(err) != "superseded" {
		t.Fatalf("signing an older draft: %v, want 409 superseded", err)
	}
	// The newer version records the one it replaced, and its stored hash is
	// the one the receipt recomputes.
	v, err := a.Agreements.GetAgreement(ctx, l.client, newer.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v.Supersedes != l.agreed {
		t.Errorf("supersedes %q, want %q", v.Supersedes, l.agreed)
	}
	rc, err := a.Records.AgreementReceipt(ctx, l.client, newer.ID)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(rc); !strings.Contains(string(b), v.ContentHash) {
		t.Errorf("the receipt's hash is not the one recorded at signing (%s): %s", v.ContentHash, b)
	}
}

// TestLiveViewsAreBounded: one account cannot open live views without end;
// closing one frees its slot.
func TestLiveViewsAreBounded(t *testing.T) {
	a := newTestApp(t)
	l := newLive(t, a)
	var cancels []context.CancelFunc
	var chans []<-chan LiveState
	for i := 0; i < MaxStreamsPerUser; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		ch, err := a.Sessions.Watch(ctx, l.pract, l.session)
		if err != nil {
			t.Fatalf("view %d: %v", i, err)
		}
		cancels, chans = append(cancels, cancel), append(chans, ch)
	}
	if _, err := a.Sessions.Watch(context.Background(), l.pract, l.session); holdspace.ErrorCode(err) != holdspace.ERATELIMITED {
		t.Fatalf("one view too many: %v", err)
	}
	// The client has slots of their own.
	cctx, ccancel := context.WithCancel(context.Background())
	defer ccancel()
	if _, err := a.Sessions.Watch(cctx, l.client, l.session); err != nil {
		t.Fatalf("the client's view: %v", err)
	}
	cancels[0]()
	for range chans[0] {
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := a.Sessions.Watch(ctx, l.pract, l.session); err != nil {
		t.Fatalf("after closing one: %v", err)
	}
	for _, c := range cancels[1:] {
		c()
	}
}
