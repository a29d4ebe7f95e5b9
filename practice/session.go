// Package practice holds the pure rules of a practice: the session state
// machine and its events, the fold of a session's events into the facts the
// consent decision reads, and practitioner credentials. It does no I/O.
package practice

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"holdspace"
	"holdspace/catalogue"
)

// State is where a session is in its life.
type State string

// Session states (shared/domain.md "Sessions").
const (
	Scheduled  State = "scheduled"
	Open       State = "open"
	InProgress State = "in-progress"
	Stopped    State = "stopped"
	Closed     State = "closed"
	Cancelled  State = "cancelled"
)

// States returns every session state.
func States() []State {
	return []State{Scheduled, Open, InProgress, Stopped, Closed, Cancelled}
}

// EventType names what happened in a session.
type EventType string

// Session event types (shared/domain.md "Sessions").
const (
	EventOpen             EventType = "open"
	EventReconfirm        EventType = "reconfirm"
	EventChaperone        EventType = "chaperone"
	EventBegin            EventType = "begin"
	EventCheckin          EventType = "checkin"
	EventStop             EventType = "stop"
	EventResume           EventType = "resume"
	EventEmotionalRelease EventType = "emotional-release"
	EventAdverse          EventType = "adverse"
	EventNote             EventType = "note"
	EventClose            EventType = "close"
	EventCancel           EventType = "cancel"
	EventDayCheck         EventType = "day-check"
	// EventAutoClose is recorded by holdspace itself when a live session
	// reaches its booked end plus the grace period (see Booking.CloseBy).
	EventAutoClose EventType = "auto-close"
	// EventFollowUp is the client's answer to the follow-up after a
	// session: how they have been since, 0–10, and an optional note.
	EventFollowUp EventType = "follow-up"
)

// EventTypes returns every event type.
func EventTypes() []EventType {
	return []EventType{EventOpen, EventReconfirm, EventChaperone, EventBegin, EventCheckin, EventStop,
		EventResume, EventEmotionalRelease, EventAdverse, EventNote, EventClose, EventCancel, EventDayCheck, EventAutoClose,
		EventFollowUp}
}

// Adverse event kinds.
const (
	AdverseNausea          = "nausea"
	AdverseLightHeadedness = "light-headedness"
	AdversePain            = "pain"
	AdverseBleeding        = "bleeding"
	AdverseDistress        = "distress"
	AdverseOther           = "other"
)

// AdverseKinds returns every adverse event kind.
func AdverseKinds() []string {
	return []string{AdverseNausea, AdverseLightHeadedness, AdversePain, AdverseBleeding, AdverseDistress, AdverseOther}
}

// Chaperone is the chaperone record of a session: whether one was offered,
// whether the client accepted, and the chaperone's name when accepted.
type Chaperone struct {
	Offered  bool   `json:"offered"`
	Accepted bool   `json:"accepted"`
	Name     string `json:"name,omitempty"`
}

// CloseNotes is what a practitioner records when closing a session: SOAP
// notes (sensitive), the aftercare plan, pain and tension scores 0–10 before
// and after, and referrals made.
type CloseNotes struct {
	Subjective    string   `json:"subjective"`
	Objective     string   `json:"objective"`
	Assessment    string   `json:"assessment"`
	Plan          string   `json:"plan"`
	Aftercare     string   `json:"aftercare"`
	PainBefore    int      `json:"pain_before"`
	PainAfter     int      `json:"pain_after"`
	TensionBefore int      `json:"tension_before"`
	TensionAfter  int      `json:"tension_after"`
	Referrals     []string `json:"referrals,omitempty"`
}

// Event is one append-only entry of a session. Type, At, ActorID and
// ActorRole are always set; the payload fields used depend on Type:
//   - reconfirm: AgreementID and AgreementVersion (the version confirmed);
//   - chaperone: Chaperone;
//   - checkin: Region and Answer ("yes" or "no");
//   - emotional-release: Intensity 0–10 and Text;
//   - adverse: Kind and Text;
//   - note: Text;
//   - close: Close;
//   - day-check: Today.
//   - follow-up: Wellbeing 0–10 and Text (optional).
type Event struct {
	ID               string         `json:"id,omitempty"`
	Type             EventType      `json:"type"`
	At               time.Time      `json:"at"`
	ActorID          string         `json:"actor_id,omitempty"`
	ActorRole        holdspace.Role `json:"actor_role"`
	Device           string         `json:"device,omitempty"`
	AgreementID      string         `json:"agreement_id,omitempty"`
	AgreementVersion int            `json:"agreement_version,omitempty"`
	Chaperone        *Chaperone     `json:"chaperone,omitempty"`
	Region           string         `json:"region,omitempty"`
	Answer           string         `json:"answer,omitempty"`
	Intensity        int            `json:"intensity,omitempty"`
	Kind             string         `json:"kind,omitempty"`
	Text             string         `json:"text,omitempty"`
	Close            *CloseNotes    `json:"close,omitempty"`
	Today            *Today         `json:"today,omitempty"`
	// Wellbeing is the follow-up answer to "How have you been since your
	// session?", 0–10.
	Wellbeing *int `json:"wellbeing,omitempty"`
}

