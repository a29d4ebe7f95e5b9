package httpapi

import (
	"reflect"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"holdspace/app"
	"holdspace/audit"
	"holdspace/catalogue"
	"holdspace/consent"
	"holdspace/fhir"
)

// contract is what the OpenAPI document says of one operation beyond its
// summary and statuses: its id, tag, query parameters and the Go type of
// its success body.
type contract struct {
	id  string // operationId
	tag string
	// resp is the zero value of the type the handler encodes on success;
	// nil with media set for a non-JSON body, nil alone for 204.
	resp  any
	media string // content type of the success body when not application/json
	query []queryParam
	// required lists the request body's members the use case refuses to go
	// without (it answers 400 with the member as error.field).
	required     []string
	optionalBody bool // the body may be left out (the zero input)
	plainErrors  bool // errors are plain text, not the Error schema
	note         string
}

type queryParam struct {
	name   string
	schema *openapi3.Schema
	doc    string
}

// pageParams are the query parameters of a list read a page at a time.
var pageParams = []queryParam{
	strParam("cursor", "The next_cursor of the previous page (same filters); absent for the first page. A cursor this list did not give out is 400 bad_cursor."),
	{"limit", &openapi3.Schema{Type: &openapi3.Types{"integer"}, Min: new(1.0), Max: new(float64(app.MaxPageSize))},
		"Page size, 1 to 500 (default 50); otherwise 400 bad_limit. next_cursor is present when another page follows."},
}

func strParam(name, doc string) queryParam {
	return queryParam{name, openapi3.NewStringSchema(), doc}
}

func timeParam(name, doc string) queryParam {
	return queryParam{name, openapi3.NewDateTimeSchema(), doc}
}

func boolParam(name, doc string) queryParam {
	return queryParam{name, openapi3.NewBoolSchema(), doc}
}

