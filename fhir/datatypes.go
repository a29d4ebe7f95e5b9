// Package fhir maps holdspace records to FHIR R4 resources (Patient,
// Practitioner, Consent, Encounter, Questionnaire, QuestionnaireResponse,
// Bundle) and builds the client's consent receipt. The package is pure: it
// turns plain Go values into JSON-ready structs; it does no I/O, reads no
// store and reads no clock (every time is passed in). Times are written as
// RFC 3339 in UTC.
//
// Identifiers. holdspace ids such as "cli_abc…" contain an underscore, which
// a FHIR id may not ([A-Za-z0-9\-\.]{1,64}); LogicalID maps "_" to "-" and
// every resource keeps the exact holdspace id in an identifier with a
// urn:holdspace:* system, so nothing is lost. References ("Patient/<id>")
// use the mapped id.
package fhir

import (
	"strings"
	"time"

	"holdspace"
)

// Code systems and extension URLs holdspace writes. The constructors of
// this package write every holdspace extension URL as ExtensionBase + id,
// under a reserved .invalid host; RebaseExtensions moves them to the
// practice's own base URL, where each one resolves to its
// StructureDefinition (see Definitions and ExtensionURL). Nothing holdspace
// serves still names the .invalid host.
const (
	SystemClient       = "urn:holdspace:client"
	SystemPractitioner = "urn:holdspace:practitioner"
	SystemAgreement    = "urn:holdspace:agreement"
	// SystemAgreementVersion identifies one version in a client's chain of
	// agreements for one intent: "<client id>/<intent>/<version>".
	SystemAgreementVersion = "urn:holdspace:agreement-version"
	SystemSession          = "urn:holdspace:session"
	SystemRegion           = "urn:holdspace:region"
	SystemTechnique        = "urn:holdspace:technique"
	SystemIntent           = "urn:holdspace:intent"
	SystemCover            = "urn:holdspace:cover"

	SystemLOINC        = "http://loinc.org"
	SystemSNOMED       = "http://snomed.info/sct"
	SystemConsentScope = "http://terminology.hl7.org/CodeSystem/consentscope"
	SystemActCode      = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
	SystemParticipant  = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"

	// ExtensionBase prefixes every holdspace extension URL as the
	// constructors write it, before RebaseExtensions.
	ExtensionBase = "https://holdspace.invalid/fhir/StructureDefinition/"
	// ExtAnatomy on Patient: sub-extensions "prostate", "vagina",
	// "breasts" (valueBoolean). Never mapped to gender.
	ExtAnatomy = ExtensionBase + "anatomy"
	// ExtCovers on Practitioner.qualification: one valueCode per credential
	// coverage code (system urn:holdspace:cover).
	ExtCovers = ExtensionBase + "credential-covers"
	// ExtAskFirst is a modifier extension (modifierExtension) on a Consent
	// permit provision: valueBoolean true when the client answered "ask me
	// first, every time". It modifies the permit: the permit holds only
	// when the practitioner has asked and the client has said yes at that
	// moment. A system that does not know it must not read the provision
	// as an unconditional permit (FHIR R4 modifier extension rules).
	ExtAskFirst = ExtensionBase + "ask-first"
	// ExtSignMethod on Consent: valueCode "client" or "in_person".
	ExtSignMethod = ExtensionBase + "sign-method"
	// ExtAttestedBy on Consent: valueReference to the Practitioner who
	// attested an in-person signature.
	ExtAttestedBy = ExtensionBase + "attested-by"
	// ExtSupersedes on Consent: valueReference to the Consent this version
	// replaces.
	ExtSupersedes = ExtensionBase + "supersedes"
	// ExtRevocation on Consent: one per recorded revocation, with
	// sub-extensions "at" (valueDateTime), "region" (valueCode, repeated;
	// absent for the whole agreement) and "byRole" (valueCode).
	ExtRevocation = ExtensionBase + "revocation"
	// ExtSessionState on Encounter: valueCode, the holdspace session state
	// (finer than EncounterStatus, e.g. "stopped").
	ExtSessionState = ExtensionBase + "session-state"
)

