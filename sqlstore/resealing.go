package sqlstore

import (
	"context"

	"holdspace"
	"holdspace/store"
)

// clearColumn says how to read and write one of store.ClearColumns: the
// SQL expression of its row's client and whether it is a binary column.
type clearColumn struct {
	client string
	binary bool
}

var clearColumns = map[store.SealedColumn]clearColumn{
	store.AgreementIntent:   {client: "client_id"},
	store.SessionIntent:     {client: "client_id"},
	store.RevocationRegions: {client: "client_id"},
	store.EventType:         {client: "(SELECT client_id FROM sessions WHERE sessions.id = session_events.session_id)"},
	store.EventPayload:      {client: "(SELECT client_id FROM sessions WHERE sessions.id = session_events.session_id)", binary: true},
	store.FollowUpTriggers:  {client: "client_id"},
}

func lookupClearColumn(col store.SealedColumn) (clearColumn, error) {
	c, ok := clearColumns[col]
	if !ok {
		return clearColumn{}, holdspace.Invalid("bad_column", "column", "%s.%s is not a column to reseal.", col.Table, col.Column)
	}
	return c, nil
}

// ClearValues implements store.Resealing.
func (t *Tx) ClearValues(ctx context.Context, col store.SealedColumn, after string, limit int) ([]store.ClearValue, error) {
	c, err := lookupClearColumn(col)
	if err != nil {
		return nil, err
	}
	q := `SELECT id, ` + c.client + `, ` + col.Column + ` FROM ` + col.Table + ` WHERE id > $1 AND ` + col.Column + ` IS NOT NULL ORDER BY id LIMIT $2`
	return many(ctx, t, "clear values", q, func(s scanner) (store.ClearValue, error) {
		var v store.ClearValue
		var client *string
		err := s.Scan(&v.ID, &client, &v.Value)
		if client != nil {
			v.ClientID = *client
		}
		return v, err
	}, after, limit)
}

// ReplaceClear implements store.Resealing.
func (t *Tx) ReplaceClear(ctx context.Context, col store.SealedColumn, id string, old, next []byte) (bool, error) {
	c, err := lookupClearColumn(col)
	if err != nil {
		return false, err
	}
	q := `UPDATE ` + col.Table + ` SET ` + col.Column + ` = $1 WHERE id = $2 AND ` + col.Column + ` = $3`
	var n int64
	if c.binary {
		n, err = t.exec(ctx, "reseal", q, next, id, old)
	} else {
		n, err = t.exec(ctx, "reseal", q, string(next), id, string(old))
	}
	return n == 1, err
}

// ClearWrites implements store.Resealing (table clear_writes, filled by
// the triggers of migration 0017).
func (t *Tx) ClearWrites(ctx context.Context) ([]store.ClearWrite, error) {
	return many(ctx, t, "clear writes", `SELECT tx, n FROM clear_writes ORDER BY tx`, func(s scanner) (store.ClearWrite, error) {
		var w store.ClearWrite
		err := s.Scan(&w.Writer, &w.N)
		return w, err
	})
}

// ForgetClearWrites implements store.Resealing.
func (t *Tx) ForgetClearWrites(ctx context.Context, ws []store.ClearWrite) error {
	for _, w := range ws {
		if _, err := t.exec(ctx, "forget clear writes", `DELETE FROM clear_writes WHERE tx = $1 AND n = $2`, w.Writer, w.N); err != nil {
			return err
		}
	}
	return nil
}
