package fhir

import (
	"regexp"
	"slices"
	"strconv"
	"time"

	"holdspace"
	"holdspace/catalogue"
	"holdspace/consent"
)

// ConsentInput is what NewConsent needs: one agreement version, its status
// as the caller computed it (consent.StatusAt), the practitioner who
// attested an in-person signature (empty when the client signed in their
// portal) and, for a superseded version, when its successor was signed (zero
// when not superseded or not known).
type ConsentInput struct {
	Agreement    consent.Agreement
	Status       consent.Status
	AttestedBy   string
	SupersededAt time.Time
	// Organization is the logical id of the practice's Organization in
	// the same bundle (OrganizationID), written as Consent.organization;
	// empty for none.
	Organization string
	// PolicyURL is the absolute URL of the practice's privacy notice,
	// written as Consent.policy.uri; empty for none.
	PolicyURL string
	// Language is the language the agreement was shown and signed in
	// (a BCP 47 tag, "de"), written as Consent.language; empty when it
	// was not recorded.
	Language string
}

// languageTag is the shape of a BCP 47 language tag (FHIR's code for
// Resource.language): "de", "es-419".
var languageTag = regexp.MustCompile(`^[a-zA-Z]{2,8}(-[a-zA-Z0-9]{1,8})*$`)

// Consent is a FHIR R4 Consent.
type Consent struct {
	ResourceType string            `json:"resourceType"`
	ID           string            `json:"id"`
	Meta         *Meta             `json:"meta,omitempty"`
	Language     string            `json:"language,omitempty"`
	Extension    []Extension       `json:"extension,omitempty"`
	Identifier   []Identifier      `json:"identifier"`
	Status       string            `json:"status"`
	Scope        CodeableConcept   `json:"scope"`
	Category     []CodeableConcept `json:"category"`
	Patient      Reference         `json:"patient"`
	DateTime     string            `json:"dateTime,omitempty"`
	Performer    []Reference       `json:"performer,omitempty"`
	Organization []Reference       `json:"organization,omitempty"`
	Policy       []ConsentPolicy   `json:"policy,omitempty"`
	PolicyRule   *CodeableConcept  `json:"policyRule,omitempty"`
	Provision    *Provision        `json:"provision,omitempty"`
}

// ConsentPolicy is FHIR Consent.policy: a policy the consent is given
// under.
type ConsentPolicy struct {
	URI string `json:"uri,omitempty"`
}

// Provision is FHIR Consent.provision (and its nested provisions).
type Provision struct {
	Extension []Extension `json:"extension,omitempty"`
	// ModifierExtension holds extensions that change the provision's
	// meaning (ExtAskFirst).
	ModifierExtension []Extension       `json:"modifierExtension,omitempty"`
	Type              string            `json:"type,omitempty"`
	Period            *Period           `json:"period,omitempty"`
	Action            []CodeableConcept `json:"action,omitempty"`
	Purpose           []Coding          `json:"purpose,omitempty"`
	Code              []CodeableConcept `json:"code,omitempty"`
	Provision         []Provision       `json:"provision,omitempty"`
}

// ConsentStatus maps an agreement status to the R4 ConsentState:
// draft→draft, active→active, and superseded, revoked and expired→inactive
// ("the consent is terminated or replaced"). "rejected" is not used: it
// means the client declined to consent at all, which a withdrawn or lapsed
// agreement is not. ok is false for an unknown status.
func ConsentStatus(s consent.Status) (status string, ok bool) {
	switch s {
	case consent.StatusDraft:
		return "draft", true
	case consent.StatusActive:
		return "active", true
	case consent.StatusSuperseded, consent.StatusRevoked, consent.StatusExpired:
		return "inactive", true
	}
	return "", false
}

