package app

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"holdspace"
	"holdspace/catalogue"
	"holdspace/practice"
	"holdspace/store"
)

// The tables a practice can export for its own analysis (ExportTable).
const (
	ExportClients  = "clients"
	ExportSessions = "sessions"
	ExportOutcomes = "outcomes"
)

// ExportKinds lists the tables ExportTable knows.
var ExportKinds = []string{ExportClients, ExportSessions, ExportOutcomes}

// Table is an export: a header row and rows of cells, ready for CSV
// (csvio.Write guards the cells against formula injection).
type Table struct {
	What   string
	Header []string
	Rows   [][]string
}

// ExportTable returns one of the practice's tables for its own analysis:
//
//   - clients: id, name, email, created, screening status (none, current,
//     stale) and why a screening is stale;
//   - sessions: id, client, practitioner, start, booked minutes, state, how
//     it ended (closed, auto-closed, cancelled by the client or the
//     practitioner) and whether a day check ended it (capacity, illness);
//   - outcomes: per session that is over, its stops, check-ins (and those
//     answered no), emotional release and adverse event (yes/no), the
//     follow-up (none, due, overdue, answered) with its triggers, and the
//     pain and tension scores recorded at the close.
//
// Admins only. The read is audited as one entry naming the table, the
// number of rows and the clients whose data it holds.
func (a *Records) ExportTable(ctx context.Context, ac Actor, what string) (Table, error) {
	t := Table{What: what}
	if !ac.is(holdspace.RoleAdmin) {
		return t, forbidden("Only an admin can export the practice's records.")
	}
	if !slices.Contains(ExportKinds, what) {
		return t, holdspace.Invalid("unknown_export", "what", "Export clients, sessions or outcomes.")
	}
	err := a.update(ctx, func(tx recordsTx) error {
		var clients []string
		var err error
		switch what {
		case ExportClients:
			clients, err = a.exportClients(ctx, tx, &t)
		case ExportSessions:
			clients, err = a.exportSessions(ctx, tx, &t)
		case ExportOutcomes:
			clients, err = a.exportOutcomes(ctx, tx, &t)
		}
		if err != nil {
			return err
		}
		clients = slices.Compact(slices.Sorted(slices.Values(clients)))
		return record(ctx, tx, ac, "export.csv", what, "", "what="+what+" rows="+strconv.Itoa(len(t.Rows))+" clients="+strings.Join(clients, ","))
	})
	if err != nil {
		return Table{What: what}, err
	}
	return t, nil
}

