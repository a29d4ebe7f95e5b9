package app

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"holdspace"
	"holdspace/i18n"
	"holdspace/screening"
	"holdspace/store"
)

// Screenings keeps clients' health screenings, health changes,
// clearances and confirmations.
type Screenings struct {
	*core
}

// screeningsTx is the part of the store the Screenings use cases touch.
type screeningsTx interface {
	store.AuditLog
	store.Clients
	store.Keys
	store.Screenings
	store.Settings
	store.Users
	txBase
}

// update runs fn in a write transaction that offers only screeningsTx.
func (a *Screenings) update(ctx context.Context, fn func(screeningsTx) error) error {
	return a.core.update(ctx, func(tx store.Tx) error { return fn(tx) })
}

// ScreeningInput is the input of SubmitScreening.
type ScreeningInput struct {
	Questionnaire string          `json:"questionnaire"`
	Answers       json.RawMessage `json:"answers"`
	// Language is the language the questions were shown in ("de"),
	// optional; it must be a language holdspace ships.
	Language string `json:"language,omitempty"`
}

// ScreeningView is a stored screening as callers see it.
type ScreeningView struct {
	ID            string                        `json:"id"`
	Questionnaire string                        `json:"questionnaire"`
	Outcome       screening.Severity            `json:"outcome"`
	Regions       map[string]screening.Severity `json:"regions"`
	Findings      []screening.Finding           `json:"findings"`
	TakenAt       time.Time                     `json:"taken_at"`
	ValidUntil    time.Time                     `json:"valid_until"`
	RecordedBy    string                        `json:"recorded_by"`
	Answers       screening.Answers             `json:"answers,omitempty"`
	// Language is the language the questions were answered in, when known.
	Language string `json:"language,omitempty"`
	// RecordedRole, ConfirmedAt and AwaitingConfirmation: see
	// app/screening_confirm.go.
	RecordedRole         string     `json:"recorded_role,omitempty"`
	ConfirmedAt          *time.Time `json:"confirmed_at,omitempty"`
	AwaitingConfirmation bool       `json:"awaiting_client_confirmation,omitempty"`
	// Held lists the earlier findings still in force although this
	// screening leaves them out, each with the reason (Finding.Held).
	Held []screening.Finding `json:"held,omitempty"`
}

// CurrentScreening is the screening in force for a client at a time, with
// staleness and clearances applied: what the decision engine reads.
type CurrentScreening = screening.Current

func (a *Screenings) validityMonths() int {
	if a.cfg.ScreeningValidityMonths > 0 {
		return a.cfg.ScreeningValidityMonths
	}
	return screening.DefaultValidityMonths
}

