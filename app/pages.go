package app

import (
	"cmp"
	"context"
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
	"time"

	"holdspace"
	"holdspace/store"
)

// Lists are read a page at a time in keyset order (issue 16): a page starts
// strictly after the (time, id) of the previous page's last row, so that a
// list of 100,000 clients costs one page, inserts between two pages neither
// repeat nor skip a row, and sealed fields (a client's name) are opened
// only for the rows shown. The order is the one the store can walk by an
// index, never a sealed field.

// Page sizes of the lists: the default and the most one page may hold.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

// PageInput selects one page of a list: Cursor is the Next of the previous
// page ("" for the first page), Limit the page size (0: DefaultPageSize).
type PageInput struct {
	Cursor string
	Limit  int
}

// cursorVersion starts every cursor, so that a later format can refuse an
// old one clearly.
const cursorVersion = "k1"

// errBadCursor is the error of a cursor this server did not give out for
// this list.
func errBadCursor() error {
	return holdspace.Invalid("bad_cursor", "cursor", "This cursor does not belong to this list; start again from the first page.")
}

// errBadLimit is the error of a page size out of range.
func errBadLimit() error {
	return holdspace.Invalid("bad_limit", "limit", "Give limit as a whole number from 1 to %d.", MaxPageSize)
}

// encodeCursor makes the opaque cursor of list at key k.
func encodeCursor(list string, k store.Key) string {
	raw := cursorVersion + "\x00" + list + "\x00" + strconv.FormatInt(k.At.UnixMicro(), 10) + "\x00" + k.ID
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// decodeCursor returns the key of a cursor of list; EINVALID bad_cursor
// when it is malformed or was given out for another list.
func decodeCursor(list, cursor string) (store.Key, error) {
	if len(cursor) > 400 {
		return store.Key{}, errBadCursor()
	}
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return store.Key{}, errBadCursor()
	}
	parts := strings.Split(string(raw), "\x00")
	if len(parts) != 4 || parts[0] != cursorVersion || parts[1] != list || parts[3] == "" {
		return store.Key{}, errBadCursor()
	}
	us, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || us <= 0 {
		return store.Key{}, errBadCursor()
	}
	return store.Key{At: time.UnixMicro(us).UTC(), ID: parts[3]}, nil
}

// page returns the key to start after and the page size of in for list.
func (in PageInput) page(list string) (store.Key, int, error) {
	limit := in.Limit
	switch {
	case limit == 0:
		limit = DefaultPageSize
	case limit < 0 || limit > MaxPageSize:
		return store.Key{}, 0, errBadLimit()
	}
	if in.Cursor == "" {
		return store.Key{}, limit, nil
	}
	k, err := decodeCursor(list, in.Cursor)
	return k, limit, err
}

// cut keeps the first limit of rows (read with limit+1 to learn whether
// more follow) and returns the cursor of the next page, "" at the end.
func cut[T any](list string, rows []T, limit int, key func(T) store.Key) ([]T, string) {
	if len(rows) <= limit {
		return rows, ""
	}
	rows = rows[:limit]
	return rows, encodeCursor(list, key(rows[limit-1]))
}

// ClientQuery selects a page of the client list.
type ClientQuery struct {
	PageInput
}

// ClientPage is one page of clients, oldest first, and the cursor of the
// next page ("" when this is the last).
type ClientPage struct {
	Clients []ClientView
	Next    string
}

