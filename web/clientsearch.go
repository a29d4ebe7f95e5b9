package web

import (
	"net/http"
)

// clientSearch shows the clients whose names match ?q= (the search box of
// the clients page and of the admin's clients page), each linking to the
// client's file. Admins search every client, practitioners their assigned
// clients (app.People.SearchClients, which audits the search).
func (h *handler) clientSearch(q *request) error {
	query := q.r.URL.Query()
	cs, err := h.people.SearchClients(q.r.Context(), q.ac, query.Get("q"), 0)
	v := q.view("Find a client", map[string]any{"Clients": cs})
	v.Form = query
	if err != nil {
		errs, ok := fieldErrors(err)
		if !ok {
			return err
		}
		v.Errors = errs
		h.render(q.w, http.StatusBadRequest, "client_search", v)
		return nil
	}
	h.render(q.w, http.StatusOK, "client_search", v)
	return nil
}
