package practice

import (
	"testing"

	"holdspace"
)

// TestEventsRefuseFieldsTheyDoNotUse: free text or codes sent with an event
// that does not use them are refused, never stored.
func TestEventsRefuseFieldsTheyDoNotUse(t *testing.T) {
	cases := []struct {
		name  string
		e     Event
		field string
	}{
		{"NoteWithRegion", Event{Type: EventNote, Region: "history of assault"}, "region"},
		{"NoteWithAnswer", Event{Type: EventNote, Answer: "HIV positive"}, "answer"},
		{"NoteWithKind", Event{Type: EventNote, Kind: "depression"}, "kind"},
		{"StopWithText", Event{Type: EventStop, Text: "why"}, "text"},
		{"BeginWithIntensity", Event{Type: EventBegin, Intensity: 5}, "intensity"},
		{"OpenWithChaperone", Event{Type: EventOpen, Chaperone: &Chaperone{Offered: true}}, "chaperone"},
		{"NoteWithClose", Event{Type: EventNote, Close: &CloseNotes{}}, "close"},
		{"CheckinWithAgreement", Event{Type: EventCheckin, Region: "feet", Answer: "yes", AgreementID: "agr_x"}, "agreement_id"},
		{"AdverseWithRegion", Event{Type: EventAdverse, Kind: AdversePain, Region: "feet"}, "region"},
		{"CheckinWithToday", Event{Type: EventCheckin, Region: "feet", Answer: "yes", Today: &Today{ClearHeaded: true}}, "today"},
		{"DayCheckWithText", Event{Type: EventDayCheck, Today: &Today{}, Text: "had two beers"}, "text"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.e.Validate()
			if holdspace.ErrorReason(err) != "unexpected_field" || holdspace.ErrorField(err) != c.field {
				t.Fatalf("got %v, want unexpected_field on %s", err, c.field)
			}
		})
	}
	for _, ok := range []Event{
		{Type: EventCheckin, Region: "feet", Answer: "no"},
		{Type: EventAdverse, Kind: AdverseBleeding, Text: "a little"},
		{Type: EventEmotionalRelease, Intensity: 7, Text: "tears"},
		{Type: EventNote, Text: "calm"},
		{Type: EventReconfirm, AgreementID: "agr_x", AgreementVersion: 2},
		{Type: EventDayCheck, Today: &Today{ClearHeaded: true, Unwell: true}},
	} {
		if err := ok.Validate(); err != nil {
			t.Errorf("%s refused: %v", ok.Type, err)
		}
	}
}
