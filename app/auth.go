package app

import (
	"context"
	"strings"
	"time"

	"holdspace"
	"holdspace/authn"
	"holdspace/store"
)

// Session is an issued bearer token or web session.
type Session struct {
	Token     string         `json:"token"`
	ExpiresAt time.Time      `json:"expires_at"`
	Role      holdspace.Role `json:"role"`
	UserID    string         `json:"user_id"`
	// DeviceCookie is this browser's or client's device cookie: sent back
	// with later sign-ins (the web sets it as a cookie, API clients pass
	// it as "device"), it keeps a lockout of the account from holding this
	// device.
	DeviceCookie string `json:"device,omitempty"`
	// FailedAttempts counts recent failed sign-ins to this account from
	// browsers it does not know; LockedOut says they hold such browsers
	// now. Both are shown to the holder after they sign in.
	FailedAttempts int  `json:"failed_attempts"`
	LockedOut      bool `json:"locked_out"`
	// MustChangePassword: someone else set this account's password; the
	// web asks the holder to choose their own before anything else.
	MustChangePassword bool `json:"must_change_password,omitempty"`
	// NeedsSecondFactor: the practice requires a second factor for this
	// role and none is set up; the web asks for it before anything else.
	NeedsSecondFactor bool `json:"needs_second_factor,omitempty"`
}

// RateLimitedError says how long a caller must wait before trying again.
type RateLimitedError struct{ RetryAfter time.Duration }

func (e *RateLimitedError) Error() string { return "too many attempts" }

// Unwrap lets holdspace.ErrorCode see ERATELIMITED.
func (e *RateLimitedError) Unwrap() error {
	return holdspace.Errorf(holdspace.ERATELIMITED, "Too many attempts. Please wait a little and try again.")
}

var (
	errBadLogin       = &holdspace.Error{Code: holdspace.EUNAUTHORIZED, Reason: "invalid_credentials", Message: "The email or password is not right."}
	errOTPRequired    = &holdspace.Error{Code: holdspace.EUNAUTHORIZED, Reason: "otp_required", Message: "This account signs in with a second factor: send the code from the authenticator app (or a recovery code) as otp."}
	errBadOTP         = &holdspace.Error{Code: holdspace.EUNAUTHORIZED, Reason: "invalid_otp", Message: "The code from the authenticator app is not right."}
	errDisabled       = &holdspace.Error{Code: holdspace.EUNAUTHORIZED, Reason: "account_disabled", Message: "This account is disabled. Please contact the practice."}
	errFactorRequired = &holdspace.Error{Code: holdspace.EUNAUTHORIZED, Reason: "second_factor_required", Message: "The practice requires a second factor for this account: sign in on the web once to set it up."}
)

// SignInInput is the input of SignIn.
type SignInInput struct {
	Email    string
	Password string
	// OTP is the authenticator code (or a recovery code) of an account
	// with a second factor.
	OTP string
	// Address is the caller's address (see httpedge.ClientAddr).
	Address string
	// Kind is "api" (bearer token) or "web" (web session).
	Kind string
	// DeviceCookie is the device cookie the caller presented, if any.
	DeviceCookie string
	// UserAgent describes the client, for the holder's sessions page.
	UserAgent string
}

// Login is SignIn with an email, a password, an address and a kind.
func (a *Accounts) Login(ctx context.Context, email, password, addr, kind string) (Session, error) {
	return a.SignIn(ctx, SignInInput{Email: email, Password: password, Address: addr, Kind: kind})
}

// deviceMAC is the keyed hash that signs device cookies: the same on every
// node sharing the master key.
func (a *core) deviceMAC(b []byte) []byte { return a.keys.Index("device-cookie", string(b)) }

