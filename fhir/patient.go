package fhir

import (
	"time"

	"holdspace"
	"holdspace/catalogue"
	"holdspace/practice"
)

// PatientInput is what NewPatient needs about a client. BirthDate is a FHIR
// date ("YYYY", "YYYY-MM" or "YYYY-MM-DD") or empty.
type PatientInput struct {
	ID        string
	Name      string
	Email     string
	BirthDate string
	Anatomy   catalogue.Anatomy
}

// Patient is a FHIR R4 Patient.
type Patient struct {
	ResourceType string         `json:"resourceType"`
	ID           string         `json:"id"`
	Extension    []Extension    `json:"extension,omitempty"`
	Identifier   []Identifier   `json:"identifier"`
	Name         []HumanName    `json:"name,omitempty"`
	Telecom      []ContactPoint `json:"telecom,omitempty"`
	BirthDate    string         `json:"birthDate,omitempty"`
}

// NewPatient maps a client to a FHIR Patient: identifier (system
// urn:holdspace:client, the exact client id), name text, email telecom,
// birthDate and the recorded anatomy as the ExtAnatomy extension. Anatomy is
// never mapped to Patient.gender, and no gender is written. Errors: EINVALID
// "invalid_id" (field "id"); EINVALID "invalid_birth_date" (field
// "birth_date").
func NewPatient(in PatientInput) (Patient, error) {
	id, err := LogicalID(in.ID)
	if err != nil {
		return Patient{}, err
	}
	if in.BirthDate != "" && !validDate(in.BirthDate) {
		return Patient{}, holdspace.Invalid("invalid_birth_date", "birth_date", "A birth date is written YYYY-MM-DD.")
	}
	p := Patient{
		ResourceType: "Patient",
		ID:           id,
		Extension: []Extension{{URL: ExtAnatomy, Extension: []Extension{
			{URL: "prostate", ValueBoolean: boolPtr(in.Anatomy.Prostate)},
			{URL: "vagina", ValueBoolean: boolPtr(in.Anatomy.Vagina)},
			{URL: "breasts", ValueBoolean: boolPtr(in.Anatomy.Breasts)},
		}}},
		Identifier: []Identifier{{System: SystemClient, Value: in.ID}},
		BirthDate:  in.BirthDate,
	}
	if n := cleanText(in.Name); n != "" {
		p.Name = []HumanName{{Text: n}}
	}
	if e := cleanText(in.Email); e != "" {
		p.Telecom = []ContactPoint{{System: "email", Value: e}}
	}
	return p, nil
}

// validDate reports whether s is a FHIR date of year, year-month or full
// precision that names a real calendar day.
func validDate(s string) bool {
	for _, layout := range []string{"2006-01-02", "2006-01", "2006"} {
		if len(s) != len(layout) {
			continue
		}
		t, err := time.Parse(layout, s)
		return err == nil && t.Year() > 0
	}
	return false
}

// PractitionerInput is what NewPractitioner needs about a practitioner.
type PractitionerInput struct {
	ID          string
	Name        string
	Email       string
	Credentials []practice.Credential
}

// Practitioner is a FHIR R4 Practitioner.
type Practitioner struct {
	ResourceType  string          `json:"resourceType"`
	ID            string          `json:"id"`
	Identifier    []Identifier    `json:"identifier"`
	Name          []HumanName     `json:"name,omitempty"`
	Telecom       []ContactPoint  `json:"telecom,omitempty"`
	Qualification []Qualification `json:"qualification,omitempty"`
}

// Qualification is FHIR Practitioner.qualification.
type Qualification struct {
	Extension  []Extension     `json:"extension,omitempty"`
	Identifier []Identifier    `json:"identifier,omitempty"`
	Code       CodeableConcept `json:"code"`
	Period     *Period         `json:"period,omitempty"`
	Issuer     *Reference      `json:"issuer,omitempty"`
}

// NewPractitioner maps a practitioner and their credentials to a FHIR
// Practitioner. Each credential becomes a qualification: code.text is the
// kind, issuer.display the issuer, identifier.value the number, period the
// validity (both ends inclusive, as in practice.Credential) and the
// coverage codes an ExtCovers extension. holdspace records credentials; the
// export asserts nothing beyond what was recorded. Errors: EINVALID
// "invalid_id" (field "id").
func NewPractitioner(in PractitionerInput) (Practitioner, error) {
	id, err := LogicalID(in.ID)
	if err != nil {
		return Practitioner{}, err
	}
	p := Practitioner{
		ResourceType: "Practitioner",
		ID:           id,
		Identifier:   []Identifier{{System: SystemPractitioner, Value: in.ID}},
	}
	if n := cleanText(in.Name); n != "" {
		p.Name = []HumanName{{Text: n}}
	}
	if e := cleanText(in.Email); e != "" {
		p.Telecom = []ContactPoint{{System: "email", Value: e}}
	}
	for _, c := range in.Credentials {
		q := Qualification{Code: CodeableConcept{Text: cleanText(c.Kind)}}
		if q.Code.Text == "" {
			q.Code.Text = "credential"
		}
		if n := cleanText(c.Number); n != "" {
			q.Identifier = []Identifier{{Value: n}}
		}
		if per := (Period{Start: instant(c.ValidFrom), End: instant(c.ValidUntil)}); per != (Period{}) {
			q.Period = &per
		}
		if is := cleanText(c.Issuer); is != "" {
			q.Issuer = &Reference{Display: is}
		}
		for _, cv := range c.Covers {
			q.Extension = append(q.Extension, Extension{URL: ExtCovers, ValueCode: cv})
		}
		p.Qualification = append(p.Qualification, q)
	}
	return p, nil
}
