package practice

import (
	"time"

	"holdspace"
)

// Today is the client's answer to the day's check (shared/domain.md "The
// day's check"): whether they are clear-headed (not under the influence of
// alcohol or drugs that affect their judgement), whether they have a fever,
// an infection or feel unwell today, and whether something about their
// health has changed since their health answers.
type Today struct {
	ClearHeaded bool `json:"clear_headed"`
	Unwell      bool `json:"unwell"`
	Changes     bool `json:"changes"`
}

// Why a day check keeps a session from going ahead (see DayCheckRecord.Block).
const (
	// BlockCapacity: the client said they are not clear-headed today, so
	// they cannot give consent in this session.
	BlockCapacity = "capacity"
	// BlockIllness: the client said they are unwell today.
	BlockIllness = "illness"
)

// DayCheckRecord is the fold of a session's day-check events. Within a
// session a later day check may narrow what an earlier one allowed, never
// widen it: once any day check says "not clear-headed", "unwell" or
// "changes", that stays so for the rest of the session, whoever records a
// later answer.
type DayCheckRecord struct {
	// Recorded is true once any day check is recorded in the session.
	Recorded bool `json:"recorded"`
	// At is the time of the latest day check; FirstAt of the first.
	At      time.Time `json:"at,omitzero"`
	FirstAt time.Time `json:"first_at,omitzero"`
	// ByClient is true when the client answered on their own device at
	// least once; otherwise every answer was recorded in person by the
	// practitioner.
	ByClient bool `json:"by_client"`
	// NotClearHeaded, Unwell and Changes are sticky for the session.
	NotClearHeaded bool `json:"not_clear_headed"`
	Unwell         bool `json:"unwell"`
	Changes        bool `json:"changes"`
	// ChangesAt is the time of the latest day check that reported a
	// change: the screening is stale for intimate and internal work until
	// the client answers the questionnaire again after it.
	ChangesAt time.Time `json:"changes_at,omitzero"`
	// Count is how many day checks were recorded.
	Count int `json:"count"`
}

func (d *DayCheckRecord) apply(e Event) {
	t := e.Today
	if t == nil {
		return
	}
	if !d.Recorded {
		d.FirstAt = e.At
	}
	d.Recorded = true
	d.Count++
	if e.At.After(d.At) {
		d.At = e.At
	}
	d.ByClient = d.ByClient || e.ActorRole == holdspace.RoleClient
	d.NotClearHeaded = d.NotClearHeaded || !t.ClearHeaded
	d.Unwell = d.Unwell || t.Unwell
	if t.Changes {
		d.Changes = true
		if e.At.After(d.ChangesAt) {
			d.ChangesAt = e.At
		}
	}
}

// Block returns why the day check keeps the session from going ahead:
// BlockCapacity when the client is not clear-headed (which takes
// precedence), BlockIllness when they are unwell, "" otherwise.
func (d DayCheckRecord) Block() string {
	switch {
	case d.NotClearHeaded:
		return BlockCapacity
	case d.Unwell:
		return BlockIllness
	}
	return ""
}

// StaleSince reports whether a screening taken at takenAt is stale for
// this session because the client reported a change at or after it.
func (d DayCheckRecord) StaleSince(takenAt time.Time) bool {
	return d.Changes && !takenAt.After(d.ChangesAt)
}

// EndedFor returns why a session that is over (closed or cancelled) ended
// because of its day check: BlockCapacity or BlockIllness, or "" when it
// is not over or its day check did not block it. A session ended this way
// is not a no-show and calls for no follow-up of its own.
func (f *Facts) EndedFor() string {
	if f.State != Closed && f.State != Cancelled {
		return ""
	}
	return f.DayCheck.Block()
}
