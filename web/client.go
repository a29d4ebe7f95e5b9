package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"holdspace"
	"holdspace/app"
	"holdspace/catalogue"
	"holdspace/consent"
	"holdspace/i18n"
	"holdspace/screening"
)

// clientHome is the client's start page: what is next, their consent, their
// sessions, their health answers.
func (h *handler) clientHome(q *request) error {
	ctx := q.r.Context()
	var scr *app.ScreeningView
	var cur app.CurrentScreening
	sv, c, err := h.screenings.LatestScreening(ctx, q.ac, q.ac.UserID)
	switch holdspace.ErrorCode(err) {
	case "":
		scr, cur = &sv, c
	case holdspace.ENOTFOUND:
	default:
		return err
	}
	ags, err := h.agreements.ListAgreements(ctx, q.ac, q.ac.UserID)
	if err != nil {
		return err
	}
	var active []app.AgreementView
	for _, a := range ags {
		if a.Status == consent.StatusActive {
			active = append(active, a)
		}
	}
	sessions, err := h.sessions.ListSessions(ctx, q.ac, q.ac.UserID, time.Time{}, time.Time{})
	if err != nil {
		return err
	}
	names, err := h.practitionerNames(q)
	if err != nil {
		return err
	}
	slices.SortFunc(sessions, func(a, b app.SessionView) int { return b.StartsAt.Compare(a.StartsAt) })
	fups, err := h.followUps.ListFollowUps(ctx, q.ac, true)
	if err != nil {
		return err
	}
	data := map[string]any{
		"Screening": scr, "Current": cur, "Active": active, "Sessions": sessions, "Names": names, "FollowUps": fups,
	}
	if err := h.holdsData(q, sessions, data); err != nil {
		return err
	}
	v := q.view(q.l.T("client.home.title"), data)
	if q.r.URL.Query().Has("followup_error") {
		v.Error = q.l.T("client.home.followup_error")
	}
	h.render(q.w, http.StatusOK, "client_home", v)
	return nil
}

func (h *handler) practitionerNames(q *request) (map[string]string, error) {
	ps, err := h.people.ListPractitioners(q.r.Context(), q.ac)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, p := range ps {
		out[p.ID] = p.Name
	}
	return out, nil
}

// intakeItem is one question as the intake form shows it.
type intakeItem struct {
	LinkID   string
	Type     string
	Text     string
	Help     string
	Options  []screening.Option
	Value    string
	Values   []string
	Required bool
	Depends  string
	Error    string
	Regions  []catalogue.Region
}

// intakeTopics returns the topics that have a question for this anatomy.
func intakeTopics(q *screening.Questionnaire, an catalogue.Anatomy) []screening.Topic {
	var out []screening.Topic
	for _, t := range q.Topics() {
		for i := range q.Items {
			it := &q.Items[i]
			if it.Topic == t && (catalogue.Region{Needs: it.Anatomy}).AppliesTo(an) {
				out = append(out, t)
				break
			}
		}
	}
	return out
}

// answersFrom reads the intake answers carried in a form ("a.<linkId>"
// fields) and encodes them as the questionnaire's JSON. Answers to items
// that are not relevant (given earlier answers and the anatomy) are left
// out, so a changed mind leaves nothing behind.
func answersFrom(q *screening.Questionnaire, form url.Values, an catalogue.Anatomy) []byte {
	typed := screening.Answers{}
	out := map[string]any{}
	for i := range q.Items {
		it := &q.Items[i]
		vals := form["a."+it.LinkID]
		if len(vals) == 0 || (len(vals) == 1 && strings.TrimSpace(vals[0]) == "") {
			continue
		}
		if !it.Relevant(typed, &an) {
			continue
		}
		switch it.Type {
		case screening.TypeBoolean:
			switch vals[0] {
			case "true":
				out[it.LinkID], typed[it.LinkID] = true, true
			case "false":
				out[it.LinkID], typed[it.LinkID] = false, false
			default:
				out[it.LinkID] = vals[0] // refused by the decoder, with its message
			}
		case screening.TypeRegions:
			var rs []string
			for _, v := range vals {
				if v != "" {
					rs = append(rs, v)
				}
			}
			out[it.LinkID], typed[it.LinkID] = rs, rs
		case screening.TypeText:
			out[it.LinkID], typed[it.LinkID] = vals[0], vals[0]
		default:
			out[it.LinkID], typed[it.LinkID] = strings.TrimSpace(vals[0]), strings.TrimSpace(vals[0])
		}
	}
	b, _ := json.Marshal(out)
	return b
}