// PageClients returns one page of the clients the actor may see (a client:
// only themself), by (created, id). Only the page's sealed fields are
// opened, and the view is recorded as one "client.list" entry naming the
// clients shown (see recordList). EINVALID bad_cursor, bad_limit.
func (a *People) PageClients(ctx context.Context, ac Actor, q ClientQuery) (ClientPage, error) {
	var out ClientPage
	after, limit, err := q.page("clients")
	if err != nil {
		return out, err
	}
	if !ac.is(holdspace.RoleAdmin) && !ac.is(holdspace.RolePractitioner) {
		if q.Cursor != "" {
			return ClientPage{Clients: []ClientView{}}, nil
		}
		out.Clients, err = a.ListClients(ctx, ac)
		return out, err
	}
	var ids []string
	err = a.view(ctx, func(tx peopleTx) error {
		f := store.ClientFilter{After: after, Limit: limit + 1}
		if ac.is(holdspace.RolePractitioner) {
			f.PractitionerID = ac.UserID
		}
		cs, err := tx.ListClients(ctx, f)
		if err != nil {
			return err
		}
		cs, out.Next = cut("clients", cs, limit, func(c *store.Client) store.Key { return store.Key{At: c.CreatedAt, ID: c.ID} })
		// The page's accounts in one statement, not one each.
		pageIDs := make([]string, len(cs))
		for i, c := range cs {
			pageIDs[i] = c.ID
		}
		users, err := tx.UsersByID(ctx, pageIDs)
		if err != nil {
			return err
		}
		for _, c := range cs {
			u := users[c.ID]
			if u == nil { // not among the lookup's live accounts: read it alone
				if u, err = tx.User(ctx, c.ID); err != nil {
					return err
				}
			}
			v, err := a.clientView(u, c)
			if err != nil {
				return err
			}
			out.Clients = append(out.Clients, v)
			ids = append(ids, c.ID)
		}
		return nil
	})
	if err != nil {
		return ClientPage{}, err
	}
	if err := a.recordList(ctx, ac, ids); err != nil {
		return ClientPage{}, err
	}
	out.Clients = nonNil(out.Clients)
	return out, nil
}

// recordList records the view of a list naming the clients shown, as one
// "client.list" entry (none for an empty list). The list is read in a
// read-only transaction, in parallel with other reads, and only this entry
// is written: the single writer is held for the append, not for the reads
// and the opening of sealed fields, and the append is one part of a
// grouped transaction (groupcommit.go), sharing its commit with the
// decisions and events and other views queued with it. The caller shows
// nothing unless the entry is stored.
func (a *People) recordList(ctx context.Context, ac Actor, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	return a.core.updateGrouped(ctx, func(ctx context.Context, tx store.Tx) error {
		return record(ctx, tx, ac, "client.list", "", "", "ids="+strings.Join(ids, ","))
	})
}

