package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"holdspace"
	"holdspace/app"
	"holdspace/booking"
	"holdspace/catalogue"
	"holdspace/i18n"
)

// Pages of issue 14 item 2: the client's "Book a session" and their
// bookings, the console's calendar week (book, reschedule, cancel,
// no-show) and availability, and the admin's session types. Times are
// shown and entered in the practice's time zone, with the zone shown.

func init() {
	for _, code := range []string{"booking-cancelled", "booking-moved", "no-show", "availability-saved", "type-saved"} {
		flashCodes[code] = true
	}
}

// registerBookingRoutes adds the booking pages to the mux.
func (h *handler) registerBookingRoutes() {
	m := h.mux
	cl, pr, ad := holdspace.RoleClient, holdspace.RolePractitioner, holdspace.RoleAdmin
	m.HandleFunc("GET /book", h.authed(h.bookPage, cl))
	m.HandleFunc("POST /book", h.authed(h.bookPost, cl))
	m.HandleFunc("GET /me/bookings", h.authed(h.myBookings, cl))
	m.HandleFunc("POST /me/bookings/{id}/cancel", h.authed(h.myBookingCancel, cl))

	m.HandleFunc("GET /calendar", h.authed(h.calendarPage, pr, ad))
	m.HandleFunc("POST /calendar/book", h.authed(h.calendarBook, pr, ad))
	m.HandleFunc("POST /calendar/{id}/reschedule", h.authed(h.calendarReschedule, pr, ad))
	m.HandleFunc("POST /calendar/{id}/cancel", h.authed(h.calendarCancel, pr, ad))
	m.HandleFunc("POST /calendar/{id}/no-show", h.authed(h.calendarNoShow, pr, ad))
	m.HandleFunc("GET /calendar/availability", h.authed(h.availabilityPage, pr, ad))
	m.HandleFunc("POST /calendar/availability", h.authed(h.availabilityAdd, pr, ad))
	m.HandleFunc("POST /calendar/availability/{id}/delete", h.authed(h.availabilityDelete, pr, ad))
	m.HandleFunc("POST /calendar/exceptions", h.authed(h.exceptionAdd, pr, ad))
	m.HandleFunc("POST /calendar/exceptions/{id}/delete", h.authed(h.exceptionDelete, pr, ad))

	m.HandleFunc("GET /admin/session-types", h.authed(h.sessionTypesPage, ad))
	m.HandleFunc("POST /admin/session-types", h.authed(h.sessionTypeCreate, ad))
	m.HandleFunc("POST /admin/session-types/{id}", h.authed(h.sessionTypeUpdate, ad))
}

// weekdays names the weekdays 0 (Sunday) to 6 for forms, in l's language.
func weekdays(l *i18n.Localizer) []string {
	out := make([]string, 7)
	for i := range out {
		out[i] = l.T("admin.weekday." + strconv.Itoa(i))
	}
	return out
}

// bookPage is "Book a session": pick a type and a practitioner, then see
// the free slots of the coming days and book one.
func (h *handler) bookPage(q *request) error {
	return h.renderBook(q, "")
}

func (h *handler) renderBook(q *request, problem string) error {
	ctx := q.r.Context()
	types, people, err := h.bookings.BookingOptions(ctx, q.ac)
	if err != nil {
		return err
	}
	f := q.r.URL.Query()
	if q.r.Method == http.MethodPost {
		f = q.r.PostForm
	}
	typeID, pid, from := f.Get("type"), f.Get("practitioner"), f.Get("from")
	if pid == "" && len(people) == 1 {
		pid = people[0].ID
	}
	data := map[string]any{"Types": types, "People": people, "Type": typeID, "Practitioner": pid, "From": from}
	status := http.StatusOK
	if typeID != "" && pid != "" {
		slots, err := h.bookings.FreeSlots(ctx, q.ac, app.SlotQuery{PractitionerID: pid, SessionTypeID: typeID, From: from, Days: 14})
		switch {
		case err == nil:
			data["Slots"] = groupSlots(slots)
			data["Searched"] = true
		case holdspace.ErrorCode(err) == holdspace.EINVALID || holdspace.ErrorCode(err) == holdspace.ENOTFOUND:
			problem, status = holdspace.ErrorMessage(err), http.StatusBadRequest
		default:
			return err
		}
	}
	v := q.view("Book a session", data)
	if problem != "" {
		v.Error = problem
		if status == http.StatusOK {
			status = http.StatusConflict
		}
	}
	h.render(q.w, status, "book", v)
	return nil
}

// slotDay is the free slots of one local day.
type slotDay struct {
	Label string
	Slots []app.SlotView
}