// SubmitScreening validates intake answers strictly, evaluates them with the
// rule pack and stores answers and result sealed. Admins, the client's
// assigned practitioners and the client may submit.
func (a *Screenings) SubmitScreening(ctx context.Context, ac Actor, clientID string, in ScreeningInput) (ScreeningView, error) {
	var out ScreeningView
	if in.Questionnaire == "" {
		in.Questionnaire = screening.IntakeV1
	}
	q, ok := screening.Lookup(in.Questionnaire)
	if !ok {
		return out, holdspace.Invalid("unknown_questionnaire", "questionnaire", "There is no questionnaire %q.", in.Questionnaire)
	}
	if q.Retired {
		return out, holdspace.Invalid("retired_questionnaire", "questionnaire", "Questionnaire %q is retired; use the current one.", in.Questionnaire)
	}
	if len(in.Answers) == 0 {
		return out, holdspace.Invalid("required", "answers", "Answers are required.")
	}
	if in.Language != "" && (in.Language == i18n.Pseudo || !i18n.Default().Supported(in.Language)) {
		return out, holdspace.Invalid("unknown_language", "language", "Language %q is not one holdspace ships.", in.Language)
	}
	err := a.update(ctx, func(tx screeningsTx) error {
		c, err := visibleClient(ctx, tx, ac, clientID)
		if err != nil {
			return err
		}
		an, err := a.anatomy(c)
		if err != nil {
			return err
		}
		answers, err := screening.DecodeAnswersWith(q, in.Answers, screening.DecodeOptions{At: tx.Now(), Anatomy: &an})
		if err != nil {
			return err
		}
		bd, err := a.open(c.ID, "birth_date", c.BirthDateSealed)
		if err != nil {
			return err
		}
		birth, _ := time.Parse(time.DateOnly, bd)
		// Today, ages and the months of validity are the practice's.
		now, err := a.practiceNow(ctx, tx)
		if err != nil {
			return err
		}
		res, err := a.pack.Evaluate(answers, screening.Subject{Anatomy: an, BirthDate: birth}, now)
		if err != nil {
			return fmt.Errorf("evaluate screening: %w", err)
		}
		res.Language = in.Language
		s := &store.Screening{ID: newID("scr"), ClientID: clientID, Questionnaire: q.Name, TakenAt: tx.Now(),
			ValidUntil: screening.ValidUntil(now, a.validityMonths()), RecordedBy: ac.UserID, RecordedRole: ac.Role}
		ab, err := json.Marshal(answers)
		if err != nil {
			return fmt.Errorf("encode answers: %w", err)
		}
		rb, err := json.Marshal(res)
		if err != nil {
			return fmt.Errorf("encode result: %w", err)
		}
		if s.AnswersSealed, err = a.sealClient(ctx, tx, clientID, s.ID, "answers", string(ab)); err != nil {
			return err
		}
		if s.ResultSealed, err = a.sealClient(ctx, tx, clientID, s.ID, "result", string(rb)); err != nil {
			return err
		}
		if err := tx.CreateScreening(ctx, s); err != nil {
			return err
		}
		if err := a.factsChanged(ctx, tx, clientID); err != nil {
			return err
		}
		out = screeningView(s, res, nil)
		if err := a.heldBack(ctx, tx, clientID, &out); err != nil {
			return err
		}
		return record(ctx, tx, ac, "screening.create", s.ID, clientID, "outcome="+res.Outcome.String())
	})
	return out, err
}

func screeningView(s *store.Screening, res screening.Result, answers screening.Answers) ScreeningView {
	return ScreeningView{ID: s.ID, Questionnaire: s.Questionnaire, Outcome: res.Outcome, Regions: res.Regions,
		Findings: nonNil(res.Findings), TakenAt: s.TakenAt, ValidUntil: s.ValidUntil, RecordedBy: s.RecordedBy, Answers: answers,
		RecordedRole: string(s.RecordedRole), ConfirmedAt: timePtr(s.ConfirmedAt), Language: res.Language,
		AwaitingConfirmation: byOthers(s) && s.ConfirmedAt.IsZero()}
}

// openScreening opens a stored screening's result and, when withAnswers,
// its answers.
func (a *core) openScreening(s *store.Screening, withAnswers bool) (ScreeningView, error) {
	rs, err := a.open(s.ID, "result", s.ResultSealed)
	if err != nil {
		return ScreeningView{}, err
	}
	var res screening.Result
	if err := json.Unmarshal([]byte(rs), &res); err != nil {
		return ScreeningView{}, fmt.Errorf("screening %s result: %w", s.ID, err)
	}
	var answers screening.Answers
	if withAnswers {
		as, err := a.open(s.ID, "answers", s.AnswersSealed)
		if err != nil {
			return ScreeningView{}, err
		}
		if err := json.Unmarshal([]byte(as), &answers); err != nil {
			return ScreeningView{}, fmt.Errorf("screening %s answers: %w", s.ID, err)
		}
	}
	return screeningView(s, res, answers), nil
}

// ListScreenings returns a client's screenings, newest first, with answers.
// The read is audited.
func (a *Screenings) ListScreenings(ctx context.Context, ac Actor, clientID string) ([]ScreeningView, error) {
	var out []ScreeningView
	err := a.update(ctx, func(tx screeningsTx) error {
		if _, err := visibleClient(ctx, tx, ac, clientID); err != nil {
			return err
		}
		var err error
		if out, err = a.screeningsOf(ctx, tx, clientID); err != nil {
			return err
		}
		return record(ctx, tx, ac, "screening.read", clientID, clientID, "list")
	})
	return nonNil(out), err
}

