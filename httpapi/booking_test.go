package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"holdspace"
	"holdspace/app"
	"holdspace/app/apptest"
	"holdspace/httpapi"
	"holdspace/httpedge"
	"holdspace/practice"
)

// bookingAPI is an API server with an admin, two practitioners (Pat with
// availability every day 09:00–17:00) and a client of Pat's, each with a
// bearer token.
type bookingAPI struct {
	srv                       *httptest.Server
	admin, pat, robin, client string
	patID, robinID, clientID  string
	typeID                    string
	loc                       *time.Location
}

func newBookingAPI(t *testing.T) *bookingAPI {
	t.Helper()
	ctx := context.Background()
	a := apptest.New(t, nil)
	s := practice.DefaultSettings()
	s.TimeZone = "America/Los_Angeles"
	if _, err := a.Practice.PutPracticeSettings(ctx, app.System, s); err != nil {
		t.Fatal(err)
	}
	const pw = "a long test password"
	mk := func(role holdspace.Role, name, email string) string {
		id, err := a.People.CreateUser(ctx, app.System, app.NewUser{Role: role, Name: name, Email: email, Password: pw})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	login := func(email string) string {
		s, err := a.Accounts.Login(ctx, email, pw, "127.0.0.1", "api")
		if err != nil {
			t.Fatal(err)
		}
		return s.Token
	}
	b := &bookingAPI{}
	b.loc, _ = time.LoadLocation("America/Los_Angeles")
	mk(holdspace.RoleAdmin, "Ada", "admin@example.test")
	b.patID = mk(holdspace.RolePractitioner, "Pat", "pat@example.test")
	b.robinID = mk(holdspace.RolePractitioner, "Robin", "robin@example.test")
	cid, err := a.People.CreateClient(ctx, app.System, app.ClientInput{Name: "Casey", Email: "casey@example.test", Password: pw,
		BirthDate: "1980-01-01", PractitionerIDs: []string{b.patID}})
	if err != nil {
		t.Fatal(err)
	}
	b.clientID = cid
	b.admin, b.pat, b.robin, b.client = login("admin@example.test"), login("pat@example.test"), login("robin@example.test"), login("casey@example.test")
	b.srv = httptest.NewServer(httpapi.New(a, slog.New(slog.DiscardHandler), httpedge.NewMetrics(), nil))
	t.Cleanup(b.srv.Close)
	var st app.SessionTypeView
	b.call(t, b.admin, "POST", "/api/v1/session-types", `{"name":"Back massage","intent":"therapeutic","duration_minutes":60,"buffer_minutes":15,"regions":["upper-back"]}`, 201, &st)
	b.typeID = st.ID
	for d := range 7 {
		b.call(t, b.pat, "POST", "/api/v1/practitioners/"+b.patID+"/availability", `{"weekday":`+string(rune('0'+d))+`,"start":"09:00","end":"17:00"}`, 201, nil)
	}
	return b
}

// call sends a request with token and fails unless the status is want; it
// decodes the body into out when out is set, and returns the error code.
func (b *bookingAPI) call(t *testing.T, token, method, path, body string, want int, out any) string {
	t.Helper()
	req, _ := http.NewRequest(method, b.srv.URL+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d %s, want %d", method, path, resp.StatusCode, buf.String(), want)
	}
	if out != nil {
		if err := json.Unmarshal(buf.Bytes(), out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, buf.String())
		}
	}
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	json.Unmarshal(buf.Bytes(), &e)
	return e.Error.Code
}

func (b *bookingAPI) at(days, hour int) time.Time {
	d := time.Now().In(b.loc)
	return time.Date(d.Year(), d.Month(), d.Day()+days, hour, 0, 0, 0, b.loc)
}

