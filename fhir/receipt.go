package fhir

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"holdspace"
	"holdspace/catalogue"
	"holdspace/consent"
	"holdspace/i18n"
	"holdspace/practice"
)

// ReceiptVersion is the Kantara Consent Receipt specification version the
// receipt follows.
const ReceiptVersion = "KI-CR-v1.1.0"

// WithdrawalMethod tells the client how to withdraw; every receipt carries
// it, in the receipt's language (catalog receipt.withdrawal; this is the
// English).
const WithdrawalMethod = "one tap in the client portal, or tell your practitioner"

// ReceiptEvent is what happened to the agreement that the receipt records.
type ReceiptEvent string

// Receipt events.
const (
	ConsentSigned  ReceiptEvent = "signed"  // the client signed this version
	ConsentRevoked ReceiptEvent = "revoked" // a revocation was recorded
	ConsentExpired ReceiptEvent = "expired" // the agreement reached ValidUntil
)

// ReceiptState is the state of the consent after the event (ISO/IEC TS
// 27560 consent record states).
type ReceiptState string

// Receipt states.
const (
	StateGiven     ReceiptState = "given"
	StateRenewed   ReceiptState = "renewed"
	StateWithdrawn ReceiptState = "withdrawn"
	StateExpired   ReceiptState = "expired"
)

// PostalAddress is a controller's address (schema.org PostalAddress
// members, as the receipt specification uses).
type PostalAddress struct {
	StreetAddress   string `json:"streetAddress,omitempty"`
	AddressLocality string `json:"addressLocality,omitempty"`
	PostalCode      string `json:"postalCode,omitempty"`
	AddressCountry  string `json:"addressCountry,omitempty"`
}

// Controller is the practice that controls the client's data.
type Controller struct {
	Name    string // the practice's name
	Contact string // the person to contact
	Email   string
	Phone   string
	URL     string
	Address PostalAddress
}

// ReceiptInput is what NewReceipt needs.
type ReceiptInput struct {
	// ReceiptID is the receipt's id; empty derives a UUID from the
	// agreement id, event and event time, so the same event always gets
	// the same id.
	ReceiptID string
	Agreement consent.Agreement
	Event     ReceiptEvent
	// At is the event time. Zero means: SignedAt for ConsentSigned, the
	// latest revocation for ConsentRevoked, ValidUntil for ConsentExpired.
	At           time.Time
	Jurisdiction string // e.g. "DE" or "US-CA"; required
	PolicyURL    string // the practice's privacy notice; required
	Controller   Controller
	// AttestedBy is the practitioner who attested an in-person signature.
	AttestedBy string
	// Language is the language the receipt is written in: the agreement's
	// own when LanguageRecorded, else (an agreement made before languages
	// were recorded) the client's. Empty or unshipped: English.
	Language         string
	LanguageRecorded bool
	// TextHash is the agreement's recorded hash of its consent text.
	TextHash string
}

// Receipt is a consent receipt in the Kantara Consent Receipt v1.1 shape,
// with the ISO/IEC TS 27560 record details holdspace adds under
// "holdspace".
type Receipt struct {
	Version          string          `json:"version"`
	Jurisdiction     string          `json:"jurisdiction"`
	ConsentTimestamp int64           `json:"consentTimestamp"`
	CollectionMethod string          `json:"collectionMethod"`
	ConsentReceiptID string          `json:"consentReceiptID"`
	Language         string          `json:"language"`
	PIIPrincipalID   string          `json:"piiPrincipalId"`
	PIIControllers   []PIIController `json:"piiControllers"`
	PolicyURL        string          `json:"policyUrl"`
	Services         []Service       `json:"services"`
	Sensitive        bool            `json:"sensitive"`
	SPICat           []string        `json:"spiCat"`
	Holdspace        ReceiptRecord   `json:"holdspace"`
}

// PIIController is one receipt piiControllers entry.
type PIIController struct {
	PIIController    string        `json:"piiController"`
	Contact          string        `json:"contact"`
	Address          PostalAddress `json:"address"`
	Email            string        `json:"email"`
	Phone            string        `json:"phone"`
	PIIControllerURL string        `json:"piiControllerUrl,omitempty"`
}

// Service is one receipt services entry.
type Service struct {
	Service  string    `json:"service"`
	Purposes []Purpose `json:"purposes"`
}

// Purpose is one purpose of a service.
type Purpose struct {
	Purpose              string   `json:"purpose"`
	PurposeCategory      []string `json:"purposeCategory"`
	ConsentType          string   `json:"consentType"`
	PIICategory          []string `json:"piiCategory"`
	PrimaryPurpose       bool     `json:"primaryPurpose"`
	Termination          string   `json:"termination"`
	ThirdPartyDisclosure bool     `json:"thirdPartyDisclosure"`
}

