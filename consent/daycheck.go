package consent

// Reasons of the day's check (design rule 11).
var (
	reasonDayCheckRequired = Reason{CodeDayCheckRequired, "The client has not answered today's check (clear-headed, unwell, changes) in this session; it comes before work on this region."}
	reasonCapacity         = Reason{CodeCapacity, "The client said they are not clear-headed today, so they cannot consent in this session; nothing is permitted until another day."}
	reasonUnwell           = Reason{CodeContraindicated, "The client said they have a fever, an infection or feel unwell today: do not proceed in this session."}
	reasonChangedToday     = Reason{CodeScreeningStale, "The client said their health has changed since their health answers; they answer the health questions again before intimate or internal work."}
)
