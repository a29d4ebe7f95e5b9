package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"holdspace"

	"holdspace/app"
	"holdspace/catalogue"
)

func (h *handler) adminHome(q *request) error {
	adverse, err := h.followUps.AdverseFollowUps(q.r.Context(), q.ac)
	if err != nil {
		return err
	}
	v := q.view(q.l.T("admin.home.title"), map[string]any{"Adverse": adverse,
		"FactorRequired": h.accounts.SecondFactorRequired(holdspace.RoleAdmin)})
	v.Wide = true
	h.render(q.w, http.StatusOK, "admin", v)
	return nil
}

// practitionerRow is a practitioner with their credentials for the admin.
type practitionerRow struct {
	app.Person
	Credentials []credentialRow
}

type credentialRow struct {
	app.Credential
	Valid bool
	State string
}

func (h *handler) adminPractitioners(q *request) error {
	return h.renderPractitioners(q, "", nil)
}

// renderPractitioners shows every practitioner and their credentials;
// errs, when set, belong to the form named by formID.
func (h *handler) renderPractitioners(q *request, formID string, errs map[string]string) error {
	ctx := q.r.Context()
	ps, err := h.people.ListPractitioners(ctx, q.ac)
	if err != nil {
		return err
	}
	now := time.Now()
	var rows []practitionerRow
	for _, p := range ps {
		_, creds, err := h.people.Practitioner(ctx, q.ac, p.ID)
		if err != nil {
			return err
		}
		row := practitionerRow{Person: p}
		for _, c := range creds {
			cr := credentialRow{Credential: c, Valid: c.ValidAt(now), State: q.l.T("admin.practitioners.state_valid")}
			switch {
			case now.After(c.ValidUntil):
				cr.State = q.l.T("admin.practitioners.state_expired")
			case now.Before(c.ValidFrom):
				cr.State = q.l.T("admin.practitioners.state_not_yet")
			}
			row.Credentials = append(row.Credentials, cr)
		}
		rows = append(rows, row)
	}
	slices.SortFunc(rows, func(a, b practitionerRow) int { return strings.Compare(a.Name, b.Name) })
	v := q.view(q.l.T("shell.nav.practitioners"), map[string]any{"Rows": rows, "Covers": catalogue.Covers(), "FormID": formID})
	v.Wide = true
	h.renderForm(q.w, q.r, "admin_practitioners", v, errs, q.l.T("admin.practitioners.fix"))
	return nil
}

func (h *handler) adminCreatePractitioner(q *request) error {
	f := q.r.PostForm
	id, err := h.people.CreateUser(q.r.Context(), q.ac, app.NewUser{Role: holdspace.RolePractitioner, Name: f.Get("name"),
		Email: f.Get("email"), Password: f.Get("password")})
	if err != nil {
		if errs, ok := fieldErrors(err); ok {
			return h.renderPractitioners(q, "new", errs)
		}
		return err
	}
	if f.Get("password") != "" {
		return redirect(q, "/admin/practitioners?done=created")
	}
	inv, err := h.accounts.Invite(q.r.Context(), q.ac, id)
	if err != nil {
		return err
	}
	return h.showInvitation(q, inv, f.Get("name"))
}

func (h *handler) adminAddCredential(q *request) error {
	f := q.r.PostForm
	id := q.r.PathValue("id")
	_, err := h.people.AddCredential(q.r.Context(), q.ac, id, app.CredentialInput{Kind: f.Get("kind"), Issuer: f.Get("issuer"),
		Number: f.Get("number"), ValidFrom: f.Get("valid_from"), ValidUntil: f.Get("valid_until"), Covers: f["covers"]})
	if err != nil {
		if errs, ok := fieldErrors(err); ok {
			return h.renderPractitioners(q, id, errs)
		}
		return err
	}
	return redirect(q, "/admin/practitioners?done=created")
}

func (h *handler) adminClients(q *request) error {
	return h.renderAdminClients(q, "", nil)
}

func (h *handler) renderAdminClients(q *request, formID string, errs map[string]string) error {
	pg, err := h.clientPage(q)
	if err != nil {
		return err
	}
	ps, err := h.people.ListPractitioners(q.r.Context(), q.ac)
	if err != nil {
		return err
	}
	v := q.view(q.l.T("admin.clients.title"), map[string]any{"Clients": pg.Clients, "Practitioners": ps, "FormID": formID,
		"Cursor": pageCursor(q), "Pager": pagerFor(q, "/admin/clients", q.l.T("pager.clients"), pg.Next)})
	v.Wide = true
	h.renderForm(q.w, q.r, "admin_clients", v, errs, oneNote(errs))
	return nil
}

func (h *handler) adminAssign(q *request) error {
	id := q.r.PathValue("id")
	if err := h.people.AssignPractitioners(q.r.Context(), q.ac, id, q.r.PostForm["practitioner_ids"]); err != nil {
		if errs, ok := fieldErrors(err); ok {
			return h.renderAdminClients(q, id, errs)
		}
		return err
	}
	to := url.Values{"done": {"assigned"}}
	if c := pageCursor(q); c != "" {
		to.Set("cursor", c)
	}
	return redirect(q, "/admin/clients?"+to.Encode())
}

// adminAudit shows the audit log, filtered by client and a start day, a
// page at a time (auditpage.go).
func (h *handler) adminAudit(q *request) error {
	return h.auditPage(q)
}
