package fhir

import (
	"time"

	"holdspace"
	"holdspace/screening"
)

// ExtEndedFor on an Encounter: valueCode "capacity" or "illness" when the
// session ended because the client's day check said they were not
// clear-headed or unwell (it is not a no-show).
const ExtEndedFor = ExtensionBase + "ended-for"

// DayCheckInput is one recorded day check of a session.
type DayCheckInput struct {
	ID        string // the event id
	ClientID  string
	SessionID string
	// PractitionerID is set when the practitioner recorded the client's
	// in-person answers; empty when the client answered on their device.
	PractitionerID string
	At             time.Time
	ClearHeaded    bool
	Unwell         bool
	Changes        bool
}

// DayCheckQuestionnaire returns the FHIR Questionnaire of day-check-v1.
func DayCheckQuestionnaire() (QuestionnaireResource, error) {
	q, ok := screening.DayCheck()
	if !ok {
		return QuestionnaireResource{}, holdspace.Errorf(holdspace.EINTERNAL, "The day-check questionnaire is not available.")
	}
	return Questionnaire(q), nil
}

// DayCheckResponse maps a day check to a completed QuestionnaireResponse of
// day-check-v1: subject and source the Patient (the answers are always the
// client's own), author the Patient or, for in-person answers, the
// Practitioner who recorded them, encounter the session's Encounter.
// Errors: EINVALID "invalid_id" (fields "id", "client_id", "session_id",
// "practitioner_id").
func DayCheckResponse(in DayCheckInput) (QuestionnaireResponseResource, error) {
	q, ok := screening.DayCheck()
	if !ok {
		return QuestionnaireResponseResource{}, holdspace.Errorf(holdspace.EINTERNAL, "The day-check questionnaire is not available.")
	}
	id, err := LogicalID(in.ID)
	if err != nil {
		return QuestionnaireResponseResource{}, err
	}
	patient, err := refTo("Patient", in.ClientID)
	if err != nil {
		return QuestionnaireResponseResource{}, withField(err, "client_id")
	}
	enc, err := refTo("Encounter", in.SessionID)
	if err != nil {
		return QuestionnaireResponseResource{}, withField(err, "session_id")
	}
	author := patient
	if in.PractitionerID != "" {
		if author, err = refTo("Practitioner", in.PractitionerID); err != nil {
			return QuestionnaireResponseResource{}, withField(err, "practitioner_id")
		}
	}
	qr, err := QuestionnaireResponse(q, screening.DayCheckAnswers(in.ClearHeaded, in.Unwell, in.Changes), patient, in.At)
	if err != nil {
		return QuestionnaireResponseResource{}, err
	}
	src := patient
	qr.ID, qr.Encounter, qr.Author, qr.Source = id, &enc, &author, &src
	return qr, nil
}
