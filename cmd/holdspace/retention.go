package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"holdspace/app"
)

// cmdRetention runs `holdspace retention run [--dry-run]`: it lists (dry
// run) or erases the records whose retention period ended.
func cmdRetention(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "run" {
		return usageErrorf("usage: holdspace retention run [--dry-run] [--retention client=10,session=10] [--data DIR | --database URL]")
	}
	fs := newFlagSet("retention run", stderr)
	var c config
	c.register(fs, getenv)
	dry := fs.Bool("dry-run", false, "list what would be erased, and erase nothing")
	policy := fs.String("retention", getenv("HOLDSPACE_RETENTION"), fmt.Sprintf("years each kind of record is kept: client (after the last session) and session (after it started); default %d each (HOLDSPACE_RETENTION)", app.DefaultRetentionYears))
	if err := c.parse(fs, args[1:]); err != nil {
		return err
	}
	p, err := app.ParseRetention(*policy)
	if err != nil {
		return usageErrorf("--retention: %v", err)
	}
	pr, err := c.open(ctx, stderr, nil)
	if err != nil {
		return err
	}
	defer pr.db.Close()
	now := time.Now().UTC()
	fmt.Fprintf(stdout, "retention policy: client records %d years after the last session, sessions %d years after they started\n", p.ClientYears, p.SessionYears)
	var items []app.RetentionItem
	verb := "erased"
	if *dry {
		verb = "would erase"
		items, err = pr.app.Records.RetentionPlan(ctx, p, now)
	} else {
		items, err = pr.app.Records.RunRetention(ctx, p, now)
	}
	for _, it := range items {
		fmt.Fprintf(stdout, "%s %s %s (client %s, since %s)\n", verb, it.Kind, it.ID, it.ClientID, it.Since.Format(time.DateOnly))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d records %s\n", len(items), verb)
	return nil
}