func (h *handler) intakePage(q *request) error {
	return h.renderIntake(q, 0, url.Values{}, map[string]string{})
}

func (h *handler) renderIntake(q *request, step int, form url.Values, errs map[string]string) error {
	qn, _ := screening.Lookup(screening.IntakeV1)
	cv, err := h.people.GetClient(q.r.Context(), q.ac, q.ac.UserID)
	if err != nil {
		return err
	}
	topics := intakeTopics(qn, cv.Anatomy)
	step = max(0, min(step, len(topics)-1))
	topic := topics[step]
	var items []intakeItem
	shown := map[string]bool{}
	for i := range qn.Items {
		it := &qn.Items[i]
		if it.Topic != topic || !(catalogue.Region{Needs: it.Anatomy}).AppliesTo(cv.Anatomy) {
			continue
		}
		shown[it.LinkID] = true
		ii := intakeItem{LinkID: it.LinkID, Type: string(it.Type), Text: itemText(q.l, it), Help: itemHelp(q.l, it), Options: itemOptions(q.l, it),
			Required: it.Required && len(it.EnableWhen) == 0, Error: errs["answers."+it.LinkID],
			Values: form["a."+it.LinkID]}
		ii.Value = form.Get("a." + it.LinkID)
		for _, ew := range it.EnableWhen {
			if dep, ok := qn.Item(ew.Question); ok {
				if ew.Equals == true {
					ii.Depends = q.l.T("client.intake.depends_yes", "Question", itemText(q.l, dep))
				} else {
					ii.Depends = q.l.T("client.intake.depends_date")
				}
			}
		}
		if it.Type == screening.TypeRegions {
			for _, r := range catalogue.Regions() {
				if r.AppliesTo(cv.Anatomy) {
					r.Label = regionName(q.l, r.Code)
					ii.Regions = append(ii.Regions, r)
				}
			}
		}
		items = append(items, ii)
	}
	type hidden struct{ Name, Value string }
	var hid []hidden
	for k, vs := range form {
		if !strings.HasPrefix(k, "a.") || shown[strings.TrimPrefix(k, "a.")] {
			continue
		}
		for _, v := range vs {
			hid = append(hid, hidden{k, v})
		}
	}
	slices.SortFunc(hid, func(a, b hidden) int { return strings.Compare(a.Name+a.Value, b.Name+b.Value) })
	v := q.view(q.l.T("client.intake.title"), map[string]any{
		"Topic": topicTitle(q.l, topic), "Step": step, "Human": step + 1, "Total": len(topics), "Last": step == len(topics)-1,
		"Items": items, "Hidden": hid,
	})
	h.renderForm(q.w, q.r, "intake", v, errs, q.l.T("client.intake.errors"))
	return nil
}

