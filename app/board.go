package app

import (
	"context"
	"time"

	"holdspace/catalogue"
	"holdspace/consent"
)

// BoardCell is the decision for one region and technique.
type BoardCell struct {
	Technique string           `json:"technique"`
	Decision  consent.Decision `json:"decision"`
}

// BoardRow is every technique's decision for one region.
type BoardRow struct {
	Region string      `json:"region"`
	Label  string      `json:"label"`
	Group  string      `json:"group"`
	Cells  []BoardCell `json:"cells"`
}

// Board is the live console's view of a session: its state and the
// decision for every region that applies to the client and every technique.
type Board struct {
	Session SessionView `json:"session"`
	At      time.Time   `json:"at"`
	Rows    []BoardRow  `json:"rows"`
}

// SessionBoard decides every applicable (region, technique) of a session at
// once. The session's practitioner, its client and admins may read it; it is
// audited as one read.
func (a *Decisions) SessionBoard(ctx context.Context, ac Actor, sessionID string) (Board, error) {
	var b Board
	counts := map[consent.Outcome]int{}
	err := a.update(ctx, func(tx decisionsTx) error {
		ep, err := a.txEpoch(ctx, tx)
		if err != nil {
			return err
		}
		s, err := a.visibleSessionAt(ctx, tx, ep, ac, sessionID)
		if err != nil {
			return err
		}
		if err := a.closeIfOverdue(ctx, tx, s); err != nil {
			return err
		}
		e, f, err := a.decisionFacts(ctx, tx, s, ep)
		if err != nil {
			return err
		}
		b = Board{Session: a.sessionView(s), At: tx.Now()}
		techniques := catalogue.TechniqueCodes()
		for _, r := range catalogue.Regions() {
			if !r.AppliesTo(e.anatomy) {
				continue
			}
			row := BoardRow{Region: r.Code, Label: r.Label, Group: string(r.Group), Cells: make([]BoardCell, 0, len(techniques))}
			for _, t := range techniques {
				d := e.decide(&f, r.Code, t, tx.Now())
				counts[d.Outcome]++
				row.Cells = append(row.Cells, BoardCell{Technique: t, Decision: d})
			}
			b.Rows = append(b.Rows, row)
		}
		return record(ctx, tx, ac, "decision.board", s.ID, s.ClientID, "")
	})
	if err == nil && a.observe != nil {
		for o, n := range counts {
			for range n {
				a.observe(string(o))
			}
		}
	}
	return b, err
}
