package app

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"holdspace"
	"holdspace/csvio"
)

// BenchmarkSearchClients seeds a SQLite practice with N clients
// (HOLDSPACE_BENCH_CLIENTS, default 10,000) through ImportClients (names
// sealed under each client's key, 2,000 clients per practitioner), then
// reports the time of the first search (the index built from the store:
// every name opened), the index's memory per client, and the 50th and 99th
// percentiles of SearchClients with the mixed queries of
// BenchmarkNameIndexSearch: the index, then each result re-read and opened
// in the search's transaction, and the audit entry committed; the CPU
// percentiles count the searching goroutine's thread only (the SQLite
// driver runs on it), not the time spent waiting for a core or the disk.
func BenchmarkSearchClients(b *testing.B) {
	n := 10_000
	if v := os.Getenv("HOLDSPACE_BENCH_CLIENTS"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	ctx := context.Background()
	a := newTestApp(b)
	cs := benchClients(n)
	var pract Actor
	for start := 0; start < n; start += 2000 {
		email := fmt.Sprintf("p%d@example.test", start)
		pid, err := a.People.CreateUser(ctx, System, NewUser{Role: holdspace.RolePractitioner, Name: "Pat", Email: email})
		if err != nil {
			b.Fatal(err)
		}
		if start == 0 {
			pract = Actor{UserID: pid, Role: holdspace.RolePractitioner}
		}
		var rows []csvio.Row
		for i := start; i < min(n, start+2000); i++ {
			rows = append(rows, csvio.Row{Line: i + 2, Name: cs[i].name, Email: fmt.Sprintf("c%d@example.test", i), BirthDate: "1980-01-01"})
		}
		res, err := a.People.ImportClients(ctx, System, rows, ImportOptions{Source: csvio.Jane, AssignEmail: email, SkipBad: true})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Problems) > 0 && start == 0 {
			b.Logf("%d rows skipped, e.g. %+v", len(res.BadRows), res.Problems[0])
		}
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	t0 := time.Now()
	if _, err := a.People.SearchClients(ctx, System, "ann", 0); err != nil {
		b.Fatal(err)
	}
	build := time.Since(t0)
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.Logf("%d clients: first search (index built from the store) %v; heap %+.0f bytes/client",
		a.core.names.idx.len(), build.Round(time.Millisecond), float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/float64(n))
	for _, who := range []struct {
		name string
		ac   Actor
	}{{"admin", System}, {"practitioner", pract}} {
		b.Run(who.name, func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			var took, cpu []time.Duration
			i := 0
			for b.Loop() {
				t0, c0 := time.Now(), threadCPU()
				if _, err := a.People.SearchClients(ctx, who.ac, benchQueries[i%len(benchQueries)], 0); err != nil {
					b.Fatal(err)
				}
				cpu = append(cpu, threadCPU()-c0)
				took = append(took, time.Since(t0))
				i++
			}
			reportPercentiles(b, took, "")
			reportPercentiles(b, cpu, "cpu-")
		})
	}
}
