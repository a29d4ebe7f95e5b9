package main

import (
	"context"
	"flag"
	"io"

	"holdspace/seal"
	"holdspace/store"
)

// openWithKeys is openFromArgs that also returns the checked keyring, for
// commands that open sealed records themselves (audit verify checks the
// consent records, whose sensitive columns are sealed, against the chain).
func openWithKeys(ctx context.Context, name string, args []string, getenv func(string) string, stderr io.Writer, more ...func(*flag.FlagSet)) (store.DB, *seal.Keyring, error) {
	fs := newFlagSet(name, stderr)
	var c config
	c.register(fs, getenv)
	for _, m := range more {
		m(fs)
	}
	if err := c.parse(fs, args); err != nil {
		return nil, nil, err
	}
	log, err := c.logger(stderr)
	if err != nil {
		return nil, nil, err
	}
	db, err := c.openDB(ctx, log)
	if err != nil {
		return nil, nil, err
	}
	kr, err := c.keyring(ctx, db, log)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, kr, nil
}
