package fhir

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"holdspace"

	"github.com/google/fhir/go/fhirversion"
	"github.com/google/fhir/go/jsonformat"

	"holdspace/consent"
	"holdspace/practice"
)

// The official check: every output is parsed by a FHIR R4 parser generated
// from the official R4 StructureDefinitions (google/fhir), which rejects
// unknown elements, wrong cardinalities, malformed primitives and codes
// outside required bindings.
var (
	r4Once sync.Once
	r4     *jsonformat.Unmarshaller
	r4Err  error
)

func validateR4(tb testing.TB, what string, v any) {
	tb.Helper()
	r4Once.Do(func() { r4, r4Err = jsonformat.NewUnmarshaller("UTC", fhirversion.R4) })
	if r4Err != nil {
		tb.Fatalf("R4 parser: %v", r4Err)
	}
	raw, err := json.Marshal(v)
	if err != nil {
		tb.Fatalf("%s: marshal: %v", what, err)
	}
	if _, err := r4.UnmarshalR4(raw); err != nil {
		tb.Errorf("%s is not valid FHIR R4: %v\n%s", what, err, raw)
	}
}

const testBase = "https://practice.example"

// practiceBundle is fullBundle's content with the practice as the
// Organization that manages the consents, rebased to testBase.
func practiceBundle(tb testing.TB) Bundle {
	tb.Helper()
	org, err := NewOrganization(OrganizationInput{Name: "Quiet Hands Bodywork", Address: "Parkstraße 1\n10115 Berlin",
		Email: "privacy@practice.example", Phone: "+49 30 000000", Jurisdiction: "DE", URL: testBase, PrivacyURL: testBase + PrivacyPath})
	if err != nil {
		tb.Fatal(err)
	}
	a := sampleAgreement()
	a.Revocations = []consent.Revocation{{At: tRef.Add(time.Hour), Regions: []string{"glutes"}, ByRole: "client"}}
	con, err := NewConsent(ConsentInput{Agreement: a, Status: consent.StatusActive, AttestedBy: "prc_x",
		Organization: OrganizationID, PolicyURL: testBase + PrivacyPath})
	if err != nil {
		tb.Fatal(err)
	}
	full := fullBundle(tb)
	res := []any{org, con}
	for _, e := range full.Entry {
		if c, ok := e.Resource.(Consent); ok && c.ID == con.ID {
			continue
		}
		res = append(res, e.Resource)
	}
	b, err := NewBundle("fhir_practice", "", tRef, res...)
	if err != nil {
		tb.Fatal(err)
	}
	return RebaseExtensions(b, testBase)
}

func TestOfficialR4(t *testing.T) {
	b := practiceBundle(t)
	validateR4(t, "Bundle", b)
	for i, e := range b.Entry {
		typ, id, _ := Identify(e.Resource)
		validateR4(t, typ+"/"+id, e.Resource)
		_ = i
	}
	for _, sd := range Definitions(testBase) {
		validateR4(t, "StructureDefinition/"+sd.ID, sd)
	}
	dq, err := DayCheckQuestionnaire()
	if err != nil {
		t.Fatal(err)
	}
	validateR4(t, "day-check Questionnaire", RebaseExtensions(dq, testBase))

	// The check can fail: a Consent with a status outside the required
	// binding is refused.
	bad := decoded(t, b.Entry[1].Resource)
	bad["status"] = "permitted"
	raw, _ := json.Marshal(bad)
	if _, err := r4.UnmarshalR4(raw); err == nil {
		t.Error("the R4 parser accepted an invalid Consent.status")
	}
}

// extensionURLs collects the url of every extension and modifierExtension
// in decoded JSON (not sub-extension urls, which are relative names).
func extensionURLs(v any, out *[]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			if k == "extension" || k == "modifierExtension" {
				for _, e := range jlist(x, k) {
					if u, _ := jget(e, "url").(string); strings.Contains(u, "://") {
						*out = append(*out, u)
					}
				}
			}
			extensionURLs(c, out)
		}
	case []any:
		for _, c := range x {
			extensionURLs(c, out)
		}
	}
}