// Request bodies the handlers decode into types declared inline.
type (
	tokenRequest struct {
		Email    string `json:"email"`
		Password string `json:"password"`
		OTP      string `json:"otp"`
		Device   string `json:"device"`
	}
	practitionerRequest struct {
		Name     string `json:"name"`
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	assignRequest struct {
		PractitionerIDs []string `json:"practitioner_ids"`
	}
	reasonRequest struct {
		Reason string `json:"reason"`
	}
	passwordRequest struct {
		CurrentPassword string `json:"current_password"`
		Password        string `json:"password"`
	}
	otpRequest struct {
		OTP string `json:"otp"`
	}
	currentPasswordRequest struct {
		CurrentPassword string `json:"current_password"`
	}
	birthDateRequest struct {
		BirthDate string `json:"birth_date"`
	}
	emptyRequest struct{}
)

// Response bodies the handlers build as maps around app types.
type (
	healthBody struct {
		Status string `json:"status"`
	}
	invitationBody struct {
		Token     string    `json:"token"`
		Path      string    `json:"path"`
		URL       string    `json:"url"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	createdAccountBody struct {
		ID         string          `json:"id"`
		Invitation *invitationBody `json:"invitation,omitempty"`
	}
	catalogueBody struct {
		Regions    []catalogue.Region    `json:"regions"`
		Techniques []catalogue.Technique `json:"techniques"`
		Intents    []catalogue.Intent    `json:"intents"`
		Answers    []catalogue.Answer    `json:"answers"`
		Covers     []string              `json:"covers"`
	}
	practitionersBody struct {
		Practitioners []app.Person `json:"practitioners"`
	}
	practitionerBody struct {
		ID          string           `json:"id"`
		Name        string           `json:"name"`
		Email       string           `json:"email"`
		Credentials []app.Credential `json:"credentials"`
	}
	clientsBody struct {
		Clients    []app.ClientView `json:"clients"`
		NextCursor string           `json:"next_cursor,omitempty"`
	}
	screeningsBody struct {
		Screenings []app.ScreeningView `json:"screenings"`
	}
	latestScreeningBody struct {
		Screening app.ScreeningView    `json:"screening"`
		Current   app.CurrentScreening `json:"current"`
	}
	agreementsBody struct {
		Agreements []app.AgreementView `json:"agreements"`
		NextCursor string              `json:"next_cursor,omitempty"`
	}
	sessionsBody struct {
		Sessions   []app.SessionView `json:"sessions"`
		NextCursor string            `json:"next_cursor,omitempty"`
	}
	eventsBody struct {
		Events []app.EventView `json:"events"`
	}
	auditBody struct {
		Entries    []audit.Entry `json:"entries"`
		NextCursor string        `json:"next_cursor,omitempty"`
	}
	consentHistoryBody struct {
		Versions []app.ConsentNotice `json:"versions"`
	}
	seenBody struct {
		Seen int `json:"seen"`
	}
	mySessionsBody struct {
		Sessions []app.SessionInfo `json:"sessions"`
	}
	recoveryCodesBody struct {
		RecoveryCodes []string `json:"recovery_codes"`
	}
	guardiansBody struct {
		Guardians []app.GuardianView `json:"guardians"`
	}
	followUpsBody struct {
		FollowUps []app.FollowUpView `json:"follow_ups"`
	}
	// decisionShape is what consent.Decision's MarshalJSON writes.
	decisionShape struct {
		Decision consent.Outcome  `json:"decision"`
		Reasons  []consent.Reason `json:"reasons"`
	}
)

// marshalShapes maps a type with its own MarshalJSON to a type of the same
// JSON shape, for the generator. TestMarshalShapes checks each pair.
var marshalShapes = map[reflect.Type]any{
	reflect.TypeFor[consent.Decision](): decisionShape{},
}

const fhirJSON = "application/fhir+json"

// contracts holds every operation's contract, by pattern.
var contracts = map[string]contract{
	"GET /healthz":                   {id: "getHealth", tag: "operations", resp: healthBody{}},
	"GET /metrics":                   {id: "getMetrics", tag: "operations", media: "text/plain", plainErrors: true},
	"GET /api/v1/openapi.json":       {id: "getOpenAPI", tag: "operations", resp: map[string]any{}},
	"POST /api/v1/auth/token":        {id: "createToken", tag: "auth", resp: app.Session{}, required: []string{"email", "password"}},
	"DELETE /api/v1/auth/token":      {id: "deleteToken", tag: "auth"},
	"GET /api/v1/me":                 {id: "getMe", tag: "me", resp: app.Person{}},
	"GET /api/v1/catalogue":          {id: "getCatalogue", tag: "catalogue", resp: catalogueBody{}},
	"POST /api/v1/practitioners":     {id: "createPractitioner", tag: "practitioners", resp: createdAccountBody{}, required: []string{"name", "email"}, note: "Without a password the answer carries a single-use invitation."},
	"GET /api/v1/practitioners":      {id: "listPractitioners", tag: "practitioners", resp: practitionersBody{}},
	"GET /api/v1/practitioners/{id}": {id: "getPractitioner", tag: "practitioners", resp: practitionerBody{}},
	"POST /api/v1/practitioners/{id}/credentials": {id: "createCredential", tag: "practitioners", resp: idResponse{},
		required: []string{"kind", "issuer", "valid_from", "valid_until"}},
	"POST /api/v1/clients":                       {id: "createClient", tag: "clients", resp: createdAccountBody{}, required: []string{"name", "email", "birth_date"}, note: "Without a password the answer carries a single-use invitation."},
	"GET /api/v1/clients":                        {id: "listClients", tag: "clients", resp: clientsBody{}, query: pageParams},
	"GET /api/v1/clients/{id}":                   {id: "getClient", tag: "clients", resp: app.ClientView{}},
	"DELETE /api/v1/clients/{id}":                {id: "eraseClient", tag: "clients"},
	"PUT /api/v1/clients/{id}/practitioners":     {id: "assignPractitioners", tag: "clients", required: []string{"practitioner_ids"}},
	"GET /api/v1/clients/{id}/export":            {id: "exportClient", tag: "clients", resp: app.Export{}},
	"GET /api/v1/clients/{id}/fhir":              {id: "getClientFHIR", tag: "fhir", resp: fhir.Bundle{}, media: fhirJSON},
	"GET /api/v1/questionnaires/{name}":          {id: "getQuestionnaire", tag: "fhir", resp: fhir.QuestionnaireResource{}, media: fhirJSON},
	"POST /api/v1/clients/{id}/screenings":       {id: "submitScreening", tag: "screenings", resp: app.ScreeningView{}, required: []string{"answers"}, note: "Every missing or invalid answer is listed in error.problems."},
	"GET /api/v1/clients/{id}/screenings":        {id: "listScreenings", tag: "screenings", resp: screeningsBody{}},
	"GET /api/v1/clients/{id}/screenings/latest": {id: "getLatestScreening", tag: "screenings", resp: latestScreeningBody{}},
	"POST /api/v1/clients/{id}/health-changes":   {id: "reportHealthChange", tag: "screenings", resp: idResponse{}},
	"POST /api/v1/clients/{id}/clearances": {id: "recordClearance", tag: "screenings", resp: idResponse{},
		required: []string{"rule", "cleared_by", "cleared_on"}},
	"POST /api/v1/clients/{id}/agreements": {id: "createAgreement", tag: "agreements", resp: app.AgreementView{}, required: []string{"intent", "grants"}, note: "Every invalid grant is listed in error.problems."},
	"GET /api/v1/clients/{id}/agreements":  {id: "listAgreements", tag: "agreements", resp: agreementsBody{}, query: pageParams},
	"GET /api/v1/agreements/{id}":          {id: "getAgreement", tag: "agreements", resp: app.AgreementView{}},
	"POST /api/v1/agreements/{id}/sign":    {id: "signAgreement", tag: "agreements", resp: app.SignResult{}, optionalBody: true},
	"POST /api/v1/agreements/{id}/revoke":  {id: "revokeAgreement", tag: "agreements", resp: app.RevokeResult{}, optionalBody: true},
	"GET /api/v1/agreements/{id}/receipt":  {id: "getConsentReceipt", tag: "agreements", resp: fhir.Receipt{}},
	"POST /api/v1/sessions":                {id: "createSession", tag: "sessions", resp: app.SessionView{}, required: []string{"client_id", "intent", "starts_at"}},
	"GET /api/v1/sessions": {id: "listSessions", tag: "sessions", resp: sessionsBody{}, query: []queryParam{
		strParam("client_id", "Only this client's sessions."),
		timeParam("from", "Sessions starting at or after this time (RFC 3339)."),
		timeParam("to", "Sessions starting before this time (RFC 3339)."),
		pageParams[0], pageParams[1],
	}},
	"GET /api/v1/sessions/{id}":         {id: "getSession", tag: "sessions", resp: app.SessionView{}},
	"POST /api/v1/sessions/{id}/events": {id: "appendSessionEvent", tag: "sessions", resp: app.AppendEventResult{}, required: []string{"type"}},
	"GET /api/v1/sessions/{id}/events":  {id: "listSessionEvents", tag: "sessions", resp: eventsBody{}},
	"GET /api/v1/sessions/{id}/board":   {id: "getSessionBoard", tag: "sessions", resp: app.Board{}},
	"GET /api/v1/sessions/{id}/stream": {id: "streamSession", tag: "sessions", media: "text/event-stream",
		note: "Events named state carry the session's live state (LiveState) as JSON data, first and on every change; a comment every 15 s keeps the connection open."},
	"POST /api/v1/decisions": {id: "decide", tag: "sessions", resp: decisionShape{}, required: []string{"session_id", "region", "technique"}},
	"GET /api/v1/audit": {id: "listAudit", tag: "audit", resp: auditBody{}, query: []queryParam{
		strParam("client_id", "Only entries about this client."),
		timeParam("since", "Entries at or after this time (RFC 3339)."),
		{"after_seq", &openapi3.Schema{Type: &openapi3.Types{"integer"}, Min: new(0.0)}, "Entries after this sequence number."},
		{"limit", &openapi3.Schema{Type: &openapi3.Types{"integer"}, Min: new(1.0), Max: new(1000.0)}, "At most this many entries."},
		{"order", &openapi3.Schema{Type: &openapi3.Types{"string"}, Enum: []any{"oldest", "newest"}}, "oldest (default) or newest first."},
		strParam("cursor", "The next_cursor of the previous page (same filters and order); not with after_seq. A cursor this list did not give out is 400 bad_cursor."),
	}},
	"POST /api/v1/clients/{id}/stop":       {id: "stopAll", tag: "sessions", resp: app.StopResult{}, optionalBody: true},
	"POST /api/v1/screenings/{id}/confirm": {id: "confirmScreening", tag: "screenings", resp: app.ScreeningView{}, optionalBody: true},
	"GET /api/v1/clients/{id}/consent-history": {id: "getConsentHistory", tag: "agreements", resp: consentHistoryBody{}, query: []queryParam{
		boolParam("unseen", "true: only the versions not yet shown to the client."),
	}},
	"POST /api/v1/clients/{id}/consent-history/seen": {id: "markConsentHistorySeen", tag: "agreements", resp: seenBody{}, optionalBody: true},

	"POST /api/v1/me/password":                                 {id: "changePassword", tag: "me", required: []string{"current_password", "password"}},
	"GET /api/v1/me/sessions":                                  {id: "listMySessions", tag: "me", resp: mySessionsBody{}},
	"POST /api/v1/me/sessions/sign-out-others":                 {id: "signOutOthers", tag: "me"},
	"POST /api/v1/me/second-factor":                            {id: "beginSecondFactor", tag: "me", resp: app.SecondFactorSetup{}},
	"POST /api/v1/me/second-factor/confirm":                    {id: "confirmSecondFactor", tag: "me", resp: recoveryCodesBody{}, required: []string{"otp"}},
	"POST /api/v1/me/second-factor/disable":                    {id: "disableSecondFactor", tag: "me", required: []string{"current_password"}},
	"POST /api/v1/users/{id}/invitations":                      {id: "inviteUser", tag: "users", resp: invitationBody{}},
	"POST /api/v1/users/{id}/disable":                          {id: "disableUser", tag: "users"},
	"POST /api/v1/users/{id}/enable":                           {id: "enableUser", tag: "users"},
	"POST /api/v1/users/{id}/second-factor/reset":              {id: "resetSecondFactor", tag: "users"},
	"POST /api/v1/practitioners/{id}/credentials/{cid}/revoke": {id: "revokeCredential", tag: "practitioners", required: []string{"reason"}},

	"GET /api/v1/practice/settings":         {id: "getPracticeSettings", tag: "practice", resp: app.SettingsView{}},
	"PUT /api/v1/practice/settings":         {id: "putPracticeSettings", tag: "practice", resp: app.SettingsView{}, note: "Every invalid setting is listed in error.problems."},
	"POST /api/v1/agreements/{id}/guardian": {id: "recordGuardianConsent", tag: "agreements", resp: app.GuardianView{}, required: []string{"name", "relationship", "typed_name"}},
	"GET /api/v1/clients/{id}/guardians":    {id: "listGuardians", tag: "agreements", resp: guardiansBody{}},
	"PUT /api/v1/clients/{id}/birth-date":   {id: "setBirthDate", tag: "clients", required: []string{"birth_date"}},
	"GET /api/v1/follow-ups": {id: "listFollowUps", tag: "follow-ups", resp: followUpsBody{}, query: []queryParam{
		boolParam("open", "true: unanswered follow-ups only."),
	}},
	"GET /api/v1/follow-ups/adverse":           {id: "listAdverseFollowUps", tag: "follow-ups", resp: followUpsBody{}},
	"POST /api/v1/follow-ups/{id}/answer":      {id: "answerFollowUp", tag: "follow-ups", resp: app.AppendEventResult{}, required: []string{"wellbeing"}},
	"POST /api/v1/follow-ups/{id}/acknowledge": {id: "acknowledgeFollowUp", tag: "follow-ups", resp: app.FollowUpView{}},
}