func (h *handler) intakePost(q *request) error {
	qn, _ := screening.Lookup(screening.IntakeV1)
	form := q.r.PostForm
	step, _ := strconv.Atoi(form.Get("step"))
	cv, err := h.people.GetClient(q.r.Context(), q.ac, q.ac.UserID)
	if err != nil {
		return err
	}
	topics := intakeTopics(qn, cv.Anatomy)
	step = max(0, min(step, len(topics)-1))
	action := form.Get("action")
	if action == "back" {
		return h.renderIntake(q, step-1, form, map[string]string{})
	}
	raw := answersFrom(qn, form, cv.Anatomy)
	// Check this screen before moving on: values, and the required
	// questions of this topic.
	answers, err := screening.DecodeAnswersWith(qn, raw, screening.DecodeOptions{At: time.Now(), Anatomy: &cv.Anatomy, Partial: true})
	if err != nil {
		errs, ok := fieldErrors(err)
		if !ok {
			return err
		}
		return h.renderIntake(q, topicStep(qn, topics, holdspace.ErrorField(err), step), form, errs)
	}
	errs := map[string]string{}
	for i := range qn.Items {
		it := &qn.Items[i]
		if it.Topic != topics[step] || !it.Required || !it.Relevant(answers, &cv.Anatomy) {
			continue
		}
		if _, ok := answers[it.LinkID]; !ok {
			errs["answers."+it.LinkID] = q.l.T("client.intake.required")
		}
	}
	if len(errs) > 0 {
		return h.renderIntake(q, step, form, errs)
	}
	if action != "submit" || step < len(topics)-1 {
		return h.renderIntake(q, step+1, form, map[string]string{})
	}
	_, err = h.screenings.SubmitScreening(q.r.Context(), q.ac, q.ac.UserID, app.ScreeningInput{Questionnaire: screening.IntakeV1, Answers: raw, Language: shownLanguage(q.l)})
	if err != nil {
		errs, ok := fieldErrors(err)
		if !ok {
			return err
		}
		return h.renderIntake(q, topicStep(qn, topics, holdspace.ErrorField(err), step), form, errs)
	}
	return redirect(q, "/screening?done=screened")
}

// topicStep returns the step showing the item named by an error field
// ("answers.<linkId>"), or def.
func topicStep(qn *screening.Questionnaire, topics []screening.Topic, field string, def int) int {
	it, ok := qn.Item(strings.TrimPrefix(field, "answers."))
	if !ok {
		return def
	}
	if i := slices.Index(topics, it.Topic); i >= 0 {
		return i
	}
	return def
}

// screeningPage shows the latest screening in plain language, per region.
func (h *handler) screeningPage(q *request) error {
	sv, cur, err := h.screenings.LatestScreening(q.r.Context(), q.ac, q.ac.UserID)
	if holdspace.ErrorCode(err) == holdspace.ENOTFOUND {
		return redirect(q, "/intake")
	}
	if err != nil {
		return err
	}
	cv, err := h.people.GetClient(q.r.Context(), q.ac, q.ac.UserID)
	if err != nil {
		return err
	}
	states, rows := screeningMap(q.l, cur, cv.Anatomy)
	h.render(q.w, http.StatusOK, "screening", q.view(q.l.T("client.home.health_title"), map[string]any{
		"Screening": sv, "Current": cur, "Findings": findingsFor(cur.Findings, cv.Anatomy), "Map": bodyMapSVG(q.l, states, false), "Rows": rows,
	}))
	return nil
}

// screeningRow is one region's screening outcome with the findings that
// cover it.
type screeningRow struct {
	mapRegion
	Severity screening.Severity
	Findings []screening.Finding
}

func screeningMap(l *i18n.Localizer, cur app.CurrentScreening, an catalogue.Anatomy) ([]mapRegion, []screeningRow) {
	var states []mapRegion
	var rows []screeningRow
	for _, r := range catalogue.Regions() {
		if !r.AppliesTo(an) {
			continue
		}
		sev, text := regionScreening(l, cur.Findings, r.Code)
		st := mapRegion{Code: r.Code, Label: regionName(l, r.Code), Group: string(r.Group), Class: "sev-" + sev.String(), Text: text}
		states = append(states, st)
		row := screeningRow{mapRegion: st, Severity: sev}
		for _, f := range cur.Findings {
			if slices.Contains(f.Regions, r.Code) {
				row.Findings = append(row.Findings, f)
			}
		}
		rows = append(rows, row)
	}
	return states, rows
}

