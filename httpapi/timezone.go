package httpapi

import (
	"net/http"

	"holdspace"
	"holdspace/app"
)

// The time zone of issue 14: a person chooses the zone they see and enter
// times in; the API itself stays in UTC RFC 3339.
func init() {
	operations = append(operations,
		operation{"PUT /api/v1/me/time-zone", "Choose one's own time zone (IANA name; empty: the practice's); returns the account as GET /api/v1/me", true,
			timeZoneRequest{}, 200, []int{400}},
	)
	contracts["PUT /api/v1/me/time-zone"] = contract{id: "setMyTimeZone", tag: "me", resp: app.Person{}, required: []string{"time_zone"}}
}

// timeZoneRequest is the body of PUT /api/v1/me/time-zone.
type timeZoneRequest struct {
	TimeZone *string `json:"time_zone"`
}

func (s peopleAPI) setTimeZone(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	var in timeZoneRequest
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.TimeZone == nil {
		return holdspace.Invalid("required", "time_zone", "Give time_zone: an IANA name such as Europe/Berlin, or \"\" for the practice's.")
	}
	p, err := s.people.SetTimeZone(r.Context(), ac, *in.TimeZone)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}
