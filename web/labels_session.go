package web

import (
	"html/template"
	"strconv"
	"strings"
	"time"

	"holdspace/app"
	"holdspace/catalogue"
	"holdspace/consent"
	"holdspace/i18n"
	"holdspace/practice"
)

// The words of sessions, agreements and decisions in the reader's
// language (issue 17): states, events, reasons, intents. Each takes the
// page's localizer; sessionFuncs binds them for one language's templates.

// sessionFuncs are the template functions of sessions in l's language.
func sessionFuncs(l *i18n.Localizer) template.FuncMap {
	return template.FuncMap{
		"stateText":           func(s string) string { return stateTextIn(l, s) },
		"reasonText":          func(r consent.Reason) string { return reasonTextIn(l, r) },
		"intentLabel":         func(v any) string { return intentLabelIn(l, v) },
		"agreementStatusText": func(v any) string { return agreementStatusIn(l, v) },
		"adverseKind":         func(k string) string { return adverseKindIn(l, k) },
		"staleText":           func(r string) string { return l.T("session.stale." + r) },
		"roleText":            func(r string) string { return roleTextIn(l, r) },
		"triggerText":         func(ts []string) string { return triggersIn(l, ts) },
		"followUpStatus":      func(s string) string { return l.T("session.followup." + s) },
		"isoDay": func(d string) string {
			t, err := time.Parse(time.DateOnly, d)
			if err != nil {
				return d
			}
			return l.Date(t, time.UTC)
		},
	}
}

// stateTextIn names a session state: "In progress", "Läuft".
func stateTextIn(l *i18n.Localizer, s string) string {
	switch practice.State(s) {
	case practice.Scheduled, practice.Open, practice.InProgress, practice.Stopped, practice.Closed, practice.Cancelled:
		return l.T("session.state." + s)
	}
	return s
}

// intentLabelIn names an intent: "Therapeutic", "Therapeutisch".
func intentLabelIn(l *i18n.Localizer, intent any) string {
	var s string
	switch v := intent.(type) {
	case string:
		s = v
	case catalogue.Intent:
		s = string(v)
	}
	switch catalogue.Intent(s) {
	case catalogue.Therapeutic, catalogue.Sensual:
		return l.T("session.intent." + s)
	}
	return s
}

// agreementStatusIn names an agreement's status: "In force", "Gültig".
func agreementStatusIn(l *i18n.Localizer, status any) string {
	var s string
	switch v := status.(type) {
	case string:
		s = v
	case consent.Status:
		s = string(v)
	}
	switch consent.Status(s) {
	case consent.StatusDraft, consent.StatusActive, consent.StatusSuperseded, consent.StatusRevoked, consent.StatusExpired:
		return l.T("session.agreement_status." + s)
	}
	return s
}

// roleTextIn names who did something: "the client", "die Klientin/der Klient".
func roleTextIn(l *i18n.Localizer, role string) string {
	switch role {
	case "client", "practitioner", "admin", "system":
		return l.T("session.role." + role)
	}
	return role
}

// triggersIn lists why a follow-up was made, joined.
func triggersIn(l *i18n.Localizer, ts []string) string {
	out := make([]string, len(ts))
	for i, t := range ts {
		switch t {
		case practice.FollowUpEmotionalRelease, practice.FollowUpAdverse, practice.FollowUpStop, practice.FollowUpCheckinDeclined:
			out[i] = l.T("session.trigger." + t)
		default:
			out[i] = t
		}
	}
	return strings.Join(out, ", ")
}

// reasonKeys maps each fixed reason message to its key (consent.FixedReasons).
var reasonKeys = func() map[string]string {
	m := map[string]string{}
	for k, r := range consent.FixedReasons() {
		m[r.Message] = k
	}
	return m
}()

// reasonTextIn is a decision's reason in the reader's words. Fixed reasons
// are translated whole; a screening finding's reason keeps the finding's
// text (the rule pack's, in the language it carries) after a translated
// lead-in.
func reasonTextIn(l *i18n.Localizer, r consent.Reason) string {
	if k, ok := reasonKeys[r.Message]; ok {
		return l.T("reasons." + k)
	}
	for _, p := range []struct{ prefix, id string }{
		{consent.PrefixContraindicated, "reasons.screening_contraindicated"},
		{consent.PrefixReferral, "reasons.screening_referral"},
		{consent.PrefixPrecaution, "reasons.screening_precaution"},
	} {
		if rest, ok := strings.CutPrefix(r.Message, p.prefix); ok {
			return l.T(p.id, "Finding", findingTextIn(l, rest))
		}
	}
	if rest, ok := strings.CutPrefix(r.Message, consent.PrefixGated); ok {
		if cover, text, ok := strings.Cut(rest, " credential: "); ok {
			return l.T("reasons.gated", "Cover", cover, "Finding", findingTextIn(l, text))
		}
	}
	if rest, ok := strings.CutPrefix(r.Message, consent.PrefixQualification); ok {
		if cover, _, ok := strings.Cut(rest, " credential"); ok {
			return l.T("reasons.qualification", "Cover", cover)
		}
	}
	return r.Message
}

