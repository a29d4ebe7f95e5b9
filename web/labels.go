package web

import (
	"strings"
)

// pageFuncs are template functions added for issue 15's page fixes,
// beside the ones loadTemplates declares.
var pageFuncs = map[string]any{
	"techLabels": techLabels,
	"idName":     func(id, name string) idName { return idName{ID: id, Name: name} },
}

// idName is an id with the name of the person it names, if any.
type idName struct{ ID, Name string }

// techLabels names techniques by their catalogue labels, joined.
func techLabels(codes []string) string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = techLabel(c)
	}
	return strings.Join(out, ", ")
}

// chosenRegions splits the body-map regions into those the client said yes
// or ask-first to (for at least one technique) and those left at No.
func chosenRegions(regions []consentRegion) (chosen, left []consentRegion) {
	for _, r := range regions {
		if r.Class == "s-no" {
			left = append(left, r)
		} else {
			chosen = append(chosen, r)
		}
	}
	return chosen, left
}
