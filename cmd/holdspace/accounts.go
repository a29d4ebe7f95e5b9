package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"holdspace/app"
)

// tokenKeep is how long expired and revoked tokens are kept before they
// are pruned (a day, so that "signed out" still explains a stale cookie).
const tokenKeep = 24 * time.Hour

// pruneTokens deletes expired and revoked tokens at start and every hour
// until ctx ends.
func pruneTokens(ctx context.Context, p *practice) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		n, err := p.app.Accounts.PruneTokens(ctx, tokenKeep)
		switch {
		case err != nil && ctx.Err() == nil:
			p.log.Warn("pruning tokens failed", "err", err)
		case n > 0:
			p.log.Info("pruned expired tokens", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// demoOnly refuses to seed demo data into a practice: any account that
// `holdspace demo` did not make means the directory is not a demo's. A
// demo directory made before accounts were marked is recognised by its
// demo-accounts.txt naming every account there is.
func demoOnly(ctx context.Context, a *app.Services, dataDir string) error {
	all, demo, err := a.Accounts.DemoStatus(ctx)
	if err != nil {
		return err
	}
	if all > demo {
		if accts, err := readDemoAccounts(filepath.Join(dataDir, demoAccountsFile)); err == nil {
			emails := make([]string, 0, len(accts))
			for _, ac := range accts {
				emails = append(emails, ac.Email)
			}
			n, err := a.Accounts.AdoptDemoAccounts(ctx, emails)
			if err != nil {
				return err
			}
			demo += int64(n)
		}
	}
	if all > demo {
		return usageErrorf("demo refuses this data directory: it holds %d account(s) that are not demo accounts, so it is a practice. "+
			"Run the demo on a new, empty directory (for example --data holdspace-demo)", all-demo)
	}
	return nil
}

// demoNotice is printed by serve when the data holds demo accounts.
func demoNotice(all, demo int64) string {
	return fmt.Sprintf("this data holds %d demo account(s) of `holdspace demo` among %d: it is demo data, not a practice", demo, all)
}
