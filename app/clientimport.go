package app

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"holdspace"
	"holdspace/catalogue"
	"holdspace/csvio"
	"holdspace/store"
)

// ImportOptions steers ImportClients.
type ImportOptions struct {
	// Source is the system the rows come from, for the notes and the audit.
	Source csvio.Vendor
	// AssignEmail is the email of the practitioner every imported client
	// is assigned to; empty: none (an admin assigns them later).
	AssignEmail string
	// DryRun checks every row, against the practice too, and writes
	// nothing.
	DryRun bool
	// SkipBad imports the good rows when some are bad; without it a single
	// bad row means nothing is imported.
	SkipBad bool
	// Progress, if set, is called once for every client written.
	Progress func()
}

// ImportedClient is a row that became (or, in a dry run, would become) a
// client.
type ImportedClient struct {
	Row int    `json:"row"`
	ID  string `json:"id,omitempty"`
}

// ImportResult is what an import did or, in a dry run, would do.
type ImportResult struct {
	Source   csvio.Vendor     `json:"source"`
	Rows     int              `json:"rows"`
	DryRun   bool             `json:"dry_run"`
	Imported []ImportedClient `json:"imported"`
	// BadRows lists the rows with problems, in order; Problems has every
	// problem of each, not only the first.
	BadRows  []int           `json:"bad_rows"`
	Problems []csvio.Problem `json:"problems"`
}

// importRow is a checked row ready to be written.
type importRow struct {
	row        int
	name       string
	email      string
	birthDate  string
	notes      string
	emailIndex []byte
}

