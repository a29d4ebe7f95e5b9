package web

import (
	"net/url"

	"holdspace/app"
	"holdspace/i18n"
)

// todayFromForm reads the three answers of the day's check from a form
// ("true" or "false" each); a missing or other value is reported in errs
// under "today.<name>".
func todayFromForm(l *i18n.Localizer, f url.Values, errs map[string]string) *app.TodayInput {
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
			errs["today."+q.name] = l.T("session.error.yes_no")
		}
	}
	return t
}
