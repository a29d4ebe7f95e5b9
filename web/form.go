package web

import (
	"maps"
	"net/http"
	"slices"
)

// renderForm renders a form page, shown first or again after a
// submission. Without errs it answers 200. With errs it answers 400 and
// shows each message beside its field (view.Errors), summary above the
// form (view.Error) when summary is not "", and what the user sent
// (view.Form) to fill the fields in again.
func (h *handler) renderForm(w http.ResponseWriter, r *http.Request, page string, v *view, errs map[string]string, summary string) {
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusBadRequest
		v.Errors, v.Form = errs, r.PostForm
		if summary != "" {
			v.Error = summary
		}
	}
	h.render(w, status, page, v)
}

// oneNote returns one of the field messages in errs (that of the first
// field by name), for forms that repeat it above the form; "" when there
// is none.
func oneNote(errs map[string]string) string {
	if len(errs) == 0 {
		return ""
	}
	return errs[slices.Min(slices.Collect(maps.Keys(errs)))]
}
