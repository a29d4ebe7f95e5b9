package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestAccountPagesAuthorization: every role reaches its own account page;
// the account acts of other roles do not exist for them, and nothing is
// written.
func TestAccountPagesAuthorization(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, email := range []string{"alex@example.test", "robin@example.test", "ada@example.test"} {
		b := e.browser()
		b.login(email)
		if resp := b.get("/account"); resp.StatusCode != http.StatusOK || !strings.Contains(b.last, "Where you are signed in") {
			t.Errorf("%s /account: %d", email, resp.StatusCode)
		}
	}
	alex := e.browser()
	alex.login("alex@example.test")
	alex.get("/account")
	for _, path := range []string{"/admin/users/" + e.pract.UserID + "/disable", "/clients/" + e.kim.UserID + "/invite",
		"/admin/users/" + e.kim.UserID + "/invite"} {
		if resp := alex.post(path, url.Values{}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("client POST %s: %d, want 404", path, resp.StatusCode)
		}
	}
	sam := e.browser()
	sam.login("sam@example.test")
	sam.get("/account")
	if resp := sam.post("/clients/"+e.kim.UserID+"/invite", url.Values{}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unassigned practitioner invites: %d, want 404", resp.StatusCode)
	}
	if resp := sam.post("/admin/users/"+e.pract.UserID+"/disable", url.Values{}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("practitioner disables: %d, want 404", resp.StatusCode)
	}
	if p, err := e.app.People.Me(ctx, e.pract); err != nil || p.Disabled {
		t.Fatalf("a refused disable was written: %+v %v", p, err)
	}
	// The admin disables Robin from the page: Robin's browser is signed out.
	robin := e.browser()
	robin.login("robin@example.test")
	admin := e.browser()
	admin.login("ada@example.test")
	admin.get("/admin/practitioners")
	if resp := admin.post("/admin/users/"+e.pract.UserID+"/disable", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("admin disable: %d\n%s", resp.StatusCode, admin.last)
	}
	if resp := robin.get("/console"); resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "/login") {
		t.Errorf("disabled practitioner's page: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	// The practitioner's invitation page shows a link and its QR code once.
	admin.get("/admin/clients")
	if resp := admin.post("/clients/"+e.kim.UserID+"/invite", url.Values{}); resp.StatusCode != http.StatusOK ||
		!strings.Contains(admin.last, `<svg class="qr"`) || !strings.Contains(admin.last, "/invite/hs_") {
		t.Fatalf("invitation page: %d\n%s", resp.StatusCode, admin.last)
	}
}