// ImportClients creates clients from the rows of another system's export
// (package csvio reads them), through the same records as CreateClient:
// names and emails sealed under each client's own data key, the email
// blind-indexed, an audit entry per client and one for the import. Every
// row is checked first and every problem of a row reported (holdspace's
// rules for a name, an email and a birth date; an email that is already a
// practice account's or that two rows share). With a bad row nothing is
// written unless SkipBad; the clients are written in one transaction, so
// an import is whole or not at all. Health data in the export is not
// read: imported clients complete holdspace's own screening. Admins only.
func (a *People) ImportClients(ctx context.Context, ac Actor, rows []csvio.Row, opt ImportOptions) (ImportResult, error) {
	res := ImportResult{Source: opt.Source, Rows: len(rows), DryRun: opt.DryRun}
	if !ac.is(holdspace.RoleAdmin) {
		return res, forbidden("Only an admin can import clients.")
	}
	if !slices.Contains(csvio.Vendors, opt.Source) {
		return res, holdspace.Invalid("invalid_source", "from", "The export must come from Jane or Cliniko.")
	}
	var assign []string
	if opt.AssignEmail != "" {
		pid, err := a.practitionerByEmail(ctx, opt.AssignEmail)
		if err != nil {
			return res, err
		}
		assign = []string{pid}
	}
	good, problems := a.checkImportRows(rows, opt.Source)
	if err := a.view(ctx, func(tx peopleTx) error {
		for _, g := range good {
			if _, err := tx.UserByEmail(ctx, g.emailIndex); err == nil {
				problems = append(problems, csvio.Problem{Row: g.row, Field: "email", Reason: "email_taken",
					Message: "An account of this practice already has this email."})
			} else if holdspace.ErrorCode(err) != holdspace.ENOTFOUND {
				return err
			}
		}
		return nil
	}); err != nil {
		return res, err
	}
	slices.SortStableFunc(problems, func(x, y csvio.Problem) int { return x.Row - y.Row })
	res.Problems = nonNil(problems)
	bad := map[int]bool{}
	for _, p := range problems {
		if !bad[p.Row] {
			bad[p.Row] = true
			res.BadRows = append(res.BadRows, p.Row)
		}
	}
	res.BadRows = nonNil(res.BadRows)
	good = slices.DeleteFunc(good, func(g importRow) bool { return bad[g.row] })
	if len(bad) > 0 && !opt.SkipBad {
		res.Imported = []ImportedClient{}
		return res, holdspace.Invalid("import_rejected", "file",
			"%d of %d rows have problems; nothing was imported. Correct them, or import the other rows with --skip-bad.", len(bad), len(rows))
	}
	for _, g := range good {
		res.Imported = append(res.Imported, ImportedClient{Row: g.row})
	}
	res.Imported = nonNil(res.Imported)
	if opt.DryRun || len(good) == 0 {
		return res, nil
	}
	type prepared struct {
		u  *store.User
		c  *store.Client
		ck []byte
	}
	ready := make([]prepared, 0, len(good))
	for _, g := range good {
		u, c, ck, err := a.newImportedClient(ctx, ac, g, assign)
		if err != nil {
			return res, fmt.Errorf("row %d: %w", g.row, err)
		}
		ready = append(ready, prepared{u, c, ck})
	}
	err := a.update(ctx, func(tx peopleTx) error {
		if err := checkPractitioners(ctx, tx, assign); err != nil {
			return err
		}
		for i, p := range ready {
			// The check above ran outside this transaction: an account
			// made since with one of these emails stops the import.
			if _, err := tx.UserByEmail(ctx, p.u.EmailIndex); err == nil {
				return holdspace.Conflict("email_taken", "Row %d: an account of this practice already has this email; nothing was imported.", good[i].row)
			}
			p.u.CreatedAt, p.c.CreatedAt = tx.Now(), tx.Now()
			if err := tx.CreateUser(ctx, p.u); err != nil {
				return fmt.Errorf("row %d: %w", good[i].row, err)
			}
			if err := tx.CreateClient(ctx, p.c); err != nil {
				return fmt.Errorf("row %d: %w", good[i].row, err)
			}
			if _, err := a.storeClientKey(ctx, tx, p.c.ID, p.ck, a.ckeys.generation()); err != nil {
				return err
			}
			if err := record(ctx, tx, ac, "client.create", p.c.ID, p.c.ID, "import="+string(opt.Source)); err != nil {
				return err
			}
			if opt.Progress != nil {
				opt.Progress()
			}
		}
		return record(ctx, tx, ac, "client.import", "", "", fmt.Sprintf("source=%s rows=%d imported=%d skipped=%d",
			opt.Source, len(rows), len(ready), len(bad)))
	})
	if err != nil {
		return res, err
	}
	for i, p := range ready {
		res.Imported[i].ID = p.c.ID
	}
	return res, nil
}

// checkImportRows applies holdspace's rules to every row and returns the
// rows that pass them and every problem found (the rows' own from reading
// included). An email that two or more rows share is a problem of each.
func (a *People) checkImportRows(rows []csvio.Row, source csvio.Vendor) ([]importRow, []csvio.Problem) {
	var problems []csvio.Problem
	var good []importRow
	byEmail := map[string][]int{}
	for _, r := range rows {
		ps := slices.Clone(r.Problems)
		has := func(field string) bool {
			return slices.ContainsFunc(ps, func(p csvio.Problem) bool { return p.Field == field })
		}
		add := func(err error) {
			if e, ok := err.(*holdspace.Error); ok {
				ps = append(ps, csvio.Problem{Row: r.Line, Field: e.Field, Reason: e.Reason, Message: e.Message})
			}
		}
		g := importRow{row: r.Line}
		var err error
		if g.name, err = validateName("name", r.Name); err != nil {
			add(err)
		}
		if g.email, err = normalizeEmail("email", r.Email); err != nil {
			add(err)
		} else {
			byEmail[g.email] = append(byEmail[g.email], r.Line)
		}
		switch {
		case has("birth_date"):
		case r.BirthDate == "":
			add(holdspace.Invalid("required", "birth_date", "A date of birth is required."))
		default:
			if bd, err := parseDate("birth_date", r.BirthDate); err != nil {
				add(err)
			} else if bd.After(a.now()) || bd.Year() < 1900 {
				add(holdspace.Invalid("invalid_date", "birth_date", "The birth date must be in the past."))
			} else {
				g.birthDate = r.BirthDate
			}
		}
		g.notes = importNotes(source, r)
		if len(g.notes) > 10000 {
			add(holdspace.Invalid("too_long", "notes", "The preferred name and patient id are too long for the notes."))
		}
		problems = append(problems, ps...)
		if len(ps) == 0 {
			g.emailIndex = a.keys.Index("email", g.email)
			good = append(good, g)
		}
	}
	dup := map[int]bool{}
	for _, lines := range byEmail {
		if len(lines) < 2 {
			continue
		}
		for _, l := range lines {
			others := make([]string, 0, len(lines)-1)
			for _, o := range lines {
				if o != l {
					others = append(others, strconv.Itoa(o))
				}
			}
			dup[l] = true
			problems = append(problems, csvio.Problem{Row: l, Field: "email", Reason: "duplicate_in_file",
				Message: "Row " + strings.Join(others, ", ") + " has the same email."})
		}
	}
	good = slices.DeleteFunc(good, func(g importRow) bool { return dup[g.row] })
	return good, problems
}

