package httpapi

import (
	"net/http"
	"regexp"
	"strings"
)

// operation describes one route for the OpenAPI document.
type operation struct {
	pattern string // "METHOD /path" as registered
	summary string
	auth    bool
	body    map[string]any // request schema, nil for none
	ok      int            // success status
	errors  []int
}

func obj(props map[string]any, required ...string) map[string]any {
	m := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		m["required"] = required
	}
	return m
}

var (
	str     = map[string]any{"type": "string"}
	boolean = map[string]any{"type": "boolean"}
	integer = map[string]any{"type": "integer"}
	strs    = map[string]any{"type": "array", "items": str}
	date    = map[string]any{"type": "string", "format": "date"}
	anyObj  = map[string]any{"type": "object"}
)

// operations is the API as documented. TestOpenAPICoversRoutes fails when a
// registered route is missing here.
var operations = []operation{
	{"GET /healthz", "Readiness: 200 once migrations are applied", false, nil, 200, []int{503}},
	{"GET /metrics", "Prometheus metrics (loopback callers only)", false, nil, 200, []int{404}},
	{"GET /api/v1/openapi.json", "This document", false, nil, 200, nil},
	{"POST /api/v1/auth/token", "Log in: issue a bearer token", false,
		obj(map[string]any{"email": str, "password": str, "otp": str, "device": str}, "email", "password"), 200, []int{400, 401, 413, 415, 429}},
	{"DELETE /api/v1/auth/token", "Revoke the bearer token used", true, nil, 204, nil},
	{"GET /api/v1/me", "Who am I", true, nil, 200, nil},
	{"GET /api/v1/catalogue", "Regions, techniques, intents, answers and credential covers", true, nil, 200, nil},
	{"POST /api/v1/practitioners", "Add a practitioner (admin)", true,
		obj(map[string]any{"name": str, "email": str, "password": str}, "name", "email"), 201, []int{400, 403, 409}},
	{"GET /api/v1/practitioners", "Practitioners visible to the caller", true, nil, 200, nil},
	{"GET /api/v1/practitioners/{id}", "A practitioner with credentials", true, nil, 200, []int{404}},
	{"POST /api/v1/practitioners/{id}/credentials", "Record a credential (admin)", true,
		obj(map[string]any{"kind": str, "issuer": str, "number": str, "valid_from": str, "valid_until": str, "covers": strs},
			"kind", "issuer", "valid_from", "valid_until"), 201, []int{400, 403, 404}},
	{"POST /api/v1/clients", "Add a client (admin, practitioner)", true,
		obj(map[string]any{"name": str, "email": str, "password": str, "birth_date": date, "notes": str,
			"anatomy":          obj(map[string]any{"prostate": boolean, "vagina": boolean, "breasts": boolean}),
			"practitioner_ids": strs}, "name", "email", "birth_date"), 201, []int{400, 403, 409}},
	{"GET /api/v1/clients", "Clients visible to the caller", true, nil, 200, nil},
	{"GET /api/v1/clients/{id}", "A client's profile", true, nil, 200, []int{404}},
	{"DELETE /api/v1/clients/{id}", "Erase a client (admin); the audit keeps a tombstone", true, nil, 204, []int{403, 404}},
	{"PUT /api/v1/clients/{id}/practitioners", "Replace a client's practitioners (admin)", true,
		obj(map[string]any{"practitioner_ids": strs}, "practitioner_ids"), 204, []int{400, 403, 404}},
	{"GET /api/v1/clients/{id}/export", "All data held about the client (admin, the client)", true, nil, 200, []int{403, 404}},
	{"GET /api/v1/clients/{id}/fhir", "FHIR R4 Bundle (collection) of the client's record", true, nil, 200, []int{404}},
	{"GET /api/v1/questionnaires/{name}", "FHIR R4 Questionnaire, e.g. intake-v1", true, nil, 200, []int{404}},
	{"POST /api/v1/clients/{id}/screenings", "Submit intake answers; returns the per-region outcome", true,
		obj(map[string]any{"questionnaire": str, "answers": anyObj}, "answers"), 201, []int{400, 404}},
	{"GET /api/v1/clients/{id}/screenings", "A client's screenings, newest first", true, nil, 200, []int{404}},
	{"GET /api/v1/clients/{id}/screenings/latest", "The newest screening and the current status", true, nil, 200, []int{404}},
	{"POST /api/v1/clients/{id}/health-changes", "Report a health change: the screening is stale at once", true,
		obj(map[string]any{"note": str}), 201, []int{400, 404}},
	{"POST /api/v1/clients/{id}/clearances", "Record a medical clearance for a referral (assigned practitioner)", true,
		obj(map[string]any{"rule": str, "cleared_by": str, "cleared_on": date, "note": str}, "rule", "cleared_by", "cleared_on"), 201, []int{400, 403, 404, 409}},
	{"POST /api/v1/clients/{id}/agreements", "Draft an agreement (client, assigned practitioner)", true,
		obj(map[string]any{"intent": map[string]any{"type": "string", "enum": []string{"therapeutic", "sensual"}},
			"grants": map[string]any{"type": "array", "items": obj(map[string]any{"region": str, "technique": str,
				"answer": map[string]any{"type": "string", "enum": []string{"yes", "ask", "no"}}}, "region", "technique", "answer")},
			"valid_until": str}, "intent", "grants"), 201, []int{400, 403, 404}},
	{"GET /api/v1/clients/{id}/agreements", "Every agreement version with its status", true, nil, 200, []int{404}},
	{"GET /api/v1/agreements/{id}", "One agreement version", true, nil, 200, []int{404}},
	{"POST /api/v1/agreements/{id}/sign", "Sign (the client; or the practitioner in person with the client's typed name)", true,
		obj(map[string]any{"in_person": boolean, "client_typed_name": str}), 200, []int{400, 403, 404, 409}},
	{"POST /api/v1/agreements/{id}/revoke", "Withdraw consent for some regions or all, at once", true,
		obj(map[string]any{"regions": strs}), 200, []int{400, 403, 404, 409}},
	{"GET /api/v1/agreements/{id}/receipt", "Consent receipt (Kantara v1.1 / ISO/IEC TS 27560 spirit)", true, nil, 200, []int{404}},
	{"POST /api/v1/sessions", "Book a session (admin, assigned practitioner)", true,
		obj(map[string]any{"client_id": str, "practitioner_id": str, "intent": str, "starts_at": str, "duration_minutes": integer}, "client_id", "intent", "starts_at"), 201, []int{400, 403, 404}},
	{"GET /api/v1/sessions", "Sessions the caller takes part in", true, nil, 200, []int{400}},
	{"GET /api/v1/sessions/{id}", "One session", true, nil, 200, []int{404}},
	{"POST /api/v1/sessions/{id}/events", "Record a session event; 409 if it does not fit the state", true,
		obj(map[string]any{"type": str, "region": str, "answer": str, "intensity": integer, "text": str, "kind": str,
			"agreement_id": str, "chaperone": obj(map[string]any{"offered": boolean, "accepted": boolean, "name": str}),
			"close": anyObj, "today": obj(map[string]any{"clear_headed": boolean, "unwell": boolean, "changes": boolean},
				"clear_headed", "unwell", "changes"),
			"wellbeing": integer}, "type"), 201, []int{400, 403, 404, 409}},
	{"GET /api/v1/sessions/{id}/events", "A session's events", true, nil, 200, []int{404}},
	{"GET /api/v1/sessions/{id}/board", "The decision for every region and technique now", true, nil, 200, []int{404}},
	{"GET /api/v1/sessions/{id}/stream", "Server-Sent Events: the session's live state", true, nil, 200, []int{404}},
	{"POST /api/v1/decisions", "Permit, ask or deny, with reasons", true,
		obj(map[string]any{"session_id": str, "region": str, "technique": str}, "session_id", "region", "technique"), 200, []int{400, 403, 404}},
	{"GET /api/v1/audit", "The audit log (admin); ?client_id=&since=&after_seq=&limit=&order=oldest|newest", true, nil, 200, []int{400, 403}},
	{"POST /api/v1/clients/{id}/stop", "The client's STOP: stop every live session of theirs (the client)", true, nil, 200, []int{403, 404}},
	{"POST /api/v1/screenings/{id}/confirm", "The client confirms a screening someone else entered (the client; or the practitioner in person with the client's typed name)", true,
		obj(map[string]any{"in_person": boolean, "client_typed_name": str}), 200, []int{400, 403, 404, 409}},
	{"GET /api/v1/clients/{id}/consent-history", "Every agreement version, with who made and signed it; ?unseen=true: those not yet shown to the client", true, nil, 200, []int{404}},
	{"POST /api/v1/clients/{id}/consent-history/seen", "The client has seen every version shown to them (the client)", true, nil, 200, []int{403, 404}},
}

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