func TestBookingAPIJourney(t *testing.T) {
	b := newBookingAPI(t)
	day := b.at(2, 0).Format(time.DateOnly)
	var slots []app.SlotView
	b.call(t, b.client, "GET", "/api/v1/practitioners/"+b.patID+"/slots?session_type_id="+b.typeID+"&from="+day+"&days=1", "", 200, &slots)
	if len(slots) == 0 || !slots[0].StartsAt.Equal(b.at(2, 9)) || !strings.HasSuffix(slots[0].Local, b.at(2, 9).Format("MST")) {
		t.Fatalf("slots = %+v", slots)
	}
	var bk app.BookingView
	b.call(t, b.client, "POST", "/api/v1/bookings", `{"practitioner_id":"`+b.patID+`","session_type_id":"`+b.typeID+`","starts_at":"`+
		slots[0].StartsAt.Format(time.RFC3339)+`"}`, 201, &bk)
	if bk.Status != "booked" || !bk.IntakeRequested {
		t.Fatalf("booking = %+v", bk)
	}
	code := b.call(t, b.client, "POST", "/api/v1/bookings", `{"practitioner_id":"`+b.patID+`","session_type_id":"`+b.typeID+`","starts_at":"`+
		slots[1].StartsAt.Format(time.RFC3339)+`"}`, 409, nil)
	if code != "slot_taken" {
		t.Fatalf("double booking code %q", code)
	}
	var week app.WeekView
	b.call(t, b.pat, "GET", "/api/v1/practitioners/"+b.patID+"/week?start="+day, "", 200, &week)
	found := false
	for _, d := range week.Days {
		for _, x := range d.Bookings {
			found = found || x.SessionID == bk.SessionID && x.ClientName == "Casey"
		}
	}
	if !found {
		t.Fatalf("week view lacks the booking: %+v", week)
	}
	var reqs []app.BookingView
	b.call(t, b.pat, "GET", "/api/v1/bookings/intake-requests", "", 200, &reqs)
	if len(reqs) != 1 {
		t.Fatalf("intake requests %+v", reqs)
	}
	var moved app.BookingView
	b.call(t, b.pat, "POST", "/api/v1/bookings/"+bk.SessionID+"/reschedule", `{"starts_at":"`+b.at(2, 13).Format(time.RFC3339)+`"}`, 200, &moved)
	if !moved.StartsAt.Equal(b.at(2, 13)) {
		t.Fatalf("moved = %+v", moved)
	}
	var mine []app.BookingView
	b.call(t, b.client, "GET", "/api/v1/bookings", "", 200, &mine)
	if len(mine) != 1 || mine[0].PractitionerName != "Pat" {
		t.Fatalf("my bookings %+v", mine)
	}
	var cancelled app.BookingView
	b.call(t, b.client, "POST", "/api/v1/bookings/"+bk.SessionID+"/cancel", "", 200, &cancelled)
	if cancelled.Status != "cancelled" || cancelled.Late {
		t.Fatalf("cancelled = %+v", cancelled)
	}
	if code := b.call(t, b.client, "POST", "/api/v1/bookings/"+bk.SessionID+"/cancel", "", 409, nil); code != "not_active" {
		t.Fatalf("second cancel code %q", code)
	}
}

