package sqlstore

import (
	"context"

	"holdspace/store"
)

// CreateGuardianConsent implements store.Guardians.
func (t *Tx) CreateGuardianConsent(ctx context.Context, g *store.GuardianConsent) error {
	_, err := t.exec(ctx, "create guardian consent",
		`INSERT INTO guardian_consents (id, client_id, sealed, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5)`,
		g.AgreementID, g.ClientID, g.Sealed, g.RecordedBy, micros(g.RecordedAt))
	return err
}

// ListGuardianConsents implements store.Guardians: oldest first.
func (t *Tx) ListGuardianConsents(ctx context.Context, clientID string) ([]*store.GuardianConsent, error) {
	return many(ctx, t, "guardian consents",
		`SELECT id, client_id, sealed, recorded_by, recorded_at FROM guardian_consents WHERE client_id = $1 ORDER BY recorded_at, id`,
		func(s scanner) (*store.GuardianConsent, error) {
			var g store.GuardianConsent
			err := s.Scan(&g.AgreementID, &g.ClientID, &g.Sealed, &g.RecordedBy, timeCol{&g.RecordedAt})
			return &g, err
		}, clientID)
}
