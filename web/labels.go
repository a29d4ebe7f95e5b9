package web

import (
	"strings"

	"holdspace/catalogue"
	"holdspace/consent"
)

// pageFuncs are template functions added for issue 15's page fixes,
// beside the ones loadTemplates declares.
var pageFuncs = map[string]any{
	"techLabels":          techLabels,
	"intentLabel":         intentLabel,
	"agreementStatusText": agreementStatusText,
	"idName":              func(id, name string) idName { return idName{ID: id, Name: name} },
}

// idName is an id with the name of the person it names, if any.
type idName struct{ ID, Name string }

// intentLabel is an intent as a heading or a form shows it.
func intentLabel(intent any) string {
	var s string
	switch v := intent.(type) {
	case string:
		s = v
	case catalogue.Intent:
		s = string(v)
	}
	switch catalogue.Intent(s) {
	case catalogue.Therapeutic:
		return "Therapeutic"
	case catalogue.Sensual:
		return "Sensual"
	}
	return s
}

// agreementStatusText is an agreement's status in words.
func agreementStatusText(status any) string {
	var s string
	switch v := status.(type) {
	case string:
		s = v
	case consent.Status:
		s = string(v)
	}
	switch consent.Status(s) {
	case consent.StatusDraft:
		return "Draft"
	case consent.StatusActive:
		return "In force"
	case consent.StatusSuperseded:
		return "Replaced by a newer version"
	case consent.StatusRevoked:
		return "Withdrawn"
	case consent.StatusExpired:
		return "Expired"
	}
	return s
}

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
