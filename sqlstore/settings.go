package sqlstore

import (
	"context"

	"holdspace/store"
)

// PracticeSettings implements store.Settings; ENOTFOUND when never saved.
func (t *Tx) PracticeSettings(ctx context.Context) (*store.PracticeSettings, error) {
	return one(ctx, t, "practice settings", `SELECT body, version, updated_at, updated_by FROM practice_settings WHERE id = 1`,
		func(s scanner) (*store.PracticeSettings, error) {
			var p store.PracticeSettings
			var body string
			err := s.Scan(&body, &p.Version, timeCol{&p.UpdatedAt}, &p.UpdatedBy)
			p.Body = []byte(body)
			return &p, err
		})
}

// PutPracticeSettings implements store.Settings: the one row is replaced
// and its version moves by one.
func (t *Tx) PutPracticeSettings(ctx context.Context, p *store.PracticeSettings) error {
	n, err := t.exec(ctx, "put practice settings",
		`UPDATE practice_settings SET body = $1, version = version + 1, updated_at = $2, updated_by = $3 WHERE id = 1`,
		string(p.Body), micros(p.UpdatedAt), p.UpdatedBy)
	if err != nil {
		return err
	}
	if n == 0 {
		if _, err := t.exec(ctx, "put practice settings",
			`INSERT INTO practice_settings (id, body, version, updated_at, updated_by) VALUES (1, $1, 1, $2, $3)`,
			string(p.Body), micros(p.UpdatedAt), p.UpdatedBy); err != nil {
			return err
		}
	}
	cur, err := t.PracticeSettings(ctx)
	if err != nil {
		return err
	}
	p.Version = cur.Version
	return nil
}
