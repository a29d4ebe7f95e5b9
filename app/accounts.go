package app

import (
	"context"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"holdspace"
	"holdspace/authn"
	"holdspace/store"
)

// Accounts signs people in and out and keeps their credentials: tokens,
// invitations, passwords, second factors, disabled and demo accounts.
type Accounts struct {
	*core
	limiter *authn.Throttle
}

// accountsTx is the part of the store the Accounts use cases touch.
type accountsTx interface {
	store.AuditLog
	store.Clients
	store.Tokens
	store.Users
	txBase
}

// update runs fn in a write transaction that offers only accountsTx.
func (a *Accounts) update(ctx context.Context, fn func(accountsTx) error) error {
	return a.core.update(ctx, func(tx store.Tx) error { return fn(tx) })
}

// view runs fn in a read transaction that offers only accountsTx.
func (a *Accounts) view(ctx context.Context, fn func(accountsTx) error) error {
	return a.core.view(ctx, func(tx store.Tx) error { return fn(tx) })
}

func itoa(i int) string { return strconv.Itoa(i) }

// describeDevice is the short description of where a session was issued,
// shown on the holder's sessions page: its kind, a browser family and the
// address.
func describeDevice(kind, userAgent, addr string) string {
	family := ""
	ua := strings.ToLower(userAgent)
	for _, b := range []struct{ needle, name string }{
		{"edg/", "Edge"}, {"firefox/", "Firefox"}, {"chrome/", "Chrome"}, {"safari/", "Safari"}, {"curl/", "curl"},
	} {
		if strings.Contains(ua, b.needle) {
			family = b.name
			break
		}
	}
	parts := []string{kind}
	if family != "" {
		parts = append(parts, family)
	}
	if addr != "" {
		parts = append(parts, addr)
	}
	return strings.Join(parts, " · ")
}

// Invitation is a single-use link with which someone sets their own
// password. Token is shown once; only its hash is stored.
type Invitation struct {
	UserID    string    `json:"user_id"`
	Token     string    `json:"token"`
	Path      string    `json:"path"`
	ExpiresAt time.Time `json:"expires_at"`
}

// invitePath is where an invitation is accepted on the web.
func invitePath(token string) string { return "/invite/" + token }

// Invite issues a new invitation for an account that has no password of
// its own yet (a new client, a new practitioner) or whose holder lost it:
// admins may invite anyone; a practitioner may invite their assigned
// clients. Earlier invitations of the account stop working. The link is
// shown once, to be handed over in person (holdspace does not send email
// yet).
func (a *Accounts) Invite(ctx context.Context, ac Actor, userID string) (Invitation, error) {
	tok, hash, err := authn.NewToken()
	if err != nil {
		return Invitation{}, err
	}
	inv := Invitation{UserID: userID, Token: tok, Path: invitePath(tok)}
	err = a.update(ctx, func(tx accountsTx) error {
		u, err := tx.User(ctx, userID)
		if err != nil {
			return holdspace.NotFound("account")
		}
		switch {
		case ac.is(holdspace.RoleAdmin):
		case ac.is(holdspace.RolePractitioner) && u.Role == holdspace.RoleClient:
			if _, err := visibleClient(ctx, tx, ac, userID); err != nil {
				return err
			}
		case ac.is(holdspace.RolePractitioner):
			return holdspace.NotFound("account")
		default:
			if ac.UserID == userID {
				return forbidden("Change your password on your account page.")
			}
			return holdspace.NotFound("account")
		}
		if !u.DisabledAt.IsZero() {
			return holdspace.Conflict("account_disabled", "This account is disabled; enable it first.")
		}
		if err := tx.RevokeUserTokensExcept(ctx, userID, nil, []string{"invite"}, tx.Now()); err != nil {
			return err
		}
		inv.ExpiresAt = tx.Now().Add(a.cfg.InviteTTL)
		t := &store.Token{Hash: hash, UserID: userID, Kind: "invite", CreatedAt: tx.Now(), ExpiresAt: inv.ExpiresAt, LastSeenAt: tx.Now(), Device: "invitation by " + ac.UserID}
		if err := tx.CreateToken(ctx, t); err != nil {
			return err
		}
		client := ""
		if u.Role == holdspace.RoleClient {
			client = userID
		}
		return record(ctx, tx, ac, "auth.invite", userID, client, "")
	})
	if err != nil {
		return Invitation{}, err
	}
	return inv, nil
}

