package fhir

import (
	"time"

	"holdspace"
	"holdspace/catalogue"
	"holdspace/practice"
)

// EncounterInput is what NewEncounter needs about a session.
type EncounterInput struct {
	ID             string
	ClientID       string
	PractitionerID string
	State          practice.State
	Intent         catalogue.Intent
	StartsAt       time.Time // booked start
	BegunAt        time.Time // the begin event; zero before it
	ClosedAt       time.Time // the close event; zero before it
	// EndedFor is practice.BlockCapacity or practice.BlockIllness when
	// the session ended because of its day check; "" otherwise.
	EndedFor string
}

// Encounter is a FHIR R4 Encounter.
type Encounter struct {
	ResourceType string                 `json:"resourceType"`
	ID           string                 `json:"id"`
	Extension    []Extension            `json:"extension,omitempty"`
	Identifier   []Identifier           `json:"identifier"`
	Status       string                 `json:"status"`
	Class        Coding                 `json:"class"`
	Type         []CodeableConcept      `json:"type,omitempty"`
	Subject      Reference              `json:"subject"`
	Participant  []EncounterParticipant `json:"participant,omitempty"`
	Period       *Period                `json:"period,omitempty"`
}

// EncounterParticipant is FHIR Encounter.participant.
type EncounterParticipant struct {
	Type       []CodeableConcept `json:"type,omitempty"`
	Individual Reference         `json:"individual"`
}

// EncounterStatus maps a session state to the closest R4 EncounterStatus:
// scheduled→planned, open→arrived, in-progress→in-progress,
// stopped→in-progress (the client is still there and the session can
// resume; "onleave" means the patient has left, which a stop does not),
// closed→finished, cancelled→cancelled. ok is false for an unknown state.
func EncounterStatus(s practice.State) (status string, ok bool) {
	switch s {
	case practice.Scheduled:
		return "planned", true
	case practice.Open:
		return "arrived", true
	case practice.InProgress, practice.Stopped:
		return "in-progress", true
	case practice.Closed:
		return "finished", true
	case practice.Cancelled:
		return "cancelled", true
	}
	return "", false
}

// NewEncounter maps a session to a FHIR Encounter: status per
// EncounterStatus (the exact session state is kept in ExtSessionState),
// class AMB (ambulatory), type = the intent (system urn:holdspace:intent),
// subject Patient/<client>, participant Practitioner/<practitioner> as
// primary performer, period start = BegunAt (or the booked StartsAt before
// the session begins) and end = ClosedAt. Errors: EINVALID "invalid_id"
// (fields "id", "client_id", "practitioner_id"); EINVALID "invalid_state"
// (field "state").
func NewEncounter(in EncounterInput) (Encounter, error) {
	id, err := LogicalID(in.ID)
	if err != nil {
		return Encounter{}, err
	}
	subject, err := refTo("Patient", in.ClientID)
	if err != nil {
		return Encounter{}, withField(err, "client_id")
	}
	status, ok := EncounterStatus(in.State)
	if !ok {
		return Encounter{}, holdspace.Invalid("invalid_state", "state", "%q is not a session state.", in.State)
	}
	e := Encounter{
		ResourceType: "Encounter",
		ID:           id,
		Extension:    []Extension{{URL: ExtSessionState, ValueCode: string(in.State)}},
		Identifier:   []Identifier{{System: SystemSession, Value: in.ID}},
		Status:       status,
		Class:        Coding{System: SystemActCode, Code: "AMB", Display: "ambulatory"},
		Subject:      subject,
	}
	if in.EndedFor != "" {
		e.Extension = append(e.Extension, Extension{URL: ExtEndedFor, ValueCode: in.EndedFor})
	}
	if in.Intent != "" {
		e.Type = []CodeableConcept{intentConcept(in.Intent)}
	}
	if in.PractitionerID != "" {
		pr, err := refTo("Practitioner", in.PractitionerID)
		if err != nil {
			return Encounter{}, withField(err, "practitioner_id")
		}
		e.Participant = []EncounterParticipant{{
			Type: []CodeableConcept{{Coding: []Coding{{
				System: SystemParticipant, Code: "PPRF", Display: "primary performer",
			}}}},
			Individual: pr,
		}}
	}
	start := in.BegunAt
	if start.IsZero() {
		start = in.StartsAt
	}
	if per := (Period{Start: instant(start), End: instant(in.ClosedAt)}); per != (Period{}) {
		e.Period = &per
	}
	return e, nil
}

// intentCoding returns the holdspace coding of an intent.
func intentCoding(i catalogue.Intent) Coding {
	c := Coding{System: SystemIntent, Code: string(i)}
	switch i {
	case catalogue.Therapeutic:
		c.Display = "Therapeutic bodywork"
	case catalogue.Sensual:
		c.Display = "Sensual bodywork"
	}
	return c
}

// intentConcept wraps intentCoding in a CodeableConcept with its text.
func intentConcept(i catalogue.Intent) CodeableConcept {
	c := intentCoding(i)
	return CodeableConcept{Coding: []Coding{c}, Text: c.Display}
}
