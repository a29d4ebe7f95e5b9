package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"holdspace/postgres/pgtest"
	"holdspace/seal"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// binary builds holdspace once for the tests that need separate processes.
func binary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "holdspace-bin")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "holdspace")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v: %s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// proc is a holdspace process of its own, for multi-node tests.
type proc struct {
	*node
	cmd *exec.Cmd
}

// cluster is several processes on one PostgreSQL database with one key.
type cluster struct {
	t       *testing.T
	dbURL   string
	keyFile string
	// dataDir, when dbURL is empty, holds the SQLite database of a
	// one-node "cluster" (see newSQLiteNode).
	dataDir string
}

func newCluster(t *testing.T) *cluster {
	dir := t.TempDir()
	key := filepath.Join(dir, "master.key")
	if err := seal.CreateKeyFile(key); err != nil {
		t.Fatal(err)
	}
	return &cluster{t: t, dbURL: pgtest.FreshURL(t), keyFile: key}
}

func (c *cluster) env() []string {
	env := append(os.Environ(), "HOLDSPACE_ARGON2_MEMORY_KIB=8192", "HOLDSPACE_ARGON2_TIME=1", "HOLDSPACE_LOG_LEVEL=warn",
		"HOLDSPACE_DATABASE="+c.dbURL, "HOLDSPACE_MASTER_KEY_FILE="+c.keyFile)
	if c.dataDir != "" {
		env = append(env, "HOLDSPACE_DATA="+c.dataDir)
	}
	return env
}

// cli runs a one-shot command of the binary against the cluster.
func (c *cluster) cli(stdin string, args ...string) (string, error) {
	cmd := exec.Command(binary(c.t), args...)
	cmd.Env = c.env()
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil {
		return out.String(), fmt.Errorf("%v: %s", err, errb.String())
	}
	return out.String(), nil
}

// start launches a node and waits for /healthz.
func (c *cluster) start() *proc { return c.startWith() }

// kill ends the node with SIGKILL: no shutdown, no flush.
func (p *proc) kill() {
	p.cmd.Process.Kill()
	p.cmd.Wait()
}

// clusterPractice sets up an admin, a practitioner and a client through
// node a, and returns their tokens from node a.
func clusterPractice(t *testing.T, c *cluster, a *proc) (pract, client, clientID, practID string) {
	if _, err := c.cli(fixturePassword+"\n", "user", "add", "--role", "admin", "--email", "admin@example.test", "--name", "Admin", "--password-stdin"); err != nil {
		t.Fatal(err)
	}
	admin := a.login("admin@example.test", fixturePassword)
	practID = a.must(201, "POST", "/api/v1/practitioners", admin, map[string]string{"name": "Pat", "email": "p@example.test", "password": fixturePassword}).str("id")
	clientID = a.must(201, "POST", "/api/v1/clients", admin, map[string]any{"name": "Casey", "email": "c@example.test", "password": fixturePassword,
		"birth_date": "1980-01-01", "practitioner_ids": []string{practID}}).str("id")
	return a.login("p@example.test", fixturePassword), a.login("c@example.test", fixturePassword), clientID, practID
}

var generalRegions = []string{"head", "face", "neck", "shoulders", "upper-back", "lower-back", "arms", "hands", "chest",
	"abdomen", "hips", "glutes", "thighs", "lower-legs", "feet"}

