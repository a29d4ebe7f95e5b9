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
	Token     string     `json:"token"`
	ExpiresAt time.Time  `json:"expires_at"`
	Role      store.Role `json:"role"`
	UserID    string     `json:"user_id"`
}

// RateLimitedError says how long a caller must wait before trying again.
type RateLimitedError struct{ RetryAfter time.Duration }

func (e *RateLimitedError) Error() string { return "too many attempts" }

// Unwrap lets holdspace.ErrorCode see ERATELIMITED.
func (e *RateLimitedError) Unwrap() error {
	return holdspace.Errorf(holdspace.ERATELIMITED, "Too many attempts. Please wait a little and try again.")
}

var errBadLogin = &holdspace.Error{Code: holdspace.EUNAUTHORIZED, Reason: "invalid_credentials", Message: "The email or password is not right."}

// Login checks an email and password and issues a token of kind "api" or a
// web session ("web"). Failures are rate-limited per account and per
// address; the answer for an unknown email and a wrong password is the same.
func (a *App) Login(ctx context.Context, email, password, addr, kind string) (Session, error) {
	now := a.now()
	email = strings.ToLower(strings.TrimSpace(email))
	// Every attempt counts as a failure until it succeeds.
	if ok, wait := a.limiter.Attempt(email, addr, now); !ok {
		return Session{}, &RateLimitedError{RetryAfter: wait}
	}
	if email == "" || password == "" || len(password) > 1024 {
		return Session{}, errBadLogin
	}
	var u *store.User
	err := a.db.View(ctx, func(tx store.Tx) error {
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
			ok, checkErr = authn.CheckPassword(u.PasswordHash, password)
		} else {
			authn.CheckDummyWith(password, a.cfg.Argon2)
		}
	}); err != nil {
		return Session{}, err
	}
	if checkErr != nil {
		return Session{}, checkErr
	}
	if !ok {
		a.log.InfoContext(ctx, "login failed", "kind", kind)
		return Session{}, errBadLogin
	}
	a.limiter.Succeed(email, addr, now)
	tok, hash, err := authn.NewToken()
	if err != nil {
		return Session{}, err
	}
	ttl := a.cfg.TokenTTL
	s := Session{Token: tok, Role: u.Role, UserID: u.ID}
	err = a.update(ctx, func(tx store.Tx) error {
		t := &store.Token{Hash: hash, UserID: u.ID, Kind: kind, CreatedAt: tx.Now(), ExpiresAt: tx.Now().Add(ttl), LastSeenAt: tx.Now()}
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
func (a *App) Authenticate(ctx context.Context, token, kind string) (Actor, error) {
	return a.authenticate(ctx, token, kind, true)
}

// Verify is Authenticate without counting as use: long-lived views check
// with it that their session is still live without keeping it alive.
func (a *App) Verify(ctx context.Context, token, kind string) (Actor, error) {
	return a.authenticate(ctx, token, kind, false)
}

func (a *App) authenticate(ctx context.Context, token, kind string, use bool) (Actor, error) {
	if token == "" || len(token) > 200 {
		return Actor{}, errBadToken
	}
	hash := authn.HashToken(token)
	now := a.now()
	var ac Actor
	var touch bool
	err := a.db.View(ctx, func(tx store.Tx) error {
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
		if err != nil {
			return errBadToken
		}
		ac = Actor{UserID: u.ID, Role: u.Role, Device: kind}
		return nil
	})
	if err != nil {
		return Actor{}, err
	}
	if touch {
		if err := a.update(ctx, func(tx store.Tx) error { return tx.TouchToken(ctx, hash, tx.Now()) }); err != nil {
			return Actor{}, err
		}
	}
	return ac, nil
}

// Logout revokes a token or web session. Revoking an unknown token is not an
// error (logging out twice is harmless).
func (a *App) Logout(ctx context.Context, ac Actor, token string) error {
	hash := authn.HashToken(token)
	return a.update(ctx, func(tx store.Tx) error {
		t, err := tx.Token(ctx, hash)
		if err != nil || t.UserID != ac.UserID {
			return nil
		}
		if err := tx.RevokeToken(ctx, hash, tx.Now()); err != nil {
			return err
		}
		return record(ctx, tx, ac, "auth.logout", ac.UserID, "", "")
	})
}

// SetPassword sets a user's password and revokes their tokens and web
// sessions (`holdspace user password`, and users changing their own). Admins and System may set anyone's.
func (a *App) SetPassword(ctx context.Context, ac Actor, userID, password string) error {
	if !ac.is(store.RoleAdmin) && ac.UserID != userID {
		return forbidden("You can change only your own password.")
	}
	if err := authn.ValidatePassword(password); err != nil {
		return err
	}
	h, err := a.hashPassword(ctx, password)
	if err != nil {
		return err
	}
	return a.update(ctx, func(tx store.Tx) error {
		if err := tx.SetPassword(ctx, userID, h); err != nil {
			return err
		}
		if err := tx.RevokeUserTokens(ctx, userID, tx.Now()); err != nil {
			return err
		}
		return record(ctx, tx, ac, "auth.password", userID, "", "")
	})
}

// hashPassword hashes a new password in a bounded Argon2id slot.
func (a *App) hashPassword(ctx context.Context, password string) (string, error) {
	var h string
	var err error
	if serr := a.withPasswordSlot(ctx, func() { h, err = authn.HashPasswordWith(password, a.cfg.Argon2) }); serr != nil {
		return "", serr
	}
	return h, err
}

// SetPasswordByEmail is SetPassword for the account with the email.
func (a *App) SetPasswordByEmail(ctx context.Context, ac Actor, email, password string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	var id string
	err := a.db.View(ctx, func(tx store.Tx) error {
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