// ReceiptRecord is the holdspace part of a receipt: which agreement
// version, what happened to it and when, how to withdraw, and the content
// hash of what was signed (AgreementHash).
type ReceiptRecord struct {
	AgreementID      string       `json:"agreementId"`
	AgreementVersion int          `json:"agreementVersion"`
	Intent           string       `json:"intent"`
	State            ReceiptState `json:"state"`
	EventTime        string       `json:"eventTime"`
	// WithdrawnRegions lists the regions a revocation withdrew; empty
	// with state withdrawn means the whole agreement.
	WithdrawnRegions []string `json:"withdrawnRegions,omitempty"`
	WithdrawnBy      string   `json:"withdrawnBy,omitempty"`
	WithdrawalMethod string   `json:"withdrawalMethod"`
	ValidUntil       string   `json:"validUntil,omitempty"`
	Supersedes       string   `json:"supersedes,omitempty"`
	AttestedBy       string   `json:"attestedBy,omitempty"`
	ContentHash      string   `json:"contentHash"`
	// AgreementLanguage is the language the agreement was shown and signed
	// in, when it was recorded; LanguageStatement says so in words ("Sprache
	// dieser Vereinbarung: Deutsch"), or that it was not recorded.
	AgreementLanguage string `json:"agreementLanguage,omitempty"`
	LanguageStatement string `json:"languageStatement"`
	// TextHash is the SHA-256 of the exact consent text shown in that
	// language.
	TextHash string `json:"textHash,omitempty"`
}

// ReceiptStateFor maps an event to the consent state it leaves:
// signed → given (renewed when the agreement supersedes an earlier
// version), revoked → withdrawn, expired → expired. ok is false for an
// unknown event.
func ReceiptStateFor(e ReceiptEvent, a *consent.Agreement) (state ReceiptState, ok bool) {
	switch e {
	case ConsentSigned:
		if a.Supersedes != "" {
			return StateRenewed, true
		}
		return StateGiven, true
	case ConsentRevoked:
		return StateWithdrawn, true
	case ConsentExpired:
		return StateExpired, true
	}
	return "", false
}

// NewReceipt builds the client's receipt for one event on one agreement
// version. The principal is the client's opaque id, never their email.
// Errors: EINVALID "required" (fields "jurisdiction", "policy_url",
// "controller.name", "agreement.id", "agreement.client_id"); EINVALID
// "invalid_event" (field "event"); ECONFLICT "unsigned" when the agreement
// is not signed; ECONFLICT "not_revoked" for ConsentRevoked without a
// revocation at or before the event time; ECONFLICT "no_expiry" for
// ConsentExpired on an agreement without ValidUntil.
func NewReceipt(in ReceiptInput) (Receipt, error) {
	a := &in.Agreement
	for _, req := range []struct{ v, field string }{
		{in.Jurisdiction, "jurisdiction"},
		{in.PolicyURL, "policy_url"},
		{in.Controller.Name, "controller.name"},
		{a.ID, "agreement.id"},
		{a.ClientID, "agreement.client_id"},
	} {
		if strings.TrimSpace(req.v) == "" {
			return Receipt{}, holdspace.Invalid("required", req.field, "A consent receipt needs %s.", strings.ReplaceAll(req.field, "_", " "))
		}
	}
	state, ok := ReceiptStateFor(in.Event, a)
	if !ok {
		return Receipt{}, holdspace.Invalid("invalid_event", "event", "%q is not a consent event.", in.Event)
	}
	if a.SignedAt.IsZero() {
		return Receipt{}, holdspace.Conflict("unsigned", "A draft agreement has no receipt: nothing was consented to yet.")
	}
	l := i18n.Default().Localizer(in.Language)
	langName := l.T("language." + l.Lang())
	rec := ReceiptRecord{
		TextHash:         in.TextHash,
		AgreementID:      a.ID,
		AgreementVersion: a.Version,
		Intent:           string(a.Intent),
		State:            state,
		WithdrawalMethod: l.T("receipt.withdrawal"),
		ValidUntil:       instant(a.ValidUntil),
		Supersedes:       a.Supersedes,
		AttestedBy:       in.AttestedBy,
		ContentHash:      AgreementHash(a),
	}
	at := in.At
	switch in.Event {
	case ConsentSigned:
		if at.IsZero() {
			at = a.SignedAt
		}
	case ConsentRevoked:
		r, ok := latestRevocation(a, at)
		if !ok {
			return Receipt{}, holdspace.Conflict("not_revoked", "No revocation is recorded on this agreement.")
		}
		if at.IsZero() {
			at = r.At
		}
		rec.WithdrawnRegions = slices.Clone(r.Regions)
		rec.WithdrawnBy = r.ByRole
	case ConsentExpired:
		if a.ValidUntil.IsZero() {
			return Receipt{}, holdspace.Conflict("no_expiry", "This agreement has no expiry.")
		}
		if at.IsZero() {
			at = a.ValidUntil
		}
	}
	if in.LanguageRecorded {
		rec.AgreementLanguage = l.Lang()
		rec.LanguageStatement = l.T("receipt.language", "Language", langName)
	} else {
		rec.LanguageStatement = l.T("receipt.language_unrecorded", "Language", langName)
	}
	rec.EventTime = instant(at)
	id := in.ReceiptID
	if id == "" {
		id = nameUUID("consent-receipt", a.ID+"\x00"+string(in.Event)+"\x00"+strconv.FormatInt(at.UnixNano(), 10))
	}
	method := l.T("receipt.collection_portal")
	if a.SignMethod == consent.SignInPerson {
		method = l.T("receipt.collection_in_person")
	}
	purpose := l.T("receipt.purpose_therapeutic")
	if a.Intent == catalogue.Sensual {
		purpose = l.T("receipt.purpose_sensual")
	}
	c := in.Controller
	return Receipt{
		Version:          ReceiptVersion,
		Jurisdiction:     in.Jurisdiction,
		ConsentTimestamp: at.Unix(),
		CollectionMethod: method,
		ConsentReceiptID: id,
		Language:         l.Lang(),
		PIIPrincipalID:   a.ClientID,
		PIIControllers: []PIIController{{
			PIIController: c.Name, Contact: c.Contact, Address: c.Address,
			Email: c.Email, Phone: c.Phone, PIIControllerURL: c.URL,
		}},
		PolicyURL: in.PolicyURL,
		Services: []Service{{
			Service: l.T("receipt.service"),
			Purposes: []Purpose{{
				Purpose:              purpose,
				PurposeCategory:      []string{"core function"},
				ConsentType:          "EXPLICIT",
				PIICategory:          []string{l.T("receipt.pii_health")},
				PrimaryPurpose:       true,
				Termination:          l.T("receipt.termination"),
				ThirdPartyDisclosure: false,
			}},
		}},
		Sensitive: true,
		SPICat:    []string{l.T("receipt.spi_health"), l.T("receipt.spi_sex_life")},
		Holdspace: rec,
	}, nil
}

