package app

import (
	"context"
	"slices"
	"strings"
	"time"

	"holdspace"
	"holdspace/audit"
	"holdspace/store"
)

// Audit page sizes: the default and the most one page may hold.
const (
	AuditPageSize    = 50
	maxAuditPageSize = 200
)

// AuditPageInput selects one page of the audit log. Before and After are
// sequence numbers from a previous page (its Older and Newer); with
// neither, the page holds the newest entries.
type AuditPageInput struct {
	ClientID string
	Since    time.Time
	Before   int64
	After    int64
	Limit    int // 0: AuditPageSize
}

// auditPageTx is the part of the store an audit page touches: the log, and
// the users it names.
type auditPageTx interface {
	auditTx
	User(ctx context.Context, id string) (*store.User, error)
}

// AuditPage is one page of the audit log, newest entry first.
type AuditPage struct {
	Entries []audit.Entry
	// Names maps the ids of the people the page names (as actor, target
	// or client) to their names.
	Names map[string]string
	// Older and Newer are the sequence numbers to pass as Before and
	// After for the neighbouring pages; zero when there is none.
	Older, Newer int64
}

// ReadAuditPage returns one page of the audit log with the names of the
// people it mentions. Admins only. Like ListAudit it is recorded as an
// "audit.read"; opening client names for the page is recorded as a
// "client.list" naming every client shown, as the client list is.
func (a *Audit) ReadAuditPage(ctx context.Context, ac Actor, in AuditPageInput) (AuditPage, error) {
	var out AuditPage
	if !ac.is(holdspace.RoleAdmin) {
		return out, forbidden("Only an admin can read the audit log.")
	}
	if in.ClientID != "" && !wellFormedID("cli", in.ClientID) {
		return out, holdspace.Invalid("invalid_id", "client_id", "Give client_id as a client's id (cli_…).")
	}
	if in.Before < 0 || in.After < 0 || (in.Before > 0 && in.After > 0) {
		return out, holdspace.Invalid("invalid_page", "before", "Give at most one of before and after, as a positive sequence number.")
	}
	if in.Limit <= 0 {
		in.Limit = AuditPageSize
	}
	in.Limit = min(in.Limit, maxAuditPageSize)
	f := store.AuditFilter{ClientID: in.ClientID, Since: in.Since}
	err := a.core.update(ctx, func(stx store.Tx) error {
		var tx auditPageTx = stx
		var err error
		page := f
		page.Limit = in.Limit
		if in.After > 0 {
			page.AfterSeq = in.After
			if out.Entries, err = tx.ListAudit(ctx, page); err != nil {
				return err
			}
			slices.Reverse(out.Entries)
		} else {
			page.BeforeSeq, page.Newest = in.Before, true
			if out.Entries, err = tx.ListAudit(ctx, page); err != nil {
				return err
			}
		}
		if n := len(out.Entries); n > 0 {
			newest, oldest := out.Entries[0].Seq, out.Entries[n-1].Seq
			probe := f
			probe.Limit, probe.BeforeSeq = 1, oldest
			if more, err := tx.ListAudit(ctx, probe); err != nil {
				return err
			} else if len(more) > 0 {
				out.Older = oldest
			}
			probe.BeforeSeq, probe.AfterSeq = 0, newest
			if more, err := tx.ListAudit(ctx, probe); err != nil {
				return err
			} else if len(more) > 0 {
				out.Newer = newest
			}
		}
		a.openDetails(out.Entries)
		var clients []string
		if out.Names, clients, err = a.auditNames(ctx, tx, out.Entries); err != nil {
			return err
		}
		if err := record(ctx, tx, ac, "audit.read", in.ClientID, in.ClientID, ""); err != nil {
			return err
		}
		if len(clients) > 0 {
			return record(ctx, tx, ac, "client.list", "", "", "ids="+strings.Join(clients, ","))
		}
		return nil
	})
	if out.Entries == nil {
		out.Entries = []audit.Entry{}
	}
	return out, err
}

// auditNames opens the names of the people that entries mention, and
// returns the ids of the clients among them.
func (a *Audit) auditNames(ctx context.Context, tx auditPageTx, es []audit.Entry) (map[string]string, []string, error) {
	names := map[string]string{}
	var clients []string
	seen := map[string]bool{}
	for _, e := range es {
		for _, id := range []string{e.Actor, e.Target, e.ClientID} {
			if seen[id] || !(wellFormedID("adm", id) || wellFormedID("prc", id) || wellFormedID("cli", id)) {
				continue
			}
			seen[id] = true
			u, err := tx.User(ctx, id)
			if holdspace.ErrorCode(err) == holdspace.ENOTFOUND {
				continue
			}
			if err != nil {
				return nil, nil, err
			}
			p, err := a.person(u)
			if err != nil {
				// An erased person's name no longer opens: the
				// page shows their id, as the log always did.
				continue
			}
			names[id] = p.Name
			if u.Role == holdspace.RoleClient {
				clients = append(clients, id)
			}
		}
	}
	slices.Sort(clients)
	return names, clients, nil
}
