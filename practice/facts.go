package practice

import (
	"time"

	"holdspace"

	"holdspace/catalogue"
)

// MaxRegions bounds the catalogue size that Facts and the consent index hold
// in fixed arrays. A test asserts catalogue.NumRegions ≤ MaxRegions.
const MaxRegions = 32

// CheckIn is what a session's check-ins say about one region.
type CheckIn struct {
	// LastYes is the time of the latest "yes" since the session began or
	// last resumed; zero when there is none. A stop clears it: after a
	// resume, ask-first regions need a fresh check-in.
	LastYes time.Time `json:"last_yes,omitzero"`
	// Declined is set by a "no" and stays set for the rest of the session.
	Declined   bool      `json:"declined"`
	DeclinedAt time.Time `json:"declined_at,omitzero"`
}

// ChaperoneRecord is the latest chaperone record of a session.
type ChaperoneRecord struct {
	// Offered is true once any chaperone event recorded an offer; a later
	// record never un-makes an offer that was made.
	Offered  bool      `json:"offered"`
	Accepted bool      `json:"accepted"`
	Name     string    `json:"name,omitempty"`
	At       time.Time `json:"at,omitzero"`
}

// Facts is a fold of one session's events into what the consent decision
// needs. Build it with NewFacts and feed it the session's events in order
// with Apply; a caller may keep a Facts and apply only new events. Facts is
// a plain value: copying it copies everything (it holds no maps or slices).
type Facts struct {
	Intent catalogue.Intent `json:"intent"`
	State  State            `json:"state"`
	// Reconfirmed is true when the client re-confirmed an agreement at this
	// session's start; AgreementID and AgreementVersion name it (the latest
	// reconfirm event wins).
	Reconfirmed      bool      `json:"reconfirmed"`
	AgreementID      string    `json:"agreement_id,omitempty"`
	AgreementVersion int       `json:"agreement_version,omitempty"`
	ReconfirmedAt    time.Time `json:"reconfirmed_at,omitzero"`
	// BegunAt is the time of the begin event.
	BegunAt   time.Time       `json:"begun_at,omitzero"`
	Chaperone ChaperoneRecord `json:"chaperone"`
	// Stopped reports whether the session is stopped now; StoppedAt is the
	// time of the latest stop and Stops counts them.
	Stopped   bool      `json:"stopped"`
	StoppedAt time.Time `json:"stopped_at,omitzero"`
	Stops     int       `json:"stops"`
	// DayCheck is the fold of the session's day checks (design rule 11).
	DayCheck DayCheckRecord `json:"day_check"`
	// Events counts the events applied.
	Events   int                 `json:"events"`
	checkins [MaxRegions]CheckIn `json:"-"`

	// OpenedAt is the time of the open event: a screening taken after it
	// may narrow this session but never widen it.
	OpenedAt time.Time `json:"opened_at,omitzero"`
	// Refused is set by a stop ("not today") before the session began, and
	// cleared by a later re-confirmation: while it is set the session cannot
	// begin. RefusedByClient says the refusal was the client's (then only
	// the client's own re-confirmation clears it); RefusedAt is its time.
	Refused         bool      `json:"refused"`
	RefusedByClient bool      `json:"refused_by_client"`
	RefusedAt       time.Time `json:"refused_at,omitzero"`
	// AutoClosed is set when holdspace closed the session at its booked end
	// plus the grace period.
	AutoClosed bool `json:"auto_closed"`
	// CloseBy is when the session ends by itself (Booking.CloseBy); zero
	// means never. Events do not set it: the caller copies it from the
	// booking. From CloseBy on, decisions deny session_not_active even
	// before the automatic close is recorded.
	CloseBy time.Time `json:"close_by,omitzero"`
}

// NewFacts returns the facts of a scheduled session for intent, before any
// event.
func NewFacts(intent catalogue.Intent) Facts {
	return Facts{Intent: intent, State: Scheduled}
}

// Fold returns the facts of a session for intent after events, in order. It
// stops at the first event that Apply refuses and returns that error.
func Fold(intent catalogue.Intent, events []Event) (Facts, error) {
	f := NewFacts(intent)
	for _, e := range events {
		if err := f.Apply(e); err != nil {
			return f, err
		}
	}
	return f, nil
}

// Apply folds e into f. It checks e with the package Apply against f.State
// (a zero State counts as Scheduled) and returns that error unchanged,
// leaving f as it was, when e is refused. It then checks what the state
// alone cannot tell (Refusal), also leaving f as it was on error.
func (f *Facts) Apply(e Event) error {
	cur := f.State
	if cur == "" {
		cur = Scheduled
	}
	next, err := Apply(cur, e)
	if err != nil {
		return err
	}
	if err := f.Refusal(e); err != nil {
		return err
	}
	f.State = next
	f.Events++
	switch e.Type {
	case EventOpen:
		f.OpenedAt = e.At
	case EventAutoClose:
		f.AutoClosed = true
		f.Stopped = false
	case EventReconfirm:
		f.Refused, f.RefusedByClient = false, false
		f.Reconfirmed = true
		f.AgreementID = e.AgreementID
		f.AgreementVersion = e.AgreementVersion
		f.ReconfirmedAt = e.At
	case EventBegin:
		f.BegunAt = e.At
	case EventChaperone:
		c := e.Chaperone
		f.Chaperone.Offered = f.Chaperone.Offered || c.Offered
		f.Chaperone.Accepted = c.Accepted
		f.Chaperone.Name = c.Name
		f.Chaperone.At = e.At
	case EventStop:
		if cur != InProgress {
			// "Not today": recorded, and it holds until a fresh
			// re-confirmation (see Refusal).
			f.Refused = true
			f.RefusedByClient = f.RefusedByClient || e.ActorRole == holdspace.RoleClient
			f.RefusedAt = e.At
			f.Reconfirmed, f.AgreementID, f.AgreementVersion, f.ReconfirmedAt = false, "", 0, time.Time{}
			f.Stops++
			break
		}
		f.Stopped = true
		f.StoppedAt = e.At
		f.Stops++
		for i := range f.checkins {
			f.checkins[i].LastYes = time.Time{}
		}
	case EventResume:
		f.Stopped = false
	case EventClose, EventCancel:
		f.Stopped = false
	case EventDayCheck:
		f.DayCheck.apply(e)
	case EventCheckin:
		i := catalogue.RegionIndex(e.Region)
		if i < 0 || i >= MaxRegions {
			return nil
		}
		c := &f.checkins[i]
		if e.Answer == string(catalogue.Yes) {
			if e.At.After(c.LastYes) {
				c.LastYes = e.At
			}
		} else if !c.Declined {
			c.Declined = true
			c.DeclinedAt = e.At
		}
	}
	return nil
}

// CheckIn returns what the session's check-ins say about region; the zero
// CheckIn for an unknown region.
func (f *Facts) CheckIn(region string) CheckIn {
	return f.CheckInAt(catalogue.RegionIndex(region))
}

// CheckInAt is CheckIn by catalogue.RegionIndex position; the zero CheckIn
// when i is out of range.
func (f *Facts) CheckInAt(i int) CheckIn {
	if i < 0 || i >= MaxRegions {
		return CheckIn{}
	}
	return f.checkins[i]
}

// CheckIns returns the regions that have had a check-in, by region code.
func (f *Facts) CheckIns() map[string]CheckIn {
	out := map[string]CheckIn{}
	for i, code := range catalogue.RegionCodes() {
		if c := f.checkins[i%MaxRegions]; i < MaxRegions && (c.Declined || !c.LastYes.IsZero()) {
			out[code] = c
		}
	}
	return out
}
