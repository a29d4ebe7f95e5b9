package main

import (
	"testing"
	"time"
)

// authzRow is a row of the authorization table (TestAuthorization's row).
type authzRow struct {
	route  string
	method string
	path   string
	body   any
	want   map[string]int
}

// bookingAuthzRows are the authorization table's rows for the booking
// routes (issue 14): session types, p1's availability, slots and week, and
// bookings of c1 (assigned to p1; c2 and p2 are strangers to them).
func bookingAuthzRows(t *testing.T, f *practiceFixture) []authzRow {
	t.Helper()
	n := f.n
	typ := map[string]any{"name": "Back massage", "intent": "therapeutic", "duration_minutes": 60, "buffer_minutes": 15, "regions": []string{"upper-back"}}
	st := n.must(201, "POST", "/api/v1/session-types", f.admin, typ).str("id")
	p1 := "/api/v1/practitioners/" + f.p1ID
	for d := range 7 {
		n.must(201, "POST", p1+"/availability", f.p1, map[string]any{"weekday": d, "start": "09:00", "end": "17:00"})
	}
	wid := n.must(201, "POST", p1+"/availability", f.p1, map[string]any{"weekday": 0, "start": "18:00", "end": "19:00"}).str("id")
	eid := n.must(201, "POST", p1+"/exceptions", f.p1, map[string]any{"from": "2030-01-01", "to": "2030-01-02", "reason": "holiday"}).str("id")
	day := time.Now().UTC().AddDate(0, 0, 3)
	at := func(h int) string {
		return time.Date(day.Year(), day.Month(), day.Day(), h, 0, 0, 0, time.UTC).Format(time.RFC3339)
	}
	book := func(h int) map[string]any {
		return map[string]any{"client_id": f.c1ID, "practitioner_id": f.p1ID, "session_type_id": st, "starts_at": at(h)}
	}
	bk := n.must(201, "POST", "/api/v1/bookings", f.p1, book(9)).str("session_id")
	bk2 := n.must(201, "POST", "/api/v1/bookings", f.p1, book(15)).str("session_id")
	b := "/api/v1/bookings/"
	return []authzRow{
		{"GET /api/v1/session-types", "GET", "/api/v1/session-types", nil, map[string]int{"anon": 401, "c1": 200, "p1": 200, "admin": 200}},
		{"POST /api/v1/session-types", "POST", "/api/v1/session-types", typ, map[string]int{"anon": 401, "c1": 403, "p1": 403, "admin": 201}},
		{"PUT /api/v1/session-types/{id}", "PUT", "/api/v1/session-types/" + st, typ, map[string]int{"anon": 401, "c1": 403, "p1": 403, "admin": 200}},
		{"GET /api/v1/practitioners/{id}/availability", "GET", p1 + "/availability", nil,
			map[string]int{"anon": 401, "c1": 403, "p2": 403, "p1": 200, "admin": 200}},
		{"POST /api/v1/practitioners/{id}/availability", "POST", p1 + "/availability", map[string]any{"weekday": 1, "start": "06:00", "end": "07:00"},
			map[string]int{"anon": 401, "c1": 403, "p2": 403, "p1": 201, "admin": 409}},
		{"DELETE /api/v1/practitioners/{id}/availability/{wid}", "DELETE", p1 + "/availability/" + wid, nil,
			map[string]int{"anon": 401, "c1": 403, "p2": 403, "p1": 204, "admin": 404}},
		{"POST /api/v1/practitioners/{id}/exceptions", "POST", p1 + "/exceptions", map[string]any{"from": "2030-02-01", "to": "2030-02-01", "reason": "sick"},
			map[string]int{"anon": 401, "c1": 403, "p2": 403, "p1": 201, "admin": 201}},
		{"DELETE /api/v1/practitioners/{id}/exceptions/{eid}", "DELETE", p1 + "/exceptions/" + eid, nil,
			map[string]int{"anon": 401, "c1": 403, "p2": 403, "p1": 204, "admin": 404}},
		{"GET /api/v1/practitioners/{id}/slots", "GET", p1 + "/slots?session_type_id=" + st, nil,
			map[string]int{"anon": 401, "c2": 404, "p2": 403, "c1": 200, "p1": 200, "admin": 200}},
		{"GET /api/v1/practitioners/{id}/week", "GET", p1 + "/week", nil, map[string]int{"anon": 401, "c1": 403, "p2": 403, "p1": 200, "admin": 200}},
		{"POST /api/v1/bookings", "POST", "/api/v1/bookings", book(11), map[string]int{"anon": 401, "c2": 404, "p2": 404, "c1": 201, "p1": 409}},
		{"POST /api/v1/bookings", "POST", "/api/v1/bookings", book(13), map[string]int{"admin": 201}},
		{"GET /api/v1/bookings", "GET", "/api/v1/bookings", nil, map[string]int{"anon": 401, "c1": 200, "p1": 403, "admin": 403}},
		{"GET /api/v1/bookings/intake-requests", "GET", b + "intake-requests", nil, map[string]int{"anon": 401, "c1": 403, "p1": 200, "admin": 200}},
		{"GET /api/v1/bookings/{id}", "GET", b + bk, nil, map[string]int{"anon": 401, "c2": 404, "p2": 404, "c1": 200, "p1": 200, "admin": 200}},
		{"POST /api/v1/bookings/{id}/reschedule", "POST", b + bk + "/reschedule", map[string]any{"starts_at": at(17)},
			map[string]int{"anon": 401, "c2": 403, "p2": 404, "c1": 403, "p1": 200}},
		{"POST /api/v1/bookings/{id}/no-show", "POST", b + bk + "/no-show", nil, map[string]int{"anon": 401, "c2": 403, "p2": 404, "c1": 403, "p1": 409}},
		{"POST /api/v1/bookings/{id}/cancel", "POST", b + bk2 + "/cancel", nil, map[string]int{"anon": 401, "c2": 404, "p2": 404, "c1": 200, "admin": 409}},
	}
}
