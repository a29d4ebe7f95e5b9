// Package web serves holdspace's server-rendered pages: the client portal
// (intake, body map, agreements, the STOP button), the practitioner console
// (client files, the session flow, the live console) and the admin pages.
//
// Pages are html/template files and static assets embedded in the binary.
// Every use case goes through package app, which does authorization, audit
// and sealing; this package only turns forms into app calls and app results
// into HTML. Cookie sessions are app web sessions ("web" tokens, with their
// idle timeout); every form carries a CSRF token bound to the session.
package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"holdspace"
	"holdspace/app"
	"holdspace/httpedge"
	"holdspace/i18n"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Config is what the pages need.
type Config struct {
	App    *app.Services
	Logger *slog.Logger
	// Secure marks cookies Secure (the server is behind TLS).
	Secure bool
	// KeepAlive is how often an open live session page's event stream
	// sends a keep-alive and keeps the web session from idling out; zero:
	// 15 seconds.
	KeepAlive time.Duration
	// Pseudo offers the pseudo-locale (accented, expanded English) through
	// the language switcher, for finding truncation and untranslated text.
	Pseudo bool
}

// CSP is the Content-Security-Policy of every page: scripts and styles only
// from this origin's /static/ files, nothing inline, no framing.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
	"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// maxForm bounds a form body.
const maxForm = 256 << 10

type handler struct {
	// One field per service; each page handler calls the one service it
	// shows or changes.
	accounts   *app.Accounts
	people     *app.People
	practice   *app.Practice
	agreements *app.Agreements
	screenings *app.Screenings
	sessions   *app.Sessions
	decisions  *app.Decisions
	followUps  *app.FollowUps
	records    *app.Records
	audit      *app.Audit
	bookings   *app.Bookings
	calendars  *app.Calendars
	mail       *app.Mail

	log    *slog.Logger
	secure bool
	keep   time.Duration
	mux    *http.ServeMux
	// pages holds each language's parsed template sets: lang → page.
	pages  map[string]map[string]*template.Template
	bundle *i18n.Bundle
	pseudo bool
	// static maps a checksummed path ("/static/<sum>/app.css") to the file.
	static map[string]staticFile
	urls   map[string]string // file name → checksummed URL
}

type staticFile struct {
	body        []byte
	contentType string
}

// New returns the pages as one handler. It fails when a template does not
// parse.
func New(cfg Config) (http.Handler, error) {
	if cfg.App == nil {
		return nil, errors.New("web: an app is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.KeepAlive <= 0 {
		cfg.KeepAlive = 15 * time.Second
	}
	a := cfg.App
	h := &handler{
		accounts: a.Accounts, people: a.People, practice: a.Practice, agreements: a.Agreements,
		screenings: a.Screenings, sessions: a.Sessions, decisions: a.Decisions, followUps: a.FollowUps,
		records: a.Records, audit: a.Audit, bookings: a.Bookings, calendars: a.Calendars, mail: a.Mail,
		log: cfg.Logger, secure: cfg.Secure, keep: cfg.KeepAlive, mux: http.NewServeMux(), bundle: i18n.Default(), pseudo: cfg.Pseudo,
		static: map[string]staticFile{}, urls: map[string]string{}}
	if err := h.loadStatic(); err != nil {
		return nil, err
	}
	if err := h.loadTemplates(); err != nil {
		return nil, err
	}
	h.routes()
	return h, nil
}

func (h *handler) loadStatic() error {
	return fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		name := path.Base(p)
		u := "/static/" + hex.EncodeToString(sum[:6]) + "/" + name
		ct := "application/octet-stream"
		switch path.Ext(name) {
		case ".css":
			ct = "text/css; charset=utf-8"
		case ".js":
			ct = "text/javascript; charset=utf-8"
		case ".svg":
			ct = "image/svg+xml"
		}
		h.static[u] = staticFile{body: b, contentType: ct}
		h.urls[name] = u
		return nil
	})
}

func (h *handler) loadTemplates() error {
	funcs := template.FuncMap{
		"static":       func(name string) string { return h.urls[name] },
		"answerText":   answerText,
		"severityText": severityText,
		"regionLabel":  regionLabel,
		"techLabel":    techLabel,
		"join":         strings.Join,
		"has": func(list []string, s string) bool {
			for _, x := range list {
				if x == s {
					return true
				}
			}
			return false
		},
		"slotTime": slotTime,
		"seq": func(n int) []int {
			out := make([]int, n)
			for i := range out {
				out[i] = i
			}
			return out
		},
	}
	maps.Copy(funcs, pageFuncs)
	entries, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return err
	}
	if h.bundle == nil {
		h.bundle = i18n.Default()
	}
	langs := h.bundle.Languages()
	if h.pseudo {
		langs = append(langs, i18n.Pseudo)
	}
	h.pages = map[string]map[string]*template.Template{}
	for _, lang := range langs {
		lf := maps.Clone(funcs)
		maps.Copy(lf, langFuncs(h.bundle.Localizer(lang)))
		maps.Copy(lf, sessionFuncs(h.bundle.Localizer(lang)))
		set := map[string]*template.Template{}
		for _, e := range entries {
			name := strings.TrimSuffix(path.Base(e), ".html")
			if name == "layout" || name == "partials" {
				continue
			}
			t, err := template.New(name).Funcs(lf).ParseFS(templateFS, "templates/layout.html", "templates/partials.html", e)
			if err != nil {
				return fmt.Errorf("web: template %s: %w", name, err)
			}
			set[name] = t
		}
		h.pages[lang] = set
	}
	return nil
}