// SignIn checks an email, a password and, for an account with a second
// factor, its code, and issues a token of kind "api" or a web session
// ("web"). Attempts are throttled (authn.Throttle): a caller presenting
// the account's device cookie is counted only against that cookie, so an
// attacker's failures elsewhere never hold the holder's known device. The
// answer for an unknown email and a wrong password is the same. Failed and
// successful attempts are logged with the account id (when known) and the
// address, never the email or password.
func (a *Accounts) SignIn(ctx context.Context, in SignInInput) (Session, error) {
	now := a.now()
	email := strings.ToLower(strings.TrimSpace(in.Email))
	acct := authn.AccountKey(email)
	keys := authn.LoginKeys{Account: acct, Address: in.Address, Device: authn.CheckDeviceCookie(in.DeviceCookie, acct, a.deviceMAC)}
	// Every attempt counts as a failure until it succeeds.
	if ok, wait := a.limiter.Attempt(keys, now); !ok {
		a.log.WarnContext(ctx, "login throttled", "address", in.Address, "known_device", keys.Device != "", "retry_after", wait.String())
		return Session{}, &RateLimitedError{RetryAfter: wait}
	}
	if email == "" || in.Password == "" || len(in.Password) > authn.MaxPasswordLen {
		return Session{}, errBadLogin
	}
	var u *store.User
	err := a.view(ctx, func(tx accountsTx) error {
		var err error
		u, err = tx.UserByEmail(ctx, a.keys.Index("email", email))
		return err
	})
	if err != nil && holdspace.ErrorCode(err) != holdspace.ENOTFOUND {
		return Session{}, err
	}
	ok := false
	var checkErr error
	if err := a.withPasswordSlot(ctx, func() {
		if u != nil && u.PasswordHash != "" {
			ok, checkErr = authn.CheckPassword(u.PasswordHash, in.Password)
		} else {
			authn.CheckDummyWith(in.Password, a.cfg.Argon2)
		}
	}); err != nil {
		return Session{}, err
	}
	if checkErr != nil {
		return Session{}, checkErr
	}
	userID := ""
	if u != nil {
		userID = u.ID
	}
	fail := func(reason string, err error) (Session, error) {
		a.log.InfoContext(ctx, "login failed", "kind", in.Kind, "reason", reason, "user_id", userID, "address", in.Address, "known_device", keys.Device != "")
		return Session{}, err
	}
	if !ok {
		return fail("password", errBadLogin)
	}
	if !u.DisabledAt.IsZero() {
		return fail("disabled", errDisabled)
	}
	usedRecovery, usedStep := -1, int64(0)
	if len(u.TOTPSealed) > 0 {
		if strings.TrimSpace(in.OTP) == "" {
			return fail("otp_missing", errOTPRequired)
		}
		secret, err := a.open(u.ID, "totp", u.TOTPSealed)
		if err != nil {
			return Session{}, err
		}
		if step, ok := authn.MatchTOTP(secret, in.OTP, now, u.TOTPLastStep); ok {
			usedStep = step
		} else if usedRecovery = authn.MatchRecoveryCode(u.RecoveryHashes, in.OTP); usedRecovery < 0 {
			return fail("otp", errBadOTP)
		}
	}
	needsFactor := a.cfg.RequireSecondFactor && len(u.TOTPSealed) == 0 && (u.Role == holdspace.RoleAdmin || u.Role == holdspace.RolePractitioner)
	if needsFactor && in.Kind != "web" {
		return fail("second_factor_required", errFactorRequired)
	}
	notice := a.limiter.Succeed(keys, now)
	s, err := a.issue(ctx, u, in.Kind, describeDevice(in.Kind, in.UserAgent, in.Address), func(tx store.Tx) error {
		if usedRecovery < 0 && usedStep == 0 {
			return nil
		}
		fresh, err := tx.User(ctx, u.ID)
		if err != nil {
			return err
		}
		if usedStep != 0 {
			// A code is accepted once: a concurrent sign-in with the
			// same code finds the step used.
			if usedStep <= fresh.TOTPLastStep {
				return errBadOTP
			}
			fresh.TOTPLastStep = usedStep
			return tx.SetAccountState(ctx, fresh)
		}
		i := authn.MatchRecoveryCode(fresh.RecoveryHashes, in.OTP)
		if i < 0 {
			return errBadOTP
		}
		fresh.RecoveryHashes = append(fresh.RecoveryHashes[:i:i], fresh.RecoveryHashes[i+1:]...)
		if err := tx.SetAccountState(ctx, fresh); err != nil {
			return err
		}
		return record(ctx, tx, Actor{UserID: u.ID, Role: u.Role}, "auth.recovery_code", u.ID, "", "left="+itoa(len(fresh.RecoveryHashes)))
	})
	if err != nil {
		return Session{}, err
	}
	s.DeviceCookie = authn.NewDeviceCookie(acct, a.deviceMAC)
	s.FailedAttempts, s.LockedOut = notice.Failures, notice.LockedOut
	s.MustChangePassword = u.MustChangePassword
	s.NeedsSecondFactor = needsFactor
	a.log.InfoContext(ctx, "login", "kind", in.Kind, "user_id", u.ID, "address", in.Address, "known_device", keys.Device != "")
	return s, nil
}

