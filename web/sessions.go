package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"holdspace"
	"holdspace/app"
	"holdspace/catalogue"
	"holdspace/consent"
	"holdspace/httpedge"
	"holdspace/practice"
)

// sessionData is what the session pages of both roles show.
type sessionData struct {
	Session      app.SessionView
	ClientName   string
	Practitioner string
	Events       []app.EventView
	Reconfirmed  *app.EventView
	// Refused is the client's (or practitioner's) stop before the session
	// began, not yet followed by a fresh re-confirmation.
	Refused      *app.EventView
	Chaperone    *practice.Chaperone
	Agreement    *agreementSummary
	Board        *boardView
	Aftercare    string
	Close        *practice.CloseNotes
	AdverseKinds []string
	// DayCheck is the fold of the session's day checks; DayBlock is
	// "capacity" or "illness" when it keeps the session from going ahead,
	// and EndedFor the same once the session is over.
	DayCheck practice.DayCheckRecord
	DayBlock string
	EndedFor string
	// Log is "What happened": the events and the withdrawals made during
	// the session. Flash is the page's message, shown only while the
	// session is in the state it describes (sessionFlash).
	Log   []logItem
	Flash string
}

func (d *sessionData) Live() bool {
	return practice.State(d.Session.State).IsLive()
}

// loadSession gathers a session, its events and the client's current
// agreement for the session's intent. The app decides visibility.
func (h *handler) loadSession(q *request, id string) (*sessionData, error) {
	ctx := q.r.Context()
	s, err := h.sessions.GetSession(ctx, q.ac, id)
	if err != nil {
		return nil, err
	}
	evs, err := h.sessions.ListEvents(ctx, q.ac, id)
	if err != nil {
		return nil, err
	}
	d := &sessionData{Session: s, Events: evs, AdverseKinds: practice.AdverseKinds()}
	facts := app.FoldEvents(s.Intent, evs)
	d.DayCheck, d.DayBlock, d.EndedFor = facts.DayCheck, facts.DayCheck.Block(), facts.EndedFor()
	begun := false
	for i := range evs {
		e := &evs[i]
		switch e.Type {
		case practice.EventBegin:
			begun = true
		case practice.EventStop:
			if !begun {
				d.Refused, d.Reconfirmed = e, nil
			}
		case practice.EventReconfirm:
			d.Refused = nil
			d.Reconfirmed = e
		case practice.EventChaperone:
			d.Chaperone = e.Chaperone
		case practice.EventClose:
			d.Close = e.Close
			if e.Close != nil {
				d.Aftercare = e.Close.Aftercare
			}
		}
	}
	ags, err := h.agreements.ListAgreements(ctx, q.ac, s.ClientID)
	if err != nil {
		return nil, err
	}
	d.Log = sessionLog(q.l, s, evs, ags)
	d.Flash = sessionFlash(q.l, q.r.URL.Query().Get("done"), s.State)
	for _, a := range ags {
		if a.Intent == s.Intent && a.Status == consent.StatusActive {
			sum := summarize(a)
			d.Agreement = &sum
		}
	}
	return d, nil
}

func (h *handler) sessionPage(q *request) error {
	return h.renderSession(q, nil)
}

func (h *handler) renderSession(q *request, errs map[string]string) error {
	id := q.r.PathValue("id")
	d, err := h.loadSession(q, id)
	if err != nil {
		return err
	}
	ctx := q.r.Context()
	page := "session_client"
	title := q.l.T("session.title_client")
	switch q.ac.Role {
	case holdspace.RoleClient:
		names, err := h.practitionerNames(q)
		if err != nil {
			return err
		}
		d.Practitioner = names[d.Session.PractitionerID]
	default:
		page, title = "session_console", q.l.T("session.title")
		cv, err := h.people.GetClient(ctx, q.ac, d.Session.ClientID)
		if err != nil {
			return err
		}
		d.ClientName = cv.Name
		if d.Live() {
			if d.Board, err = h.board(q, id); err != nil {
				return err
			}
		}
	}
	v := q.view(title, d)
	v.Flash = "" // shown in the live part, tied to the session's state
	v.Wide = q.ac.Role != holdspace.RoleClient
	h.renderForm(q.w, q.r, page, v, errs, oneNote(errs))
	return nil
}