var errBadInvite = &holdspace.Error{Code: holdspace.ENOTFOUND, Reason: "invitation_unusable",
	Message: "This invitation link has been used, has expired or was replaced by a newer one. Please ask the practice for a new one."}

// CheckInvitation reports whether an invitation token can still be used.
func (a *Accounts) CheckInvitation(ctx context.Context, token string) error {
	if !authn.WellFormedToken(token) {
		return errBadInvite
	}
	now := a.now()
	return a.view(ctx, func(tx accountsTx) error {
		t, err := tx.Token(ctx, authn.HashToken(token))
		if err != nil || t.Kind != "invite" || !t.RevokedAt.IsZero() || !now.Before(t.ExpiresAt) {
			return errBadInvite
		}
		return nil
	})
}

// AcceptInvitation sets the invitee's own password through a single-use
// invitation and signs them in on the web. The invitation is used up; the
// account's other tokens and web sessions are revoked.
func (a *Accounts) AcceptInvitation(ctx context.Context, token, password, addr, userAgent string) (Session, error) {
	if err := a.CheckInvitation(ctx, token); err != nil {
		return Session{}, err
	}
	if err := authn.ValidatePassword(password); err != nil {
		return Session{}, err
	}
	h, err := a.hashPassword(ctx, password)
	if err != nil {
		return Session{}, err
	}
	hash := authn.HashToken(token)
	var u *store.User
	err = a.update(ctx, func(tx accountsTx) error {
		t, err := tx.Token(ctx, hash)
		if err != nil || t.Kind != "invite" || !t.RevokedAt.IsZero() || !tx.Now().Before(t.ExpiresAt) {
			return errBadInvite
		}
		if u, err = tx.User(ctx, t.UserID); err != nil || !u.DisabledAt.IsZero() || len(u.EmailIndex) == 0 {
			return errBadInvite
		}
		if err := tx.SetPassword(ctx, u.ID, h); err != nil {
			return err
		}
		u.MustChangePassword = false
		if err := tx.SetAccountState(ctx, u); err != nil {
			return err
		}
		if err := tx.RevokeUserTokens(ctx, u.ID, tx.Now()); err != nil {
			return err
		}
		client := ""
		if u.Role == holdspace.RoleClient {
			client = u.ID
		}
		return record(ctx, tx, Actor{UserID: u.ID, Role: u.Role, Device: "web"}, "auth.invitation_accepted", u.ID, client, "")
	})
	if err != nil {
		return Session{}, err
	}
	a.log.InfoContext(ctx, "invitation accepted", "user_id", u.ID, "address", addr)
	s, err := a.issue(ctx, u, "web", describeDevice("web", userAgent, addr), nil)
	if err != nil {
		return Session{}, err
	}
	s.DeviceCookie = a.deviceCookieFor(ctx, u)
	s.NeedsSecondFactor = a.needsSecondFactor(u)
	return s, nil
}

// deviceCookieFor issues a device cookie for the account's email.
func (a *Accounts) deviceCookieFor(ctx context.Context, u *store.User) string {
	email, err := a.open(u.ID, "email", u.EmailSealed)
	if err != nil || email == "" {
		return ""
	}
	return authn.NewDeviceCookie(authn.AccountKey(email), a.deviceMAC)
}

func (a *Accounts) needsSecondFactor(u *store.User) bool {
	return a.cfg.RequireSecondFactor && len(u.TOTPSealed) == 0 && (u.Role == holdspace.RoleAdmin || u.Role == holdspace.RolePractitioner)
}