// importNotes records where a client came from: the system, its patient
// id and the preferred name it held. Nothing else of the export is kept.
func importNotes(source csvio.Vendor, r csvio.Row) string {
	s := "Imported from " + source.Title()
	if r.VendorID != "" {
		s += " (patient id " + r.VendorID + ")"
	}
	s += "."
	if r.Preferred != "" {
		s += " Preferred name: " + r.Preferred + "."
	}
	return s
}

// newImportedClient builds the account and profile records of an imported
// client as CreateClient does: no password (the client is invited to
// choose one), no anatomy (asked in holdspace), everything sealed under a
// new data key of the client's own.
func (a *People) newImportedClient(ctx context.Context, ac Actor, g importRow, assign []string) (*store.User, *store.Client, []byte, error) {
	u, err := a.newUser(ctx, NewUser{Role: holdspace.RoleClient, Name: g.name, Email: g.email})
	if err != nil {
		return nil, nil, nil, err
	}
	c := &store.Client{ID: u.ID, PractitionerIDs: slices.Clone(assign), CreatedBy: ac.UserID}
	ck, err := newClientDataKey()
	if err != nil {
		return nil, nil, nil, err
	}
	if err := a.resealFor(ck, u); err != nil {
		return nil, nil, nil, err
	}
	if c.BirthDateSealed, err = a.sealFor(ck, u.ID, u.ID, "birth_date", g.birthDate); err != nil {
		return nil, nil, nil, err
	}
	an, _ := json.Marshal(catalogue.Anatomy{})
	if c.AnatomySealed, err = a.sealFor(ck, u.ID, u.ID, "anatomy", string(an)); err != nil {
		return nil, nil, nil, err
	}
	if c.NotesSealed, err = a.sealFor(ck, u.ID, u.ID, "notes", g.notes); err != nil {
		return nil, nil, nil, err
	}
	return u, c, ck, nil
}

// practitionerByEmail returns the id of the enabled practitioner with the
// email.
func (a *People) practitionerByEmail(ctx context.Context, email string) (string, error) {
	e, err := normalizeEmail("assign", email)
	if err != nil {
		return "", err
	}
	var id string
	err = a.view(ctx, func(tx peopleTx) error {
		u, err := tx.UserByEmail(ctx, a.keys.Index("email", e))
		if err != nil || u.Role != holdspace.RolePractitioner || !u.DisabledAt.IsZero() {
			return holdspace.Invalid("unknown_practitioner", "assign", "No practitioner of this practice has the email %s.", e)
		}
		id = u.ID
		return nil
	})
	return id, err
}