// boardView is the live console's decision table.
type boardView struct {
	State   string
	At      time.Time
	Rows    []boardRow
	AskRows []boardRow
	Counts  map[string]int
	Stopped bool
	// Open are the regions with a technique permitted or to ask about,
	// by group; Closed the regions where everything is denied (see
	// condense).
	Open        []boardGroup
	Closed      []boardGroup
	ClosedCount int
	// Cols is the number of columns of the open regions' table.
	Cols int
}

type boardRow struct {
	Region  string
	Label   string
	Group   string
	Outcome string // the most permissive outcome over the techniques
	Cells   []boardCell
	Reasons []consent.Reason
}

type boardCell struct {
	Technique string
	Outcome   string
}

func (h *handler) board(q *request, id string) (*boardView, error) {
	b, err := h.decisions.SessionBoard(q.r.Context(), q.ac, id)
	if err != nil {
		return nil, err
	}
	bv := &boardView{State: b.Session.State, At: b.At, Counts: map[string]int{}, Stopped: practice.State(b.Session.State) == practice.Stopped}
	for _, r := range b.Rows {
		row := boardRow{Region: r.Region, Label: regionLabelIn(q.l, r.Region), Group: r.Group, Outcome: string(consent.Deny)}
		seen := map[string]bool{}
		for _, c := range r.Cells {
			o := string(c.Decision.Outcome)
			row.Cells = append(row.Cells, boardCell{Technique: c.Technique, Outcome: o})
			bv.Counts[o]++
			switch {
			case o == string(consent.Permit):
				row.Outcome = o
			case o == string(consent.Ask) && row.Outcome == string(consent.Deny):
				row.Outcome = o
			}
			for _, rs := range c.Decision.Reasons() {
				if !seen[rs.Code+rs.Message] {
					seen[rs.Code+rs.Message] = true
					row.Reasons = append(row.Reasons, rs)
				}
			}
		}
		bv.Rows = append(bv.Rows, row)
		if row.Outcome == string(consent.Ask) {
			bv.AskRows = append(bv.AskRows, row)
		}
	}
	bv.condense(q.l)
	return bv, nil
}

func (h *handler) boardFragment(q *request) error {
	id := q.r.PathValue("id")
	d, err := h.loadSession(q, id)
	if err != nil {
		return err
	}
	if d.Board, err = h.board(q, id); err != nil {
		return err
	}
	h.fragment(q.w, "session_console", "board", q.view("", d))
	return nil
}

func (h *handler) controlsFragment(q *request) error {
	d, err := h.loadSession(q, q.r.PathValue("id"))
	if err != nil {
		return err
	}
	names, err := h.practitionerNames(q)
	if err != nil {
		return err
	}
	d.Practitioner = names[d.Session.PractitionerID]
	h.fragment(q.w, "session_client", "controls", q.view("", d))
	return nil
}

// eventFlash names the message shown after an event.
var eventFlash = map[string]string{"stop": "stopped", "resume": "resumed", "reconfirm": "reconfirmed", "close": "closed", "day-check": "daycheck"}

