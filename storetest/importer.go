package storetest

import (
	"context"
	"testing"
	"time"

	"holdspace"
	"holdspace/audit"
	"holdspace/sqlstore"
	"holdspace/store"
)

// Populate fills db with a small practice that has one of everything: two
// practitioners with credentials, three clients with screenings, health
// changes, clearances, signed and draft agreements, revocations, sessions
// with events, tokens, an erased client and an audit chain. It is the
// source of the copy tests, in this suite and across engines.
func Populate(t *testing.T, db store.DB) {
	t.Helper()
	ctx := context.Background()
	err := db.Update(ctx, func(tx store.Tx) error {
		for i, p := range []string{"p1", "p2"} {
			seedPractitioner(t, tx, p, t0.Add(time.Duration(i)*time.Second))
			if err := tx.CreateCredential(ctx, &store.Credential{ID: "cr-" + p, PractitionerID: p, Kind: "pelvic",
				Issuer: "Board", Number: p, ValidFrom: t0, ValidUntil: t0.AddDate(1, 0, 0), Covers: []string{"internal_vaginal"},
				CreatedAt: t0}); err != nil {
				return err
			}
			if _, err := tx.BumpVersion(ctx, p); err != nil {
				return err
			}
		}
		for i, c := range []string{"c1", "c2", "c3"} {
			populate(t, tx, c, []string{"p1", "p2", "p1"}[i], t0.Add(time.Duration(i)*time.Minute))
		}
		if err := tx.CreateAgreement(ctx, &store.Agreement{ID: "draft-c1", ClientID: "c1", Intent: "therapeutic", Version: 2,
			CreatedAt: t0.Add(time.Hour), CreatedBy: "p1", Supersedes: "ag-c1"}); err != nil {
			return err
		}
		if err := tx.CreateToken(ctx, &store.Token{Hash: []byte("api-p1"), UserID: "p1", Kind: "api", CreatedAt: t0,
			RevokedAt: t0.Add(time.Hour)}); err != nil {
			return err
		}
		if err := tx.CreateUser(ctx, user("a1", holdspace.RoleAdmin, "admin@example.test", t0)); err != nil {
			return err
		}
		if err := tx.PutPracticeSettings(ctx, &store.PracticeSettings{Body: []byte(`{"age_of_majority":21}`), UpdatedAt: t0, UpdatedBy: "a1"}); err != nil {
			return err
		}
		if err := populateCalendar(ctx, tx); err != nil {
			return err
		}
		return tx.EraseClient(ctx, "c3", t0.Add(2*time.Hour))
	})
	if err != nil {
		t.Fatalf("Populate: %v", err)
	}
}

