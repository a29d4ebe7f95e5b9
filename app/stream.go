package app

import (
	"context"
	"encoding/json"
	"fmt"

	"time"

	"holdspace"
)

// LiveState is what a live view of a session is told: the session's state
// and its latest event, and the client's fact version (which moves when
// consent is narrowed, a screening is taken, and so on).
type LiveState struct {
	SessionID    string     `json:"session_id"`
	State        string     `json:"state"`
	Seq          int64      `json:"seq"`
	FactsVersion int64      `json:"facts_version"`
	LastEvent    *LiveEvent `json:"last_event,omitempty"`
	ObservedAt   time.Time  `json:"observed_at"`
}

// LiveEvent is the non-sensitive summary of a session event.
type LiveEvent struct {
	Type      string    `json:"type"`
	Region    string    `json:"region,omitempty"`
	Answer    string    `json:"answer,omitempty"`
	ActorRole string    `json:"actor_role"`
	At        time.Time `json:"at"`
}

// MaxStreamsPerUser bounds one user's open live views: each polls the
// database, so an account must not be able to open them without end.
const MaxStreamsPerUser = 8

// acquireStream takes one of the user's live-view slots.
func (a *Sessions) acquireStream(userID string) bool {
	a.streamsMu.Lock()
	defer a.streamsMu.Unlock()
	if a.streams[userID] >= MaxStreamsPerUser {
		return false
	}
	a.streams[userID]++
	return true
}

func (a *Sessions) releaseStream(userID string) {
	a.streamsMu.Lock()
	defer a.streamsMu.Unlock()
	if a.streams[userID]--; a.streams[userID] <= 0 {
		delete(a.streams, userID)
	}
}

// PollInterval is how often a live view re-reads state even without a
// notification: the fallback should a notification be lost.
const PollInterval = time.Second

// Watch streams a session's live state to the session's practitioner, its
// client or an admin: first the current state, then every change, until ctx
// ends. Changes arrive through the store's notifications (from any node) and
// a one-second poll as the fallback. Opening the stream is audited.
func (a *Sessions) Watch(ctx context.Context, ac Actor, sessionID string) (<-chan LiveState, error) {
	var clientID string
	err := a.update(ctx, func(tx sessionsTx) error {
		s, err := visibleSession(ctx, tx, ac, sessionID)
		if err != nil {
			return err
		}
		clientID = s.ClientID
		return record(ctx, tx, ac, "session.watch", s.ID, s.ClientID, "")
	})
	if err != nil {
		return nil, err
	}
	if !a.acquireStream(ac.UserID) {
		return nil, &holdspace.Error{Code: holdspace.ERATELIMITED, Reason: "too_many_streams",
			Message: "Too many live views are open for this account; close one and try again."}
	}
	topics := a.db.Subscribe(ctx)
	out := make(chan LiveState, 8)
	go func() {
		defer close(out)                 // last: readers see the end…
		defer a.releaseStream(ac.UserID) // …after the slot is free again
		tick := time.NewTicker(PollInterval)
		defer tick.Stop()
		var last LiveState
		first := true
		sessTopic, clientTopic := "session:"+sessionID, "client:"+clientID
		for {
			st, err := a.liveState(ctx, sessionID, clientID, &last)
			if err != nil {
				if ctx.Err() == nil {
					a.log.WarnContext(ctx, "live state", "session", sessionID, "err", err)
				}
				return
			}
			if first || st.Seq != last.Seq || st.FactsVersion != last.FactsVersion || st.State != last.State {
				select {
				case out <- st:
				case <-ctx.Done():
					return
				}
				last, first = st, false
			}
		wait:
			for {
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
					break wait
				case t, ok := <-topics:
					if !ok {
						return
					}
					if t == sessTopic || t == clientTopic {
						break wait
					}
				}
			}
		}
	}()
	return out, nil
}

// liveState reads a session's live state. The latest event is read only
// when the session's sequence moved since prev, and only its clear part.
func (a *Sessions) liveState(ctx context.Context, sessionID, clientID string, prev *LiveState) (LiveState, error) {
	var st LiveState
	err := a.view(ctx, func(tx sessionsTx) error {
		s, err := tx.Session(ctx, sessionID)
		if err != nil {
			return err
		}
		vs, err := tx.Versions(ctx, clientID)
		if err != nil {
			return err
		}
		st = LiveState{SessionID: s.ID, State: s.State, Seq: s.Seq, FactsVersion: vs[clientID], ObservedAt: tx.Now()}
		if s.Seq == prev.Seq && prev.SessionID != "" {
			st.LastEvent = prev.LastEvent
			return nil
		}
		if s.Seq > 0 {
			evs, err := tx.ListEvents(ctx, s.ID)
			if err != nil {
				return err
			}
			if len(evs) > 0 {
				e := evs[len(evs)-1]
				var pub eventPublic
				if len(e.Payload) > 0 {
					if err := json.Unmarshal(e.Payload, &pub); err != nil {
						return fmt.Errorf("event %s payload: %w", e.ID, err)
					}
				}
				st.LastEvent = &LiveEvent{Type: e.Type, Region: pub.Region, Answer: pub.Answer, ActorRole: string(e.ActorRole), At: e.At}
			}
		}
		return nil
	})
	return st, err
}
