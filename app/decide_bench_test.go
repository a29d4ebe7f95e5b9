package app

import (
	"context"
	"testing"
)

// BenchmarkDecideAudited measures one decision through the App: the facts
// read in a transaction, the pure decision, and the audit entry written in
// the same transaction (durable SQLite commit included).
func BenchmarkDecideAudited(b *testing.B) {
	a := newTestApp(b)
	l := newLive(b, a)
	ctx := context.Background()
	in := DecideInput{SessionID: l.session, Region: "shoulders", Technique: "massage"}
	for b.Loop() {
		if _, err := a.Decisions.Decide(ctx, l.pract, in); err != nil {
			b.Fatal(err)
		}
	}
}
