package main

import (
	"net/url"
	"strings"
	"testing"
)

// GET /api/v1/clients?q= finds clients by name for admins (every client)
// and practitioners (their assigned clients only); clients get 403; a bad
// query or limit is a 400 with a clear code.
func TestClientSearchAPI(t *testing.T) {
	t.Parallel()
	f := newPractice(t, nil)
	n := f.n
	names := func(r response) []string {
		var out []string
		cs, _ := r.Body["clients"].([]any)
		for _, c := range cs {
			out = append(out, c.(map[string]any)["name"].(string))
		}
		return out
	}
	search := func(token, q string) response {
		return n.call("GET", "/api/v1/clients?q="+url.QueryEscape(q), token, nil)
	}

	if r := search(f.admin, "client"); r.Status != 200 || strings.Join(names(r), "|") != "Casey Client|Dana Client" {
		t.Errorf("admin: %d %v", r.Status, names(r))
	}
	if r := n.call("GET", "/api/v1/clients?q=client&limit=1", f.admin, nil); r.Status != 200 || strings.Join(names(r), "|") != "Casey Client" {
		t.Errorf("admin, limit 1: %d %v", r.Status, names(r))
	}
	if r := search(f.p1, "CAS cli"); r.Status != 200 || strings.Join(names(r), "|") != "Casey Client" {
		t.Errorf("p1: %d %v", r.Status, names(r))
	}
	if r := search(f.p1, "dana"); r.Status != 200 || len(names(r)) != 0 {
		t.Errorf("p1 finds a client not theirs: %d %v", r.Status, names(r))
	}
	if r := search(f.c1, "casey"); r.Status != 403 || r.errCode() == "" {
		t.Errorf("a client's search: %d %s", r.Status, r.Raw)
	}
	if r := search("", "casey"); r.Status != 401 {
		t.Errorf("anonymous search: %d", r.Status)
	}
	for q, code := range map[string]string{"": "query_empty", " - ' ": "query_empty", strings.Repeat("é", 101): "query_too_long"} {
		if r := search(f.admin, q); r.Status != 400 || r.errCode() != code {
			t.Errorf("q=%q: %d %s, want 400 %s", q, r.Status, r.Raw, code)
		}
	}
	for _, l := range []string{"0", "101", "x"} {
		if r := n.call("GET", "/api/v1/clients?q=casey&limit="+l, f.admin, nil); r.Status != 400 || r.errCode() != "bad_limit" {
			t.Errorf("limit=%s: %d %s", l, r.Status, r.Raw)
		}
	}
	// The list without q is unchanged.
	if r := n.must(200, "GET", "/api/v1/clients", f.c1, nil); len(names(r)) != 1 {
		t.Errorf("a client's list: %v", names(r))
	}
}
