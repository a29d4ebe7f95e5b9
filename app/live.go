package app

import (
	"context"
	"errors"
	"slices"
	"time"

	"holdspace"
	"holdspace/practice"
	"holdspace/store"
)

// Defaults of the live-session policy (Config.OpenWindow, SessionGrace,
// CoolingOff).
const (
	DefaultOpenWindow   = time.Hour
	DefaultSessionGrace = 15 * time.Minute
	maxDurationMinutes  = 480
)

// roleSystem is the actor role of events holdspace records itself.
const roleSystem holdspace.Role = "system"

// systemActor records automatic closes.
var systemActor = Actor{UserID: "system", Role: roleSystem, Device: "holdspace"}

// errOverdue tells AppendEvent to close a session past its booked time
// before it answers.
var errOverdue = errors.New("session overdue")

func (cfg *Policies) liveDefaults() {
	if cfg.OpenWindow <= 0 {
		cfg.OpenWindow = DefaultOpenWindow
	}
	if cfg.SessionGrace <= 0 {
		cfg.SessionGrace = DefaultSessionGrace
	}
	if cfg.CoolingOff <= 0 {
		cfg.CoolingOff = 24 * time.Hour
	}
}

// bookedDuration is a session's booked length (60 minutes when none).
func bookedDuration(s *store.Session) time.Duration {
	if s.Duration <= 0 {
		return practice.DefaultDuration
	}
	return s.Duration
}

func (a *core) booking(s *store.Session) practice.Booking {
	return practice.Booking{StartsAt: s.StartsAt, Duration: bookedDuration(s)}
}

// sessionView is sessionView with ClosesAt under the practice's grace.
func (a *core) sessionView(s *store.Session) SessionView {
	v := sessionView(s)
	v.ClosesAt = a.booking(s).CloseBy(a.cfg.SessionGrace)
	return v
}

// closeIfOverdue records the automatic close of s in tx when s is live past
// its booked end plus grace, and updates s. Decisions deny such a session
// even before this runs (practice.Facts.CloseBy); this keeps the record.
func (a *core) closeIfOverdue(ctx context.Context, tx interface {
	store.AuditLog
	store.FollowUps
	store.Sessions
	store.Settings
	txBase
}, s *store.Session) error {
	if !a.booking(s).Overdue(practice.State(s.State), a.cfg.SessionGrace, tx.Now()) {
		return nil
	}
	ev := practice.Event{Type: practice.EventAutoClose, At: tx.Now(), ActorID: systemActor.UserID, ActorRole: holdspace.RoleSystem}
	next, err := practice.Apply(practice.State(s.State), ev)
	if err != nil {
		return err
	}
	rec := &store.SessionEvent{ID: newID("evt"), SessionID: s.ID, Seq: s.Seq + 1, Type: string(ev.Type), At: tx.Now(),
		ActorID: systemActor.UserID, ActorRole: roleSystem, Device: systemActor.Device, Payload: []byte("{}")}
	if err := tx.AppendEvent(ctx, rec, string(next)); err != nil {
		return err
	}
	s.Seq, s.State = rec.Seq, string(next)
	tx.Notify("session:" + s.ID)
	closeBy := a.booking(s).CloseBy(a.cfg.SessionGrace)
	if err := recordContent(ctx, tx, systemActor, "session.auto_close", s.ID, s.ClientID, "close_by="+closeBy.UTC().Format(time.RFC3339),
		contentItem(contentEvent, rec.ID, eventContent(rec))); err != nil {
		return err
	}
	return a.afterEvent(ctx, tx, systemActor, s, ev, rec.ID)
}

// autoCloseSession records the automatic close of one session if it is
// overdue, as a part of a grouped transaction.
func (a *Sessions) autoCloseSession(ctx context.Context, id string) error {
	return a.updateGrouped(ctx, func(ctx context.Context, tx sessionsTx) error {
		s, err := tx.Session(ctx, id)
		if err != nil {
			return err
		}
		return a.closeIfOverdue(ctx, tx, s)
	})
}

