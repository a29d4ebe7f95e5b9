package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"holdspace"
	"holdspace/app"
)

// bookingOperations document the routes of issue 14 item 2: session
// types, availability, free slots, bookings and the week view. Times are
// RFC 3339 UTC in and out; each booking and slot also carries "local", the
// time in the practice's zone with the zone shown.
var bookingOperations = []operation{
	{"GET /api/v1/session-types", "Session types: every one for admins, active ones for others", true, nil, 200, nil},
	{"POST /api/v1/session-types", "Add a session type (admin): name, intent, duration and buffer in minutes (5-minute steps), regions", true,
		app.SessionTypeInput{}, 201, []int{400, 403}},
	{"PUT /api/v1/session-types/{id}", "Replace a session type (admin); active=false stops new bookings", true, app.SessionTypeInput{}, 200, []int{400, 403, 404}},
	{"GET /api/v1/practitioners/{id}/availability", "A practitioner's weekly availability and exceptions (admin, that practitioner)", true, nil, 200, []int{403, 404}},
	{"POST /api/v1/practitioners/{id}/availability", "Add a weekly window: weekday 0 (Sunday)–6, start and end HH:MM in the practice's time zone", true,
		app.WindowInput{}, 201, []int{400, 403, 404, 409}},
	{"DELETE /api/v1/practitioners/{id}/availability/{wid}", "Remove a weekly window", true, nil, 204, []int{403, 404}},
	{"POST /api/v1/practitioners/{id}/exceptions", "Remove availability on local dates from–to (inclusive): holiday, sick or other", true,
		app.ExceptionInput{}, 201, []int{400, 403, 404}},
	{"DELETE /api/v1/practitioners/{id}/exceptions/{eid}", "Remove an exception", true, nil, 204, []int{403, 404}},
	{"GET /api/v1/practitioners/{id}/slots", "Free slots of a session type (clients: their assigned practitioners)", true, nil, 200, []int{400, 403, 404}},
	{"GET /api/v1/practitioners/{id}/week", "A practitioner's calendar week from the Monday on or before ?start=YYYY-MM-DD (admin, that practitioner)", true, nil, 200, []int{400, 403, 404}},
	{"POST /api/v1/bookings", "Book a session: clients with an assigned practitioner within availability; practitioners and admins from the console. 409 slot_taken, outside_availability, not_qualified", true,
		app.BookInput{}, 201, []int{400, 403, 404, 409}},
	{"GET /api/v1/bookings", "A client's own bookings from ?from= (RFC 3339)", true, nil, 200, []int{400, 403}},
	{"GET /api/v1/bookings/intake-requests", "Active bookings whose clients still need to complete intake; ?from=&to= RFC 3339 (practitioner, admin)", true, nil, 200, []int{400, 403}},
	{"GET /api/v1/bookings/{id}", "One booking (its client, its practitioner, admins)", true, nil, 200, []int{404}},
	{"POST /api/v1/bookings/{id}/reschedule", "Move a booking that has not started (its practitioner, admins)", true,
		app.RescheduleInput{}, 200, []int{400, 403, 404, 409}},
	{"POST /api/v1/bookings/{id}/cancel", "Cancel a booking that has not started; late within the practice's cancellation window", true, nil, 200, []int{403, 404, 409}},
	{"POST /api/v1/bookings/{id}/no-show", "Record that the client did not come (its practitioner, admins; from the practice's no-show time after the start)", true, nil, 200, []int{403, 404, 409}},
}

