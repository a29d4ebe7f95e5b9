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

// SealingState implements store.Resealing (table sealing_state; its
// triggers count the values written in clear).
func (t *Tx) SealingState(ctx context.Context) (bool, int64, error) {
	type state struct {
		all bool
		n   int64
	}
	s, err := one(ctx, t, "sealing state", `SELECT all_sealed, clear_writes FROM sealing_state WHERE id = 1`,
		func(s scanner) (state, error) {
			var st state
			err := s.Scan(&st.all, &st.n)
			return st, err
		})
	return s.all, s.n, err
}

// MarkAllSealed implements store.Resealing.
func (t *Tx) MarkAllSealed(ctx context.Context, clearWrites int64) (bool, error) {
	n, err := t.exec(ctx, "mark all sealed", `UPDATE sealing_state SET all_sealed = TRUE WHERE id = 1 AND clear_writes = $1`, clearWrites)
	return n == 1, err
}
