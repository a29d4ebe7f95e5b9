package main

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// pageIDs walks a list of the API page by page from path (which has a
// query already) and returns the ids of each page; key names the array.
func pageIDs(t *testing.T, n *node, path, token, key, idField string) [][]string {
	t.Helper()
	var pages [][]string
	next := ""
	for range 50 {
		p := path
		if next != "" {
			p += "&cursor=" + url.QueryEscape(next)
		}
		r := n.must(200, "GET", p, token, nil)
		var ids []string
		for _, v := range r.Body[key].([]any) {
			id, _ := v.(map[string]any)[idField].(string)
			ids = append(ids, id)
		}
		pages = append(pages, ids)
		next, _ = r.Body["next_cursor"].(string)
		if next == "" {
			return pages
		}
	}
	t.Fatalf("%s: more than 50 pages", path)
	return nil
}

// TestListsPageThroughAPI walks every list of the API a page at a time:
// each row once, in order, next_cursor only while rows follow; a bad
// cursor or limit is a 400 with its own code; the client list writes one
// audit entry per page naming the clients shown.
func TestListsPageThroughAPI(t *testing.T) {
	t.Parallel()
	f := newPractice(t, nil)
	n := f.n
	all := []string{f.c1ID, f.c2ID}
	for _, name := range []string{"Eli", "Fay", "Gus", "Hal"} {
		all = append(all, n.must(201, "POST", "/api/v1/clients", f.admin, map[string]any{"name": name + " Client",
			"email": strings.ToLower(name) + "@example.test", "birth_date": "1980-02-02", "practitioner_ids": []string{f.p1ID}}).str("id"))
	}
	pages := pageIDs(t, n, "/api/v1/clients?limit=4", f.admin, "clients", "id")
	if len(pages) != 2 || len(pages[0]) != 4 || !slices.Equal(slices.Concat(pages...), all) {
		t.Fatalf("admin's client pages %v, want %v in two pages", pages, all)
	}
	// The page view is one audit entry naming exactly the clients shown.
	last := n.must(200, "GET", "/api/v1/audit?order=newest&limit=1", f.admin, nil).Body["entries"].([]any)[0].(map[string]any)
	if last["action"] != "client.list" || last["detail"] != "ids="+strings.Join(pages[1], ",") {
		t.Errorf("audit of the last client page: %v %v, want client.list naming %v", last["action"], last["detail"], pages[1])
	}
	// The practitioner pages through their own clients only.
	pp := pageIDs(t, n, "/api/v1/clients?limit=2", f.p1, "clients", "id")
	if want := append([]string{f.c1ID}, all[2:]...); !slices.Equal(slices.Concat(pp...), want) || len(pp) != 3 {
		t.Errorf("p1's client pages %v, want %v", pp, want)
	}
	// Without limit one page of the default size holds them all, without
	// next_cursor (the response of old clients unchanged).
	if r := n.must(200, "GET", "/api/v1/clients", f.admin, nil); len(r.Body["clients"].([]any)) != len(all) || r.Body["next_cursor"] != nil {
		t.Errorf("the unpaged list: %s", r.Raw)
	}

	// Sessions: three for c1, two at the same time (a tie).
	at := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Minute)
	var sess []string
	for _, d := range []time.Duration{0, 0, time.Hour} {
		sess = append(sess, n.must(201, "POST", "/api/v1/sessions", f.p1, map[string]any{"client_id": f.c1ID, "practitioner_id": f.p1ID,
			"intent": "therapeutic", "starts_at": at.Add(d).Format(time.RFC3339)}).str("id"))
	}
	slices.Sort(sess[:2])
	sp := pageIDs(t, n, "/api/v1/sessions?client_id="+f.c1ID+"&limit=1", f.p1, "sessions", "id")
	if !slices.Equal(slices.Concat(sp...), sess) || len(sp) != 3 {
		t.Errorf("session pages %v, want %v one at a time", sp, sess)
	}

	// Agreements.
	a1 := f.signedAgreement(t, []map[string]string{grant("shoulders", "massage", "yes")})
	a2 := n.must(201, "POST", "/api/v1/clients/"+f.c1ID+"/agreements", f.c1, map[string]any{"intent": "therapeutic",
		"grants": []map[string]string{grant("neck", "massage", "yes")}}).str("id")
	ap := pageIDs(t, n, "/api/v1/clients/"+f.c1ID+"/agreements?limit=1", f.c1, "agreements", "id")
	if !slices.Equal(slices.Concat(ap...), []string{a1, a2}) || len(ap) != 2 {
		t.Errorf("agreement pages %v, want [%s %s]", ap, a1, a2)
	}

	// Audit: oldest first and newest first, each continuing its order.
	for _, order := range []string{"oldest", "newest"} {
		var seqs []float64
		next := ""
		for range 100 {
			p := "/api/v1/audit?limit=7&order=" + order
			if next != "" {
				p += "&cursor=" + url.QueryEscape(next)
			}
			r := n.must(200, "GET", p, f.admin, nil)
			for _, e := range r.Body["entries"].([]any) {
				seqs = append(seqs, e.(map[string]any)["seq"].(float64))
			}
			if next, _ = r.Body["next_cursor"].(string); next == "" {
				break
			}
		}
		for i := 1; i < len(seqs); i++ {
			if d := seqs[i] - seqs[i-1]; (order == "oldest" && d != 1) || (order == "newest" && d != -1) {
				t.Fatalf("%s audit pages skip or repeat at %v → %v", order, seqs[i-1], seqs[i])
			}
		}
		if len(seqs) < 20 {
			t.Errorf("%s audit pages saw %d entries", order, len(seqs))
		}
	}
	since := url.QueryEscape(time.Now().UTC().Add(-time.Minute).Format(time.RFC3339))
	first := n.must(200, "GET", "/api/v1/audit?limit=2&since="+since, f.admin, nil)
	next, _ := first.Body["next_cursor"].(string)
	if next == "" {
		t.Fatalf("audit since a minute ago has one page: %s", first.Raw)
	}
	n.must(200, "GET", "/api/v1/audit?limit=2&since="+since+"&cursor="+url.QueryEscape(next), f.admin, nil)

	// Bad cursors and limits: 400 with their own codes, nothing listed.
	clientCursor := n.must(200, "GET", "/api/v1/clients?limit=1", f.admin, nil).str("next_cursor")
	for _, c := range []struct{ path, code string }{
		{"/api/v1/clients?cursor=bogus", "bad_cursor"},
		{"/api/v1/clients?cursor=" + url.QueryEscape(next), "bad_cursor"}, // an audit cursor
		{"/api/v1/sessions?cursor=" + url.QueryEscape(clientCursor), "bad_cursor"},
		{"/api/v1/clients/" + f.c1ID + "/agreements?cursor=" + url.QueryEscape(clientCursor), "bad_cursor"},
		{"/api/v1/audit?order=newest&cursor=" + url.QueryEscape(next), "bad_cursor"}, // the other order's
		{"/api/v1/audit?after_seq=3&cursor=" + url.QueryEscape(next), "bad_cursor"},
		{"/api/v1/clients?limit=0", "bad_limit"},
		{"/api/v1/clients?limit=501", "bad_limit"},
		{"/api/v1/sessions?limit=ten", "bad_limit"},
		{"/api/v1/clients/" + f.c1ID + "/agreements?limit=-1", "bad_limit"},
	} {
		tok := f.admin
		if strings.Contains(c.path, "/agreements") {
			tok = f.c1
		}
		if got := n.must(400, "GET", c.path, tok, nil).errCode(); got != c.code {
			t.Errorf("%s: code %q, want %q", c.path, got, c.code)
		}
	}
}
