package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"holdspace/app"
)

// processConfig is what -mode startup and -mode auditverify need: the
// holdspace binary and the practice it runs on.
type processConfig struct {
	kind, binary, data, database, keyFile string
	starts, runs, workers                 int
	duration                              time.Duration
}

// storeArgs are the holdspace flags naming the practice.
func (c processConfig) storeArgs() []string {
	if c.database != "" {
		return []string{"--database", c.database, "--master-key-file", c.keyFile}
	}
	args := []string{"--data", c.data}
	if c.keyFile != "" {
		args = append(args, "--master-key-file", c.keyFile)
	}
	return args
}

// runProcess measures the holdspace binary as an operator runs it.
func runProcess(ctx context.Context, out io.Writer, c processConfig) error {
	switch {
	case c.binary == "":
		return fmt.Errorf("-mode %s needs -binary (go build -o holdspace ./cmd/holdspace)", c.kind)
	case c.data == "" && c.database == "":
		return fmt.Errorf("-mode %s needs -data DIR or -database URL with -master-key-file", c.kind)
	case c.data != "" && c.database != "":
		return fmt.Errorf("-mode %s measures one practice: give -data or -database, not both", c.kind)
	case c.database != "" && c.keyFile == "":
		return errors.New("-database needs -master-key-file (the key the practice was sealed with)")
	case c.starts < 1 || c.starts > 50 || c.runs < 1 || c.runs > 20:
		return errors.New("out of bounds: 1 ≤ -starts ≤ 50, 1 ≤ -runs ≤ 20")
	case c.workers < 1 || c.workers > 256 || c.duration <= 0 || c.duration > 5*time.Minute:
		return errors.New("out of bounds: 1 ≤ -workers ≤ 256, -duration ≤ 5m")
	}
	if _, err := os.Stat(c.binary); err != nil {
		return fmt.Errorf("-binary: %w", err)
	}
	if c.kind == "auditverify" {
		return auditVerify(ctx, out, c)
	}
	return startup(ctx, out, c)
}

var entriesRe = regexp.MustCompile(`audit chain intact: (\d+) entries`)

// auditVerify runs `holdspace audit verify` c.runs times and reports the
// wall time, the entries verified and the peak RSS of each run.
func auditVerify(ctx context.Context, out io.Writer, c processConfig) error {
	var times []float64
	var entries string
	for r := 1; r <= c.runs; r++ {
		var stdout, stderr bytes.Buffer
		cmd := exec.CommandContext(ctx, c.binary, append([]string{"audit", "verify"}, c.storeArgs()...)...)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		start := time.Now()
		err := cmd.Run()
		d := time.Since(start)
		if err != nil {
			return fmt.Errorf("audit verify: %w\n%s%s", err, stdout.String(), stderr.String())
		}
		m := entriesRe.FindStringSubmatch(stdout.String())
		if m == nil {
			return fmt.Errorf("audit verify said no entry count:\n%s", stdout.String())
		}
		entries = m[1]
		var peak int64
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			peak = ru.Maxrss // KiB on Linux
		}
		fmt.Fprintf(out, "run %d  audit verify  %d entries  %v  peak RSS %.1f MB\n", r, atoi(entries), d.Round(time.Millisecond), float64(peak)/1024)
		times = append(times, d.Seconds())
	}
	med := time.Duration(medianOf(times) * float64(time.Second))
	n := atoi(entries)
	fmt.Fprintf(out, "\nmedian of %d run(s): audit verify of %d entries in %v (%.0f entries/s)\n", c.runs, n, med.Round(time.Millisecond), float64(n)/med.Seconds())
	return nil
}

