package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"holdspace"
	"holdspace/app"
	"holdspace/catalogue"
	"holdspace/fhir"
	"holdspace/httpedge"
	"holdspace/screening"
)

var errNoRoute = &holdspace.Error{Code: holdspace.ENOTFOUND, Reason: "not_found", Message: "There is no such API route."}

func (s *Server) catalogue(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	writeJSON(w, http.StatusOK, map[string]any{
		"regions":    catalogue.Regions(),
		"techniques": catalogue.Techniques(),
		"intents":    catalogue.Intents(),
		"answers":    []catalogue.Answer{catalogue.Yes, catalogue.Ask, catalogue.No},
		"covers":     catalogue.Covers(),
	})
	return nil
}

func (h recordsAPI) eraseClient(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	if err := h.records.EraseClient(r.Context(), ac, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h recordsAPI) exportClient(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	x, err := h.records.ExportClient(r.Context(), ac, r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Disposition", `attachment; filename="holdspace-export.json"`)
	writeJSON(w, http.StatusOK, x)
	return nil
}

func (h recordsAPI) clientFHIR(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	b, err := h.records.ClientBundle(r.Context(), ac, r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/fhir+json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(b)
}

func (s *Server) questionnaire(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	if r.PathValue("name") == screening.DayCheckV1 {
		return s.dayCheckQuestionnaire(w)
	}
	q, ok := screening.Lookup(r.PathValue("name"))
	if !ok {
		return holdspace.NotFound("questionnaire")
	}
	w.Header().Set("Content-Type", "application/fhir+json; charset=utf-8")
	return json.NewEncoder(w).Encode(fhir.RebaseExtensions(fhir.Questionnaire(q), s.records.BaseURL()))
}

func (h screeningsAPI) createScreening(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	var in app.ScreeningInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := h.screenings.SubmitScreening(r.Context(), ac, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

func (h screeningsAPI) listScreenings(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	vs, err := h.screenings.ListScreenings(r.Context(), ac, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"screenings": vs})
	return nil
}

func (h screeningsAPI) latestScreening(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	v, cur, err := h.screenings.LatestScreening(r.Context(), ac, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"screening": v, "current": cur})
	return nil
}

func (h screeningsAPI) createHealthChange(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	var in app.HealthChangeInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	id, err := h.screenings.RecordHealthChange(r.Context(), ac, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, idResponse{id})
	return nil
}

func (h screeningsAPI) createClearance(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	var in app.ClearanceInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	id, err := h.screenings.RecordClearance(r.Context(), ac, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, idResponse{id})
	return nil
}

func (h agreementsAPI) createAgreement(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	var in app.AgreementInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := h.agreements.CreateAgreement(r.Context(), ac, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

func (h agreementsAPI) listAgreements(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	pin, err := pageInput(r.URL.Query())
	if err != nil {
		return err
	}
	pg, err := h.agreements.PageAgreements(r.Context(), ac, r.PathValue("id"), pin)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, withNext(map[string]any{"agreements": pg.Agreements}, pg.Next))
	return nil
}

func (h agreementsAPI) getAgreement(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	v, err := h.agreements.GetAgreement(r.Context(), ac, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// optionalBody decodes a JSON body when one is sent; an empty body is the
// zero input (sign and revoke may be called without one).
func optionalBody(w http.ResponseWriter, r *http.Request, v any) error {
	if r.ContentLength == 0 && r.Header.Get("Content-Type") == "" {
		return nil
	}
	return decode(w, r, v)
}

func (h agreementsAPI) signAgreement(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	var in app.SignInput
	if err := optionalBody(w, r, &in); err != nil {
		return err
	}
	res, err := h.agreements.SignAgreement(r.Context(), ac, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (h agreementsAPI) revokeAgreement(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	var in app.RevokeInput
	if err := optionalBody(w, r, &in); err != nil {
		return err
	}
	res, err := h.agreements.RevokeAgreement(r.Context(), ac, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (h recordsAPI) agreementReceipt(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	rc, err := h.records.AgreementReceipt(r.Context(), ac, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rc)
	return nil
}

func (h sessionsAPI) createSession(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	var in app.SessionInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := h.sessions.CreateSession(r.Context(), ac, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

func (h sessionsAPI) listSessions(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	q := r.URL.Query()
	var from, to time.Time
	for _, p := range []struct {
		name string
		t    *time.Time
	}{{"from", &from}, {"to", &to}} {
		if v := q.Get(p.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return holdspace.Invalid("invalid_time", p.name, "Give %s as an RFC 3339 time.", p.name)
			}
			*p.t = t
		}
	}
	pin, err := pageInput(q)
	if err != nil {
		return err
	}
	pg, err := h.sessions.PageSessions(r.Context(), ac, app.SessionQuery{ClientID: q.Get("client_id"), From: from, To: to, PageInput: pin})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, withNext(map[string]any{"sessions": pg.Sessions}, pg.Next))
	return nil
}

func (h sessionsAPI) getSession(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	v, err := h.sessions.GetSession(r.Context(), ac, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (h sessionsAPI) createEvent(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	var in app.EventInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	res, err := h.sessions.AppendEvent(r.Context(), ac, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, res)
	return nil
}

func (h sessionsAPI) listEvents(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	evs, err := h.sessions.ListEvents(r.Context(), ac, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": evs})
	return nil
}

func (h decisionsAPI) sessionBoard(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	b, err := h.decisions.SessionBoard(r.Context(), ac, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, b)
	return nil
}

func (h decisionsAPI) decide(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	var in app.DecideInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	d, err := h.decisions.Decide(r.Context(), ac, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// sessionStream serves Server-Sent Events: an event named "state" with the
// session's live state first and on every change, and a keep-alive comment
// every keep-alive interval (15 s by default) to keep proxies from closing
// the connection.
func (s *Server) sessionStream(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	states, err := s.sessions.Watch(r.Context(), ac, r.PathValue("id"))
	if err != nil {
		return err
	}
	// Re-check on every keep-alive: a revoked or expired token, or a
	// session no longer visible, ends the stream.
	allowed := func() bool {
		if _, err := s.accounts.Verify(r.Context(), bearer(r), "api"); err != nil {
			return false
		}
		return s.sessions.SessionVisible(r.Context(), ac, r.PathValue("id")) == nil
	}
	httpedge.ServeEvents(w, r, httpedge.Stream{KeepAlive: s.keepAlive, Allowed: allowed}, states,
		func(st app.LiveState) (httpedge.Event, error) {
			b, err := json.Marshal(st)
			return httpedge.Event{ID: strconv.FormatInt(st.Seq, 10), Name: "state", Data: b}, err
		})
	return nil
}