func (s suite) importerCases() []tcase {
	ctx := context.Background()
	return []tcase{
		{"RoundTrip", func(t *testing.T, src store.DB) {
			Populate(t, src)
			dst := s.open(t)
			if err := sqlstore.Copy(ctx, dst, importDB(t, src), nil); err != nil {
				t.Fatalf("Copy: %v", err)
			}
			CheckSameContent(t, dst, importDB(t, src))
		}},
		{"Wipe", func(t *testing.T, db store.DB) {
			Populate(t, db)
			if err := importDB(t, db).Import(ctx, func(tx store.ImportTx) error { return tx.Wipe(ctx) }); err != nil {
				t.Fatalf("Wipe: %v", err)
			}
			export(t, db, func(tx store.ImportTx) error {
				got, err := tx.Counts(ctx)
				if err != nil {
					return err
				}
				for table, n := range got {
					if n != 0 {
						t.Errorf("after Wipe %s has %d rows", table, n)
					}
				}
				return nil
			})
			// The emptied database takes a whole copy again.
			src := s.open(t)
			Populate(t, src)
			if err := sqlstore.Copy(ctx, importDB(t, db), src, nil); err != nil {
				t.Fatalf("Copy after Wipe: %v", err)
			}
			CheckSameContent(t, importDB(t, db), src)
		}},
		{"ExportCannotWrite", func(t *testing.T, db store.DB) {
			Populate(t, db)
			err := importDB(t, db).Export(ctx, func(tx store.ImportTx) error { return tx.Wipe(ctx) })
			if err == nil {
				t.Fatal("Wipe inside Export succeeded")
			}
			export(t, db, func(tx store.ImportTx) error {
				got, err := tx.Counts(ctx)
				if err != nil {
					return err
				}
				if got["users"] == 0 || got["audit"] == 0 {
					t.Fatalf("Export wiped rows: %v", got)
				}
				return nil
			})
		}},
		{"CopyProgress", func(t *testing.T, src store.DB) {
			Populate(t, src)
			var calls, last, total int
			if err := sqlstore.Copy(ctx, s.open(t), importDB(t, src), func(done, n int) { calls, last, total = calls+1, done, n }); err != nil {
				t.Fatalf("Copy: %v", err)
			}
			if calls == 0 || last != total || calls != total {
				t.Fatalf("progress: %d calls, last %d of %d", calls, last, total)
			}
		}},
		{"Counts", func(t *testing.T, db store.DB) {
			Populate(t, db)
			export(t, db, func(tx store.ImportTx) error {
				got, err := tx.Counts(ctx)
				if err != nil {
					return err
				}
				want := map[string]int64{"users": 6, "tokens": 3, "clients": 2, "client_practitioners": 2, "credentials": 2,
					"screenings": 2, "health_changes": 2, "clearances": 2, "agreements": 3, "revocations": 2,
					"sessions": 2, "session_events": 2, "audit": 3, "key_checks": 0, "client_keys": 2,
					"guardian_consents": 2, "follow_ups": 2, "practice_settings": 1,
					"session_types": 2, "availability": 2, "availability_exceptions": 1, "booking_calendars": 2, "bookings": 2}
				same(t, "Counts", got, want)
				return nil
			})
		}},
		{"ImportExact", func(t *testing.T, db store.DB) {
			erased := &store.User{ID: "gone", Role: holdspace.RoleClient, CreatedAt: t0, Version: 7, ErasedAt: t0.Add(time.Hour)}
			e1 := audit.Next(nil, audit.Entry{At: t0, Actor: "a", Action: "x"})
			e2 := audit.Next(&e1, audit.Entry{At: t0, Actor: "a", Action: "y"})
			importTx(t, db, func(tx store.ImportTx) error {
				if err := tx.ImportUser(ctx, erased); err != nil {
					return err
				}
				seedPractitioner(t, tx, "p1", t0)
				seedClient(t, tx, "c1", t0, "p1")
				if err := tx.CreateSession(ctx, &store.Session{ID: "se1", ClientID: "c1", PractitionerID: "p1", StartsAt: t0,
					State: "closed", Seq: 1, CreatedAt: t0}); err != nil {
					return err
				}
				if err := tx.ImportEvent(ctx, &store.SessionEvent{ID: "ev1", SessionID: "se1", Seq: 1, Type: "start", At: t0}); err != nil {
					return err
				}
				for _, e := range []audit.Entry{e1, e2} {
					if err := tx.ImportAudit(ctx, e); err != nil {
						return err
					}
				}
				return nil
			})
			export(t, db, func(tx store.ImportTx) error {
				all, err := tx.AllUsers(ctx)
				if err != nil {
					return err
				}
				found := false
				for _, u := range all {
					if u.ID == erased.ID {
						found = true
						same(t, "imported erased user", u, erased)
					}
				}
				if !found {
					t.Fatal("AllUsers leaves out the erased user")
				}
				_, err = tx.User(ctx, erased.ID)
				wantErr(t, err, holdspace.ENOTFOUND, "")
				se, err := tx.Session(ctx, "se1")
				if err != nil {
					return err
				}
				if se.Seq != 1 || se.State != "closed" {
					t.Fatalf("ImportEvent touched its session: %+v", se)
				}
				return nil
			})
			// The imported chain continues where it ended.
			update(t, db, func(tx store.Tx) error {
				e3, err := tx.AppendAudit(ctx, audit.Entry{Actor: "a", Action: "z"})
				if err != nil {
					return err
				}
				if e3.Seq != 3 || e3.PrevHash != e2.Hash {
					t.Fatalf("append after import = %+v", e3)
				}
				return nil
			})
			verifyChain(t, db)
			err := importDB(t, db).Import(ctx, func(tx store.ImportTx) error { return tx.ImportAudit(ctx, e1) })
			wantErr(t, err, holdspace.ECONFLICT, "")
		}},
	}
}

