package web

import (
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"holdspace"
	"holdspace/app"
	"holdspace/catalogue"
)

// console is the practitioner's start page: today's sessions, then the
// upcoming ones. It reads only what it shows: the sessions of the coming
// days, the live ones begun before today, and the names of those sessions'
// clients (not every assigned client's).
func (h *handler) console(q *request) error {
	ctx := q.r.Context()
	day, tomorrow, horizon := today(q, h.sessions.Now(), 30)
	ss, err := h.sessions.ListSessions(ctx, q.ac, "", day, horizon)
	if err != nil {
		return err
	}
	var today, later []app.SessionView
	for _, s := range ss {
		if s.StartsAt.Before(tomorrow) {
			today = append(today, s)
		} else {
			later = append(later, s)
		}
	}
	// Sessions already running stay on top whatever their booked time. A
	// client has at most one live session, so one page holds them all
	// for any practice a practitioner can see to.
	live, err := h.sessions.PageSessions(ctx, q.ac, app.SessionQuery{To: day, Live: true, PageInput: app.PageInput{Limit: app.MaxPageSize}})
	if err != nil {
		return err
	}
	today = append(today, live.Sessions...)
	byTime := func(a, b app.SessionView) int { return a.StartsAt.Compare(b.StartsAt) }
	slices.SortFunc(today, byTime)
	slices.SortFunc(later, byTime)
	names, err := h.sessionClientNames(q, today, later)
	if err != nil {
		return err
	}
	fups, err := h.followUps.ListFollowUps(ctx, q.ac, true)
	if err != nil {
		return err
	}
	intake, err := h.bookings.IntakeRequests(ctx, q.ac, day, day.AddDate(0, 0, 14))
	if err != nil {
		return err
	}
	v := q.view(q.l.T("practitioner.console.title"), map[string]any{"Today": today, "Later": later, "Names": names, "FollowUps": fups, "Intake": intake})
	v.Wide = true
	h.render(q.w, http.StatusOK, "console", v)
	return nil
}

// sessionClientNames opens the names of the clients of the sessions
// shown, and only those, a page of ids at a time.
func (h *handler) sessionClientNames(q *request, lists ...[]app.SessionView) (map[string]string, error) {
	var ids []string
	for _, l := range lists {
		for _, s := range l {
			ids = append(ids, s.ClientID)
		}
	}
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	out := map[string]string{}
	for chunk := range slices.Chunk(ids, app.MaxPageSize) {
		names, err := h.people.ClientNames(q.r.Context(), q.ac, chunk)
		if err != nil {
			return nil, err
		}
		maps.Copy(out, names)
	}
	return out, nil
}

func (h *handler) clientList(q *request) error {
	pg, err := h.clientPage(q)
	if err != nil {
		return err
	}
	v := q.view(q.l.T("practitioner.nav.clients"), map[string]any{"Clients": pg.Clients, "Pager": pagerFor(q, "/clients", q.l.T("pager.clients"), pg.Next)})
	v.Wide = true
	h.render(q.w, http.StatusOK, "clients", v)
	return nil
}

func (h *handler) newClientPage(q *request) error {
	return h.renderNewClient(q, nil)
}

func (h *handler) renderNewClient(q *request, errs map[string]string) error {
	ps, err := h.people.ListPractitioners(q.r.Context(), q.ac)
	if err != nil {
		return err
	}
	v := q.view("Add a client", map[string]any{"Practitioners": ps})
	h.renderForm(q.w, q.r, "client_new", v, errs, "Something needs another look; the note is beside the field.")
	return nil
}

func (h *handler) createClient(q *request) error {
	f := q.r.PostForm
	in := app.ClientInput{Name: f.Get("name"), Email: f.Get("email"), Password: f.Get("password"), BirthDate: f.Get("birth_date"),
		Anatomy:         catalogue.Anatomy{Prostate: f.Get("prostate") == "on", Vagina: f.Get("vagina") == "on", Breasts: f.Get("breasts") == "on"},
		PractitionerIDs: f["practitioner_ids"], Notes: f.Get("notes")}
	id, err := h.people.CreateClient(q.r.Context(), q.ac, in)
	if err != nil {
		if errs, ok := fieldErrors(err); ok {
			return h.renderNewClient(q, errs)
		}
		return err
	}
	if in.Password != "" {
		return redirect(q, "/clients/"+id+"?done=created")
	}
	// The client chooses their own password through a single-use link,
	// shown once here.
	inv, err := h.accounts.Invite(q.r.Context(), q.ac, id)
	if err != nil {
		return err
	}
	return h.showInvitation(q, inv, in.Name)
}

// clientFile is a client's file for their practitioner: profile, screening
// on the body map with reasons and sources, agreements and their history,
// sessions, and the pain and tension chart.
func (h *handler) clientFile(q *request) error {
	return h.renderClientFile(q, nil)
}