func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func (a *Records) exportClients(ctx context.Context, tx recordsTx, t *Table) ([]string, error) {
	t.Header = []string{"id", "name", "email", "created_at", "screening_status", "screening_stale_reason", "screening_valid_until"}
	cs, err := tx.ListClients(ctx, store.ClientFilter{})
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, c := range cs {
		u, err := tx.User(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		p, err := a.person(u)
		if err != nil {
			return nil, err
		}
		cur, err := a.currentScreening(ctx, tx, c.ID, tx.Now())
		if err != nil {
			return nil, err
		}
		status, valid := "none", ""
		if cur.Present {
			status, valid = "current", csvTime(cur.ValidUntil)
			if cur.Stale {
				status = "stale"
			}
		}
		t.Rows = append(t.Rows, []string{c.ID, p.Name, p.Email, csvTime(c.CreatedAt), status, cur.StaleReason, valid})
		ids = append(ids, c.ID)
	}
	return ids, nil
}

// sessionEvents opens a session's events (sealed parts only where the
// domain needs them: close notes, day checks).
func (a *Records) sessionEvents(ctx context.Context, tx recordsTx, s *store.Session) ([]practice.Event, error) {
	recs, err := tx.ListEvents(ctx, s.ID)
	if err != nil {
		return nil, err
	}
	evs := make([]practice.Event, 0, len(recs))
	for _, r := range recs {
		e, err := a.eventOf(r, false)
		if err != nil {
			return nil, err
		}
		evs = append(evs, e)
	}
	return evs, nil
}

// endedHow says how a session that is over ended: "closed" (by the
// practitioner), "auto-closed" (at its booked end plus grace),
// "cancelled-by-client" or "cancelled-by-practitioner"; "" while it is not
// over.
func endedHow(f practice.Facts, evs []practice.Event) string {
	switch f.State {
	case practice.Closed:
		if f.AutoClosed {
			return "auto-closed"
		}
		return "closed"
	case practice.Cancelled:
		for _, e := range slices.Backward(evs) {
			if e.Type == practice.EventCancel {
				return "cancelled-by-" + string(e.ActorRole)
			}
		}
		return "cancelled"
	}
	return ""
}

func foldAll(intent string, evs []practice.Event) practice.Facts {
	f := practice.NewFacts(catalogue.Intent(intent))
	for _, e := range evs {
		_ = f.Apply(e)
	}
	return f
}

func (a *Records) exportSessions(ctx context.Context, tx recordsTx, t *Table) ([]string, error) {
	t.Header = []string{"id", "client_id", "practitioner_id", "starts_at", "duration_minutes", "state", "ended", "ended_for"}
	ss, err := tx.ListSessions(ctx, store.SessionFilter{})
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, s := range ss {
		evs, err := a.sessionEvents(ctx, tx, s)
		if err != nil {
			return nil, err
		}
		f := foldAll(s.Intent, evs)
		t.Rows = append(t.Rows, []string{s.ID, s.ClientID, s.PractitionerID, csvTime(s.StartsAt),
			strconv.Itoa(int(bookedDuration(s) / time.Minute)), s.State, endedHow(f, evs), f.EndedFor()})
		ids = append(ids, s.ClientID)
	}
	return ids, nil
}

func (a *Records) exportOutcomes(ctx context.Context, tx recordsTx, t *Table) ([]string, error) {
	t.Header = []string{"session_id", "client_id", "practitioner_id", "starts_at", "state", "ended", "stops", "checkins", "checkins_declined",
		"emotional_release", "adverse_event", "follow_up", "follow_up_triggers", "pain_before", "pain_after", "tension_before", "tension_after"}
	ss, err := tx.ListSessions(ctx, store.SessionFilter{})
	if err != nil {
		return nil, err
	}
	fus, err := tx.ListFollowUps(ctx, store.FollowUpFilter{})
	if err != nil {
		return nil, err
	}
	bySession := map[string]*store.FollowUp{}
	for _, fu := range fus {
		bySession[fu.SessionID] = fu
	}
	var ids []string
	for _, s := range ss {
		if s.State != string(practice.Closed) && s.State != string(practice.Cancelled) {
			continue
		}
		evs, err := a.sessionEvents(ctx, tx, s)
		if err != nil {
			return nil, err
		}
		f := foldAll(s.Intent, evs)
		var checkins, declined int
		var release, adverse bool
		var scores []string
		for _, e := range evs {
			switch e.Type {
			case practice.EventCheckin:
				checkins++
				if e.Answer == "no" {
					declined++
				}
			case practice.EventEmotionalRelease:
				release = true
			case practice.EventAdverse:
				adverse = true
			case practice.EventClose:
				if e.Close != nil {
					c := e.Close
					scores = []string{strconv.Itoa(c.PainBefore), strconv.Itoa(c.PainAfter), strconv.Itoa(c.TensionBefore), strconv.Itoa(c.TensionAfter)}
				}
			}
		}
		if scores == nil {
			scores = []string{"", "", "", ""}
		}
		follow, triggers := "none", ""
		if fu := bySession[s.ID]; fu != nil {
			v := followUpView(fu, tx.Now())
			follow, triggers = v.Status, strings.Join(v.Triggers, " ")
		}
		row := []string{s.ID, s.ClientID, s.PractitionerID, csvTime(s.StartsAt), s.State, endedHow(f, evs),
			strconv.Itoa(f.Stops), strconv.Itoa(checkins), strconv.Itoa(declined), yesNo(release), yesNo(adverse), follow, triggers}
		t.Rows = append(t.Rows, append(row, scores...))
		ids = append(ids, s.ClientID)
	}
	return ids, nil
}
