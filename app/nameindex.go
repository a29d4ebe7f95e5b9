package app

import (
	"cmp"
	"slices"
	"strings"
	"sync"
)

// nameIndex is this node's in-memory index of the clients' names, for
// client search. The database holds names only sealed (under each
// client's data key); the index holds them folded (namefold.go), in this
// process's memory only, never written anywhere. See nameindexsync.go for
// how it is built and kept current, and clientsearch.go for how its
// answers are checked against the store before anything is shown.
//
// Two sorted views answer a search: every entry by (key, id), which is the
// order results are shown in, and every word of every name by (word, key,
// id), which finds the entries whose words start with a term by binary
// search. A term that starts few words is answered from the word view
// (then the few candidates are sorted); a term that starts many is
// answered by walking the entries in order and stopping once enough
// match, which the many matches make short.
type nameIndex struct {
	mu     sync.RWMutex
	byID   map[string]*nameEntry
	sorted []*nameEntry // by key, then id
	words  []wordRef    // by word, then key, then id
	// pids interns practitioner ids, so that the many clients of one
	// practitioner share one copy of the id.
	pids map[string]string
}

// nameEntry is one client in the index.
type nameEntry struct {
	id  string
	key string // folded words joined by single spaces (foldKey)
	// pids are the practitioners assigned to the client, sorted.
	pids []string
	// rank is the entry's position in sorted, so that a search compares
	// entries in name order by a number (kept by load, put and remove).
	rank int
}

// wordRef is one word of an entry's key (a substring of it).
type wordRef struct {
	word string
	e    *nameEntry
}

// sparseMax is the most words a term may start for the search to check
// them all, keeping the first matches in name order; above it the search
// walks the entries in name order, where matches of such common terms are
// dense.
const sparseMax = 20000

func newNameIndex() *nameIndex {
	return &nameIndex{byID: map[string]*nameEntry{}, pids: map[string]string{}}
}

func compareEntries(a, b *nameEntry) int {
	if c := strings.Compare(a.key, b.key); c != 0 {
		return c
	}
	return strings.Compare(a.id, b.id)
}

func compareWords(a, b wordRef) int {
	if c := strings.Compare(a.word, b.word); c != 0 {
		return c
	}
	return compareEntries(a.e, b.e)
}

// splitKey returns the words of a key as substrings of it.
func splitKey(key string) []string { return strings.Split(key, " ") }

// entry returns a new entry for a client, its practitioner ids interned.
// The caller holds mu for writing.
func (x *nameIndex) entry(id, name string, pids []string) *nameEntry {
	e := &nameEntry{id: id, key: foldKey(name)}
	if len(pids) > 0 {
		e.pids = make([]string, len(pids))
		for i, p := range pids {
			if q, ok := x.pids[p]; ok {
				e.pids[i] = q
			} else {
				x.pids[p] = p
				e.pids[i] = p
			}
		}
		slices.Sort(e.pids)
	}
	return e
}

// load replaces the whole index with the given clients (a build).
func (x *nameIndex) load(cs []indexedClient) {
	fresh := newNameIndex()
	fresh.sorted = make([]*nameEntry, 0, len(cs))
	for _, c := range cs {
		e := fresh.entry(c.id, c.name, c.pids)
		if old := fresh.byID[c.id]; old != nil {
			continue
		}
		fresh.byID[c.id] = e
		fresh.sorted = append(fresh.sorted, e)
		if e.key == "" {
			continue
		}
		for _, w := range splitKey(e.key) {
			fresh.words = append(fresh.words, wordRef{w, e})
		}
	}
	slices.SortFunc(fresh.sorted, compareEntries)
	fresh.renumber(0)
	slices.SortFunc(fresh.words, compareWords)
	fresh.words = slices.Clip(fresh.words)
	x.mu.Lock()
	defer x.mu.Unlock()
	x.byID, x.sorted, x.words, x.pids = fresh.byID, fresh.sorted, fresh.words, fresh.pids
}

// indexedClient is what the index keeps of one client, in clear.
type indexedClient struct {
	id   string
	name string
	pids []string
}

// put adds a client or replaces what the index holds of it.
func (x *nameIndex) put(c indexedClient) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.removeLocked(c.id)
	e := x.entry(c.id, c.name, c.pids)
	x.byID[c.id] = e
	i, _ := slices.BinarySearchFunc(x.sorted, e, compareEntries)
	x.sorted = slices.Insert(x.sorted, i, e)
	x.renumber(i)
	if e.key == "" {
		return
	}
	for _, w := range splitKey(e.key) {
		r := wordRef{w, e}
		j, _ := slices.BinarySearchFunc(x.words, r, compareWords)
		x.words = slices.Insert(x.words, j, r)
	}
}