// sessionEvent records one session event from a form. The STOP button's
// form also works through fetch (X-Holdspace-Fetch), answered with JSON.
func (h *handler) sessionEvent(q *request) error {
	id := q.r.PathValue("id")
	f := q.r.PostForm
	in := app.EventInput{Type: f.Get("type"), Region: f.Get("region"), Answer: f.Get("answer"), Text: f.Get("text"), Kind: f.Get("kind")}
	errs := map[string]string{}
	switch in.Type {
	case "chaperone":
		switch f.Get("chaperone") {
		case "accepted":
			in.Chaperone = &practice.Chaperone{Offered: true, Accepted: true, Name: f.Get("name")}
		case "declined":
			in.Chaperone = &practice.Chaperone{Offered: true}
		default:
			errs["chaperone"] = q.l.T("practitioner.error.chaperone")
		}
	case "day-check":
		in.Today = todayFromForm(q.l, f, errs)
	case "emotional-release":
		n, err := strconv.Atoi(f.Get("intensity"))
		if err != nil {
			errs["intensity"] = q.l.T("practitioner.error.intensity")
		} else {
			in.Intensity = &n
		}
	case "close":
		c := &practice.CloseNotes{Subjective: f.Get("subjective"), Objective: f.Get("objective"), Assessment: f.Get("assessment"),
			Plan: f.Get("plan"), Aftercare: f.Get("aftercare")}
		for _, p := range []struct {
			name string
			dst  *int
		}{{"pain_before", &c.PainBefore}, {"pain_after", &c.PainAfter}, {"tension_before", &c.TensionBefore}, {"tension_after", &c.TensionAfter}} {
			n, err := strconv.Atoi(strings.TrimSpace(f.Get(p.name)))
			if err != nil {
				errs["close."+p.name] = q.l.T("practitioner.error.score")
			}
			*p.dst = n
		}
		for _, line := range strings.Split(f.Get("referrals"), "\n") {
			if s := strings.TrimSpace(line); s != "" {
				c.Referrals = append(c.Referrals, s)
			}
		}
		in.Close = c
	}
	fetch := q.r.Header.Get("X-Holdspace-Fetch") != ""
	if len(errs) > 0 {
		if fetch {
			return h.fetchError(q, http.StatusBadRequest, errs)
		}
		return h.renderSession(q, errs)
	}
	res, err := h.sessions.AppendEvent(q.r.Context(), q.ac, id, in)
	if err != nil && in.Type == "stop" && holdspace.ErrorCode(err) == holdspace.ECONFLICT {
		// Pressing STOP on a session that is already stopped is not a
		// mistake: the answer is that it is stopped.
		if s, gerr := h.sessions.GetSession(q.r.Context(), q.ac, id); gerr == nil && practice.State(s.State) == practice.Stopped {
			res, err = app.AppendEventResult{State: s.State, Seq: s.Seq}, nil
		}
	}
	if err != nil {
		code := holdspace.ErrorCode(err)
		if code == holdspace.EINVALID || code == holdspace.ECONFLICT {
			field := holdspace.ErrorField(err)
			if field == "" {
				field = "_"
			}
			if fetch {
				return h.fetchError(q, http.StatusConflict, map[string]string{field: holdspace.ErrorMessage(err)})
			}
			return h.renderSession(q, map[string]string{field: holdspace.ErrorMessage(err)})
		}
		return err
	}
	if fetch {
		noStore(q.w)
		q.w.Header().Set("Content-Type", "application/json")
		return json.NewEncoder(q.w).Encode(res)
	}
	done := eventFlash[in.Type]
	if done == "" {
		done = "event"
	}
	return redirect(q, fmt.Sprintf("/sessions/%s?done=%s", id, done))
}

func (h *handler) fetchError(q *request, status int, errs map[string]string) error {
	noStore(q.w)
	q.w.Header().Set("Content-Type", "application/json")
	q.w.WriteHeader(status)
	return json.NewEncoder(q.w).Encode(map[string]any{"errors": errs})
}

