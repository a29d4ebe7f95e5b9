package httpapi

import (
	"net/url"

	"holdspace"
	"holdspace/app"
)

// Lists answer a page at a time (issue 16). Every list response is a JSON
// object, so the cursor travels in the body: next_cursor is present when
// another page follows, and the caller passes it back as ?cursor= with the
// same filters. ?limit= sets the page size.

// pageInput reads ?cursor= and ?limit= of a list; EINVALID bad_limit for a
// limit that is not a whole number (its range is the use case's check).
func pageInput(q url.Values) (app.PageInput, error) {
	in := app.PageInput{Cursor: q.Get("cursor")}
	if v := q.Get("limit"); v != "" {
		n, err := parseInt(v)
		if err != nil || n < 1 || n > app.MaxPageSize {
			return in, holdspace.Invalid("bad_limit", "limit", "Give limit as a whole number from 1 to %d.", app.MaxPageSize)
		}
		in.Limit = int(n)
	}
	return in, nil
}

// withNext adds next_cursor to a list body when another page follows.
func withNext(body map[string]any, next string) map[string]any {
	if next != "" {
		body["next_cursor"] = next
	}
	return body
}
