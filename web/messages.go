package web

import (
	"errors"
	"strings"
	"time"

	"holdspace"
	"holdspace/i18n"
)

// Messages of the page frame in the reader's language (issue 17): what a
// page says after an action, how long to wait, and app errors shown on
// pages. The API keeps the app's English sentences beside their stable
// codes; pages translate by code.

// flashCodes are the ?done= codes that show a message (shell.flash.<code>).
var flashCodes = map[string]bool{
	"feedoff": true, "signed": true, "revoked": true, "screened": true, "booked": true, "event": true,
	"stopped": true, "resumed": true, "reconfirmed": true, "created": true, "assigned": true, "closed": true,
	"health": true, "daycheck": true, "seen": true, "confirmed": true, "followup": true, "guardian": true,
	"reviewed": true, "saved": true, "password": true, "signedout": true, "factoroff": true,
}

// flashText is the message of a ?done= code in l's language; "" for an
// unknown code.
func flashText(l *i18n.Localizer, code string) string {
	if !flashCodes[code] {
		return ""
	}
	return localizerOr(l).T("shell.flash." + code)
}

// waitText says how long to wait, rounded up to whole seconds or minutes:
// "30 seconds", "a minute".
func waitText(l *i18n.Localizer, d time.Duration) string {
	l = localizerOr(l)
	if d < time.Minute {
		return l.N("shell.wait.seconds", max(1, int(d.Seconds()+0.999)))
	}
	return l.N("shell.wait.minutes", max(1, int(d.Minutes()+0.999)))
}

func localizerOr(l *i18n.Localizer) *i18n.Localizer {
	if l == nil {
		return i18n.Default().Localizer(i18n.Source)
	}
	return l
}

// errText is an app error as a page shows it in l's language: English
// pages show the app's own sentence; other languages the catalog's
// message for its stable code (form.error.<reason>), else for its class
// (form.error.<code>). Internal errors never show their cause.
func errText(l *i18n.Localizer, err error) string {
	l = localizerOr(l)
	code := holdspace.ErrorCode(err)
	if code == holdspace.EINTERNAL {
		return l.T("form.error.internal")
	}
	if l.Lang() == i18n.Source {
		return holdspace.ErrorMessage(err)
	}
	return codeText(l, holdspace.ErrorReason(err), code)
}

// codeText is the catalog's message for a problem's reason, else for its
// class.
func codeText(l *i18n.Localizer, reason, code string) string {
	b := i18n.Default()
	switch {
	case reason != "" && b.Has("form.error."+reason):
		return l.T("form.error." + reason)
	case b.Has("form.error." + code):
		return l.T("form.error." + code)
	}
	return l.T("form.error.invalid")
}

// codedMark starts a field message that still carries its problem's code,
// field and English sentence (see fieldErrors); the view turns it into
// the reader's language when the page is rendered.
const codedMark = "\x00"

// fieldErrors turns an app EINVALID error into a field → message map; ok
// is false for other errors. The message is written in the page's
// language when the page is rendered (view.localizeErrors).
func fieldErrors(err error) (map[string]string, bool) {
	var e *holdspace.Error
	if !errors.As(err, &e) || e.Code != holdspace.EINVALID {
		return nil, false
	}
	f := e.Field
	if f == "" {
		f = "_"
	}
	return map[string]string{f: invalidNote(e.Reason, e.Field, e.Message)}, true
}

// fieldLabels names a form field by the message id of its label, for the
// note above a form ("Email: ...").
var fieldLabels = map[string]string{
	"name":                      "shell.field.name",
	"email":                     "shell.field.email",
	"password":                  "shell.field.password",
	"password2":                 "shell.field.password2",
	"current_password":          "shell.field.current_password",
	"otp":                       "shell.account.factor_code",
	"time_zone":                 "shell.account.tz",
	"age_of_majority":           "admin.practice.age",
	"language":                  "admin.practice.language",
	"follow_up_window_hours":    "admin.practice.follow_up",
	"cancellation_window_hours": "admin.practice.cancel",
	"no_show_after_minutes":     "admin.practice.no_show",
	"identity.name":             "admin.practice.name",
	"identity.address":          "admin.practice.address",
	"identity.email":            "admin.practice.email",
	"identity.phone":            "shell.privacy.phone",
	"identity.jurisdiction":     "admin.practice.jurisdiction",
	"identity.privacy_notice":   "admin.practice.privacy",
	"birth_date":                "admin.client_new.birth_date",
	"notes":                     "admin.client_new.notes",
	"kind":                      "admin.practitioners.kind",
	"issuer":                    "admin.practitioners.issuer",
	"number":                    "admin.practitioners.number",
	"valid_from":                "admin.practitioners.valid_from",
	"valid_until":               "admin.practitioners.valid_until",
	"covers":                    "admin.practitioners.covers",
	"reason":                    "admin.practitioners.reason",
	"client_id":                 "admin.audit.client_id",
	"practitioner_ids":          "admin.clients.assigned",
	"intent":                    "admin.types.intent",
	"duration_minutes":          "admin.types.length",
	"buffer_minutes":            "admin.types.buffer",
	"regions":                   "admin.practice.regions",
	"weekday":                   "admin.availability.day",
	"start":                     "admin.availability.from",
	"end":                       "admin.availability.until",
	"from":                      "admin.availability.from",
	"to":                        "admin.availability.to",
}

// errorText is a field message as the page shows it: a coded message (see
// fieldErrors) in the page's language, any other as it is. With summary,
// for the note above the form, a translated message names its field.
func (v *view) errorText(m string, summary bool) string {
	if !strings.HasPrefix(m, codedMark) {
		return m
	}
	parts := strings.SplitN(m[len(codedMark):], codedMark, 3)
	if len(parts) != 3 {
		return strings.ReplaceAll(m, codedMark, "")
	}
	reason, field, english := parts[0], parts[1], parts[2]
	l := localizerOr(v.L)
	if l.Lang() == i18n.Source {
		return english
	}
	msg := codeText(l, reason, holdspace.EINVALID)
	if id, ok := fieldLabels[field]; ok && summary {
		return l.T("form.summary", "Field", l.T(id), "Message", msg)
	}
	return msg
}

// localizeErrors writes the view's field messages in its language.
func (v *view) localizeErrors() {
	for k, m := range v.Errors {
		v.Errors[k] = v.errorText(m, false)
	}
	v.Error = v.errorText(v.Error, true)
	v.Notice = v.errorText(v.Notice, true)
}

// invalidNote is a field message made by a page handler, carried like an
// app error's (see fieldErrors): English pages show english, others the
// catalog's form.error.<reason>.
func invalidNote(reason, field, english string) string {
	return codedMark + reason + codedMark + field + codedMark + english
}
