package storetest

import (
	"context"
	"testing"
	"time"

	"holdspace"
	"holdspace/audit"
	"holdspace/store"
)

func clientIDs(cs []*store.Client) []string {
	var ids []string
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	return ids
}

func (s suite) clientCases() []tcase {
	ctx := context.Background()
	return []tcase{
		{"OK", func(t *testing.T, db store.DB) {
			var c *store.Client
			update(t, db, func(tx store.Tx) error {
				seedPractitioner(t, tx, "p2", t0)
				seedPractitioner(t, tx, "p1", t0)
				c = seedClient(t, tx, "c1", t0, "p2", "p1")
				return nil
			})
			view(t, db, func(tx store.Tx) error {
				got, err := tx.Client(ctx, "c1")
				if err != nil {
					return err
				}
				same(t, "Client", got, c) // assignment order kept
				return nil
			})
			upd := *c
			upd.NotesSealed = []byte("new notes")
			upd.AnatomySealed = nil
			upd.PractitionerIDs = []string{"p1"}
			update(t, db, func(tx store.Tx) error { return tx.UpdateClient(ctx, &upd) })
			view(t, db, func(tx store.Tx) error {
				got, err := tx.Client(ctx, "c1")
				if err != nil {
					return err
				}
				same(t, "updated Client", got, &upd)
				return nil
			})
		}},
		{"ErrNotFound", func(t *testing.T, db store.DB) {
			update(t, db, func(tx store.Tx) error {
				_, err := tx.Client(ctx, "nobody")
				wantErr(t, err, holdspace.ENOTFOUND, "")
				wantErr(t, tx.UpdateClient(ctx, &store.Client{ID: "nobody"}), holdspace.ENOTFOUND, "")
				wantErr(t, tx.EraseClient(ctx, "nobody", t0), holdspace.ENOTFOUND, "")
				return nil
			})
		}},
		{"ErrUserMissing", func(t *testing.T, db store.DB) {
			err := db.Update(ctx, func(tx store.Tx) error {
				return tx.CreateClient(ctx, &store.Client{ID: "ghost", CreatedAt: t0})
			})
			wantErr(t, err, holdspace.ENOTFOUND, "")
		}},
		{"ListByPractitioner", func(t *testing.T, db store.DB) {
			update(t, db, func(tx store.Tx) error {
				seedPractitioner(t, tx, "p1", t0)
				seedPractitioner(t, tx, "p2", t0)
				seedClient(t, tx, "c3", t0.Add(3*time.Minute), "p1")
				seedClient(t, tx, "c1", t0.Add(1*time.Minute), "p1", "p2")
				seedClient(t, tx, "c2", t0.Add(2*time.Minute), "p2")
				seedClient(t, tx, "c4", t0.Add(4*time.Minute))
				return nil
			})
			view(t, db, func(tx store.Tx) error {
				for _, tc := range []struct {
					p    string
					want []string
				}{
					{"", []string{"c1", "c2", "c3", "c4"}},
					{"p1", []string{"c1", "c3"}},
					{"p2", []string{"c1", "c2"}},
					{"nobody", nil},
				} {
					cs, err := tx.ListClients(ctx, store.ClientFilter{PractitionerID: tc.p})
					if err != nil {
						return err
					}
					same(t, "ListClients "+tc.p, clientIDs(cs), tc.want)
					for _, c := range cs {
						if c.ID == "c1" {
							// Every assignment comes back, not only the filtered one.
							same(t, "c1 practitioners", c.PractitionerIDs, []string{"p1", "p2"})
						}
					}
				}
				return nil
			})
		}},
		{"Erase", s.testErase},
	}
}

