package sqlstore

import (
	"context"
	"time"

	"holdspace"
	"holdspace/store"
)

const credentialCols = `id, practitioner_id, kind, issuer, number, valid_from, valid_until, covers, created_at, revoked_at, revoked_reason`

func scanCredential(s scanner) (*store.Credential, error) {
	var c store.Credential
	err := s.Scan(&c.ID, &c.PractitionerID, &c.Kind, &c.Issuer, &c.Number, timeCol{&c.ValidFrom},
		timeCol{&c.ValidUntil}, listCol{&c.Covers}, timeCol{&c.CreatedAt}, timeCol{&c.RevokedAt}, &c.RevokedReason)
	return &c, err
}

// CreateCredential implements store.Credentials; ENOTFOUND when the
// practitioner does not exist, ECONFLICT when the id does.
func (t *Tx) CreateCredential(ctx context.Context, c *store.Credential) error {
	_, err := t.exec(ctx, "create credential", `INSERT INTO credentials (`+credentialCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		c.ID, c.PractitionerID, c.Kind, c.Issuer, c.Number, nullMicros(c.ValidFrom), nullMicros(c.ValidUntil),
		list(c.Covers), micros(c.CreatedAt), nullMicros(c.RevokedAt), c.RevokedReason)
	return err
}

// RevokeCredential implements store.Credentials: ECONFLICT
// already_revoked, ENOTFOUND.
func (t *Tx) RevokeCredential(ctx context.Context, id string, at time.Time, reason string) error {
	n, err := t.exec(ctx, "revoke credential", `UPDATE credentials SET revoked_at = $2, revoked_reason = $3 WHERE id = $1 AND revoked_at IS NULL`,
		id, micros(at), reason)
	if err != nil || n == 1 {
		return err
	}
	found, err := t.exists(ctx, "revoke credential", `SELECT 1 FROM credentials WHERE id = $1`, id)
	if err != nil {
		return err
	}
	if !found {
		return holdspace.NotFound("credential")
	}
	return holdspace.Conflict("already_revoked", "This credential is revoked already.")
}

// ListCredentials implements store.Credentials: oldest first.
func (t *Tx) ListCredentials(ctx context.Context, practitionerID string) ([]*store.Credential, error) {
	return many(ctx, t, "credentials", `SELECT `+credentialCols+` FROM credentials WHERE practitioner_id = $1 ORDER BY created_at, id`,
		scanCredential, practitionerID)
}