func (h *handler) healthChange(q *request) error {
	_, err := h.screenings.RecordHealthChange(q.r.Context(), q.ac, q.ac.UserID, app.HealthChangeInput{Note: q.r.PostFormValue("note")})
	if err != nil {
		return err
	}
	return redirect(q, "/me?done=health")
}

// consentRegion is one region's controls on the body-map form.
type consentRegion struct {
	mapRegion
	Answers map[string]catalogue.Answer
}

// consentForm builds the body-map form's regions from answers keyed
// "region/technique"; a missing answer is no (default deny).
func consentForm(l *i18n.Localizer, an catalogue.Anatomy, answers map[string]catalogue.Answer) []consentRegion {
	var out []consentRegion
	for _, r := range catalogue.Regions() {
		if !r.AppliesTo(an) {
			continue
		}
		ans := map[string]catalogue.Answer{}
		for _, t := range catalogue.TechniqueCodes() {
			a := answers[r.Code+"/"+t]
			if a == "" {
				a = catalogue.No
			}
			ans[t] = a
		}
		class, text := consentState(l, ans)
		out = append(out, consentRegion{mapRegion{Code: r.Code, Label: regionName(l, r.Code), Group: string(r.Group), Class: class, Text: text}, ans})
	}
	return out
}

func (h *handler) consentPage(q *request) error {
	intent := q.r.URL.Query().Get("intent")
	if !catalogue.ValidIntent(intent) {
		intent = string(catalogue.Therapeutic)
	}
	cv, err := h.people.GetClient(q.r.Context(), q.ac, q.ac.UserID)
	if err != nil {
		return err
	}
	ags, err := h.agreements.ListAgreements(q.r.Context(), q.ac, q.ac.UserID)
	if err != nil {
		return err
	}
	answers := map[string]catalogue.Answer{}
	var basis *app.AgreementView
	for i := range ags {
		a := &ags[i]
		if a.Intent == intent && a.Status == consent.StatusActive {
			basis = a
		}
	}
	if basis != nil {
		for _, g := range basis.Grants {
			answers[g.Region+"/"+g.Technique] = g.Answer
		}
	}
	return h.renderConsent(q, intent, cv.Anatomy, answers, basis, nil)
}

func (h *handler) renderConsent(q *request, intent string, an catalogue.Anatomy, answers map[string]catalogue.Answer, basis *app.AgreementView, errs map[string]string) error {
	// The body map offers only what the practice offers this client.
	offer, err := h.practice.Offering(q.r.Context(), q.ac, q.ac.UserID)
	if err != nil {
		return err
	}
	if !offer.Sensual {
		intent = string(catalogue.Therapeutic)
	}
	var regions []consentRegion
	for _, r := range consentForm(q.l, an, answers) {
		if offer.Offers(r.Code, intent) {
			regions = append(regions, r)
		}
	}
	var states []mapRegion
	for _, r := range regions {
		states = append(states, r.mapRegion)
	}
	v := q.view(q.l.T("client.consent.title"), map[string]any{
		"Intent": intent, "Regions": regions, "Map": bodyMapSVG(q.l, states, true), "Techniques": catalogue.Techniques(),
		"Basis": basis, "Answers": []catalogue.Answer{catalogue.Yes, catalogue.Ask, catalogue.No},
		"SensualOffered": offer.Sensual,
	})
	h.renderForm(q.w, q.r, "consent", v, errs, oneNote(errs))
	return nil
}

