package fhir

import (
	"strings"

	"holdspace"
)

// ExtJurisdiction on Organization: valueCode, the ISO 3166 code (country,
// optionally "-" subdivision) of the law the practice's data protection
// follows, e.g. "DE" or "US-CA".
const ExtJurisdiction = ExtensionBase + "jurisdiction"

// OrganizationID is the logical id of the practice's Organization in a
// bundle.
const OrganizationID = "practice"

// SystemURI is the identifier system of identifiers that are URIs.
const SystemURI = "urn:ietf:rfc:3986"

// OrganizationInput is the practice as NewOrganization needs it (see
// practice.Identity). Address is the postal address, one line per line.
type OrganizationInput struct {
	Name         string
	Address      string
	Email        string
	Phone        string
	Jurisdiction string
	// URL is the practice's base URL; it identifies the practice when it
	// has not set a name.
	URL string
	// PrivacyURL is the absolute URL of the practice's privacy notice.
	PrivacyURL string
}

// Organization is a FHIR R4 Organization: the practice, the data
// controller of every record in a bundle.
type Organization struct {
	ResourceType string         `json:"resourceType"`
	ID           string         `json:"id"`
	Extension    []Extension    `json:"extension,omitempty"`
	Identifier   []Identifier   `json:"identifier,omitempty"`
	Active       bool           `json:"active"`
	Name         string         `json:"name,omitempty"`
	Telecom      []ContactPoint `json:"telecom,omitempty"`
	Address      []Address      `json:"address,omitempty"`
}

// Address is a FHIR Address: the free text and its lines.
type Address struct {
	Text string   `json:"text,omitempty"`
	Line []string `json:"line,omitempty"`
}

func (o Organization) header() (string, string) { return o.ResourceType, o.ID }

// NewOrganization maps the practice to a FHIR Organization with id
// OrganizationID: identifier (system urn:ietf:rfc:3986) the base URL, name,
// telecom (email, phone, and the privacy notice as a url), the address
// and ExtJurisdiction. Invariant org-1 needs a name or an identifier.
// Errors: EINVALID "required" (field "name") when neither the name nor the
// URL is set.
func NewOrganization(in OrganizationInput) (Organization, error) {
	o := Organization{ResourceType: "Organization", ID: OrganizationID, Active: true, Name: cleanText(in.Name)}
	if u := cleanText(in.URL); u != "" {
		o.Identifier = []Identifier{{System: SystemURI, Value: u}}
	}
	if o.Name == "" && len(o.Identifier) == 0 {
		return Organization{}, holdspace.Invalid("required", "name", "The practice needs a name or a URL.")
	}
	for _, c := range []ContactPoint{{System: "email", Value: in.Email}, {System: "phone", Value: in.Phone}, {System: "url", Value: in.PrivacyURL}} {
		if c.Value = cleanText(c.Value); c.Value != "" {
			o.Telecom = append(o.Telecom, c)
		}
	}
	if a := strings.TrimSpace(strings.ReplaceAll(in.Address, "\r\n", "\n")); a != "" {
		addr := Address{Text: a}
		for l := range strings.SplitSeq(a, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				addr.Line = append(addr.Line, l)
			}
		}
		o.Address = []Address{addr}
	}
	if j := cleanText(in.Jurisdiction); j != "" {
		o.Extension = []Extension{{URL: ExtJurisdiction, ValueCode: j}}
	}
	return o, nil
}
