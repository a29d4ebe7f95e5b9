package web

import (
	"errors"
	"net/http"
	"strings"

	"holdspace"
	"holdspace/app"
	"holdspace/httpedge"
)

// Pages of issue 14 items 3 and 4: "Forgot password?" and the reset link,
// a practitioner's calendar feed on their account page, and a client's
// session as a calendar file.
func (h *handler) mailRoutes() {
	m := h.mux
	cl, pr := holdspace.RoleClient, holdspace.RolePractitioner
	m.HandleFunc("GET /forgot", h.forgotPage)
	m.HandleFunc("POST /forgot", h.forgotPost)
	m.HandleFunc("GET /reset/{token}", h.resetPage)
	m.HandleFunc("POST /reset/{token}", h.resetPost)
	m.HandleFunc("POST /account/calendar-feed", h.authed(h.createFeed, pr))
	m.HandleFunc("POST /account/calendar-feed/revoke", h.authed(h.revokeFeed, pr))
	m.HandleFunc("GET /sessions/{id}/calendar.ics", h.authed(h.sessionICS, cl))
}

func (h *handler) forgotPage(w http.ResponseWriter, r *http.Request) {
	v := h.anonView(w, r, "")
	v.Title = v.T("shell.forgot.title")
	v.Data = map[string]any{"MailOff": !h.accounts.MailEnabled()}
	h.render(w, http.StatusOK, "forgot", v)
}

func (h *handler) forgotPost(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil || !h.preTokenOK(r) {
		noStore(w)
		http.Error(w, h.localizer(r, nil).T("shell.error.form_expired"), http.StatusForbidden)
		return
	}
	v := h.anonView(w, r, "")
	v.Title = v.T("shell.forgot.title")
	v.Form, v.Data = r.PostForm, map[string]any{"MailOff": !h.accounts.MailEnabled()}
	err := h.accounts.RequestPasswordReset(r.Context(), r.PostFormValue("email"), httpedge.ClientAddr(r))
	var rl *app.RateLimitedError
	switch {
	case err == nil:
		v.Data = map[string]any{"Sent": true}
		h.render(w, http.StatusOK, "forgot", v)
	case errors.As(err, &rl):
		v.Error = v.T("shell.forgot.rate_limited", "Wait", waitText(v.L, rl.RetryAfter))
		h.render(w, http.StatusTooManyRequests, "forgot", v)
	case holdspace.ErrorReason(err) == "mail_off":
		h.render(w, http.StatusServiceUnavailable, "forgot", v)
	default:
		if errs, ok := fieldErrors(err); ok {
			v.Errors = errs
			h.render(w, http.StatusBadRequest, "forgot", v)
			return
		}
		h.log.Error("web: password reset request", "err", err)
		v.Error = v.T("shell.error.internal")
		h.render(w, http.StatusInternalServerError, "forgot", v)
	}
}

func (h *handler) resetPage(w http.ResponseWriter, r *http.Request) {
	h.linkPage(w, r, "shell.reset.title", "reset", h.accounts.CheckPasswordReset)
}

func (h *handler) resetPost(w http.ResponseWriter, r *http.Request) {
	if !h.linkPassword(w, r, "shell.reset.title", "reset", "password reset", func(pw string) error {
		return h.accounts.ResetPassword(r.Context(), r.PathValue("token"), pw, httpedge.ClientAddr(r))
	}) {
		return
	}
	h.clearSession(w)
	http.Redirect(w, r, "/login?reset=1", http.StatusSeeOther)
}

// createFeed makes a new feed URL and shows it once on the account page.
func (h *handler) createFeed(q *request) error {
	f, err := h.calendars.CreateCalendarFeed(q.r.Context(), q.ac)
	if err != nil {
		return err
	}
	url := f.URL
	if !strings.Contains(url, "://") {
		scheme := "http"
		if q.r.TLS != nil || h.secure {
			scheme = "https"
		}
		url = scheme + "://" + q.r.Host + f.Path
	}
	return h.renderAccount(q, map[string]any{"FeedURL": url}, nil)
}

func (h *handler) revokeFeed(q *request) error {
	if err := h.calendars.RevokeCalendarFeed(q.r.Context(), q.ac); err != nil {
		return err
	}
	return redirect(q, "/account?done=feedoff")
}

func (h *handler) sessionICS(q *request) error {
	b, err := h.calendars.SessionICS(q.r.Context(), q.ac, q.r.PathValue("id"))
	if err != nil {
		return err
	}
	httpedge.WriteCalendar(q.w, "session.ics", b)
	return nil
}

// feedStatus is the calendar feed section's data for a practitioner.
func (h *handler) feedStatus(q *request) (any, error) {
	if q.ac.Role != holdspace.RolePractitioner {
		return nil, nil
	}
	return h.calendars.CalendarFeedStatus(q.r.Context(), q.ac)
}
