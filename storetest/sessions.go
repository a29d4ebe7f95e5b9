package storetest

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"holdspace"
	"holdspace/store"
)

func (s suite) agreementCases() []tcase {
	ctx := context.Background()
	seed := func(t *testing.T, db store.DB) {
		update(t, db, func(tx store.Tx) error {
			seedPractitioner(t, tx, "p1", t0)
			seedClient(t, tx, "c1", t0, "p1")
			seedClient(t, tx, "c2", t0, "p1")
			return nil
		})
	}
	draft := func(id string, version int, at time.Time) *store.Agreement {
		return &store.Agreement{ID: id, ClientID: "c1", Intent: "therapeutic", Version: version,
			GrantsSealed: []byte("grants-" + id), ValidUntil: at.AddDate(1, 0, 0), CreatedAt: at, CreatedBy: "p1"}
	}
	return []tcase{
		{"OK", func(t *testing.T, db store.DB) {
			seed(t, db)
			a1 := draft("a1", 1, t0)
			a2 := draft("a2", 2, t0.Add(time.Minute))
			a2.Supersedes = "a1"
			// Which words: the language shown and the sealed hash of the
			// text, kept as written and left alone by the signature (a1 has
			// neither, as agreements made before they were recorded).
			a2.Language, a2.TextHashSealed = "de", []byte("sealed-text-hash-a2")
			update(t, db, func(tx store.Tx) error {
				for _, a := range []*store.Agreement{a1, a2} {
					v, err := tx.NextAgreementVersion(ctx, "c1", "therapeutic")
					if err != nil {
						return err
					}
					if v != a.Version {
						t.Fatalf("NextAgreementVersion = %d, want %d", v, a.Version)
					}
					if err := tx.CreateAgreement(ctx, a); err != nil {
						return err
					}
				}
				for _, other := range [][2]string{{"c1", "sensual"}, {"c2", "therapeutic"}} {
					v, err := tx.NextAgreementVersion(ctx, other[0], other[1])
					if err != nil {
						return err
					}
					if v != 1 {
						t.Fatalf("NextAgreementVersion(%v) = %d, want 1", other, v)
					}
				}
				return nil
			})
			signed := *a2
			signed.SignedAt, signed.SignedBy, signed.SignMethod = t0.Add(2*time.Minute), "c1", "in_person"
			signed.TypedNameSealed, signed.ContentHash = []byte("typed"), "deadbeef"
			signed.Supersedes = "a1-replaced" // decided at signing, so written by SignAgreement
			update(t, db, func(tx store.Tx) error { return tx.SignAgreement(ctx, &signed) })
			view(t, db, func(tx store.Tx) error {
				got, err := tx.Agreement(ctx, "a2")
				if err != nil {
					return err
				}
				same(t, "signed Agreement", got, &signed)
				list, err := tx.ListAgreements(ctx, "c1")
				if err != nil {
					return err
				}
				same(t, "ListAgreements", list, []*store.Agreement{a1, &signed})
				return nil
			})
		}},
		{"ErrDoubleSign", func(t *testing.T, db store.DB) {
			seed(t, db)
			a := draft("a1", 1, t0)
			update(t, db, func(tx store.Tx) error { return tx.CreateAgreement(ctx, a) })
			first := *a
			first.SignedAt, first.SignedBy, first.SignMethod, first.ContentHash = t0, "c1", "client", "h1"
			update(t, db, func(tx store.Tx) error { return tx.SignAgreement(ctx, &first) })
			second := first
			second.SignedAt, second.ContentHash = t0.Add(time.Hour), "h2"
			err := db.Update(ctx, func(tx store.Tx) error { return tx.SignAgreement(ctx, &second) })
			wantErr(t, err, holdspace.ECONFLICT, "already_signed")
			view(t, db, func(tx store.Tx) error {
				got, err := tx.Agreement(ctx, "a1")
				if err != nil {
					return err
				}
				same(t, "first signature kept", got, &first)
				return nil
			})
		}},
		{"ErrVersionTaken", func(t *testing.T, db store.DB) {
			seed(t, db)
			update(t, db, func(tx store.Tx) error { return tx.CreateAgreement(ctx, draft("a1", 1, t0)) })
			err := db.Update(ctx, func(tx store.Tx) error { return tx.CreateAgreement(ctx, draft("a2", 1, t0)) })
			wantErr(t, err, holdspace.ECONFLICT, "version_taken")
			err = db.Update(ctx, func(tx store.Tx) error { return tx.CreateAgreement(ctx, draft("a1", 2, t0)) })
			wantErr(t, err, holdspace.ECONFLICT, "")
		}},
		{"ConcurrentVersions", func(t *testing.T, db store.DB) {
			// Writers racing for the next version either get a distinct
			// version or ECONFLICT; never two agreements with one version.
			seed(t, db)
			const n = 6
			var wg sync.WaitGroup
			errs := make([]error, n)
			for i := range n {
				wg.Go(func() {
					errs[i] = db.Update(ctx, func(tx store.Tx) error {
						v, err := tx.NextAgreementVersion(ctx, "c1", "therapeutic")
						if err != nil {
							return err
						}
						return tx.CreateAgreement(ctx, draft("a"+string(rune('a'+i)), v, t0))
					})
				})
			}
			wg.Wait()
			ok := 0
			for _, err := range errs {
				if err == nil {
					ok++
					continue
				}
				wantErr(t, err, holdspace.ECONFLICT, "version_taken")
			}
			view(t, db, func(tx store.Tx) error {
				list, err := tx.ListAgreements(ctx, "c1")
				if err != nil {
					return err
				}
				var vs []int
				for _, a := range list {
					vs = append(vs, a.Version)
				}
				slices.Sort(vs)
				if len(vs) != ok || ok == 0 {
					t.Fatalf("%d agreements stored, %d creations succeeded", len(vs), ok)
				}
				for i, v := range vs {
					if v != i+1 {
						t.Fatalf("versions = %v, want 1..%d", vs, ok)
					}
				}
				return nil
			})
		}},
		{"ErrNotFound", func(t *testing.T, db store.DB) {
			update(t, db, func(tx store.Tx) error {
				_, err := tx.Agreement(ctx, "nope")
				wantErr(t, err, holdspace.ENOTFOUND, "")
				wantErr(t, tx.SignAgreement(ctx, &store.Agreement{ID: "nope", SignedAt: t0}), holdspace.ENOTFOUND, "")
				return nil
			})
		}},
		{"Revocations", func(t *testing.T, db store.DB) {
			seed(t, db)
			all := &store.Revocation{ID: "r2", AgreementID: "a1", ClientID: "c1", At: t0.Add(time.Minute), By: "p1",
				ByRole: holdspace.RolePractitioner, OnClientsWord: true}
			some := &store.Revocation{ID: "r1", AgreementID: "a1", ClientID: "c1", Regions: []string{"inner_thigh_l", "perineum"},
				At: t0, By: "c1", ByRole: holdspace.RoleClient}
			update(t, db, func(tx store.Tx) error {
				if err := tx.CreateAgreement(ctx, draft("a1", 1, t0)); err != nil {
					return err
				}
				if err := tx.CreateRevocation(ctx, all); err != nil {
					return err
				}
				return tx.CreateRevocation(ctx, some)
			})
			view(t, db, func(tx store.Tx) error {
				got, err := tx.ListRevocations(ctx, "c1")
				if err != nil {
					return err
				}
				same(t, "ListRevocations", got, []*store.Revocation{some, all})
				got, err = tx.ListRevocations(ctx, "c2")
				if err != nil || len(got) != 0 {
					t.Fatalf("c2 revocations = %v, %v", got, err)
				}
				return nil
			})
			err := db.Update(ctx, func(tx store.Tx) error {
				return tx.CreateRevocation(ctx, &store.Revocation{ID: "r3", AgreementID: "nope", ClientID: "c1", At: t0})
			})
			wantErr(t, err, holdspace.ENOTFOUND, "")
		}},
	}
}

