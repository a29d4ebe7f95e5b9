package httpapi

import (
	"net/http"

	"holdspace/app"
	"holdspace/practice"
)

// practiceOperations document the routes of issue 10: practice settings,
// guardians' consents, birth-date corrections and follow-ups.
var practiceOperations = []operation{
	{"GET /api/v1/practice/settings", "The practice's settings (admin, practitioner)", true, nil, 200, []int{403}},
	{"PUT /api/v1/practice/settings", "Replace the practice's settings (admin): age of majority (≥ 18), IANA time zone, sensual work offered, follow-up window, scope policy, identity", true,
		practice.Settings{}, 200, []int{400, 403}},
	{"POST /api/v1/agreements/{id}/guardian", "Record a guardian's consent with a minor's therapeutic agreement (the practitioner, in person)", true,
		app.GuardianInput{}, 201, []int{400, 403, 404, 409}},
	{"GET /api/v1/clients/{id}/guardians", "Guardians' consents recorded for a client", true, nil, 200, []int{403, 404}},
	{"PUT /api/v1/clients/{id}/birth-date", "Correct a client's birth date (admin, assigned practitioner)", true,
		birthDateRequest{}, 204, []int{400, 403, 404}},
	{"GET /api/v1/follow-ups", "Follow-ups the caller may see, earliest due first", true, nil, 200, nil},
	{"GET /api/v1/follow-ups/adverse", "Adverse events' follow-ups no admin has acknowledged (admin)", true, nil, 200, []int{403}},
	{"POST /api/v1/follow-ups/{id}/answer", "Answer \"How have you been since your session?\" (0–10, optional note)", true,
		app.FollowUpAnswer{}, 201, []int{400, 403, 404, 409}},
	{"POST /api/v1/follow-ups/{id}/acknowledge", "Acknowledge an adverse event's follow-up (admin)", true, nil, 200, []int{403, 404, 409}},
}

func init() { operations = append(operations, practiceOperations...) }

// registerPracticeRoutes registers the routes of practiceOperations.
func (s *Server) registerPracticeRoutes() {
	s.handle("GET /api/v1/practice/settings", s.authed(practiceAPI{s.practice}.getSettings))
	s.handle("PUT /api/v1/practice/settings", s.authed(practiceAPI{s.practice}.putSettings))
	s.handle("POST /api/v1/agreements/{id}/guardian", s.authed(agreementsAPI{s.agreements}.recordGuardian))
	s.handle("GET /api/v1/clients/{id}/guardians", s.authed(agreementsAPI{s.agreements}.listGuardians))
	s.handle("PUT /api/v1/clients/{id}/birth-date", s.authed(peopleAPI{s.people}.setBirthDate))
	s.handle("GET /api/v1/follow-ups", s.authed(followUpsAPI{s.followUps}.listFollowUps))
	s.handle("GET /api/v1/follow-ups/adverse", s.authed(followUpsAPI{s.followUps}.adverseFollowUps))
	s.handle("POST /api/v1/follow-ups/{id}/answer", s.authed(followUpsAPI{s.followUps}.answerFollowUp))
	s.handle("POST /api/v1/follow-ups/{id}/acknowledge", s.authed(followUpsAPI{s.followUps}.acknowledgeFollowUp))
}

func (h practiceAPI) getSettings(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	v, err := h.practice.PracticeSettings(r.Context(), ac)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (h practiceAPI) putSettings(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	var in practice.Settings
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := h.practice.PutPracticeSettings(r.Context(), ac, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (h agreementsAPI) recordGuardian(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	var in app.GuardianInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := h.agreements.RecordGuardianConsent(r.Context(), ac, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

func (h agreementsAPI) listGuardians(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	vs, err := h.agreements.Guardians(r.Context(), ac, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"guardians": vs})
	return nil
}

func (h peopleAPI) setBirthDate(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	var in struct {
		BirthDate string `json:"birth_date"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := h.people.SetBirthDate(r.Context(), ac, r.PathValue("id"), in.BirthDate); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h followUpsAPI) listFollowUps(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	vs, err := h.followUps.ListFollowUps(r.Context(), ac, r.URL.Query().Get("open") == "true")
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"follow_ups": vs})
	return nil
}

func (h followUpsAPI) adverseFollowUps(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	vs, err := h.followUps.AdverseFollowUps(r.Context(), ac)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"follow_ups": vs})
	return nil
}

func (h followUpsAPI) answerFollowUp(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	var in app.FollowUpAnswer
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := h.followUps.AnswerFollowUp(r.Context(), ac, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

func (h followUpsAPI) acknowledgeFollowUp(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	v, err := h.followUps.AcknowledgeFollowUp(r.Context(), ac, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}