// populate stores a client with one of everything, the practitioner
// assigned, and returns the ids it used.
func populate(t *testing.T, tx store.Tx, clientID, practitionerID string, at time.Time) {
	t.Helper()
	ctx := context.Background()
	seedClient(t, tx, clientID, at, practitionerID)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("populate %s: %v", clientID, err)
		}
	}
	must(tx.CreateToken(ctx, &store.Token{Hash: []byte("tok-" + clientID), UserID: clientID, Kind: "web", CreatedAt: at}))
	must(tx.CreateScreening(ctx, &store.Screening{ID: "s-" + clientID, ClientID: clientID, Questionnaire: "intake-v1",
		AnswersSealed: []byte("a"), ResultSealed: []byte("r"), TakenAt: at, ValidUntil: at.Add(180 * 24 * time.Hour), RecordedBy: practitionerID}))
	must(tx.CreateHealthChange(ctx, &store.HealthChange{ID: "h-" + clientID, ClientID: clientID, At: at, NoteSealed: []byte("n"), RecordedBy: clientID}))
	must(tx.CreateClearance(ctx, &store.Clearance{ID: "cl-" + clientID, ClientID: clientID, ScreeningID: "s-" + clientID,
		Rule: "pregnancy", ClearedBySealed: []byte("dr"), ClearedOn: "2026-11-20", RecordedBy: practitionerID, RecordedAt: at}))
	must(tx.CreateAgreement(ctx, &store.Agreement{ID: "ag-" + clientID, ClientID: clientID, Intent: "therapeutic", Version: 1,
		GrantsSealed: []byte("g"), CreatedAt: at, CreatedBy: practitionerID, SignedAt: at, SignedBy: clientID,
		SignMethod: "client", ContentHash: "abc"}))
	must(tx.CreateRevocation(ctx, &store.Revocation{ID: "rv-" + clientID, AgreementID: "ag-" + clientID, ClientID: clientID,
		Regions: []string{"perineum"}, At: at, By: clientID, ByRole: holdspace.RoleClient, OnClientsWord: true}))
	must(tx.CreateSession(ctx, &store.Session{ID: "se-" + clientID, ClientID: clientID, PractitionerID: practitionerID,
		Intent: "therapeutic", StartsAt: at, State: "booked", CreatedAt: at, CreatedBy: practitionerID}))
	must(tx.AppendEvent(ctx, &store.SessionEvent{ID: "ev-" + clientID, SessionID: "se-" + clientID, Seq: 1, Type: "start",
		At: at, ActorID: practitionerID, ActorRole: holdspace.RolePractitioner, Payload: []byte(`{}`), Sealed: []byte("x")}, "in_progress"))
	must(tx.CreateBooking(ctx, populateBooking(clientID, practitionerID, at)))
	must(tx.CreateGuardianConsent(ctx, &store.GuardianConsent{AgreementID: "ag-" + clientID, ClientID: clientID, Sealed: []byte("gd"),
		RecordedBy: practitionerID, RecordedAt: at}))
	must(tx.CreateFollowUp(ctx, &store.FollowUp{ID: "fu-" + clientID, SessionID: "se-" + clientID, ClientID: clientID,
		PractitionerID: practitionerID, Triggers: []string{"stop"}, Adverse: true, CreatedAt: at, DueAt: at.Add(48 * time.Hour),
		AnsweredAt: at.Add(time.Hour), AnswerEventID: "ev-" + clientID}))
	_, err := tx.AppendAudit(ctx, audit.Entry{At: at, Actor: practitionerID, Action: "client.create", Target: "client:" + clientID, ClientID: clientID})
	must(err)
	_, err = tx.PutClientKey(ctx, clientID, []byte("ck-"+clientID), at)
	must(err)
}

