package storetest

import (
	"context"
	"testing"
	"time"

	"holdspace"
	"holdspace/store"
)

func (s suite) resealCases() []tcase {
	return []tcase{
		{"ClearValuesAndReplace", func(t *testing.T, db store.DB) {
			ctx := context.Background()
			ag := &store.Agreement{ID: "a1", ClientID: "c1", Intent: "sensual", Version: 1, CreatedAt: t0}
			ses := &store.Session{ID: "s1", ClientID: "c1", PractitionerID: "p1", Intent: "sensual", StartsAt: t0, State: "open",
				CreatedAt: t0, Duration: time.Hour}
			ev := &store.SessionEvent{ID: "e1", SessionID: "s1", Seq: 1, Type: "checkin", At: t0, ActorID: "c1",
				ActorRole: holdspace.RoleClient, Payload: []byte(`{"region":"prostate"}`)}
			update(t, db, func(tx store.Tx) error {
				seedPractitioner(t, tx, "p1", t0)
				seedClient(t, tx, "c1", t0, "p1")
				for _, err := range []error{tx.CreateAgreement(ctx, ag),
					tx.CreateRevocation(ctx, &store.Revocation{ID: "r1", AgreementID: "a1", ClientID: "c1", Regions: []string{"prostate"}, At: t0}),
					tx.CreateSession(ctx, ses), tx.AppendEvent(ctx, ev, "open"),
					tx.CreateFollowUp(ctx, &store.FollowUp{ID: "f1", SessionID: "s1", ClientID: "c1", PractitionerID: "p1",
						Triggers: []string{"adverse"}, Adverse: true, CreatedAt: t0, DueAt: t0})} {
					if err != nil {
						return err
					}
				}
				return nil
			})
			want := map[store.SealedColumn]string{
				store.AgreementIntent: "sensual", store.SessionIntent: "sensual", store.RevocationRegions: `["prostate"]`,
				store.EventType: "checkin", store.EventPayload: `{"region":"prostate"}`, store.FollowUpTriggers: `["adverse"]`,
			}
			next := map[store.SealedColumn][]byte{
				store.AgreementIntent: []byte("bi:x"), store.SessionIntent: []byte("bi:y"), store.RevocationRegions: []byte(`["sealed:r"]`),
				store.EventType: []byte("sealed:t"), store.EventPayload: {1, 2, 0, 3}, store.FollowUpTriggers: []byte(`["sealed:f"]`),
			}
			update(t, db, func(tx store.Tx) error {
				for _, col := range store.ClearColumns() {
					vs, err := tx.ClearValues(ctx, col, "", 10)
					if err != nil {
						return err
					}
					if len(vs) != 1 || vs[0].ClientID != "c1" || string(vs[0].Value) != want[col] {
						t.Fatalf("ClearValues %s.%s = %+v, want one of c1 holding %s", col.Table, col.Column, vs, want[col])
					}
					if vs, err := tx.ClearValues(ctx, col, vs[0].ID, 10); err != nil || len(vs) != 0 {
						t.Fatalf("ClearValues after the last id = %v, %v", vs, err)
					}
					if ok, err := tx.ReplaceClear(ctx, col, vs[0].ID, []byte("changed meanwhile"), next[col]); ok || err != nil {
						t.Fatalf("ReplaceClear over another value = %v, %v", ok, err)
					}
					if ok, err := tx.ReplaceClear(ctx, col, vs[0].ID, vs[0].Value, next[col]); !ok || err != nil {
						t.Fatalf("ReplaceClear %s.%s = %v, %v", col.Table, col.Column, ok, err)
					}
					vs, err = tx.ClearValues(ctx, col, "", 10)
					if err != nil || len(vs) != 1 || string(vs[0].Value) != string(next[col]) {
						t.Fatalf("after ReplaceClear %s.%s: %+v %v", col.Table, col.Column, vs, err)
					}
				}
				// The replaced intent is what equality lookups now find.
				if v, err := tx.NextAgreementVersion(ctx, "c1", "bi:x"); v != 2 || err != nil {
					t.Fatalf("next version under the index = %d, %v", v, err)
				}
				_, err := tx.ClearValues(ctx, store.SealedColumn{Table: "users", Column: "id"}, "", 1)
				wantErr(t, err, holdspace.EINVALID, "")
				return nil
			})
		}},
	}
}
