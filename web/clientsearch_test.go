package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// The clients pages carry a search box; a search lists the matching
// clients the viewer may see, each linking to the client's file.
func TestClientSearchPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.browser()
	p.login("robin@example.test")
	if resp := p.get("/clients"); resp.StatusCode != http.StatusOK || !strings.Contains(p.last, `name="q"`) {
		t.Fatalf("clients page without a search box: %d\n%s", resp.StatusCode, p.last)
	}
	if resp := p.get("/clients?q=MOREAU"); resp.StatusCode != http.StatusOK {
		t.Fatalf("search: %d\n%s", resp.StatusCode, p.last)
	}
	if !strings.Contains(p.last, `href="/clients/`+e.alex.UserID+`"`) || strings.Contains(p.last, "Kim Novak") {
		t.Errorf("search for moreau shows the wrong clients:\n%s", p.last)
	}
	if !strings.Contains(p.last, `value="MOREAU"`) {
		t.Errorf("the query is not kept in the box")
	}
	if resp := p.get("/clients?q=+-+"); resp.StatusCode != http.StatusBadRequest || !strings.Contains(p.last, "field-error") {
		t.Errorf("empty search: %d\n%s", resp.StatusCode, p.last)
	}

	// A practitioner without these clients finds none of them.
	o := e.browser()
	o.login("sam@example.test")
	o.get("/clients?q=kim")
	if strings.Contains(o.last, "Kim Novak") || !strings.Contains(o.last, "No client") {
		t.Errorf("unassigned practitioner's search:\n%s", o.last)
	}

	// The admin's clients page searches every client.
	a := e.browser()
	a.login("ada@example.test")
	if resp := a.get("/admin/clients"); resp.StatusCode != http.StatusOK || !strings.Contains(a.last, `action="/admin/clients"`) {
		t.Fatalf("admin clients page without a search box: %d", resp.StatusCode)
	}
	a.get("/admin/clients?q=kim+nov")
	if !strings.Contains(a.last, `href="/clients/`+e.kim.UserID+`"`) || strings.Contains(a.last, "Alex Moreau") {
		t.Errorf("admin search:\n%s", a.last)
	}
}