// ChangePassword replaces the caller's own password after checking the
// current one. Every other token and web session of the account is
// revoked; keepToken (the caller's own) stays.
func (a *Accounts) ChangePassword(ctx context.Context, ac Actor, current, next, keepToken string) error {
	if err := authn.ValidatePassword(next); err != nil {
		return err
	}
	if current == next {
		return holdspace.Invalid("password_unchanged", "password", "Choose a password different from the current one.")
	}
	var u *store.User
	if err := a.view(ctx, func(tx accountsTx) error {
		var err error
		u, err = tx.User(ctx, ac.UserID)
		return err
	}); err != nil {
		return err
	}
	ok := false
	var checkErr error
	if err := a.withPasswordSlot(ctx, func() {
		if u.PasswordHash != "" && len(current) <= authn.MaxPasswordLen {
			ok, checkErr = authn.CheckPassword(u.PasswordHash, current)
		}
	}); err != nil {
		return err
	}
	if checkErr != nil {
		return checkErr
	}
	if !ok {
		return holdspace.Invalid("wrong_password", "current_password", "The current password is not right.")
	}
	h, err := a.hashPassword(ctx, next)
	if err != nil {
		return err
	}
	return a.update(ctx, func(tx accountsTx) error {
		if err := tx.SetPassword(ctx, u.ID, h); err != nil {
			return err
		}
		fresh, err := tx.User(ctx, u.ID)
		if err != nil {
			return err
		}
		fresh.MustChangePassword = false
		if err := tx.SetAccountState(ctx, fresh); err != nil {
			return err
		}
		var keep []byte
		if keepToken != "" {
			keep = authn.HashToken(keepToken)
		}
		if err := tx.RevokeUserTokensExcept(ctx, u.ID, keep, []string{"api", "web", "invite"}, tx.Now()); err != nil {
			return err
		}
		return record(ctx, tx, ac, "auth.password_changed", u.ID, "", "")
	})
}

// SecondFactorSetup is a TOTP secret being enrolled: the otpauth:// URL
// for an authenticator app (shown as a QR code) and the secret to type in.
type SecondFactorSetup struct {
	Secret string `json:"secret"`
	URL    string `json:"otpauth_url"`
}

// BeginSecondFactor starts TOTP enrolment for the caller: a new secret is
// kept (sealed) until ConfirmSecondFactor proves the app holds it.
func (a *Accounts) BeginSecondFactor(ctx context.Context, ac Actor) (SecondFactorSetup, error) {
	var out SecondFactorSetup
	err := a.update(ctx, func(tx accountsTx) error {
		u, err := tx.User(ctx, ac.UserID)
		if err != nil {
			return err
		}
		if len(u.TOTPSealed) > 0 {
			return holdspace.Conflict("second_factor_set", "A second factor is set up already; turn it off first to replace it.")
		}
		email, err := a.open(u.ID, "email", u.EmailSealed)
		if err != nil {
			return err
		}
		secret, url, err := authn.NewTOTP(a.cfg.PracticeName, email)
		if err != nil {
			return err
		}
		if u.TOTPPendingSealed, err = a.seal(u.ID, "totp_pending", secret); err != nil {
			return err
		}
		out = SecondFactorSetup{Secret: secret, URL: url}
		return tx.SetAccountState(ctx, u)
	})
	return out, err
}

// ConfirmSecondFactor checks a code from the app being enrolled, turns the
// second factor on and returns the recovery codes (shown once).
func (a *Accounts) ConfirmSecondFactor(ctx context.Context, ac Actor, code string) ([]string, error) {
	var codes []string
	now := a.now()
	err := a.update(ctx, func(tx accountsTx) error {
		u, err := tx.User(ctx, ac.UserID)
		if err != nil {
			return err
		}
		if len(u.TOTPPendingSealed) == 0 {
			return holdspace.Conflict("no_enrolment", "Start setting up the second factor first.")
		}
		secret, err := a.open(u.ID, "totp_pending", u.TOTPPendingSealed)
		if err != nil {
			return err
		}
		step, ok := authn.MatchTOTP(secret, code, now, 0)
		if !ok {
			return holdspace.Invalid("invalid_otp", "otp", "The code is not right. Check the app's clock and try the newest code.")
		}
		u.TOTPLastStep = step
		if u.TOTPSealed, err = a.seal(u.ID, "totp", secret); err != nil {
			return err
		}
		u.TOTPPendingSealed = nil
		var hashes []string
		codes, hashes = authn.NewRecoveryCodes(authn.RecoveryCodeCount)
		u.RecoveryHashes = hashes
		if err := tx.SetAccountState(ctx, u); err != nil {
			return err
		}
		return record(ctx, tx, ac, "auth.second_factor_on", u.ID, "", "")
	})
	return codes, err
}