// TestBookingAPIAuthorization is the booking rows of the authorization
// table: every route, every role.
func TestBookingAPIAuthorization(t *testing.T) {
	b := newBookingAPI(t)
	var bk app.BookingView
	b.call(t, b.pat, "POST", "/api/v1/bookings", `{"client_id":"`+b.clientID+`","session_type_id":"`+b.typeID+`","starts_at":"`+
		b.at(3, 10).Format(time.RFC3339)+`"}`, 201, &bk)
	typ := `{"name":"Feet","intent":"therapeutic","duration_minutes":30}`
	slot := b.at(4, 10).Format(time.RFC3339)
	rows := []struct {
		name, token, method, path, body string
		want                            int
	}{
		{"NoToken", "", "GET", "/api/v1/session-types", "", 401},
		{"ClientListsTypes", b.client, "GET", "/api/v1/session-types", "", 200},
		{"PractitionerAddsType", b.pat, "POST", "/api/v1/session-types", typ, 403},
		{"ClientAddsType", b.client, "POST", "/api/v1/session-types", typ, 403},
		{"AdminUpdatesUnknownType", b.admin, "PUT", "/api/v1/session-types/nope", typ, 404},
		{"UnknownField", b.admin, "POST", "/api/v1/session-types", `{"name":"x","colour":"red"}`, 400},
		{"BadDuration", b.admin, "POST", "/api/v1/session-types", `{"name":"x","intent":"therapeutic","duration_minutes":3}`, 400},
		{"ClientReadsAvailability", b.client, "GET", "/api/v1/practitioners/" + b.patID + "/availability", "", 403},
		{"OtherPractitionerReadsAvailability", b.robin, "GET", "/api/v1/practitioners/" + b.patID + "/availability", "", 403},
		{"AdminReadsAvailability", b.admin, "GET", "/api/v1/practitioners/" + b.patID + "/availability", "", 200},
		{"OtherPractitionerAddsWindow", b.robin, "POST", "/api/v1/practitioners/" + b.patID + "/availability", `{"weekday":1,"start":"18:00","end":"19:00"}`, 403},
		{"OverlappingWindow", b.pat, "POST", "/api/v1/practitioners/" + b.patID + "/availability", `{"weekday":1,"start":"16:00","end":"19:00"}`, 409},
		{"BadWeekday", b.pat, "POST", "/api/v1/practitioners/" + b.patID + "/availability", `{"weekday":9,"start":"18:00","end":"19:00"}`, 400},
		{"ClientAddsException", b.client, "POST", "/api/v1/practitioners/" + b.patID + "/exceptions", `{"from":"2027-01-01","to":"2027-01-01","reason":"holiday"}`, 403},
		{"ReversedException", b.pat, "POST", "/api/v1/practitioners/" + b.patID + "/exceptions", `{"from":"2027-01-02","to":"2027-01-01","reason":"holiday"}`, 400},
		{"DeleteUnknownWindow", b.pat, "DELETE", "/api/v1/practitioners/" + b.patID + "/availability/nope", "", 404},
		{"DeleteUnknownException", b.admin, "DELETE", "/api/v1/practitioners/" + b.patID + "/exceptions/nope", "", 404},
		{"UnassignedPractitionerSlots", b.client, "GET", "/api/v1/practitioners/" + b.robinID + "/slots?session_type_id=" + b.typeID, "", 404},
		{"BadDays", b.client, "GET", "/api/v1/practitioners/" + b.patID + "/slots?session_type_id=" + b.typeID + "&days=x", "", 400},
		{"TooManyDays", b.client, "GET", "/api/v1/practitioners/" + b.patID + "/slots?session_type_id=" + b.typeID + "&days=40", "", 400},
		{"ClientWeek", b.client, "GET", "/api/v1/practitioners/" + b.patID + "/week", "", 403},
		{"OtherPractitionerWeek", b.robin, "GET", "/api/v1/practitioners/" + b.patID + "/week", "", 403},
		{"AdminWeek", b.admin, "GET", "/api/v1/practitioners/" + b.patID + "/week", "", 200},
		{"OtherPractitionerBooks", b.robin, "POST", "/api/v1/bookings", `{"client_id":"` + b.clientID + `","session_type_id":"` + b.typeID + `","starts_at":"` + slot + `"}`, 404},
		{"ClientBooksOutsideHours", b.client, "POST", "/api/v1/bookings", `{"practitioner_id":"` + b.patID + `","session_type_id":"` + b.typeID + `","starts_at":"` + b.at(4, 20).Format(time.RFC3339) + `"}`, 409},
		{"BookingNoTime", b.client, "POST", "/api/v1/bookings", `{"practitioner_id":"` + b.patID + `","session_type_id":"` + b.typeID + `"}`, 400},
		{"OtherPractitionerReadsBooking", b.robin, "GET", "/api/v1/bookings/" + bk.SessionID, "", 404},
		{"ClientReadsOwnBooking", b.client, "GET", "/api/v1/bookings/" + bk.SessionID, "", 200},
		{"ClientReschedules", b.client, "POST", "/api/v1/bookings/" + bk.SessionID + "/reschedule", `{"starts_at":"` + slot + `"}`, 403},
		{"OtherPractitionerCancels", b.robin, "POST", "/api/v1/bookings/" + bk.SessionID + "/cancel", "", 404},
		{"ClientNoShow", b.client, "POST", "/api/v1/bookings/" + bk.SessionID + "/no-show", "", 403},
		{"NoShowTooEarly", b.pat, "POST", "/api/v1/bookings/" + bk.SessionID + "/no-show", "", 409},
		{"PractitionerOwnList", b.pat, "GET", "/api/v1/bookings", "", 403},
		{"ClientIntakeRequests", b.client, "GET", "/api/v1/bookings/intake-requests", "", 403},
		{"AdminIntakeRequests", b.admin, "GET", "/api/v1/bookings/intake-requests?from=x", "", 400},
		{"AdminCancels", b.admin, "POST", "/api/v1/bookings/" + bk.SessionID + "/cancel", "", 200},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			b.call(t, r.token, r.method, r.path, r.body, r.want, nil)
		})
	}
}
