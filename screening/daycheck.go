package screening

// DayCheckV1 is the name of the day's check questionnaire (shared/domain.md
// "The day's check"): three yes/no questions asked at every session, after
// re-confirming and before sensitive, intimate or internal work. It is not
// an intake questionnaire: Lookup does not return it, and no screening can
// be taken with it.
const DayCheckV1 = "day-check-v1"

// The linkIds of day-check-v1. Stable.
const (
	DayCheckClearHeaded = "clear-headed"
	DayCheckUnwell      = "unwell"
	DayCheckChanges     = "changes"
)

var dayCheckV1 = func() *Questionnaire {
	q := &Questionnaire{
		Name:    DayCheckV1,
		Version: "1",
		Title:   "Today's check before bodywork",
		URL:     "urn:holdspace:questionnaire:day-check-v1",
		Date:    "2026-12-01",
		Items: []Item{
			{LinkID: DayCheckClearHeaded, Type: TypeBoolean, Topic: TopicToday, Required: true, Sensitive: true,
				Text: "I am clear-headed today: not under the influence of alcohol or drugs that affect my judgement.",
				Help: "Consent counts only when you can weigh it freely. If today is not that day, that is fine: intimate work simply waits for another day. Medicines taken as prescribed are fine unless they make you drowsy or muddled."},
			{LinkID: DayCheckUnwell, Type: TypeBoolean, Topic: TopicToday, Required: true, Sensitive: true,
				Text: "I have a fever, an infection or feel unwell today.",
				Help: "Bodywork can wait while your body is fighting something. Telling us looks after you, and nobody minds."},
			{LinkID: DayCheckChanges, Type: TypeBoolean, Topic: TopicToday, Required: true, Sensitive: true,
				Text: "Something about my health has changed since my health answers.",
				Help: "For example a new condition, medicine, procedure or pregnancy. If so, you will be asked the health questions again before intimate or internal work."},
		},
	}
	if err := q.build(); err != nil {
		// The data is compiled in; TestDayCheckQuestionnaire fails on it.
		return nil
	}
	return q
}()

// DayCheck returns the questionnaire day-check-v1. The result is shared: do
// not modify it.
func DayCheck() (*Questionnaire, bool) { return dayCheckV1, dayCheckV1 != nil }

// DayCheckAnswers returns the answers of a day check in the shape of
// day-check-v1.
func DayCheckAnswers(clearHeaded, unwell, changes bool) Answers {
	return Answers{DayCheckClearHeaded: clearHeaded, DayCheckUnwell: unwell, DayCheckChanges: changes}
}