// DisableSecondFactor turns the caller's second factor off after checking
// their password; refused while the practice requires one for their role.
// An admin may turn off another account's second factor (a lost phone)
// without a password.
func (a *Accounts) DisableSecondFactor(ctx context.Context, ac Actor, userID, password string) error {
	self := userID == ac.UserID
	if !self && !ac.is(holdspace.RoleAdmin) {
		return holdspace.NotFound("account")
	}
	var u *store.User
	if err := a.view(ctx, func(tx accountsTx) error {
		var err error
		u, err = tx.User(ctx, userID)
		return err
	}); err != nil {
		return holdspace.NotFound("account")
	}
	if self {
		if a.cfg.RequireSecondFactor && (u.Role == holdspace.RoleAdmin || u.Role == holdspace.RolePractitioner) {
			return forbidden("The practice requires a second factor for your role.")
		}
		ok := false
		if err := a.withPasswordSlot(ctx, func() {
			if u.PasswordHash != "" && len(password) <= authn.MaxPasswordLen {
				ok, _ = authn.CheckPassword(u.PasswordHash, password)
			}
		}); err != nil {
			return err
		}
		if !ok {
			return holdspace.Invalid("wrong_password", "current_password", "The current password is not right.")
		}
	}
	return a.update(ctx, func(tx accountsTx) error {
		fresh, err := tx.User(ctx, userID)
		if err != nil {
			return err
		}
		fresh.TOTPSealed, fresh.TOTPPendingSealed, fresh.RecoveryHashes, fresh.TOTPLastStep = nil, nil, nil, 0
		if err := tx.SetAccountState(ctx, fresh); err != nil {
			return err
		}
		return record(ctx, tx, ac, "auth.second_factor_off", userID, "", "")
	})
}

// SetDisabled disables or re-enables an account (admins only, never their
// own). Disabling revokes every token, web session and invitation of the
// account at once and makes every decision in its sessions as
// practitioner deny with not_qualified.
func (a *Accounts) SetDisabled(ctx context.Context, ac Actor, userID string, disabled bool) error {
	if !ac.is(holdspace.RoleAdmin) {
		return forbidden("Only an admin can disable or enable accounts.")
	}
	if userID == ac.UserID {
		return holdspace.Conflict("own_account", "You cannot disable your own account.")
	}
	return a.update(ctx, func(tx accountsTx) error {
		u, err := tx.User(ctx, userID)
		if err != nil {
			return holdspace.NotFound("account")
		}
		action := "user.enable"
		if disabled {
			action = "user.disable"
			if u.DisabledAt.IsZero() {
				u.DisabledAt = tx.Now()
			}
			if err := tx.RevokeUserTokens(ctx, userID, tx.Now()); err != nil {
				return err
			}
		} else {
			u.DisabledAt = time.Time{}
		}
		if err := tx.SetAccountState(ctx, u); err != nil {
			return err
		}
		if _, err := tx.BumpVersion(ctx, userID); err != nil {
			return err
		}
		tx.Notify("user:" + userID)
		client := ""
		if u.Role == holdspace.RoleClient {
			client = userID
		}
		return record(ctx, tx, ac, action, userID, client, "")
	})
}

