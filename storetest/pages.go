package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"holdspace"
	"holdspace/audit"
	"holdspace/store"
)

// pageCases check keyset pages (issue 16): walking a list page by page
// with After and Limit sees every row exactly once in (time, id) order,
// ties included, whatever is inserted between two pages; a cursor whose
// row is gone still continues where it was; a negative limit is refused.
func (s suite) pageCases() []tcase {
	ctx := context.Background()
	clientKey := func(c *store.Client) store.Key { return store.Key{At: c.CreatedAt, ID: c.ID} }
	sessionKey := func(s *store.Session) store.Key { return store.Key{At: s.StartsAt, ID: s.ID} }
	session := func(id, client string, starts time.Time) *store.Session {
		return &store.Session{ID: id, ClientID: client, PractitionerID: "p1", Intent: "therapeutic",
			StartsAt: starts, Duration: time.Hour, State: "booked", CreatedAt: t0, CreatedBy: "p1"}
	}
	return []tcase{
		{"ClientsExactlyOnceWithTies", func(t *testing.T, db store.DB) {
			// Nine clients, seven of them created in the same microsecond,
			// inserted out of id order.
			update(t, db, func(tx store.Tx) error {
				seedPractitioner(t, tx, "p1", t0)
				seedPractitioner(t, tx, "p2", t0)
				for _, id := range []string{"c5", "c2", "c9", "c1", "c7", "c3", "c8"} {
					seedClient(t, tx, id, t0, "p1")
				}
				seedClient(t, tx, "c0", t0.Add(time.Second), "p1", "p2")
				seedClient(t, tx, "c6", t0.Add(-time.Second), "p2")
				return nil
			})
			var seen []string
			after := store.Key{}
			for page := 0; ; page++ {
				var cs []*store.Client
				view(t, db, func(tx store.Tx) error {
					var err error
					cs, err = tx.ListClients(ctx, store.ClientFilter{After: after, Limit: 2})
					return err
				})
				if len(cs) > 2 {
					t.Fatalf("page %d holds %d clients, limit 2", page, len(cs))
				}
				seen = append(seen, clientIDs(cs)...)
				if len(cs) < 2 {
					break
				}
				after = clientKey(cs[len(cs)-1])
				if page == 1 {
					// Between two pages: one client sorts before the
					// cursor (never shown now), one after it (shown once).
					// The cursor is (t0, c3) now.
					update(t, db, func(tx store.Tx) error {
						seedClient(t, tx, "c25", t0, "p1")               // before the cursor
						seedClient(t, tx, "c4", t0, "p1")                // after it, a tie on time
						seedClient(t, tx, "cz", t0.Add(time.Hour), "p1") // after everything
						return nil
					})
				}
			}
			want := []string{"c6", "c1", "c2", "c3", "c4", "c5", "c7", "c8", "c9", "c0", "cz"}
			if !slices.Equal(seen, want) {
				t.Fatalf("pages saw %v, want %v", seen, want)
			}
			// Assignments are read for the page's clients only, and whole.
			view(t, db, func(tx store.Tx) error {
				cs, err := tx.ListClients(ctx, store.ClientFilter{After: store.Key{At: t0, ID: "c9"}, Limit: 1})
				if err != nil {
					return err
				}
				if len(cs) != 1 || cs[0].ID != "c0" || !slices.Equal(cs[0].PractitionerIDs, []string{"p1", "p2"}) {
					t.Fatalf("page after (t0, c9) = %+v, want c0 assigned to p1, p2", cs)
				}
				return nil
			})
			// A practitioner's list pages the same way.
			var mine []string
			after = store.Key{}
			for {
				var cs []*store.Client
				view(t, db, func(tx store.Tx) error {
					var err error
					cs, err = tx.ListClients(ctx, store.ClientFilter{PractitionerID: "p2", After: after, Limit: 1})
					return err
				})
				if len(cs) == 0 {
					break
				}
				mine = append(mine, clientIDs(cs)...)
				after = clientKey(cs[0])
			}
			if !slices.Equal(mine, []string{"c6", "c0"}) {
				t.Fatalf("p2's pages saw %v, want [c6 c0]", mine)
			}
		}},
		{"SessionsExactlyOnceWithTies", func(t *testing.T, db store.DB) {
			update(t, db, func(tx store.Tx) error {
				seedPractitioner(t, tx, "p1", t0)
				seedClient(t, tx, "c1", t0, "p1")
				seedClient(t, tx, "c2", t0, "p1")
				for i, id := range []string{"s4", "s1", "s3", "s2"} {
					if err := tx.CreateSession(ctx, session(id, []string{"c1", "c2"}[i%2], t0.Add(time.Hour))); err != nil {
						return err
					}
				}
				for _, se := range []*store.Session{session("s0", "c1", t0), session("s9", "c2", t0.Add(2*time.Hour))} {
					if err := tx.CreateSession(ctx, se); err != nil {
						return err
					}
				}
				return nil
			})
			walk := func(f store.SessionFilter, insert func(page int)) []string {
				var seen []string
				for page := 0; ; page++ {
					var ss []*store.Session
					view(t, db, func(tx store.Tx) error {
						var err error
						ss, err = tx.ListSessions(ctx, f)
						return err
					})
					for _, s := range ss {
						seen = append(seen, s.ID)
					}
					if len(ss) < f.Limit {
						return seen
					}
					f.After = sessionKey(ss[len(ss)-1])
					if insert != nil {
						insert(page)
					}
				}
			}
			got := walk(store.SessionFilter{Limit: 2}, func(page int) {
				if page == 0 {
					update(t, db, func(tx store.Tx) error {
						// Before the cursor (t0+1h, s1): never shown; after: shown.
						if err := tx.CreateSession(ctx, session("s00", "c1", t0.Add(-time.Hour))); err != nil {
							return err
						}
						return tx.CreateSession(ctx, session("s25", "c2", t0.Add(time.Hour)))
					})
				}
			})
			if want := []string{"s0", "s1", "s2", "s25", "s3", "s4", "s9"}; !slices.Equal(got, want) {
				t.Fatalf("pages saw %v, want %v", got, want)
			}
			// With the other filters: one client, a window.
			got = walk(store.SessionFilter{ClientID: "c2", From: t0.Add(time.Minute), To: t0.Add(2 * time.Hour), Limit: 1}, nil)
			if want := []string{"s1", "s2", "s25"}; !slices.Equal(got, want) {
				t.Fatalf("c2's pages in the window saw %v, want %v", got, want)
			}
		}},
		{"BadPages", func(t *testing.T, db store.DB) {
			update(t, db, func(tx store.Tx) error {
				seedPractitioner(t, tx, "p1", t0)
				for i := range 3 {
					seedClient(t, tx, fmt.Sprintf("c%d", i), t0.Add(time.Duration(i)*time.Second), "p1")
				}
				return nil
			})
			view(t, db, func(tx store.Tx) error {
				_, err := tx.ListClients(ctx, store.ClientFilter{Limit: -1})
				wantErr(t, err, holdspace.EINVALID, "bad_limit")
				_, err = tx.ListSessions(ctx, store.SessionFilter{Limit: -1})
				wantErr(t, err, holdspace.EINVALID, "bad_limit")
				// A key past the end: an empty page, not an error.
				cs, err := tx.ListClients(ctx, store.ClientFilter{After: store.Key{At: t0.Add(time.Hour), ID: "zz"}, Limit: 5})
				if err != nil || len(cs) != 0 {
					t.Fatalf("page past the end = %v, %v; want empty", clientIDs(cs), err)
				}
				return nil
			})
			// The cursor's own row erased: the next page still starts
			// right after where it was.
			update(t, db, func(tx store.Tx) error { return tx.EraseClient(ctx, "c1", t0.Add(time.Hour)) })
			view(t, db, func(tx store.Tx) error {
				cs, err := tx.ListClients(ctx, store.ClientFilter{After: store.Key{At: t0.Add(time.Second), ID: "c1"}, Limit: 5})
				if err != nil {
					return err
				}
				if got := clientIDs(cs); !slices.Equal(got, []string{"c2"}) {
					t.Fatalf("page after an erased client = %v, want [c2]", got)
				}
				return nil
			})
		}},
		{"AuditSince", func(t *testing.T, db store.DB) {
			// Entry times need not grow with seq (a transaction's time is
			// when it began): seq 3 is older than seq 2.
			ats := []time.Duration{0, 10, 5, 20, 30, 15}
			update(t, db, func(tx store.Tx) error {
				for i, d := range ats {
					if _, err := tx.AppendAudit(ctx, audit.Entry{At: t0.Add(d * time.Second), Actor: "a", Action: fmt.Sprintf("x.%d", i)}); err != nil {
						return err
					}
				}
				return nil
			})
			seqs := func(f store.AuditFilter) []int64 {
				var out []int64
				view(t, db, func(tx store.Tx) error {
					es, err := tx.ListAudit(ctx, f)
					for _, e := range es {
						out = append(out, e.Seq)
					}
					return err
				})
				return out
			}
			since := t0.Add(10 * time.Second)
			if got := seqs(store.AuditFilter{Since: since}); !slices.Equal(got, []int64{2, 4, 5, 6}) {
				t.Fatalf("since +10s = %v, want [2 4 5 6]", got)
			}
			if got := seqs(store.AuditFilter{Since: since, Limit: 2, AfterSeq: 2}); !slices.Equal(got, []int64{4, 5}) {
				t.Fatalf("since +10s after 2, 2 of them = %v, want [4 5]", got)
			}
			if got := seqs(store.AuditFilter{Since: since, Newest: true, Limit: 3}); !slices.Equal(got, []int64{6, 5, 4}) {
				t.Fatalf("since +10s newest 3 = %v, want [6 5 4]", got)
			}
			if got := seqs(store.AuditFilter{Since: t0.Add(time.Hour)}); len(got) != 0 {
				t.Fatalf("since after the last entry = %v, want none", got)
			}
		}},
	}
}