// rule is one row of the domain.md session table.
type rule struct {
	from []State
	to   State // "" = the state does not change
	// stays lists states in from where the event is recorded without
	// moving the session (a stop before the start: see Facts.Refused).
	stays        []State
	practitioner bool
	client       bool
	system       bool
	// admin: an admin may record it (only a cancellation: the practice
	// cancelling a booking).
	admin bool
}

var rules = map[EventType]rule{
	EventOpen:             {from: []State{Scheduled}, to: Open, practitioner: true},
	EventReconfirm:        {from: []State{Open}, practitioner: true, client: true},
	EventChaperone:        {from: []State{Open, InProgress}, practitioner: true},
	EventBegin:            {from: []State{Open}, to: InProgress, practitioner: true},
	EventCheckin:          {from: []State{InProgress}, practitioner: true, client: true},
	EventStop:             {from: []State{Scheduled, Open, InProgress}, to: Stopped, stays: []State{Scheduled, Open}, practitioner: true, client: true},
	EventResume:           {from: []State{Stopped}, to: InProgress, client: true},
	EventEmotionalRelease: {from: []State{InProgress, Stopped}, practitioner: true, client: true},
	EventAdverse:          {from: []State{InProgress, Stopped}, practitioner: true, client: true},
	EventNote:             {from: []State{Scheduled, Open, InProgress, Stopped, Closed}, practitioner: true},
	EventClose:            {from: []State{InProgress, Stopped}, to: Closed, practitioner: true},
	EventCancel:           {from: []State{Scheduled, Open}, to: Cancelled, practitioner: true, client: true, admin: true},
	EventDayCheck:         {from: []State{Open, InProgress}, practitioner: true, client: true},
	EventAutoClose:        {from: []State{Open, InProgress, Stopped}, to: Closed, system: true},
	EventFollowUp:         {from: []State{Closed}, practitioner: true, client: true},
}

// MaySend reports whether an actor with role r may send events of type t.
// A practitioner sending reconfirm records the client's in-person word.
func MaySend(t EventType, r holdspace.Role) bool {
	ru, ok := rules[t]
	if !ok {
		return false
	}
	switch r {
	case holdspace.RolePractitioner:
		return ru.practitioner
	case holdspace.RoleClient:
		return ru.client
	case holdspace.RoleSystem:
		return ru.system
	case holdspace.RoleAdmin:
		return ru.admin
	}
	return false
}

// Fits reports whether an event of type t may happen in state s.
func Fits(t EventType, s State) bool {
	ru, ok := rules[t]
	if !ok {
		return false
	}
	for _, f := range ru.from {
		if f == s {
			return true
		}
	}
	return false
}

// Apply returns the state a session in state s moves to when e happens.
// Checks run in this order and the first failure is returned; on error the
// state is unchanged:
//   - unknown event type → EINVALID, reason "unknown_event_type", field "type";
//   - the actor's role may not send the event (any role other than
//     practitioner or client, e.g. admin, may send none) → EFORBIDDEN,
//     reason "not_allowed";
//   - the event does not fit state s → ECONFLICT, reason "invalid_transition";
//   - the payload is invalid → EINVALID with a Field (see Event.Validate).
func Apply(s State, e Event) (State, error) {
	ru, ok := rules[e.Type]
	if !ok {
		return s, holdspace.Invalid("unknown_event_type", "type", "%q is not a session event type.", e.Type)
	}
	if !MaySend(e.Type, e.ActorRole) {
		return s, &holdspace.Error{Code: holdspace.EFORBIDDEN, Reason: "not_allowed",
			Message: fmt.Sprintf("A %s may not record a %q event.", roleName(e.ActorRole), e.Type)}
	}
	if !Fits(e.Type, s) {
		return s, holdspace.Conflict("invalid_transition", "A %q event does not fit a session that is %s.", e.Type, s)
	}
	if err := e.Validate(); err != nil {
		return s, err
	}
	if ru.to != "" && !slices.Contains(ru.stays, s) {
		return ru.to, nil
	}
	return s, nil
}

func roleName(r holdspace.Role) string {
	if r == "" {
		return "caller without a session role"
	}
	return string(r)
}

