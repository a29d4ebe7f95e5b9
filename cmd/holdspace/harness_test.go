package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// node is one real holdspace process started through run, as main would.
type node struct {
	t      *testing.T
	url    string
	data   string
	cancel context.CancelFunc
	done   chan error
	stdout *syncBuffer
	stderr *syncBuffer
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testEnv is the environment the tests' processes see: cheap password
// hashing so that suites stay fast, nothing else from the real environment.
func testEnv(extra map[string]string) func(string) string {
	env := map[string]string{"HOLDSPACE_ARGON2_MEMORY_KIB": "8192", "HOLDSPACE_ARGON2_TIME": "1", "HOLDSPACE_LOG_LEVEL": "warn"}
	for k, v := range extra {
		env[k] = v
	}
	return func(k string) string { return env[k] }
}

// start runs `holdspace <cmd> --addr 127.0.0.1:0 --data DIR args...` and
// waits until it prints its URL and /healthz answers 200.
func start(t *testing.T, data string, env map[string]string, cmd string, args ...string) *node {
	t.Helper()
	if data == "" {
		data = t.TempDir()
	}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	n := &node{t: t, data: data, cancel: cancel, done: make(chan error, 1), stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	all := append([]string{cmd, "--addr", "127.0.0.1:0", "--data", data}, args...)
	go func() {
		err := run(ctx, all, testEnv(env), strings.NewReader(""), io.MultiWriter(pw, n.stdout), n.stderr)
		pw.Close()
		n.done <- err
	}()
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if _, u, ok := strings.Cut(sc.Text(), "listening on "); ok {
				urlc <- u
			}
		}
		close(urlc)
	}()
	select {
	case u, ok := <-urlc:
		if !ok {
			t.Fatalf("holdspace exited before listening: %v\nstderr: %s", <-n.done, n.stderr.String())
		}
		n.url = u
	case <-time.After(60 * time.Second):
		t.Fatalf("holdspace did not start; stderr: %s", n.stderr.String())
	}
	t.Cleanup(func() { n.stop() })
	for i := 0; ; i++ {
		resp, err := http.Get(n.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if i > 100 {
			t.Fatalf("/healthz never became ready")
		}
		time.Sleep(50 * time.Millisecond)
	}
	return n
}

// stop asks the process to shut down (as SIGTERM would) and returns run's
// error.
func (n *node) stop() error {
	n.cancel()
	select {
	case err, ok := <-n.done:
		if ok {
			close(n.done)
			return err
		}
		return nil
	case <-time.After(30 * time.Second):
		n.t.Errorf("holdspace did not stop within 30 s")
		return nil
	}
}

// response is a decoded API response.
type response struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    []byte
}

// errCode returns error.code of an error body.
func (r response) errCode() string {
	e, _ := r.Body["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

func (r response) str(key string) string {
	s, _ := r.Body[key].(string)
	return s
}

// call sends a request with a JSON body (string or value) and a token.
func (n *node) call(method, path, token string, body any) response {
	n.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			n.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, n.url+path, rd)
	if err != nil {
		n.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		n.t.Fatalf("%s %s: %v", method, path, err)
	}
	return readResponse(n.t, resp)
}

// readResponse reads and closes resp, decoding a JSON body.
func readResponse(t *testing.T, resp *http.Response) response {
	t.Helper()
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	r := response{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
	if len(raw) > 0 && strings.Contains(resp.Header.Get("Content-Type"), "json") {
		_ = json.Unmarshal(raw, &r.Body)
	}
	return r
}

// must asserts the status and returns the response.
func (n *node) must(status int, method, path, token string, body any) response {
	n.t.Helper()
	r := n.call(method, path, token, body)
	if r.Status != status {
		n.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.Status, status, r.Raw)
	}
	return r
}

// login returns a bearer token for the account.
func (n *node) login(email, password string) string {
	n.t.Helper()
	r := n.must(200, "POST", "/api/v1/auth/token", "", map[string]string{"email": email, "password": password})
	return r.str("token")
}

// addUser creates an account through the CLI, as an operator would.
func addUser(t *testing.T, data, role, email, name, password string, extra ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	args := append([]string{"user", "add", "--data", data, "--role", role, "--email", email, "--name", name, "--password-stdin"}, extra...)
	if err := run(context.Background(), args, testEnv(nil), strings.NewReader(password+"\n"), &out, &errb); err != nil {
		t.Fatalf("user add: %v: %s", err, errb.String())
	}
	f := strings.Fields(out.String())
	return f[len(f)-1]
}

// dbFiles returns the SQLite files of a data directory.
func dbFiles(t *testing.T, data string) []string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(data, "holdspace.db*"))
	if len(m) == 0 {
		t.Fatalf("no database files in %s", data)
	}
	return m
}

func readAll(t *testing.T, files []string) []byte {
	t.Helper()
	var all []byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

func jsonDecode(r io.Reader, v any) error { return json.NewDecoder(r).Decode(v) }
