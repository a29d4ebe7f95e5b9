package httpapi

import (
	"net/http"

	"holdspace/app"
)

// stopAll is the client's STOP from their home: every live session of
// theirs is stopped.
func (h sessionsAPI) stopAll(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	if err := optionalBody(w, r, &struct{}{}); err != nil {
		return err
	}
	res, err := h.sessions.StopAll(r.Context(), ac, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (h screeningsAPI) confirmScreening(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	var in app.ConfirmScreeningInput
	if err := optionalBody(w, r, &in); err != nil {
		return err
	}
	v, err := h.screenings.ConfirmScreening(r.Context(), ac, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (h agreementsAPI) consentHistory(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	unseen := r.URL.Query().Get("unseen") == "true"
	vs, err := h.agreements.ConsentHistory(r.Context(), ac, r.PathValue("id"), unseen)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"versions": vs})
	return nil
}

func (h agreementsAPI) consentSeen(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	if err := optionalBody(w, r, &struct{}{}); err != nil {
		return err
	}
	n, err := h.agreements.AcknowledgeConsentNotices(r.Context(), ac, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int{"seen": n})
	return nil
}
