package httpapi

import (
	"net/http"

	"holdspace/app"
)

// stopAll is the client's STOP from their home: every live session of
// theirs is stopped.
func (s *Server) stopAll(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	if err := optionalBody(w, r, &struct{}{}); err != nil {
		return err
	}
	res, err := s.sessions.StopAll(r.Context(), ac, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) confirmScreening(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	var in app.ConfirmScreeningInput
	if err := optionalBody(w, r, &in); err != nil {
		return err
	}
	v, err := s.screenings.ConfirmScreening(r.Context(), ac, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) consentHistory(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	unseen := r.URL.Query().Get("unseen") == "true"
	vs, err := s.agreements.ConsentHistory(r.Context(), ac, r.PathValue("id"), unseen)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"versions": vs})
	return nil
}

func (s *Server) consentSeen(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	if err := optionalBody(w, r, &struct{}{}); err != nil {
		return err
	}
	n, err := s.agreements.AcknowledgeConsentNotices(r.Context(), ac, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int{"seen": n})
	return nil
}
