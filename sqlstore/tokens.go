package sqlstore

import (
	"context"
	"time"

	"holdspace"
	"holdspace/store"
)

const tokenCols = `hash, user_id, kind, created_at, expires_at, last_seen_at, revoked_at, device`

func scanToken(s scanner) (*store.Token, error) {
	var k store.Token
	err := s.Scan(&k.Hash, &k.UserID, &k.Kind, timeCol{&k.CreatedAt}, timeCol{&k.ExpiresAt},
		timeCol{&k.LastSeenAt}, timeCol{&k.RevokedAt}, &k.Device)
	return &k, err
}

// CreateToken implements store.Tokens; ECONFLICT when the hash exists,
// ENOTFOUND when the user does not.
func (t *Tx) CreateToken(ctx context.Context, k *store.Token) error {
	_, err := t.exec(ctx, "create token", `INSERT INTO tokens (`+tokenCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		k.Hash, k.UserID, k.Kind, micros(k.CreatedAt), nullMicros(k.ExpiresAt), nullMicros(k.LastSeenAt), nullMicros(k.RevokedAt), k.Device)
	return err
}

// Token implements store.Tokens; ENOTFOUND.
func (t *Tx) Token(ctx context.Context, hash []byte) (*store.Token, error) {
	return one(ctx, t, "token", `SELECT `+tokenCols+` FROM tokens WHERE hash = $1`, scanToken, hash)
}

// TouchToken implements store.Tokens; ENOTFOUND.
func (t *Tx) TouchToken(ctx context.Context, hash []byte, at time.Time) error {
	n, err := t.exec(ctx, "touch token", `UPDATE tokens SET last_seen_at = $2 WHERE hash = $1`, hash, nullMicros(at))
	if err != nil {
		return err
	}
	if n == 0 {
		return holdspace.NotFound("token")
	}
	return nil
}

// RevokeToken implements store.Tokens: a revoked token keeps its first
// revocation time; ENOTFOUND.
func (t *Tx) RevokeToken(ctx context.Context, hash []byte, at time.Time) error {
	n, err := t.exec(ctx, "revoke token", `UPDATE tokens SET revoked_at = $2 WHERE hash = $1 AND revoked_at IS NULL`, hash, micros(at))
	if err != nil || n == 1 {
		return err
	}
	found, err := t.exists(ctx, "revoke token", `SELECT 1 FROM tokens WHERE hash = $1`, hash)
	if err != nil {
		return err
	}
	if !found {
		return holdspace.NotFound("token")
	}
	return nil
}

// RevokeUserTokens implements store.Tokens: every token of the user not
// yet revoked is revoked at at.
func (t *Tx) RevokeUserTokens(ctx context.Context, userID string, at time.Time) error {
	_, err := t.exec(ctx, "revoke user tokens", `UPDATE tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL`, userID, micros(at))
	return err
}

// RevokeUserTokensExcept implements store.Tokens.
func (t *Tx) RevokeUserTokensExcept(ctx context.Context, userID string, keep []byte, kinds []string, at time.Time) error {
	if len(kinds) == 0 {
		return nil
	}
	// An absent keep matches no token (no hash is empty).
	if keep == nil {
		keep = []byte{}
	}
	args := []any{userID, micros(at), keep}
	for _, k := range kinds {
		args = append(args, k)
	}
	_, err := t.exec(ctx, "revoke user tokens", `UPDATE tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL
		AND hash <> $3 AND kind IN (`+paramList(4, len(kinds))+`)`, args...)
	return err
}

// ListUserTokens implements store.Tokens: live tokens of the kinds, newest
// first.
func (t *Tx) ListUserTokens(ctx context.Context, userID string, kinds []string, now time.Time) ([]*store.Token, error) {
	if len(kinds) == 0 {
		return nil, nil
	}
	args := []any{userID, micros(now)}
	for _, k := range kinds {
		args = append(args, k)
	}
	return many(ctx, t, "tokens", `SELECT `+tokenCols+` FROM tokens WHERE user_id = $1 AND revoked_at IS NULL
		AND (expires_at IS NULL OR expires_at > $2) AND kind IN (`+paramList(3, len(kinds))+`) ORDER BY created_at DESC, hash`, scanToken, args...)
}

// PruneTokens implements store.Tokens.
func (t *Tx) PruneTokens(ctx context.Context, before time.Time) (int64, error) {
	return t.exec(ctx, "prune tokens", `DELETE FROM tokens WHERE expires_at < $1 OR revoked_at < $1`, micros(before))
}
