package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"holdspace/store"
)

// TestAdminCSVDownload: the admin page links the three CSV downloads; the
// admin downloads the clients with their names, the download is audited
// naming the table, and a practitioner or a client cannot download.
func TestAdminCSVDownload(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.login("ada@example.test")
	b.get("/admin")
	for _, link := range []string{`href="/admin/export/clients.csv"`, `href="/admin/export/sessions.csv"`, `href="/admin/export/outcomes.csv"`} {
		if !strings.Contains(b.last, link) {
			t.Errorf("the admin page lacks %s", link)
		}
	}
	resp := b.get("/admin/export/clients.csv")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		resp.Header.Get("Content-Disposition") != `attachment; filename="holdspace-clients.csv"` {
		t.Fatalf("download: %d %v\n%s", resp.StatusCode, resp.Header, b.last)
	}
	if !strings.HasPrefix(b.last, "\uFEFFid,name,email,created_at,screening_status") ||
		!strings.Contains(b.last, e.alex.UserID+",Alex Moreau,alex@example.test,") || !strings.Contains(b.last, ",Kim Novak,kim@example.test,") {
		t.Fatalf("clients.csv:\n%s", b.last)
	}
	if resp := b.get("/admin/export/agreements.csv"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown table: %d", resp.StatusCode)
	}
	var found int
	err := e.app.DB().View(context.Background(), func(tx store.Tx) error {
		es, err := tx.ListAudit(context.Background(), store.AuditFilter{})
		for _, en := range es {
			if en.Action == "export.csv" && en.Actor == e.admin.UserID && strings.HasPrefix(en.Detail, "what=clients rows=2 clients=") {
				found++
			}
		}
		return err
	})
	if err != nil || found != 1 {
		t.Fatalf("audit entries of the download: %d %v", found, err)
	}
	for _, who := range []string{"robin@example.test", "alex@example.test"} {
		o := e.browser()
		o.login(who)
		if resp := o.get("/admin/export/clients.csv"); resp.StatusCode == http.StatusOK || strings.Contains(o.last, "Kim Novak") {
			t.Errorf("%s downloaded the clients: %d", who, resp.StatusCode)
		}
	}
}