// CheckSameContent fails t unless dst holds exactly what src holds: equal
// row counts, users, tokens, clients and everything about them, sessions
// with events, and the same verified audit chain.
func CheckSameContent(t *testing.T, dst, src store.ImportDB) {
	t.Helper()
	var a, b snapshot
	a.read(t, src)
	b.read(t, dst)
	same(t, "copied practice", b, a)
	if len(a.Audit) == 0 || len(a.Users) == 0 || len(a.Events) == 0 {
		t.Fatalf("source practice is empty: %d users, %d events, %d audit entries", len(a.Users), len(a.Events), len(a.Audit))
	}
	verifyChain(t, dst)
}

// snapshot is everything a database holds, as the contract reads it.
type snapshot struct {
	Counts   map[string]int64
	Users    []*store.User
	Tokens   []*store.Token
	Clients  []*store.Client
	Sessions []*store.Session
	Events   []*store.SessionEvent
	PerUser  map[string][]*store.Credential
	Audit    []audit.Entry
	Client   map[string]clientRecords
	Settings *store.PracticeSettings
	FollowUp []*store.FollowUp
	Booking  bookingContent
}

type clientRecords struct {
	Screenings  []*store.Screening
	Health      []*store.HealthChange
	Clearances  []*store.Clearance
	Agreements  []*store.Agreement
	Revocations []*store.Revocation
	Guardians   []*store.GuardianConsent
}

func (s *snapshot) read(t *testing.T, db store.ImportDB) {
	t.Helper()
	ctx := context.Background()
	export(t, db, func(tx store.ImportTx) error {
		var err error
		if s.Counts, err = tx.Counts(ctx); err != nil {
			return err
		}
		if s.Users, err = tx.AllUsers(ctx); err != nil {
			return err
		}
		if s.Tokens, err = tx.AllTokens(ctx); err != nil {
			return err
		}
		if s.Clients, err = tx.ListClients(ctx, store.ClientFilter{}); err != nil {
			return err
		}
		if s.Sessions, err = tx.ListSessions(ctx, store.SessionFilter{}); err != nil {
			return err
		}
		for _, se := range s.Sessions {
			evs, err := tx.ListEvents(ctx, se.ID)
			if err != nil {
				return err
			}
			s.Events = append(s.Events, evs...)
		}
		s.PerUser = make(map[string][]*store.Credential)
		for _, u := range s.Users {
			if s.PerUser[u.ID], err = tx.ListCredentials(ctx, u.ID); err != nil {
				return err
			}
		}
		s.Client = make(map[string]clientRecords)
		for _, c := range s.Clients {
			var r clientRecords
			if r.Screenings, err = tx.ListScreenings(ctx, c.ID); err != nil {
				return err
			}
			if r.Health, err = tx.ListHealthChanges(ctx, c.ID); err != nil {
				return err
			}
			if r.Clearances, err = tx.ListClearances(ctx, c.ID); err != nil {
				return err
			}
			if r.Agreements, err = tx.ListAgreements(ctx, c.ID); err != nil {
				return err
			}
			if r.Revocations, err = tx.ListRevocations(ctx, c.ID); err != nil {
				return err
			}
			if r.Guardians, err = tx.ListGuardianConsents(ctx, c.ID); err != nil {
				return err
			}
			s.Client[c.ID] = r
		}
		if s.Settings, err = tx.PracticeSettings(ctx); err != nil && holdspace.ErrorCode(err) != holdspace.ENOTFOUND {
			return err
		}
		if s.Booking, err = readBookingContent(ctx, tx, s.Users); err != nil {
			return err
		}
		if s.FollowUp, err = tx.ListFollowUps(ctx, store.FollowUpFilter{}); err != nil {
			return err
		}
		return tx.ScanAudit(ctx, func(e audit.Entry) error {
			s.Audit = append(s.Audit, e)
			return nil
		})
	})
}
