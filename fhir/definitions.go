package fhir

import (
	"reflect"
	"slices"
	"strings"

	"holdspace"
)

// DefinitionPath is where a practice serves holdspace's StructureDefinitions,
// below its base URL: GET <base>/fhir/StructureDefinition/<id>.
const DefinitionPath = "/fhir/StructureDefinition/"

// ExtensionURL returns the canonical URL of the holdspace extension id at
// the practice whose base URL is base ("https://practice.example"): base +
// DefinitionPath + id. Without a base it is ExtensionBase + id.
func ExtensionURL(base, id string) string {
	base = strings.TrimRight(base, "/")
	if base == "" {
		return ExtensionBase + id
	}
	return base + DefinitionPath + id
}

// RebaseExtensions returns v with every holdspace extension URL
// (ExtensionBase + id, as this package's constructors write them) replaced
// by ExtensionURL(base, id), so that each one resolves to its
// StructureDefinition at the practice. v is any value of this package's
// resource types or a Bundle of them; every member tagged json:"url" of a
// struct it holds is considered, through pointers, slices and interfaces.
// Slices in v are rewritten in place; values inside interfaces are copied.
// With an empty base v is returned as it is.
func RebaseExtensions[T any](v T, base string) T {
	if strings.TrimRight(base, "/") == "" {
		return v
	}
	rv := reflect.ValueOf(&v).Elem()
	rebase(rv, ExtensionURL(base, ""))
	return v
}

func rebase(v reflect.Value, prefix string) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			rebase(v.Elem(), prefix)
		}
	case reflect.Interface:
		if v.IsNil() {
			return
		}
		e := v.Elem()
		c := reflect.New(e.Type()).Elem()
		c.Set(e)
		rebase(c, prefix)
		v.Set(c)
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			fv := v.Field(i)
			if f.Type.Kind() == reflect.String && f.Tag.Get("json") == "url" {
				if s, ok := strings.CutPrefix(fv.String(), ExtensionBase); ok {
					fv.SetString(prefix + s)
				}
				continue
			}
			rebase(fv, prefix)
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return // bytes (json.RawMessage) hold no extension
		}
		for i := range v.Len() {
			rebase(v.Index(i), prefix)
		}
	}
}

// StructureDefinition is a FHIR R4 StructureDefinition of an extension.
type StructureDefinition struct {
	ResourceType   string             `json:"resourceType"`
	ID             string             `json:"id"`
	URL            string             `json:"url"`
	Name           string             `json:"name"`
	Title          string             `json:"title"`
	Status         string             `json:"status"`
	Publisher      string             `json:"publisher,omitempty"`
	Description    string             `json:"description"`
	FHIRVersion    string             `json:"fhirVersion"`
	Kind           string             `json:"kind"`
	Abstract       bool               `json:"abstract"`
	Context        []ExtensionContext `json:"context"`
	Type           string             `json:"type"`
	BaseDefinition string             `json:"baseDefinition"`
	Derivation     string             `json:"derivation"`
	Differential   Differential       `json:"differential"`
}

// ExtensionContext is StructureDefinition.context: where the extension may
// appear.
type ExtensionContext struct {
	Type       string `json:"type"`
	Expression string `json:"expression"`
}

// Differential is StructureDefinition.differential.
type Differential struct {
	Element []ElementDefinition `json:"element"`
}

// ElementDefinition is the part of a FHIR ElementDefinition that extension
// definitions use.
type ElementDefinition struct {
	ID               string        `json:"id"`
	Path             string        `json:"path"`
	SliceName        string        `json:"sliceName,omitempty"`
	Short            string        `json:"short,omitempty"`
	Definition       string        `json:"definition,omitempty"`
	Min              *int          `json:"min,omitempty"`
	Max              string        `json:"max,omitempty"`
	Type             []ElementType `json:"type,omitempty"`
	FixedURI         string        `json:"fixedUri,omitempty"`
	IsModifier       bool          `json:"isModifier,omitempty"`
	IsModifierReason string        `json:"isModifierReason,omitempty"`
}

// ElementType is ElementDefinition.type.
type ElementType struct {
	Code          string   `json:"code"`
	TargetProfile []string `json:"targetProfile,omitempty"`
}

func (s StructureDefinition) header() (string, string) { return s.ResourceType, s.ID }

