package httpapi

import (
	"net/http"

	"holdspace"
	"holdspace/app"
)

// Languages (issue 17): a person chooses the language they read holdspace
// in; their emails and PDFs follow it. API error messages stay English
// beside their stable codes.
func init() {
	operations = append(operations,
		operation{"PUT /api/v1/me/language", "Choose one's own language (a shipped tag such as de; empty: the browser's, else the practice's); returns the account as GET /api/v1/me", true,
			languageRequest{}, 200, []int{400}},
	)
	contracts["PUT /api/v1/me/language"] = contract{id: "setMyLanguage", tag: "me", resp: app.Person{}, required: []string{"language"}}
}

// languageRequest is the body of PUT /api/v1/me/language.
type languageRequest struct {
	Language *string `json:"language"`
}

func (s peopleAPI) setLanguage(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	var in languageRequest
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.Language == nil {
		return holdspace.Invalid("required", "language", "Give language: a language holdspace ships, such as de, or \"\" to follow the browser.")
	}
	p, err := s.people.SetLanguage(r.Context(), ac, *in.Language)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}
