package web

import (
	"net/url"

	"holdspace/app"
)

// Lists on pages are read a page at a time (issue 16): the page's address
// carries the cursor (?cursor=) of the store's keyset, and the pager links
// to the next page and back to the first. The cursor is opaque; one that
// this list did not give out is a 400 page, like any bad input.

// listPager is the pager of a list page: Next links to the following page
// ("" on the last), First back to the first ("" on the first).
type listPager struct {
	Label       string // names the navigation landmark
	First, Next string
}

// pageCursor is the cursor of the page asked for: the address's, or the
// one a form posted back so that a re-rendered page stays where it was.
func pageCursor(q *request) string { return q.r.FormValue("cursor") }

// pagerFor builds the pager of the list at path whose next page starts at
// next. The other query parameters of q's address carry over; done (the
// flash) does not. path is given, not taken from q, because a form posted
// elsewhere may re-render the list.
func pagerFor(q *request, path, label, next string) listPager {
	link := func(cursor string) string {
		v := url.Values{}
		for k, vs := range q.r.URL.Query() {
			if k != "cursor" && k != "done" {
				v[k] = vs
			}
		}
		if cursor != "" {
			v.Set("cursor", cursor)
		}
		if len(v) == 0 {
			return path
		}
		return path + "?" + v.Encode()
	}
	p := listPager{Label: label}
	if next != "" {
		p.Next = link(next)
	}
	if pageCursor(q) != "" {
		p.First = link("")
	}
	return p
}

// clientPage reads the page of clients the request asks for.
func (h *handler) clientPage(q *request) (app.ClientPage, error) {
	return h.people.PageClients(q.r.Context(), q.ac, app.ClientQuery{PageInput: app.PageInput{Cursor: pageCursor(q)}})
}
