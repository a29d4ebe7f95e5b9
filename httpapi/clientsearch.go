package httpapi

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/getkin/kin-openapi/openapi3"

	"holdspace"
	"holdspace/app"
)

// searchClients answers GET /api/v1/clients?q=…[&limit=n]: the clients
// whose names match q, in name order (app.People.SearchClients), in the
// list's own body shape. A search is one page: no cursor.
func (h peopleAPI) searchClients(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	q := r.URL.Query()
	if len(q["q"]) > 1 {
		return holdspace.Invalid("duplicate_parameter", "q", "Give q once.")
	}
	if q.Has("cursor") {
		return holdspace.Invalid("bad_cursor", "cursor", "A search by name is one page; it takes no cursor.")
	}
	limit := 0
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > app.MaxSearchLimit {
			return holdspace.Invalid("bad_limit", "limit", "With q, give limit as a whole number from 1 to %d.", app.MaxSearchLimit)
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

// clientListParams are the query parameters of GET /api/v1/clients: the
// page's (pageParams) and the search's q (openapi_contract.go).
var clientListParams = append(slices.Clone(pageParams), queryParam{"q", &openapi3.Schema{Type: &openapi3.Types{"string"}, MaxLength: new(uint64(app.MaxSearchQuery))},
	"Search by name: each word must start a word of the client's name, ignoring case and accents (\"ann sm\" finds \"Anna Smith\"); " +
		"one page in name order, limit 1 to 100 (default 20), no cursor. Admins search every client, practitioners their assigned clients; " +
		"clients get 403. Empty after folding (query_empty) or longer than 100 characters (query_too_long): 400."})
