package web

import (
	"strconv"
	"strings"

	"holdspace/app"
	"holdspace/catalogue"
	"holdspace/consent"
	"holdspace/i18n"
	"holdspace/practice"
)

// Pages of issue 10: the practice's settings and adverse events (admin),
// guardian consent (practitioner, in person), follow-ups (all).

func (h *handler) adminPractice(q *request) error {
	return h.renderPractice(q, nil)
}

func (h *handler) renderPractice(q *request, errs map[string]string) error {
	s, err := h.practice.PracticeSettings(q.r.Context(), q.ac)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		// Keep what the admin typed (a privacy notice can be long).
		s.Identity = identityForm(q.r.PostForm)
	}
	v := q.view(q.l.T("admin.practice.title"), map[string]any{"S": s, "Covers": catalogue.Covers(), "Groups": practice.ScopeGroups()})
	v.Wide = true
	// The default language: chosen from the shipped languages, each named
	// in its own language; English while none is set.
	cur := s.Language
	if cur == "" {
		cur = i18n.Source
	}
	var langs []languageOption
	for _, l := range h.bundle.Languages() {
		langs = append(langs, languageOption{Tag: l, Name: h.bundle.Localizer(l).T("language." + l), Current: l == cur})
	}
	v.Data.(map[string]any)["Languages"] = langs
	h.renderForm(q.w, q.r, "admin_practice", v, errs, q.l.T("admin.practice.not_saved"))
	return nil
}

// adminPracticePost saves the settings form: one requires/offered pair per
// scope group.
func (h *handler) adminPracticePost(q *request) error {
	f := q.r.PostForm
	errs := map[string]string{}
	num := func(name string) int {
		n, err := strconv.Atoi(strings.TrimSpace(f.Get(name)))
		if err != nil {
			errs[name] = invalidNote("invalid_number", name, "Give a whole number.")
		}
		return n
	}
	in := practice.Settings{AgeOfMajority: num("age_of_majority"), TimeZone: strings.TrimSpace(f.Get("time_zone")),
		SensualOffered: f.Get("sensual_offered") == "on", FollowUpWindowHours: num("follow_up_window_hours"),
		CancellationWindowHours: optionalInt(f, "cancellation_window_hours", errs), NoShowAfterMinutes: optionalInt(f, "no_show_after_minutes", errs),
		Identity: identityForm(f), Language: strings.TrimSpace(f.Get("language"))}
	for _, g := range practice.ScopeGroups() {
		in.Scope = append(in.Scope, practice.ScopeRule{Group: g, Requires: f.Get("requires." + g), Offered: f.Get("offered."+g) == "on"})
	}
	if len(errs) > 0 {
		return h.renderPractice(q, errs)
	}
	if _, err := h.practice.PutPracticeSettings(q.r.Context(), q.ac, in); err != nil {
		if errs, ok := fieldErrors(err); ok {
			return h.renderPractice(q, errs)
		}
		return err
	}
	return redirect(q, "/admin/practice?done=created")
}

func (h *handler) adminAcknowledge(q *request) error {
	if _, err := h.followUps.AcknowledgeFollowUp(q.r.Context(), q.ac, q.r.PathValue("id")); err != nil {
		return err
	}
	return redirect(q, "/admin?done=reviewed")
}

// guardianPost records a guardian's consent with a minor's agreement, on
// the practitioner's device with the guardian present.
func (h *handler) guardianPost(q *request) error {
	f := q.r.PostForm
	id := q.r.PathValue("id")
	_, err := h.agreements.RecordGuardianConsent(q.r.Context(), q.ac, id, app.GuardianInput{Name: f.Get("guardian_name"),
		Relationship: f.Get("relationship"), TypedName: f.Get("typed_name")})
	if err != nil {
		if errs, ok := fieldErrors(err); ok {
			return redirect(q, "/agreements/"+id+"?guardian_error="+firstField(errs))
		}
		return err
	}
	return redirect(q, "/agreements/"+id+"?done=guardian")
}

func firstField(errs map[string]string) string {
	for k := range errs {
		return k
	}
	return ""
}

// guardianErrors are the notes shown beside the guardian form after a
// refused attempt, by field.
var guardianErrors = map[string]string{
	"name":         invalidNote("guardian_name", "guardian_name", "Write the guardian's name."),
	"relationship": invalidNote("guardian_relationship", "relationship", "Say how the guardian is related to the client."),
	"typed_name":   invalidNote("typed_name_mismatch", "typed_name", "The guardian types their own name, exactly as written above, to sign."),
}

// followUpAnswer records the client's answer to "How have you been since
// your session?".
func (h *handler) followUpAnswer(q *request) error {
	f := q.r.PostForm
	var in app.FollowUpAnswer
	if s := strings.TrimSpace(f.Get("wellbeing")); s != "" {
		n, err := strconv.Atoi(s)
		if err == nil {
			in.Wellbeing = &n
		}
	}
	in.Note = f.Get("note")
	if _, err := h.followUps.AnswerFollowUp(q.r.Context(), q.ac, q.r.PathValue("id"), in); err != nil {
		if _, ok := fieldErrors(err); ok {
			return redirect(q, "/me?followup_error=1")
		}
		return err
	}
	return redirect(q, "/me?done=followup")
}

// offeredGrants returns a's grants with every grant the practice refuses
// now (a.Refused) answered "no", so that no page shows a refused grant as
// permitted.
func offeredGrants(a app.AgreementView) []consent.Grant {
	if len(a.Refused) == 0 {
		return a.Grants
	}
	out := make([]consent.Grant, len(a.Grants))
	copy(out, a.Grants)
	for i, g := range out {
		for _, r := range a.Refused {
			if r.Region == g.Region && r.Technique == g.Technique {
				out[i].Answer = catalogue.No
			}
		}
	}
	return out
}
