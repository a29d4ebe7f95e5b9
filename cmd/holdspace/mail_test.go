package main

import (
	"bufio"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"holdspace/mail/mailtest"
)

// startWith launches a node of c with more environment and waits for
// /healthz (cluster.start with extra variables).
func (c *cluster) startWith(extra ...string) *proc {
	t := c.t
	t.Helper()
	cmd := exec.Command(binary(t), "serve", "--addr", "127.0.0.1:0")
	cmd.Env = append(c.env(), extra...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{node: &node{t: t, stderr: stderr, stdout: &syncBuffer{}}, cmd: cmd}
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if _, u, ok := strings.Cut(sc.Text(), "listening on "); ok {
				urlc <- u
			}
		}
	}()
	select {
	case p.url = <-urlc:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("node did not start: %s", stderr.String())
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Signal(syscall.SIGTERM)
			done := make(chan struct{})
			go func() { cmd.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				cmd.Process.Kill()
			}
		}
	})
	for i := 0; ; i++ {
		if r, err := http.Get(p.url + "/healthz"); err == nil {
			r.Body.Close()
			if r.StatusCode == 200 {
				break
			}
		}
		if i > 200 {
			t.Fatalf("node never ready: %s", stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return p
}

// TestMailSurvivesSIGKILL: a booking commits its confirmation to the
// outbox in the same transaction; the process is killed with SIGKILL after
// the commit and before the worker could send (the SMTP server is down
// then); a new process sends it once the server is up, exactly once (the
// message is marked sent before the worker takes the next, and a second
// booking's confirmation arriving after it proves the first was not sent
// again).
func TestMailSurvivesSIGKILL(t *testing.T) {
	t.Parallel()
	started := time.Now()
	c := newCluster(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	smtpAddr := ln.Addr().String()
	ln.Close() // the SMTP server is down for now
	env := []string{"HOLDSPACE_SMTP_URL=smtp://" + smtpAddr + "?tls=none", "HOLDSPACE_MAIL_FROM=Praxis <praxis@example.test>",
		"HOLDSPACE_BASE_URL=https://practice.example.test"}
	a := c.startWith(env...)
	pract, _, clientID, _ := clusterPractice(t, c, a)
	book := func(n *proc) string {
		// Ten days ahead: outside the reminder and intake windows, so the
		// confirmation is the only message.
		starts := time.Now().Add(240 * time.Hour).UTC().Truncate(time.Minute).Format(time.RFC3339)
		return n.must(201, "POST", "/api/v1/sessions", pract, map[string]any{"client_id": clientID, "intent": "therapeutic", "starts_at": starts}).str("id")
	}
	t.Logf("practice set up after %v", time.Since(started))
	t0 := time.Now()
	first := book(a) // committed: 201
	a.kill()
	t.Logf("booked and killed after %v", time.Since(t0))

	srv := mailtest.Start(t, smtpAddr) // the server comes up
	b := c.startWith(env...)
	t.Logf("restarted after %v", time.Since(t0))
	got := srv.Wait(t, 1)
	t.Logf("delivered after %v", time.Since(t0))
	if !strings.Contains(got[0].Body, "/sessions/"+first) || got[0].To != "c@example.test" {
		t.Fatalf("first delivery: to %s\n%s", got[0].To, got[0].Body)
	}
	second := book(b)
	got = srv.Wait(t, 2)
	firsts, ids := 0, map[string]bool{}
	for _, m := range got {
		if strings.Contains(m.Body, "/sessions/"+first) {
			firsts++
		}
		ids[m.MessageID()] = true
	}
	t.Logf("second delivered after %v", time.Since(t0))
	if firsts != 1 || len(got) != 2 || len(ids) != 2 || !strings.Contains(got[1].Body, "/sessions/"+second) {
		t.Fatalf("deliveries: %d of the first booking's confirmation (want 1), %d messages, %d Message-IDs", firsts, len(got), len(ids))
	}
}