// groupSlots groups slots by the local day of their label ("Mon 7 Dec").
func groupSlots(slots []app.SlotView) []slotDay {
	var out []slotDay
	for _, s := range slots {
		day, _, _ := strings.Cut(s.Local, ",")
		if n := len(out); n == 0 || out[n-1].Label != day {
			out = append(out, slotDay{Label: day})
		}
		out[len(out)-1].Slots = append(out[len(out)-1].Slots, s)
	}
	return out
}

// slotTime is the local clock time of a slot's label ("14:00 PST").
func slotTime(local string) string {
	_, t, ok := strings.Cut(local, ", ")
	if !ok {
		return local
	}
	return t
}

func (h *handler) bookPost(q *request) error {
	f := q.r.PostForm
	_, err := h.bookings.Book(q.r.Context(), q.ac, app.BookInput{PractitionerID: f.Get("practitioner"), SessionTypeID: f.Get("type"), StartsAt: f.Get("starts_at")})
	if err != nil {
		if c := holdspace.ErrorCode(err); c == holdspace.ECONFLICT || c == holdspace.EINVALID {
			return h.renderBook(q, holdspace.ErrorMessage(err)+" Please pick another time.")
		}
		return err
	}
	return redirect(q, "/me/bookings?done=booked")
}

func (h *handler) myBookings(q *request) error {
	bs, err := h.bookings.MyBookings(q.r.Context(), q.ac, time.Now().Add(-24*time.Hour))
	if err != nil {
		return err
	}
	intake := false
	for _, b := range bs {
		intake = intake || b.Status == booking.StatusBooked && b.IntakeDue
	}
	h.render(q.w, http.StatusOK, "my_bookings", q.view("My bookings", map[string]any{"Bookings": bs, "Intake": intake}))
	return nil
}

func (h *handler) myBookingCancel(q *request) error {
	if _, err := h.bookings.CancelBooking(q.r.Context(), q.ac, q.r.PathValue("id")); err != nil {
		return err
	}
	return redirect(q, "/me/bookings?done=booking-cancelled")
}

// calendarOwner is whose calendar a console page shows: the practitioner
// themself, or the practitioner an admin picks (?practitioner=, default
// the first).
func (h *handler) calendarOwner(q *request, people []app.Person) string {
	if q.ac.Role == holdspace.RolePractitioner {
		return q.ac.UserID
	}
	p := q.r.FormValue("practitioner")
	if p == "" && len(people) > 0 {
		p = people[0].ID
	}
	return p
}

func (h *handler) practitioners(q *request) ([]app.Person, error) {
	if q.ac.Role != holdspace.RoleAdmin {
		return nil, nil
	}
	return h.people.ListPractitioners(q.r.Context(), q.ac)
}

// practiceLocation returns the practice's time zone.
func (h *handler) practiceLocation(q *request) (*time.Location, error) {
	s, err := h.practice.PracticeSettings(q.r.Context(), q.ac)
	if err != nil {
		return nil, err
	}
	return time.LoadLocation(s.TimeZone)
}

// localInput parses a datetime-local value ("2026-12-07T14:00") in loc.
// A local time that does not exist on that day (the hour the clocks skip)
// or happens twice (the hour they repeat) is refused, never shifted.
func localInput(field, v string, loc *time.Location) (time.Time, error) {
	return app.ParseLocal(field, app.LocalInput{Value: strings.TrimSpace(v)}, loc)
}

func (h *handler) calendarPage(q *request) error {
	return h.renderCalendar(q, "")
}

func (h *handler) renderCalendar(q *request, problem string) error {
	ctx := q.r.Context()
	people, err := h.practitioners(q)
	if err != nil {
		return err
	}
	pid := h.calendarOwner(q, people)
	if pid == "" {
		return holdspace.NotFound("practitioner")
	}
	wk, err := h.bookings.Week(ctx, q.ac, pid, q.r.FormValue("start"))
	if err != nil {
		return err
	}
	clients, err := h.people.ListClients(ctx, q.ac)
	if err != nil {
		return err
	}
	var mine []app.ClientView
	for _, c := range clients {
		for _, p := range c.PractitionerIDs {
			if p == pid {
				mine = append(mine, c)
				break
			}
		}
	}
	types, err := h.bookings.ListSessionTypes(ctx, q.ac)
	if err != nil {
		return err
	}
	var active []app.SessionTypeView
	for _, t := range types {
		if t.Active {
			active = append(active, t)
		}
	}
	v := q.view(q.l.T("practitioner.nav.calendar"), map[string]any{"Week": wk, "People": people, "Practitioner": pid, "Clients": mine, "Types": active})
	v.Wide = true
	status := http.StatusOK
	if problem != "" {
		v.Error, status = problem, http.StatusConflict
	}
	h.render(q.w, status, "calendar", v)
	return nil
}