// sessionStream is the live view's event stream (Server-Sent Events): one
// "state" event with the session's live state on open and on every change.
// It never carries health data: states, sequence numbers and event types.
// See streamStillAllowed for how it is re-checked and kept alive.
func (h *handler) sessionStream(q *request) error {
	ctx := q.r.Context()
	ch, err := h.sessions.Watch(ctx, q.ac, q.r.PathValue("id"))
	if err != nil {
		return err
	}
	state := ""
	noStore(q.w)
	httpedge.ServeEvents(q.w, q.r, httpedge.Stream{KeepAlive: h.keep, Retry: time.Second,
		Allowed: func() bool { return h.streamStillAllowed(q, state) }}, ch,
		func(st app.LiveState) (httpedge.Event, error) {
			state = st.State
			b, err := json.Marshal(st)
			return httpedge.Event{Name: "state", Data: b}, err
		})
	return nil
}

// streamStillAllowed re-checks an open stream on every keep-alive: the web
// session must still be live and the session still visible, or the stream
// ends. While the session is under way (open, in progress or stopped), the
// client's and the practitioner's open page counts as activity and keeps
// their web session from idling out, so that a STOP never turns into a
// sign-in page mid-treatment; any other view (an admin's, a finished
// session's) is checked without being kept alive.
func (h *handler) streamStillAllowed(q *request, state string) bool {
	ctx := q.r.Context()
	verify := h.accounts.Verify
	if q.ac.Role != holdspace.RoleAdmin && practice.State(state).IsLive() {
		verify = h.accounts.Authenticate
	}
	if _, err := verify(ctx, q.token, "web"); err != nil {
		return false
	}
	return h.sessions.SessionVisible(ctx, q.ac, q.r.PathValue("id")) == nil
}

// agreementPage shows one agreement with the client's other versions, or
// its PDF when the id ends in ".pdf".
func (h *handler) agreementPage(q *request) error {
	id := q.r.PathValue("id")
	if strings.HasSuffix(id, ".pdf") {
		return h.agreementPDF(q, strings.TrimSuffix(id, ".pdf"))
	}
	a, err := h.agreements.GetAgreement(q.r.Context(), q.ac, id)
	if err != nil {
		return err
	}
	all, err := h.agreements.ListAgreements(q.r.Context(), q.ac, a.ClientID)
	if err != nil {
		return err
	}
	var history []app.AgreementView
	for _, b := range all {
		if b.Intent == a.Intent {
			history = append(history, b)
		}
	}
	slices.SortFunc(history, func(x, y app.AgreementView) int { return y.Version - x.Version })
	sum := summarize(a)
	var states []mapRegion
	cv, err := h.people.GetClient(q.r.Context(), q.ac, a.ClientID)
	if err != nil {
		return err
	}
	answers := map[string]catalogue.Answer{}
	for _, g := range offeredGrants(a) {
		answers[g.Region+"/"+g.Technique] = g.Answer
	}
	withdrawn := map[string]bool{}
	for _, r := range sum.Withdrawn {
		withdrawn[r] = true
	}
	for _, r := range consentForm(cv.Anatomy, answers) {
		if withdrawn[r.Code] {
			r.Class, r.Text = "s-no", "Withdrawn"
		}
		states = append(states, r.mapRegion)
	}
	offer, err := h.practice.Offering(q.r.Context(), q.ac, a.ClientID)
	if err != nil {
		return err
	}
	v := q.view(fmt.Sprintf("Agreement, version %d", a.Version), map[string]any{
		"A": sum, "History": history, "Map": bodyMapSVG(states, false), "Client": cv, "IsClient": q.ac.Role == holdspace.RoleClient,
		"ID": a.ID, "Guardian": a.GuardianConsent, "Refused": a.Refused, "Minor": offer.Minor,
		"GuardianForm": q.ac.Role == holdspace.RolePractitioner && offer.Minor && !a.GuardianConsent && a.Intent == string(catalogue.Therapeutic),
	})
	if f := q.r.URL.Query().Get("guardian_error"); f != "" {
		v.Errors[f] = guardianErrors[f]
		v.Error = "The guardian's consent was not recorded; the note is beside the field."
	}
	h.render(q.w, http.StatusOK, "agreement", v)
	return nil
}
