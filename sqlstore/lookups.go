package sqlstore

import (
	"context"

	"holdspace/store"
)

// idArgs returns ids as statement arguments.
func idArgs(ids []string) []any {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return args
}

// UsersByID implements store.Lookups: erased users are left out.
func (t *Tx) UsersByID(ctx context.Context, ids []string) (map[string]*store.User, error) {
	out := make(map[string]*store.User, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	us, err := many(ctx, t, "users", `SELECT `+userCols+` FROM users WHERE id IN (`+paramList(1, len(ids))+`) AND erased_at IS NULL`,
		scanUser, idArgs(ids)...)
	if err != nil {
		return nil, err
	}
	for _, u := range us {
		out[u.ID] = u
	}
	return out, nil
}

// ClientsByID implements store.Lookups.
func (t *Tx) ClientsByID(ctx context.Context, ids []string) (map[string]*store.Client, error) {
	out := make(map[string]*store.Client, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	in := paramList(1, len(ids))
	cs, err := many(ctx, t, "clients", `SELECT `+clientCols+` FROM clients WHERE id IN (`+in+`)`, scanClient, idArgs(ids)...)
	if err != nil {
		return nil, err
	}
	if err := t.loadAssignments(ctx, cs, `WHERE client_id IN (`+in+`)`, idArgs(ids)...); err != nil {
		return nil, err
	}
	for _, c := range cs {
		out[c.ID] = c
	}
	return out, nil
}

// ClientKeys implements store.Lookups.
func (t *Tx) ClientKeys(ctx context.Context, ids []string) (map[string][]byte, error) {
	out := make(map[string][]byte, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	type pair struct {
		id  string
		key []byte
	}
	ps, err := many(ctx, t, "client keys", `SELECT id, key_sealed FROM client_keys WHERE id IN (`+paramList(1, len(ids))+`)`,
		func(s scanner) (pair, error) {
			var p pair
			err := s.Scan(&p.id, &p.key)
			return p, err
		}, idArgs(ids)...)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		out[p.id] = p.key
	}
	return out, nil
}