// bookingContracts add operationIds, tags, parameters and response types.
var bookingContracts = map[string]contract{
	"GET /api/v1/session-types":                            {id: "listSessionTypes", tag: "booking", resp: []app.SessionTypeView{}},
	"POST /api/v1/session-types":                           {id: "createSessionType", tag: "booking", resp: app.SessionTypeView{}, required: []string{"name", "intent", "duration_minutes"}},
	"PUT /api/v1/session-types/{id}":                       {id: "updateSessionType", tag: "booking", resp: app.SessionTypeView{}, required: []string{"name", "intent", "duration_minutes"}},
	"GET /api/v1/practitioners/{id}/availability":          {id: "getAvailability", tag: "booking", resp: app.AvailabilityView{}},
	"POST /api/v1/practitioners/{id}/availability":         {id: "addAvailability", tag: "booking", resp: app.WindowView{}, required: []string{"weekday", "start", "end"}},
	"DELETE /api/v1/practitioners/{id}/availability/{wid}": {id: "deleteAvailability", tag: "booking"},
	"POST /api/v1/practitioners/{id}/exceptions":           {id: "addException", tag: "booking", resp: app.ExceptionView{}, required: []string{"from", "to", "reason"}},
	"DELETE /api/v1/practitioners/{id}/exceptions/{eid}":   {id: "deleteException", tag: "booking"},
	"GET /api/v1/practitioners/{id}/slots": {id: "listFreeSlots", tag: "booking", resp: []app.SlotView{}, query: []queryParam{
		strParam("session_type_id", "The session type to book (required)."),
		strParam("from", "First local date, YYYY-MM-DD; default today in the practice's zone."),
		strParam("days", "How many days, 1–31; default 7."),
	}},
	"GET /api/v1/practitioners/{id}/week": {id: "getWeek", tag: "booking", resp: app.WeekView{}, query: []queryParam{
		strParam("start", "A local date, YYYY-MM-DD; the week starts on the Monday on or before it (default: this week)."),
	}},
	"POST /api/v1/bookings": {id: "createBooking", tag: "booking", resp: app.BookingView{}, required: []string{"session_type_id", "starts_at"}},
	"GET /api/v1/bookings": {id: "listMyBookings", tag: "booking", resp: []app.BookingView{}, query: []queryParam{
		timeParam("from", "Only bookings starting at or after this time (RFC 3339); default now."),
	}},
	"GET /api/v1/bookings/intake-requests": {id: "listIntakeRequests", tag: "booking", resp: []app.BookingView{}, query: []queryParam{
		timeParam("from", "From this time (RFC 3339); default now."),
		timeParam("to", "Until this time (RFC 3339); default 14 days after from."),
	}},
	"GET /api/v1/bookings/{id}":             {id: "getBooking", tag: "booking", resp: app.BookingView{}},
	"POST /api/v1/bookings/{id}/reschedule": {id: "rescheduleBooking", tag: "booking", resp: app.BookingView{}, required: []string{"starts_at"}},
	"POST /api/v1/bookings/{id}/cancel":     {id: "cancelBooking", tag: "booking", resp: app.BookingView{}, optionalBody: true},
	"POST /api/v1/bookings/{id}/no-show":    {id: "markNoShow", tag: "booking", resp: app.BookingView{}, optionalBody: true},
}

func init() {
	operations = append(operations, bookingOperations...)
	for k, c := range bookingContracts {
		contracts[k] = c
	}
}

// registerBookingRoutes registers the routes of bookingOperations.
func (s *Server) registerBookingRoutes() {
	s.handle("GET /api/v1/session-types", s.authed(bookingsAPI{s.bookings}.listSessionTypes))
	s.handle("POST /api/v1/session-types", s.authed(bookingsAPI{s.bookings}.createSessionType))
	s.handle("PUT /api/v1/session-types/{id}", s.authed(bookingsAPI{s.bookings}.updateSessionType))
	s.handle("GET /api/v1/practitioners/{id}/availability", s.authed(bookingsAPI{s.bookings}.getAvailability))
	s.handle("POST /api/v1/practitioners/{id}/availability", s.authed(bookingsAPI{s.bookings}.addAvailability))
	s.handle("DELETE /api/v1/practitioners/{id}/availability/{wid}", s.authed(bookingsAPI{s.bookings}.deleteAvailability))
	s.handle("POST /api/v1/practitioners/{id}/exceptions", s.authed(bookingsAPI{s.bookings}.addException))
	s.handle("DELETE /api/v1/practitioners/{id}/exceptions/{eid}", s.authed(bookingsAPI{s.bookings}.deleteException))
	s.handle("GET /api/v1/practitioners/{id}/slots", s.authed(bookingsAPI{s.bookings}.freeSlots))
	s.handle("GET /api/v1/practitioners/{id}/week", s.authed(bookingsAPI{s.bookings}.week))
	s.handle("POST /api/v1/bookings", s.authed(bookingsAPI{s.bookings}.book))
	s.handle("GET /api/v1/bookings", s.authed(bookingsAPI{s.bookings}.myBookings))
	s.handle("GET /api/v1/bookings/intake-requests", s.authed(bookingsAPI{s.bookings}.intakeRequests))
	s.handle("GET /api/v1/bookings/{id}", s.authed(bookingsAPI{s.bookings}.getBooking))
	s.handle("POST /api/v1/bookings/{id}/reschedule", s.authed(bookingsAPI{s.bookings}.reschedule))
	s.handle("POST /api/v1/bookings/{id}/cancel", s.authed(bookingsAPI{s.bookings}.cancelBooking))
	s.handle("POST /api/v1/bookings/{id}/no-show", s.authed(bookingsAPI{s.bookings}.noShow))
}

