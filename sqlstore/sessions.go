package sqlstore

import (
	"context"
	"time"

	"holdspace"
	"holdspace/store"
)

const sessionCols = `id, client_id, practitioner_id, intent, starts_at, state, seq, created_at, created_by, duration_minutes`

func scanSession(s scanner) (*store.Session, error) {
	var x store.Session
	var minutes int64
	err := s.Scan(&x.ID, &x.ClientID, &x.PractitionerID, &x.Intent, timeCol{&x.StartsAt}, &x.State, &x.Seq,
		timeCol{&x.CreatedAt}, &x.CreatedBy, &minutes)
	x.Duration = time.Duration(minutes) * time.Minute
	return &x, err
}

// durationMinutes is a booked duration in whole minutes, rounded up; 60
// when none is given.
func durationMinutes(d time.Duration) int64 {
	if d <= 0 {
		return 60
	}
	return int64((d + time.Minute - 1) / time.Minute)
}

// CreateSession implements store.Sessions: s is stored as given, Seq
// included (Duration in whole minutes, rounded up); ENOTFOUND when the
// client or practitioner does not exist; ECONFLICT live_session when s is
// live and the client has another live session.
func (t *Tx) CreateSession(ctx context.Context, s *store.Session) error {
	_, err := t.exec(ctx, "create session", `INSERT INTO sessions (`+sessionCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		s.ID, s.ClientID, s.PractitionerID, s.Intent, micros(s.StartsAt), s.State, s.Seq, micros(s.CreatedAt), s.CreatedBy,
		durationMinutes(s.Duration))
	if s.State == "open" || s.State == "in-progress" || s.State == "stopped" {
		return liveConflict(err)
	}
	return err
}

// liveSQL selects live sessions; the partial unique index sessions_one_live
// (migration 0002) holds one per client.
const liveSQL = `state IN ('open', 'in-progress', 'stopped')`

// liveConflict turns the uniqueness violation of a session write (the only
// unique key a session write can break is one live session per client)
// into ECONFLICT live_session.
func liveConflict(err error) error {
	if holdspace.ErrorCode(err) == holdspace.ECONFLICT {
		return &holdspace.Error{Code: holdspace.ECONFLICT, Reason: "live_session",
			Message: "The client has another session open or in progress; close it first.", Err: err}
	}
	return err
}

// Session implements store.Sessions; ENOTFOUND.
func (t *Tx) Session(ctx context.Context, id string) (*store.Session, error) {
	return one(ctx, t, "session", `SELECT `+sessionCols+` FROM sessions WHERE id = $1`, scanSession, id)
}

// ListSessions implements store.Sessions: matching sessions by StartsAt,
// earliest first.
func (t *Tx) ListSessions(ctx context.Context, f store.SessionFilter) ([]*store.Session, error) {
	var w where
	if f.ClientID != "" {
		w.add("client_id = ?", f.ClientID)
	}
	if f.PractitionerID != "" {
		w.add("practitioner_id = ?", f.PractitionerID)
	}
	if !f.From.IsZero() {
		w.add("starts_at >= ?", f.From.UnixMicro())
	}
	if !f.To.IsZero() {
		w.add("starts_at < ?", f.To.UnixMicro())
	}
	if f.Live {
		w.conds = append(w.conds, liveSQL)
	}
	w.keyset("starts_at", "id", f.After)
	lim, err := w.limitClause(f.Limit)
	if err != nil {
		return nil, err
	}
	return many(ctx, t, "sessions", `SELECT `+sessionCols+` FROM sessions`+w.String()+` ORDER BY starts_at, id`+lim,
		scanSession, w.args...)
}

const eventCols = `id, session_id, seq, type, at, actor_id, actor_role, device, payload, sealed`

const insertEvent = `INSERT INTO session_events (` + eventCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`

func eventArgs(e *store.SessionEvent) []any {
	return []any{e.ID, e.SessionID, e.Seq, e.Type, micros(e.At), e.ActorID, string(e.ActorRole), e.Device,
		blob(e.Payload), blob(e.Sealed)}
}

func scanEvent(s scanner) (*store.SessionEvent, error) {
	var e store.SessionEvent
	var role string
	if err := s.Scan(&e.ID, &e.SessionID, &e.Seq, &e.Type, timeCol{&e.At}, &e.ActorID, &role, &e.Device,
		&e.Payload, &e.Sealed); err != nil {
		return nil, err
	}
	e.ActorRole = holdspace.Role(role)
	return &e, nil
}

// AppendEvent implements store.Sessions: the session's Seq moves from
// e.Seq-1 to e.Seq and its State to state, and e is stored. ECONFLICT
// stale_session when the session's Seq is not e.Seq-1; ENOTFOUND.
func (t *Tx) AppendEvent(ctx context.Context, e *store.SessionEvent, state string) error {
	n, err := t.exec(ctx, "append event", `UPDATE sessions SET seq = seq + 1, state = $2 WHERE id = $1 AND seq = $3`,
		e.SessionID, state, e.Seq-1)
	if err != nil {
		return liveConflict(err)
	}
	if n == 0 {
		found, err := t.exists(ctx, "append event", `SELECT 1 FROM sessions WHERE id = $1`, e.SessionID)
		if err != nil {
			return err
		}
		if !found {
			return holdspace.NotFound("session")
		}
		return holdspace.Conflict("stale_session", "The session changed meanwhile; reload and retry.")
	}
	_, err = t.exec(ctx, "append event", insertEvent, eventArgs(e)...)
	return err
}

// ListEvents implements store.Sessions: a session's events by Seq.
func (t *Tx) ListEvents(ctx context.Context, sessionID string) ([]*store.SessionEvent, error) {
	return many(ctx, t, "events", `SELECT `+eventCols+` FROM session_events WHERE session_id = $1 ORDER BY seq`,
		scanEvent, sessionID)
}
