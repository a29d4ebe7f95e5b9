package practice

// Follow-up triggers: why a session needs a follow-up (shared/design.md
// "close ─▶ follow-up").
const (
	FollowUpEmotionalRelease = "emotional-release"
	FollowUpAdverse          = "adverse"
	FollowUpStop             = "stop"
	FollowUpCheckinDeclined  = "checkin-declined"
)

// FollowUpTriggers returns why a session whose events are events needs a
// follow-up, each trigger once, in the order FollowUpEmotionalRelease,
// FollowUpAdverse, FollowUpStop, FollowUpCheckinDeclined; nil when it needs
// none. A check-in counts when it was answered "no". A session whose day
// check said the client was not clear-headed or unwell ended for capacity
// or illness (DayCheckRecord.Block): it needs no follow-up, whatever else
// happened. It is a pure function of the events so that every rule about
// follow-ups lives here.
func FollowUpTriggers(events []Event) []string {
	var release, adverse, stop, declined bool
	for _, e := range events {
		switch e.Type {
		case EventEmotionalRelease:
			release = true
		case EventAdverse:
			adverse = true
		case EventStop:
			stop = true
		case EventCheckin:
			if e.Answer == "no" {
				declined = true
			}
		case EventDayCheck:
			if e.Today != nil && (!e.Today.ClearHeaded || e.Today.Unwell) {
				return nil
			}
		}
	}
	var out []string
	for _, t := range []struct {
		on   bool
		code string
	}{{release, FollowUpEmotionalRelease}, {adverse, FollowUpAdverse}, {stop, FollowUpStop}, {declined, FollowUpCheckinDeclined}} {
		if t.on {
			out = append(out, t.code)
		}
	}
	return out
}
