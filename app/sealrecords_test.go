package app

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"holdspace"

	"holdspace/seal"
	"holdspace/store"
)

// TestUpgradeSealsClearRecords replays an upgrade on both engines: records
// written in clear as versions before sealing wrote them (with their
// content hashes in the audit chain) are sealed when an App starts, read
// back in clear through the App, keep verifying against the chain, and a
// second start changes nothing.
func TestUpgradeSealsClearRecords(t *testing.T) {
	storeEngines(t, testUpgradeSeals)
}

// revealingClear is what the records below hold in clear before sealing.
var revealingClear = []string{"sensual", "prostate", "anal-canal", "checkin", "emotional-release", "adverse"}

func clearColumnValues(t *testing.T, db store.DB) map[store.SealedColumn][]string {
	t.Helper()
	ctx := context.Background()
	out := map[store.SealedColumn][]string{}
	if err := db.View(ctx, func(tx store.Tx) error {
		for _, col := range store.ClearColumns() {
			vs, err := tx.ClearValues(ctx, col, "", 1000)
			if err != nil {
				return err
			}
			for _, v := range vs {
				out[col] = append(out[col], string(v.Value))
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func testUpgradeSeals(t *testing.T, db store.DB) {
	ctx := context.Background()
	keys, err := seal.NewKeyring()
	if err != nil {
		t.Fatal(err)
	}
	old, err := New(Config{DB: db, Keys: keys, Policies: Policies{Argon2: cheap}})
	if err != nil {
		t.Fatal(err)
	}
	pid, err := old.People.CreateUser(ctx, System, NewUser{Role: "practitioner", Name: "Pat", Email: "p@example.test"})
	if err != nil {
		t.Fatal(err)
	}
	cid, err := old.People.CreateClient(ctx, System, ClientInput{Name: "Casey", Email: "c@example.test", BirthDate: "1980-01-01"})
	if err != nil {
		t.Fatal(err)
	}
	// As the version before sealing wrote them: straight to the store.
	ag := &store.Agreement{ID: "agr_old", ClientID: cid, Intent: "sensual", Version: 1}
	rev := &store.Revocation{ID: "rev_old", AgreementID: ag.ID, ClientID: cid, Regions: []string{"prostate", "anal-canal"},
		By: "system", ByRole: holdspace.RoleAdmin}
	ses := &store.Session{ID: "ses_old", ClientID: cid, PractitionerID: pid, Intent: "sensual", State: "open", Duration: time.Hour}
	ev := &store.SessionEvent{ID: "evt_old", SessionID: ses.ID, Seq: 1, Type: "checkin", ActorID: cid, ActorRole: holdspace.RoleClient,
		Device: "api", Payload: []byte(`{"region":"prostate","answer":"yes"}`)}
	fu := &store.FollowUp{ID: "fu_old", SessionID: ses.ID, ClientID: cid, PractitionerID: pid,
		Triggers: []string{"emotional-release", "adverse"}, Adverse: true}
	if err := db.Update(ctx, func(tx store.Tx) error {
		now := tx.Now()
		ag.CreatedAt, rev.At, ses.StartsAt, ses.CreatedAt, ev.At, fu.CreatedAt, fu.DueAt = now, now, now, now, now, now, now.Add(48*time.Hour)
		for _, err := range []error{tx.CreateAgreement(ctx, ag), tx.CreateRevocation(ctx, rev), tx.CreateSession(ctx, ses),
			tx.AppendEvent(ctx, ev, "open"), tx.CreateFollowUp(ctx, fu)} {
			if err != nil {
				return err
			}
		}
		return recordContent(ctx, tx, System, "agreement.revoke", ag.ID, cid, "", contentItem(contentDraft, ag.ID, draftContent(ag)),
			contentItem(contentRevocation, rev.ID, revocationContent(rev)), contentItem(contentEvent, ev.ID, eventContent(ev)))
	}); err != nil {
		t.Fatal(err)
	}
	before := clearColumnValues(t, db)
	for _, w := range revealingClear {
		if !strings.Contains(strings.Join(slices.Concat(slices.Collect(maps.Values(before))...), " "), w) {
			t.Fatalf("the old records do not hold %q in clear: the test proves nothing", w)
		}
	}

	// The upgrade: an App starts over the database.
	a, err := New(Config{DB: db, Keys: keys, Policies: Policies{Argon2: cheap}})
	if err != nil {
		t.Fatal(err)
	}
	for col, vs := range clearColumnValues(t, db) {
		for _, v := range vs {
			for _, w := range revealingClear {
				if strings.Contains(v, w) {
					t.Errorf("%s.%s still holds %q after the upgrade: %q", col.Table, col.Column, w, v)
				}
			}
		}
	}
	if n, err := a.core.sealClearRecords(ctx); n != 0 || err != nil {
		t.Fatalf("a second start sealed %d values (%v), want none", n, err)
	}
	// Read back in clear through the App.
	if err := a.core.view(ctx, func(tx store.Tx) error {
		g, err := tx.Agreement(ctx, ag.ID)
		if err != nil || g.Intent != "sensual" {
			return errors.Join(err, errors.New("agreement intent "+g.Intent))
		}
		rs, err := tx.ListRevocations(ctx, cid)
		if err != nil || len(rs) != 1 || !slices.Equal(rs[0].Regions, rev.Regions) {
			t.Errorf("revocations: %v %v", rs, err)
		}
		s, err := tx.Session(ctx, ses.ID)
		if err != nil || s.Intent != "sensual" {
			t.Errorf("session: %v %v", s, err)
		}
		es, err := tx.ListEvents(ctx, ses.ID)
		if err != nil || len(es) != 1 || es[0].Type != "checkin" || string(es[0].Payload) != string(ev.Payload) {
			t.Errorf("events: %v %v", es, err)
		}
		f, err := tx.FollowUp(ctx, fu.ID)
		if err != nil || !slices.Equal(f.Triggers, fu.Triggers) || !f.Adverse {
			t.Errorf("follow-up: %v %v", f, err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// A new version is numbered after the sealed one.
	if err := a.core.update(ctx, func(tx store.Tx) error {
		v, err := tx.NextAgreementVersion(ctx, cid, "sensual")
		if v != 2 {
			t.Errorf("next version of the sealed agreement = %d, want 2", v)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// The records verify against the chain through the keys, and not
	// without them (the stored bytes are not what was hashed).
	if rep, err := VerifyAuditFull(ctx, OpenedDB(db, keys), nil); err != nil || rep.Records < 3 {
		t.Fatalf("verify after the upgrade: %+v %v", rep, err)
	}
	var re *RecordError
	if _, err := VerifyAuditFull(ctx, db, nil); !errors.As(err, &re) {
		t.Fatalf("verify without the keys: %v, want a record error", err)
	}
}