// Validate checks the payload of e for its type. It returns an EINVALID
// *holdspace.Error whose Field names the offending input:
//   - any type: no field the type does not use ("unexpected_field"), then
//     every size limit (see CheckSize);
//   - reconfirm: agreement_id required ("required"), agreement_version ≥ 1
//     ("invalid_version");
//   - chaperone: chaperone required ("required"); accepted without offered
//     ("not_offered", field "chaperone.accepted"); name required when
//     accepted ("required", field "chaperone.name");
//   - checkin: region known ("unknown_region"), answer "yes" or "no"
//     ("invalid_answer");
//   - emotional-release: intensity 0–10 ("out_of_range");
//   - adverse: kind one of AdverseKinds ("invalid_kind");
//   - close: close required; each score 0–10 ("out_of_range", field e.g.
//     "close.pain_before"); referrals non-empty strings ("required");
//   - day-check: today required ("required", field "today").
//
// Unknown event types return "unknown_event_type".
func (e Event) Validate() error {
	if err := e.onlyItsFields(); err != nil {
		return err
	}
	if err := e.CheckSize(); err != nil {
		return err
	}
	switch e.Type {
	case EventReconfirm:
		if e.AgreementID == "" {
			return holdspace.Invalid("required", "agreement_id", "Name the agreement the client re-confirmed.")
		}
		if e.AgreementVersion < 1 {
			return holdspace.Invalid("invalid_version", "agreement_version", "The agreement version must be 1 or more.")
		}
	case EventChaperone:
		c := e.Chaperone
		if c == nil {
			return holdspace.Invalid("required", "chaperone", "Record whether a chaperone was offered.")
		}
		if c.Accepted && !c.Offered {
			return holdspace.Invalid("not_offered", "chaperone.accepted", "A chaperone cannot be accepted without being offered.")
		}
		if c.Accepted && c.Name == "" {
			return holdspace.Invalid("required", "chaperone.name", "Record the chaperone's name.")
		}
	case EventCheckin:
		if _, ok := catalogue.LookupRegion(e.Region); !ok {
			return holdspace.Invalid("unknown_region", "region", "%q is not a body region.", e.Region)
		}
		if e.Answer != string(catalogue.Yes) && e.Answer != string(catalogue.No) {
			return holdspace.Invalid("invalid_answer", "answer", "A check-in answer is yes or no.")
		}
	case EventEmotionalRelease:
		if e.Intensity < 0 || e.Intensity > 10 {
			return holdspace.Invalid("out_of_range", "intensity", "Intensity is a number from 0 to 10.")
		}
	case EventAdverse:
		ok := false
		for _, k := range AdverseKinds() {
			if e.Kind == k {
				ok = true
			}
		}
		if !ok {
			return holdspace.Invalid("invalid_kind", "kind", "An adverse event is one of nausea, light-headedness, pain, bleeding, distress or other.")
		}
	case EventClose:
		c := e.Close
		if c == nil {
			return holdspace.Invalid("required", "close", "Closing a session needs the session notes.")
		}
		scores := [...]struct {
			name string
			v    int
		}{{"pain_before", c.PainBefore}, {"pain_after", c.PainAfter}, {"tension_before", c.TensionBefore}, {"tension_after", c.TensionAfter}}
		for _, s := range scores {
			if s.v < 0 || s.v > 10 {
				return holdspace.Invalid("out_of_range", "close."+s.name, "Scores are numbers from 0 to 10.")
			}
		}
		for i, r := range c.Referrals {
			if r == "" {
				return holdspace.Invalid("required", "close.referrals["+strconv.Itoa(i)+"]", "A referral cannot be empty.")
			}
		}
	case EventDayCheck:
		if e.Today == nil {
			return holdspace.Invalid("required", "today", "A day check needs the client's three answers for today.")
		}
	case EventFollowUp:
		if e.Wellbeing == nil {
			return holdspace.Invalid("required", "wellbeing", "Say how you have been since your session, from 0 to 10.")
		}
		if *e.Wellbeing < 0 || *e.Wellbeing > 10 {
			return holdspace.Invalid("out_of_range", "wellbeing", "How you have been is a number from 0 to 10.")
		}
		if len(e.Text) > MaxFollowUpText {
			return holdspace.Invalid("too_long", "text", "A follow-up note has at most %d characters.", MaxFollowUpText)
		}
	case EventOpen, EventBegin, EventStop, EventResume, EventNote, EventCancel, EventAutoClose:
	default:
		return holdspace.Invalid("unknown_event_type", "type", "%q is not a session event type.", e.Type)
	}
	return nil
}

// onlyItsFields refuses payload fields that the event's type does not use,
// so that nothing (free text above all) is stored where it was not meant
// to be: a region and answer belong to a check-in, a kind to an adverse
// event, text to emotional release, adverse events and notes.
func (e Event) onlyItsFields() error {
	t := e.Type
	type field struct {
		name    string
		present bool
		allowed bool
	}
	for _, f := range []field{
		{"region", e.Region != "", t == EventCheckin},
		{"answer", e.Answer != "", t == EventCheckin},
		{"kind", e.Kind != "", t == EventAdverse},
		{"text", e.Text != "", t == EventEmotionalRelease || t == EventAdverse || t == EventNote || t == EventFollowUp},
		{"intensity", e.Intensity != 0, t == EventEmotionalRelease},
		{"chaperone", e.Chaperone != nil, t == EventChaperone},
		{"close", e.Close != nil, t == EventClose},
		{"wellbeing", e.Wellbeing != nil, t == EventFollowUp},
		{"agreement_id", e.AgreementID != "", t == EventReconfirm},
		{"today", e.Today != nil, t == EventDayCheck},
	} {
		if f.present && !f.allowed {
			return holdspace.Invalid("unexpected_field", f.name, "A %q event has no %s.", t, f.name)
		}
	}
	return nil
}