// extValue describes the value of a simple extension, or of one
// sub-extension of a complex one.
type extValue struct {
	name     string // sub-extension url; "" for a simple extension
	short    string
	typ      string // FHIR type code: boolean, code, dateTime, Reference
	target   string // Reference target resource type
	min      int
	max      string
	modifier string // isModifierReason; "" when not a modifier
}

// extDef is the source of one holdspace extension definition.
type extDef struct {
	id, name, title, description string
	contexts                     []string
	value                        *extValue  // a simple extension
	parts                        []extValue // a complex extension
	modifier                     string     // isModifierReason of a modifier extension
}

// extensionDefs lists every extension holdspace writes.
var extensionDefs = []extDef{
	{id: "anatomy", name: "Anatomy", title: "Recorded anatomy",
		description: "The anatomy a client recorded, so that regions and questions that do not apply are not offered. Never a gender.",
		contexts:    []string{"Patient"},
		parts: []extValue{
			{name: "prostate", short: "Has a prostate", typ: "boolean", min: 1, max: "1"},
			{name: "vagina", short: "Has a vagina", typ: "boolean", min: 1, max: "1"},
			{name: "breasts", short: "Has breasts", typ: "boolean", min: 1, max: "1"},
		}},
	{id: "credential-covers", name: "CredentialCovers", title: "Credential coverage",
		description: "One credential coverage code (urn:holdspace:cover) of a practitioner's qualification: which scope groups of regions the credential lets them work on.",
		contexts:    []string{"Practitioner.qualification"},
		value:       &extValue{short: "Coverage code", typ: "code", min: 1, max: "1"}},
	{id: "ask-first", name: "AskFirst", title: "Ask me first, every time",
		description: "On a permit provision: the client answered \"ask me first, every time\". The permit holds only when the practitioner has asked during the session and the client has said yes at that moment; otherwise the provision permits nothing.",
		contexts:    []string{"Consent.provision"},
		value:       &extValue{short: "Always true: the permit is conditional", typ: "boolean", min: 1, max: "1"},
		modifier:    "Turns the permit into a conditional one: without the client's yes at the time of asking nothing is permitted. A system that ignored it would read an unconditional permit."},
	{id: "sign-method", name: "SignMethod", title: "How the agreement was signed",
		description: "\"client\" when the client signed in their portal, \"in_person\" when a practitioner attested an in-person signature.",
		contexts:    []string{"Consent"},
		value:       &extValue{short: "client | in_person", typ: "code", min: 1, max: "1"}},
	{id: "attested-by", name: "AttestedBy", title: "Attested by",
		description: "The practitioner who attested an in-person signature.",
		contexts:    []string{"Consent"},
		value:       &extValue{short: "The attesting practitioner", typ: "Reference", target: "Practitioner", min: 1, max: "1"}},
	{id: "supersedes", name: "Supersedes", title: "Supersedes",
		description: "The earlier version of the agreement that this version replaces.",
		contexts:    []string{"Consent"},
		value:       &extValue{short: "The replaced Consent", typ: "Reference", target: "Consent", min: 1, max: "1"}},
	{id: "revocation", name: "Revocation", title: "Revocation",
		description: "One recorded revocation: when, which regions (none listed: the whole agreement) and by whom (role).",
		contexts:    []string{"Consent"},
		parts: []extValue{
			{name: "at", short: "When it was revoked", typ: "dateTime", min: 1, max: "1"},
			{name: "region", short: "A withdrawn region (urn:holdspace:region)", typ: "code", min: 0, max: "*"},
			{name: "byRole", short: "Who withdrew it: client, practitioner or admin", typ: "code", min: 0, max: "1"},
		}},
	{id: "jurisdiction", name: "Jurisdiction", title: "Data-protection jurisdiction",
		description: "The ISO 3166 code (country, optionally with a subdivision, such as \"DE\" or \"US-CA\") of the law the practice's data protection follows.",
		contexts:    []string{"Organization"},
		value:       &extValue{short: "ISO 3166 code", typ: "code", min: 1, max: "1"}},
	{id: "session-state", name: "SessionState", title: "Session state",
		description: "The holdspace session state, finer than Encounter.status (for example \"stopped\").",
		contexts:    []string{"Encounter"},
		value:       &extValue{short: "Session state", typ: "code", min: 1, max: "1"}},
	{id: "ended-for", name: "EndedFor", title: "Ended for",
		description: "\"capacity\" or \"illness\" when the session ended because the client's day check said they were not clear-headed or were unwell (not a no-show).",
		contexts:    []string{"Encounter"},
		value:       &extValue{short: "capacity | illness", typ: "code", min: 1, max: "1"}},
	{id: "sensitive", name: "Sensitive", title: "Sensitive answer",
		description: "On a Questionnaire item: the answer is stored encrypted (free text, trauma history).",
		contexts:    []string{"Questionnaire.item"},
		value:       &extValue{short: "Always true", typ: "boolean", min: 1, max: "1"}},
	{id: "anatomy-condition", name: "AnatomyCondition", title: "Shown for an anatomy",
		description: "On a Questionnaire item: \"prostate\", \"vagina\" or \"breasts\" when the item is shown only to clients with that anatomy (answers from others are still accepted).",
		contexts:    []string{"Questionnaire.item"},
		value:       &extValue{short: "prostate | vagina | breasts", typ: "code", min: 1, max: "1"}},
}

