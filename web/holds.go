package web

import (
	"holdspace/app"
	"holdspace/practice"
)

// holdsData adds to the client's home what issue 9 shows there: whether a
// session of theirs is open or live (then the STOP button stops them all)
// and the agreement versions made or signed for them that they have not
// seen yet.
func (h *handler) holdsData(q *request, sessions []app.SessionView, data map[string]any) error {
	live := false
	for _, s := range sessions {
		if practice.State(s.State).IsRunning() {
			live = true
		}
	}
	notices, err := h.agreements.ConsentHistory(q.r.Context(), q.ac, q.ac.UserID, true)
	if err != nil {
		return err
	}
	data["AnyLive"], data["Notices"] = live, notices
	return nil
}

// stopAll is the home page's STOP: every live session of the client stops.
func (h *handler) stopAll(q *request) error {
	if _, err := h.sessions.StopAll(q.r.Context(), q.ac, q.ac.UserID); err != nil {
		return err
	}
	return redirect(q, "/me?done=stopped")
}

// consentSeen records that the client saw the versions shown to them.
func (h *handler) consentSeen(q *request) error {
	if _, err := h.agreements.AcknowledgeConsentNotices(q.r.Context(), q.ac, q.ac.UserID); err != nil {
		return err
	}
	back := "/me"
	if q.r.PostFormValue("back") == "/agreements" {
		back = "/agreements"
	}
	return redirect(q, back+"?done=seen")
}

// consentHistory is every version of the client's agreements with who made
// and signed it, for the consent page.
func (h *handler) consentHistory(q *request) ([]app.ConsentNotice, error) {
	return h.agreements.ConsentHistory(q.r.Context(), q.ac, q.ac.UserID, false)
}

// confirmScreening is the client confirming health answers their
// practitioner entered for them.
func (h *handler) confirmScreening(q *request) error {
	if _, err := h.screenings.ConfirmScreening(q.r.Context(), q.ac, q.r.PathValue("id"), app.ConfirmScreeningInput{}); err != nil {
		return err
	}
	return redirect(q, "/screening?done=confirmed")
}