// issue creates a token of kind for u (plus whatever also does in the same
// transaction) and audits the sign-in.
func (a *core) issue(ctx context.Context, u *store.User, kind, device string, also func(store.Tx) error) (Session, error) {
	tok, hash, err := authn.NewToken()
	if err != nil {
		return Session{}, err
	}
	ttl := a.cfg.TokenTTL
	s := Session{Token: tok, Role: u.Role, UserID: u.ID}
	err = a.update(ctx, func(tx store.Tx) error {
		if also != nil {
			if err := also(tx); err != nil {
				return err
			}
		}
		t := &store.Token{Hash: hash, UserID: u.ID, Kind: kind, CreatedAt: tx.Now(), ExpiresAt: tx.Now().Add(ttl), LastSeenAt: tx.Now(), Device: device}
		s.ExpiresAt = t.ExpiresAt
		if err := tx.CreateToken(ctx, t); err != nil {
			return err
		}
		return record(ctx, tx, Actor{UserID: u.ID, Role: u.Role}, "auth.login", u.ID, "", "kind="+kind)
	})
	if err != nil {
		return Session{}, err
	}
	return s, nil
}

var errBadToken = &holdspace.Error{Code: holdspace.EUNAUTHORIZED, Reason: "invalid_token", Message: "The token is missing, expired or revoked."}

// Authenticate returns the actor of a live token of the given kind. Web
// sessions also expire after WebIdle without use; Authenticate counts as
// use and touches them at most once a minute (or every quarter of WebIdle,
// if shorter).
func (a *Accounts) Authenticate(ctx context.Context, token, kind string) (Actor, error) {
	return a.authenticate(ctx, token, kind, true)
}

// Verify is Authenticate without counting as use: long-lived views check
// with it that their session is still live without keeping it alive.
func (a *Accounts) Verify(ctx context.Context, token, kind string) (Actor, error) {
	return a.authenticate(ctx, token, kind, false)
}

func (a *Accounts) authenticate(ctx context.Context, token, kind string, use bool) (Actor, error) {
	if token == "" || len(token) > 200 {
		return Actor{}, errBadToken
	}
	hash := authn.HashToken(token)
	now := a.now()
	// From memory while the auth epoch is the one the token was found
	// valid at: no revocation, disabling or state change of the account
	// has committed since, on any node (hotcache.go). Expiry and the idle
	// timeout are checked by time; a session idle by this node's record
	// (another node may have seen it used) or due for a touch is read
	// from the database below.
	if t, ok := a.hot.token(hash, a.dbAuthEpoch(ctx)); ok {
		if t.kind != kind || !now.Before(t.expiresAt) {
			return Actor{}, errBadToken
		}
		idle := now.Sub(t.lastSeenAt)
		if kind != "web" || (idle < a.cfg.WebIdle && !(use && idle > min(time.Minute, a.cfg.WebIdle/4))) {
			return Actor{UserID: t.userID, Role: t.role, Device: kind}, nil
		}
	}
	var ac Actor
	var touch bool
	var hot tokenHot
	err := a.view(ctx, func(tx accountsTx) error {
		epoch, err := a.txAuthEpoch(ctx, tx)
		if err != nil {
			return err
		}
		t, err := tx.Token(ctx, hash)
		if err != nil {
			return errBadToken
		}
		if t.Kind != kind || !t.RevokedAt.IsZero() || !now.Before(t.ExpiresAt) {
			return errBadToken
		}
		if kind == "web" {
			if now.Sub(t.LastSeenAt) >= a.cfg.WebIdle {
				return errBadToken
			}
			touch = use && now.Sub(t.LastSeenAt) > min(time.Minute, a.cfg.WebIdle/4)
		}
		u, err := tx.User(ctx, t.UserID)
		if err != nil || !u.DisabledAt.IsZero() {
			return errBadToken
		}
		ac = Actor{UserID: u.ID, Role: u.Role, Device: kind}
		hot = tokenHot{epoch: epoch, userID: u.ID, role: u.Role, kind: t.Kind, expiresAt: t.ExpiresAt, lastSeenAt: t.LastSeenAt}
		return nil
	})
	if err != nil {
		return Actor{}, err
	}
	if touch {
		if err := a.update(ctx, func(tx accountsTx) error {
			hot.lastSeenAt = tx.Now()
			return tx.TouchToken(ctx, hash, tx.Now())
		}); err != nil {
			return Actor{}, err
		}
	}
	// A touch moves no epoch: the stored last use only grows, so a check
	// in memory against an older one errs towards the database.
	a.hot.putToken(hash, hot)
	return ac, nil
}