func (s suite) sessionCases() []tcase {
	ctx := context.Background()
	seed := func(t *testing.T, db store.DB) {
		update(t, db, func(tx store.Tx) error {
			seedPractitioner(t, tx, "p1", t0)
			seedPractitioner(t, tx, "p2", t0)
			seedClient(t, tx, "c1", t0, "p1")
			seedClient(t, tx, "c2", t0, "p2")
			return nil
		})
	}
	session := func(id, client, practitioner string, starts time.Time) *store.Session {
		return &store.Session{ID: id, ClientID: client, PractitionerID: practitioner, Intent: "therapeutic",
			StartsAt: starts, Duration: 90 * time.Minute, State: "booked", CreatedAt: t0, CreatedBy: practitioner}
	}
	event := func(id, sessionID string, seq int64, typ string) *store.SessionEvent {
		return &store.SessionEvent{ID: id, SessionID: sessionID, Seq: seq, Type: typ, At: t0.Add(time.Duration(seq) * time.Second),
			ActorID: "p1", ActorRole: holdspace.RolePractitioner, Device: "tablet-1", Payload: []byte(`{"region":"neck"}`), Sealed: []byte("s")}
	}
	return []tcase{
		{"OK", func(t *testing.T, db store.DB) {
			seed(t, db)
			se := session("se1", "c1", "p1", t0.Add(time.Hour))
			e1, e2 := event("e1", "se1", 1, "start"), event("e2", "se1", 2, "stop")
			e2.Sealed, e2.Payload = nil, nil
			update(t, db, func(tx store.Tx) error {
				if err := tx.CreateSession(ctx, se); err != nil {
					return err
				}
				if err := tx.AppendEvent(ctx, e1, "in_progress"); err != nil {
					return err
				}
				return tx.AppendEvent(ctx, e2, "stopped")
			})
			view(t, db, func(tx store.Tx) error {
				got, err := tx.Session(ctx, "se1")
				if err != nil {
					return err
				}
				want := *se
				want.Seq, want.State = 2, "stopped"
				same(t, "Session", got, &want)
				evs, err := tx.ListEvents(ctx, "se1")
				if err != nil {
					return err
				}
				same(t, "ListEvents", evs, []*store.SessionEvent{e1, e2})
				return nil
			})
		}},
		{"ErrNotFound", func(t *testing.T, db store.DB) {
			update(t, db, func(tx store.Tx) error {
				_, err := tx.Session(ctx, "nope")
				wantErr(t, err, holdspace.ENOTFOUND, "")
				wantErr(t, tx.AppendEvent(ctx, event("e1", "nope", 1, "start"), "x"), holdspace.ENOTFOUND, "")
				return nil
			})
			err := db.Update(ctx, func(tx store.Tx) error { return tx.CreateSession(ctx, session("se1", "nobody", "p1", t0)) })
			wantErr(t, err, holdspace.ENOTFOUND, "")
		}},
		{"ErrStaleSession", func(t *testing.T, db store.DB) {
			seed(t, db)
			update(t, db, func(tx store.Tx) error {
				if err := tx.CreateSession(ctx, session("se1", "c1", "p1", t0)); err != nil {
					return err
				}
				return tx.AppendEvent(ctx, event("e1", "se1", 1, "start"), "in_progress")
			})
			for _, seq := range []int64{1, 3, 0} {
				err := db.Update(ctx, func(tx store.Tx) error {
					return tx.AppendEvent(ctx, event("e-stale", "se1", seq, "stop"), "stopped")
				})
				wantErr(t, err, holdspace.ECONFLICT, "stale_session")
			}
			view(t, db, func(tx store.Tx) error {
				got, err := tx.Session(ctx, "se1")
				if err != nil {
					return err
				}
				if got.Seq != 1 || got.State != "in_progress" {
					t.Fatalf("session after stale appends = seq %d state %q", got.Seq, got.State)
				}
				return nil
			})
		}},
		{"ConcurrentAppend", func(t *testing.T, db store.DB) {
			// Writers that all read Seq 0 race to append event 1: exactly
			// one wins, the others get stale_session.
			seed(t, db)
			update(t, db, func(tx store.Tx) error { return tx.CreateSession(ctx, session("se1", "c1", "p1", t0)) })
			const n = 6
			var wg sync.WaitGroup
			errs := make([]error, n)
			for i := range n {
				wg.Go(func() {
					errs[i] = db.Update(ctx, func(tx store.Tx) error {
						return tx.AppendEvent(ctx, event("e"+string(rune('a'+i)), "se1", 1, "start"), "in_progress")
					})
				})
			}
			wg.Wait()
			won := 0
			for _, err := range errs {
				if err == nil {
					won++
				} else {
					wantErr(t, err, holdspace.ECONFLICT, "stale_session")
				}
			}
			if won != 1 {
				t.Fatalf("%d appends of seq 1 succeeded, want 1", won)
			}
		}},
		{"ListWindow", func(t *testing.T, db store.DB) {
			seed(t, db)
			update(t, db, func(tx store.Tx) error {
				for _, x := range []*store.Session{
					session("s3", "c1", "p1", t0.Add(3*time.Hour)),
					session("s1", "c1", "p1", t0.Add(1*time.Hour)),
					session("s2", "c2", "p2", t0.Add(2*time.Hour)),
					session("s0", "c2", "p2", t0),
				} {
					if err := tx.CreateSession(ctx, x); err != nil {
						return err
					}
				}
				return nil
			})
			view(t, db, func(tx store.Tx) error {
				for _, tc := range []struct {
					name string
					f    store.SessionFilter
					want []string
				}{
					{"all", store.SessionFilter{}, []string{"s0", "s1", "s2", "s3"}},
					{"client", store.SessionFilter{ClientID: "c1"}, []string{"s1", "s3"}},
					{"practitioner", store.SessionFilter{PractitionerID: "p2"}, []string{"s0", "s2"}},
					{"from inclusive", store.SessionFilter{From: t0.Add(time.Hour)}, []string{"s1", "s2", "s3"}},
					{"to exclusive", store.SessionFilter{To: t0.Add(2 * time.Hour)}, []string{"s0", "s1"}},
					{"window", store.SessionFilter{From: t0.Add(time.Hour), To: t0.Add(3 * time.Hour)}, []string{"s1", "s2"}},
					{"window and practitioner", store.SessionFilter{PractitionerID: "p1", From: t0.Add(time.Minute), To: t0.Add(3 * time.Hour)}, []string{"s1"}},
					{"empty window", store.SessionFilter{From: t0.Add(time.Hour), To: t0.Add(time.Hour)}, nil},
					{"one microsecond", store.SessionFilter{From: t0.Add(time.Hour), To: t0.Add(time.Hour + time.Microsecond)}, []string{"s1"}},
				} {
					got, err := tx.ListSessions(ctx, tc.f)
					if err != nil {
						return err
					}
					var ids []string
					for _, x := range got {
						ids = append(ids, x.ID)
					}
					same(t, "ListSessions "+tc.name, ids, tc.want)
				}
				return nil
			})
		}},
	}
}