// grantsFrom reads the body-map form: one "g.<region>.<technique>" field
// per applicable pair. Unknown or inapplicable regions are left to the
// app's validation.
func grantsFrom(form url.Values, an catalogue.Anatomy) ([]consent.Grant, map[string]catalogue.Answer) {
	var gs []consent.Grant
	answers := map[string]catalogue.Answer{}
	for _, r := range catalogue.Regions() {
		for _, t := range catalogue.TechniqueCodes() {
			v := form.Get("g." + r.Code + "." + t)
			if v == "" {
				continue
			}
			gs = append(gs, consent.Grant{Region: r.Code, Technique: t, Answer: catalogue.Answer(v)})
			answers[r.Code+"/"+t] = catalogue.Answer(v)
		}
	}
	return gs, answers
}

// consentReview shows what the client is about to sign, in words, with
// the answers carried in hidden fields.
func (h *handler) consentReview(q *request) error {
	form := q.r.PostForm
	intent := form.Get("intent")
	cv, err := h.people.GetClient(q.r.Context(), q.ac, q.ac.UserID)
	if err != nil {
		return err
	}
	gs, answers := grantsFrom(form, cv.Anatomy)
	if !catalogue.ValidIntent(intent) {
		return h.renderConsent(q, string(catalogue.Therapeutic), cv.Anatomy, answers, nil,
			map[string]string{"intent": q.l.T("client.consent.intent_required")})
	}
	if form.Get("action") == "edit" {
		return h.renderConsent(q, intent, cv.Anatomy, answers, nil, nil)
	}
	ag := consent.Agreement{Intent: catalogue.Intent(intent), Grants: gs}
	if err := ag.Validate(cv.Anatomy); err != nil {
		errs, ok := fieldErrors(err)
		if !ok {
			return err
		}
		return h.renderConsent(q, intent, cv.Anatomy, answers, nil, errs)
	}
	regions := consentForm(q.l, cv.Anatomy, answers)
	type hidden struct{ Name, Value string }
	var hid []hidden
	for _, g := range gs {
		hid = append(hid, hidden{"g." + g.Region + "." + g.Technique, string(g.Answer)})
	}
	var states []mapRegion
	for _, r := range regions {
		states = append(states, r.mapRegion)
	}
	chosen, left := chosenRegions(regions)
	lang, text := consentWords(q, intent, gs)
	h.render(q.w, http.StatusOK, "consent_review", q.view(q.l.T("client.review.title"), map[string]any{
		"Intent": intent, "Regions": chosen, "Left": left, "Hidden": hid, "Map": bodyMapSVG(q.l, states, false),
		"Language": lang, "ConsentText": text,
	}))
	return nil
}

func (h *handler) consentSign(q *request) error {
	form := q.r.PostForm
	cv, err := h.people.GetClient(q.r.Context(), q.ac, q.ac.UserID)
	if err != nil {
		return err
	}
	gs, answers := grantsFrom(form, cv.Anatomy)
	intent := form.Get("intent")
	ag, err := h.agreements.CreateAgreement(q.r.Context(), q.ac, q.ac.UserID, app.AgreementInput{Intent: intent, Grants: gs,
		Language: form.Get("language")})
	if err != nil {
		if errs, ok := fieldErrors(err); ok {
			if !catalogue.ValidIntent(intent) {
				intent = string(catalogue.Therapeutic)
			}
			return h.renderConsent(q, intent, cv.Anatomy, answers, nil, errs)
		}
		return err
	}
	if _, err := h.agreements.SignAgreement(q.r.Context(), q.ac, ag.ID, app.SignInput{}); err != nil {
		return err
	}
	return redirect(q, "/agreements?done=signed")
}

// myAgreements lists the client's agreements with one-tap withdrawal per
// region and for everything.
func (h *handler) myAgreements(q *request) error {
	ags, err := h.agreements.ListAgreements(q.r.Context(), q.ac, q.ac.UserID)
	if err != nil {
		return err
	}
	slices.SortFunc(ags, func(a, b app.AgreementView) int { return b.CreatedAt.Compare(a.CreatedAt) })
	var active, past []agreementSummary
	for _, a := range ags {
		s := summarize(q.l, a)
		if a.Status == consent.StatusActive {
			active = append(active, s)
		} else if a.Status != consent.StatusDraft {
			past = append(past, s)
		}
	}
	history, err := h.consentHistory(q)
	if err != nil {
		return err
	}
	h.render(q.w, http.StatusOK, "agreements", q.view(q.l.T("client.agreements.title"), map[string]any{"Active": active, "Past": past, "History": history}))
	return nil
}

