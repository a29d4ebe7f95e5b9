package httpapi

import (
	"net/http"
	"strings"

	"holdspace"
	"holdspace/app"
	"holdspace/httpedge"
)

// mailOperations document the routes of issue 14 items 3 and 4: password
// reset by email, a practitioner's calendar feed, and a session as a
// calendar file.
var mailOperations = []operation{
	{"POST /api/v1/auth/password-reset", "Email a password reset link (30 minutes, single use) to the account with this email, if any; the answer is the same either way", false,
		resetRequest{}, 202, []int{400, 429, 503}},
	{"POST /api/v1/auth/password-reset/confirm", "Set a new password with a reset link's token; signs the account out everywhere", false,
		resetConfirm{}, 204, []int{400, 404}},
	{"GET /api/v1/me/calendar-feed", "Whether the practitioner has a live calendar feed (its URL is shown only when made)", true, nil, 200, []int{403}},
	{"POST /api/v1/me/calendar-feed", "Make a new secret calendar feed URL (practitioner); an earlier one stops working", true, nil, 201, []int{403}},
	{"DELETE /api/v1/me/calendar-feed", "Revoke the practitioner's calendar feed URL", true, nil, 204, []int{403}},
	{"GET /api/v1/sessions/{id}/calendar.ics", "The session as a one-event iCalendar file (the session's client)", true, nil, 200, []int{403, 404}},
	{"GET /feeds/{file}", "A practitioner's calendar feed (iCalendar, RFC 5545) at its secret URL /feeds/TOKEN.ics; no sign-in", false, nil, 200, []int{404, 429}},
}

// resetRequest and resetConfirm are the bodies of the password reset.
type (
	resetRequest struct {
		Email string `json:"email"`
	}
	resetConfirm struct {
		Token    string `json:"token"`
		Password string `json:"password"`
	}
	resetAccepted struct {
		Status string `json:"status"`
	}
)

// mailContracts add operationIds, tags and response types.
var mailContracts = map[string]contract{
	"POST /api/v1/auth/password-reset":         {id: "requestPasswordReset", tag: "auth", resp: resetAccepted{}, required: []string{"email"}},
	"POST /api/v1/auth/password-reset/confirm": {id: "confirmPasswordReset", tag: "auth", required: []string{"token", "password"}},
	"GET /api/v1/me/calendar-feed":             {id: "getCalendarFeed", tag: "me", resp: app.CalendarFeed{}},
	"POST /api/v1/me/calendar-feed":            {id: "createCalendarFeed", tag: "me", resp: app.CalendarFeed{}, optionalBody: true},
	"DELETE /api/v1/me/calendar-feed":          {id: "revokeCalendarFeed", tag: "me"},
	"GET /api/v1/sessions/{id}/calendar.ics":   {id: "getSessionICS", tag: "sessions", media: "text/calendar"},
	"GET /feeds/{file}":                        {id: "getCalendarFeedICS", tag: "me", media: "text/calendar"},
}

func init() {
	operations = append(operations, mailOperations...)
	for k, c := range mailContracts {
		contracts[k] = c
	}
}

// registerMailRoutes registers the routes of mailOperations.
func (s *Server) registerMailRoutes() {
	s.handle("POST /api/v1/auth/password-reset", s.plain(accountsAPI{s.accounts}.requestReset))
	s.handle("POST /api/v1/auth/password-reset/confirm", s.plain(accountsAPI{s.accounts}.confirmReset))
	s.handle("GET /api/v1/me/calendar-feed", s.authed(calendarsAPI{s.calendars}.feedStatus))
	s.handle("POST /api/v1/me/calendar-feed", s.authed(calendarsAPI{s.calendars}.createFeed))
	s.handle("DELETE /api/v1/me/calendar-feed", s.authed(calendarsAPI{s.calendars}.revokeFeed))
	s.handle("GET /api/v1/sessions/{id}/calendar.ics", s.authed(calendarsAPI{s.calendars}.sessionICS))
	s.handle("GET /feeds/{file}", s.plain(calendarsAPI{s.calendars}.calendarFeed))
}

func (s accountsAPI) requestReset(w http.ResponseWriter, r *http.Request) error {
	var in resetRequest
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := s.accounts.RequestPasswordReset(r.Context(), in.Email, httpedge.ClientAddr(r)); err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, resetAccepted{Status: "If an account has this email, a link to reset its password is on its way."})
	return nil
}

func (s accountsAPI) confirmReset(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Token    string `json:"token"`
		Password string `json:"password"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := s.accounts.ResetPassword(r.Context(), in.Token, in.Password, httpedge.ClientAddr(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s calendarsAPI) feedStatus(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	v, err := s.calendars.CalendarFeedStatus(r.Context(), ac)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s calendarsAPI) createFeed(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	v, err := s.calendars.CreateCalendarFeed(r.Context(), ac)
	if err != nil {
		return err
	}
	if !strings.Contains(v.URL, "://") {
		// No base URL configured: the address the caller used.
		v.URL = requestBase(r) + v.Path
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

func (s calendarsAPI) revokeFeed(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	if err := s.calendars.RevokeCalendarFeed(r.Context(), ac); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s calendarsAPI) sessionICS(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	b, err := s.calendars.SessionICS(r.Context(), ac, r.PathValue("id"))
	if err != nil {
		return err
	}
	httpedge.WriteCalendar(w, "session.ics", b)
	return nil
}

func (s calendarsAPI) calendarFeed(w http.ResponseWriter, r *http.Request) error {
	tok, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
	if !ok {
		return holdspace.NotFound("calendar feed")
	}
	b, err := s.calendars.CalendarFeedICS(r.Context(), tok)
	if err != nil {
		return err
	}
	httpedge.WriteCalendar(w, "", b)
	return nil
}

// requestBase is the scheme and host the caller used.
func requestBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
