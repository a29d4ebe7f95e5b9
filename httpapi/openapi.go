package httpapi

import (
	"encoding"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3gen"

	"holdspace/app"
	"holdspace/httpedge"
)

// operation describes one route for the OpenAPI document.
type operation struct {
	pattern string // "METHOD /path" as registered
	summary string
	auth    bool
	body    any // the zero value of the request type the handler decodes, nil for none
	ok      int // success status
	errors  []int
}

// operations is the API as documented. TestOpenAPICoversRoutes fails when a
// registered route is missing here; contracts (openapi_contract.go) adds
// each operation's id, tag, parameters and response type.
var operations = []operation{
	{"GET /healthz", "Readiness: 200 once migrations are applied", false, nil, 200, []int{503}},
	{"GET /metrics", "Prometheus metrics (loopback callers only)", false, nil, 200, []int{404}},
	{"GET /api/v1/openapi.json", "This document", false, nil, 200, nil},
	{"POST /api/v1/auth/token", "Log in: issue a bearer token", false, tokenRequest{}, 200, []int{400, 401, 429}},
	{"DELETE /api/v1/auth/token", "Revoke the bearer token used", true, nil, 204, nil},
	{"GET /api/v1/me", "Who am I", true, nil, 200, nil},
	{"GET /api/v1/catalogue", "Regions, techniques, intents, answers and credential covers", true, nil, 200, nil},
	{"POST /api/v1/practitioners", "Add a practitioner (admin)", true, practitionerRequest{}, 201, []int{400, 403, 409}},
	{"GET /api/v1/practitioners", "Practitioners visible to the caller", true, nil, 200, nil},
	{"GET /api/v1/practitioners/{id}", "A practitioner with credentials", true, nil, 200, []int{404}},
	{"POST /api/v1/practitioners/{id}/credentials", "Record a credential (admin)", true, app.CredentialInput{}, 201, []int{400, 403, 404}},
	{"POST /api/v1/clients", "Add a client (admin, practitioner)", true, app.ClientInput{}, 201, []int{400, 403, 404, 409}},
	{"GET /api/v1/clients", "Clients visible to the caller, a page at a time (oldest first)", true, nil, 200, []int{400}},
	{"GET /api/v1/clients/{id}", "A client's profile", true, nil, 200, []int{404}},
	{"DELETE /api/v1/clients/{id}", "Erase a client (admin); the audit keeps a tombstone", true, nil, 204, []int{403, 404}},
	{"PUT /api/v1/clients/{id}/practitioners", "Replace a client's practitioners (admin)", true, assignRequest{}, 204, []int{400, 403, 404}},
	{"GET /api/v1/clients/{id}/export", "All data held about the client (admin, the client)", true, nil, 200, []int{403, 404}},
	{"GET /api/v1/clients/{id}/fhir", "FHIR R4 Bundle (collection) of the client's record", true, nil, 200, []int{403, 404}},
	{"GET /api/v1/questionnaires/{name}", "FHIR R4 Questionnaire, e.g. intake-v1", true, nil, 200, []int{404}},
	{"POST /api/v1/clients/{id}/screenings", "Submit intake answers; returns the per-region outcome", true, app.ScreeningInput{}, 201, []int{400, 403, 404, 409}},
	{"GET /api/v1/clients/{id}/screenings", "A client's screenings, newest first", true, nil, 200, []int{403, 404}},
	{"GET /api/v1/clients/{id}/screenings/latest", "The newest screening and the current status", true, nil, 200, []int{403, 404}},
	{"POST /api/v1/clients/{id}/health-changes", "Report a health change: the screening is stale at once", true, app.HealthChangeInput{}, 201, []int{400, 403, 404}},
	{"POST /api/v1/clients/{id}/clearances", "Record a medical clearance for a referral (assigned practitioner)", true, app.ClearanceInput{}, 201, []int{400, 403, 404, 409}},
	{"POST /api/v1/clients/{id}/agreements", "Draft an agreement (client, assigned practitioner)", true, app.AgreementInput{}, 201, []int{400, 403, 404, 409}},
	{"GET /api/v1/clients/{id}/agreements", "Every agreement version with its status, a page at a time", true, nil, 200, []int{400, 403, 404}},
	{"GET /api/v1/agreements/{id}", "One agreement version", true, nil, 200, []int{403, 404}},
	{"POST /api/v1/agreements/{id}/sign", "Sign (the client; or the practitioner in person with the client's typed name)", true, app.SignInput{}, 200, []int{400, 403, 404, 409}},
	{"POST /api/v1/agreements/{id}/revoke", "Withdraw consent for some regions or all, at once", true, app.RevokeInput{}, 200, []int{400, 403, 404, 409}},
	{"GET /api/v1/agreements/{id}/receipt", "Consent receipt (Kantara v1.1 / ISO/IEC TS 27560 spirit)", true, nil, 200, []int{403, 404}},
	{"POST /api/v1/sessions", "Book a session (admin, assigned practitioner)", true, app.SessionInput{}, 201, []int{400, 403, 404, 409}},
	{"GET /api/v1/sessions", "Sessions the caller takes part in", true, nil, 200, []int{400}},
	{"GET /api/v1/sessions/{id}", "One session", true, nil, 200, []int{403, 404}},
	{"POST /api/v1/sessions/{id}/events", "Record a session event; 409 if it does not fit the state", true, app.EventInput{}, 201, []int{400, 403, 404, 409}},
	{"GET /api/v1/sessions/{id}/events", "A session's events", true, nil, 200, []int{403, 404}},
	{"GET /api/v1/sessions/{id}/board", "The decision for every region and technique now", true, nil, 200, []int{403, 404}},
	{"GET /api/v1/sessions/{id}/stream", "Server-Sent Events: the session's live state", true, nil, 200, []int{403, 404}},
	{"POST /api/v1/decisions", "Permit, ask or deny, with reasons", true, app.DecideInput{}, 200, []int{400, 403, 404}},
	{"GET /api/v1/audit", "The audit log (admin)", true, nil, 200, []int{400, 403}},
	{"POST /api/v1/clients/{id}/stop", "The client's STOP: stop every live session of theirs (the client)", true, emptyRequest{}, 200, []int{403, 404}},
	{"POST /api/v1/screenings/{id}/confirm", "The client confirms a screening someone else entered (the client; or the practitioner in person with the client's typed name)", true,
		app.ConfirmScreeningInput{}, 200, []int{400, 403, 404, 409}},
	{"GET /api/v1/clients/{id}/consent-history", "Every agreement version, with who made and signed it", true, nil, 200, []int{403, 404}},
	{"POST /api/v1/clients/{id}/consent-history/seen", "The client has seen every version shown to them (the client)", true, emptyRequest{}, 200, []int{403, 404}},
}

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