func (s bookingsAPI) listSessionTypes(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	v, err := s.bookings.ListSessionTypes(r.Context(), ac)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s bookingsAPI) createSessionType(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	var in app.SessionTypeInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := s.bookings.CreateSessionType(r.Context(), ac, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

func (s bookingsAPI) updateSessionType(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	var in app.SessionTypeInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := s.bookings.UpdateSessionType(r.Context(), ac, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s bookingsAPI) getAvailability(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	v, err := s.bookings.Availability(r.Context(), ac, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s bookingsAPI) addAvailability(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	var in app.WindowInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := s.bookings.AddAvailability(r.Context(), ac, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

func (s bookingsAPI) deleteAvailability(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	if err := s.bookings.DeleteAvailability(r.Context(), ac, r.PathValue("id"), r.PathValue("wid")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s bookingsAPI) addException(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	var in app.ExceptionInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := s.bookings.AddException(r.Context(), ac, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

func (s bookingsAPI) deleteException(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	if err := s.bookings.DeleteException(r.Context(), ac, r.PathValue("id"), r.PathValue("eid")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s bookingsAPI) freeSlots(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	q := r.URL.Query()
	sq := app.SlotQuery{PractitionerID: r.PathValue("id"), SessionTypeID: q.Get("session_type_id"), From: q.Get("from")}
	if d := q.Get("days"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil {
			return holdspace.Invalid("out_of_range", "days", "Give days as a number from 1 to 31.")
		}
		sq.Days = n
	}
	v, err := s.bookings.FreeSlots(r.Context(), ac, sq)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s bookingsAPI) week(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	v, err := s.bookings.Week(r.Context(), ac, r.PathValue("id"), r.URL.Query().Get("start"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s bookingsAPI) book(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	var in app.BookInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := s.bookings.Book(r.Context(), ac, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

// queryTime parses an optional RFC 3339 query parameter.
func queryTime(r *http.Request, name string) (time.Time, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, holdspace.Invalid("invalid_time", name, "Give %s as an RFC 3339 time.", name)
	}
	return t, nil
}

func (s bookingsAPI) myBookings(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	from, err := queryTime(r, "from")
	if err != nil {
		return err
	}
	v, err := s.bookings.MyBookings(r.Context(), ac, from)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s bookingsAPI) intakeRequests(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	from, err := queryTime(r, "from")
	if err != nil {
		return err
	}
	to, err := queryTime(r, "to")
	if err != nil {
		return err
	}
	v, err := s.bookings.IntakeRequests(r.Context(), ac, from, to)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s bookingsAPI) getBooking(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	v, err := s.bookings.GetBooking(r.Context(), ac, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s bookingsAPI) reschedule(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	var in app.RescheduleInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := s.bookings.Reschedule(r.Context(), ac, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s bookingsAPI) cancelBooking(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	v, err := s.bookings.CancelBooking(r.Context(), ac, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s bookingsAPI) noShow(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	v, err := s.bookings.MarkNoShow(r.Context(), ac, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}