// DefinitionIDs returns the id of every holdspace extension, in definition
// order.
func DefinitionIDs() []string {
	ids := make([]string, len(extensionDefs))
	for i, d := range extensionDefs {
		ids[i] = d.id
	}
	return ids
}

// Definition returns the StructureDefinition of the holdspace extension id
// as published at the practice whose base URL is base (its url is
// ExtensionURL(base, id)). Errors: ENOTFOUND for an unknown id.
func Definition(base, id string) (StructureDefinition, error) {
	i := slices.IndexFunc(extensionDefs, func(d extDef) bool { return d.id == id })
	if i < 0 {
		return StructureDefinition{}, holdspace.NotFound("structure definition")
	}
	return extensionDefs[i].build(base), nil
}

// Definitions returns the StructureDefinition of every holdspace extension.
func Definitions(base string) []StructureDefinition {
	out := make([]StructureDefinition, len(extensionDefs))
	for i, d := range extensionDefs {
		out[i] = d.build(base)
	}
	return out
}

func intPtr(n int) *int { return &n }

func (d extDef) build(base string) StructureDefinition {
	url := ExtensionURL(base, d.id)
	sd := StructureDefinition{
		ResourceType: "StructureDefinition", ID: d.id, URL: url, Name: d.name, Title: d.title,
		Status: "active", Publisher: "holdspace", Description: d.description, FHIRVersion: "4.0.1",
		Kind: "complex-type", Type: "Extension",
		BaseDefinition: "http://hl7.org/fhir/StructureDefinition/Extension", Derivation: "constraint",
	}
	for _, c := range d.contexts {
		sd.Context = append(sd.Context, ExtensionContext{Type: "element", Expression: c})
	}
	root := ElementDefinition{ID: "Extension", Path: "Extension", Short: d.title, Definition: d.description}
	if d.modifier != "" {
		root.IsModifier, root.IsModifierReason = true, d.modifier
	}
	el := []ElementDefinition{root}
	if d.value != nil {
		el = append(el,
			ElementDefinition{ID: "Extension.extension", Path: "Extension.extension", Max: "0"},
			ElementDefinition{ID: "Extension.url", Path: "Extension.url", FixedURI: url},
			valueElement("Extension", *d.value))
	} else {
		for _, p := range d.parts {
			sub := "Extension.extension:" + p.name
			el = append(el,
				ElementDefinition{ID: sub, Path: "Extension.extension", SliceName: p.name, Short: p.short, Min: intPtr(p.min), Max: p.max},
				ElementDefinition{ID: sub + ".extension", Path: "Extension.extension.extension", Max: "0"},
				ElementDefinition{ID: sub + ".url", Path: "Extension.extension.url", FixedURI: p.name},
				valueElement(sub, p))
		}
		el = append(el,
			ElementDefinition{ID: "Extension.url", Path: "Extension.url", FixedURI: url},
			ElementDefinition{ID: "Extension.value[x]", Path: "Extension.value[x]", Max: "0"})
	}
	sd.Differential.Element = el
	return sd
}

// valueElement is the value[x] element of an extension (id prefix) whose
// value is v.
func valueElement(prefix string, v extValue) ElementDefinition {
	t := ElementType{Code: v.typ}
	if v.target != "" {
		t.TargetProfile = []string{"http://hl7.org/fhir/StructureDefinition/" + v.target}
	}
	path := "Extension.value[x]"
	if prefix != "Extension" {
		path = "Extension.extension.value[x]"
	}
	return ElementDefinition{ID: prefix + ".value[x]", Path: path, Short: v.short, Min: intPtr(1), Type: []ElementType{t}}
}
