package web

import (
	"errors"
	"net/http"
	"time"

	"holdspace"
	"holdspace/app"
	"holdspace/catalogue"
	"holdspace/httpedge"
	"holdspace/screening"
)

// routes is the table of contents of the pages.
func (h *handler) routes() {
	m := h.mux
	cl, pr, ad := holdspace.RoleClient, holdspace.RolePractitioner, holdspace.RoleAdmin

	m.HandleFunc("GET /static/", h.serveStatic)
	m.HandleFunc("GET /favicon.ico", h.favicon)
	m.HandleFunc("GET /login", h.loginPage)
	m.HandleFunc("POST /language", h.setLanguage)
	m.HandleFunc("GET /privacy", h.privacyPage)
	m.HandleFunc("POST /login", h.login)
	m.HandleFunc("POST /logout", h.authed(h.logout))
	m.HandleFunc("GET /{$}", h.authed(h.home))

	// One's own account (every role), and invitations (no session).
	m.HandleFunc("GET /account", h.authed(h.accountPage))
	m.HandleFunc("GET /account/password", h.authed(h.passwordPage))
	m.HandleFunc("POST /account/password", h.authed(h.changePassword))
	m.HandleFunc("POST /account/sessions/sign-out-others", h.authed(h.signOutOthers))
	m.HandleFunc("POST /account/time-zone", h.authed(h.setTimeZone))
	m.HandleFunc("POST /account/second-factor", h.authed(h.beginSecondFactor))
	m.HandleFunc("POST /account/second-factor/confirm", h.authed(h.confirmSecondFactor))
	m.HandleFunc("POST /account/second-factor/disable", h.authed(h.disableSecondFactor))
	m.HandleFunc("GET /invite/{token}", h.invitePage)
	m.HandleFunc("POST /invite/{token}", h.acceptInvite)

	// Client portal.
	m.HandleFunc("GET /me", h.authed(h.clientHome, cl))
	m.HandleFunc("GET /intake", h.authed(h.intakePage, cl))
	m.HandleFunc("POST /intake", h.authed(h.intakePost, cl))
	m.HandleFunc("GET /screening", h.authed(h.screeningPage, cl))
	m.HandleFunc("POST /health-change", h.authed(h.healthChange, cl))
	m.HandleFunc("GET /consent", h.authed(h.consentPage, cl))
	m.HandleFunc("POST /consent/review", h.authed(h.consentReview, cl))
	m.HandleFunc("POST /consent/sign", h.authed(h.consentSign, cl))
	m.HandleFunc("GET /agreements", h.authed(h.myAgreements, cl))
	m.HandleFunc("GET /export", h.authed(h.export, cl))
	m.HandleFunc("POST /stop", h.authed(h.stopAll, cl))
	m.HandleFunc("POST /consent/seen", h.authed(h.consentSeen, cl))
	m.HandleFunc("POST /screening/{id}/confirm", h.authed(h.confirmScreening, cl))

	// Shared by the client and the practitioner (the app decides who may).
	m.HandleFunc("GET /agreements/{id}", h.authed(h.agreementPage))
	m.HandleFunc("POST /agreements/{id}/revoke", h.authed(h.revoke, cl, pr))
	m.HandleFunc("GET /sessions/{id}", h.authed(h.sessionPage))
	m.HandleFunc("POST /sessions/{id}/event", h.authed(h.sessionEvent, cl, pr))
	m.HandleFunc("GET /sessions/{id}/events", h.authed(h.sessionStream))
	m.HandleFunc("GET /sessions/{id}/board", h.authed(h.boardFragment, pr, ad))
	m.HandleFunc("GET /sessions/{id}/controls", h.authed(h.controlsFragment, cl))

	// Practitioner console.
	m.HandleFunc("GET /console", h.authed(h.console, pr))
	m.HandleFunc("GET /clients", h.authed(h.clientList, pr, ad))
	m.HandleFunc("GET /clients/new", h.authed(h.newClientPage, pr, ad))
	m.HandleFunc("POST /clients", h.authed(h.createClient, pr, ad))
	m.HandleFunc("GET /clients/{id}", h.authed(h.clientFile, pr, ad))
	m.HandleFunc("POST /clients/{id}/sessions", h.authed(h.bookSession, pr, ad))
	m.HandleFunc("POST /clients/{id}/invite", h.authed(h.invite, pr, ad))

	// Admin.
	m.HandleFunc("GET /admin", h.authed(h.adminHome, ad))
	m.HandleFunc("GET /admin/practitioners", h.authed(h.adminPractitioners, ad))
	m.HandleFunc("POST /admin/practitioners", h.authed(h.adminCreatePractitioner, ad))
	m.HandleFunc("POST /admin/practitioners/{id}/credentials", h.authed(h.adminAddCredential, ad))
	m.HandleFunc("GET /admin/clients", h.authed(h.adminClients, ad))
	m.HandleFunc("POST /admin/clients/{id}/assign", h.authed(h.adminAssign, ad))
	m.HandleFunc("GET /admin/audit", h.authed(h.adminAudit, ad))
	m.HandleFunc("GET /admin/export/{file}", h.authed(h.adminExportCSV, ad))
	m.HandleFunc("GET /admin/practice", h.authed(h.adminPractice, ad))
	m.HandleFunc("POST /admin/practice", h.authed(h.adminPracticePost, ad))
	m.HandleFunc("POST /admin/follow-ups/{id}/acknowledge", h.authed(h.adminAcknowledge, ad))
	m.HandleFunc("POST /agreements/{id}/guardian", h.authed(h.guardianPost, pr))
	m.HandleFunc("POST /follow-ups/{id}/answer", h.authed(h.followUpAnswer, cl))
	m.HandleFunc("POST /admin/users/{id}/invite", h.authed(h.invite, ad))
	m.HandleFunc("POST /admin/users/{id}/disable", h.authed(h.adminSetDisabled(true), ad))
	m.HandleFunc("POST /admin/users/{id}/enable", h.authed(h.adminSetDisabled(false), ad))
	m.HandleFunc("POST /admin/practitioners/{id}/credentials/{cid}/revoke", h.authed(h.adminRevokeCredential, ad))

	h.registerBookingRoutes()
	h.mailRoutes()

	m.HandleFunc("/", h.notFound)
}

