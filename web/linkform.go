package web

import (
	"context"
	"net/http"

	"holdspace"
)

// The two pages reached through a single-use link that choose a password
// (an invitation, a password reset) share their shape: the link is checked
// before the form is shown, the form comes without a signed-in session, and
// a link that no longer works is a 404 that says so.

// linkPage shows page for the link's token, or a 404 with check's reason.
func (h *handler) linkPage(w http.ResponseWriter, r *http.Request, titleID, page string, check func(context.Context, string) error) {
	v := h.anonView(w, r, "")
	v.Title = v.T(titleID)
	status := http.StatusOK
	if err := check(r.Context(), r.PathValue("token")); err != nil {
		status, v.Error = http.StatusNotFound, errText(v.L, err)
		v.Data = map[string]any{"Unusable": true}
	}
	h.render(w, status, page, v)
}

// linkPassword reads the new password posted to page and lets set use it.
// It answers every failure itself (an expired form, two passwords that
// differ, set's field errors, a link that no longer works, our fault) and
// reports whether set succeeded.
func (h *handler) linkPassword(w http.ResponseWriter, r *http.Request, titleID, page, what string, set func(password string) error) bool {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil || !h.preTokenOK(r) {
		noStore(w)
		http.Error(w, h.localizer(r, nil).T("shell.error.form_expired"), http.StatusForbidden)
		return false
	}
	pw := r.PostFormValue("password")
	v := h.anonView(w, r, "")
	v.Title = v.T(titleID)
	if pw != r.PostFormValue("password2") {
		h.renderForm(w, r, page, v, map[string]string{"password2": v.T("shell.password.mismatch")}, "")
		return false
	}
	err := set(pw)
	if err == nil {
		return true
	}
	if errs, ok := fieldErrors(err); ok {
		h.renderForm(w, r, page, v, errs, "")
		return false
	}
	if holdspace.ErrorCode(err) == holdspace.ENOTFOUND {
		v.Error, v.Data = errText(v.L, err), map[string]any{"Unusable": true}
		h.render(w, http.StatusNotFound, page, v)
		return false
	}
	h.log.Error("web: "+what, "err", err)
	v.Error = v.T("shell.error.internal")
	h.render(w, http.StatusInternalServerError, page, v)
	return false
}