// NewConsent maps one agreement version to a FHIR R4 Consent:
//   - id and identifier (system urn:holdspace:agreement) from the agreement
//     id, a second identifier "<client>/<intent>/<version>" (system
//     urn:holdspace:agreement-version), meta.versionId = Version;
//   - status per ConsentStatus; scope consentscope#treatment; category
//     LOINC 59284-0 "Patient Consent"; patient and performer
//     Patient/<client> (the client is the one who consents);
//   - dateTime = SignedAt, or CreatedAt for a draft;
//   - policyRule v3-ActCode#OPTIN (invariant ppc-1): nothing is permitted
//     unless listed;
//   - provision: a root "deny" whose period runs from SignedAt to the end
//     of the agreement's term (ValidUntil, the successor's signing, or a
//     whole-agreement revocation, whichever comes first), with one nested
//     "permit" per grant answered yes or ask, in grant order: code = region
//     (urn:holdspace:region), action = technique (urn:holdspace:technique),
//     purpose = intent (urn:holdspace:intent), and ExtAskFirst as a
//     modifierExtension on ask grants, so that a system that does not know
//     holdspace cannot read "ask me first" as an unconditional permit. The
//     region is coded in urn:holdspace:region and, where SNOMED CT has a
//     concept of exactly that extent, in SNOMED CT too (RegionSNOMED).
//     A permit's period ends at the term's end or at the first revocation
//     covering its region, so a revoked region shows exactly when it was
//     permitted and when that stopped. Grants answered no are not listed:
//     the root deny already covers them;
//   - organization: Organization/<Organization> when set (the practice,
//     which manages the consent); policy.uri: PolicyURL when set (the
//     practice's privacy notice);
//   - extensions: ExtSignMethod, ExtAttestedBy (in-person signatures),
//     ExtSupersedes, and one ExtRevocation per revocation.
//
// Errors: EINVALID "invalid_id" (fields "id", "client_id", "attested_by",
// "supersedes", "organization"); EINVALID "invalid_status" (field "status"); EINVALID
// "invalid_intent" (field "intent").
func NewConsent(in ConsentInput) (Consent, error) {
	a := &in.Agreement
	id, err := LogicalID(a.ID)
	if err != nil {
		return Consent{}, err
	}
	patient, err := refTo("Patient", a.ClientID)
	if err != nil {
		return Consent{}, withField(err, "client_id")
	}
	status, ok := ConsentStatus(in.Status)
	if !ok {
		return Consent{}, holdspace.Invalid("invalid_status", "status", "%q is not an agreement status.", in.Status)
	}
	if !catalogue.ValidIntent(string(a.Intent)) {
		return Consent{}, holdspace.Invalid("invalid_intent", "intent", "The intent is therapeutic or sensual.")
	}
	if in.Language != "" && !languageTag.MatchString(in.Language) {
		return Consent{}, holdspace.Invalid("invalid_language", "language", "%q is not a language tag.", in.Language)
	}
	c := Consent{
		ResourceType: "Consent",
		ID:           id,
		Meta:         &Meta{VersionID: strconv.Itoa(a.Version), LastUpdated: instant(lastUpdated(a))},
		Language:     in.Language,
		Identifier: []Identifier{
			{System: SystemAgreement, Value: a.ID},
			{System: SystemAgreementVersion, Value: a.ClientID + "/" + string(a.Intent) + "/" + strconv.Itoa(a.Version)},
		},
		Status: status,
		Scope: CodeableConcept{
			Coding: []Coding{{System: SystemConsentScope, Code: "treatment", Display: "Treatment"}},
		},
		Category: []CodeableConcept{{
			Coding: []Coding{{System: SystemLOINC, Code: "59284-0", Display: "Patient Consent"}},
		}},
		Patient:   patient,
		DateTime:  instant(a.SignedAt),
		Performer: []Reference{patient},
		PolicyRule: &CodeableConcept{
			Coding: []Coding{{System: SystemActCode, Code: "OPTIN", Display: "opt-in"}},
			Text:   "Default deny: only the listed body regions and techniques are permitted, for the stated intent, while the agreement is in force.",
		},
	}
	if c.DateTime == "" {
		c.DateTime = instant(a.CreatedAt)
	}
	if in.Organization != "" {
		ref, err := refTo("Organization", in.Organization)
		if err != nil {
			return Consent{}, withField(err, "organization")
		}
		c.Organization = []Reference{ref}
	}
	if u := cleanText(in.PolicyURL); u != "" {
		c.Policy = []ConsentPolicy{{URI: u}}
	}
	if a.SignMethod != "" {
		c.Extension = append(c.Extension, Extension{URL: ExtSignMethod, ValueCode: a.SignMethod})
	}
	if in.AttestedBy != "" {
		ref, err := refTo("Practitioner", in.AttestedBy)
		if err != nil {
			return Consent{}, withField(err, "attested_by")
		}
		c.Extension = append(c.Extension, Extension{URL: ExtAttestedBy, ValueReference: &ref})
	}
	if a.Supersedes != "" {
		ref, err := refTo("Consent", a.Supersedes)
		if err != nil {
			return Consent{}, withField(err, "supersedes")
		}
		c.Extension = append(c.Extension, Extension{URL: ExtSupersedes, ValueReference: &ref})
	}
	for _, r := range a.Revocations {
		ext := Extension{URL: ExtRevocation, Extension: []Extension{{URL: "at", ValueDateTime: instant(r.At)}}}
		for _, reg := range r.Regions {
			ext.Extension = append(ext.Extension, Extension{URL: "region", ValueCode: reg})
		}
		if r.ByRole != "" {
			ext.Extension = append(ext.Extension, Extension{URL: "byRole", ValueCode: r.ByRole})
		}
		c.Extension = append(c.Extension, ext)
	}
	c.Provision = provisions(a, termEnd(a, in.SupersededAt))
	return c, nil
}

