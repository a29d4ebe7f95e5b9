package storetest

import (
	"context"
	"testing"
	"time"

	"holdspace"
	"holdspace/store"
)

// practiceCases cover the practice settings, guardians' consents and
// follow-ups (issue 10).
func (s suite) practiceCases() []tcase {
	ctx := context.Background()
	seed := func(t *testing.T, db store.DB) {
		update(t, db, func(tx store.Tx) error {
			seedPractitioner(t, tx, "p1", t0)
			seedClient(t, tx, "c1", t0, "p1")
			seedClient(t, tx, "c2", t0, "p1")
			for _, c := range []string{"c1", "c2"} {
				if err := tx.CreateAgreement(ctx, &store.Agreement{ID: "a-" + c, ClientID: c, Intent: "therapeutic", Version: 1,
					GrantsSealed: []byte("g"), CreatedAt: t0, CreatedBy: "p1"}); err != nil {
					return err
				}
				for i, id := range []string{"s1-" + c, "s2-" + c} {
					if err := tx.CreateSession(ctx, &store.Session{ID: id, ClientID: c, PractitionerID: "p1", Intent: "therapeutic",
						StartsAt: t0.Add(time.Duration(i) * time.Hour), State: "closed", CreatedAt: t0, CreatedBy: "p1"}); err != nil {
						return err
					}
				}
			}
			return nil
		})
	}
	followUp := func(id, session, client string, due time.Time, adverse bool) *store.FollowUp {
		return &store.FollowUp{ID: id, SessionID: session, ClientID: client, PractitionerID: "p1",
			Triggers: []string{"emotional-release"}, Adverse: adverse, CreatedAt: t0, DueAt: due}
	}
	return []tcase{
		{"SettingsNotFoundThenVersioned", func(t *testing.T, db store.DB) {
			view(t, db, func(tx store.Tx) error {
				_, err := tx.PracticeSettings(ctx)
				wantErr(t, err, holdspace.ENOTFOUND, "")
				return nil
			})
			first := &store.PracticeSettings{Body: []byte(`{"age_of_majority":18}`), UpdatedAt: t0, UpdatedBy: "admin"}
			update(t, db, func(tx store.Tx) error { return tx.PutPracticeSettings(ctx, first) })
			if first.Version != 1 {
				t.Fatalf("first version %d", first.Version)
			}
			second := &store.PracticeSettings{Body: []byte(`{"age_of_majority":21}`), UpdatedAt: t0.Add(time.Minute), UpdatedBy: "admin2"}
			update(t, db, func(tx store.Tx) error { return tx.PutPracticeSettings(ctx, second) })
			if second.Version != 2 {
				t.Fatalf("second version %d", second.Version)
			}
			view(t, db, func(tx store.Tx) error {
				got, err := tx.PracticeSettings(ctx)
				if err != nil {
					return err
				}
				same(t, "PracticeSettings", got, second)
				return nil
			})
		}},
		{"SettingsRollback", func(t *testing.T, db store.DB) {
			err := db.Update(ctx, func(tx store.Tx) error {
				if err := tx.PutPracticeSettings(ctx, &store.PracticeSettings{Body: []byte(`{}`), UpdatedAt: t0}); err != nil {
					return err
				}
				return holdspace.Invalid("x", "y", "roll back")
			})
			wantErr(t, err, holdspace.EINVALID, "x")
			view(t, db, func(tx store.Tx) error {
				_, err := tx.PracticeSettings(ctx)
				wantErr(t, err, holdspace.ENOTFOUND, "")
				return nil
			})
		}},
		{"GuardianConsent", func(t *testing.T, db store.DB) {
			seed(t, db)
			g := &store.GuardianConsent{AgreementID: "a-c1", ClientID: "c1", Sealed: []byte("sealed-guardian"), RecordedBy: "p1", RecordedAt: t0}
			update(t, db, func(tx store.Tx) error { return tx.CreateGuardianConsent(ctx, g) })
			err := db.Update(ctx, func(tx store.Tx) error {
				return tx.CreateGuardianConsent(ctx, &store.GuardianConsent{AgreementID: "a-c1", ClientID: "c1", Sealed: []byte("x"), RecordedBy: "p1", RecordedAt: t0})
			})
			wantErr(t, err, holdspace.ECONFLICT, "")
			err = db.Update(ctx, func(tx store.Tx) error {
				return tx.CreateGuardianConsent(ctx, &store.GuardianConsent{AgreementID: "nope", ClientID: "c1", Sealed: []byte("x"), RecordedBy: "p1", RecordedAt: t0})
			})
			wantErr(t, err, holdspace.ENOTFOUND, "")
			view(t, db, func(tx store.Tx) error {
				got, err := tx.ListGuardianConsents(ctx, "c1")
				if err != nil {
					return err
				}
				same(t, "ListGuardianConsents", got, []*store.GuardianConsent{g})
				other, err := tx.ListGuardianConsents(ctx, "c2")
				if err != nil || len(other) != 0 {
					t.Fatalf("c2 consents %v %v", other, err)
				}
				return nil
			})
		}},
		{"FollowUps", func(t *testing.T, db store.DB) {
			seed(t, db)
			f1 := followUp("f1", "s1-c1", "c1", t0.Add(48*time.Hour), true)
			f2 := followUp("f2", "s2-c1", "c1", t0.Add(24*time.Hour), false)
			f3 := followUp("f3", "s1-c2", "c2", t0.Add(36*time.Hour), false)
			f3.Triggers = []string{"stop", "checkin-declined"}
			update(t, db, func(tx store.Tx) error {
				for _, f := range []*store.FollowUp{f1, f2, f3} {
					if err := tx.CreateFollowUp(ctx, f); err != nil {
						return err
					}
				}
				return nil
			})
			err := db.Update(ctx, func(tx store.Tx) error { return tx.CreateFollowUp(ctx, followUp("f4", "s1-c1", "c1", t0, false)) })
			wantErr(t, err, holdspace.ECONFLICT, "")
			err = db.Update(ctx, func(tx store.Tx) error { return tx.CreateFollowUp(ctx, followUp("f5", "nope", "c1", t0, false)) })
			wantErr(t, err, holdspace.ENOTFOUND, "")
			view(t, db, func(tx store.Tx) error {
				all, err := tx.ListFollowUps(ctx, store.FollowUpFilter{})
				if err != nil {
					return err
				}
				same(t, "all follow-ups by due", all, []*store.FollowUp{f2, f3, f1})
				mine, err := tx.ListFollowUps(ctx, store.FollowUpFilter{ClientID: "c1"})
				if err != nil {
					return err
				}
				same(t, "c1 follow-ups", mine, []*store.FollowUp{f2, f1})
				bySession, err := tx.ListFollowUps(ctx, store.FollowUpFilter{SessionID: "s1-c2", PractitionerID: "p1"})
				if err != nil {
					return err
				}
				same(t, "by session", bySession, []*store.FollowUp{f3})
				adverse, err := tx.ListFollowUps(ctx, store.FollowUpFilter{Unacknowledged: true})
				if err != nil {
					return err
				}
				same(t, "unacknowledged adverse", adverse, []*store.FollowUp{f1})
				return nil
			})
			answeredAt := t0.Add(time.Hour)
			update(t, db, func(tx store.Tx) error { return tx.AnswerFollowUp(ctx, "f2", "ev-9", answeredAt) })
			update(t, db, func(tx store.Tx) error { return tx.AcknowledgeFollowUp(ctx, "f1", "admin", answeredAt) })
			err = db.Update(ctx, func(tx store.Tx) error { return tx.AnswerFollowUp(ctx, "f2", "ev-10", answeredAt) })
			wantErr(t, err, holdspace.ECONFLICT, "already_answered")
			err = db.Update(ctx, func(tx store.Tx) error { return tx.AcknowledgeFollowUp(ctx, "f1", "admin", answeredAt) })
			wantErr(t, err, holdspace.ECONFLICT, "already_acknowledged")
			err = db.Update(ctx, func(tx store.Tx) error { return tx.AnswerFollowUp(ctx, "nope", "ev", answeredAt) })
			wantErr(t, err, holdspace.ENOTFOUND, "")
			view(t, db, func(tx store.Tx) error {
				got, err := tx.FollowUp(ctx, "f2")
				if err != nil {
					return err
				}
				want := *f2
				want.AnsweredAt, want.AnswerEventID = answeredAt, "ev-9"
				same(t, "answered", got, &want)
				open, err := tx.ListFollowUps(ctx, store.FollowUpFilter{ClientID: "c1", Unanswered: true})
				if err != nil {
					return err
				}
				if len(open) != 1 || open[0].ID != "f1" {
					t.Fatalf("unanswered %v", open)
				}
				adverse, err := tx.ListFollowUps(ctx, store.FollowUpFilter{Unacknowledged: true})
				if err != nil || len(adverse) != 0 {
					t.Fatalf("acknowledged still listed: %v %v", adverse, err)
				}
				_, err = tx.FollowUp(ctx, "nope")
				wantErr(t, err, holdspace.ENOTFOUND, "")
				return nil
			})
			// Erasure removes a client's follow-ups and guardians' consents.
			update(t, db, func(tx store.Tx) error {
				if err := tx.CreateGuardianConsent(ctx, &store.GuardianConsent{AgreementID: "a-c1", ClientID: "c1", Sealed: []byte("g"), RecordedBy: "p1", RecordedAt: t0}); err != nil {
					return err
				}
				return tx.EraseClient(ctx, "c1", t0.Add(2*time.Hour))
			})
			view(t, db, func(tx store.Tx) error {
				left, err := tx.ListFollowUps(ctx, store.FollowUpFilter{})
				if err != nil {
					return err
				}
				same(t, "after erasure", left, []*store.FollowUp{f3})
				gs, err := tx.ListGuardianConsents(ctx, "c1")
				if err != nil || len(gs) != 0 {
					t.Fatalf("guardian consents after erasure: %v %v", gs, err)
				}
				return nil
			})
		}},
	}
}
