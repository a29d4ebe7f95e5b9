package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"holdspace/app"
	"holdspace/seal"
	"holdspace/store"
)

// cmdKeys runs `holdspace keys status|rotate`.
func cmdKeys(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "status" && args[0] != "rotate") {
		return usageErrorf("usage: holdspace keys status|rotate [--data DIR | --database URL] [--master-key-file FILE]")
	}
	fs := newFlagSet("keys "+args[0], stderr)
	var c config
	c.register(fs, getenv)
	retireAfter := fs.Duration("retire-after", 10*time.Second, "rotate: how long running servers get to load the new key before the old one is retired (they re-read the key file every second)")
	keep := fs.Bool("keep-old", false, "rotate: re-wrap everything but keep the old keys in the key file")
	if err := c.parse(fs, args[1:]); err != nil {
		return err
	}
	log, err := c.logger(stderr)
	if err != nil {
		return err
	}
	db, kr, err := c.openKeyed(ctx, log)
	if err != nil {
		return err
	}
	defer db.Close()
	path, _ := c.keyPath()
	if args[0] == "status" {
		return printKeyStatus(ctx, stdout, db, kr)
	}

	old := kr.IDs()
	newID, err := kr.RotateChecked(path, func(id, check string) error { return app.RecordNewKey(ctx, db, id, check) })
	if err != nil {
		return fmt.Errorf("rotate: %w", err)
	}
	fmt.Fprintf(stdout, "new master key %s is active in %s\n", newID, path)
	moved, err := app.Rewrap(ctx, db, kr)
	if err != nil {
		return fmt.Errorf("rotate: re-wrap (run keys rotate again to finish; both keys stay in the file): %w", err)
	}
	fmt.Fprintf(stdout, "re-wrapped %d values under %s\n", moved, newID)
	if *keep {
		return printKeyStatus(ctx, stdout, db, kr)
	}
	// Servers that still had the old key active may have sealed under it
	// until they re-read the key file: give them time, then sweep again.
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(*retireAfter):
	}
	if moved, err = app.Rewrap(ctx, db, kr); err != nil {
		return fmt.Errorf("rotate: re-wrap: %w", err)
	}
	st, err := app.KeysStatus(ctx, db)
	if err != nil {
		return err
	}
	var left []string
	for _, id := range old {
		if st.ByKey[id] > 0 {
			left = append(left, fmt.Sprintf("%s (%d values)", id, st.ByKey[id]))
		}
	}
	if len(left) > 0 {
		return fmt.Errorf("rotate: values are still wrapped under %s; the old keys stay in the key file (run keys rotate again)", strings.Join(left, ", "))
	}
	full, err := seal.LoadKeyring(path) // every key, to sweep after retiring
	if err != nil {
		return err
	}
	if err := app.RetireKeys(ctx, db, old); err != nil {
		return fmt.Errorf("rotate: %w", err)
	}
	if err := kr.Retire(path, old...); err != nil {
		return fmt.Errorf("rotate: %w", err)
	}
	// A server that sealed under an old key in the last instant before it
	// re-read the file is swept with the full keyring.
	time.Sleep(2 * time.Second)
	if _, err := app.Rewrap(ctx, db, full); err != nil {
		return fmt.Errorf("rotate: final sweep: %w", err)
	}
	fmt.Fprintf(stdout, "retired %s: removed from %s; keep the new key file apart from the database and replace its backups\n", strings.Join(old, ", "), path)
	return printKeyStatus(ctx, stdout, db, kr)
}

// printKeyStatus prints which master key wraps how many values.
func printKeyStatus(ctx context.Context, w io.Writer, db store.DB, kr *seal.Keyring) error {
	st, err := app.KeysStatus(ctx, db)
	if err != nil {
		return err
	}
	ids := kr.IDs()
	fmt.Fprintf(w, "key file: %s (active %s)\n", strings.Join(ids, ", "), kr.ActiveID())
	for _, id := range ids {
		fmt.Fprintf(w, "  %s wraps %d values\n", id, st.ByKey[id])
	}
	for _, id := range st.SortedKeyIDs() {
		if !slices.Contains(ids, id) {
			fmt.Fprintf(w, "  %s wraps %d values, and is NOT in the key file: those values cannot be opened\n", id, st.ByKey[id])
		}
	}
	fmt.Fprintf(w, "client data keys: %d (wrapped above); values sealed under them: %d\n", st.ClientKeys, st.UnderClientKeys)
	if st.Unreadable > 0 {
		fmt.Fprintf(w, "values that are not sealed values: %d\n", st.Unreadable)
	}
	return nil
}
