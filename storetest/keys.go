package storetest

import (
	"bytes"
	"context"
	"testing"
	"time"

	"holdspace"
	"holdspace/audit"
	"holdspace/store"
)

func (s suite) keyCases() []tcase {
	return []tcase{
		{"KeyChecks", func(t *testing.T, db store.DB) {
			ctx := context.Background()
			view(t, db, func(tx store.Tx) error {
				empty, err := tx.Empty(ctx)
				if err != nil || !empty {
					t.Fatalf("Empty of a new database = %v, %v", empty, err)
				}
				return nil
			})
			update(t, db, func(tx store.Tx) error {
				if err := tx.PutKeyCheck(ctx, store.KeyCheck{ID: "k1", Value: "v1", CreatedAt: t0}); err != nil {
					return err
				}
				return tx.PutKeyCheck(ctx, store.KeyCheck{ID: "k2", Value: "v2", CreatedAt: t0.Add(time.Second)})
			})
			err := db.Update(ctx, func(tx store.Tx) error { return tx.PutKeyCheck(ctx, store.KeyCheck{ID: "k1", Value: "other"}) })
			wantErr(t, err, holdspace.ECONFLICT, "")
			update(t, db, func(tx store.Tx) error { return tx.RetireKeyCheck(ctx, "k1", t0.Add(time.Hour)) })
			err = db.Update(ctx, func(tx store.Tx) error { return tx.RetireKeyCheck(ctx, "nope", t0) })
			wantErr(t, err, holdspace.ENOTFOUND, "")
			view(t, db, func(tx store.Tx) error {
				ks, err := tx.KeyChecks(ctx)
				if err != nil {
					return err
				}
				same(t, "key checks", ks, []store.KeyCheck{
					{ID: "k1", Value: "v1", CreatedAt: t0, RetiredAt: t0.Add(time.Hour)},
					{ID: "k2", Value: "v2", CreatedAt: t0.Add(time.Second)},
				})
				if empty, err := tx.Empty(ctx); err != nil || empty {
					t.Fatalf("Empty with key checks = %v, %v", empty, err)
				}
				return nil
			})
		}},
		{"ClientKeys", func(t *testing.T, db store.DB) {
			ctx := context.Background()
			update(t, db, func(tx store.Tx) error {
				seedPractitioner(t, tx, "p1", t0)
				seedClient(t, tx, "c1", t0, "p1")
				_, err := tx.ClientKey(ctx, "c1")
				wantErr(t, err, holdspace.ENOTFOUND, "")
				got, err := tx.PutClientKey(ctx, "c1", []byte("first"), t0)
				if err != nil || string(got) != "first" {
					t.Fatalf("PutClientKey = %q, %v", got, err)
				}
				// A second key never replaces the first.
				got, err = tx.PutClientKey(ctx, "c1", []byte("second"), t0)
				if err != nil || string(got) != "first" {
					t.Fatalf("second PutClientKey = %q, %v; want the first key kept", got, err)
				}
				return nil
			})
			update(t, db, func(tx store.Tx) error { return tx.EraseClient(ctx, "c1", t0) })
			view(t, db, func(tx store.Tx) error {
				_, err := tx.ClientKey(ctx, "c1")
				wantErr(t, err, holdspace.ENOTFOUND, "")
				return nil
			})
		}},
		{"SealedValues", func(t *testing.T, db store.DB) {
			ctx := context.Background()
			update(t, db, func(tx store.Tx) error {
				seedPractitioner(t, tx, "p1", t0)
				populate(t, tx, "c1", "p1", t0)
				populate(t, tx, "c2", "p1", t0)
				return nil
			})
			var cols []store.SealedColumn
			view(t, db, func(tx store.Tx) (err error) { cols, err = tx.SealedColumns(ctx); return err })
			has := map[store.SealedColumn]bool{}
			for _, c := range cols {
				has[c] = true
			}
			for _, want := range []store.SealedColumn{{Table: "users", Column: "name_sealed"}, {Table: "users", Column: "email_sealed"}, {Table: "clients", Column: "notes_sealed"},
				{Table: "agreements", Column: "grants_sealed"}, {Table: "agreements", Column: "text_hash_sealed"}, {Table: "session_events", Column: "sealed"}, {Table: "client_keys", Column: "key_sealed"}, {Table: "clearances", Column: "note_sealed"}} {
				if !has[want] {
					t.Errorf("SealedColumns lacks %v (got %v)", want, cols)
				}
			}
			nameCol := store.SealedColumn{Table: "users", Column: "name_sealed"}
			var page1, page2 []store.SealedValue
			view(t, db, func(tx store.Tx) (err error) {
				if page1, err = tx.SealedValues(ctx, nameCol, "", 2); err != nil {
					return err
				}
				page2, err = tx.SealedValues(ctx, nameCol, page1[len(page1)-1].ID, 2)
				return err
			})
			if len(page1) != 2 || page1[0].ID != "c1" || page1[1].ID != "c2" || len(page2) != 1 || page2[0].ID != "p1" {
				t.Fatalf("pages = %v, %v", page1, page2)
			}
			update(t, db, func(tx store.Tx) error {
				ok, err := tx.ReplaceSealed(ctx, nameCol, "c1", []byte("not it"), []byte("new"))
				if err != nil || ok {
					t.Fatalf("ReplaceSealed with a stale old value = %v, %v", ok, err)
				}
				ok, err = tx.ReplaceSealed(ctx, nameCol, "c1", page1[0].Value, []byte("new"))
				if err != nil || !ok {
					t.Fatalf("ReplaceSealed = %v, %v", ok, err)
				}
				u, err := tx.User(ctx, "c1")
				if err != nil || !bytes.Equal(u.NameSealed, []byte("new")) {
					t.Fatalf("replaced value = %q, %v", u.NameSealed, err)
				}
				_, err = tx.SealedValues(ctx, store.SealedColumn{Table: "users; DROP TABLE users", Column: "x"}, "", 1)
				wantErr(t, err, holdspace.EINVALID, "")
				return nil
			})
		}},
		{"RedactAudit", func(t *testing.T, db store.DB) {
			ctx := context.Background()
			update(t, db, func(tx store.Tx) error {
				for _, e := range []audit.Entry{
					{Actor: "p1", Action: "decision.deny", Target: "se1", ClientID: "c1", Detail: "region=prostate reasons=contraindicated"},
					{Actor: "c1", Action: "auth.login", Target: "c1", Detail: "kind=web"},
					{Actor: "a1", Action: "user.create", Target: "c1", Detail: "role=client"},
					{Actor: "p1", Action: "decision.permit", Target: "se2", ClientID: "c2", Detail: "region=neck"},
				} {
					if _, err := tx.AppendAudit(ctx, e); err != nil {
						return err
					}
				}
				return nil
			})
			update(t, db, func(tx store.Tx) error {
				n, err := tx.RedactAudit(ctx, "c1")
				if err != nil || n != 3 {
					t.Fatalf("RedactAudit = %d, %v; want 3", n, err)
				}
				return nil
			})
			view(t, db, func(tx store.Tx) error {
				all, err := tx.ListAudit(ctx, store.AuditFilter{})
				if err != nil {
					return err
				}
				if err := audit.Verify(all); err != nil {
					t.Fatalf("chain after redaction: %v", err)
				}
				for _, e := range all[:3] {
					if !e.Redacted() || e.Action != audit.RedactedAction || e.Detail != "" || e.Salt != "" {
						t.Errorf("entry %d not redacted: %+v", e.Seq, e)
					}
				}
				if all[3].Redacted() || all[3].Detail != "region=neck" {
					t.Errorf("another client's entry was redacted: %+v", all[3])
				}
				head, err := tx.AuditHead(ctx)
				if err != nil || head.Seq != 4 || head.Hash != all[3].Hash {
					t.Fatalf("AuditHead = %+v, %v", head, err)
				}
				e2, err := tx.AuditEntry(ctx, 2)
				if err != nil || e2.Hash != all[1].Hash {
					t.Fatalf("AuditEntry(2) = %+v, %v", e2, err)
				}
				_, err = tx.AuditEntry(ctx, 9)
				wantErr(t, err, holdspace.ENOTFOUND, "")
				return nil
			})
		}},
		{"DeleteSession", func(t *testing.T, db store.DB) {
			ctx := context.Background()
			update(t, db, func(tx store.Tx) error {
				seedPractitioner(t, tx, "p1", t0)
				populate(t, tx, "c1", "p1", t0)
				populate(t, tx, "c2", "p1", t0)
				return nil
			})
			update(t, db, func(tx store.Tx) error { return tx.DeleteSession(ctx, "se-c1") })
			err := db.Update(ctx, func(tx store.Tx) error { return tx.DeleteSession(ctx, "se-c1") })
			wantErr(t, err, holdspace.ENOTFOUND, "")
			view(t, db, func(tx store.Tx) error {
				_, err := tx.Session(ctx, "se-c1")
				wantErr(t, err, holdspace.ENOTFOUND, "")
				_, err = tx.Event(ctx, "ev-c1")
				wantErr(t, err, holdspace.ENOTFOUND, "")
				if _, err := tx.Event(ctx, "ev-c2"); err != nil {
					t.Fatalf("the other session's event: %v", err)
				}
				for se, want := range map[string]int{"se-c1": 0, "se-c2": 1} {
					fs, err := tx.ListFollowUps(ctx, store.FollowUpFilter{SessionID: se})
					if err != nil || len(fs) != want {
						t.Fatalf("follow-ups of %s: %d, %v; want %d", se, len(fs), err, want)
					}
				}
				return nil
			})
		}},
		{"Records", func(t *testing.T, db store.DB) {
			ctx := context.Background()
			update(t, db, func(tx store.Tx) error {
				seedPractitioner(t, tx, "p1", t0)
				populate(t, tx, "c1", "p1", t0)
				return nil
			})
			view(t, db, func(tx store.Tx) error {
				r, err := tx.Revocation(ctx, "rv-c1")
				if err != nil || r.AgreementID != "ag-c1" || len(r.Regions) != 1 {
					t.Fatalf("Revocation = %+v, %v", r, err)
				}
				e, err := tx.Event(ctx, "ev-c1")
				if err != nil || e.SessionID != "se-c1" || string(e.Sealed) != "x" {
					t.Fatalf("Event = %+v, %v", e, err)
				}
				c, err := tx.Clearance(ctx, "cl-c1")
				if err != nil || c.Rule != "pregnancy" {
					t.Fatalf("Clearance = %+v, %v", c, err)
				}
				_, err = tx.Revocation(ctx, "nope")
				wantErr(t, err, holdspace.ENOTFOUND, "")
				_, err = tx.Event(ctx, "nope")
				wantErr(t, err, holdspace.ENOTFOUND, "")
				_, err = tx.Clearance(ctx, "nope")
				wantErr(t, err, holdspace.ENOTFOUND, "")
				return nil
			})
		}},
	}
}
