package practice

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"holdspace"
	"holdspace/catalogue"
)

var t0 = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

// validEvent returns an event of type t whose payload is valid.
func validEvent(t EventType, r holdspace.Role) Event {
	e := Event{Type: t, ActorRole: r, ActorID: "u1", At: t0}
	switch t {
	case EventReconfirm:
		e.AgreementID, e.AgreementVersion = "a1", 1
	case EventChaperone:
		e.Chaperone = &Chaperone{Offered: true, Accepted: true, Name: "Sam"}
	case EventCheckin:
		e.Region, e.Answer = "glutes", "yes"
	case EventEmotionalRelease:
		e.Intensity = 4
	case EventAdverse:
		e.Kind = AdverseNausea
	case EventClose:
		e.Close = &CloseNotes{Subjective: "s", PainBefore: 6, PainAfter: 2}
	case EventDayCheck:
		e.Today = &Today{ClearHeaded: true}
	case EventFollowUp:
		w := 7
		e.Wellbeing = &w
	}
	return e
}

// TestApplyExhaustive checks every (state, event type, role) against the
// table of shared/domain.md "Sessions", written out here independently of
// the implementation's table.
func TestApplyExhaustive(t *testing.T) {
	// A: an admin, who records only a cancellation (the practice cancelling
	// a booking).
	const P, C, S, A = "P", "C", "S", "A"
	type row struct {
		from  string // space-separated states
		to    State  // "" = unchanged
		roles string
		stays string // states in from that the event leaves unchanged
	}
	table := map[EventType]row{
		EventOpen:             {"scheduled", Open, P, ""},
		EventReconfirm:        {"open", "", P + C, ""},
		EventChaperone:        {"open in-progress", "", P, ""},
		EventBegin:            {"open", InProgress, P, ""},
		EventCheckin:          {"in-progress", "", P + C, ""},
		EventStop:             {"scheduled open in-progress", Stopped, P + C, "scheduled open"},
		EventResume:           {"stopped", InProgress, C, ""},
		EventEmotionalRelease: {"in-progress stopped", "", P + C, ""},
		EventAdverse:          {"in-progress stopped", "", P + C, ""},
		EventNote:             {"scheduled open in-progress stopped closed", "", P, ""},
		EventClose:            {"in-progress stopped", Closed, P, ""},
		EventCancel:           {"scheduled open", Cancelled, P + C + A, ""},
		EventAutoClose:        {"open in-progress stopped", Closed, S, ""},
		EventDayCheck:         {"open in-progress", "", P + C, ""},
		EventFollowUp:         {"closed", "", P + C, ""},
	}
	if len(table) != len(EventTypes()) {
		t.Fatalf("table has %d event types, package has %d", len(table), len(EventTypes()))
	}
	roles := []holdspace.Role{holdspace.RolePractitioner, holdspace.RoleClient, holdspace.RoleSystem, holdspace.RoleAdmin, ""}
	n := 0
	for _, et := range EventTypes() {
		row, ok := table[et]
		if !ok {
			t.Fatalf("no expectation for %q", et)
		}
		for _, st := range States() {
			for _, r := range roles {
				n++
				mayRole := (r == holdspace.RolePractitioner && strings.Contains(row.roles, P)) || (r == holdspace.RoleClient && strings.Contains(row.roles, C)) ||
					(r == holdspace.RoleSystem && strings.Contains(row.roles, S)) || (r == holdspace.RoleAdmin && strings.Contains(row.roles, A))
				fits := false
				for _, f := range strings.Fields(row.from) {
					fits = fits || State(f) == st
				}
				got, err := Apply(st, validEvent(et, r))
				switch {
				case !mayRole:
					if holdspace.ErrorCode(err) != holdspace.EFORBIDDEN || holdspace.ErrorReason(err) != "not_allowed" {
						t.Errorf("%s %s by %q: got %v, want forbidden/not_allowed", st, et, r, err)
					}
				case !fits:
					if holdspace.ErrorCode(err) != holdspace.ECONFLICT || holdspace.ErrorReason(err) != "invalid_transition" {
						t.Errorf("%s %s by %q: got %v, want conflict/invalid_transition", st, et, r, err)
					}
				default:
					want := row.to
					if want == "" || slices.Contains(strings.Fields(row.stays), string(st)) {
						want = st
					}
					if err != nil || got != want {
						t.Errorf("%s %s by %q: got %s, %v; want %s", st, et, r, got, err, want)
					}
				}
				if err != nil && got != st {
					t.Errorf("%s %s by %q: refused event changed state to %s", st, et, r, got)
				}
			}
		}
	}
	if n != len(table)*6*5 {
		t.Fatalf("checked %d combinations", n)
	}
}

func TestApplyUnknownType(t *testing.T) {
	_, err := Apply(Open, Event{Type: "dance", ActorRole: holdspace.RoleClient})
	if holdspace.ErrorReason(err) != "unknown_event_type" || holdspace.ErrorField(err) != "type" {
		t.Fatalf("got %v", err)
	}
}