// findingTextIn is a screening finding's practitioner text in l's
// language, when the rule pack carries it; else as written.
func findingTextIn(l *i18n.Localizer, text string) string {
	return text
}

// eventTextIn is one line of a session's "What happened".
func eventTextIn(l *i18n.Localizer, e app.EventView) string {
	byClient := e.ActorRole == "client"
	switch e.Type {
	case "open":
		return l.T("session.event.open")
	case "reconfirm":
		if byClient {
			return l.T("session.event.reconfirm_device", "Version", e.AgreementVersion)
		}
		return l.T("session.event.reconfirm_in_person", "Version", e.AgreementVersion)
	case "chaperone":
		if e.Chaperone == nil || !e.Chaperone.Offered {
			return l.T("session.event.chaperone_not_offered")
		}
		if e.Chaperone.Accepted {
			return l.T("session.event.chaperone_accepted", "Name", e.Chaperone.Name)
		}
		return l.T("session.event.chaperone_declined")
	case "begin":
		return l.T("session.event.begin")
	case "checkin":
		answer := l.T("session.event.answer_no")
		if e.Answer == "yes" {
			answer = l.T("session.event.answer_yes")
		}
		return l.T("session.event.checkin", "Region", regionLabelIn(l, e.Region), "Answer", answer)
	case "stop":
		if byClient {
			return l.T("session.event.stop_client")
		}
		return l.T("session.event.stop_practitioner")
	case "resume":
		return l.T("session.event.resume")
	case "emotional-release":
		return l.T("session.event.release", "Intensity", e.Intensity, "Text", e.Text)
	case "adverse":
		return l.T("session.event.adverse", "Kind", adverseKindIn(l, e.Kind), "Text", e.Text)
	case "note":
		return l.T("session.event.note", "Text", e.Text)
	case "close":
		return l.T("session.event.close")
	case "cancel":
		if byClient {
			return l.T("session.event.cancel_client")
		}
		return l.T("session.event.cancel_practitioner")
	case "day-check":
		return dayCheckTextIn(l, e, byClient)
	case "follow-up":
		return followUpTextIn(l, e)
	}
	return string(e.Type)
}

// dayCheckTextIn is the log line of a day's check.
func dayCheckTextIn(l *i18n.Localizer, e app.EventView, byClient bool) string {
	lead := l.T("session.event.daycheck_in_person")
	if byClient {
		lead = l.T("session.event.daycheck_device")
	}
	if e.Today == nil {
		return lead + " " + l.T("session.event.daycheck_missing")
	}
	yn := func(v bool) string {
		if v {
			return l.T("session.event.answer_yes")
		}
		return l.T("session.event.answer_no")
	}
	return lead + " " + l.T("session.event.daycheck_answers", "Clear", yn(e.Today.ClearHeaded), "Unwell", yn(e.Today.Unwell), "Changes", yn(e.Today.Changes))
}

// followUpTextIn is the log line of a follow-up answer.
func followUpTextIn(l *i18n.Localizer, e app.EventView) string {
	s := l.T("session.event.followup")
	if e.Wellbeing != nil {
		s += ", " + strconv.Itoa(*e.Wellbeing) + " / 10"
	}
	if e.Text != "" {
		s += ": " + e.Text
	}
	return s
}

// withdrawalTextIn is the log line of a withdrawal of consent.
func withdrawalTextIn(l *i18n.Localizer, a app.AgreementView, rv consent.Revocation) string {
	who := roleTextIn(l, rv.ByRole)
	if len(rv.Regions) == 0 {
		return l.T("session.event.withdrawn_all", "Version", a.Version, "By", who)
	}
	labels := make([]string, len(rv.Regions))
	for i, r := range rv.Regions {
		labels[i] = regionLabelIn(l, r)
	}
	return l.T("session.event.withdrawn", "Regions", strings.Join(labels, ", "), "Version", a.Version, "By", who)
}

// groupLabelIn names a region group as the board shows it.
func groupLabelIn(l *i18n.Localizer, g string) string {
	switch catalogue.Group(g) {
	case catalogue.General, catalogue.Sensitive, catalogue.Intimate, catalogue.Internal:
		return l.T("session.group." + g)
	}
	return g
}

// regionLabelIn names a body region in l's language (the body map's
// words), else by its catalogue label.
func regionLabelIn(l *i18n.Localizer, code string) string {
	if i18n.Default().Has("body.region." + code) {
		return l.T("body.region." + code)
	}
	return regionLabel(code)
}

// adverseKindIn names an adverse event kind ("other" is a reserved word of
// the catalogs, so its message is kind_other).
func adverseKindIn(l *i18n.Localizer, k string) string {
	switch k {
	case practice.AdverseOther:
		return l.T("session.adverse.kind_other")
	case practice.AdverseNausea, practice.AdverseLightHeadedness, practice.AdversePain, practice.AdverseBleeding, practice.AdverseDistress:
		return l.T("session.adverse." + k)
	}
	return k
}
