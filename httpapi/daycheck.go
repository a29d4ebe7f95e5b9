package httpapi

import (
	"encoding/json"
	"net/http"

	"holdspace/fhir"
)

// dayCheckQuestionnaire writes the FHIR Questionnaire of day-check-v1, the
// day's check that session events of type day-check answer.
func (s *Server) dayCheckQuestionnaire(w http.ResponseWriter) error {
	q, err := fhir.DayCheckQuestionnaire()
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/fhir+json; charset=utf-8")
	return json.NewEncoder(w).Encode(fhir.RebaseExtensions(q, s.records.BaseURL()))
}