// agreementSummary is an agreement with its regions in words: which are
// still given and which are withdrawn.
type agreementSummary struct {
	app.AgreementView
	Given     []mapRegion
	Withdrawn []string
}

// summarize puts an agreement's regions in words, in l.
func summarize(l *i18n.Localizer, a app.AgreementView) agreementSummary {
	a.Grants = offeredGrants(a)
	s := agreementSummary{AgreementView: a}
	revoked := map[string]bool{}
	all := false
	for _, rv := range a.Revocations {
		if len(rv.Regions) == 0 {
			all = true
		}
		for _, r := range rv.Regions {
			revoked[r] = true
		}
	}
	per := map[string]map[string]catalogue.Answer{}
	for _, g := range a.Grants {
		if per[g.Region] == nil {
			per[g.Region] = map[string]catalogue.Answer{}
		}
		per[g.Region][g.Technique] = g.Answer
	}
	for _, r := range catalogue.Regions() {
		ans, ok := per[r.Code]
		if !ok {
			continue
		}
		if all || revoked[r.Code] {
			s.Withdrawn = append(s.Withdrawn, r.Code)
			continue
		}
		class, text := consentState(l, ans)
		if class == "s-no" {
			continue
		}
		s.Given = append(s.Given, mapRegion{Code: r.Code, Label: regionName(l, r.Code), Group: string(r.Group), Class: class, Text: text})
	}
	return s
}

// revoke withdraws consent for one region or, without a region, for the
// whole agreement. No extra confirmation: narrowing is always one tap.
func (h *handler) revoke(q *request) error {
	id := q.r.PathValue("id")
	var in app.RevokeInput
	if r := q.r.PostFormValue("region"); r != "" {
		in.Regions = []string{r}
	}
	if _, err := h.agreements.RevokeAgreement(q.r.Context(), q.ac, id, in); err != nil {
		return err
	}
	if q.r.Header.Get("X-Holdspace-Fetch") != "" {
		q.w.WriteHeader(http.StatusNoContent)
		return nil
	}
	if back := q.r.PostFormValue("back"); backPath.MatchString(back) {
		return redirect(q, back+"?done=revoked")
	}
	return redirect(q, "/agreements?done=revoked")
}

// export sends the client's data as a JSON file download.
func (h *handler) export(q *request) error {
	x, err := h.records.ExportClient(q.r.Context(), q.ac, q.ac.UserID)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(x, "", "  ")
	if err != nil {
		return err
	}
	noStore(q.w)
	q.w.Header().Set("Content-Type", "application/json")
	q.w.Header().Set("Content-Disposition", `attachment; filename="holdspace-my-data-`+x.ExportedAt.UTC().Format("2006-01-02")+`.json"`)
	q.w.Write(b)
	return nil
}

// backPath is where a withdrawal may send the client back to: their
// session page, and nowhere else (no open redirect).
var backPath = regexp.MustCompile(`^/sessions/[a-z0-9_]+$`)

// findingsFor narrows findings to the regions that exist for the client's
// anatomy, leaving out findings that cover none of them: nobody should read
// that a finding concerns a part of the body they do not have.
func findingsFor(fs []screening.Finding, an catalogue.Anatomy) []screening.Finding {
	var out []screening.Finding
	for _, f := range fs {
		var regions []string
		for _, code := range f.Regions {
			if r, ok := catalogue.LookupRegion(code); ok && r.AppliesTo(an) {
				regions = append(regions, code)
			}
		}
		if len(regions) > 0 {
			f.Regions = regions
			out = append(out, f)
		}
	}
	return out
}
