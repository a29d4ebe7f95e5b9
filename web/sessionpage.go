package web

import (
	"slices"
	"time"

	"holdspace/app"
	"holdspace/consent"
	"holdspace/i18n"
	"holdspace/practice"
)

// flashStates ties a session page's flash message to the states it
// describes: "You chose to go on" is true while the session is in progress,
// not once it is finished. A flash whose state has passed is not shown,
// on the page or in the live fragment that replaces it. Flashes not listed
// hold in every state.
var flashStates = map[string][]practice.State{
	"booked":      {practice.Scheduled},
	"reconfirmed": {practice.Open},
	"daycheck":    {practice.Open, practice.InProgress},
	"stopped":     {practice.Stopped},
	"resumed":     {practice.InProgress},
	"closed":      {practice.Closed},
}

// sessionFlash is the flash for a session page in its current state.
func sessionFlash(l *i18n.Localizer, code, state string) string {
	if states, ok := flashStates[code]; ok && !slices.Contains(states, practice.State(state)) {
		return ""
	}
	return flashText(l, code)
}

// logItem is one line of a session's "What happened": a session event or a
// withdrawal of consent made while the session was under way.
type logItem struct {
	At   time.Time
	Text string
	// Withdrawal marks a withdrawal of consent (not a session event).
	Withdrawal bool
}

// sessionLog merges the session's events with the withdrawals of the
// client's agreements for the session's intent made between the session's
// opening and its end (or now), in time order.
func sessionLog(l *i18n.Localizer, s app.SessionView, evs []app.EventView, ags []app.AgreementView) []logItem {
	var out []logItem
	var from, until time.Time
	for _, e := range evs {
		out = append(out, logItem{At: e.At, Text: eventTextIn(l, e)})
		switch e.Type {
		case practice.EventOpen:
			if from.IsZero() {
				from = e.At
			}
		case practice.EventClose, practice.EventCancel:
			until = e.At
		}
	}
	if !from.IsZero() {
		for _, a := range ags {
			if a.Intent != s.Intent {
				continue
			}
			for _, rv := range a.Revocations {
				if rv.At.Before(from) || (!until.IsZero() && rv.At.After(until)) {
					continue
				}
				out = append(out, logItem{At: rv.At, Text: withdrawalTextIn(l, a, rv), Withdrawal: true})
			}
		}
	}
	slices.SortStableFunc(out, func(x, y logItem) int { return x.At.Compare(y.At) })
	return out
}

// boardGroup is one region group of the live board.
type boardGroup struct {
	Group string
	Label string
	Rows  []boardRow
}

// condense splits the board into what matters now, grouped by region
// group (regions where some technique is permitted or needs asking), and
// the regions where everything is denied, which the page folds away.
func (bv *boardView) condense(l *i18n.Localizer) {
	for _, r := range bv.Rows {
		if r.Outcome == string(consent.Deny) {
			bv.Closed = addToGroup(l, bv.Closed, r)
		} else {
			bv.Open = addToGroup(l, bv.Open, r)
		}
	}
	for _, g := range bv.Closed {
		bv.ClosedCount += len(g.Rows)
	}
	if len(bv.Rows) > 0 {
		bv.Cols = len(bv.Rows[0].Cells) + 2
	}
}

func addToGroup(l *i18n.Localizer, gs []boardGroup, r boardRow) []boardGroup {
	if n := len(gs); n > 0 && gs[n-1].Group == r.Group {
		gs[n-1].Rows = append(gs[n-1].Rows, r)
		return gs
	}
	return append(gs, boardGroup{Group: r.Group, Label: groupLabelIn(l, r.Group), Rows: []boardRow{r}})
}