func (h *handler) home(q *request) error {
	switch q.ac.Role {
	case holdspace.RoleClient:
		return redirect(q, "/me")
	case holdspace.RolePractitioner:
		return redirect(q, "/console")
	}
	return redirect(q, "/admin")
}

// loginPage shows the sign-in form.
func (h *handler) loginPage(w http.ResponseWriter, r *http.Request) {
	v := h.anonView(w, r, "")
	v.Title = v.T("shell.login.title")
	switch {
	case r.URL.Query().Has("expired"):
		v.Flash = v.T("shell.login.expired")
	case r.URL.Query().Has("out"):
		v.Flash = v.T("shell.login.signed_out")
	case r.URL.Query().Has("reset"):
		v.Flash = v.T("shell.login.reset_done")
	}
	h.render(w, http.StatusOK, "login", v)
}

func (h *handler) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil || !h.preTokenOK(r) {
		noStore(w)
		http.Error(w, h.localizer(r, nil).T("shell.login.form_expired"), http.StatusForbidden)
		return
	}
	email := r.PostFormValue("email")
	device := ""
	if c, err := r.Cookie(h.deviceCookieName()); err == nil {
		device = c.Value
	}
	s, err := h.accounts.SignIn(r.Context(), app.SignInInput{Email: email, Password: r.PostFormValue("password"), OTP: r.PostFormValue("otp"),
		Address: httpedge.ClientAddr(r), Kind: "web", DeviceCookie: device, UserAgent: r.UserAgent()})
	if err != nil {
		v := h.anonView(w, r, "")
		v.Title, v.Form = v.T("shell.login.title"), r.PostForm
		status := http.StatusUnauthorized
		var rl *app.RateLimitedError
		switch {
		case errors.As(err, &rl):
			status = http.StatusTooManyRequests
			v.Error = v.T("shell.login.rate_limited", "Wait", waitText(v.L, rl.RetryAfter))
		case holdspace.ErrorReason(err) == "otp_required":
			v.Error = v.T("shell.login.otp_required")
			v.Data = map[string]any{"AskOTP": true}
		case holdspace.ErrorReason(err) == "invalid_otp":
			v.Error = v.T("shell.login.otp_wrong")
			v.Data = map[string]any{"AskOTP": true}
		case holdspace.ErrorReason(err) == "account_disabled":
			v.Error = v.T("shell.login.disabled")
		case holdspace.ErrorCode(err) == holdspace.EUNAUTHORIZED:
			v.Error = v.T("shell.login.wrong")
		default:
			h.log.Error("web: login", "err", err)
			status = http.StatusInternalServerError
			v.Error = v.T("shell.error.internal")
		}
		h.render(w, status, "login", v)
		return
	}
	h.afterSignIn(w, r, s)
}

func (h *handler) logout(q *request) error {
	if err := h.accounts.Logout(q.r.Context(), q.ac, q.token); err != nil {
		return err
	}
	h.clearSession(q.w)
	return redirect(q, "/login?out=1")
}

// Template helpers.

func answerText(a catalogue.Answer) string {
	switch a {
	case catalogue.Yes:
		return "Yes"
	case catalogue.Ask:
		return "Ask me first"
	}
	return "No"
}

func severityText(s screening.Severity) string {
	switch s {
	case screening.Precaution:
		return "Fine, with care"
	case screening.Referral:
		return "Needs a doctor's OK first"
	case screening.Contraindicated:
		return "Not for now"
	}
	return "Clear"
}

func fmtTime(t any) string {
	switch v := t.(type) {
	case time.Time:
		if v.IsZero() {
			return ""
		}
		return v.UTC().Format("Mon 2 Jan 2006, 15:04 UTC")
	case *time.Time:
		if v == nil {
			return ""
		}
		return fmtTime(*v)
	}
	return ""
}

func fmtDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2 Jan 2006")
}

func regionLabel(code string) string {
	if r, ok := catalogue.LookupRegion(code); ok {
		return r.Label
	}
	return code
}

func techLabel(code string) string {
	for _, t := range catalogue.Techniques() {
		if t.Code == code {
			return t.Label
		}
	}
	return code
}