func (h *handler) renderClientFile(q *request, errs map[string]string) error {
	ctx := q.r.Context()
	id := q.r.PathValue("id")
	file, err := h.records.ClientFile(ctx, q.ac, id)
	if err != nil {
		return err
	}
	cv := file.Client
	var scr *app.ScreeningView
	cur, err := h.screenings.CurrentScreeningOf(ctx, q.ac, id)
	if err != nil {
		return err
	}
	if cur.Present {
		sv, _, err := h.screenings.LatestScreening(ctx, q.ac, id)
		if err != nil && holdspace.ErrorCode(err) != holdspace.ENOTFOUND {
			return err
		}
		if err == nil {
			scr = &sv
		}
	}
	states, rows := screeningMap(cur, cv.Anatomy)
	ags := file.Agreements
	slices.SortFunc(ags, func(a, b app.AgreementView) int { return b.CreatedAt.Compare(a.CreatedAt) })
	ss := file.Sessions
	slices.SortFunc(ss, func(a, b app.SessionView) int { return b.StartsAt.Compare(a.StartsAt) })
	scores, err := h.sessions.ClientOutcomes(ctx, q.ac, id)
	if err != nil {
		return err
	}
	assigned := file.Assigned
	fups, err := h.followUps.ClientFollowUps(ctx, q.ac, id)
	if err != nil {
		return err
	}
	offer, err := h.practice.Offering(ctx, q.ac, id)
	if err != nil {
		return err
	}
	var intents []catalogue.Intent
	for _, in := range catalogue.Intents() {
		if in != catalogue.Sensual || offer.Sensual {
			intents = append(intents, in)
		}
	}
	v := q.view(cv.Name, map[string]any{
		"FollowUps": fups, "Minor": offer.Minor,
		"Client": cv, "Screening": scr, "Current": cur, "Findings": findingsFor(cur.Findings, cv.Anatomy), "Map": bodyMapSVG(states, false), "Rows": rows,
		"Agreements": ags, "Sessions": ss, "Chart": painChart(scores, q.zone()), "Scores": scores, "Assigned": assigned,
		"Intents": intents, "DefaultStart": startValue(q, h.sessions.Now()), "StartChoices": startChoices(q),
	})
	v.Wide = true
	h.renderForm(q.w, q.r, "client_file", v, errs, q.l.T("practitioner.error.not_booked"))
	return nil
}

// bookSession books a session from the client file. The time is entered
// in the viewer's zone (the form says which); one the clocks skip is
// refused, one that happens twice asks which (see localStart).
func (h *handler) bookSession(q *request) error {
	f := q.r.PostForm
	at, _, err := localStart(q, "starts_at")
	if err != nil {
		if errs, ok := fieldErrors(err); ok {
			return h.renderClientFile(q, errs)
		}
		return err
	}
	in := app.SessionInput{ClientID: q.r.PathValue("id"), PractitionerID: f.Get("practitioner_id"), Intent: f.Get("intent"), StartsAt: at.Format(time.RFC3339)}
	if d := strings.TrimSpace(f.Get("duration_minutes")); d != "" {
		m, err := strconv.Atoi(d)
		if err != nil {
			return h.renderClientFile(q, map[string]string{"duration_minutes": q.l.T("practitioner.error.length")})
		}
		in.DurationMinutes = &m
	}
	s, err := h.sessions.CreateSession(q.r.Context(), q.ac, in)
	if err != nil {
		if errs, ok := fieldErrors(err); ok {
			return h.renderClientFile(q, errs)
		}
		return err
	}
	return redirect(q, "/sessions/"+s.ID+"?done=booked")
}

// painChart draws pain and tension before and after each closed session as
// an SVG line chart. Lines differ by dash pattern and point shape as well as
// colour, and a table beside it gives the numbers.
func painChart(scores []app.OutcomeScores, loc *time.Location) template.HTML {
	if len(scores) == 0 {
		return ""
	}
	const w, hgt, left, top, right, bottom = 560.0, 240.0, 36.0, 12.0, 12.0, 36.0
	pw, ph := w-left-right, hgt-top-bottom
	x := func(i int) float64 {
		if len(scores) == 1 {
			return left + pw/2
		}
		return left + pw*float64(i)/float64(len(scores)-1)
	}
	y := func(v int) float64 { return top + ph*(1-float64(v)/10) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %g %g" role="img" aria-labelledby="chart-title"><title id="chart-title">Pain and tension after each session, 0 to 10; the numbers are in the table below</title>`, w, hgt)
	for v := 0; v <= 10; v += 2 {
		fmt.Fprintf(&b, `<line class="grid" x1="%g" x2="%g" y1="%g" y2="%g"/><text class="axis" x="%g" y="%g" text-anchor="end">%d</text>`,
			left, w-right, y(v), y(v), left-6, y(v)+4, v)
	}
	series := []struct {
		class string
		val   func(s app.OutcomeScores) int
	}{
		{"pain-after", func(s app.OutcomeScores) int { return s.PainAfter }},
		{"tension-after", func(s app.OutcomeScores) int { return s.TensionAfter }},
		{"pain-before", func(s app.OutcomeScores) int { return s.PainBefore }},
	}
	for _, se := range series {
		var pts []string
		for i, s := range scores {
			pts = append(pts, fmt.Sprintf("%g,%g", x(i), y(se.val(s))))
		}
		fmt.Fprintf(&b, `<polyline class="line %s" points="%s"/>`, se.class, strings.Join(pts, " "))
		for i, s := range scores {
			if se.class == "tension-after" {
				fmt.Fprintf(&b, `<rect class="pt %s" x="%g" y="%g" width="8" height="8"/>`, se.class, x(i)-4, y(se.val(s))-4)
			} else {
				fmt.Fprintf(&b, `<circle class="pt %s" cx="%g" cy="%g" r="4"/>`, se.class, x(i), y(se.val(s)))
			}
		}
	}
	for i, s := range scores {
		fmt.Fprintf(&b, `<text class="axis" x="%g" y="%g" text-anchor="middle">%s</text>`, x(i), hgt-14, s.StartsAt.In(loc).Format("2 Jan"))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