// TestMultiNodeNoStalePermit runs randomized revokes and stops through node
// A while deciding through node B, over more than 1,000 rounds: every
// decision that starts after a narrowing was acknowledged by A must reflect
// it on B. A second decider on B runs concurrently, and each of its
// decisions is checked against the acknowledged writes that preceded it.
func TestMultiNodeNoStalePermit(t *testing.T) {
	t.Parallel()
	c := newCluster(t)
	a, b := c.start(), c.start()
	pract, client, clientID, practID := clusterPractice(t, c, a)
	rng := rand.New(rand.NewPCG(1, 2))

	decideB := func(ses, region string) (string, []string) {
		r := b.must(200, "POST", "/api/v1/decisions", pract, map[string]string{"session_id": ses, "region": region, "technique": "massage"})
		var codes []string
		rs, _ := r.Body["reasons"].([]any)
		for _, x := range rs {
			codes = append(codes, x.(map[string]any)["code"].(string))
		}
		return r.str("decision"), codes
	}
	rounds, stale := 0, 0
	for epoch := 0; rounds < 1000; epoch++ {
		ag, ses := liveSession(t, a.node, pract, client, clientID, practID)
		// A concurrent decider on B for one region that this epoch will
		// revoke at a random moment.
		watched := generalRegions[rng.IntN(len(generalRegions))]
		type obs struct {
			start   time.Time
			outcome string
		}
		var mu sync.Mutex
		var seen []obs
		stopWatch := make(chan struct{})
		watchDone := make(chan struct{})
		go func() {
			defer close(watchDone)
			for {
				select {
				case <-stopWatch:
					return
				default:
				}
				st := time.Now()
				r := b.call("POST", "/api/v1/decisions", pract, map[string]string{"session_id": ses, "region": watched, "technique": "massage"})
				mu.Lock()
				seen = append(seen, obs{st, r.str("decision")})
				mu.Unlock()
			}
		}()
		var watchedRevokedAt time.Time
		left := slices.Clone(generalRegions)
		for len(left) > 0 && rounds < 1000+len(generalRegions) {
			rounds++
			if rng.IntN(2) == 0 {
				i := rng.IntN(len(left))
				region := left[i]
				left = slices.Delete(left, i, i+1)
				a.must(200, "POST", "/api/v1/agreements/"+ag+"/revoke", client, map[string]any{"regions": []string{region}})
				acked := time.Now()
				if region == watched {
					watchedRevokedAt = acked
				}
				if d, codes := decideB(ses, region); d != "deny" || !slices.Contains(codes, "revoked") {
					stale++
					t.Errorf("round %d: %s on B after revoke of %s on A: %s %v", rounds, d, region, d, codes)
				}
			} else {
				a.must(201, "POST", "/api/v1/sessions/"+ses+"/events", client, map[string]string{"type": "stop"})
				region := generalRegions[rng.IntN(len(generalRegions))]
				if d, codes := decideB(ses, region); d != "deny" || !slices.Contains(codes, "stopped") {
					stale++
					t.Errorf("round %d: %s on B after stop on A: %v", rounds, d, codes)
				}
				a.must(201, "POST", "/api/v1/sessions/"+ses+"/events", client, map[string]string{"type": "resume"})
				if len(left) > 0 {
					if d, codes := decideB(ses, left[0]); d != "permit" {
						t.Errorf("round %d: after resume %s is %s %v, want permit", rounds, left[0], d, codes)
					}
				}
			}
		}
		close(stopWatch)
		<-watchDone
		// One live session per client: close this one before the next.
		a.must(201, "POST", "/api/v1/sessions/"+ses+"/events", pract, map[string]any{"type": "close", "close": map[string]any{"subjective": "ok"}})
		for _, o := range seen {
			if !watchedRevokedAt.IsZero() && o.start.After(watchedRevokedAt) && o.outcome == "permit" {
				stale++
				t.Errorf("epoch %d: a decision on B that started %v after the revoke of %s was acknowledged permitted",
					epoch, o.start.Sub(watchedRevokedAt), watched)
			}
		}
	}
	t.Logf("%d rounds, %d stale permits", rounds, stale)
	// One audit chain, written by both nodes, verifies.
	if out, err := c.cli("", "audit", "verify"); err != nil {
		t.Fatalf("audit verify: %v", err)
	} else {
		t.Log(strings.TrimSpace(out))
	}
}

