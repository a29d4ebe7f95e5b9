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
}

// wordRef is one word of an entry's key (a substring of it).
type wordRef struct {
	word string
	e    *nameEntry
}

// sparseMax is the most entries a term may start words of for the search
// to collect and sort them; above it the search walks the sorted entries.
const sparseMax = 4096

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
	// The longest term starts the fewest words.
	t0 := terms[0]
	for _, t := range terms[1:] {
		if len(t) > len(t0) {
			t0 = t
		}
	}
	lo, _ := slices.BinarySearchFunc(x.words, t0, func(w wordRef, t string) int { return strings.Compare(w.word, t) })
	hi := lo
	for hi < len(x.words) && hi-lo <= sparseMax && strings.HasPrefix(x.words[hi].word, t0) {
		hi++
	}
	ok := func(e *nameEntry) bool {
		if practitionerID != "" {
			if _, found := slices.BinarySearch(e.pids, practitionerID); !found {
				return false
			}
		}
		if from.key != "" || from.id != "" {
			if c := cmp.Or(strings.Compare(e.key, from.key), strings.Compare(e.id, from.id)); c <= 0 {
				return false
			}
		}
		return keyMatches(e.key, terms)
	}
	var found []*nameEntry
	if hi-lo <= sparseMax {
		// Few candidates: collect, sort, cut.
		for _, w := range x.words[lo:hi] {
			if ok(w.e) {
				found = append(found, w.e)
			}
		}
		slices.SortFunc(found, compareEntries)
		found = slices.Compact(found) // one name may have two words that match
		if len(found) > n {
			found = found[:n]
		}
	} else {
		// Many candidates: walk the names in order from the position.
		start := 0
		if from.key != "" || from.id != "" {
			start, _ = slices.BinarySearchFunc(x.sorted, &nameEntry{key: from.key, id: from.id}, compareEntries)
		}
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
