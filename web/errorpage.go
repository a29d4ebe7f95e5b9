package web

import "net/http"

// signedInView is the view of a page served outside authed (the 404 page):
// when the request carries a live web session it names the holder and
// carries their navigation and CSRF token, like every other page. The
// session is only verified, not counted as use, and nothing fails when
// there is none: the page is then shown without navigation.
func (h *handler) signedInView(r *http.Request, title string) *view {
	v := &view{Title: title, Errors: map[string]string{}, L: h.localizer(r, nil), Path: r.URL.Path}
	c, err := r.Cookie(h.cookieName())
	if err != nil || c.Value == "" {
		return v
	}
	ac, err := h.accounts.Verify(r.Context(), c.Value, "web")
	if err != nil {
		return v
	}
	me, err := h.people.Me(r.Context(), ac)
	if err != nil {
		return v
	}
	v.Me, v.Role, v.CSRF = &me, string(ac.Role), csrfToken(c.Value)
	v.L = h.localizer(r, &me)
	return v
}
