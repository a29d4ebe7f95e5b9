package app

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"holdspace"
)

func TestFoldWords(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"José", []string{"jose"}},
		{"Müller", []string{"muller"}},
		{"MÜLLER", []string{"muller"}},
		{"Mu\u0308ller", []string{"muller"}}, // decomposed ü
		{"Straße", []string{"strasse"}},
		{"STRASSE", []string{"strasse"}},
		{"Jean-Luc Ørsted", []string{"jean", "luc", "orsted"}},
		{"O'Brien", []string{"obrien"}},
		{"O’Brien", []string{"obrien"}},
		{"Łukasz Wałęsa", []string{"lukasz", "walesa"}},
		{"Ｆｕｌｌ Ｗｉｄｔｈ", []string{"full", "width"}},
		{"Ἀθηνᾶ", []string{"αθηνα"}},
		{"  Anna   Smith  ", []string{"anna", "smith"}},
		{"Zoë  van der Berg", []string{"zoe", "van", "der", "berg"}},
		{"-- !! --", nil},
	} {
		if got := foldWords(c.in); !slices.Equal(got, c.want) {
			t.Errorf("foldWords(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSearchTerms(t *testing.T) {
	if _, err := searchTerms(strings.Repeat("a", MaxSearchQuery)); err != nil {
		t.Errorf("a query of %d characters: %v", MaxSearchQuery, err)
	}
	for q, reason := range map[string]string{
		strings.Repeat("é", MaxSearchQuery+1): "query_too_long",
		"":                                    "query_empty",
		"  - ' ":                              "query_empty",
		"\u0301\u0301":                        "query_empty", // combining marks only
		"\xff\xfe":                            "invalid_characters",
	} {
		_, err := searchTerms(q)
		if reasonOf(err) != reason {
			t.Errorf("searchTerms(%q) = %v, want reason %s", q, err, reason)
		}
	}
}

func reasonOf(err error) string {
	var e *holdspace.Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

func ids(x *nameIndex, q, pid string, n int) []string {
	got, _ := x.search(foldWords(q), pid, searchFrom{}, n)
	return got
}

func TestNameIndexSearch(t *testing.T) {
	x := newNameIndex()
	x.load([]indexedClient{
		{"c1", "Anna Smith", []string{"p1"}},
		{"c2", "Anna Jones", []string{"p2"}},
		{"c3", "José Álvarez", []string{"p1", "p2"}},
		{"c4", "Hans Müller", nil},
		{"c5", "annabel smithers", []string{"p1"}},
		{"c6", "Bob Annan", []string{"p1"}},
	})
	for _, c := range []struct {
		q, pid string
		want   []string
	}{
		{"ann sm", "", []string{"c1", "c5"}},          // every term starts a word, in name order
		{"sm ann", "", []string{"c1", "c5"}},          // term order does not matter
		{"ANN", "", []string{"c2", "c1", "c5", "c6"}}, // "anna jones" < "anna smith" < "annabel …" < "bob annan"
		{"jose", "", []string{"c3"}},
		{"alv", "", []string{"c3"}},
		{"muller", "", []string{"c4"}},
		{"müll", "", []string{"c4"}},
		{"nna", "", nil}, // prefixes only, not infixes
		{"anna smith jr", "", nil},
		{"ann", "p2", []string{"c2"}},
		{"ann", "p1", []string{"c1", "c5", "c6"}},
		{"ann", "p9", nil},
	} {
		if got := ids(x, c.q, c.pid, 20); !slices.Equal(got, c.want) {
			t.Errorf("search %q (practitioner %q) = %v, want %v", c.q, c.pid, got, c.want)
		}
	}
	if got := ids(x, "ann", "", 2); !slices.Equal(got, []string{"c2", "c1"}) {
		t.Errorf("limit 2: %v", got)
	}
	// Paging on: the rest come after the last one shown.
	first, next := x.search([]string{"ann"}, "", searchFrom{}, 2)
	rest, _ := x.search([]string{"ann"}, "", next, 20)
	if all := append(first, rest...); !slices.Equal(all, []string{"c2", "c1", "c5", "c6"}) {
		t.Errorf("two pages: %v", all)
	}

	// Updates: a new client, a changed name, new assignments, removal.
	x.put(indexedClient{"c7", "Ann Åberg", []string{"p2"}})
	x.put(indexedClient{"c1", "Anna Zed", []string{"p2"}})
	x.remove("c5")
	x.remove("nobody")
	if got := ids(x, "ann", "", 20); !slices.Equal(got, []string{"c7", "c2", "c1", "c6"}) {
		t.Errorf("after updates: %v", got)
	}
	if got := ids(x, "smith", "", 20); len(got) != 0 {
		t.Errorf("old name still found: %v", got)
	}
	if got := ids(x, "ann", "p1", 20); !slices.Equal(got, []string{"c6"}) {
		t.Errorf("after reassignment, p1: %v", got)
	}
	if got := ids(x, "aberg", "p2", 20); !slices.Equal(got, []string{"c7"}) {
		t.Errorf("new client: %v", got)
	}
	if n := x.len(); n != 6 {
		t.Errorf("len = %d, want 6", n)
	}
}

// The two ways of answering (few candidates: collect and sort; many: walk
// in name order) agree with a brute-force scan, with and without a
// practitioner, paged or not.
func TestNameIndexSearchMatchesScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	syll := []string{"a", "an", "ann", "ma", "ri", "jo", "sé", "el", "lu", "Ü", "ber", "g"}
	word := func() string {
		var b strings.Builder
		for range 1 + rng.IntN(3) {
			b.WriteString(syll[rng.IntN(len(syll))])
		}
		return b.String()
	}
	var cs []indexedClient
	for i := range 12000 {
		cs = append(cs, indexedClient{id: fmt.Sprintf("c%05d", i), name: word() + " " + word(), pids: []string{fmt.Sprintf("p%d", rng.IntN(5))}})
	}
	x := newNameIndex()
	x.load(cs[:6000])
	for _, c := range cs[6000:] {
		x.put(c) // half built at once, half added one by one
	}
	for i := 0; i < 12000; i += 7 {
		x.remove(cs[i].id)
	}
	scan := func(terms []string, pid string) []string {
		var es []*nameEntry
		for i, c := range cs {
			if i%7 == 0 || (pid != "" && c.pids[0] != pid) {
				continue
			}
			e := &nameEntry{id: c.id, key: foldKey(c.name)}
			if keyMatches(e.key, terms) {
				es = append(es, e)
			}
		}
		slices.SortFunc(es, compareEntries)
		var out []string
		for _, e := range es {
			out = append(out, e.id)
		}
		return out
	}
	for _, q := range []string{"a", "an", "ann", "ma ri", "jose", "u", "ber g", "lu el", "annann", "riri", "zzz"} {
		for _, pid := range []string{"", "p3"} {
			terms := foldWords(q)
			want := scan(terms, pid)
			var got []string
			from := searchFrom{}
			for {
				page, next := x.search(terms, pid, from, 37)
				got = append(got, page...)
				if len(page) < 37 {
					break
				}
				from = next
			}
			if !slices.Equal(got, want) {
				t.Errorf("%q (practitioner %q): %d results, want %d", q, pid, len(got), len(want))
			}
			top, _ := x.search(terms, pid, searchFrom{}, 20)
			if !slices.Equal(top, want[:min(20, len(want))]) {
				t.Errorf("%q (practitioner %q): first 20 differ", q, pid)
			}
		}
	}
}
