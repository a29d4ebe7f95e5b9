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
			obj(map[string]any{"time_zone": str}, "time_zone"), 200, []int{400}},
	)
}

func (s *Server) setTimeZone(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	var in struct {
		TimeZone *string `json:"time_zone"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.TimeZone == nil {
		return holdspace.Invalid("required", "time_zone", "Give time_zone: an IANA name such as Europe/Berlin, or \"\" for the practice's.")
	}
	p, err := s.app.SetTimeZone(r.Context(), ac, *in.TimeZone)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}