func (s suite) testErase(t *testing.T, db store.DB) {
	ctx := context.Background()
	update(t, db, func(tx store.Tx) error {
		seedPractitioner(t, tx, "p1", t0)
		populate(t, tx, "c1", "p1", t0)
		populate(t, tx, "c2", "p1", t0)
		return nil
	})
	var before map[string]int64
	export(t, db, func(tx store.ImportTx) error {
		var err error
		before, err = tx.Counts(ctx)
		return err
	})
	erasedAt := t0.Add(time.Hour)
	update(t, db, func(tx store.Tx) error { return tx.EraseClient(ctx, "c1", erasedAt) })
	export(t, db, func(tx store.ImportTx) error {
		after, err := tx.Counts(ctx)
		if err != nil {
			return err
		}
		for table, n := range before {
			want := n - 1 // one row of c1 per table went
			switch table {
			case "users", "audit":
				want = n // the user is kept as an erased tombstone; audit stays
			case "credentials", "key_checks", "practice_settings",
				"session_types", "availability", "availability_exceptions", "booking_calendars":
				want = n // practitioners' records, master-key checks and the practice's settings are not the client's
			}
			if after[table] != want {
				t.Errorf("%s: %d rows after erasure, want %d", table, after[table], want)
			}
		}
		_, err = tx.User(ctx, "c1")
		wantErr(t, err, holdspace.ENOTFOUND, "")
		_, err = tx.UserByEmail(ctx, []byte("idx-c1@example.test"))
		wantErr(t, err, holdspace.ENOTFOUND, "")
		_, err = tx.Client(ctx, "c1")
		wantErr(t, err, holdspace.ENOTFOUND, "")
		_, err = tx.Session(ctx, "se-c1")
		wantErr(t, err, holdspace.ENOTFOUND, "")
		_, err = tx.Token(ctx, []byte("tok-c1"))
		wantErr(t, err, holdspace.ENOTFOUND, "")
		all, err := tx.AllUsers(ctx)
		if err != nil {
			return err
		}
		for _, u := range all {
			if u.ID != "c1" {
				continue
			}
			if !u.ErasedAt.Equal(erasedAt) || u.EmailIndex != nil || u.EmailSealed != nil || u.NameSealed != nil || u.PasswordHash != "" {
				t.Fatalf("erased user keeps data: %+v", u)
			}
		}
		for _, list := range []func() (int, error){
			func() (int, error) { x, err := tx.ListScreenings(ctx, "c1"); return len(x), err },
			func() (int, error) { x, err := tx.ListHealthChanges(ctx, "c1"); return len(x), err },
			func() (int, error) { x, err := tx.ListClearances(ctx, "c1"); return len(x), err },
			func() (int, error) { x, err := tx.ListAgreements(ctx, "c1"); return len(x), err },
			func() (int, error) { x, err := tx.ListRevocations(ctx, "c1"); return len(x), err },
			func() (int, error) {
				x, err := tx.ListSessions(ctx, store.SessionFilter{ClientID: "c1"})
				return len(x), err
			},
			func() (int, error) { x, err := tx.ListEvents(ctx, "se-c1"); return len(x), err },
		} {
			n, err := list()
			if err != nil {
				return err
			}
			if n != 0 {
				t.Errorf("a list still holds %d records of the erased client", n)
			}
		}
		// The other client is whole.
		if _, err := tx.Client(ctx, "c2"); err != nil {
			return err
		}
		evs, err := tx.ListEvents(ctx, "se-c2")
		if err != nil {
			return err
		}
		if len(evs) != 1 {
			t.Errorf("c2 events = %d, want 1", len(evs))
		}
		entries, err := tx.ListAudit(ctx, store.AuditFilter{ClientID: "c1"})
		if err != nil {
			return err
		}
		if len(entries) != 1 {
			t.Errorf("audit entries of the erased client = %d, want 1 (kept)", len(entries))
		}
		return nil
	})
	// Erased once is gone: a second erasure finds nothing, and the email
	// can be used again.
	err := db.Update(ctx, func(tx store.Tx) error { return tx.EraseClient(ctx, "c1", erasedAt) })
	wantErr(t, err, holdspace.ENOTFOUND, "")
	update(t, db, func(tx store.Tx) error {
		return tx.CreateUser(ctx, user("c1-again", holdspace.RoleClient, "c1@example.test", t0))
	})
}

func (s suite) credentialCases() []tcase {
	ctx := context.Background()
	return []tcase{
		{"OK", func(t *testing.T, db store.DB) {
			c1 := &store.Credential{ID: "cr1", PractitionerID: "p1", Kind: "pelvic_health", Issuer: "Board", Number: "42",
				ValidFrom: t0, ValidUntil: t0.AddDate(2, 0, 0), Covers: []string{"internal_vaginal", "internal_anal"}, CreatedAt: t0.Add(time.Minute)}
			c0 := &store.Credential{ID: "cr0", PractitionerID: "p1", Kind: "massage", CreatedAt: t0}
			update(t, db, func(tx store.Tx) error {
				seedPractitioner(t, tx, "p1", t0)
				seedPractitioner(t, tx, "p2", t0)
				if err := tx.CreateCredential(ctx, c1); err != nil {
					return err
				}
				return tx.CreateCredential(ctx, c0)
			})
			view(t, db, func(tx store.Tx) error {
				got, err := tx.ListCredentials(ctx, "p1")
				if err != nil {
					return err
				}
				same(t, "ListCredentials", got, []*store.Credential{c0, c1})
				got, err = tx.ListCredentials(ctx, "p2")
				if err != nil {
					return err
				}
				if len(got) != 0 {
					t.Fatalf("p2 credentials = %d", len(got))
				}
				return nil
			})
		}},
		{"ErrPractitionerMissing", func(t *testing.T, db store.DB) {
			err := db.Update(ctx, func(tx store.Tx) error {
				return tx.CreateCredential(ctx, &store.Credential{ID: "cr1", PractitionerID: "nobody", CreatedAt: t0})
			})
			wantErr(t, err, holdspace.ENOTFOUND, "")
		}},
	}
}