// screeningsOf opens every screening of a client, answers included, newest
// first.
func (a *core) screeningsOf(ctx context.Context, tx store.Screenings, clientID string) ([]ScreeningView, error) {
	ss, err := tx.ListScreenings(ctx, clientID)
	if err != nil {
		return nil, err
	}
	out := make([]ScreeningView, 0, len(ss))
	for _, s := range ss {
		v, err := a.openScreening(s, true)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// currentScreening gathers the facts of a client's current screening at the
// transaction's time: every screening (findings never widen behind the
// client, see screening.Effective), health changes and clearances, with no
// session open.
func (a *core) currentScreening(ctx context.Context, tx store.Screenings, clientID string, at time.Time) (screening.Current, error) {
	return a.effectiveScreening(ctx, tx, clientID, at, time.Time{})
}

// clearanceSealed is what a clearance keeps sealed: the rule it lifts (a
// rule id names a condition, e.g. a prostate cancer referral) and the note.
// The store's Rule column holds only a blind index of the rule.
type clearanceSealed struct {
	Rule string `json:"rule"`
	Note string `json:"note,omitempty"`
}

func (a *core) openClearance(c *store.Clearance) (clearanceSealed, error) {
	var cs clearanceSealed
	s, err := a.open(c.ID, "clearance", c.NoteSealed)
	if err != nil {
		return cs, err
	}
	if err := json.Unmarshal([]byte(s), &cs); err != nil {
		return cs, fmt.Errorf("clearance %s: %w", c.ID, err)
	}
	return cs, nil
}

// screeningClearances opens stored clearances for screening.CurrentAt.
func (a *core) screeningClearances(cls []*store.Clearance) ([]screening.Clearance, error) {
	out := make([]screening.Clearance, 0, len(cls))
	for _, c := range cls {
		cs, err := a.openClearance(c)
		if err != nil {
			return nil, err
		}
		out = append(out, screening.Clearance{ID: c.ID, Rule: cs.Rule, ScreeningID: c.ScreeningID, ClearedOn: c.ClearedOn, RecordedAt: c.RecordedAt})
	}
	return out, nil
}

// CurrentScreeningOf returns the client's current screening (staleness and
// clearances applied). The read is audited.
func (a *Screenings) CurrentScreeningOf(ctx context.Context, ac Actor, clientID string) (CurrentScreening, error) {
	var cur CurrentScreening
	err := a.update(ctx, func(tx screeningsTx) error {
		if _, err := visibleClient(ctx, tx, ac, clientID); err != nil {
			return err
		}
		var err error
		if cur, err = a.currentScreening(ctx, tx, clientID, tx.Now()); err != nil {
			return err
		}
		return record(ctx, tx, ac, "screening.read", clientID, clientID, "current")
	})
	return cur, err
}

// LatestScreening returns the newest screening with its current status.
func (a *Screenings) LatestScreening(ctx context.Context, ac Actor, clientID string) (ScreeningView, CurrentScreening, error) {
	var v ScreeningView
	var cur CurrentScreening
	err := a.update(ctx, func(tx screeningsTx) error {
		if _, err := visibleClient(ctx, tx, ac, clientID); err != nil {
			return err
		}
		s, err := tx.LatestScreening(ctx, clientID)
		if err != nil {
			if holdspace.ErrorCode(err) == holdspace.ENOTFOUND {
				return holdspace.NotFound("screening")
			}
			return err
		}
		if v, err = a.openScreening(s, true); err != nil {
			return err
		}
		if cur, err = a.currentScreening(ctx, tx, clientID, tx.Now()); err != nil {
			return err
		}
		return record(ctx, tx, ac, "screening.read", s.ID, clientID, "latest")
	})
	return v, cur, err
}

// HealthChangeInput is the input of RecordHealthChange.
type HealthChangeInput struct {
	Note string `json:"note"`
}

// RecordHealthChange records that the client's health changed: the current
// screening is stale at once. The client, their practitioners and admins may.
func (a *Screenings) RecordHealthChange(ctx context.Context, ac Actor, clientID string, in HealthChangeInput) (string, error) {
	if len(in.Note) > 4000 {
		return "", holdspace.Invalid("too_long", "note", "A note may have at most 4000 characters.")
	}
	h := &store.HealthChange{ID: newID("hch"), ClientID: clientID, RecordedBy: ac.UserID}
	err := a.update(ctx, func(tx screeningsTx) error {
		if _, err := visibleClient(ctx, tx, ac, clientID); err != nil {
			return err
		}
		h.At = tx.Now()
		var err error
		if h.NoteSealed, err = a.sealClient(ctx, tx, clientID, h.ID, "note", strings.TrimSpace(in.Note)); err != nil {
			return err
		}
		if err := tx.CreateHealthChange(ctx, h); err != nil {
			return err
		}
		if err := a.factsChanged(ctx, tx, clientID); err != nil {
			return err
		}
		return record(ctx, tx, ac, "health_change.create", h.ID, clientID, "")
	})
	return h.ID, err
}

// ClearanceInput is the input of RecordClearance.
type ClearanceInput struct {
	Rule      string `json:"rule"`
	ClearedBy string `json:"cleared_by"`
	ClearedOn string `json:"cleared_on"`
	Note      string `json:"note"`
}

// RecordClearance records a medical clearance for one referral finding of
// the client's current screening; it lifts exactly that finding. Only an
// assigned practitioner may record it.
func (a *Screenings) RecordClearance(ctx context.Context, ac Actor, clientID string, in ClearanceInput) (string, error) {
	rule := strings.TrimSpace(in.Rule)
	c := &store.Clearance{ID: newID("clr"), ClientID: clientID, RecordedBy: ac.UserID}
	err := a.update(ctx, func(tx screeningsTx) error {
		if _, err := visibleClient(ctx, tx, ac, clientID); err != nil {
			return err
		}
		if !ac.is(holdspace.RolePractitioner) {
			return forbidden("Only the client's practitioner can record a medical clearance.")
		}
		if rule == "" {
			return holdspace.Invalid("required", "rule", "Name the rule that was cleared.")
		}
		by := strings.TrimSpace(in.ClearedBy)
		if by == "" || len(by) > 200 {
			return holdspace.Invalid("required", "cleared_by", "Say who gave the clearance (at most 200 characters).")
		}
		on, err := parseDate("cleared_on", in.ClearedOn)
		if err != nil {
			return err
		}
		if on.After(tx.Now()) {
			return holdspace.Invalid("invalid_date", "cleared_on", "The clearance date cannot be in the future.")
		}
		if len(in.Note) > 4000 {
			return holdspace.Invalid("too_long", "note", "A note may have at most 4000 characters.")
		}
		cur, err := a.currentScreening(ctx, tx, clientID, tx.Now())
		if err != nil {
			return err
		}
		if err := a.pack.ValidateClearance(cur, rule); err != nil {
			return err
		}
		c.ScreeningID, c.ClearedOn, c.RecordedAt = cur.ID, in.ClearedOn, tx.Now()
		if c.ClearedBySealed, err = a.sealClient(ctx, tx, clientID, c.ID, "cleared_by", by); err != nil {
			return err
		}
		c.Rule = hex.EncodeToString(a.keys.Index("clearance-rule", rule))
		sb, _ := json.Marshal(clearanceSealed{Rule: rule, Note: strings.TrimSpace(in.Note)})
		if c.NoteSealed, err = a.sealClient(ctx, tx, clientID, c.ID, "clearance", string(sb)); err != nil {
			return err
		}
		if err := tx.CreateClearance(ctx, c); err != nil {
			return err
		}
		if err := a.factsChanged(ctx, tx, clientID); err != nil {
			return err
		}
		// The rule names a condition: the audit entry holds ids only.
		return recordContent(ctx, tx, ac, "clearance.create", c.ID, clientID, "screening="+c.ScreeningID,
			contentItem(contentClearance, c.ID, clearanceContent(c)))
	})
	return c.ID, err
}
