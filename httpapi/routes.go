package httpapi

import "net/http"

// registerRoutes is the table of contents of the API. Every route either
// needs no actor (plain) or authenticates a bearer token (authed); the use
// case in package app checks role and ownership.
func (s *Server) registerRoutes() {
	s.handle("GET /healthz", s.plain(s.healthz))
	s.handle("GET /metrics", s.metrics.Handler())
	s.handle("GET /api/v1/openapi.json", s.plain(s.openapi))

	s.handle("POST /api/v1/auth/token", s.plain(accountsAPI{s.accounts}.createToken))
	s.handle("DELETE /api/v1/auth/token", s.authed(accountsAPI{s.accounts}.deleteToken))
	s.handle("GET /api/v1/me", s.authed(peopleAPI{s.people}.me))
	s.handle("GET /api/v1/catalogue", s.authed(s.catalogue))
	s.handle("POST /api/v1/me/password", s.authed(accountsAPI{s.accounts}.changePassword))
	s.handle("PUT /api/v1/me/time-zone", s.authed(peopleAPI{s.people}.setTimeZone))
	s.handle("PUT /api/v1/me/language", s.authed(peopleAPI{s.people}.setLanguage))
	s.handle("GET /api/v1/me/sessions", s.authed(accountsAPI{s.accounts}.mySessions))
	s.handle("POST /api/v1/me/sessions/sign-out-others", s.authed(accountsAPI{s.accounts}.signOutElsewhere))
	s.handle("POST /api/v1/me/second-factor", s.authed(accountsAPI{s.accounts}.beginSecondFactor))
	s.handle("POST /api/v1/me/second-factor/confirm", s.authed(accountsAPI{s.accounts}.confirmSecondFactor))
	s.handle("POST /api/v1/me/second-factor/disable", s.authed(accountsAPI{s.accounts}.disableSecondFactor))
	s.handle("POST /api/v1/users/{id}/invitations", s.authed(accountsAPI{s.accounts}.inviteUser))
	s.handle("POST /api/v1/users/{id}/disable", s.authed(accountsAPI{s.accounts}.disableUser))
	s.handle("POST /api/v1/users/{id}/enable", s.authed(accountsAPI{s.accounts}.enableUser))
	s.handle("POST /api/v1/users/{id}/second-factor/reset", s.authed(accountsAPI{s.accounts}.resetSecondFactor))

	s.handle("POST /api/v1/practitioners", s.authed(enrolAPI{s.people, s.accounts}.createPractitioner))
	s.handle("GET /api/v1/practitioners", s.authed(peopleAPI{s.people}.listPractitioners))
	s.handle("GET /api/v1/practitioners/{id}", s.authed(peopleAPI{s.people}.getPractitioner))
	s.handle("POST /api/v1/practitioners/{id}/credentials", s.authed(peopleAPI{s.people}.createCredential))
	s.handle("POST /api/v1/practitioners/{id}/credentials/{cid}/revoke", s.authed(peopleAPI{s.people}.revokeCredential))

	s.handle("POST /api/v1/clients", s.authed(enrolAPI{s.people, s.accounts}.createClient))
	s.handle("GET /api/v1/clients", s.authed(peopleAPI{s.people}.listClients))
	s.handle("GET /api/v1/clients/{id}", s.authed(peopleAPI{s.people}.getClient))
	s.handle("DELETE /api/v1/clients/{id}", s.authed(recordsAPI{s.records}.eraseClient))
	s.handle("PUT /api/v1/clients/{id}/practitioners", s.authed(peopleAPI{s.people}.assignClient))
	s.handle("GET /api/v1/clients/{id}/export", s.authed(recordsAPI{s.records}.exportClient))
	s.handle("GET /api/v1/clients/{id}/fhir", s.authed(recordsAPI{s.records}.clientFHIR))

	s.handle("GET /api/v1/questionnaires/{name}", s.authed(s.questionnaire))
	s.handle("POST /api/v1/clients/{id}/screenings", s.authed(screeningsAPI{s.screenings}.createScreening))
	s.handle("GET /api/v1/clients/{id}/screenings", s.authed(screeningsAPI{s.screenings}.listScreenings))
	s.handle("GET /api/v1/clients/{id}/screenings/latest", s.authed(screeningsAPI{s.screenings}.latestScreening))
	s.handle("POST /api/v1/clients/{id}/health-changes", s.authed(screeningsAPI{s.screenings}.createHealthChange))
	s.handle("POST /api/v1/clients/{id}/clearances", s.authed(screeningsAPI{s.screenings}.createClearance))

	s.handle("POST /api/v1/clients/{id}/agreements", s.authed(agreementsAPI{s.agreements}.createAgreement))
	s.handle("GET /api/v1/clients/{id}/agreements", s.authed(agreementsAPI{s.agreements}.listAgreements))
	s.handle("GET /api/v1/agreements/{id}", s.authed(agreementsAPI{s.agreements}.getAgreement))
	s.handle("POST /api/v1/agreements/{id}/sign", s.authed(agreementsAPI{s.agreements}.signAgreement))
	s.handle("POST /api/v1/agreements/{id}/revoke", s.authed(agreementsAPI{s.agreements}.revokeAgreement))
	s.handle("GET /api/v1/agreements/{id}/receipt", s.authed(recordsAPI{s.records}.agreementReceipt))

	s.handle("POST /api/v1/sessions", s.authed(sessionsAPI{s.sessions}.createSession))
	s.handle("GET /api/v1/sessions", s.authed(sessionsAPI{s.sessions}.listSessions))
	s.handle("GET /api/v1/sessions/{id}", s.authed(sessionsAPI{s.sessions}.getSession))
	s.handle("POST /api/v1/sessions/{id}/events", s.authed(sessionsAPI{s.sessions}.createEvent))
	s.handle("GET /api/v1/sessions/{id}/events", s.authed(sessionsAPI{s.sessions}.listEvents))
	s.handle("GET /api/v1/sessions/{id}/board", s.authed(decisionsAPI{s.decisions}.sessionBoard))
	s.handle("GET /api/v1/sessions/{id}/stream", s.authed(s.sessionStream))
	s.handle("POST /api/v1/decisions", s.authed(decisionsAPI{s.decisions}.decide))

	s.handle("GET /api/v1/audit", s.authed(auditAPI{s.audit}.listAudit))
	s.handle("GET /api/v1/export/{file}", s.authed(recordsAPI{s.records}.exportCSV))

	// Consent that cannot be sidestepped (issue 9).
	s.handle("POST /api/v1/clients/{id}/stop", s.authed(sessionsAPI{s.sessions}.stopAll))
	s.handle("POST /api/v1/screenings/{id}/confirm", s.authed(screeningsAPI{s.screenings}.confirmScreening))
	s.handle("GET /api/v1/clients/{id}/consent-history", s.authed(agreementsAPI{s.agreements}.consentHistory))
	s.handle("POST /api/v1/clients/{id}/consent-history/seen", s.authed(agreementsAPI{s.agreements}.consentSeen))
	s.registerPracticeRoutes()
	s.registerBookingRoutes()
	s.registerFHIRDefinitionRoutes()
	s.registerMailRoutes()

	// Anything else under /api/ is a JSON 404, not the web app's page.
	s.handle("/api/", s.plain(func(w http.ResponseWriter, r *http.Request) error { return errNoRoute }))
}
