package web

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"holdspace/app"
	"holdspace/audit"
)

// auditPage shows one page of the audit log, newest first, with the names
// of the people it mentions and links to the older and newer pages. The
// filters (client id, start day) carry over from page to page.
func (h *handler) auditPage(q *request) error {
	qs := q.r.URL.Query()
	in := app.AuditPageInput{ClientID: strings.TrimSpace(qs.Get("client_id"))}
	errs := map[string]string{}
	if s := strings.TrimSpace(qs.Get("since")); s != "" {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			errs["since"] = q.l.T("admin.audit.since_invalid")
		}
		in.Since = t
	}
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"before", &in.Before}, {"after", &in.After}} {
		if s := qs.Get(p.name); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n <= 0 {
				errs["_"] = q.l.T("admin.audit.page_invalid")
				continue
			}
			*p.dst = n
		}
	}
	var pg app.AuditPage
	if len(errs) == 0 {
		var err error
		if pg, err = h.audit.ReadAuditPage(q.r.Context(), q.ac, in); err != nil {
			if fe, ok := fieldErrors(err); ok {
				errs = fe
			} else {
				return err
			}
		}
	}
	link := func(key string, seq int64) string {
		if seq == 0 {
			return ""
		}
		v := url.Values{}
		if in.ClientID != "" {
			v.Set("client_id", in.ClientID)
		}
		if s := qs.Get("since"); s != "" {
			v.Set("since", s)
		}
		v.Set(key, strconv.FormatInt(seq, 10))
		return "/admin/audit?" + v.Encode()
	}
	rows := make([]auditRow, len(pg.Entries))
	for i, e := range pg.Entries {
		rows[i] = auditRow{Entry: e, ActorName: pg.Names[e.Actor], TargetName: pg.Names[e.Target], ClientName: pg.Names[e.ClientID]}
	}
	v := q.view(q.l.T("shell.nav.audit_log"), map[string]any{"Entries": rows, "Client": in.ClientID, "Since": qs.Get("since"),
		"Older": link("before", pg.Older), "Newer": link("after", pg.Newer), "Paged": in.Before > 0 || in.After > 0})
	v.Wide = true
	h.renderForm(q.w, q.r, "admin_audit", v, errs, errs["_"])
	return nil
}

// auditRow is one audit entry with the names of the people it mentions
// ("" where the id is not a person's, or the name no longer opens).
type auditRow struct {
	audit.Entry
	ActorName, TargetName, ClientName string
}
