package web

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"holdspace/app"
	"holdspace/catalogue"
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
func sessionLog(s app.SessionView, evs []app.EventView, ags []app.AgreementView) []logItem {
	var out []logItem
	var from, until time.Time
	for _, e := range evs {
		out = append(out, logItem{At: e.At, Text: eventText(e)})
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
				out = append(out, logItem{At: rv.At, Text: withdrawalText(a, rv), Withdrawal: true})
			}
		}
	}
	slices.SortStableFunc(out, func(x, y logItem) int { return x.At.Compare(y.At) })
	return out
}

func withdrawalText(a app.AgreementView, rv consent.Revocation) string {
	who := "the client"
	if rv.ByRole != "client" {
		who = "the " + rv.ByRole
	}
	if len(rv.Regions) == 0 {
		return fmt.Sprintf("Consent withdrawn for everything (agreement version %d), by %s", a.Version, who)
	}
	labels := make([]string, len(rv.Regions))
	for i, r := range rv.Regions {
		labels[i] = regionLabel(r)
	}
	return fmt.Sprintf("Consent withdrawn for %s (agreement version %d), by %s", strings.Join(labels, ", "), a.Version, who)
}

// boardGroup is one region group of the live board.
type boardGroup struct {
	Group string
	Label string
	Rows  []boardRow
}

// groupLabel names a region group as the pages show it.
func groupLabel(g string) string {
	switch catalogue.Group(g) {
	case catalogue.General:
		return "General areas"
	case catalogue.Sensitive:
		return "Sensitive areas"
	case catalogue.Intimate:
		return "Intimate areas (outside)"
	case catalogue.Internal:
		return "Internal work"
	}
	return g
}

// condense splits the board into what matters now, grouped by region
// group (regions where some technique is permitted or needs asking), and
// the regions where everything is denied, which the page folds away.
func (bv *boardView) condense() {
	for _, r := range bv.Rows {
		if r.Outcome == string(consent.Deny) {
			bv.Closed = addToGroup(bv.Closed, r)
		} else {
			bv.Open = addToGroup(bv.Open, r)
		}
	}
	for _, g := range bv.Closed {
		bv.ClosedCount += len(g.Rows)
	}
	if len(bv.Rows) > 0 {
		bv.Cols = len(bv.Rows[0].Cells) + 2
	}
}

func addToGroup(gs []boardGroup, r boardRow) []boardGroup {
	if n := len(gs); n > 0 && gs[n-1].Group == r.Group {
		gs[n-1].Rows = append(gs[n-1].Rows, r)
		return gs
	}
	return append(gs, boardGroup{Group: r.Group, Label: groupLabel(r.Group), Rows: []boardRow{r}})
}
