package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"holdspace/app"
	"holdspace/audit"
	"holdspace/store"
)

// Lists on pages a page at a time (issue 16).

var (
	adminClientRE = regexp.MustCompile(`<h2 id="c-(cli_[a-z0-9]+)">`)
	practClientRE = regexp.MustCompile(`<li><a href="/clients/(cli_[a-z0-9]+)">`)
	nextPageRE    = regexp.MustCompile(`<a href="([^"]+)" rel="next">Next page`)
)

// moreClients adds n clients without a portal, assigned to the
// practitioner, and returns their ids.
func (e *env) moreClients(n int) []string {
	e.t.Helper()
	var ids []string
	for i := range n {
		id, err := e.app.People.CreateClient(context.Background(), app.System, app.ClientInput{Name: fmt.Sprintf("Client %03d", i),
			Email: fmt.Sprintf("c%03d@example.test", i), BirthDate: "1990-01-01", PractitionerIDs: []string{e.pract.UserID}})
		if err != nil {
			e.t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

// newestAudit returns the latest n audit entries, newest first.
func (e *env) newestAudit(n int) []audit.Entry {
	e.t.Helper()
	es, err := e.app.Audit.ListAudit(context.Background(), e.admin, store.AuditFilter{Newest: true, Limit: n})
	if err != nil {
		e.t.Fatal(err)
	}
	return es
}

// walkPages follows the pager from path and returns the ids on each page.
func walkPages(t *testing.T, b *browser, path string, row *regexp.Regexp) [][]string {
	t.Helper()
	var pages [][]string
	for path != "" && len(pages) < 10 {
		if resp := b.get(path); resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		var ids []string
		for _, m := range row.FindAllStringSubmatch(b.last, -1) {
			ids = append(ids, m[1])
		}
		pages = append(pages, ids)
		path = ""
		if m := nextPageRE.FindStringSubmatch(b.last); m != nil {
			path = strings.ReplaceAll(m[1], "&amp;", "&")
		}
	}
	return pages
}

func TestClientListsPagedOneAuditEntryPerView(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	want := append([]string{e.alex.UserID, e.kim.UserID}, e.moreClients(app.DefaultPageSize+3)...)
	for _, c := range []struct {
		who, path string
		row       *regexp.Regexp
	}{{"ada@example.test", "/admin/clients", adminClientRE}, {"robin@example.test", "/clients", practClientRE}} {
		b := e.browser()
		b.login(c.who)
		pages := walkPages(t, b, c.path, c.row)
		if len(pages) != 2 || len(pages[0]) != app.DefaultPageSize || len(pages[1]) != 5 {
			t.Fatalf("%s: pages of %v clients, want %d then 5", c.path, lens(pages), app.DefaultPageSize)
		}
		if got := slices.Concat(pages...); !slices.Equal(got, want) {
			t.Errorf("%s: the pages show %d clients in another order or with repeats than the %d added (oldest first)", c.path, len(got), len(want))
		}
		// The last page links back to the first and not further.
		if !strings.Contains(b.last, `rel="first"`) || nextPageRE.MatchString(b.last) {
			t.Errorf("%s: the last page's pager is wrong", c.path)
		}
		// One entry for the last view, naming exactly the clients shown;
		// no entry per client.
		es := e.newestAudit(3)
		if es[0].Action != "client.list" || es[0].Detail != "ids="+strings.Join(pages[1], ",") {
			t.Errorf("%s: newest audit entry %s %q, want one client.list naming the 5 shown", c.path, es[0].Action, es[0].Detail)
		}
		if es[1].Action != "client.list" || strings.Count(es[1].Detail, "cli_") != app.DefaultPageSize {
			t.Errorf("%s: the first page's entry %s names %d clients, want %d", c.path, es[1].Action, strings.Count(es[1].Detail, "cli_"), app.DefaultPageSize)
		}
		// A cursor the list did not give out is a 400 page.
		if resp := b.get(c.path + "?cursor=not-a-cursor"); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s with a bad cursor: %d", c.path, resp.StatusCode)
		}
	}
}

// A failed assignment on the second page re-renders the second page with
// the note, and a good one returns to it.
func TestAdminAssignStaysOnItsPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := e.moreClients(app.DefaultPageSize + 1)
	b := e.browser()
	b.login("ada@example.test")
	pages := walkPages(t, b, "/admin/clients", adminClientRE)
	last := ids[len(ids)-1]
	if len(pages) != 2 || !slices.Contains(pages[1], last) {
		t.Fatalf("pages %v: the newest client is not on the second page", lens(pages))
	}
	cursor := regexp.MustCompile(`name="cursor" value="([^"]+)"`).FindStringSubmatch(b.last)
	if cursor == nil {
		t.Fatal("the second page's forms do not carry its cursor")
	}
	resp := b.post("/admin/clients/"+last+"/assign", url.Values{"practitioner_ids": {"usr_nobody"}, "cursor": {cursor[1]}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(b.last, `id="c-`+last+`"`) {
		t.Errorf("a refused assignment: %d, the client's section shown: %v", resp.StatusCode, strings.Contains(b.last, `id="c-`+last+`"`))
	}
	resp = b.post("/admin/clients/"+last+"/assign", url.Values{"practitioner_ids": {e.other.UserID}, "cursor": {cursor[1]}})
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "cursor=") {
		t.Errorf("a saved assignment: %d to %q, want back to the same page", resp.StatusCode, loc)
	}
}

// The console opens the names of the clients whose sessions it shows, not
// those of every client assigned to the practitioner.
func TestConsoleOpensOnlyTheNamesItShows(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.moreClients(30)
	ctx := context.Background()
	tomorrow := time.Now().UTC().Add(26 * time.Hour).Truncate(time.Hour)
	if _, err := e.app.Sessions.CreateSession(ctx, e.pract, app.SessionInput{ClientID: e.kim.UserID, PractitionerID: e.pract.UserID,
		Intent: "therapeutic", StartsAt: tomorrow.Format(time.RFC3339)}); err != nil {
		t.Fatal(err)
	}
	// Alex's session is open now.
	s, err := e.app.Sessions.CreateSession(ctx, e.pract, app.SessionInput{ClientID: e.alex.UserID, PractitionerID: e.pract.UserID,
		Intent: "therapeutic", StartsAt: time.Now().UTC().Format(time.RFC3339)})
	if err != nil {
		t.Fatal(err)
	}
	e.event(s.ID, e.pract, "open")
	live := s.ID
	b := e.browser()
	b.login("robin@example.test")
	if resp := b.get("/console"); resp.StatusCode != http.StatusOK {
		t.Fatalf("console: %d", resp.StatusCode)
	}
	if !strings.Contains(b.last, `href="/sessions/`+live+`">Alex Moreau</a>`) || !strings.Contains(b.last, ">Kim Novak</a>") {
		t.Errorf("the console does not name the clients of its sessions")
	}
	var lists []audit.Entry
	for _, en := range e.newestAudit(20) {
		if en.Action == "client.list" && en.Actor == e.pract.UserID {
			lists = append(lists, en)
		}
	}
	want := []string{e.alex.UserID, e.kim.UserID}
	slices.Sort(want)
	if len(lists) != 1 || lists[0].Detail != "ids="+strings.Join(want, ",") {
		t.Errorf("client.list entries of the console view: %+v, want one naming %v", lists, want)
	}
}

func lens(pages [][]string) []int {
	var n []int
	for _, p := range pages {
		n = append(n, len(p))
	}
	return n
}