// OpenAPIVersion is the version of the OpenAPI specification the document
// follows (api.md: OpenAPI 3.1).
const OpenAPIVersion = "3.1.0"

var (
	docOnce sync.Once
	docJSON []byte
	docErr  error
)

// OpenAPIJSON returns the OpenAPI document as JSON, built once.
func OpenAPIJSON() ([]byte, error) {
	docOnce.Do(func() {
		var doc *openapi3.T
		if doc, docErr = BuildOpenAPI(); docErr == nil {
			docJSON, docErr = json.Marshal(doc)
		}
	})
	return docJSON, docErr
}

// BuildOpenAPI builds the OpenAPI 3.1 document of the API. Request and
// response schemas are generated by reflection (openapi3gen) from the Go
// types the handlers decode and encode; every status a handler can return
// is listed, with the error body's schema.
func BuildOpenAPI() (*openapi3.T, error) {
	// Requests and responses get their own recursive components (a
	// response's members are required, a request's are not).
	reqSchemas, respSchemas := openapi3.Schemas{}, openapi3.Schemas{}
	reqGen := newSchemaGen(false, reqSchemas)
	respGen := newSchemaGen(true, respSchemas)
	errSchema, err := respGen.schema(httpedge.ErrorBody{})
	if err != nil {
		return nil, err
	}
	doc := &openapi3.T{
		OpenAPI: OpenAPIVersion,
		Info: &openapi3.Info{Title: "holdspace API", Version: "1",
			Description: "Consent, screening and session records for intimate and pelvic bodywork. Times are RFC 3339 UTC; ids are opaque strings. " +
				"Every error is the Error schema: error.code is a stable snake_case reason, error.field the first input at fault, and error.problems, " +
				"when a request has several problems, every one of them."},
		Paths: openapi3.NewPaths(),
		Components: &openapi3.Components{
			SecuritySchemes: openapi3.SecuritySchemes{"bearer": &openapi3.SecuritySchemeRef{
				Value: openapi3.NewSecurityScheme().WithType("http").WithScheme("bearer")}},
			Schemas:   openapi3.Schemas{"Error": errSchema},
			Responses: openapi3.ResponseBodies{},
		},
	}
	errRef := func(status int) *openapi3.ResponseRef {
		name := "E" + strconv.Itoa(status)
		if _, ok := doc.Components.Responses[name]; !ok {
			doc.Components.Responses[name] = &openapi3.ResponseRef{Value: openapi3.NewResponse().
				WithDescription(http.StatusText(status)).
				WithContent(openapi3.NewContentWithJSONSchemaRef(openapi3.NewSchemaRef("#/components/schemas/Error", nil)))}
		}
		return &openapi3.ResponseRef{Ref: "#/components/responses/" + name}
	}
	tags := map[string]bool{}
	for _, op := range operations {
		c, ok := contracts[op.pattern]
		if !ok {
			return nil, fmt.Errorf("openapi: %s has no contract", op.pattern)
		}
		method, path, _ := strings.Cut(op.pattern, " ")
		o := &openapi3.Operation{OperationID: c.id, Summary: op.summary, Description: c.note, Tags: []string{c.tag}, Responses: openapi3.NewResponses()}
		tags[c.tag] = true
		// The success response, from the Go type the handler writes.
		ok2 := openapi3.NewResponse().WithDescription(http.StatusText(op.ok))
		switch {
		case op.ok == http.StatusNoContent:
		case c.media != "" && c.resp == nil:
			ok2.WithContent(openapi3.NewContentWithSchema(openapi3.NewStringSchema(), []string{c.media}))
		case c.resp != nil:
			s, err := respGen.schema(c.resp)
			if err != nil {
				return nil, fmt.Errorf("openapi: %s response: %w", op.pattern, err)
			}
			media := c.media
			if media == "" {
				media = "application/json"
			}
			ok2.WithContent(openapi3.NewContentWithSchemaRef(s, []string{media}))
		default:
			return nil, fmt.Errorf("openapi: %s has no response type", op.pattern)
		}
		o.Responses.Set(strconv.Itoa(op.ok), &openapi3.ResponseRef{Value: ok2})
		for _, st := range statusesOf(op) {
			if c.plainErrors {
				o.Responses.Set(strconv.Itoa(st), &openapi3.ResponseRef{Value: openapi3.NewResponse().WithDescription(http.StatusText(st)).
					WithContent(openapi3.NewContentWithSchema(openapi3.NewStringSchema(), []string{"text/plain"}))})
				continue
			}
			o.Responses.Set(strconv.Itoa(st), errRef(st))
		}
		if op.auth {
			o.Security = &openapi3.SecurityRequirements{openapi3.SecurityRequirement{"bearer": []string{}}}
		} else {
			o.Security = &openapi3.SecurityRequirements{}
		}
		for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
			p := openapi3.NewPathParameter(m[1]).WithSchema(openapi3.NewStringSchema())
			o.Parameters = append(o.Parameters, &openapi3.ParameterRef{Value: p})
		}
		for _, q := range c.query {
			p := openapi3.NewQueryParameter(q.name).WithSchema(q.schema)
			p.Description = q.doc
			o.Parameters = append(o.Parameters, &openapi3.ParameterRef{Value: p})
		}
		if op.body != nil {
			s, err := reqGen.schema(op.body)
			if err != nil {
				return nil, fmt.Errorf("openapi: %s request: %w", op.pattern, err)
			}
			if len(c.required) > 0 {
				s.Value.Required = c.required
			}
			rb := openapi3.NewRequestBody().WithContent(openapi3.NewContentWithJSONSchemaRef(s))
			rb.Required = !c.optionalBody
			o.RequestBody = &openapi3.RequestBodyRef{Value: rb}
		}
		doc.AddOperation(path, method, o)
	}
	for name, sc := range respSchemas {
		doc.Components.Schemas[name] = sc
	}
	for name := range reqSchemas {
		if _, ok := respSchemas[name]; ok {
			return nil, fmt.Errorf("openapi: recursive type %s is both read and written; name its request schema apart", name)
		}
		doc.Components.Schemas[name] = reqSchemas[name]
	}
	for _, t := range slices.Sorted(maps.Keys(tags)) {
		doc.Tags = append(doc.Tags, &openapi3.Tag{Name: t})
	}
	return doc, nil
}

