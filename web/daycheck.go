package web

import (
	"net/url"
	"strings"

	"holdspace/app"
)

// todayFromForm reads the three answers of the day's check from a form
// ("true" or "false" each); a missing or other value is reported in errs
// under "today.<name>".
func todayFromForm(f url.Values, errs map[string]string) *app.TodayInput {
	t := &app.TodayInput{}
	for _, q := range []struct {
		name string
		dst  **bool
	}{{"clear_headed", &t.ClearHeaded}, {"unwell", &t.Unwell}, {"changes", &t.Changes}} {
		switch f.Get(q.name) {
		case "true":
			v := true
			*q.dst = &v
		case "false":
			v := false
			*q.dst = &v
		default:
			errs["today."+q.name] = "Please choose yes or no."
		}
	}
	return t
}

// dayCheckText is the session log's line for a day check.
func dayCheckText(e app.EventView, who string) string {
	var b strings.Builder
	if who == "client" {
		b.WriteString("Today's check, answered by the client on their device: ")
	} else {
		b.WriteString("Today's check, the client's in-person answers recorded by the practitioner: ")
	}
	if e.Today == nil {
		b.WriteString("answers not available")
		return b.String()
	}
	yn := func(v bool) string {
		if v {
			return "yes"
		}
		return "no"
	}
	b.WriteString("clear-headed " + yn(e.Today.ClearHeaded) + ", unwell " + yn(e.Today.Unwell) + ", health changed " + yn(e.Today.Changes))
	return b.String()
}