// calendarBack is the calendar page the forms return to.
func calendarBack(q *request, done string) string {
	u := "/calendar?done=" + done
	if p := q.r.PostForm.Get("practitioner"); p != "" && q.ac.Role == holdspace.RoleAdmin {
		u += "&practitioner=" + p
	}
	if s := q.r.PostForm.Get("start"); s != "" {
		u += "&start=" + s
	}
	return u
}

// calendarFail shows a refused change on the calendar page itself.
func (h *handler) calendarFail(q *request, err error) error {
	if c := holdspace.ErrorCode(err); c == holdspace.ECONFLICT || c == holdspace.EINVALID {
		return h.renderCalendar(q, holdspace.ErrorMessage(err))
	}
	return err
}

func (h *handler) calendarBook(q *request) error {
	f := q.r.PostForm
	loc, err := h.practiceLocation(q)
	if err != nil {
		return err
	}
	at, err := localInput("starts_at", f.Get("starts_at"), loc)
	if err != nil {
		return h.calendarFail(q, err)
	}
	pid := f.Get("practitioner")
	if q.ac.Role == holdspace.RolePractitioner {
		pid = q.ac.UserID
	}
	if _, err := h.bookings.Book(q.r.Context(), q.ac, app.BookInput{ClientID: f.Get("client"), PractitionerID: pid, SessionTypeID: f.Get("type"),
		StartsAt: at.UTC().Format(time.RFC3339)}); err != nil {
		return h.calendarFail(q, err)
	}
	return redirect(q, calendarBack(q, "booked"))
}

func (h *handler) calendarReschedule(q *request) error {
	loc, err := h.practiceLocation(q)
	if err != nil {
		return err
	}
	at, err := localInput("starts_at", q.r.PostForm.Get("starts_at"), loc)
	if err != nil {
		return h.calendarFail(q, err)
	}
	if _, err := h.bookings.Reschedule(q.r.Context(), q.ac, q.r.PathValue("id"), app.RescheduleInput{StartsAt: at.UTC().Format(time.RFC3339)}); err != nil {
		return h.calendarFail(q, err)
	}
	return redirect(q, calendarBack(q, "booking-moved"))
}

func (h *handler) calendarCancel(q *request) error {
	if _, err := h.bookings.CancelBooking(q.r.Context(), q.ac, q.r.PathValue("id")); err != nil {
		return h.calendarFail(q, err)
	}
	return redirect(q, calendarBack(q, "booking-cancelled"))
}

func (h *handler) calendarNoShow(q *request) error {
	if _, err := h.bookings.MarkNoShow(q.r.Context(), q.ac, q.r.PathValue("id")); err != nil {
		return h.calendarFail(q, err)
	}
	return redirect(q, calendarBack(q, "no-show"))
}

func (h *handler) availabilityPage(q *request) error {
	return h.renderAvailability(q, nil)
}

func (h *handler) renderAvailability(q *request, errs map[string]string) error {
	people, err := h.practitioners(q)
	if err != nil {
		return err
	}
	pid := h.calendarOwner(q, people)
	if pid == "" {
		return holdspace.NotFound("practitioner")
	}
	av, err := h.bookings.Availability(q.r.Context(), q.ac, pid)
	if err != nil {
		return err
	}
	v := q.view(q.l.T("admin.availability.title"), map[string]any{"A": av, "People": people, "Practitioner": pid, "Weekdays": weekdays(q.l),
		"Reasons": booking.Reasons()})
	status := http.StatusOK
	if len(errs) > 0 {
		v.Form, v.Errors, v.Error, status = q.r.PostForm, errs, q.l.T("admin.not_saved"), http.StatusBadRequest
	}
	h.render(q.w, status, "availability", v)
	return nil
}

// availabilityBack is the availability page the forms return to.
func availabilityBack(q *request) string {
	u := "/calendar/availability?done=availability-saved"
	if p := q.r.PostForm.Get("practitioner"); p != "" && q.ac.Role == holdspace.RoleAdmin {
		u += "&practitioner=" + p
	}
	return u
}

func (h *handler) availabilityFail(q *request, err error) error {
	if errs, ok := fieldErrors(err); ok {
		return h.renderAvailability(q, errs)
	}
	if holdspace.ErrorCode(err) == holdspace.ECONFLICT {
		return h.renderAvailability(q, map[string]string{"start": errText(q.l, err)})
	}
	return err
}

