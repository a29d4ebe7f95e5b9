package httpapi

import (
	"net/http"
	"strconv"

	"github.com/getkin/kin-openapi/openapi3"

	"holdspace"
	"holdspace/app"
)

// searchClients answers GET /api/v1/clients?q=…[&limit=n]: the clients
// whose names match q, in name order (app.People.SearchClients), in the
// list's own body shape.
func (h peopleAPI) searchClients(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	q := r.URL.Query()
	if len(q["q"]) > 1 {
		return holdspace.Invalid("duplicate_parameter", "q", "Give q once.")
	}
	limit := 0
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > app.MaxSearchLimit {
			return holdspace.Invalid("invalid_limit", "limit", "Give a limit from 1 to %d.", app.MaxSearchLimit)
		}
		limit = n
	}
	cs, err := h.people.SearchClients(r.Context(), ac, q.Get("q"), limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"clients": cs})
	return nil
}

// clientSearchParams are the query parameters of the client search, in
// the OpenAPI operation of GET /api/v1/clients (openapi_contract.go).
var clientSearchParams = []queryParam{
	{"q", &openapi3.Schema{Type: &openapi3.Types{"string"}, MaxLength: new(uint64(app.MaxSearchQuery))},
		"Search by name: each word must start a word of the client's name, ignoring case and accents (\"ann sm\" finds \"Anna Smith\"); " +
			"results in name order. Admins search every client, practitioners their assigned clients; clients get 403. " +
			"Empty after folding (query_empty) or longer than 100 characters (query_too_long): 400."},
	{"limit", &openapi3.Schema{Type: &openapi3.Types{"integer"}, Min: new(1.0), Max: new(float64(app.MaxSearchLimit))},
		"With q: at most this many clients (default 20)."},
}
