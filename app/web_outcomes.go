package app

import (
	"context"
	"slices"
	"time"

	"holdspace"

	"holdspace/practice"
	"holdspace/store"
)

// OutcomeScores are the pain and tension scores (0–10) a practitioner
// recorded when closing one session.
type OutcomeScores struct {
	SessionID     string    `json:"session_id"`
	StartsAt      time.Time `json:"starts_at"`
	ClosedAt      time.Time `json:"closed_at"`
	PainBefore    int       `json:"pain_before"`
	PainAfter     int       `json:"pain_after"`
	TensionBefore int       `json:"tension_before"`
	TensionAfter  int       `json:"tension_after"`
}

// ClientOutcomes returns the pain and tension scores of a client's closed
// sessions, oldest first, for a chart over time. The client themself, their
// assigned practitioners and admins may read them (ENOTFOUND for anyone
// else); a practitioner sees only the sessions they held. The read is
// audited once.
func (a *Sessions) ClientOutcomes(ctx context.Context, ac Actor, clientID string) ([]OutcomeScores, error) {
	var out []OutcomeScores
	err := a.update(ctx, func(tx sessionsTx) error {
		if _, err := visibleClient(ctx, tx, ac, clientID); err != nil {
			return err
		}
		f := store.SessionFilter{ClientID: clientID}
		if ac.is(holdspace.RolePractitioner) {
			f.PractitionerID = ac.UserID
		}
		ss, err := tx.ListSessions(ctx, f)
		if err != nil {
			return err
		}
		for _, s := range ss {
			if s.State != string(practice.Closed) {
				continue
			}
			recs, err := tx.ListEvents(ctx, s.ID)
			if err != nil {
				return err
			}
			for _, r := range recs {
				if r.Type != string(practice.EventClose) {
					continue
				}
				ev, err := a.eventOf(r, false)
				if err != nil {
					return err
				}
				if ev.Close == nil {
					continue
				}
				out = append(out, OutcomeScores{SessionID: s.ID, StartsAt: s.StartsAt, ClosedAt: r.At,
					PainBefore: ev.Close.PainBefore, PainAfter: ev.Close.PainAfter,
					TensionBefore: ev.Close.TensionBefore, TensionAfter: ev.Close.TensionAfter})
			}
		}
		slices.SortFunc(out, func(x, y OutcomeScores) int { return x.StartsAt.Compare(y.StartsAt) })
		return record(ctx, tx, ac, "session.read", clientID, clientID, "outcomes")
	})
	return nonNil(out), err
}
