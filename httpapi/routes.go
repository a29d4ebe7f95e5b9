package httpapi

import "net/http"

// registerRoutes is the table of contents of the API. Every route either
// needs no actor (plain) or authenticates a bearer token (authed); the use
// case in package app checks role and ownership.
func (s *Server) registerRoutes() {
	s.handle("GET /healthz", s.plain(s.healthz))
	s.handle("GET /metrics", s.metrics.Handler())
	s.handle("GET /api/v1/openapi.json", s.plain(s.openapi))

	s.handle("POST /api/v1/auth/token", s.plain(s.createToken))
	s.handle("DELETE /api/v1/auth/token", s.authed(s.deleteToken))
	s.handle("GET /api/v1/me", s.authed(s.me))
	s.handle("GET /api/v1/catalogue", s.authed(s.catalogue))
	s.handle("POST /api/v1/me/password", s.authed(s.changePassword))
	s.handle("PUT /api/v1/me/time-zone", s.authed(s.setTimeZone))
	s.handle("GET /api/v1/me/sessions", s.authed(s.mySessions))
	s.handle("POST /api/v1/me/sessions/sign-out-others", s.authed(s.signOutElsewhere))
	s.handle("POST /api/v1/me/second-factor", s.authed(s.beginSecondFactor))
	s.handle("POST /api/v1/me/second-factor/confirm", s.authed(s.confirmSecondFactor))
	s.handle("POST /api/v1/me/second-factor/disable", s.authed(s.disableSecondFactor))
	s.handle("POST /api/v1/users/{id}/invitations", s.authed(s.inviteUser))
	s.handle("POST /api/v1/users/{id}/disable", s.authed(s.disableUser))
	s.handle("POST /api/v1/users/{id}/enable", s.authed(s.enableUser))
	s.handle("POST /api/v1/users/{id}/second-factor/reset", s.authed(s.resetSecondFactor))

	s.handle("POST /api/v1/practitioners", s.authed(s.createPractitioner))
	s.handle("GET /api/v1/practitioners", s.authed(s.listPractitioners))
	s.handle("GET /api/v1/practitioners/{id}", s.authed(s.getPractitioner))
	s.handle("POST /api/v1/practitioners/{id}/credentials", s.authed(s.createCredential))
	s.handle("POST /api/v1/practitioners/{id}/credentials/{cid}/revoke", s.authed(s.revokeCredential))

	s.handle("POST /api/v1/clients", s.authed(s.createClient))
	s.handle("GET /api/v1/clients", s.authed(s.listClients))
	s.handle("GET /api/v1/clients/{id}", s.authed(s.getClient))
	s.handle("DELETE /api/v1/clients/{id}", s.authed(s.eraseClient))
	s.handle("PUT /api/v1/clients/{id}/practitioners", s.authed(s.assignClient))
	s.handle("GET /api/v1/clients/{id}/export", s.authed(s.exportClient))
	s.handle("GET /api/v1/clients/{id}/fhir", s.authed(s.clientFHIR))

	s.handle("GET /api/v1/questionnaires/{name}", s.authed(s.questionnaire))
	s.handle("POST /api/v1/clients/{id}/screenings", s.authed(s.createScreening))
	s.handle("GET /api/v1/clients/{id}/screenings", s.authed(s.listScreenings))
	s.handle("GET /api/v1/clients/{id}/screenings/latest", s.authed(s.latestScreening))
	s.handle("POST /api/v1/clients/{id}/health-changes", s.authed(s.createHealthChange))
	s.handle("POST /api/v1/clients/{id}/clearances", s.authed(s.createClearance))

	s.handle("POST /api/v1/clients/{id}/agreements", s.authed(s.createAgreement))
	s.handle("GET /api/v1/clients/{id}/agreements", s.authed(s.listAgreements))
	s.handle("GET /api/v1/agreements/{id}", s.authed(s.getAgreement))
	s.handle("POST /api/v1/agreements/{id}/sign", s.authed(s.signAgreement))
	s.handle("POST /api/v1/agreements/{id}/revoke", s.authed(s.revokeAgreement))
	s.handle("GET /api/v1/agreements/{id}/receipt", s.authed(s.agreementReceipt))

	s.handle("POST /api/v1/sessions", s.authed(s.createSession))
	s.handle("GET /api/v1/sessions", s.authed(s.listSessions))
	s.handle("GET /api/v1/sessions/{id}", s.authed(s.getSession))
	s.handle("POST /api/v1/sessions/{id}/events", s.authed(s.createEvent))
	s.handle("GET /api/v1/sessions/{id}/events", s.authed(s.listEvents))
	s.handle("GET /api/v1/sessions/{id}/board", s.authed(s.sessionBoard))
	s.handle("GET /api/v1/sessions/{id}/stream", s.authed(s.sessionStream))
	s.handle("POST /api/v1/decisions", s.authed(s.decide))

	s.handle("GET /api/v1/audit", s.authed(s.listAudit))

	// Consent that cannot be sidestepped (issue 9).
	s.handle("POST /api/v1/clients/{id}/stop", s.authed(s.stopAll))
	s.handle("POST /api/v1/screenings/{id}/confirm", s.authed(s.confirmScreening))
	s.handle("GET /api/v1/clients/{id}/consent-history", s.authed(s.consentHistory))
	s.handle("POST /api/v1/clients/{id}/consent-history/seen", s.authed(s.consentSeen))
	s.registerPracticeRoutes()

	// Anything else under /api/ is a JSON 404, not the web app's page.
	s.handle("/api/", s.plain(func(w http.ResponseWriter, r *http.Request) error { return errNoRoute }))
}