func TestRebaseExtensions(t *testing.T) {
	raw, err := json.Marshal(practiceBundle(t))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), ".invalid") {
		t.Errorf("a rebased bundle still names the .invalid host: %s", raw)
	}
	var m any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	var urls []string
	extensionURLs(m, &urls)
	seen := map[string]bool{}
	for _, u := range urls {
		seen[u] = true
		if strings.HasPrefix(u, "http://hl7.org/") {
			continue // standard FHIR extensions
		}
		id, ok := strings.CutPrefix(u, testBase+DefinitionPath)
		if !ok {
			t.Errorf("extension %s is neither holdspace's at the practice nor a standard one", u)
			continue
		}
		sd, err := Definition(testBase, id)
		if err != nil || sd.URL != u {
			t.Errorf("extension %s has no definition (%v)", u, err)
		}
	}
	for _, id := range []string{"anatomy", "ask-first", "revocation", "jurisdiction", "sign-method", "attested-by", "supersedes", "session-state", "credential-covers", "sensitive"} {
		if !seen[ExtensionURL(testBase, id)] {
			t.Errorf("the test bundle does not exercise extension %s", id)
		}
	}
	// Without a base nothing changes.
	if b := RebaseExtensions(fullBundle(t), ""); !strings.Contains(mustJSON(t, b), ExtensionBase) {
		t.Error("RebaseExtensions without a base changed the URLs")
	}
}

func mustJSON(tb testing.TB, v any) string {
	tb.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(raw)
}

var definitionName = regexp.MustCompile(`^[A-Z][A-Za-z0-9_]{0,254}$`)

// TestDefinitions checks the StructureDefinitions structurally: one per
// extension constant, url at the practice, a differential whose element
// ids are unique and whose paths are Extension's, the url fixed, and
// ask-first a modifier with its reason.
func TestDefinitions(t *testing.T) {
	consts := []string{ExtAnatomy, ExtCovers, ExtAskFirst, ExtSignMethod, ExtAttestedBy, ExtSupersedes, ExtRevocation,
		ExtSessionState, ExtEndedFor, ExtSensitive, ExtAnatomyCondition, ExtJurisdiction}
	ids := DefinitionIDs()
	if len(ids) != len(consts) {
		t.Errorf("%d definitions for %d extension constants", len(ids), len(consts))
	}
	for _, c := range consts {
		if !slices.Contains(ids, strings.TrimPrefix(c, ExtensionBase)) {
			t.Errorf("extension %s has no StructureDefinition", c)
		}
	}
	for _, sd := range Definitions(testBase) {
		if sd.ResourceType != "StructureDefinition" || !fhirIDPattern.MatchString(sd.ID) || sd.URL != ExtensionURL(testBase, sd.ID) {
			t.Errorf("%s: header %q %q %q", sd.ID, sd.ResourceType, sd.ID, sd.URL)
		}
		if !definitionName.MatchString(sd.Name) || sd.Status != "active" || sd.Kind != "complex-type" || sd.Type != "Extension" ||
			sd.Derivation != "constraint" || sd.BaseDefinition != "http://hl7.org/fhir/StructureDefinition/Extension" || sd.FHIRVersion != "4.0.1" {
			t.Errorf("%s: %+v", sd.ID, sd)
		}
		if len(sd.Context) == 0 || sd.Description == "" {
			t.Errorf("%s: no context or description", sd.ID)
		}
		el := sd.Differential.Element
		if len(el) < 3 || el[0].Path != "Extension" {
			t.Fatalf("%s: differential %v", sd.ID, el)
		}
		seen := map[string]bool{}
		fixed := false
		for _, e := range el {
			if seen[e.ID] {
				t.Errorf("%s: element id %s twice", sd.ID, e.ID)
			}
			seen[e.ID] = true
			if !strings.HasPrefix(e.Path, "Extension") {
				t.Errorf("%s: path %s", sd.ID, e.Path)
			}
			if e.ID == "Extension.url" {
				fixed = e.FixedURI == sd.URL
			}
		}
		if !fixed {
			t.Errorf("%s: Extension.url is not fixed to %s", sd.ID, sd.URL)
		}
		if mod := el[0].IsModifier; mod != (sd.ID == "ask-first") || mod && el[0].IsModifierReason == "" {
			t.Errorf("%s: isModifier %v reason %q", sd.ID, mod, el[0].IsModifierReason)
		}
	}
	if _, err := Definition(testBase, "nope"); err == nil {
		t.Error("an unknown definition was found")
	}
}

