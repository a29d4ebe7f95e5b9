package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"holdspace"
	"holdspace/catalogue"
	"holdspace/consent"
	"holdspace/practice"
	"holdspace/store"
)

// Sessions books and runs sessions: their events, live views, automatic
// closing, the stop-all button, day checks and outcomes.
type Sessions struct {
	*core
	// decisions folds a session's events into its facts (cached).
	decisions *Decisions
	// streams counts each user's open live views (see Watch).
	streamsMu sync.Mutex
	streams   map[string]int
}

// sessionsTx is the part of the store the Sessions use cases touch.
type sessionsTx interface {
	mailTx // messages queued with the act
	store.Agreements
	store.AuditLog
	store.Clients
	store.FollowUps
	store.Guardians
	store.Keys
	store.Screenings
	store.Sessions
	store.Settings
	store.Users
	txBase
}

// update runs fn in a write transaction that offers only sessionsTx.
func (a *Sessions) update(ctx context.Context, fn func(sessionsTx) error) error {
	return a.core.update(ctx, func(tx store.Tx) error { return fn(tx) })
}

// updateGrouped runs fn as a part of a grouped write transaction (see
// groupcommit.go) that offers only sessionsTx.
func (a *Sessions) updateGrouped(ctx context.Context, fn func(context.Context, sessionsTx) error) error {
	return a.core.updateGrouped(ctx, func(ctx context.Context, tx store.Tx) error { return fn(ctx, tx) })
}

// view runs fn in a read transaction that offers only sessionsTx.
func (a *Sessions) view(ctx context.Context, fn func(sessionsTx) error) error {
	return a.core.view(ctx, func(tx store.Tx) error { return fn(tx) })
}

// SessionInput is the input of CreateSession.
type SessionInput struct {
	ClientID       string `json:"client_id"`
	PractitionerID string `json:"practitioner_id"`
	Intent         string `json:"intent"`
	StartsAt       string `json:"starts_at"`
	// DurationMinutes is the booked length, 1 to 480; absent: 60.
	DurationMinutes *int `json:"duration_minutes,omitempty"`
}

// SessionView is a session as callers see it.
type SessionView struct {
	ID             string    `json:"id"`
	ClientID       string    `json:"client_id"`
	PractitionerID string    `json:"practitioner_id"`
	Intent         string    `json:"intent"`
	StartsAt       time.Time `json:"starts_at"`
	State          string    `json:"state"`
	Seq            int64     `json:"seq"`
	CreatedAt      time.Time `json:"created_at"`
	// DurationMinutes is the booked length; the session closes itself at
	// ClosesAt (its end plus the practice's grace period).
	DurationMinutes int       `json:"duration_minutes"`
	ClosesAt        time.Time `json:"closes_at"`
}

func sessionView(s *store.Session) SessionView {
	return SessionView{ID: s.ID, ClientID: s.ClientID, PractitionerID: s.PractitionerID, Intent: s.Intent,
		StartsAt: s.StartsAt, State: s.State, Seq: s.Seq, CreatedAt: s.CreatedAt, DurationMinutes: int(bookedDuration(s) / time.Minute)}
}