// TestCrossNodeStop: the client's STOP through node A reaches a
// practitioner's event stream on node B within a second.
func TestCrossNodeStop(t *testing.T) {
	t.Parallel()
	c := newCluster(t)
	a, b := c.start(), c.start()
	pract, client, clientID, practID := clusterPractice(t, c, a)
	ag := a.must(201, "POST", "/api/v1/clients/"+clientID+"/agreements", client, map[string]any{"intent": "therapeutic",
		"grants": []map[string]string{grant("shoulders", "massage", "yes")}}).str("id")
	a.must(200, "POST", "/api/v1/agreements/"+ag+"/sign", client, nil)
	ses := a.must(201, "POST", "/api/v1/sessions", pract, map[string]any{"client_id": clientID, "practitioner_id": practID,
		"intent": "therapeutic", "starts_at": time.Now().UTC().Format(time.RFC3339)}).str("id")
	for _, ev := range []struct{ tok, typ string }{{pract, "open"}, {client, "reconfirm"}, {pract, "begin"}} {
		a.must(201, "POST", "/api/v1/sessions/"+ses+"/events", ev.tok, map[string]string{"type": ev.typ})
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", b.url+"/api/v1/sessions/"+ses+"/stream", nil)
	req.Header.Set("Authorization", "Bearer "+pract)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("stream on B: %v", err)
	}
	defer resp.Body.Close()
	lines := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	wait := func(substr string, within time.Duration) time.Duration {
		start := time.Now()
		deadline := time.After(within)
		for {
			select {
			case l := <-lines:
				if strings.Contains(l, substr) {
					return time.Since(start)
				}
			case <-deadline:
				t.Fatalf("B's stream did not show %q within %v", substr, within)
			}
		}
	}
	wait(`"state":"in-progress"`, 5*time.Second)
	for i := 0; i < 5; i++ {
		a.must(201, "POST", "/api/v1/sessions/"+ses+"/events", client, map[string]string{"type": "stop"})
		acked := time.Now()
		wait(`"state":"stopped"`, time.Second)
		t.Logf("stop %d reached B's stream %v after A acknowledged it", i, time.Since(acked))
		a.must(201, "POST", "/api/v1/sessions/"+ses+"/events", client, map[string]string{"type": "resume"})
		wait(`"state":"in-progress"`, time.Second)
	}
}

// TestKillDuringWrites kills a node with SIGKILL while it takes writes:
// every write it acknowledged is present afterwards and the audit chain
// verifies.
func TestKillDuringWrites(t *testing.T) {
	t.Parallel()
	c := newCluster(t)
	a := c.start()
	_, client, clientID, _ := clusterPractice(t, c, a)
	var mu sync.Mutex
	var acked []string
	done := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				r, err := postJSON(a.url+"/api/v1/clients/"+clientID+"/health-changes", client, map[string]string{"note": "note"})
				if err != nil {
					return // the node is gone
				}
				if r.Status == 201 {
					mu.Lock()
					acked = append(acked, r.str("id"))
					mu.Unlock()
				}
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	a.kill()
	close(done)
	wg.Wait()
	if len(acked) < 10 {
		t.Fatalf("only %d writes acknowledged before the kill", len(acked))
	}
	b := c.start()
	tok := b.login("c@example.test", fixturePassword)
	x := b.must(200, "GET", "/api/v1/clients/"+clientID+"/export", tok, nil)
	for _, id := range acked {
		if !bytes.Contains(x.Raw, []byte(id)) {
			t.Errorf("acknowledged write %s is missing after SIGKILL", id)
		}
	}
	if _, err := c.cli("", "audit", "verify"); err != nil {
		t.Fatalf("audit chain after SIGKILL: %v", err)
	}
	t.Logf("%d acknowledged writes survived SIGKILL", len(acked))
}

// postJSON is call without a testing.T, for goroutines that may see the
// node die.
func postJSON(url, token string, body any) (response, error) {
	j, _ := jsonMarshal(body)
	req, _ := http.NewRequest("POST", url, bytes.NewReader(j))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	var r response
	r.Status = resp.StatusCode
	if err := jsonDecode(resp.Body, &r.Body); err != nil {
		return r, err
	}
	return r, nil
}

// liveSession signs, on node a, a therapeutic agreement saying yes to
// massage on every general region, and opens, re-confirms and begins a
// session under it: the session the multi-node decision tests decide in.
// It returns the agreement's and the session's ids.
func liveSession(t *testing.T, a *node, pract, client, clientID, practID string) (agreementID, sessionID string) {
	t.Helper()
	var grants []map[string]string
	for _, r := range generalRegions {
		grants = append(grants, grant(r, "massage", "yes"))
	}
	ag := a.must(201, "POST", "/api/v1/clients/"+clientID+"/agreements", client, map[string]any{"intent": "therapeutic", "grants": grants}).str("id")
	a.must(200, "POST", "/api/v1/agreements/"+ag+"/sign", client, nil)
	ses := a.must(201, "POST", "/api/v1/sessions", pract, map[string]any{"client_id": clientID, "practitioner_id": practID,
		"intent": "therapeutic", "starts_at": time.Now().UTC().Format(time.RFC3339)}).str("id")
	for _, ev := range []struct{ tok, typ string }{{pract, "open"}, {client, "reconfirm"}, {pract, "begin"}} {
		a.must(201, "POST", "/api/v1/sessions/"+ses+"/events", ev.tok, map[string]string{"type": ev.typ})
	}
	return ag, ses
}
