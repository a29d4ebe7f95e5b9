package httpapi

import (
	"net/http"

	"holdspace/app"
)

// createdAccount answers the creation of an account: 201 with its id and,
// when no password was set, a single-use invitation (shown only here) with
// which the holder chooses their own.
func (h enrolAPI) createdAccount(w http.ResponseWriter, r *http.Request, ac app.Actor, id string, invite bool) error {
	out := map[string]any{"id": id}
	if invite {
		inv, err := h.accounts.Invite(r.Context(), ac, id)
		if err != nil {
			return err
		}
		out["invitation"] = invitationOut(r, inv)
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// invitationOut adds the absolute URL of the invitation page.
func invitationOut(r *http.Request, inv app.Invitation) map[string]any {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return map[string]any{"token": inv.Token, "path": inv.Path, "url": scheme + "://" + r.Host + inv.Path, "expires_at": inv.ExpiresAt}
}

func (h accountsAPI) inviteUser(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	inv, err := h.accounts.Invite(r.Context(), ac, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, invitationOut(r, inv))
	return nil
}

func (h accountsAPI) disableUser(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	if err := h.accounts.SetDisabled(r.Context(), ac, r.PathValue("id"), true); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h accountsAPI) enableUser(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	if err := h.accounts.SetDisabled(r.Context(), ac, r.PathValue("id"), false); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h accountsAPI) resetSecondFactor(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	if err := h.accounts.DisableSecondFactor(r.Context(), ac, r.PathValue("id"), ""); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h peopleAPI) revokeCredential(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := h.people.RevokeCredential(r.Context(), ac, r.PathValue("id"), r.PathValue("cid"), in.Reason); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h accountsAPI) changePassword(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	var in struct {
		CurrentPassword string `json:"current_password"`
		Password        string `json:"password"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := h.accounts.ChangePassword(r.Context(), ac, in.CurrentPassword, in.Password, bearer(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h accountsAPI) mySessions(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	ss, err := h.accounts.MySessions(r.Context(), ac, bearer(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"sessions": ss})
	return nil
}

func (h accountsAPI) signOutElsewhere(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	if err := h.accounts.SignOutElsewhere(r.Context(), ac, bearer(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h accountsAPI) beginSecondFactor(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	st, err := h.accounts.BeginSecondFactor(r.Context(), ac)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, st)
	return nil
}

func (h accountsAPI) confirmSecondFactor(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	var in struct {
		OTP string `json:"otp"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	codes, err := h.accounts.ConfirmSecondFactor(r.Context(), ac, in.OTP)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"recovery_codes": codes})
	return nil
}

func (h accountsAPI) disableSecondFactor(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	var in struct {
		CurrentPassword string `json:"current_password"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := h.accounts.DisableSecondFactor(r.Context(), ac, ac.UserID, in.CurrentPassword); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
