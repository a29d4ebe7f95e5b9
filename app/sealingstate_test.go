package app

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"holdspace"
	"holdspace/seal"
	"holdspace/store"
)

// scanCountingDB counts the reads of values that may be in clear
// (store.Resealing.ClearValues) made through it.
type scanCountingDB struct {
	store.DB
	reads *atomic.Int64
}

type scanCountingTx struct {
	store.Tx
	reads *atomic.Int64
}

func (t scanCountingTx) ClearValues(ctx context.Context, col store.SealedColumn, after string, limit int) ([]store.ClearValue, error) {
	t.reads.Add(1)
	return t.Tx.ClearValues(ctx, col, after, limit)
}

func (d scanCountingDB) View(ctx context.Context, fn func(store.Tx) error) error {
	return d.DB.View(ctx, func(tx store.Tx) error { return fn(scanCountingTx{Tx: tx, reads: d.reads}) })
}

func (d scanCountingDB) Update(ctx context.Context, fn func(store.Tx) error) error {
	return d.DB.Update(ctx, func(tx store.Tx) error { return fn(scanCountingTx{Tx: tx, reads: d.reads}) })
}

// TestStartSkipsSealingPassOnceDone: the first start reads every column
// that may hold values in clear; once that pass has found nothing left, a
// start reads none of them, however much the services wrote in between
// (their values have the sealed form, which the database's triggers tell
// apart). A value an older version writes in clear afterwards (a
// downgrade and upgrade) makes the next start read them all again and
// seal it.
func TestStartSkipsSealingPassOnceDone(t *testing.T) {
	storeEngines(t, testStartSkipsSealingPass)
}

func clearWrites(t *testing.T, db store.DB) []store.ClearWrite {
	t.Helper()
	var ws []store.ClearWrite
	if err := db.View(context.Background(), func(tx store.Tx) (err error) {
		ws, err = tx.ClearWrites(context.Background())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return ws
}

func testStartSkipsSealingPass(t *testing.T, raw store.DB) {
	ctx := context.Background()
	keys, err := seal.NewKeyring()
	if err != nil {
		t.Fatal(err)
	}
	var reads atomic.Int64
	db := scanCountingDB{DB: raw, reads: &reads}
	start := func(what string, wantReads bool) *Services {
		t.Helper()
		reads.Store(0)
		a, err := New(Config{DB: db, Keys: keys, Policies: Policies{Argon2: cheap}})
		if err != nil {
			t.Fatal(err)
		}
		if got := reads.Load(); (got > 0) != wantReads {
			t.Fatalf("%s: %d reads of the columns that may hold values in clear, want reads: %v", what, got, wantReads)
		}
		return a
	}

	a := start("first start", true)
	if ws := clearWrites(t, raw); len(ws) != 0 {
		t.Fatalf("after the first start's pass the database still notes clear writes: %v", ws)
	}
	// The services write every kind of value the pass looks at: intents,
	// event types and payloads, revoked regions, follow-up triggers.
	l := newLive(t, a)
	for _, ev := range []EventInput{{Type: "checkin", Region: "upper-back", Answer: "yes"}, {Type: "note", Text: "fine"}} {
		who := l.pract
		if ev.Type == "checkin" {
			who = l.client
		}
		if _, err := a.Sessions.AppendEvent(ctx, who, l.session, ev); err != nil {
			t.Fatalf("%s: %v", ev.Type, err)
		}
	}
	if _, err := a.Sessions.AppendEvent(ctx, l.pract, l.session, EventInput{Type: "close", Close: &practiceCloseNotes}); err != nil {
		t.Fatalf("close: %v", err)
	}
	if _, err := a.Agreements.RevokeAgreement(ctx, l.client, l.agreed, RevokeInput{Regions: []string{"upper-back", "neck"}}); err != nil {
		t.Fatalf("revoke: %v", err)
	}
	if ws := clearWrites(t, raw); len(ws) != 0 {
		t.Fatalf("the services' own writes were noted as written in clear (%v): every start would read everything", ws)
	}
	start("second start", false)
	start("third start", false)

	// A version from before sealing writes in clear again.
	ses := &store.Session{ID: "ses_old", ClientID: l.client.UserID, PractitionerID: l.pract.UserID, Intent: "sensual", State: "open"}
	ev := &store.SessionEvent{ID: "evt_old", SessionID: ses.ID, Seq: 1, Type: "checkin", ActorID: l.client.UserID,
		ActorRole: holdspace.RoleClient, Device: "api", Payload: []byte(`{"region":"prostate","answer":"yes"}`)}
	if err := raw.Update(ctx, func(tx store.Tx) error {
		now := tx.Now()
		ses.StartsAt, ses.CreatedAt, ev.At = now, now, now
		if err := tx.CreateSession(ctx, ses); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, ev, "open")
	}); err != nil {
		t.Fatal(err)
	}
	ws := clearWrites(t, raw)
	if len(ws) == 0 {
		t.Fatal("a write in clear was not noted")
	}
	// A pass that read the note before a further write in clear does not
	// forget it.
	if err := raw.Update(ctx, func(tx store.Tx) error {
		return tx.AppendEvent(ctx, &store.SessionEvent{ID: "evt_old2", SessionID: ses.ID, Seq: 2, Type: "note", ActorID: l.pract.UserID,
			ActorRole: holdspace.RolePractitioner, Device: "api", At: tx.Now()}, "open")
	}); err != nil {
		t.Fatal(err)
	}
	if err := raw.Update(ctx, func(tx store.Tx) error { return tx.ForgetClearWrites(ctx, ws) }); err != nil {
		t.Fatal(err)
	}
	if len(clearWrites(t, raw)) == 0 {
		t.Fatal("a stale note forgot a later write in clear")
	}

	start("start after a write in clear", true)
	for col, vs := range clearColumnValues(t, raw) {
		for _, v := range vs {
			for _, w := range []string{"sensual", "prostate", "checkin"} {
				if strings.Contains(v, w) {
					t.Errorf("%s.%s still holds %q after the start: %q", col.Table, col.Column, w, v)
				}
			}
		}
	}
	if ws := clearWrites(t, raw); len(ws) != 0 {
		t.Fatalf("after sealing the clear values the database still notes clear writes: %v", ws)
	}
	start("next start", false)
}