// formOwner is the practitioner a calendar form acts on.
func formOwner(q *request) string {
	if q.ac.Role == holdspace.RolePractitioner {
		return q.ac.UserID
	}
	return q.r.PostForm.Get("practitioner")
}

func (h *handler) availabilityAdd(q *request) error {
	f := q.r.PostForm
	wd, err := strconv.Atoi(f.Get("weekday"))
	if err != nil {
		return h.renderAvailability(q, map[string]string{"weekday": invalidNote("invalid_weekday", "weekday", "Pick a weekday.")})
	}
	if _, err := h.bookings.AddAvailability(q.r.Context(), q.ac, formOwner(q), app.WindowInput{Weekday: wd, Start: f.Get("start"), End: f.Get("end")}); err != nil {
		return h.availabilityFail(q, err)
	}
	return redirect(q, availabilityBack(q))
}

func (h *handler) availabilityDelete(q *request) error {
	if err := h.bookings.DeleteAvailability(q.r.Context(), q.ac, formOwner(q), q.r.PathValue("id")); err != nil {
		return err
	}
	return redirect(q, availabilityBack(q))
}

func (h *handler) exceptionAdd(q *request) error {
	f := q.r.PostForm
	to := f.Get("to")
	if strings.TrimSpace(to) == "" {
		to = f.Get("from")
	}
	if _, err := h.bookings.AddException(q.r.Context(), q.ac, formOwner(q), app.ExceptionInput{From: f.Get("from"), To: to, Reason: f.Get("reason")}); err != nil {
		return h.availabilityFail(q, err)
	}
	return redirect(q, availabilityBack(q))
}

func (h *handler) exceptionDelete(q *request) error {
	if err := h.bookings.DeleteException(q.r.Context(), q.ac, formOwner(q), q.r.PathValue("id")); err != nil {
		return err
	}
	return redirect(q, availabilityBack(q))
}

func (h *handler) sessionTypesPage(q *request) error {
	return h.renderSessionTypes(q, nil)
}

func (h *handler) renderSessionTypes(q *request, errs map[string]string) error {
	types, err := h.bookings.ListSessionTypes(q.r.Context(), q.ac)
	if err != nil {
		return err
	}
	v := q.view(q.l.T("admin.types.title"), map[string]any{"Types": types, "Regions": catalogue.Regions(), "Intents": catalogue.Intents()})
	v.Wide = true
	status := http.StatusOK
	if len(errs) > 0 {
		v.Form, v.Errors, v.Error, status = q.r.PostForm, errs, q.l.T("admin.not_saved"), http.StatusBadRequest
	}
	h.render(q.w, status, "session_types", v)
	return nil
}

// sessionTypeInput reads a session type form.
func sessionTypeInput(q *request) (app.SessionTypeInput, map[string]string) {
	f := q.r.PostForm
	errs := map[string]string{}
	num := func(name string) int {
		v := strings.TrimSpace(f.Get(name))
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			errs[name] = invalidNote("invalid_number", name, "Give a whole number of minutes.")
		}
		return n
	}
	active := f.Get("active") == "on"
	in := app.SessionTypeInput{Name: f.Get("name"), Intent: f.Get("intent"), DurationMinutes: num("duration_minutes"),
		BufferMinutes: num("buffer_minutes"), Regions: f["regions"], Active: &active}
	return in, errs
}

func (h *handler) sessionTypeCreate(q *request) error {
	in, errs := sessionTypeInput(q)
	if len(errs) > 0 {
		return h.renderSessionTypes(q, errs)
	}
	if _, err := h.bookings.CreateSessionType(q.r.Context(), q.ac, in); err != nil {
		if errs, ok := fieldErrors(err); ok {
			return h.renderSessionTypes(q, errs)
		}
		return err
	}
	return redirect(q, "/admin/session-types?done=type-saved")
}

func (h *handler) sessionTypeUpdate(q *request) error {
	in, errs := sessionTypeInput(q)
	if len(errs) > 0 {
		return h.renderSessionTypes(q, errs)
	}
	if _, err := h.bookings.UpdateSessionType(q.r.Context(), q.ac, q.r.PathValue("id"), in); err != nil {
		if errs, ok := fieldErrors(err); ok {
			return h.renderSessionTypes(q, errs)
		}
		return err
	}
	return redirect(q, "/admin/session-types?done=type-saved")
}

// optionalInt reads a whole number from a form field; an empty field is 0
// (the setting's default), anything else not a number is noted in errs.
func optionalInt(f url.Values, name string, errs map[string]string) int {
	v := strings.TrimSpace(f.Get(name))
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		errs[name] = invalidNote("invalid_number", name, "Give a whole number.")
	}
	return n
}
