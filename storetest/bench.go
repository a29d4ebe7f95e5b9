package storetest

import (
	"context"
	"fmt"
	"testing"

	"holdspace"

	"holdspace/audit"
	"holdspace/store"
)

// BenchAppendAudit measures one durable write transaction that appends one
// audit entry (lock, read head, hash, insert, commit) on db, which must be
// empty and migrated.
func BenchAppendAudit(b *testing.B, db store.DB) {
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		err := db.Update(ctx, func(tx store.Tx) error {
			_, err := tx.AppendAudit(ctx, audit.Entry{Actor: "p1", Action: "session.read", Target: "session:se1",
				ClientID: "c1", Detail: fmt.Sprintf("i=%d", i)})
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchDecisionRead measures the read transaction a consent decision makes:
// the Versions of the client and practitioner, the session and its events,
// on a session with 20 events. db must be empty and migrated.
func BenchDecisionRead(b *testing.B, db store.DB) {
	ctx := context.Background()
	err := db.Update(ctx, func(tx store.Tx) error {
		for _, u := range []*store.User{user("p1", holdspace.RolePractitioner, "p1@x", t0), user("c1", holdspace.RoleClient, "c1@x", t0)} {
			if err := tx.CreateUser(ctx, u); err != nil {
				return err
			}
		}
		if err := tx.CreateClient(ctx, &store.Client{ID: "c1", PractitionerIDs: []string{"p1"}, CreatedAt: t0}); err != nil {
			return err
		}
		if err := tx.CreateSession(ctx, &store.Session{ID: "se1", ClientID: "c1", PractitionerID: "p1", Intent: "therapeutic",
			StartsAt: t0, State: "booked", CreatedAt: t0}); err != nil {
			return err
		}
		for i := int64(1); i <= 20; i++ {
			if err := tx.AppendEvent(ctx, &store.SessionEvent{ID: fmt.Sprintf("e%d", i), SessionID: "se1", Seq: i, Type: "checkin",
				At: t0, ActorID: "c1", ActorRole: holdspace.RoleClient, Payload: []byte(`{"region":"neck","answer":"yes"}`)}, "in_progress"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		err := db.View(ctx, func(tx store.Tx) error {
			vs, err := tx.Versions(ctx, "c1", "p1")
			if err != nil {
				return err
			}
			if len(vs) != 2 {
				return fmt.Errorf("versions = %v", vs)
			}
			if _, err := tx.Session(ctx, "se1"); err != nil {
				return err
			}
			evs, err := tx.ListEvents(ctx, "se1")
			if err != nil {
				return err
			}
			if len(evs) != 20 {
				return fmt.Errorf("events = %d", len(evs))
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