// ClientNames returns the names of the clients ids that the actor may see
// (others are left out, as if unknown), opening only those names. The read
// is recorded as one "client.list" entry naming them. At most MaxPageSize
// ids; EINVALID too_many.
func (a *People) ClientNames(ctx context.Context, ac Actor, ids []string) (map[string]string, error) {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	if len(ids) > MaxPageSize {
		return nil, holdspace.Invalid("too_many", "ids", "Ask for at most %d names at once.", MaxPageSize)
	}
	out := make(map[string]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	shown := make([]string, 0, len(ids))
	err := a.view(ctx, func(tx peopleTx) error {
		for _, id := range ids {
			if _, err := visibleClient(ctx, tx, ac, id); err != nil {
				if holdspace.ErrorCode(err) == holdspace.ENOTFOUND {
					continue
				}
				return err
			}
			u, err := tx.User(ctx, id)
			if err != nil {
				return err
			}
			name, err := a.open(u.ID, "name", u.NameSealed)
			if err != nil {
				return err
			}
			out[id] = name
			shown = append(shown, id)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := a.recordList(ctx, ac, shown); err != nil {
		return nil, err
	}
	return out, nil
}

// SessionQuery selects a page of sessions: of one client (ClientID), with
// StartsAt in [From, To) (zero: unbounded), only live ones (Live).
type SessionQuery struct {
	ClientID string
	From, To time.Time
	Live     bool
	PageInput
}

// SessionPage is one page of sessions, earliest first, and the cursor of
// the next page ("" when this is the last).
type SessionPage struct {
	Sessions []SessionView
	Next     string
}

// PageSessions returns one page of the sessions the actor takes part in
// (admins: all), by (starts, id). Like ListSessions, the read is recorded
// once per client whose sessions the page shows; the page is read in a
// read-only transaction and only the entries are written. EINVALID bad_cursor,
// bad_limit.
func (a *Sessions) PageSessions(ctx context.Context, ac Actor, q SessionQuery) (SessionPage, error) {
	var out SessionPage
	after, limit, err := q.page("sessions")
	if err != nil {
		return out, err
	}
	var clients []string
	err = a.view(ctx, func(tx sessionsTx) error {
		f := store.SessionFilter{ClientID: q.ClientID, From: q.From, To: q.To, Live: q.Live, After: after, Limit: limit + 1}
		switch ac.Role {
		case holdspace.RoleAdmin:
		case holdspace.RolePractitioner:
			f.PractitionerID = ac.UserID
		default:
			if q.ClientID != "" && q.ClientID != ac.UserID {
				return nil
			}
			f.ClientID = ac.UserID
		}
		ss, err := tx.ListSessions(ctx, f)
		if err != nil {
			return err
		}
		ss, out.Next = cut("sessions", ss, limit, func(s *store.Session) store.Key { return store.Key{At: s.StartsAt, ID: s.ID} })
		seen := map[string]bool{}
		for _, s := range ss {
			if ac.is(holdspace.RolePractitioner) {
				if _, err := visibleClient(ctx, tx, ac, s.ClientID); err != nil {
					continue // no longer assigned
				}
			}
			out.Sessions = append(out.Sessions, a.sessionView(s))
			if !seen[s.ClientID] {
				seen[s.ClientID] = true
				clients = append(clients, s.ClientID)
			}
		}
		return nil
	})
	if err != nil {
		return SessionPage{}, err
	}
	// Read in parallel with other reads; only the entries hold the writer.
	if len(clients) > 0 {
		if err := a.update(ctx, func(tx sessionsTx) error {
			for _, c := range clients {
				if err := record(ctx, tx, ac, "session.read", c, c, "list"); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return SessionPage{}, err
		}
	}
	out.Sessions = nonNil(out.Sessions)
	return out, nil
}

// AgreementPage is one page of a client's agreements, oldest first, and
// the cursor of the next page ("" when this is the last).
type AgreementPage struct {
	Agreements []AgreementView
	Next       string
}

// PageAgreements returns one page of a client's agreements by (created,
// id), with their status now. The status of a version depends on the
// versions around it, so the client's agreements are read whole (a client
// has a handful) and the page is cut from them. The read is audited as
// ListAgreements is. EINVALID bad_cursor, bad_limit; ENOTFOUND.
func (a *Agreements) PageAgreements(ctx context.Context, ac Actor, clientID string, in PageInput) (AgreementPage, error) {
	var out AgreementPage
	after, limit, err := in.page("agreements")
	if err != nil {
		return out, err
	}
	all, err := a.ListAgreements(ctx, ac, clientID)
	if err != nil {
		return out, err
	}
	key := func(v AgreementView) store.Key { return store.Key{At: v.CreatedAt, ID: v.ID} }
	slices.SortStableFunc(all, func(x, y AgreementView) int { return compareKeys(key(x), key(y)) })
	if !after.IsZero() {
		i, _ := slices.BinarySearchFunc(all, after, func(v AgreementView, k store.Key) int {
			if compareKeys(key(v), k) <= 0 {
				return -1
			}
			return 1
		})
		all = all[i:]
	}
	out.Agreements, out.Next = cut("agreements", all, limit, key)
	out.Agreements = nonNil(out.Agreements)
	return out, nil
}

// compareKeys orders keys as the store does: by time, then id.
func compareKeys(x, y store.Key) int {
	if c := x.At.Compare(y.At); c != 0 {
		return c
	}
	return cmp.Compare(x.ID, y.ID)
}
