package app

import (
	"context"
	"fmt"
	"sort"

	"holdspace/seal"
	"holdspace/store"
)

// rewrapPage is how many values one re-wrap transaction moves: small, so
// that writers are never held up for long.
const rewrapPage = 200

// KeyStatus says which master key wraps how many values.
type KeyStatus struct {
	// ByKey counts, per master key id, the values wrapped under it
	// directly (client data keys included).
	ByKey map[string]int64
	// ClientKeys counts the client data keys among them.
	ClientKeys int64
	// UnderClientKeys counts the values sealed under client data keys
	// (reached through the client keys, so a rotation never touches them).
	UnderClientKeys int64
	// Unreadable counts values that do not parse as sealed values.
	Unreadable int64
}

// KeysStatus counts every sealed value by the key that wraps it.
func KeysStatus(ctx context.Context, db store.DB) (KeyStatus, error) {
	st := KeyStatus{ByKey: map[string]int64{}}
	err := eachSealed(ctx, db, func(col store.SealedColumn, v store.SealedValue) error {
		switch id := seal.KeyID(v.Value); {
		case seal.UnderDataKey(v.Value):
			st.UnderClientKeys++
		case id == "":
			st.Unreadable++
		default:
			st.ByKey[id]++
			if col.Table == "client_keys" {
				st.ClientKeys++
			}
		}
		return nil
	})
	return st, err
}

// eachSealed calls fn for every sealed value, column by column, each page
// read in its own short transaction.
func eachSealed(ctx context.Context, db store.DB, fn func(store.SealedColumn, store.SealedValue) error) error {
	var cols []store.SealedColumn
	if err := db.View(ctx, func(tx store.Tx) (err error) { cols, err = tx.SealedColumns(ctx); return err }); err != nil {
		return err
	}
	for _, col := range cols {
		for after := ""; ; {
			var page []store.SealedValue
			if err := db.View(ctx, func(tx store.Tx) (err error) {
				page, err = tx.SealedValues(ctx, col, after, rewrapPage)
				return err
			}); err != nil {
				return err
			}
			for _, v := range page {
				if err := fn(col, v); err != nil {
					return err
				}
			}
			if len(page) < rewrapPage {
				break
			}
			after = page[len(page)-1].ID
		}
	}
	return nil
}

// Rewrap moves every value wrapped under a master key other than the
// keyring's active key to the active key (seal.Keyring.Rewrap: the data
// key is re-wrapped, the ciphertext stays), online: a page at a time, each
// value replaced only if it did not change meanwhile. It returns how many
// it moved.
func Rewrap(ctx context.Context, db store.DB, kr *seal.Keyring) (int64, error) {
	active := kr.ActiveID()
	var moved int64
	var todo []struct {
		col store.SealedColumn
		v   store.SealedValue
	}
	flush := func() error {
		if len(todo) == 0 {
			return nil
		}
		err := db.Update(ctx, func(tx store.Tx) error {
			for _, t := range todo {
				next, err := kr.Rewrap(t.v.Value)
				if err != nil {
					return fmt.Errorf("re-wrap %s.%s of %s: %w", t.col.Table, t.col.Column, t.v.ID, err)
				}
				ok, err := tx.ReplaceSealed(ctx, t.col, t.v.ID, t.v.Value, next)
				if err != nil {
					return err
				}
				if ok {
					moved++
				}
			}
			return nil
		})
		todo = todo[:0]
		return err
	}
	err := eachSealed(ctx, db, func(col store.SealedColumn, v store.SealedValue) error {
		if seal.UnderDataKey(v.Value) {
			return nil
		}
		if id := seal.KeyID(v.Value); id == "" || id == active {
			return nil
		}
		todo = append(todo, struct {
			col store.SealedColumn
			v   store.SealedValue
		}{col, v})
		if len(todo) >= rewrapPage {
			return flush()
		}
		return nil
	})
	if err != nil {
		return moved, err
	}
	return moved, flush()
}

// RecordNewKey records the key check of a key about to be added (see
// seal.Keyring.RotateChecked).
func RecordNewKey(ctx context.Context, db store.DB, id, check string) error {
	return db.Update(ctx, func(tx store.Tx) error { return tx.PutKeyCheck(ctx, store.KeyCheck{ID: id, Value: check}) })
}

// RetireKeys marks master keys retired in the database.
func RetireKeys(ctx context.Context, db store.DB, ids []string) error {
	return db.Update(ctx, func(tx store.Tx) error {
		for _, id := range ids {
			if err := tx.RetireKeyCheck(ctx, id, tx.Now()); err != nil {
				return err
			}
		}
		return nil
	})
}

// SortedKeyIDs returns the ids of a status, sorted.
func (s KeyStatus) SortedKeyIDs() []string {
	ids := make([]string, 0, len(s.ByKey))
	for id := range s.ByKey {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}