// OpenAPI returns the OpenAPI 3.1 document of the API.
func OpenAPI() map[string]any {
	errResp := map[string]any{"description": "Error", "content": map[string]any{"application/json": map[string]any{
		"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
	paths := map[string]any{}
	for _, op := range operations {
		method, path, _ := strings.Cut(op.pattern, " ")
		item, _ := paths[path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[path] = item
		}
		responses := map[string]any{itoa(op.ok): map[string]any{"description": http.StatusText(op.ok)}}
		for _, c := range op.errors {
			responses[itoa(c)] = errResp
		}
		if op.auth {
			responses["401"] = errResp
		}
		o := map[string]any{"summary": op.summary, "responses": responses}
		if op.auth {
			o["security"] = []any{map[string]any{"bearer": []any{}}}
		} else {
			o["security"] = []any{}
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": str})
		}
		if params != nil {
			o["parameters"] = params
		}
		if op.body != nil {
			o["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": op.body}}}
		}
		item[strings.ToLower(method)] = o
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "holdspace API", "version": "1",
			"description": "Consent, screening and session records for intimate and pelvic bodywork. Times are RFC 3339 UTC; ids are opaque strings."},
		"paths": paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}},
			"schemas": map[string]any{"Error": obj(map[string]any{"error": obj(map[string]any{
				"code": str, "message": str, "field": str}, "code", "message")}, "error")},
		},
	}
}

func (s *Server) openapi(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, OpenAPI())
	return nil
}