func TestValidatePayload(t *testing.T) {
	tests := []struct {
		name   string
		state  State
		mutate func(*Event)
		field  string
		reason string
	}{
		{"ReconfirmNoAgreement", Open, func(e *Event) { e.AgreementID = "" }, "agreement_id", "required"},
		{"ReconfirmVersion0", Open, func(e *Event) { e.AgreementVersion = 0 }, "agreement_version", "invalid_version"},
		{"ChaperoneMissing", Open, func(e *Event) { e.Chaperone = nil }, "chaperone", "required"},
		{"ChaperoneAcceptedNotOffered", Open, func(e *Event) { e.Chaperone = &Chaperone{Accepted: true, Name: "x"} }, "chaperone.accepted", "not_offered"},
		{"ChaperoneAcceptedNoName", Open, func(e *Event) { e.Chaperone = &Chaperone{Offered: true, Accepted: true} }, "chaperone.name", "required"},
		{"CheckinUnknownRegion", InProgress, func(e *Event) { e.Region = "elbow" }, "region", "unknown_region"},
		{"CheckinAnswerAsk", InProgress, func(e *Event) { e.Answer = "ask" }, "answer", "invalid_answer"},
		{"CheckinNoAnswer", InProgress, func(e *Event) { e.Answer = "" }, "answer", "invalid_answer"},
		{"ReleaseTooHigh", InProgress, func(e *Event) { e.Intensity = 11 }, "intensity", "out_of_range"},
		{"ReleaseNegative", Stopped, func(e *Event) { e.Intensity = -1 }, "intensity", "out_of_range"},
		{"AdverseKind", InProgress, func(e *Event) { e.Kind = "headache" }, "kind", "invalid_kind"},
		{"CloseMissing", InProgress, func(e *Event) { e.Close = nil }, "close", "required"},
		{"ClosePainAfter", InProgress, func(e *Event) { e.Close.PainAfter = 12 }, "close.pain_after", "out_of_range"},
		{"CloseTensionBefore", Stopped, func(e *Event) { e.Close.TensionBefore = -3 }, "close.tension_before", "out_of_range"},
		{"CloseEmptyReferral", InProgress, func(e *Event) { e.Close.Referrals = []string{"GP", ""} }, "close.referrals[1]", "required"},
		{"DayCheckMissing", Open, func(e *Event) { e.Today = nil }, "today", "required"},
	}
	types := map[string]EventType{"Reconfirm": EventReconfirm, "Chaperone": EventChaperone, "Checkin": EventCheckin,
		"Release": EventEmotionalRelease, "Adverse": EventAdverse, "Close": EventClose, "DayCheck": EventDayCheck}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var et EventType
			for prefix, ty := range types {
				if strings.HasPrefix(tt.name, prefix) {
					et = ty
				}
			}
			e := validEvent(et, holdspace.RolePractitioner)
			if et == EventReconfirm {
				e.ActorRole = holdspace.RoleClient
			}
			if _, err := Apply(tt.state, e); err != nil {
				t.Fatalf("valid event refused: %v", err)
			}
			tt.mutate(&e)
			got, err := Apply(tt.state, e)
			var he *holdspace.Error
			if !errors.As(err, &he) || he.Code != holdspace.EINVALID || he.Field != tt.field || he.Reason != tt.reason {
				t.Fatalf("got %v, want invalid %s/%s", err, tt.reason, tt.field)
			}
			if got != tt.state {
				t.Fatalf("state changed to %s", got)
			}
		})
	}
	t.Run("OKDeclinedChaperoneWithoutName", func(t *testing.T) {
		e := validEvent(EventChaperone, holdspace.RolePractitioner)
		e.Chaperone = &Chaperone{Offered: true}
		if _, err := Apply(Open, e); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("OKAllAdverseKinds", func(t *testing.T) {
		for _, k := range AdverseKinds() {
			e := validEvent(EventAdverse, holdspace.RoleClient)
			e.Kind = k
			if _, err := Apply(Stopped, e); err != nil {
				t.Fatalf("%s: %v", k, err)
			}
		}
	})
}

func TestCatalogueFits(t *testing.T) {
	if catalogue.NumRegions > MaxRegions {
		t.Fatalf("catalogue has %d regions; MaxRegions is %d", catalogue.NumRegions, MaxRegions)
	}
}

func FuzzApplyEvent(f *testing.F) {
	f.Add("open", "checkin", "client", "glutes", "yes", 3, "nausea", "a1", 1, true, true, "")
	f.Add("in-progress", "close", "practitioner", "", "", 11, "", "", 0, false, true, "x")
	f.Add("stopped", "resume", "practitioner", "vagina", "no", -1, "pain", "", -5, true, false, "")
	f.Add("", "", "", "", "", 0, "", "", 0, false, false, "")
	f.Fuzz(func(t *testing.T, state, typ, role, region, answer string, n int, kind, agr string, ver int, offered, accepted bool, name string) {
		e := Event{Type: EventType(typ), ActorRole: holdspace.Role(role), Region: region, Answer: answer, Intensity: n,
			Kind: kind, AgreementID: agr, AgreementVersion: ver, Chaperone: &Chaperone{offered, accepted, name}, At: t0}
		if typ == "close" {
			e.Close = &CloseNotes{PainBefore: n, PainAfter: ver}
		}
		got, err := Apply(State(state), e)
		if err != nil {
			if got != State(state) {
				t.Fatalf("refused event changed state")
			}
			switch holdspace.ErrorCode(err) {
			case holdspace.EINVALID, holdspace.EFORBIDDEN, holdspace.ECONFLICT:
			default:
				t.Fatalf("unexpected error class %v", err)
			}
		} else if !Fits(e.Type, State(state)) || !MaySend(e.Type, e.ActorRole) {
			t.Fatalf("accepted %s in %s by %s", typ, state, role)
		}
		fa := NewFacts(catalogue.Therapeutic)
		fa.State = State(state)
		before := fa
		if err := fa.Apply(e); err != nil && fa != before {
			t.Fatalf("refused event changed facts")
		}
	})
}