// ServeHTTP implements http.Handler. Every page carries the CSP.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Security-Policy", CSP)
	h.mux.ServeHTTP(w, r)
}

func (h *handler) serveStatic(w http.ResponseWriter, r *http.Request) {
	f, ok := h.static[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", f.contentType)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Write(f.body)
}

// view is what every page template gets.
type view struct {
	Title string
	Me    *app.Person
	Role  string
	CSRF  string
	Flash string
	// Errors maps a field name to its message; Error is a message for the
	// whole form.
	Errors map[string]string
	Error  string
	Form   url.Values
	Data   any
	// Wide pages (the console) use the laptop layout.
	Wide bool
	// Notice tells the holder, once after signing in, about failed
	// attempts on their account.
	Notice string
	// Zone is the time zone the viewer sees times in (nil: UTC).
	Zone *time.Location
	// L speaks the page's language (nil: English); Path is the page's own
	// path, where the language switcher returns to.
	L    *i18n.Localizer
	Path string
}

// request is one authenticated page request.
type request struct {
	w     http.ResponseWriter
	r     *http.Request
	ac    app.Actor
	me    app.Person
	token string
	// notice is the sign-in notice to show on this page, if any.
	notice string
	// l speaks the reader's language.
	l *i18n.Localizer
}

func (q *request) view(title string, data any) *view {
	return &view{Title: title, Me: &q.me, Role: string(q.ac.Role), CSRF: csrfToken(q.token), Data: data,
		Flash: flashText(q.l, q.r.URL.Query().Get("done")), Errors: map[string]string{}, Notice: q.notice, Zone: q.zone(),
		L: q.l, Path: q.r.URL.Path}
}

// render writes a page with status 200 and no-store caching (pages carry
// personal data).
func (h *handler) render(w http.ResponseWriter, status int, page string, v *view) {
	t, ok := h.pages[v.Lang()][page]
	if !ok {
		h.log.Error("web: no template", "page", page)
		http.Error(w, "Internal error", http.StatusInternalServerError)
		return
	}
	v.localizeErrors()
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, "layout", v); err != nil {
		h.log.Error("web: render", "page", page, "err", err)
		http.Error(w, "Internal error", http.StatusInternalServerError)
		return
	}
	noStore(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write([]byte(b.String()))
}

// fragment writes one named template from a page's set, without the layout.
func (h *handler) fragment(w http.ResponseWriter, page, name string, v *view) {
	t, ok := h.pages[v.Lang()][page]
	if !ok {
		http.Error(w, "Internal error", http.StatusInternalServerError)
		return
	}
	v.localizeErrors()
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, name, v); err != nil {
		h.log.Error("web: fragment", "page", page, "name", name, "err", err)
		http.Error(w, "Internal error", http.StatusInternalServerError)
		return
	}
	noStore(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write([]byte(b.String()))
}

func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
}

// fail shows an app error as a page with the error's status
// (httpedge.Explain): 401 leads to the sign-in page, 404 says only that
// there is nothing to see, other 4xx show the app's message, and 5xx are
// logged and shown without details.
func (h *handler) fail(q *request, err error) {
	p := httpedge.Explain(q.r.Context(), h.log, err)
	if q.l == nil {
		q.l = h.localizer(q.r, nil)
	}
	var msg string
	switch {
	case p.Status == http.StatusUnauthorized:
		h.toLogin(q.w, q.r)
		return
	case p.Status == http.StatusNotFound:
		msg = q.l.T("shell.error.nothing_here")
	case p.Internal():
		msg = q.l.T("shell.error.internal")
	default:
		msg = errText(q.l, err)
	}
	v := q.view(q.l.T("shell.error.sorry"), map[string]any{"Status": p.Status, "Message": msg})
	h.render(q.w, p.Status, "error", v)
}

// notFound renders the 404 page for requests without a session too; a
// signed-in visitor gets it inside the layout with their navigation (see
// signedInView).
func (h *handler) notFound(w http.ResponseWriter, r *http.Request) {
	v := h.signedInView(r, "")
	v.Title = v.T("shell.error.not_found")
	v.Data = map[string]any{"Status": 404, "Message": v.T("shell.error.nothing_here")}
	h.render(w, http.StatusNotFound, "error", v)
}