// Logout revokes a token or web session. Revoking an unknown token is not an
// error (logging out twice is harmless).
func (a *Accounts) Logout(ctx context.Context, ac Actor, token string) error {
	hash := authn.HashToken(token)
	err := a.update(ctx, func(tx accountsTx) error {
		t, err := tx.Token(ctx, hash)
		if err != nil || t.UserID != ac.UserID {
			return nil
		}
		if err := tx.RevokeToken(ctx, hash, tx.Now()); err != nil {
			return err
		}
		return record(ctx, tx, ac, "auth.logout", ac.UserID, "", "")
	})
	if err == nil {
		// The committed revocation moved the fact epoch already; this
		// only spares the next request a look-up.
		a.hot.dropToken(hash)
	}
	return err
}

// SetPassword sets a user's password and revokes their tokens and web
// sessions (`holdspace user password`, and users changing their own). Admins and System may set anyone's.
func (a *Accounts) SetPassword(ctx context.Context, ac Actor, userID, password string) error {
	if !ac.is(holdspace.RoleAdmin) && ac.UserID != userID {
		return forbidden("You can change only your own password.")
	}
	if err := authn.ValidatePassword(password); err != nil {
		return err
	}
	h, err := a.hashPassword(ctx, password)
	if err != nil {
		return err
	}
	return a.update(ctx, func(tx accountsTx) error {
		if err := tx.SetPassword(ctx, userID, h); err != nil {
			return err
		}
		// A password someone else set (an admin's reset) is the holder's
		// to replace at their next web sign-in.
		u, err := tx.User(ctx, userID)
		if err != nil {
			return err
		}
		u.MustChangePassword = ac.UserID != userID
		if err := tx.SetAccountState(ctx, u); err != nil {
			return err
		}
		if err := tx.RevokeUserTokens(ctx, userID, tx.Now()); err != nil {
			return err
		}
		return record(ctx, tx, ac, "auth.password", userID, "", "")
	})
}

// hashPassword hashes a new password in a bounded Argon2id slot.
func (a *core) hashPassword(ctx context.Context, password string) (string, error) {
	var h string
	var err error
	if serr := a.withPasswordSlot(ctx, func() { h, err = authn.HashPasswordWith(password, a.cfg.Argon2) }); serr != nil {
		return "", serr
	}
	return h, err
}

// SetPasswordByEmail is SetPassword for the account with the email.
func (a *Accounts) SetPasswordByEmail(ctx context.Context, ac Actor, email, password string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	var id string
	err := a.view(ctx, func(tx accountsTx) error {
		u, err := tx.UserByEmail(ctx, a.keys.Index("email", email))
		if err != nil {
			return holdspace.NotFound("account")
		}
		id = u.ID
		return nil
	})
	if err != nil {
		return err
	}
	return a.SetPassword(ctx, ac, id, password)
}