// Meta is FHIR Resource.meta.
type Meta struct {
	VersionID   string `json:"versionId,omitempty"`
	LastUpdated string `json:"lastUpdated,omitempty"`
}

// Coding is a FHIR Coding.
type Coding struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code,omitempty"`
	Display string `json:"display,omitempty"`
	// DisplayElement carries Display's translations ("_display"), on a
	// Questionnaire's answer options.
	DisplayElement *PrimitiveElement `json:"_display,omitempty"`
}

// CodeableConcept is a FHIR CodeableConcept.
type CodeableConcept struct {
	Coding []Coding `json:"coding,omitempty"`
	Text   string   `json:"text,omitempty"`
}

// Reference is a FHIR Reference: a relative literal reference
// ("Patient/<id>") and/or a display text.
type Reference struct {
	Reference string `json:"reference,omitempty"`
	Display   string `json:"display,omitempty"`
}

// Period is a FHIR Period; both ends are RFC 3339 UTC date-times and
// either may be absent.
type Period struct {
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
}

// Identifier is a FHIR Identifier.
type Identifier struct {
	System string `json:"system,omitempty"`
	Value  string `json:"value,omitempty"`
}

// HumanName is a FHIR HumanName; holdspace records one free-text name.
type HumanName struct {
	Text string `json:"text,omitempty"`
}

// ContactPoint is a FHIR ContactPoint.
type ContactPoint struct {
	System string `json:"system,omitempty"`
	Value  string `json:"value,omitempty"`
}

// Extension is a FHIR Extension: either one value[x] or nested extensions
// (invariant ext-1), never both.
type Extension struct {
	URL            string      `json:"url"`
	ValueBoolean   *bool       `json:"valueBoolean,omitempty"`
	ValueCode      string      `json:"valueCode,omitempty"`
	ValueString    string      `json:"valueString,omitempty"`
	ValueDateTime  string      `json:"valueDateTime,omitempty"`
	ValueReference *Reference  `json:"valueReference,omitempty"`
	Extension      []Extension `json:"extension,omitempty"`
}

// LogicalID returns the FHIR id for a holdspace id: "_" becomes "-" and the
// result must match [A-Za-z0-9\-\.]{1,64}. holdspace ids never contain "-",
// so the mapping is one-to-one for them. Errors: EINVALID "invalid_id"
// (field "id") for an empty id or one that cannot be mapped.
func LogicalID(id string) (string, error) {
	if id == "" || len(id) > 64 {
		return "", holdspace.Invalid("invalid_id", "id", "An id of 1 to 64 characters is needed for FHIR.")
	}
	b := []byte(id)
	for i, c := range b {
		switch {
		case c == '_':
			b[i] = '-'
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '.':
		default:
			return "", holdspace.Invalid("invalid_id", "id", "%q cannot be written as a FHIR id.", id)
		}
	}
	return string(b), nil
}

// refTo returns a relative reference to the resource of type typ with the
// holdspace id id, or an error from LogicalID.
func refTo(typ, id string) (Reference, error) {
	lid, err := LogicalID(id)
	if err != nil {
		return Reference{}, err
	}
	return Reference{Reference: typ + "/" + lid}, nil
}

// instant formats t as an RFC 3339 UTC date-time, or "" for the zero time.
func instant(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// boolPtr returns a pointer to b, for valueBoolean.
func boolPtr(b bool) *bool { return &b }

// cleanText trims s; FHIR strings may not be all whitespace.
func cleanText(s string) string { return strings.TrimSpace(s) }

// withField re-labels the field of a holdspace error from LogicalID (which
// always says "id") so that the caller sees which input was wrong.
func withField(err error, field string) error {
	if e, ok := err.(*holdspace.Error); ok {
		c := *e
		c.Field = field
		return &c
	}
	return err
}
