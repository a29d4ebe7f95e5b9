package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"holdspace/seal"
	"holdspace/store"
)

// CheckKeys ties the keyring to the database and refuses a keyring that
// does not belong to it, with an error wrapping seal.ErrKeyMismatch that
// says what to do.
//
// A database that records no key check yet records the keyring's: a new,
// empty database at once; an older database (from before key checks)
// only after a sealed value in it unwraps under the keyring. A database
// that records key checks accepts the keyring only when every key in it
// has a recorded check of the same value and its active key is not
// retired.
func CheckKeys(ctx context.Context, db store.DB, kr *seal.Keyring) error {
	return db.Update(ctx, func(tx store.Tx) error { return checkKeys(ctx, tx, kr, true) })
}

// VerifyKeys is CheckKeys without recording anything: it fails, too, when
// the database records no key check.
func VerifyKeys(ctx context.Context, db store.DB, kr *seal.Keyring) error {
	return db.View(ctx, func(tx store.Tx) error { return checkKeys(ctx, tx, kr, false) })
}

func checkKeys(ctx context.Context, tx store.Keys, kr *seal.Keyring, adopt bool) error {
	recorded, err := tx.KeyChecks(ctx)
	if err != nil {
		return err
	}
	checks := kr.Checks()
	if len(recorded) == 0 {
		if !adopt {
			return fmt.Errorf("%w: the database records no key check", seal.ErrKeyMismatch)
		}
		empty, err := tx.Empty(ctx)
		if err != nil {
			return err
		}
		if !empty {
			if err := probeKeys(ctx, tx, kr); err != nil {
				return err
			}
		}
		for _, id := range kr.IDs() {
			if err := tx.PutKeyCheck(ctx, store.KeyCheck{ID: id, Value: checks[id]}); err != nil {
				return err
			}
		}
		return nil
	}
	byID := make(map[string]store.KeyCheck, len(recorded))
	var known []string
	for _, k := range recorded {
		byID[k.ID] = k
		if k.RetiredAt.IsZero() {
			known = append(known, k.ID)
		}
	}
	for _, id := range kr.IDs() {
		k, ok := byID[id]
		switch {
		case !ok:
			return fmt.Errorf("%w: key %q of the key file is not a key of this database (its keys: %s); "+
				"this is another practice's key file, or the wrong one", seal.ErrKeyMismatch, id, strings.Join(known, ", "))
		case k.Value != checks[id]:
			return fmt.Errorf("%w: key %q of the key file is not the key %q this database was sealed under; "+
				"restore the key file that belongs to this database", seal.ErrKeyMismatch, id, id)
		}
	}
	if active := byID[kr.ActiveID()]; !active.RetiredAt.IsZero() {
		return fmt.Errorf("%w: the active key %q was retired; use the current key file", seal.ErrKeyMismatch, active.ID)
	}
	return nil
}

// probeKeys checks that a sealed value of an older database unwraps under
// the keyring; a database without any is accepted.
func probeKeys(ctx context.Context, tx store.Keys, kr *seal.Keyring) error {
	cols, err := tx.SealedColumns(ctx)
	if err != nil {
		return err
	}
	for _, col := range cols {
		vals, err := tx.SealedValues(ctx, col, "", 20)
		if err != nil {
			return err
		}
		for _, v := range vals {
			if seal.UnderDataKey(v.Value) {
				continue
			}
			if _, err := kr.Rewrap(v.Value); err != nil {
				return fmt.Errorf("%w: the database holds values sealed under a key the key file lacks or does not match (%v); "+
					"restore the key file that belongs to this database", seal.ErrKeyMismatch, err)
			}
			return nil
		}
	}
	return nil
}

// DatabaseIsNew reports whether the database holds nothing yet (no user,
// no audit entry, no key check).
func DatabaseIsNew(ctx context.Context, db store.DB) (bool, error) {
	var empty bool
	err := db.View(ctx, func(tx store.Tx) (err error) { empty, err = tx.Empty(ctx); return err })
	return empty, err
}

// KeyIDsOf returns the ids of the master keys the database records (not
// retired), for messages.
func KeyIDsOf(ctx context.Context, db store.DB) ([]string, error) {
	var ids []string
	err := db.View(ctx, func(tx store.Tx) error {
		ks, err := tx.KeyChecks(ctx)
		for _, k := range ks {
			if k.RetiredAt.IsZero() {
				ids = append(ids, k.ID)
			}
		}
		return err
	})
	return ids, err
}

// IsKeyMismatch reports whether err says the key file is not this
// database's.
func IsKeyMismatch(err error) bool { return errors.Is(err, seal.ErrKeyMismatch) }