// CreateSession books a session. Admins may book any assigned practitioner;
// a practitioner books themself with their own clients.
func (a *Sessions) CreateSession(ctx context.Context, ac Actor, in SessionInput) (SessionView, error) {
	var out SessionView
	if !ac.is(holdspace.RoleAdmin) && !ac.is(holdspace.RolePractitioner) {
		return out, forbidden("Only an admin or a practitioner can book sessions.")
	}
	if !catalogue.ValidIntent(in.Intent) {
		return out, holdspace.Invalid("invalid_intent", "intent", "The intent is therapeutic or sensual.")
	}
	starts, err := parseTime("starts_at", in.StartsAt, false)
	if err != nil {
		return out, err
	}
	duration := practice.DefaultDuration
	if in.DurationMinutes != nil {
		if m := *in.DurationMinutes; m < 1 || m > maxDurationMinutes {
			return out, holdspace.Invalid("out_of_range", "duration_minutes", "A session lasts 1 to %d minutes.", maxDurationMinutes)
		}
		duration = time.Duration(*in.DurationMinutes) * time.Minute
	}
	if in.PractitionerID == "" && ac.is(holdspace.RolePractitioner) {
		in.PractitionerID = ac.UserID
	}
	err = a.update(ctx, func(tx sessionsTx) error {
		c, err := visibleClient(ctx, tx, ac, in.ClientID)
		if err != nil {
			return err
		}
		if ac.is(holdspace.RolePractitioner) && in.PractitionerID != ac.UserID {
			return forbidden("A practitioner books sessions for themself.")
		}
		assigned := false
		for _, p := range c.PractitionerIDs {
			assigned = assigned || p == in.PractitionerID
		}
		if !assigned {
			return holdspace.Invalid("not_assigned", "practitioner_id", "This practitioner is not assigned to the client.")
		}
		if err := a.checkSessionOffered(ctx, tx, c, in.Intent, starts); err != nil {
			return err
		}
		s := &store.Session{ID: newID("ses"), ClientID: c.ID, PractitionerID: in.PractitionerID, Intent: in.Intent,
			StartsAt: starts, Duration: duration, State: string(practice.Scheduled), CreatedAt: tx.Now(), CreatedBy: ac.UserID}
		if err := tx.CreateSession(ctx, s); err != nil {
			return err
		}
		out = a.sessionView(s)
		if _, err := a.queueSessionMail(ctx, tx, ac, s, mailConfirmed); err != nil {
			return err
		}
		return record(ctx, tx, ac, "session.create", s.ID, c.ID, "intent="+in.Intent)
	})
	return out, err
}

// visibleSession returns a session the actor takes part in: its client, its
// practitioner, or an admin (who may read but not act). Anything else is
// ENOTFOUND.
func visibleSession(ctx context.Context, tx interface {
	store.Clients
	store.Sessions
}, ac Actor, id string) (*store.Session, error) {
	s, err := tx.Session(ctx, id)
	if err != nil {
		if holdspace.ErrorCode(err) == holdspace.ENOTFOUND {
			return nil, holdspace.NotFound("session")
		}
		return nil, err
	}
	switch {
	case ac.is(holdspace.RoleAdmin), ac.is(holdspace.RoleClient) && s.ClientID == ac.UserID:
		return s, nil
	case ac.is(holdspace.RolePractitioner) && s.PractitionerID == ac.UserID:
		// Only while still assigned: a practitioner taken off a client
		// loses the client's sessions with the client.
		if _, err := visibleClient(ctx, tx, ac, s.ClientID); err == nil {
			return s, nil
		}
	}
	return nil, holdspace.NotFound("session")
}

// SessionVisible reports nil while the actor may still see the session:
// long-lived views (event streams) call it to end when access ends.
func (a *Sessions) SessionVisible(ctx context.Context, ac Actor, id string) error {
	return a.view(ctx, func(tx sessionsTx) error {
		_, err := visibleSession(ctx, tx, ac, id)
		return err
	})
}

// GetSession returns one session. The read is audited: that a client has
// sessions of this kind is itself sensitive.
func (a *Sessions) GetSession(ctx context.Context, ac Actor, id string) (SessionView, error) {
	var out SessionView
	err := a.update(ctx, func(tx sessionsTx) error {
		s, err := visibleSession(ctx, tx, ac, id)
		if err != nil {
			return err
		}
		if err := a.closeIfOverdue(ctx, tx, s); err != nil {
			return err
		}
		out = a.sessionView(s)
		return record(ctx, tx, ac, "session.read", s.ID, s.ClientID, "")
	})
	return out, err
}

