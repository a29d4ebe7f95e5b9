package app_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"holdspace"
	"holdspace/app"
	"holdspace/app/apptest"
	"holdspace/csvio"
	"holdspace/store"
)

// failingDB fails the nth CreateClient of a transaction, as a disk error
// or a lost connection would half-way through an import.
type failingDB struct {
	store.DB
	n int
}

type failingTx struct {
	store.Tx
	left *int
}

func (t failingTx) CreateClient(ctx context.Context, c *store.Client) error {
	*t.left--
	if *t.left == 0 {
		return errors.New("disk full")
	}
	return t.Tx.CreateClient(ctx, c)
}

func (d *failingDB) Update(ctx context.Context, fn func(store.Tx) error) error {
	left := d.n
	return d.DB.Update(ctx, func(tx store.Tx) error { return fn(failingTx{Tx: tx, left: &left}) })
}

func importRows(n int) []csvio.Row {
	var rows []csvio.Row
	for i := range n {
		rows = append(rows, csvio.Row{Line: i + 2, Name: fmt.Sprintf("Client %d", i), Email: fmt.Sprintf("c%d@example.test", i), BirthDate: "1980-01-01"})
	}
	return rows
}

func countClients(t *testing.T, a *app.Services) (clients, creates int) {
	t.Helper()
	ctx := context.Background()
	err := a.DB().View(ctx, func(tx store.Tx) error {
		cs, err := tx.ListClients(ctx, store.ClientFilter{})
		clients = len(cs)
		if err != nil {
			return err
		}
		es, err := tx.ListAudit(ctx, store.AuditFilter{})
		for _, e := range es {
			if e.Action == "client.create" || e.Action == "client.import" {
				creates++
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return clients, creates
}

// TestImportClientsWholeOrNothing: a failure while the third client is
// written leaves no client, account or audit entry of the import; the
// same import then succeeds whole.
func TestImportClientsWholeOrNothing(t *testing.T) {
	ctx := context.Background()
	fdb := &failingDB{n: 3}
	a := apptest.New(t, func(c *app.Config) { fdb.DB = c.DB; c.DB = fdb })
	progress := 0
	_, err := a.People.ImportClients(ctx, app.System, importRows(5), app.ImportOptions{Source: csvio.Cliniko, Progress: func() { progress++ }})
	if err == nil || !strings.Contains(err.Error(), "disk full") || progress != 2 {
		t.Fatalf("import with a failing write: %v, progress %d", err, progress)
	}
	if n, audits := countClients(t, a); n != 0 || audits != 0 {
		t.Fatalf("a failed import left %d clients and %d audit entries", n, audits)
	}
	fdb.n = 0
	res, err := a.People.ImportClients(ctx, app.System, importRows(5), app.ImportOptions{Source: csvio.Cliniko})
	if err != nil || len(res.Imported) != 5 || res.Imported[4].ID == "" || res.Imported[4].Row != 6 {
		t.Fatalf("import: %+v %v", res, err)
	}
	if n, audits := countClients(t, a); n != 5 || audits != 6 {
		t.Fatalf("%d clients, %d audit entries; want 5 and 6", n, audits)
	}
	v, err := a.People.GetClient(ctx, app.System, res.Imported[2].ID)
	if err != nil || v.Name != "Client 2" || v.Email != "c2@example.test" || v.BirthDate != "1980-01-01" || v.CanLogIn {
		t.Fatalf("imported client: %+v %v", v, err)
	}
}

// TestImportClientsChecks: every problem of a row is reported; only
// admins import; a dry run writes nothing.
func TestImportClientsChecks(t *testing.T) {
	ctx := context.Background()
	a := apptest.New(t, nil)
	pid, err := a.People.CreateUser(ctx, app.System, app.NewUser{Role: holdspace.RolePractitioner, Name: "Pat", Email: "pat@example.test"})
	if err != nil {
		t.Fatal(err)
	}
	rows := []csvio.Row{
		{Line: 2, Name: "\u200b", Email: "x@", BirthDate: "1850-01-01"},
		{Line: 3, Name: "Ok Person", Email: "ok@example.test", BirthDate: "", Problems: []csvio.Problem{{Row: 3, Field: "birth_date", Reason: "ambiguous_date"}}},
		{Line: 4, Name: "Good One", Email: "good@example.test", BirthDate: "2000-02-29"},
	}
	res, err := a.People.ImportClients(ctx, app.System, rows, app.ImportOptions{Source: csvio.Jane})
	if holdspace.ErrorReason(err) != "import_rejected" {
		t.Fatalf("err %v", err)
	}
	var got []string
	for _, p := range res.Problems {
		got = append(got, fmt.Sprintf("%d %s %s", p.Row, p.Field, p.Reason))
	}
	want := "[2 name required 2 email invalid_email 2 birth_date invalid_date 3 birth_date ambiguous_date]"
	if fmt.Sprint(got) != want || fmt.Sprint(res.BadRows) != "[2 3]" {
		t.Fatalf("problems %v, bad rows %v; want %s", got, res.BadRows, want)
	}
	res, err = a.People.ImportClients(ctx, app.System, rows, app.ImportOptions{Source: csvio.Jane, SkipBad: true, DryRun: true, AssignEmail: "PAT@example.test"})
	if err != nil || len(res.Imported) != 1 || res.Imported[0].ID != "" {
		t.Fatalf("dry run: %+v %v", res, err)
	}
	if n, _ := countClients(t, a); n != 0 {
		t.Fatalf("a dry run wrote %d clients", n)
	}
	pract := app.Actor{UserID: pid, Role: holdspace.RolePractitioner}
	if _, err := a.People.ImportClients(ctx, pract, rows[2:], app.ImportOptions{Source: csvio.Jane}); holdspace.ErrorCode(err) != holdspace.EFORBIDDEN {
		t.Fatalf("a practitioner imported: %v", err)
	}
	res, err = a.People.ImportClients(ctx, app.System, rows, app.ImportOptions{Source: csvio.Jane, SkipBad: true, AssignEmail: "pat@example.test"})
	if err != nil || len(res.Imported) != 1 {
		t.Fatalf("skip bad: %+v %v", res, err)
	}
	v, err := a.People.GetClient(ctx, app.System, res.Imported[0].ID)
	if err != nil || len(v.PractitionerIDs) != 1 || v.PractitionerIDs[0] != pid || v.Notes != "Imported from Jane." {
		t.Fatalf("imported: %+v %v", v, err)
	}
}
