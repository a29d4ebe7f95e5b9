package web

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/boombuler/barcode/qr"

	"holdspace"
	"holdspace/app"
	"holdspace/httpedge"
	"holdspace/i18n"
)

// deviceCookieName is the cookie that makes this browser a known device
// of the accounts that signed in on it (OWASP's device cookie): a lockout
// of an account does not hold it. It is not a session.
func (h *handler) deviceCookieName() string {
	if h.secure {
		return "__Host-holdspace-device"
	}
	return "holdspace-device"
}

func (h *handler) noticeCookieName() string { return h.cookieName() + "-notice" }

// afterSignIn sets the session, device and notice cookies of a fresh
// sign-in and sends the holder where they must go first.
func (h *handler) afterSignIn(w http.ResponseWriter, r *http.Request, s app.Session) {
	h.setSession(w, s.Token)
	if s.DeviceCookie != "" {
		http.SetCookie(w, &http.Cookie{Name: h.deviceCookieName(), Value: s.DeviceCookie, Path: "/", HttpOnly: true,
			Secure: h.secure, SameSite: http.SameSiteStrictMode, MaxAge: 400 * 24 * 3600})
	}
	if s.FailedAttempts > 0 {
		v := strconv.Itoa(s.FailedAttempts)
		if s.LockedOut {
			v += "-locked"
		}
		http.SetCookie(w, &http.Cookie{Name: h.noticeCookieName(), Value: v, Path: "/", HttpOnly: true, Secure: h.secure, SameSite: http.SameSiteLaxMode})
	}
	to := "/"
	switch {
	case s.MustChangePassword:
		to = "/account/password"
	case s.NeedsSecondFactor:
		to = "/account"
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// signInNotice returns the text telling the holder about failed attempts
// on their account, once (the cookie is cleared).
func (h *handler) signInNotice(w http.ResponseWriter, r *http.Request, l *i18n.Localizer) string {
	c, err := r.Cookie(h.noticeCookieName())
	if err != nil || c.Value == "" {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: h.noticeCookieName(), Value: "", Path: "/", HttpOnly: true, Secure: h.secure, SameSite: http.SameSiteLaxMode, MaxAge: -1})
	num, locked := strings.CutSuffix(c.Value, "-locked")
	n, err := strconv.Atoi(num)
	if err != nil || n <= 0 || n > 1_000_000 {
		return ""
	}
	l = localizerOr(l)
	msg := l.N("shell.login.failed_attempts", n)
	if locked {
		msg += " " + l.T("shell.login.failed_locked")
	}
	return msg + " " + l.T("shell.login.failed_advice")
}

// gate sends an account that must first choose its own password, or set
// up a required second factor, to the page that does it.
func (h *handler) gate(q *request) bool {
	p := q.r.URL.Path
	if p == "/logout" || strings.HasPrefix(p, "/static/") {
		return false
	}
	switch {
	case q.me.MustChangePassword && p != "/account/password":
		http.Redirect(q.w, q.r, "/account/password", http.StatusSeeOther)
		return true
	case !q.me.MustChangePassword && h.accounts.SecondFactorRequired(q.ac.Role) && !q.me.SecondFactor &&
		p != "/account" && !strings.HasPrefix(p, "/account/second-factor") && p != "/account/password":
		http.Redirect(q.w, q.r, "/account", http.StatusSeeOther)
		return true
	}
	return false
}

// qrSVG renders text as a QR code in inline SVG (no image request, no
// inline style: the CSP stays strict).
func qrSVG(text, label string) (template.HTML, error) {
	code, err := qr.Encode(text, qr.M, qr.Auto)
	if err != nil {
		return "", err
	}
	n := code.Bounds().Dx()
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox="-4 -4 %d %d" width="240" height="240" role="img" aria-label="%s"><rect x="-4" y="-4" width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n+8, n+8, template.HTMLEscapeString(label), n+8, n+8)
	for y := range n {
		for x := range n {
			if r, _, _, _ := code.At(x, y).RGBA(); r == 0 {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x, y)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return template.HTML(b.String()), nil
}

// showInvitation renders a fresh invitation once: the link and its QR
// code, to hand over in person.
func (h *handler) showInvitation(q *request, inv app.Invitation, who string) error {
	scheme := "http"
	if h.secure || q.r.TLS != nil {
		scheme = "https"
	}
	link := scheme + "://" + q.r.Host + inv.Path
	svg, err := qrSVG(link, q.l.T("shell.invitation.qr"))
	if err != nil {
		return err
	}
	v := q.view(q.l.T("shell.invitation.title"), map[string]any{"Link": link, "QR": svg, "ExpiresAt": inv.ExpiresAt, "Who": who, "UserID": inv.UserID})
	h.render(q.w, http.StatusOK, "invitation", v)
	return nil
}

// invite issues a new invitation for an account from a page (a client's
// file, the admin's practitioner list).
func (h *handler) invite(q *request) error {
	inv, err := h.accounts.Invite(q.r.Context(), q.ac, q.r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.showInvitation(q, inv, "")
}

// invitePage shows the form with which an invitee chooses their password.
func (h *handler) invitePage(w http.ResponseWriter, r *http.Request) {
	h.linkPage(w, r, "shell.invite.title", "invite", h.accounts.CheckInvitation)
}

func (h *handler) acceptInvite(w http.ResponseWriter, r *http.Request) {
	var s app.Session
	if !h.linkPassword(w, r, "shell.invite.title", "invite", "accept invitation", func(pw string) (err error) {
		s, err = h.accounts.AcceptInvitation(r.Context(), r.PathValue("token"), pw, httpedge.ClientAddr(r), r.UserAgent())
		return err
	}) {
		return
	}
	h.afterSignIn(w, r, s)
}

// accountPage shows the holder's own account: second factor, password,
// and their active sessions with "sign out elsewhere".
func (h *handler) accountPage(q *request) error {
	return h.renderAccount(q, nil, nil)
}

func (h *handler) renderAccount(q *request, extra map[string]any, errs map[string]string) error {
	ss, err := h.accounts.MySessions(q.r.Context(), q.ac, q.token)
	if err != nil {
		return err
	}
	data := map[string]any{"Sessions": ss, "Required": h.accounts.SecondFactorRequired(q.ac.Role), "PracticeZone": h.practiceZone(q), "Zones": commonZones}
	if data["Feed"], err = h.feedStatus(q); err != nil {
		return err
	}
	for k, v := range extra {
		data[k] = v
	}
	v := q.view(q.l.T("shell.account.title"), data)
	if v.Flash == "" && h.accounts.SecondFactorRequired(q.ac.Role) && !q.me.SecondFactor {
		v.Flash = q.l.T("shell.account.factor_asked")
	}
	h.renderForm(q.w, q.r, "account", v, errs, "")
	return nil
}

func (h *handler) signOutOthers(q *request) error {
	if err := h.accounts.SignOutElsewhere(q.r.Context(), q.ac, q.token); err != nil {
		return err
	}
	return redirect(q, "/account?done=signedout")
}

func (h *handler) passwordPage(q *request) error {
	v := q.view(q.l.T("shell.invite.title"), map[string]any{"First": q.me.MustChangePassword})
	h.render(q.w, http.StatusOK, "account_password", v)
	return nil
}

func (h *handler) changePassword(q *request) error {
	f := q.r.PostForm
	v := q.view(q.l.T("shell.invite.title"), map[string]any{"First": q.me.MustChangePassword})
	if f.Get("password") != f.Get("password2") {
		h.renderForm(q.w, q.r, "account_password", v, map[string]string{"password2": q.l.T("shell.password.mismatch")}, "")
		return nil
	}
	if err := h.accounts.ChangePassword(q.r.Context(), q.ac, f.Get("current_password"), f.Get("password"), q.token); err != nil {
		if errs, ok := fieldErrors(err); ok {
			h.renderForm(q.w, q.r, "account_password", v, errs, "")
			return nil
		}
		return err
	}
	return redirect(q, "/account?done=password")
}

func (h *handler) beginSecondFactor(q *request) error {
	st, err := h.accounts.BeginSecondFactor(q.r.Context(), q.ac)
	if err != nil {
		return err
	}
	svg, err := qrSVG(st.URL, q.l.T("shell.account.factor_qr"))
	if err != nil {
		return err
	}
	return h.renderAccount(q, map[string]any{"Enrol": st, "EnrolQR": svg}, nil)
}

func (h *handler) confirmSecondFactor(q *request) error {
	codes, err := h.accounts.ConfirmSecondFactor(q.r.Context(), q.ac, q.r.PostFormValue("otp"))
	if err != nil {
		if errs, ok := fieldErrors(err); ok {
			return h.renderAccount(q, map[string]any{"Retry": true}, errs)
		}
		return err
	}
	q.me.SecondFactor = true
	return h.renderAccount(q, map[string]any{"RecoveryCodes": codes}, nil)
}

func (h *handler) disableSecondFactor(q *request) error {
	err := h.accounts.DisableSecondFactor(q.r.Context(), q.ac, q.ac.UserID, q.r.PostFormValue("current_password"))
	if err != nil {
		if errs, ok := fieldErrors(err); ok {
			return h.renderAccount(q, nil, errs)
		}
		return err
	}
	return redirect(q, "/account?done=factoroff")
}

// adminSetDisabled disables or enables an account from the admin pages.
func (h *handler) adminSetDisabled(disabled bool) func(q *request) error {
	return func(q *request) error {
		if err := h.accounts.SetDisabled(q.r.Context(), q.ac, q.r.PathValue("id"), disabled); err != nil {
			return err
		}
		back := "/admin/practitioners"
		if strings.HasPrefix(q.r.PathValue("id"), "cli_") {
			back = "/admin/clients"
		}
		return redirect(q, back+"?done=saved")
	}
}

func (h *handler) adminRevokeCredential(q *request) error {
	id := q.r.PathValue("id")
	err := h.people.RevokeCredential(q.r.Context(), q.ac, id, q.r.PathValue("cid"), q.r.PostFormValue("reason"))
	if err != nil {
		if errs, ok := fieldErrors(err); ok {
			return h.renderPractitioners(q, id, errs)
		}
		var he *holdspace.Error
		if errors.As(err, &he) && he.Code == holdspace.ECONFLICT {
			return redirect(q, "/admin/practitioners?done=saved")
		}
		return err
	}
	return redirect(q, "/admin/practitioners?done=saved")
}
