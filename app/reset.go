package app

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"holdspace"
	"holdspace/authn"
	"holdspace/store"
)

// Password reset by email: "Forgot password?" sends a single-use link that
// works for 30 minutes; using it sets a new password and signs the account
// out everywhere (every token, web session, invitation, reset link and
// calendar feed of the account is revoked). The answer to a request is the
// same whether or not the email has an account.

// ResetTTL is how long a password reset link works.
const ResetTTL = 30 * time.Minute

// resetPath is where a reset link is used on the web.
func resetPath(token string) string { return "/reset/" + token }

var errBadReset = &holdspace.Error{Code: holdspace.ENOTFOUND, Reason: "reset_unusable",
	Message: "This link to reset your password has been used, has expired or was replaced by a newer one. Please ask for a new one."}

var errMailOff = &holdspace.Error{Code: holdspace.EUNAVAILABLE, Reason: "mail_off",
	Message: "This practice does not send email. Please ask the practice to set a new password for you."}

// RequestPasswordReset emails a reset link to the account with this email,
// if there is one that can sign in; it answers the same (nil) either way.
// It is rate-limited per address and per email (RateLimitedError), and
// EUNAVAILABLE (reason mail_off) when email is off.
func (a *Accounts) RequestPasswordReset(ctx context.Context, email, addr string) error {
	if !a.MailEnabled() {
		return errMailOff
	}
	email, err := normalizeEmail("email", email)
	if err != nil {
		return err
	}
	now := a.now()
	l := a.limiters()
	if ok, wait := l.resetByAddr.take(addr, now); !ok {
		return &RateLimitedError{RetryAfter: wait}
	}
	index := a.keys.Index("email", email)
	if ok, wait := l.resetByEmail.take(hex.EncodeToString(index), now); !ok {
		return &RateLimitedError{RetryAfter: wait}
	}
	tok, hash, err := authn.NewToken()
	if err != nil {
		return err
	}
	var userID string
	err = a.update(ctx, func(tx accountsTx) error {
		u, err := tx.UserByEmail(ctx, index)
		if err != nil || !u.DisabledAt.IsZero() || !u.ErasedAt.IsZero() || u.PasswordHash == "" {
			// No account that signs in with a password: nothing to send,
			// and nothing to tell the caller.
			return nil
		}
		userID = u.ID
		if err := tx.RevokeUserTokensExcept(ctx, u.ID, nil, []string{"reset"}, tx.Now()); err != nil {
			return err
		}
		t := &store.Token{Hash: hash, UserID: u.ID, Kind: "reset", CreatedAt: tx.Now(), ExpiresAt: tx.Now().Add(ResetTTL),
			LastSeenAt: tx.Now(), Device: "password reset from " + truncate(addr, 60)}
		if err := tx.CreateToken(ctx, t); err != nil {
			return err
		}
		st, err := a.practiceSettings(ctx, tx)
		if err != nil {
			return err
		}
		l, err := a.mailLocalizer(ctx, tx, u)
		if err != nil {
			return err
		}
		pname := a.signature(st.settings.Identity)
		var b strings.Builder
		b.WriteString(l.T("mail.hello") + "\n\n")
		b.WriteString(l.T("mail.reset.lead", "Practice", pname) + "\n\n")
		b.WriteString(l.T("mail.reset.link", "Link", a.link(resetPath(tok))) + "\n")
		b.WriteString(l.T("mail.reset.expires", "When", mailTime(l, t.ExpiresAt, st.loc)) + "\n\n")
		b.WriteString(l.T("mail.reset.ignore") + "\n\n" + pname + "\n")
		if err := a.enqueueMail(ctx, tx, Actor{UserID: u.ID, Role: u.Role, Device: "web"}, outMail{kind: MailPasswordReset,
			key: fmt.Sprintf("reset/%x", hash), to: u, subject: l.T("mail.reset.subject"), body: b.String()}); err != nil {
			return err
		}
		client := ""
		if u.Role == holdspace.RoleClient {
			client = u.ID
		}
		return record(ctx, tx, Actor{UserID: u.ID, Role: u.Role, Device: "web"}, "auth.reset_requested", u.ID, client, "")
	})
	if err != nil {
		return err
	}
	a.log.InfoContext(ctx, "password reset requested", "known", userID != "", "user_id", userID, "address", addr)
	return nil
}

// resetToken returns the live reset token with the hash, in tx.
func (a *Accounts) resetToken(ctx context.Context, tx accountsTx, token string) (*store.Token, *store.User, error) {
	if token == "" || len(token) > 200 {
		return nil, nil, errBadReset
	}
	t, err := tx.Token(ctx, authn.HashToken(token))
	if err != nil || t.Kind != "reset" || !t.RevokedAt.IsZero() || !a.now().Before(t.ExpiresAt) {
		return nil, nil, errBadReset
	}
	u, err := tx.User(ctx, t.UserID)
	if err != nil || !u.DisabledAt.IsZero() {
		return nil, nil, errBadReset
	}
	return t, u, nil
}

// CheckPasswordReset reports whether a reset link still works (ENOTFOUND
// reason reset_unusable when not).
func (a *Accounts) CheckPasswordReset(ctx context.Context, token string) error {
	return a.view(ctx, func(tx accountsTx) error {
		_, _, err := a.resetToken(ctx, tx, token)
		return err
	})
}

// ResetPassword sets a new password through a reset link, once, and signs
// the account out everywhere. The holder then signs in as usual (with
// their second factor, if they have one).
func (a *Accounts) ResetPassword(ctx context.Context, token, password, addr string) error {
	if err := a.CheckPasswordReset(ctx, token); err != nil {
		return err
	}
	if err := authn.ValidatePassword(password); err != nil {
		return err
	}
	h, err := a.hashPassword(ctx, password)
	if err != nil {
		return err
	}
	var userID string
	err = a.update(ctx, func(tx accountsTx) error {
		_, u, err := a.resetToken(ctx, tx, token)
		if err != nil {
			return err
		}
		userID = u.ID
		// Signed out everywhere: every token of every kind, this link too.
		return setOwnPasswordByLink(ctx, tx, u, h, "auth.password_reset")
	})
	if err != nil {
		return err
	}
	a.log.InfoContext(ctx, "password reset", "user_id", userID, "address", addr)
	return nil
}
