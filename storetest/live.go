package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"holdspace"
	"holdspace/store"
)

// consentHoldsCases test what issue 9 stores: one live session per client
// (enforced by the store, under concurrency), a booking's duration, the
// client's confirmation of a screening someone else entered, and when the
// client saw an agreement version.
func (s suite) consentHoldsCases() []tcase {
	ctx := context.Background()
	seed := func(t *testing.T, db store.DB, sessions int) {
		update(t, db, func(tx store.Tx) error {
			seedPractitioner(t, tx, "p1", t0)
			seedClient(t, tx, "c1", t0, "p1")
			seedClient(t, tx, "c2", t0, "p1")
			for i := range sessions {
				for _, c := range []string{"c1", "c2"} {
					if err := tx.CreateSession(ctx, &store.Session{ID: fmt.Sprintf("%s-s%d", c, i), ClientID: c, PractitionerID: "p1",
						Intent: "therapeutic", StartsAt: t0.Add(time.Duration(i) * time.Hour), State: "scheduled", CreatedAt: t0}); err != nil {
						return err
					}
				}
			}
			return nil
		})
	}
	open := func(id string, seq int64) func(tx store.Tx) error {
		return func(tx store.Tx) error {
			return tx.AppendEvent(ctx, &store.SessionEvent{ID: id + "-e" + fmt.Sprint(seq), SessionID: id, Seq: seq, Type: "open",
				At: t0, ActorID: "p1", ActorRole: holdspace.RolePractitioner}, "open")
		}
	}
	return []tcase{
		{"OneLiveSession", func(t *testing.T, db store.DB) {
			seed(t, db, 3)
			update(t, db, open("c1-s0", 1))
			// Another client's session opens; the same client's does not.
			update(t, db, open("c2-s0", 1))
			wantErr(t, db.Update(ctx, open("c1-s1", 1)), holdspace.ECONFLICT, "live_session")
			view(t, db, func(tx store.Tx) error {
				s, err := tx.Session(ctx, "c1-s1")
				if err != nil {
					return err
				}
				if s.State != "scheduled" || s.Seq != 0 {
					t.Fatalf("a refused open changed the session: %+v", s)
				}
				live, err := tx.ListSessions(ctx, store.SessionFilter{ClientID: "c1", Live: true})
				if err != nil {
					return err
				}
				if len(live) != 1 || live[0].ID != "c1-s0" {
					t.Fatalf("live sessions of c1: %v", live)
				}
				all, err := tx.ListSessions(ctx, store.SessionFilter{Live: true})
				if err != nil {
					return err
				}
				if len(all) != 2 {
					t.Fatalf("live sessions: %d", len(all))
				}
				return nil
			})
			// Stopped is live too; closed is not.
			update(t, db, func(tx store.Tx) error {
				return tx.AppendEvent(ctx, &store.SessionEvent{ID: "c1-s0-e2", SessionID: "c1-s0", Seq: 2, Type: "stop", At: t0}, "stopped")
			})
			wantErr(t, db.Update(ctx, open("c1-s1", 1)), holdspace.ECONFLICT, "live_session")
			update(t, db, func(tx store.Tx) error {
				return tx.AppendEvent(ctx, &store.SessionEvent{ID: "c1-s0-e3", SessionID: "c1-s0", Seq: 3, Type: "auto-close", At: t0,
					ActorID: "system", ActorRole: "system"}, "closed")
			})
			update(t, db, open("c1-s1", 1))
			// A live session cannot be created beside another either.
			err := db.Update(ctx, func(tx store.Tx) error {
				return tx.CreateSession(ctx, &store.Session{ID: "c1-x", ClientID: "c1", PractitionerID: "p1", Intent: "therapeutic",
					StartsAt: t0, State: "in-progress", CreatedAt: t0})
			})
			wantErr(t, err, holdspace.ECONFLICT, "live_session")
		}},
		{"ConcurrentOpens", func(t *testing.T, db store.DB) {
			const n = 8
			seed(t, db, n)
			var wg sync.WaitGroup
			errs := make([]error, n)
			start := make(chan struct{})
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					errs[i] = db.Update(ctx, open(fmt.Sprintf("c1-s%d", i), 1))
				}()
			}
			close(start)
			wg.Wait()
			ok := 0
			for _, err := range errs {
				switch {
				case err == nil:
					ok++
				case holdspace.ErrorReason(err) != "live_session":
					t.Errorf("concurrent open: %v", err)
				}
			}
			if ok != 1 {
				t.Fatalf("%d of %d concurrent opens succeeded, want exactly 1", ok, n)
			}
			view(t, db, func(tx store.Tx) error {
				live, err := tx.ListSessions(ctx, store.SessionFilter{ClientID: "c1", Live: true})
				if err != nil {
					return err
				}
				if len(live) != 1 {
					t.Fatalf("%d live sessions after concurrent opens", len(live))
				}
				return nil
			})
		}},
		{"Duration", func(t *testing.T, db store.DB) {
			seed(t, db, 0)
			update(t, db, func(tx store.Tx) error {
				for id, d := range map[string]time.Duration{"d0": 0, "d45": 45 * time.Minute, "d90s": 90 * time.Second} {
					if err := tx.CreateSession(ctx, &store.Session{ID: id, ClientID: "c1", PractitionerID: "p1", Intent: "therapeutic",
						StartsAt: t0, Duration: d, State: "scheduled", CreatedAt: t0}); err != nil {
						return err
					}
				}
				return nil
			})
			view(t, db, func(tx store.Tx) error {
				for id, want := range map[string]time.Duration{"d0": time.Hour, "d45": 45 * time.Minute, "d90s": 2 * time.Minute} {
					s, err := tx.Session(ctx, id)
					if err != nil {
						return err
					}
					if s.Duration != want {
						t.Errorf("%s: duration %v, want %v", id, s.Duration, want)
					}
				}
				return nil
			})
		}},
		{"ScreeningConfirmation", func(t *testing.T, db store.DB) {
			seed(t, db, 0)
			sc := &store.Screening{ID: "s1", ClientID: "c1", Questionnaire: "intake-v1", ResultSealed: []byte("r"), TakenAt: t0,
				ValidUntil: t0.AddDate(0, 6, 0), RecordedBy: "p1", RecordedRole: holdspace.RolePractitioner}
			update(t, db, func(tx store.Tx) error { return tx.CreateScreening(ctx, sc) })
			conf := *sc
			conf.ConfirmedAt, conf.ConfirmedBy, conf.ConfirmMethod, conf.ConfirmTypedNameSealed = t0.Add(time.Hour), "p1", "in_person", []byte("sealed-name")
			update(t, db, func(tx store.Tx) error { return tx.ConfirmScreening(ctx, &conf) })
			view(t, db, func(tx store.Tx) error {
				got, err := tx.Screening(ctx, "s1")
				if err != nil {
					return err
				}
				same(t, "Screening", got, &conf)
				return nil
			})
			again := conf
			again.ConfirmedAt, again.ConfirmedBy = t0.Add(2*time.Hour), "c1"
			wantErr(t, db.Update(ctx, func(tx store.Tx) error { return tx.ConfirmScreening(ctx, &again) }), holdspace.ECONFLICT, "already_confirmed")
			missing := conf
			missing.ID = "nope"
			wantErr(t, db.Update(ctx, func(tx store.Tx) error { return tx.ConfirmScreening(ctx, &missing) }), holdspace.ENOTFOUND, "")
		}},
		{"AgreementSeen", func(t *testing.T, db store.DB) {
			seed(t, db, 0)
			a := &store.Agreement{ID: "a1", ClientID: "c1", Intent: "therapeutic", Version: 1, GrantsSealed: []byte("g"), CreatedAt: t0, CreatedBy: "p1"}
			update(t, db, func(tx store.Tx) error { return tx.CreateAgreement(ctx, a) })
			update(t, db, func(tx store.Tx) error { return tx.MarkAgreementSeen(ctx, "a1", t0.Add(time.Hour)) })
			update(t, db, func(tx store.Tx) error { return tx.MarkAgreementSeen(ctx, "a1", t0.Add(2*time.Hour)) })
			view(t, db, func(tx store.Tx) error {
				got, err := tx.Agreement(ctx, "a1")
				if err != nil {
					return err
				}
				want := *a
				want.ClientSeenAt = t0.Add(time.Hour)
				same(t, "Agreement", got, &want)
				return nil
			})
			wantErr(t, db.Update(ctx, func(tx store.Tx) error { return tx.MarkAgreementSeen(ctx, "nope", t0) }), holdspace.ENOTFOUND, "")
		}},
	}
}
