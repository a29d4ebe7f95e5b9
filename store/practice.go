package store

import (
	"context"
	"time"
)

// PracticeSettings is the stored form of the practice's settings: Body is
// the JSON of practice.Settings. Version moves with every change; caches of
// compiled decision facts are keyed on it.
type PracticeSettings struct {
	Body      []byte
	Version   int64
	UpdatedAt time.Time
	UpdatedBy string
}

// Settings stores the practice's settings: one record per practice.
type Settings interface {
	// PracticeSettings returns the stored settings; ENOTFOUND when they
	// were never saved (the caller then uses its defaults).
	PracticeSettings(ctx context.Context) (*PracticeSettings, error)
	// PutPracticeSettings replaces the settings with s.Body, UpdatedAt and
	// UpdatedBy, and sets s.Version to one more than the previous version
	// (1 for the first save).
	PutPracticeSettings(ctx context.Context, s *PracticeSettings) error
}

// GuardianConsent is a guardian's consent recorded with a minor's
// agreement. Sealed holds the guardian's name, relationship and typed name.
type GuardianConsent struct {
	AgreementID string
	ClientID    string
	Sealed      []byte
	RecordedBy  string
	RecordedAt  time.Time
}

// Guardians stores guardians' consents. They are append-only: one per
// agreement, never changed.
type Guardians interface {
	// CreateGuardianConsent stores g; ECONFLICT when the agreement has one,
	// ENOTFOUND when the agreement or client does not exist.
	CreateGuardianConsent(ctx context.Context, g *GuardianConsent) error
	// ListGuardianConsents returns a client's guardians' consents, oldest
	// first.
	ListGuardianConsents(ctx context.Context, clientID string) ([]*GuardianConsent, error)
}

// FollowUp is the follow-up a session needs after emotional release, an
// adverse event, a stop or a declined check-in. Triggers are the
// practice.FollowUp* codes; Adverse is set when one of them is an adverse
// event, which admins acknowledge.
type FollowUp struct {
	ID             string
	SessionID      string
	ClientID       string
	PractitionerID string
	Triggers       []string
	Adverse        bool
	CreatedAt      time.Time
	DueAt          time.Time
	AnsweredAt     time.Time // zero until the client answers
	AnswerEventID  string
	AcknowledgedAt time.Time // zero until an admin acknowledges (adverse only)
	AcknowledgedBy string
}

// FollowUpFilter selects follow-ups. Zero fields select all.
type FollowUpFilter struct {
	ClientID       string
	PractitionerID string
	SessionID      string
	// Unanswered selects only follow-ups not answered yet.
	Unanswered bool
	// Unacknowledged selects only adverse follow-ups no admin has
	// acknowledged yet.
	Unacknowledged bool
}

// FollowUps stores follow-ups.
type FollowUps interface {
	// CreateFollowUp stores f; ECONFLICT when the session has one,
	// ENOTFOUND when the session, client or practitioner does not exist.
	CreateFollowUp(ctx context.Context, f *FollowUp) error
	// FollowUp returns one follow-up; ENOTFOUND.
	FollowUp(ctx context.Context, id string) (*FollowUp, error)
	// ListFollowUps returns matching follow-ups, earliest due first.
	ListFollowUps(ctx context.Context, f FollowUpFilter) ([]*FollowUp, error)
	// AnswerFollowUp records the answer's event; ECONFLICT (reason
	// already_answered) when answered already, ENOTFOUND.
	AnswerFollowUp(ctx context.Context, id, eventID string, at time.Time) error
	// AcknowledgeFollowUp records an admin's acknowledgement; ECONFLICT
	// (reason already_acknowledged) when acknowledged already, ENOTFOUND.
	AcknowledgeFollowUp(ctx context.Context, id, by string, at time.Time) error
}