// latestRevocation returns the latest revocation recorded at or before at
// (any time when at is zero).
func latestRevocation(a *consent.Agreement, at time.Time) (consent.Revocation, bool) {
	var best consent.Revocation
	found := false
	for _, r := range a.Revocations {
		if !at.IsZero() && r.At.After(at) {
			continue
		}
		if !found || !r.At.Before(best.At) {
			best, found = r, true
		}
	}
	return best, found
}

// AgreementHash returns the agreement's content hash: see
// consent.Agreement.ContentHash, the one definition of what was signed.
func AgreementHash(a *consent.Agreement) string { return a.ContentHash() }

// Receipt fallbacks for a practice that has not completed its identity.
const (
	// UnsetJurisdiction is the receipt's jurisdiction while the practice
	// has not set one: the receipt says so rather than guess a law.
	UnsetJurisdiction = "unspecified"
	// unnamedPractice prefixes the controller name while the practice has
	// not set its name: it is identified by its address on the web, and
	// the receipt does not pretend to know its name.
	unnamedPractice = "Unnamed practice at "
)

// PrivacyPath is where a practice publishes its privacy notice, below its
// base URL.
const PrivacyPath = "/privacy"

// ReceiptPractice returns what a receipt says about the practice, from its
// identity and base URL ("https://practice.example"): the controller (name,
// contact, email, phone, address, URL), the jurisdiction and the policy URL
// (base + PrivacyPath, a page that always exists). A practice without a
// name is "Unnamed practice at <base URL>" (never a made-up name); one
// without a jurisdiction is UnsetJurisdiction. Without a base URL the
// policy URL is the relative PrivacyPath.
func ReceiptPractice(id practice.Identity, base string) (c Controller, jurisdiction, policyURL string) {
	base = strings.TrimRight(strings.TrimSpace(base), "/")
	c = Controller{Name: cleanText(id.Name), Email: cleanText(id.Email), Phone: cleanText(id.Phone), URL: base}
	if c.Name == "" {
		c.Name = unnamedPractice + base
		if base == "" {
			c.Name = "Unnamed practice"
		}
	}
	c.Contact = c.Name
	var lines []string
	for l := range strings.SplitSeq(id.Address, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	c.Address.StreetAddress = strings.Join(lines, ", ")
	jurisdiction = cleanText(id.Jurisdiction)
	if jurisdiction == "" {
		jurisdiction = UnsetJurisdiction
	}
	return c, jurisdiction, base + PrivacyPath
}