// statusesOf lists every non-success status an operation can answer: its
// own, 401 when it authenticates, 400/413/415 when it decodes a body (a
// malformed, too large or non-JSON body) and 500 for any.
func statusesOf(op operation) []int {
	st := slices.Clone(op.errors)
	if op.auth {
		st = append(st, http.StatusUnauthorized)
	}
	if op.body != nil {
		st = append(st, http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType)
	}
	st = append(st, http.StatusInternalServerError)
	slices.Sort(st)
	return slices.Compact(st)
}

// schemaGen generates JSON Schemas from Go types with openapi3gen, as
// encoding/json reads and writes them: a nil slice, map or pointer is
// null; a struct admits no member it does not declare (decode refuses
// unknown members; encode writes none). For responses, every member
// without omitempty/omitzero is required, for the encoder always writes it.
type schemaGen struct {
	resp bool
	gen  *openapi3gen.Generator
	// components receives the schemas of recursive types, which are
	// referred to by name.
	components openapi3.Schemas
}

func newSchemaGen(resp bool, components openapi3.Schemas) *schemaGen {
	g := &schemaGen{resp: resp, components: components}
	g.gen = openapi3gen.NewGenerator(openapi3gen.UseAllExportedFields(), openapi3gen.SchemaCustomizer(g.customize))
	return g
}