func TestNewOrganization(t *testing.T) {
	o, err := NewOrganization(OrganizationInput{Name: " Quiet Hands ", Address: "Parkstraße 1\r\n\r\n10115 Berlin", Email: "p@x.example",
		Jurisdiction: "DE", URL: testBase, PrivacyURL: testBase + "/privacy"})
	if err != nil {
		t.Fatal(err)
	}
	m := decoded(t, o)
	for _, tc := range []struct {
		path []any
		want any
	}{
		{[]any{"resourceType"}, "Organization"},
		{[]any{"id"}, OrganizationID},
		{[]any{"name"}, "Quiet Hands"},
		{[]any{"identifier", 0, "value"}, testBase},
		{[]any{"address", 0, "line", 1}, "10115 Berlin"},
		{[]any{"telecom", 0, "value"}, "p@x.example"},
		{[]any{"telecom", 1, "system"}, "url"},
		{[]any{"extension", 0, "valueCode"}, "DE"},
	} {
		if got := jget(m, tc.path...); got != tc.want {
			t.Errorf("%v = %v, want %v", tc.path, got, tc.want)
		}
	}
	if _, err := NewOrganization(OrganizationInput{}); err == nil {
		t.Error("an organization without name or URL was built")
	} else {
		wantReason(t, err, holdspace.EINVALID, "required", "name")
	}
	// Unnamed but identified by its URL: still valid R4 (org-1).
	o, err = NewOrganization(OrganizationInput{URL: testBase})
	if err != nil {
		t.Fatal(err)
	}
	validateR4(t, "unnamed Organization", RebaseExtensions(o, testBase))
}

func TestReceiptPractice(t *testing.T) {
	c, j, p := ReceiptPractice(practice.Identity{Name: "Quiet Hands", Address: "Parkstraße 1\n10115 Berlin", Email: "p@x.example",
		Phone: "+49 30 1", Jurisdiction: "DE"}, testBase+"/")
	if c.Name != "Quiet Hands" || c.Contact != "Quiet Hands" || c.Email != "p@x.example" || c.Phone != "+49 30 1" ||
		c.URL != testBase || c.Address.StreetAddress != "Parkstraße 1, 10115 Berlin" || j != "DE" || p != testBase+"/privacy" {
		t.Errorf("ReceiptPractice = %+v %q %q", c, j, p)
	}
	// Nothing set: honest fallbacks, never a made-up controller.
	c, j, p = ReceiptPractice(practice.Identity{}, testBase)
	if c.Name != "Unnamed practice at "+testBase || j != UnsetJurisdiction || p != testBase+"/privacy" {
		t.Errorf("fallbacks = %q %q %q", c.Name, j, p)
	}
	a := sampleAgreement()
	r, err := NewReceipt(ReceiptInput{Agreement: a, Event: ConsentSigned, Controller: c, Jurisdiction: j, PolicyURL: p})
	if err != nil {
		t.Fatalf("a receipt from the fallbacks: %v", err)
	}
	if r.PIIControllers[0].PIIController == "holdspace practice" {
		t.Error("the receipt names holdspace as the controller")
	}
}