// provisions builds the root deny provision with one nested permit per
// granted (yes or ask) region and technique.
func provisions(a *consent.Agreement, end time.Time) *Provision {
	root := &Provision{Type: "deny", Period: period(a.SignedAt, end)}
	purpose := []Coding{intentCoding(a.Intent)}
	for _, g := range a.Grants {
		if g.Answer != catalogue.Yes && g.Answer != catalogue.Ask {
			continue
		}
		p := Provision{
			Type:    "permit",
			Period:  period(a.SignedAt, earliest(end, revokedFrom(a, g.Region))),
			Action:  []CodeableConcept{techniqueConcept(g.Technique)},
			Purpose: purpose,
			Code:    []CodeableConcept{regionConcept(g.Region)},
		}
		if g.Answer == catalogue.Ask {
			p.ModifierExtension = []Extension{{URL: ExtAskFirst, ValueBoolean: boolPtr(true)}}
		}
		root.Provision = append(root.Provision, p)
	}
	return root
}

// termEnd returns when the agreement as a whole stops being in force: the
// earliest of its expiry, its successor's signing and a whole-agreement
// revocation; zero when none is known.
func termEnd(a *consent.Agreement, supersededAt time.Time) time.Time {
	end := earliest(a.ValidUntil, supersededAt)
	for _, r := range a.Revocations {
		if len(r.Regions) == 0 {
			end = earliest(end, r.At)
		}
	}
	return end
}

// revokedFrom returns the time of the first revocation covering region, or
// zero.
func revokedFrom(a *consent.Agreement, region string) time.Time {
	var t time.Time
	for _, r := range a.Revocations {
		if len(r.Regions) == 0 || slices.Contains(r.Regions, region) {
			t = earliest(t, r.At)
		}
	}
	return t
}

// earliest returns the earlier of two times, treating zero as "none".
func earliest(a, b time.Time) time.Time {
	switch {
	case a.IsZero():
		return b
	case b.IsZero() || a.Before(b):
		return a
	}
	return b
}

// period returns a Period, or nil when both ends are unknown. An end
// recorded before the start (a revocation timestamped before the signature)
// is clamped to the start, keeping invariant per-1 (start <= end).
func period(start, end time.Time) *Period {
	if start.IsZero() && end.IsZero() {
		return nil
	}
	if !start.IsZero() && !end.IsZero() && end.Before(start) {
		end = start
	}
	return &Period{Start: instant(start), End: instant(end)}
}

// lastUpdated returns the latest recorded time on the agreement.
func lastUpdated(a *consent.Agreement) time.Time {
	t := a.CreatedAt
	if a.SignedAt.After(t) {
		t = a.SignedAt
	}
	for _, r := range a.Revocations {
		if r.At.After(t) {
			t = r.At
		}
	}
	return t
}

// techniqueLabels maps technique codes to their catalogue labels.
var techniqueLabels = func() map[string]string {
	m := map[string]string{}
	for _, t := range catalogue.Techniques() {
		m[t.Code] = t.Label
	}
	return m
}()

// regionConcept codes a body region, with its catalogue label when known,
// and beside it the SNOMED CT concept when one has exactly the region's
// extent (a broader concept would widen a permit; see snomed.go).
func regionConcept(code string) CodeableConcept {
	c := Coding{System: SystemRegion, Code: code}
	if r, ok := catalogue.LookupRegion(code); ok {
		c.Display = r.Label
	}
	cc := CodeableConcept{Coding: []Coding{c}}
	if s, ok := RegionSNOMED(code); ok && s.Fit == FitExact {
		cc.Coding = append(cc.Coding, Coding{System: SystemSNOMED, Code: s.Code, Display: s.Display})
	}
	return cc
}

// techniqueConcept codes a technique, with its catalogue label when known.
func techniqueConcept(code string) CodeableConcept {
	c := Coding{System: SystemTechnique, Code: code}
	c.Display = techniqueLabels[code]
	return CodeableConcept{Coding: []Coding{c}}
}