// remove takes a client out of the index (erased, or no longer a client).
func (x *nameIndex) remove(id string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.removeLocked(id)
}

func (x *nameIndex) removeLocked(id string) {
	e := x.byID[id]
	if e == nil {
		return
	}
	delete(x.byID, id)
	if i, ok := slices.BinarySearchFunc(x.sorted, e, compareEntries); ok {
		x.sorted = slices.Delete(x.sorted, i, i+1)
		x.renumber(i)
	}
	if e.key == "" {
		return
	}
	for _, w := range splitKey(e.key) {
		if j, ok := slices.BinarySearchFunc(x.words, wordRef{w, e}, compareWords); ok {
			x.words = slices.Delete(x.words, j, j+1)
		}
	}
}

// renumber sets the rank of the entries from position i on.
func (x *nameIndex) renumber(i int) {
	for ; i < len(x.sorted); i++ {
		x.sorted[i].rank = i
	}
}

// wordRange returns the range of words that start with t.
func (x *nameIndex) wordRange(t string) (lo, hi int) {
	lo, _ = slices.BinarySearchFunc(x.words, t, func(w wordRef, t string) int { return strings.Compare(w.word, t) })
	hi, _ = slices.BinarySearchFunc(x.words[lo:], t, func(w wordRef, t string) int {
		if strings.HasPrefix(w.word, t) {
			return -1
		}
		return 1
	})
	return lo, lo + hi
}

// len returns how many clients the index holds.
func (x *nameIndex) len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.byID)
}

// searchFrom is a position in the result order: results come strictly
// after it. The zero value is the start.
type searchFrom struct {
	key, id string
}

// search returns the ids of up to n clients whose names match every term
// (terms are folded words, see foldWords; each must start some word of
// the name), in name order, after from. practitionerID, when not empty,
// keeps only that practitioner's assigned clients. The answer is what this
// node's index holds now: the caller checks it against the store.
func (x *nameIndex) search(terms []string, practitionerID string, from searchFrom, n int) (ids []string, next searchFrom) {
	if len(terms) == 0 || n <= 0 {
		return nil, from
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	// The term that starts the fewest words gives the candidates.
	lo, hi := 0, len(x.words)+1
	for _, t := range terms {
		l, h := x.wordRange(t)
		if h-l < hi-lo {
			lo, hi = l, h
		}
	}
	// Results come from position start on in name order.
	start := 0
	if from.key != "" || from.id != "" {
		var exact bool
		start, exact = slices.BinarySearchFunc(x.sorted, &nameEntry{key: from.key, id: from.id}, compareEntries)
		if exact {
			start++
		}
	}
	ok := func(e *nameEntry) bool {
		if e.rank < start {
			return false
		}
		if practitionerID != "" {
			if _, found := slices.BinarySearch(e.pids, practitionerID); !found {
				return false
			}
		}
		return keyMatches(e.key, terms)
	}
	byRank := func(a, b *nameEntry) int { return cmp.Compare(a.rank, b.rank) }
	var found []*nameEntry
	if hi-lo <= sparseMax {
		// Few candidates: keep the first n in name order, sorted, as
		// they come (one comparison rejects most of them).
		found = make([]*nameEntry, 0, min(n, hi-lo))
		for _, w := range x.words[lo:hi] {
			e := w.e
			if len(found) == n && e.rank >= found[n-1].rank {
				continue
			}
			if !ok(e) {
				continue
			}
			i, dup := slices.BinarySearchFunc(found, e, byRank)
			if dup {
				continue // one name may have two words that match
			}
			if len(found) == n {
				found = found[:n-1]
			}
			found = slices.Insert(found, i, e)
		}
	} else {
		// Many candidates: walk the names in order from the position.
		for _, e := range x.sorted[start:] {
			if ok(e) {
				found = append(found, e)
				if len(found) == n {
					break
				}
			}
		}
	}
	ids = make([]string, len(found))
	for i, e := range found {
		ids[i] = e.id
	}
	if len(found) > 0 {
		last := found[len(found)-1]
		next = searchFrom{key: last.key, id: last.id}
	} else {
		next = from
	}
	return ids, next
}
