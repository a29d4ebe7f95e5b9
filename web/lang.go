package web

import (
	"html/template"
	"net/http"
	"strings"
	"time"

	"holdspace"
	"holdspace/app"
	"holdspace/i18n"
)

// Languages (issue 17). A page is written in the reader's own choice of
// language (their account's, or for a visitor not signed in the switcher's
// cookie), else the best their browser's Accept-Language names, else the
// practice's default. Each shipped language has its own parsed template
// set whose "t" and date functions speak it, so a template only names
// messages: {{t "language.label"}}.

// langCookie is the cookie the switcher sets for visitors (and signed-in
// people too, so the sign-in page after signing out stays in their
// language).
func (h *handler) langCookie() string { return h.cookieName() + "-lang" }

// localizer chooses the language of a page for r; me is the signed-in
// person, nil for a visitor.
func (h *handler) localizer(r *http.Request, me *app.Person) *i18n.Localizer {
	cookie := ""
	if c, err := r.Cookie(h.langCookie()); err == nil {
		cookie = c.Value
	}
	if h.pseudo && cookie == i18n.Pseudo && (me == nil || me.Language == "") {
		return h.bundle.Localizer(i18n.Pseudo)
	}
	own := ""
	if me != nil {
		own = me.Language
	}
	if l, ok := h.bundle.Lookup(own, cookie, r.Header.Get("Accept-Language")); ok {
		return h.bundle.Localizer(l)
	}
	def, err := h.practice.PracticeLanguage(r.Context())
	if err != nil {
		h.log.Error("web: practice language", "err", err)
		def = i18n.Source
	}
	return h.bundle.Localizer(def)
}

// anonView is the view of a page shown without a signed-in session (sign
// in, forgotten password, links from emails): its form carries the
// pre-session CSRF token.
func (h *handler) anonView(w http.ResponseWriter, r *http.Request, title string) *view {
	return &view{Title: title, CSRF: h.preToken(w, r), Errors: map[string]string{}, L: h.localizer(r, nil), Path: r.URL.Path}
}

// languageOption is one entry of the language switcher.
type languageOption struct {
	Tag, Name string
	Current   bool
}

// Languages lists the switcher's choices, each named in its own language.
func (v *view) Languages() []languageOption {
	cur := v.Lang()
	b := i18n.Default()
	var out []languageOption
	for _, l := range b.Languages() {
		out = append(out, languageOption{Tag: l, Name: b.Localizer(l).T("language." + l), Current: l == cur})
	}
	return out
}

// Lang is the page's language tag, for <html lang>.
func (v *view) Lang() string {
	if v.L == nil {
		return i18n.Source
	}
	return v.L.Lang()
}

// Dir is the page's writing direction, for <html dir>.
func (v *view) Dir() string {
	if v.L == nil {
		return "ltr"
	}
	return v.L.Dir()
}

// T is the page's message id in its language (for Go code that builds
// text for a view).
func (v *view) T(id string, kv ...any) string {
	if v.L == nil {
		return i18n.Default().Localizer(i18n.Source).T(id, kv...)
	}
	return v.L.T(id, kv...)
}

// langFuncs are the template functions that speak l.
func langFuncs(l *i18n.Localizer) template.FuncMap {
	return template.FuncMap{
		"t":            l.T,
		"tn":           l.N,
		"localTime":    func(loc *time.Location, t any) string { return l.DateTime(instant(t), loc) },
		"localDate":    func(loc *time.Location, t any) string { return l.Date(instant(t), loc) },
		"localClock":   func(loc *time.Location, t any) string { return l.Clock(instant(t), loc) },
		"calendarDate": func(t any) string { return l.CalendarDate(instant(t)) },
		"zoneName":     func(loc *time.Location) string { return zoneNameIn(l, loc) },
		"number":       l.Number,
		"zoned":        func(loc *time.Location, v any) zonedValue { return zonedValue{Zone: loc, V: v} },
	}
}

// zoneNameIn names a zone with its current abbreviation in l:
// "Europe/Berlin (MEZ)".
func zoneNameIn(l *i18n.Localizer, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	a := l.Zone(time.Now(), loc)
	if a == loc.String() {
		return a
	}
	return loc.String() + " (" + a + ")"
}

// setLanguage is the switcher's target: it remembers the chosen language
// in a cookie and, for a signed-in person, as their account's choice, then
// returns to the page it was chosen on.
func (h *handler) setLanguage(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, h.localizer(r, nil).T("shell.error.form_unreadable"), http.StatusBadRequest)
		return
	}
	lang := r.PostFormValue("lang")
	if !(h.bundle.Supported(lang) && (lang != i18n.Pseudo || h.pseudo)) {
		http.Error(w, h.localizer(r, nil).T("shell.error.language_unknown"), http.StatusBadRequest)
		return
	}
	if c, err := r.Cookie(h.cookieName()); err == nil && c.Value != "" {
		if ac, err := h.accounts.Authenticate(r.Context(), c.Value, "web"); err == nil {
			if r.PostFormValue("csrf") != csrfToken(c.Value) {
				noStore(w)
				http.Error(w, h.localizer(r, nil).T("shell.error.csrf"), http.StatusForbidden)
				return
			}
			if lang != i18n.Pseudo {
				if _, err := h.people.SetLanguage(r.Context(), ac, lang); err != nil {
					q := &request{w: w, r: r, ac: ac, token: c.Value}
					h.fail(q, err)
					return
				}
			}
		} else if holdspace.ErrorCode(err) != holdspace.EUNAUTHORIZED {
			h.log.Error("web: authenticate", "err", err)
			http.Error(w, "Internal error", http.StatusInternalServerError)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: h.langCookie(), Value: lang, Path: "/", HttpOnly: true, Secure: h.secure,
		SameSite: http.SameSiteLaxMode, MaxAge: 365 * 24 * 3600})
	http.Redirect(w, r, localPath(r.PostFormValue("next")), http.StatusSeeOther)
}

// localPath returns p when it is a path on this site, else "/".
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || strings.ContainsAny(p, "\r\n") {
		return "/"
	}
	return p
}
