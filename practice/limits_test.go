package practice

import (
	"strings"
	"testing"
	"time"

	"holdspace"
)

func TestEventCheckSize(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	refs := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = "GP"
		}
		return out
	}
	tests := []struct {
		name          string
		e             Event
		reason, field string
	}{
		{"TextAtLimit", Event{Type: EventNote, Text: long(MaxEventText)}, "", ""},
		{"TextTooLong", Event{Type: EventNote, Text: long(MaxEventText + 1)}, "too_long", "text"},
		{"CloseAtLimit", Event{Type: EventClose, Close: &CloseNotes{Subjective: long(MaxEventText - 4), Referrals: []string{"GP", "GP"}}}, "", ""},
		{"CloseTooLongInAll", Event{Type: EventClose, Close: &CloseNotes{Subjective: long(MaxEventText / 2), Plan: long(MaxEventText / 2), Referrals: []string{"x"}}}, "too_long", "close"},
		{"ReferralsAtLimit", Event{Type: EventClose, Close: &CloseNotes{Referrals: refs(MaxReferrals)}}, "", ""},
		{"TooManyReferrals", Event{Type: EventClose, Close: &CloseNotes{Referrals: refs(MaxReferrals + 1)}}, "too_many", "close.referrals"},
		{"ChaperoneNameAtLimit", Event{Type: EventChaperone, Chaperone: &Chaperone{Offered: true, Accepted: true, Name: long(MaxChaperoneName)}}, "", ""},
		{"ChaperoneNameTooLong", Event{Type: EventChaperone, Chaperone: &Chaperone{Offered: true, Accepted: true, Name: long(MaxChaperoneName + 1)}}, "too_long", "chaperone.name"},
		{"TypeTooLong", Event{Type: EventType(long(41))}, "too_long", "type"},
		{"RegionTooLong", Event{Type: EventCheckin, Region: long(41), Answer: "yes"}, "too_long", "type"},
		{"AnswerTooLong", Event{Type: EventCheckin, Region: "abdomen", Answer: long(11)}, "too_long", "type"},
		{"KindTooLong", Event{Type: EventAdverse, Kind: long(41)}, "too_long", "type"},
		{"AgreementIDTooLong", Event{Type: EventReconfirm, AgreementID: long(101), AgreementVersion: 1}, "too_long", "type"},
		// A size limit is checked whatever the type, even an unknown one.
		{"UnknownTypeTextTooLong", Event{Type: "bogus", Text: long(MaxEventText + 1)}, "too_long", "text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.e.CheckSize()
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("CheckSize = %v, want nil", err)
				}
				return
			}
			if holdspace.ErrorCode(err) != holdspace.EINVALID || holdspace.ErrorReason(err) != tt.reason || holdspace.ErrorField(err) != tt.field {
				t.Fatalf("CheckSize = %v, want EINVALID %s (%s)", err, tt.reason, tt.field)
			}
		})
	}
}

// TestValidateChecksSize: Validate, and so Apply, refuse an oversized
// payload once its fields fit its type.
func TestValidateChecksSize(t *testing.T) {
	at := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	e := Event{Type: EventNote, At: at, ActorRole: holdspace.RolePractitioner, Text: strings.Repeat("x", MaxEventText+1)}
	if err := e.Validate(); holdspace.ErrorReason(err) != "too_long" || holdspace.ErrorField(err) != "text" {
		t.Fatalf("Validate = %v, want too_long (text)", err)
	}
	if _, err := Apply(InProgress, e); holdspace.ErrorReason(err) != "too_long" {
		t.Fatalf("Apply = %v, want too_long", err)
	}
	e.Text = "fine"
	if _, err := Apply(InProgress, e); err != nil {
		t.Fatalf("Apply of a note within limits = %v", err)
	}
	up := 5
	f := Event{Type: EventFollowUp, At: at, ActorRole: holdspace.RoleClient, Wellbeing: &up, Text: strings.Repeat("x", MaxFollowUpText+1)}
	if err := f.Validate(); holdspace.ErrorReason(err) != "too_long" || holdspace.ErrorField(err) != "text" {
		t.Fatalf("follow-up Validate = %v, want too_long (text)", err)
	}
	f.Text = strings.Repeat("x", MaxFollowUpText)
	if err := f.Validate(); err != nil {
		t.Fatalf("follow-up at the limit: %v", err)
	}
}