func (s suite) screeningCases() []tcase {
	ctx := context.Background()
	return []tcase{
		{"OK", func(t *testing.T, db store.DB) {
			old := &store.Screening{ID: "s1", ClientID: "c1", Questionnaire: "intake-v1", AnswersSealed: []byte("a1"),
				ResultSealed: []byte("r1"), TakenAt: t0, ValidUntil: t0.AddDate(0, 6, 0), RecordedBy: "p1"}
			cur := &store.Screening{ID: "s2", ClientID: "c1", Questionnaire: "intake-v1", AnswersSealed: []byte("a2"),
				ResultSealed: []byte("r2"), TakenAt: t0.Add(time.Hour), RecordedBy: "c1"}
			h1 := &store.HealthChange{ID: "h1", ClientID: "c1", At: t0.Add(2 * time.Hour), NoteSealed: []byte("n"), RecordedBy: "c1"}
			h0 := &store.HealthChange{ID: "h0", ClientID: "c1", At: t0.Add(time.Hour), RecordedBy: "c1"}
			cl := &store.Clearance{ID: "cl1", ClientID: "c1", ScreeningID: "s2", Rule: "recent_surgery",
				ClearedBySealed: []byte("dr x"), ClearedOn: "2026-11-01", NoteSealed: []byte("ok"), RecordedBy: "p1", RecordedAt: t0}
			update(t, db, func(tx store.Tx) error {
				seedPractitioner(t, tx, "p1", t0)
				seedClient(t, tx, "c1", t0, "p1")
				seedClient(t, tx, "c2", t0, "p1")
				for _, x := range []*store.Screening{cur, old} {
					if err := tx.CreateScreening(ctx, x); err != nil {
						return err
					}
				}
				for _, h := range []*store.HealthChange{h1, h0} {
					if err := tx.CreateHealthChange(ctx, h); err != nil {
						return err
					}
				}
				return tx.CreateClearance(ctx, cl)
			})
			view(t, db, func(tx store.Tx) error {
				got, err := tx.Screening(ctx, "s1")
				if err != nil {
					return err
				}
				same(t, "Screening", got, old)
				list, err := tx.ListScreenings(ctx, "c1")
				if err != nil {
					return err
				}
				same(t, "ListScreenings (newest first)", list, []*store.Screening{cur, old})
				latest, err := tx.LatestScreening(ctx, "c1")
				if err != nil {
					return err
				}
				same(t, "LatestScreening", latest, cur)
				hs, err := tx.ListHealthChanges(ctx, "c1")
				if err != nil {
					return err
				}
				same(t, "ListHealthChanges (oldest first)", hs, []*store.HealthChange{h0, h1})
				cls, err := tx.ListClearances(ctx, "c1")
				if err != nil {
					return err
				}
				same(t, "ListClearances", cls, []*store.Clearance{cl})
				for _, n := range []func() (int, error){
					func() (int, error) { x, err := tx.ListScreenings(ctx, "c2"); return len(x), err },
					func() (int, error) { x, err := tx.ListHealthChanges(ctx, "c2"); return len(x), err },
					func() (int, error) { x, err := tx.ListClearances(ctx, "c2"); return len(x), err },
				} {
					if k, err := n(); err != nil || k != 0 {
						t.Fatalf("other client's list = %d, %v", k, err)
					}
				}
				return nil
			})
		}},
		{"ErrNotFound", func(t *testing.T, db store.DB) {
			update(t, db, func(tx store.Tx) error {
				seedClient(t, tx, "c1", t0)
				_, err := tx.Screening(ctx, "nope")
				wantErr(t, err, holdspace.ENOTFOUND, "")
				_, err = tx.LatestScreening(ctx, "c1")
				wantErr(t, err, holdspace.ENOTFOUND, "")
				return nil
			})
			err := db.Update(ctx, func(tx store.Tx) error {
				return tx.CreateScreening(ctx, &store.Screening{ID: "s1", ClientID: "nobody", TakenAt: t0})
			})
			wantErr(t, err, holdspace.ENOTFOUND, "")
		}},
	}
}