func (h *handler) toLogin(w http.ResponseWriter, r *http.Request) {
	h.clearSession(w)
	if r.Header.Get("X-Holdspace-Fetch") != "" || strings.HasSuffix(r.URL.Path, "/events") {
		noStore(w)
		http.Error(w, h.localizer(r, nil).T("shell.error.session_ended"), http.StatusUnauthorized)
		return
	}
	http.Redirect(w, r, "/login?expired=1", http.StatusSeeOther)
}

// authed wraps a page handler: it authenticates the session cookie (the app
// enforces the idle timeout), checks the CSRF token of every POST, and hands
// the handler the caller.
func (h *handler) authed(fn func(q *request) error, roles ...holdspace.Role) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(h.cookieName())
		if err != nil || c.Value == "" {
			h.toLogin(w, r)
			return
		}
		ac, err := h.accounts.Authenticate(r.Context(), c.Value, "web")
		if err != nil {
			if holdspace.ErrorCode(err) == holdspace.EUNAUTHORIZED {
				h.toLogin(w, r)
				return
			}
			h.log.Error("web: authenticate", "err", err)
			http.Error(w, "Internal error", http.StatusInternalServerError)
			return
		}
		q := &request{w: w, r: r, ac: ac, token: c.Value}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxForm)
			if err := r.ParseForm(); err != nil {
				http.Error(w, h.localizer(r, nil).T("shell.error.form_unreadable"), http.StatusBadRequest)
				return
			}
			if !hmac.Equal([]byte(r.PostFormValue("csrf")), []byte(csrfToken(c.Value))) {
				noStore(w)
				http.Error(w, h.localizer(r, nil).T("shell.error.csrf"), http.StatusForbidden)
				return
			}
		}
		if q.me, err = h.people.Me(r.Context(), ac); err != nil {
			h.fail(q, err)
			return
		}
		q.l = h.localizer(r, &q.me)
		if q.me.Language == "" && q.l.Lang() != q.me.LastLanguage && q.l.Lang() != i18n.Pseudo {
			// Emails and PDFs follow the language the person reads pages in.
			if err := h.people.NoteLanguage(r.Context(), ac, q.l.Lang()); err != nil {
				h.log.Error("web: note language", "err", err)
			}
		}
		if h.gate(q) {
			return
		}
		if len(roles) > 0 && !slices.Contains(roles, ac.Role) {
			// Pages of another role do not exist for this caller.
			h.fail(q, holdspace.NotFound("page"))
			return
		}
		if r.Method == http.MethodGet && r.URL.Path != "/" {
			// The home only redirects; the page it leads to shows it.
			q.notice = h.signInNotice(w, r, q.l)
		}
		if err := fn(q); err != nil {
			h.fail(q, err)
		}
	}
}

// csrfToken is the CSRF token bound to a session token: a keyed hash that
// reveals nothing about the session token and cannot be made without it.
// It is the same on every node, so nothing is stored.
func csrfToken(session string) string {
	m := hmac.New(sha256.New, []byte("holdspace csrf v1"))
	m.Write([]byte(session))
	return hex.EncodeToString(m.Sum(nil))
}

func (h *handler) cookieName() string {
	if h.secure {
		return "__Host-holdspace"
	}
	return "holdspace"
}

func (h *handler) setSession(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{Name: h.cookieName(), Value: token, Path: "/", HttpOnly: true,
		Secure: h.secure, SameSite: http.SameSiteLaxMode})
}

func (h *handler) clearSession(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: h.cookieName(), Value: "", Path: "/", HttpOnly: true,
		Secure: h.secure, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// preToken is the login form's CSRF protection: a random cookie, echoed in
// the form as its keyed hash.
func (h *handler) preToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(h.cookieName() + "-pre"); err == nil && len(c.Value) >= 16 && len(c.Value) <= 64 {
		return csrfToken("pre:" + c.Value)
	}
	v := rand.Text()
	http.SetCookie(w, &http.Cookie{Name: h.cookieName() + "-pre", Value: v, Path: "/", HttpOnly: true,
		Secure: h.secure, SameSite: http.SameSiteLaxMode})
	return csrfToken("pre:" + v)
}

func (h *handler) preTokenOK(r *http.Request) bool {
	c, err := r.Cookie(h.cookieName() + "-pre")
	if err != nil || c.Value == "" {
		return false
	}
	return hmac.Equal([]byte(r.PostFormValue("csrf")), []byte(csrfToken("pre:"+c.Value)))
}

// redirect answers a form POST with 303 See Other.
func redirect(q *request, to string) error {
	http.Redirect(q.w, q.r, to, http.StatusSeeOther)
	return nil
}