// CloseOverdue records the automatic close of every live session past its
// booked end plus grace, and returns how many it closed.
func (a *Sessions) CloseOverdue(ctx context.Context) (int, error) {
	n := 0
	err := a.update(ctx, func(tx sessionsTx) error {
		live, err := tx.ListSessions(ctx, store.SessionFilter{Live: true})
		if err != nil {
			return err
		}
		for _, s := range live {
			before := s.State
			if err := a.closeIfOverdue(ctx, tx, s); err != nil {
				return err
			}
			if s.State != before {
				n++
			}
		}
		return nil
	})
	return n, err
}

// SweepSessions runs CloseOverdue every `every` until ctx ends, logging
// what it closed and any error.
func (a *Sessions) SweepSessions(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, err := a.CloseOverdue(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			a.log.Error("closing overdue sessions", "err", err)
		case n > 0:
			a.log.Info("closed overdue sessions", "count", n)
		}
	}
}

// checkEvent checks what the state alone cannot tell before ev is
// recorded in s: a refusal before the start holds until a fresh
// re-confirmation by the client (practice.Facts.Refusal); a session opens
// only within the practice's window around its start, and only when the
// client has no other live session (overdue ones are closed first; the
// store holds the rule under concurrency too).
func (a *Sessions) checkEvent(ctx context.Context, tx interface {
	store.AuditLog
	store.FollowUps
	store.Sessions
	store.Settings
	txBase
}, s *store.Session, ev practice.Event) error {
	f, err := a.decisions.sessionFacts(ctx, tx, s)
	if err != nil {
		return err
	}
	if err := f.Refusal(ev); err != nil {
		return err
	}
	if ev.Type != practice.EventOpen {
		return nil
	}
	if err := a.booking(s).MayOpen(tx.Now(), a.cfg.OpenWindow, a.cfg.SessionGrace); err != nil {
		return err
	}
	live, err := tx.ListSessions(ctx, store.SessionFilter{ClientID: s.ClientID, Live: true})
	if err != nil {
		return err
	}
	for _, o := range live {
		if o.ID == s.ID {
			continue
		}
		if err := a.closeIfOverdue(ctx, tx, o); err != nil {
			return err
		}
		if practice.State(o.State).IsLive() {
			return holdspace.Conflict("live_session", "The client has another session open or in progress; close it first.")
		}
	}
	return nil
}

// StopResult is what StopAll returns: the sessions it stopped.
type StopResult struct {
	Stopped []StoppedSession `json:"stopped"`
}

// StoppedSession is one session StopAll stopped: the session, and the stop
// event recorded in it.
type StoppedSession struct {
	SessionID string `json:"session_id"`
	AppendEventResult
}

// StopAll is the client's STOP from their home page: it records a stop in
// every live session of theirs (and in any session still scheduled to open
// within the practice's window, as a "not today"). Only the client may.
func (a *Sessions) StopAll(ctx context.Context, ac Actor, clientID string) (StopResult, error) {
	out := StopResult{Stopped: []StoppedSession{}}
	var ids []string
	err := a.view(ctx, func(tx sessionsTx) error {
		if _, err := visibleClient(ctx, tx, ac, clientID); err != nil {
			return err
		}
		if !ac.is(holdspace.RoleClient) {
			return forbidden("Only the client presses their own STOP; a practitioner stops a session from it.")
		}
		now := tx.Now()
		live, err := tx.ListSessions(ctx, store.SessionFilter{ClientID: clientID, Live: true})
		if err != nil {
			return err
		}
		soon, err := tx.ListSessions(ctx, store.SessionFilter{ClientID: clientID, From: now.Add(-a.cfg.OpenWindow), To: now.Add(a.cfg.OpenWindow)})
		if err != nil {
			return err
		}
		for _, s := range append(live, soon...) {
			st := practice.State(s.State)
			if (st == practice.Open || st == practice.InProgress || st == practice.Scheduled) && !slices.Contains(ids, s.ID) {
				ids = append(ids, s.ID)
			}
		}
		return nil
	})
	if err != nil {
		return out, err
	}
	for _, id := range ids {
		r, err := a.AppendEvent(ctx, ac, id, EventInput{Type: string(practice.EventStop)})
		if holdspace.ErrorCode(err) == holdspace.ECONFLICT {
			continue // stopped or closed meanwhile: nothing left to stop
		}
		if err != nil {
			return out, err
		}
		out.Stopped = append(out.Stopped, StoppedSession{SessionID: id, AppendEventResult: r})
	}
	return out, nil
}
