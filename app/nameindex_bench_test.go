package app

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// Synthetic clients for the name index at scale: first names (some with
// accents) and surnames made of syllables, so that short prefixes match
// many names and long ones few, as in a real practice.
var (
	benchFirst = []string{"Anna", "Anne", "Annika", "José", "Joséphine", "Jürgen", "Müge", "Zoë", "Chloé", "Renée",
		"Mark", "Maria", "Marie", "Martin", "Mateo", "Ben", "Bente", "Sam", "Samira", "Søren", "Łukasz", "Ingrid",
		"Oliver", "Olivia", "Noah", "Emma", "Liam", "Ava", "Elijah", "Sofia", "Lucas", "Mia", "Amelia", "Hugo",
		"Leo", "Nina", "Ines", "Ivan", "Kai", "Lena", "Felix", "Clara", "Jonas", "Paula", "Omar", "Aisha", "Yusuf",
		"Hana", "Kenji", "Mei", "Priya", "Arjun", "Fatima", "Ali", "Sara", "David", "Daniel", "Eva", "Adam", "Ruth"}
	benchSyll = []string{"mül", "ler", "smi", "th", "ber", "g", "son", "jo", "nes", "wa", "ng", "gar", "cía", "ro", "dri",
		"guez", "lee", "kim", "ng", "ham", "il", "ton", "ø", "ster", "gaard", "van", "der", "ko", "wal", "ski", "ić",
		"pe", "tro", "va", "da", "sil", "ma", "rin", "ez", "ba", "ker", "ch", "en", "mo", "ore", "lé", "vy"}
)

// benchClients returns n synthetic clients assigned to one of n/2000
// practitioners each (2,000 clients a practitioner).
func benchClients(n int) []indexedClient {
	rng := rand.New(rand.NewPCG(7, 11))
	pract := max(1, n/2000)
	cs := make([]indexedClient, n)
	for i := range cs {
		var last strings.Builder
		for range 2 + rng.IntN(2) {
			last.WriteString(benchSyll[rng.IntN(len(benchSyll))])
		}
		s := last.String()
		name := benchFirst[rng.IntN(len(benchFirst))] + " " + strings.ToUpper(s[:1]) + s[1:]
		cs[i] = indexedClient{id: fmt.Sprintf("u_%026d", i), name: name, pids: []string{fmt.Sprintf("u_p%025d", rng.IntN(pract))}}
	}
	return cs
}

// benchQueries mixes queries of every selectivity: one letter (half the
// names), a first name, a first name and a surname prefix, a rare prefix,
// nothing at all.
var benchQueries = []string{"a", "m", "ann", "jose", "muller", "ann sm", "zoe ng", "mar ro", "soren", "lukasz wal",
	"chloe", "kim", "ijk", "zzz", "sa", "oliv ba", "e", "jo", "ingrid gaard", "hugo"}

// BenchmarkNameIndexBuild builds the index of 100,000 clients and reports
// the memory it holds per client (live heap after a GC, before and after).
func BenchmarkNameIndexBuild(b *testing.B) {
	cs := benchClients(100_000)
	var x *nameIndex
	var before, after runtime.MemStats
	for b.Loop() {
		x = nil
		runtime.GC()
		runtime.ReadMemStats(&before)
		x = newNameIndex()
		x.load(cs)
		runtime.GC()
		runtime.ReadMemStats(&after)
	}
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(x.len()), "bytes/client")
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MiB")
	runtime.KeepAlive(x)
}

// BenchmarkNameIndexSearch searches 100,000 clients with the mixed
// queries, as an admin (every client) and as a practitioner (2,000
// assigned), 20 results, and reports the 50th and 99th percentiles of the
// time taken and of the CPU time used (on a machine shared with other
// work the first includes waiting for a core).
func BenchmarkNameIndexSearch(b *testing.B) {
	cs := benchClients(100_000)
	x := newNameIndex()
	x.load(cs)
	terms := make([][]string, len(benchQueries))
	for i, q := range benchQueries {
		terms[i] = foldWords(q)
	}
	for _, who := range []struct{ name, pid string }{{"admin", ""}, {"practitioner", cs[0].pids[0]}} {
		b.Run(who.name, func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			var took, cpu []time.Duration
			i := 0
			for b.Loop() {
				t0, c0 := time.Now(), threadCPU()
				x.search(terms[i%len(terms)], who.pid, searchFrom{}, DefaultSearchLimit)
				cpu = append(cpu, threadCPU()-c0)
				took = append(took, time.Since(t0))
				i++
			}
			reportPercentiles(b, took, "")
			reportPercentiles(b, cpu, "cpu-")
		})
	}
}

// reportPercentiles reports the 50th and 99th percentiles of ds in µs.
func reportPercentiles(b *testing.B, ds []time.Duration, prefix string) {
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds()), prefix+"p50-µs")
	b.ReportMetric(float64(ds[len(ds)*99/100].Microseconds()), prefix+"p99-µs")
}

// BenchmarkNameIndexUpdate replaces one client's entry in an index of
// 100,000 (a rename, reassignment or new client heard of).
func BenchmarkNameIndexUpdate(b *testing.B) {
	cs := benchClients(100_000)
	x := newNameIndex()
	x.load(cs)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var cpu []time.Duration
	i := 0
	for b.Loop() {
		c := cs[i%len(cs)]
		c.name = benchFirst[i%len(benchFirst)] + " " + c.name
		c0 := threadCPU()
		x.put(c)
		cpu = append(cpu, threadCPU()-c0)
		i++
	}
	reportPercentiles(b, cpu, "cpu-")
}