// ListSessions returns the sessions the actor takes part in (admins: all),
// optionally within [from, to). Each client's sessions read is audited.
func (a *Sessions) ListSessions(ctx context.Context, ac Actor, clientID string, from, to time.Time) ([]SessionView, error) {
	var out []SessionView
	err := a.update(ctx, func(tx sessionsTx) error {
		f := store.SessionFilter{ClientID: clientID, From: from, To: to}
		switch ac.Role {
		case holdspace.RolePractitioner:
			f.PractitionerID = ac.UserID
		case holdspace.RoleClient:
			if clientID != "" && clientID != ac.UserID {
				return nil
			}
			f.ClientID = ac.UserID
		}
		ss, err := tx.ListSessions(ctx, f)
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, s := range ss {
			if ac.is(holdspace.RolePractitioner) {
				if _, err := visibleClient(ctx, tx, ac, s.ClientID); err != nil {
					continue // no longer assigned
				}
			}
			out = append(out, a.sessionView(s))
			if !seen[s.ClientID] {
				seen[s.ClientID] = true
				if err := record(ctx, tx, ac, "session.read", s.ClientID, s.ClientID, "list"); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return nonNil(out), err
}

// EventInput is the input of AppendEvent.
type EventInput struct {
	Type        string               `json:"type"`
	Region      string               `json:"region,omitempty"`
	Answer      string               `json:"answer,omitempty"`
	Chaperone   *practice.Chaperone  `json:"chaperone,omitempty"`
	Intensity   *int                 `json:"intensity,omitempty"`
	Text        string               `json:"text,omitempty"`
	Kind        string               `json:"kind,omitempty"`
	Close       *practice.CloseNotes `json:"close,omitempty"`
	AgreementID string               `json:"agreement_id,omitempty"`
	// Today holds the answers of a day-check event.
	Today *TodayInput `json:"today,omitempty"`
	// Wellbeing is the follow-up answer, 0–10.
	Wellbeing *int `json:"wellbeing,omitempty"`
}

// EventView is a session event as callers see it.
type EventView struct {
	ID      string `json:"id"`
	Seq     int64  `json:"seq"`
	ActorID string `json:"actor_id"`
	practice.Event
}

// eventPublic is the part of an event stored in clear: what decisions read.
type eventPublic struct {
	AgreementID      string `json:"agreement_id,omitempty"`
	AgreementVersion int    `json:"agreement_version,omitempty"`
	Region           string `json:"region,omitempty"`
	Answer           string `json:"answer,omitempty"`
	Offered          bool   `json:"offered,omitempty"`
	Accepted         bool   `json:"accepted,omitempty"`
}

// eventSealed is the sensitive part of an event, stored sealed.
type eventSealed struct {
	Kind          string               `json:"kind,omitempty"` // adverse: nausea, bleeding, …
	ChaperoneName string               `json:"chaperone_name,omitempty"`
	Intensity     int                  `json:"intensity,omitempty"`
	Text          string               `json:"text,omitempty"`
	Close         *practice.CloseNotes `json:"close,omitempty"`
	Today         *practice.Today      `json:"today,omitempty"`
	Wellbeing     *int                 `json:"wellbeing,omitempty"`
}

// AppendEventResult is what AppendEvent returns.
type AppendEventResult struct {
	ID    string `json:"id"`
	State string `json:"state"`
	Seq   int64  `json:"seq"`
}

// AppendEvent records a session event by the session's practitioner or its
// client. An event that does not fit the state is ECONFLICT and changes
// nothing; a stop is durable and in force for every decision that starts
// after AppendEvent returns.
func (a *Sessions) AppendEvent(ctx context.Context, ac Actor, sessionID string, in EventInput) (AppendEventResult, error) {
	var out AppendEventResult
	raw := practice.Event{Type: practice.EventType(in.Type), Region: in.Region, Answer: in.Answer, Kind: in.Kind,
		AgreementID: in.AgreementID, Text: in.Text, Chaperone: in.Chaperone, Close: in.Close}
	if err := raw.CheckSize(); err != nil {
		return out, err
	}
	if in.Type == string(practice.EventEmotionalRelease) && in.Intensity == nil {
		return out, holdspace.Invalid("required", "intensity", "Give the intensity from 0 to 10.")
	}
	var err error
	// A concurrent event on another node moves the session's Seq; retry a
	// few times with fresh state before answering 409. A session past its
	// booked time is closed first (in its own transaction, so that the
	// close is kept although the event is then refused).
	for try := 0; try < 5; try++ {
		out, err = a.appendEvent(ctx, ac, sessionID, in)
		if errors.Is(err, errOverdue) {
			if err = a.autoCloseSession(ctx, sessionID); err != nil {
				return out, err
			}
			continue
		}
		if holdspace.ErrorReason(err) != "stale_session" {
			break
		}
	}
	return out, err
}

func (a *Sessions) appendEvent(ctx context.Context, ac Actor, sessionID string, in EventInput) (AppendEventResult, error) {
	var out AppendEventResult
	err := a.updateGrouped(ctx, func(ctx context.Context, tx sessionsTx) error {
		s, err := visibleSession(ctx, tx, ac, sessionID)
		if err != nil {
			return err
		}
		var role holdspace.Role
		switch {
		case ac.is(holdspace.RolePractitioner):
			role = holdspace.RolePractitioner
		case ac.is(holdspace.RoleClient):
			role = holdspace.RoleClient
		default:
			return forbidden("Only the client and the practitioner record session events.")
		}
		today, err := in.Today.answers()
		if err != nil {
			return err
		}
		ev := practice.Event{Type: practice.EventType(in.Type), At: tx.Now(), ActorID: ac.UserID, ActorRole: role,
			Device: ac.Device, Chaperone: in.Chaperone, Region: in.Region, Answer: in.Answer, Kind: in.Kind,
			Text: strings.TrimSpace(in.Text), Close: in.Close, Today: today,
			Wellbeing: in.Wellbeing}
		if in.Intensity != nil {
			ev.Intensity = *in.Intensity
		}
		if a.booking(s).Overdue(practice.State(s.State), a.cfg.SessionGrace, tx.Now()) {
			return errOverdue
		}
		if ev.Type == practice.EventReconfirm {
			if err := a.pickAgreement(ctx, tx, s, in.AgreementID, &ev); err != nil {
				return err
			}
		}
		next, err := practice.Apply(practice.State(s.State), ev)
		if err != nil {
			return err
		}
		if err := a.checkEvent(ctx, tx, s, ev); err != nil {
			return err
		}
		pub := eventPublic{AgreementID: ev.AgreementID, AgreementVersion: ev.AgreementVersion, Region: ev.Region, Answer: ev.Answer}
		sec := eventSealed{Kind: ev.Kind, Intensity: ev.Intensity, Text: ev.Text, Close: ev.Close, Today: ev.Today, Wellbeing: ev.Wellbeing}
		if ev.Chaperone != nil {
			pub.Offered, pub.Accepted = ev.Chaperone.Offered, ev.Chaperone.Accepted
			sec.ChaperoneName = strings.TrimSpace(ev.Chaperone.Name)
		}
		rec := &store.SessionEvent{ID: newID("evt"), SessionID: s.ID, Seq: s.Seq + 1, Type: in.Type, At: tx.Now(),
			ActorID: ac.UserID, ActorRole: ac.Role, Device: ac.Device}
		if rec.Payload, err = json.Marshal(pub); err != nil {
			return err
		}
		if sec != (eventSealed{}) {
			sb, err := json.Marshal(sec)
			if err != nil {
				return err
			}
			if rec.Sealed, err = a.sealClient(ctx, tx, s.ClientID, rec.ID, "event", string(sb)); err != nil {
				return err
			}
		}
		if err := tx.AppendEvent(ctx, rec, string(next)); err != nil {
			return err
		}
		if err := a.afterEvent(ctx, tx, ac, s, ev, rec.ID); err != nil {
			return err
		}
		if err := a.mailAfterEvent(ctx, tx, ac, s, ev.Type); err != nil {
			return err
		}
		tx.Notify("session:" + s.ID)
		out = AppendEventResult{ID: rec.ID, State: string(next), Seq: rec.Seq}
		detail := "type=" + in.Type
		if err := a.afterDayCheck(ctx, tx, ac, s, ev, &detail); err != nil {
			return err
		}
		if ev.Region != "" {
			detail += " region=" + ev.Region + " answer=" + ev.Answer
		}
		return recordContent(ctx, tx, ac, "session.event", s.ID, s.ClientID, detail, contentItem(contentEvent, rec.ID, eventContent(rec)))
	})
	return out, err
}

// pickAgreement fills a reconfirm event with the agreement the client
// confirms: the client's current agreement for the session's intent, which
// must be active. When the caller names one, it must be that one.
func (a *Sessions) pickAgreement(ctx context.Context, tx interface {
	store.Agreements
	store.Guardians
	txBase
}, s *store.Session, named string, ev *practice.Event) error {
	all, _, err := a.loadAgreements(ctx, tx, s.ClientID)
	if err != nil {
		return err
	}
	cur, ok := consent.Current(all, catalogue.Intent(s.Intent), tx.Now())
	if !ok || consent.StatusAt(cur, all, tx.Now()) != consent.StatusActive {
		return holdspace.Conflict("no_active_agreement", "The client has no active signed agreement for %s work to re-confirm.", s.Intent)
	}
	if named != "" && named != cur.ID {
		e := holdspace.Conflict("not_current", "Only the client's current agreement can be re-confirmed.")
		e.Field = "agreement_id"
		return e
	}
	ev.AgreementID, ev.AgreementVersion = cur.ID, cur.Version
	return nil
}

// eventOf rebuilds a domain event from its record. It opens the sealed part
// only when open is set, or when the fold needs it (chaperone, close,
// adverse and day-check events).
func (a *core) eventOf(rec *store.SessionEvent, open bool) (practice.Event, error) {
	var pub eventPublic
	if len(rec.Payload) > 0 {
		if err := json.Unmarshal(rec.Payload, &pub); err != nil {
			return practice.Event{}, fmt.Errorf("event %s payload: %w", rec.ID, err)
		}
	}
	role := holdspace.RolePractitioner
	switch rec.ActorRole {
	case holdspace.RoleClient:
		role = holdspace.RoleClient
	case roleSystem:
		role = holdspace.RoleSystem
	}
	ev := practice.Event{ID: rec.ID, Type: practice.EventType(rec.Type), At: rec.At, ActorID: rec.ActorID, ActorRole: role,
		Device: rec.Device, AgreementID: pub.AgreementID, AgreementVersion: pub.AgreementVersion, Region: pub.Region,
		Answer: pub.Answer}
	t := ev.Type
	if open || t == practice.EventChaperone || t == practice.EventClose || t == practice.EventAdverse || t == practice.EventDayCheck ||
		t == practice.EventFollowUp {
		var sec eventSealed
		if len(rec.Sealed) > 0 {
			s, err := a.open(rec.ID, "event", rec.Sealed)
			if err != nil {
				return ev, err
			}
			if err := json.Unmarshal([]byte(s), &sec); err != nil {
				return ev, fmt.Errorf("event %s: %w", rec.ID, err)
			}
		}
		ev.Kind, ev.Intensity, ev.Text, ev.Close, ev.Today, ev.Wellbeing = sec.Kind, sec.Intensity, sec.Text, sec.Close, sec.Today, sec.Wellbeing
		if t == practice.EventChaperone {
			ev.Chaperone = &practice.Chaperone{Offered: pub.Offered, Accepted: pub.Accepted, Name: sec.ChaperoneName}
		}
	}
	return ev, nil
}

// ListEvents returns a session's events with their sensitive parts opened.
// The read is audited.
func (a *Sessions) ListEvents(ctx context.Context, ac Actor, sessionID string) ([]EventView, error) {
	var out []EventView
	err := a.update(ctx, func(tx sessionsTx) error {
		s, err := visibleSession(ctx, tx, ac, sessionID)
		if err != nil {
			return err
		}
		recs, err := tx.ListEvents(ctx, s.ID)
		if err != nil {
			return err
		}
		for _, r := range recs {
			ev, err := a.eventOf(r, true)
			if err != nil {
				return err
			}
			out = append(out, EventView{ID: r.ID, Seq: r.Seq, ActorID: r.ActorID, Event: ev})
		}
		return record(ctx, tx, ac, "session.read", s.ID, s.ClientID, "events")
	})
	return nonNil(out), err
}

// checkSessionOffered refuses booking a sensual session the practice does
// not offer (not_offered) or for a client who will be under the age of
// majority when it starts (minor), both on field intent.
func (a *core) checkSessionOffered(ctx context.Context, tx store.Settings, c *store.Client, intent string, starts time.Time) error {
	if intent != string(catalogue.Sensual) {
		return nil
	}
	st, err := a.practiceSettings(ctx, tx)
	if err != nil {
		return err
	}
	if !st.settings.SensualOffered {
		return holdspace.Invalid(consent.CodeNotOffered, "intent", "This practice does not offer sensual work.")
	}
	birth, err := a.birthDate(c)
	if err != nil {
		return err
	}
	if practice.MinorAt(birth, st.settings.AgeOfMajority, st.loc, starts) {
		return holdspace.Invalid(consent.CodeMinor, "intent", "The client will be under the practice's age of majority at the session: no sensual work.")
	}
	return nil
}