func (g *schemaGen) schema(v any) (*openapi3.SchemaRef, error) {
	return g.gen.NewSchemaRefForValue(v, g.components)
}

var (
	jsonMarshaler = reflect.TypeFor[json.Marshaler]()
	textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
)

func implements(t, iface reflect.Type) bool {
	return t.Implements(iface) || reflect.PointerTo(t).Implements(iface)
}

func (g *schemaGen) customize(name string, t reflect.Type, tag reflect.StructTag, s *openapi3.Schema) error {
	shape, shaped := marshalShapes[t]
	if shaped {
		// A type with its own MarshalJSON: describe what it writes.
		ref, err := newSchemaGen(g.resp, g.components).schema(shape)
		if err != nil {
			return err
		}
		nullable := s.Nullable
		*s = *ref.Value
		s.Nullable = nullable
	} else if implements(t, textMarshaler) && !implements(t, jsonMarshaler) {
		// encoding/json writes a TextMarshaler as a JSON string.
		*s = openapi3.Schema{Type: &openapi3.Types{"string"}, Nullable: s.Nullable}
	} else if implements(t, jsonMarshaler) {
		if t.Kind() == reflect.Struct && t != reflect.TypeFor[time.Time]() {
			return fmt.Errorf("openapi: %s has its own MarshalJSON; add its shape to marshalShapes", t)
		}
	}
	switch t.Kind() {
	case reflect.Struct:
		if s.Properties != nil {
			s.AdditionalProperties = openapi3.AdditionalProperties{Has: new(false)}
			if g.resp && shaped {
				s.Required = alwaysWritten(reflect.TypeOf(shape))
			} else if g.resp {
				s.Required = alwaysWritten(t)
			}
		}
	case reflect.Slice, reflect.Map:
		if !(t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8) {
			s.Nullable = true
		}
	}
	if s.Nullable && s.Type != nil && !s.Type.Includes("null") {
		*s.Type = append(*s.Type, "null")
	}
	// OpenAPI 3.1 has no nullable keyword: null is in the type list.
	s.Nullable = false
	return nil
}

// alwaysWritten lists the JSON names of t's members that encoding/json
// always writes: those without omitempty or omitzero, embedded structs'
// members included.
func alwaysWritten(t reflect.Type) []string {
	var out []string
	for f := range t.Fields() {
		tag, hasTag := f.Tag.Lookup("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" && opts == "" || !f.IsExported() && !f.Anonymous {
			continue
		}
		if f.Anonymous && name == "" {
			et := f.Type
			if et.Kind() == reflect.Pointer {
				continue // may be nil: its members may be absent
			}
			if et.Kind() == reflect.Struct {
				out = append(out, alwaysWritten(et)...)
				continue
			}
		}
		if !hasTag && !f.IsExported() {
			continue
		}
		if slices.Contains(strings.Split(opts, ","), "omitempty") || slices.Contains(strings.Split(opts, ","), "omitzero") {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, name)
	}
	return out
}

func (s *Server) openapi(w http.ResponseWriter, r *http.Request) error {
	b, err := OpenAPIJSON()
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(b)
	return err
}