// startup starts the server c.starts times on the practice, each time
// timing from exec to the first 200 from /healthz and reading its RSS;
// after the last start it sends c.duration of client-file reads (and one
// list) from c.workers clients and reads the RSS again.
func startup(ctx context.Context, out io.Writer, c processConfig) error {
	// Tokens first, with the practice opened here and closed again.
	db, keys, err := openPractice(ctx, c.data, c.database, c.keyFile)
	if err != nil {
		return err
	}
	a, err := app.New(app.Config{DB: db, Keys: keys})
	if err != nil {
		db.Close()
		return err
	}
	r, err := prepareReaders(ctx, a)
	db.Close()
	if err != nil {
		return err
	}
	logf, err := os.CreateTemp("", "hsload-serve-*.log")
	if err != nil {
		return err
	}
	defer os.Remove(logf.Name())
	defer logf.Close()
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 2 * c.workers}}
	var times, rss []float64
	for s := 1; s <= c.starts; s++ {
		port, err := freePort()
		if err != nil {
			return err
		}
		base := "http://127.0.0.1:" + strconv.Itoa(port)
		cmd := exec.CommandContext(ctx, c.binary, append([]string{"serve", "--addr", "127.0.0.1:" + strconv.Itoa(port)}, c.storeArgs()...)...)
		cmd.Stdout, cmd.Stderr = logf, logf
		start := time.Now()
		if err := cmd.Start(); err != nil {
			return err
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		stop := func() {
			cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-exited:
			case <-time.After(30 * time.Second):
				cmd.Process.Kill()
				<-exited
			}
		}
		d, err := waitHealthy(client, base, start, exited, time.Minute)
		if err != nil {
			stop()
			return fmt.Errorf("start %d: %w (server log: %s)", s, err, logf.Name())
		}
		st, err := procStatus(cmd.Process.Pid)
		if err != nil {
			stop()
			return err
		}
		fmt.Fprintf(out, "start %d  /healthz 200 after %v  RSS %.1f MB\n", s, d.Round(time.Millisecond), st["VmRSS"])
		times = append(times, d.Seconds())
		rss = append(rss, st["VmRSS"])
		if s < c.starts {
			stop()
			continue
		}
		m := &mode{name: "serve", base: base, readers: r, kind: "clientfile"}
		listStatus := get(client, base+"/api/v1/clients", r.admin)
		ws := drive(client, m, c.workers, c.duration, 0)
		st, err = procStatus(cmd.Process.Pid)
		stop()
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "\nmedian of %d start(s): /healthz 200 after %v, RSS %.1f MB at start\n",
			c.starts, time.Duration(medianOf(times)*float64(time.Second)).Round(time.Millisecond), medianOf(rss))
		fmt.Fprintf(out, "after warm-up (one client list: %d; %v of client-file reads at c%d: %d requests, %d failed, p99 %v): RSS %.1f MB, peak RSS (VmHWM) %.1f MB\n",
			listStatus, c.duration, c.workers, ws.n, ws.fails, round(ws.p99), st["VmRSS"], st["VmHWM"])
	}
	return nil
}

// waitHealthy asks base/healthz until it answers 200, the process exits or
// limit passes, and returns the time since start (the exec).
func waitHealthy(c *http.Client, base string, start time.Time, exited <-chan error, limit time.Duration) (time.Duration, error) {
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for time.Since(start) < limit {
		if get(c, base+"/healthz", "") == 200 {
			return time.Since(start), nil
		}
		select {
		case err := <-exited:
			return 0, fmt.Errorf("the server exited before it was healthy: %v", err)
		case <-tick.C:
		}
	}
	return 0, fmt.Errorf("/healthz not 200 within %v", limit)
}

// procStatus reads the memory lines of /proc/PID/status, in MB.
func procStatus(pid int) (map[string]float64, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || !strings.HasPrefix(k, "Vm") {
			continue
		}
		fs := strings.Fields(v)
		if len(fs) == 2 && fs[1] == "kB" {
			n, _ := strconv.ParseFloat(fs[0], 64)
			out[k] = n / 1024
		}
	}
	return out, sc.Err()
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func medianOf(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	v = slices.Clone(v)
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