// SessionInfo is one of the caller's live sign-ins, for their sessions
// page. ID is a short, non-secret handle (a prefix of the token's hash).
type SessionInfo struct {
	ID         string    `json:"id"`
	Kind       string    `json:"kind"`
	Device     string    `json:"device"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	Current    bool      `json:"current"`
}

// MySessions lists the caller's live API tokens and web sessions, newest
// first, marking the one presented as current.
func (a *Accounts) MySessions(ctx context.Context, ac Actor, current string) ([]SessionInfo, error) {
	cur := authn.HashToken(current)
	now := a.now()
	out := []SessionInfo{}
	err := a.view(ctx, func(tx accountsTx) error {
		ts, err := tx.ListUserTokens(ctx, ac.UserID, []string{"api", "web"}, now)
		if err != nil {
			return err
		}
		for _, t := range ts {
			if t.Kind == "web" && now.Sub(t.LastSeenAt) >= a.cfg.WebIdle {
				continue
			}
			out = append(out, SessionInfo{ID: hex.EncodeToString(t.Hash[:6]), Kind: t.Kind, Device: t.Device, CreatedAt: t.CreatedAt,
				LastSeenAt: t.LastSeenAt, ExpiresAt: t.ExpiresAt, Current: string(t.Hash) == string(cur)})
		}
		return nil
	})
	return out, err
}

// SignOutElsewhere revokes every API token and web session of the caller
// but the one presented.
func (a *Accounts) SignOutElsewhere(ctx context.Context, ac Actor, current string) error {
	return a.update(ctx, func(tx accountsTx) error {
		if err := tx.RevokeUserTokensExcept(ctx, ac.UserID, authn.HashToken(current), []string{"api", "web"}, tx.Now()); err != nil {
			return err
		}
		return record(ctx, tx, ac, "auth.signed_out_elsewhere", ac.UserID, "", "")
	})
}

// PruneTokens deletes tokens, web sessions and invitations that expired or
// were revoked more than keep ago, and returns how many.
func (a *Accounts) PruneTokens(ctx context.Context, keep time.Duration) (int64, error) {
	var n int64
	err := a.update(ctx, func(tx accountsTx) error {
		var err error
		n, err = tx.PruneTokens(ctx, tx.Now().Add(-keep))
		return err
	})
	a.limiter.Prune(a.now())
	return n, err
}

// DemoStatus reports how many accounts exist and how many of them were
// made by `holdspace demo`.
func (a *Accounts) DemoStatus(ctx context.Context) (all, demo int64, err error) {
	err = a.view(ctx, func(tx accountsTx) error {
		all, demo, err = tx.CountUsers(ctx)
		return err
	})
	return all, demo, err
}

// SecondFactorRequired reports whether the practice requires a second
// factor of accounts with the role (admins and practitioners, when
// RequireSecondFactor is on).
func (a *Accounts) SecondFactorRequired(r holdspace.Role) bool {
	return a.cfg.RequireSecondFactor && (r == holdspace.RoleAdmin || r == holdspace.RolePractitioner)
}

// AdoptDemoAccounts marks as demo accounts those with the given emails,
// but only when they are every account there is: a demo directory made
// before demo accounts were marked. It returns how many it marked (0 when
// any other account exists).
func (a *Accounts) AdoptDemoAccounts(ctx context.Context, emails []string) (int, error) {
	n := 0
	err := a.update(ctx, func(tx accountsTx) error {
		all, _, err := tx.CountUsers(ctx)
		if err != nil {
			return err
		}
		var found []*store.User
		for _, e := range emails {
			u, err := tx.UserByEmail(ctx, a.keys.Index("email", strings.ToLower(strings.TrimSpace(e))))
			if err == nil {
				found = append(found, u)
			}
		}
		if int64(len(found)) != all {
			return nil
		}
		for _, u := range found {
			if u.Demo {
				continue
			}
			u.Demo = true
			if err := tx.SetAccountState(ctx, u); err != nil {
				return err
			}
			n++
		}
		if n > 0 {
			return record(ctx, tx, System, "demo.adopt", "", "", "accounts="+itoa(n))
		}
		return nil
	})
	return n, err
}
