package app

import (
	"context"
	"slices"
	"strings"
	"testing"

	"holdspace"
	"holdspace/store"
)

// searchWorld is a practice with two practitioners and a few clients.
type searchWorld struct {
	a        *Services
	p1, p2   Actor
	byName   map[string]string // client id by name
	clientAc Actor
}

func newSearchWorld(t *testing.T, a *Services) searchWorld {
	t.Helper()
	ctx := context.Background()
	w := searchWorld{a: a, byName: map[string]string{}}
	for i, name := range []string{"Pat One", "Pat Two"} {
		id, err := a.People.CreateUser(ctx, System, NewUser{Role: holdspace.RolePractitioner, Name: name, Email: []string{"p1", "p2"}[i] + "@example.test"})
		if err != nil {
			t.Fatal(err)
		}
		ac := Actor{UserID: id, Role: holdspace.RolePractitioner}
		if i == 0 {
			w.p1 = ac
		} else {
			w.p2 = ac
		}
	}
	for i, c := range []struct {
		name string
		pids []string
	}{
		{"Anna Smith", []string{w.p1.UserID}},
		{"Anna Jones", []string{w.p2.UserID}},
		{"José Álvarez", []string{w.p1.UserID, w.p2.UserID}},
		{"Hans Müller", nil},
	} {
		id, err := a.People.CreateClient(ctx, System, ClientInput{Name: c.name, Email: strings.Repeat("c", i+1) + "@example.test",
			BirthDate: "1980-01-01", PractitionerIDs: c.pids})
		if err != nil {
			t.Fatal(err)
		}
		w.byName[c.name] = id
	}
	w.clientAc = Actor{UserID: w.byName["Anna Smith"], Role: holdspace.RoleClient}
	return w
}

func names(vs []ClientView) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Name)
	}
	return out
}

func (w searchWorld) search(t *testing.T, ac Actor, q string) []string {
	t.Helper()
	vs, err := w.a.People.SearchClients(context.Background(), ac, q, 0)
	if err != nil {
		t.Fatalf("search %q as %s: %v", q, ac.Role, err)
	}
	return names(vs)
}

func TestSearchClients(t *testing.T) {
	ctx := context.Background()
	a := newTestApp(t)
	w := newSearchWorld(t, a)

	// Admins find every client; matching ignores case and accents.
	if got := w.search(t, System, "ann"); !slices.Equal(got, []string{"Anna Jones", "Anna Smith"}) {
		t.Errorf("admin, ann: %v", got)
	}
	if got := w.search(t, System, "jose"); !slices.Equal(got, []string{"José Álvarez"}) {
		t.Errorf("admin, jose: %v", got)
	}
	if got := w.search(t, System, "MULLER"); !slices.Equal(got, []string{"Hans Müller"}) {
		t.Errorf("admin, MULLER: %v", got)
	}
	if got := w.search(t, System, "ann sm"); !slices.Equal(got, []string{"Anna Smith"}) {
		t.Errorf("admin, ann sm: %v", got)
	}
	// Practitioners find their assigned clients only.
	if got := w.search(t, w.p1, "a"); !slices.Equal(got, []string{"Anna Smith", "José Álvarez"}) {
		t.Errorf("p1, a: %v", got)
	}
	if got := w.search(t, w.p2, "smith"); len(got) != 0 {
		t.Errorf("p2 finds a client not theirs: %v", got)
	}
	if got := w.search(t, w.p2, "muller"); len(got) != 0 {
		t.Errorf("p2 finds an unassigned client: %v", got)
	}
	// Clients cannot search.
	if _, err := a.People.SearchClients(ctx, w.clientAc, "anna", 0); holdspace.ErrorCode(err) != holdspace.EFORBIDDEN {
		t.Errorf("a client's search: %v, want EFORBIDDEN", err)
	}
	// Bad queries and limits.
	for q, reason := range map[string]string{"": "query_empty", "  ' - ": "query_empty", strings.Repeat("x", 101): "query_too_long"} {
		if _, err := a.People.SearchClients(ctx, System, q, 0); reasonOf(err) != reason {
			t.Errorf("search %q: %v, want %s", q, err, reason)
		}
	}
	for _, n := range []int{-1, MaxSearchLimit + 1} {
		if _, err := a.People.SearchClients(ctx, System, "ann", n); reasonOf(err) != "bad_limit" {
			t.Errorf("limit %d: %v", n, err)
		}
	}
	if vs, err := a.People.SearchClients(ctx, System, "a", 1); err != nil || len(vs) != 1 || vs[0].Name != "Anna Jones" {
		t.Errorf("limit 1: %v %v", names(vs), err)
	}

	// The index follows this node's changes at once: a new client, a new
	// assignment, an erasure.
	id, err := a.People.CreateClient(ctx, w.p2, ClientInput{Name: "Annika Ødegård", Email: "new@example.test", BirthDate: "1990-02-02"})
	if err != nil {
		t.Fatal(err)
	}
	if got := w.search(t, w.p2, "annika odegard"); !slices.Equal(got, []string{"Annika Ødegård"}) {
		t.Errorf("new client: %v", got)
	}
	if err := a.People.AssignPractitioners(ctx, System, w.byName["Hans Müller"], []string{w.p2.UserID}); err != nil {
		t.Fatal(err)
	}
	if got := w.search(t, w.p2, "muller"); !slices.Equal(got, []string{"Hans Müller"}) {
		t.Errorf("after assignment: %v", got)
	}
	if err := a.Records.EraseClient(ctx, System, id); err != nil {
		t.Fatal(err)
	}
	if got := w.search(t, System, "annika"); len(got) != 0 {
		t.Errorf("erased client found: %v", got)
	}
	if a.core.names.idx.len() != 4 {
		t.Errorf("index holds %d clients, want 4", a.core.names.idx.len())
	}

	// Each search is one audit entry naming the clients shown, with the
	// query's length and never its text.
	var details []string
	if err := a.core.db.View(ctx, func(tx store.Tx) error {
		es, err := tx.ListAudit(ctx, store.AuditFilter{})
		if err != nil {
			return err
		}
		for _, e := range es {
			if e.Action == "client.search" {
				details = append(details, e.Detail)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// Refused searches (forbidden, bad query) are not recorded as searches.
	if len(details) != 11 {
		t.Errorf("%d search entries, want 11: %q", len(details), details)
	}
	want := "ids=" + w.byName["Anna Smith"] + " query_chars=6"
	if !slices.Contains(details, want) {
		t.Errorf("no entry %q in %q", want, details)
	}
	for _, d := range details {
		// The ids are random letters and digits ("…ysmj…" once made this
		// fail): look for the query in the rest.
		rest := strings.Join(slices.DeleteFunc(strings.Fields(d), func(f string) bool { return strings.HasPrefix(f, "ids=") }), " ")
		if strings.Contains(strings.ToLower(rest), "ann") || strings.Contains(rest, "sm") || !strings.HasPrefix(rest, "query_chars=") {
			t.Errorf("the query's text is in the audit detail: %q", d)
		}
	}
}
