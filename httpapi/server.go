// Package httpapi serves holdspace's JSON API v1: routes, authentication by
// bearer token, strict decoding, JSON error bodies (statuses from package
// httpedge), the metrics route and the OpenAPI document. Authorization
// lives in package app, one check per use case.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"holdspace"
	"holdspace/app"
	"holdspace/httpedge"
	"holdspace/store"
)

// Server is the JSON API, an http.Handler; Patterns lists its routes for
// mounting on an outer mux.
type Server struct {
	// One field per service; each handler calls exactly one of them
	// (the event stream also re-verifies its token with accounts).
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

	log     *slog.Logger
	metrics *httpedge.Metrics
	ready   func(context.Context) error
	mux     *http.ServeMux
	// keepAlive is how often event streams send a keep-alive and re-check
	// the caller's access.
	keepAlive time.Duration
	// routes lists every registered pattern, for the OpenAPI completeness
	// test.
	routes []string
}

// New returns an API server over the services a. ready reports whether the
// server may take traffic (migrations applied, not shutting down).
func New(a *app.Services, log *slog.Logger, m *httpedge.Metrics, ready func(context.Context) error) *Server {
	if a == nil {
		a = &app.Services{} // routes only (the OpenAPI completeness test)
	}
	s := &Server{
		accounts: a.Accounts, people: a.People, practice: a.Practice, agreements: a.Agreements,
		screenings: a.Screenings, sessions: a.Sessions, decisions: a.Decisions, followUps: a.FollowUps,
		records: a.Records, audit: a.Audit, bookings: a.Bookings, calendars: a.Calendars, mail: a.Mail,
		log: log, metrics: m, ready: ready, mux: http.NewServeMux(), keepAlive: 15 * time.Second}
	s.registerRoutes()
	return s
}

// SetStreamKeepAlive sets how often event streams send a keep-alive and
// re-check the caller's access (default 15 seconds).
func (s *Server) SetStreamKeepAlive(d time.Duration) {
	if d > 0 {
		s.keepAlive = d
	}
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Patterns returns every route pattern registered, as "METHOD /path".
func (s *Server) Patterns() []string { return append([]string(nil), s.routes...) }

func (s *Server) handle(pattern string, h http.Handler) {
	s.routes = append(s.routes, pattern)
	s.mux.Handle(pattern, h)
}

// authedFunc is a handler that needs an authenticated actor.
type authedFunc func(w http.ResponseWriter, r *http.Request, ac app.Actor) error

// plainFunc is a handler that needs no actor.
type plainFunc func(w http.ResponseWriter, r *http.Request) error

func (s *Server) plain(h plainFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			WriteError(w, r, s.log, err)
		}
	})
}

// authed authenticates the bearer token, then calls h.
func (s *Server) authed(h authedFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ac, err := s.actor(r)
		if err == nil {
			err = h(w, r, ac)
		}
		if err != nil {
			WriteError(w, r, s.log, err)
		}
	})
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

func (s *Server) actor(r *http.Request) (app.Actor, error) {
	tok := bearer(r)
	if tok == "" {
		return app.Actor{}, &holdspace.Error{Code: holdspace.EUNAUTHORIZED, Reason: "missing_token", Message: "Send a bearer token in the Authorization header."}
	}
	return s.accounts.Authenticate(r.Context(), tok, "api")
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.ready(ctx); err != nil {
		return &holdspace.Error{Code: holdspace.EUNAVAILABLE, Reason: "not_ready", Message: "holdspace is not ready.", Err: err}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

func (h accountsAPI) createToken(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
		// OTP is the second factor's code (or a recovery code).
		OTP string `json:"otp"`
		// Device is the device cookie a previous sign-in returned.
		Device string `json:"device"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	sess, err := h.accounts.SignIn(r.Context(), app.SignInInput{Email: in.Email, Password: in.Password, OTP: in.OTP,
		DeviceCookie: in.Device, Address: httpedge.ClientAddr(r), Kind: "api", UserAgent: r.UserAgent()})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sess)
	return nil
}

func (h accountsAPI) deleteToken(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	if err := h.accounts.Logout(r.Context(), ac, bearer(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h peopleAPI) me(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	p, err := h.people.Me(r.Context(), ac)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

type idResponse struct {
	ID string `json:"id"`
}

func (h enrolAPI) createPractitioner(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	var in struct {
		Name     string `json:"name"`
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if ac.Role != holdspace.RoleAdmin {
		return holdspace.Errorf(holdspace.EFORBIDDEN, "Only an admin can add practitioners.")
	}
	id, err := h.people.CreateUser(r.Context(), ac, app.NewUser{Role: holdspace.RolePractitioner, Name: in.Name, Email: in.Email, Password: in.Password})
	if err != nil {
		return err
	}
	return h.createdAccount(w, r, ac, id, in.Password == "")
}

func (h peopleAPI) listPractitioners(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	ps, err := h.people.ListPractitioners(r.Context(), ac)
	if err != nil {
		return err
	}
	if ps == nil {
		ps = []app.Person{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"practitioners": ps})
	return nil
}

func (h peopleAPI) getPractitioner(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	p, creds, err := h.people.Practitioner(r.Context(), ac, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": p.ID, "name": p.Name, "email": p.Email, "credentials": creds})
	return nil
}

func (h peopleAPI) createCredential(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	var in app.CredentialInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	id, err := h.people.AddCredential(r.Context(), ac, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, idResponse{id})
	return nil
}

func (h enrolAPI) createClient(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	var in app.ClientInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	id, err := h.people.CreateClient(r.Context(), ac, in)
	if err != nil {
		return err
	}
	return h.createdAccount(w, r, ac, id, in.Password == "")
}

func (h peopleAPI) listClients(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	pin, err := pageInput(r.URL.Query())
	if err != nil {
		return err
	}
	pg, err := h.people.PageClients(r.Context(), ac, app.ClientQuery{PageInput: pin})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, withNext(map[string]any{"clients": pg.Clients}, pg.Next))
	return nil
}

func (h peopleAPI) getClient(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	c, err := h.people.GetClient(r.Context(), ac, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (h peopleAPI) assignClient(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	var in struct {
		PractitionerIDs []string `json:"practitioner_ids"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := h.people.AssignPractitioners(r.Context(), ac, r.PathValue("id"), in.PractitionerIDs); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h auditAPI) listAudit(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	q := r.URL.Query()
	var since time.Time
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return holdspace.Invalid("invalid_time", "since", "Give since as an RFC 3339 time.")
		}
		since = t
	}
	var after int64
	if v := q.Get("after_seq"); v != "" {
		n, err := parseInt(v)
		if err != nil || n < 0 {
			return holdspace.Invalid("invalid_number", "after_seq", "Give after_seq as a whole number.")
		}
		after = n
	}
	limit := 0
	if v := q.Get("limit"); v != "" {
		n, err := parseInt(v)
		if err != nil || n < 1 || n > 1000 {
			return holdspace.Invalid("invalid_number", "limit", "Give limit as a whole number from 1 to 1000.")
		}
		limit = int(n)
	}
	newest := false
	switch q.Get("order") {
	case "", "oldest":
	case "newest":
		newest = true
	default:
		return holdspace.Invalid("invalid_order", "order", "Give order as oldest or newest.")
	}
	es, next, err := h.audit.PageAudit(r.Context(), ac, store.AuditFilter{ClientID: q.Get("client_id"), Since: since, AfterSeq: after, Limit: limit, Newest: newest}, q.Get("cursor"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, withNext(map[string]any{"entries": es}, next))
	return nil
}
