package sqlstore

import (
	"context"
	"time"

	"holdspace"
	"holdspace/store"
)

const agreementCols = `id, client_id, intent, version, grants_sealed, valid_until, created_at, created_by,
	signed_at, signed_by, sign_method, typed_name_sealed, content_hash, supersedes, client_seen_at,
	language, text_hash_sealed`

func scanAgreement(s scanner) (*store.Agreement, error) {
	var a store.Agreement
	err := s.Scan(&a.ID, &a.ClientID, &a.Intent, &a.Version, &a.GrantsSealed, timeCol{&a.ValidUntil},
		timeCol{&a.CreatedAt}, &a.CreatedBy, timeCol{&a.SignedAt}, &a.SignedBy, &a.SignMethod,
		&a.TypedNameSealed, &a.ContentHash, &a.Supersedes, timeCol{&a.ClientSeenAt}, &a.Language, &a.TextHashSealed)
	return &a, err
}

// CreateAgreement implements store.Agreements: every field of a is stored
// as given (so that a copy keeps signatures). ECONFLICT version_taken when
// the (client, intent, version) exists, ECONFLICT exists when the id does;
// ENOTFOUND when the client does not exist.
func (t *Tx) CreateAgreement(ctx context.Context, a *store.Agreement) error {
	n, err := t.exec(ctx, "create agreement", `INSERT INTO agreements (`+agreementCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) ON CONFLICT DO NOTHING`,
		a.ID, a.ClientID, a.Intent, a.Version, blob(a.GrantsSealed), nullMicros(a.ValidUntil), micros(a.CreatedAt),
		a.CreatedBy, nullMicros(a.SignedAt), a.SignedBy, a.SignMethod, blob(a.TypedNameSealed), a.ContentHash, a.Supersedes,
		nullMicros(a.ClientSeenAt), a.Language, blob(a.TextHashSealed))
	if err != nil || n == 1 {
		return err
	}
	taken, err := t.exists(ctx, "create agreement",
		`SELECT 1 FROM agreements WHERE client_id = $1 AND intent = $2 AND version = $3`, a.ClientID, a.Intent, a.Version)
	if err != nil {
		return err
	}
	if taken {
		return holdspace.Conflict("version_taken", "Version %d of this agreement exists already.", a.Version)
	}
	return holdspace.Conflict("exists", "An agreement with this id exists.")
}

// NextAgreementVersion implements store.Agreements: 1 + the highest version
// for the client and intent (1 when there is none).
func (t *Tx) NextAgreementVersion(ctx context.Context, clientID, intent string) (int, error) {
	var v int
	if err := t.queryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) + 1 FROM agreements WHERE client_id = $1 AND intent = $2`,
		clientID, intent).Scan(&v); err != nil {
		return 0, t.db.internal("next agreement version", err)
	}
	return v, nil
}

// Agreement implements store.Agreements; ENOTFOUND.
func (t *Tx) Agreement(ctx context.Context, id string) (*store.Agreement, error) {
	return one(ctx, t, "agreement", `SELECT `+agreementCols+` FROM agreements WHERE id = $1`, scanAgreement, id)
}

// ListAgreements implements store.Agreements: oldest first.
func (t *Tx) ListAgreements(ctx context.Context, clientID string) ([]*store.Agreement, error) {
	return many(ctx, t, "agreements", `SELECT `+agreementCols+` FROM agreements WHERE client_id = $1 ORDER BY created_at, version, id`,
		scanAgreement, clientID)
}

// SignAgreement implements store.Agreements: the signature fields of the
// draft a.ID are written once. EINVALID when a.SignedAt is zero, ECONFLICT
// already_signed when signed already, ENOTFOUND.
func (t *Tx) SignAgreement(ctx context.Context, a *store.Agreement) error {
	if a.SignedAt.IsZero() {
		return holdspace.Invalid("signed_at_required", "signed_at", "A signature needs a time.")
	}
	n, err := t.exec(ctx, "sign agreement", `UPDATE agreements SET signed_at = $2, signed_by = $3, sign_method = $4,
		typed_name_sealed = $5, content_hash = $6, supersedes = $7 WHERE id = $1 AND signed_at IS NULL`,
		a.ID, micros(a.SignedAt), a.SignedBy, a.SignMethod, blob(a.TypedNameSealed), a.ContentHash, a.Supersedes)
	if err != nil || n == 1 {
		return err
	}
	found, err := t.exists(ctx, "sign agreement", `SELECT 1 FROM agreements WHERE id = $1`, a.ID)
	if err != nil {
		return err
	}
	if found {
		return holdspace.Conflict("already_signed", "The agreement is signed already.")
	}
	return holdspace.NotFound("agreement")
}

const revocationCols = `id, agreement_id, client_id, regions, at, by_id, by_role, on_clients_word`

func scanRevocation(s scanner) (*store.Revocation, error) {
	var r store.Revocation
	var role string
	if err := s.Scan(&r.ID, &r.AgreementID, &r.ClientID, listCol{&r.Regions}, timeCol{&r.At}, &r.By, &role,
		&r.OnClientsWord); err != nil {
		return nil, err
	}
	r.ByRole = holdspace.Role(role)
	return &r, nil
}

// CreateRevocation implements store.Agreements; ENOTFOUND when the
// agreement or client does not exist.
func (t *Tx) CreateRevocation(ctx context.Context, r *store.Revocation) error {
	_, err := t.exec(ctx, "create revocation", `INSERT INTO revocations (`+revocationCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		r.ID, r.AgreementID, r.ClientID, list(r.Regions), micros(r.At), r.By, string(r.ByRole), r.OnClientsWord)
	return err
}

// ListRevocations implements store.Agreements: oldest first.
func (t *Tx) ListRevocations(ctx context.Context, clientID string) ([]*store.Revocation, error) {
	return many(ctx, t, "revocations", `SELECT `+revocationCols+` FROM revocations WHERE client_id = $1 ORDER BY at, id`,
		scanRevocation, clientID)
}

// MarkAgreementSeen implements store.Agreements: client_seen_at is set
// once; ENOTFOUND.
func (t *Tx) MarkAgreementSeen(ctx context.Context, id string, at time.Time) error {
	if _, err := t.exec(ctx, "mark agreement seen", `UPDATE agreements SET client_seen_at = $2 WHERE id = $1 AND client_seen_at IS NULL`,
		id, micros(at)); err != nil {
		return err
	}
	found, err := t.exists(ctx, "mark agreement seen", `SELECT 1 FROM agreements WHERE id = $1`, id)
	if err != nil {
		return err
	}
	if !found {
		return holdspace.NotFound("agreement")
	}
	return nil
}
