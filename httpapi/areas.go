package httpapi

import "holdspace/app"

// The handlers of each area hold the one service they call; routes.go
// builds them, so a route names its service. (healthz, the OpenAPI
// document and the session event stream stay on Server: they need its
// readiness check, its keep-alive, or a second service to re-verify the
// caller.)

// accountsAPI serves sign-in, tokens, passwords, second factors, invitations and disabled accounts.
type accountsAPI struct{ accounts *app.Accounts }

// agreementsAPI serves agreements, consent history and guardians.
type agreementsAPI struct{ agreements *app.Agreements }

// auditAPI serves the audit log.
type auditAPI struct{ audit *app.Audit }

// decisionsAPI serves decisions and the session board.
type decisionsAPI struct{ decisions *app.Decisions }

// followUpsAPI serves follow-ups.
type followUpsAPI struct{ followUps *app.FollowUps }

// peopleAPI serves practitioners, clients and credentials.
type peopleAPI struct{ people *app.People }

// practiceAPI serves the practice's settings and offering.
type practiceAPI struct{ practice *app.Practice }

// recordsAPI serves export, FHIR bundle, receipts and erasure.
type recordsAPI struct{ records *app.Records }

// screeningsAPI serves screenings, health changes, clearances and confirmations.
type screeningsAPI struct{ screenings *app.Screenings }

// sessionsAPI serves sessions, their events and the stop button.
type sessionsAPI struct{ sessions *app.Sessions }

// enrolAPI creates practitioners and clients and, when they have no
// password yet, invites them: creating the account is the people's, the
// invitation the accounts' use case.
type enrolAPI struct {
	people   *app.People
	accounts *app.Accounts
}

// bookingsAPI serves session types, availability, free slots and bookings.
type bookingsAPI struct{ bookings *app.Bookings }
