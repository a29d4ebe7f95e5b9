package e2e

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// axeVersion is the axe-core release scripts/test installs for the
// accessibility checks (npm install --prefix e2e axe-core@…).
const axeVersion = "4.14.1"

// axeSource reads axe-core's browser build: $HOLDSPACE_AXE, or the copy
// scripts/test installs under e2e/node_modules. The checks fail (never
// skip) without it.
func axeSource(t *testing.T) string {
	t.Helper()
	p := os.Getenv("HOLDSPACE_AXE")
	if p == "" {
		p = filepath.Join("node_modules", "axe-core", "axe.min.js")
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("axe-core is not installed (%v): run `npm install --prefix e2e --no-save axe-core@%s` "+
			"(scripts/test does) or point HOLDSPACE_AXE at axe.min.js", err, axeVersion)
	}
	return string(b)
}

// axeClean runs axe-core's WCAG 2.x A and AA rules on the page the browser
// shows and fails the test for every violation, naming the rule and the
// elements.
func axeClean(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := chromedp.Run(c, chromedp.Evaluate[bool](axeSource(t)+";true")); err != nil {
		t.Fatalf("%s: load axe-core: %v", page, err)
	}
	const check = `axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})
  .then(function (r) {
    return r.violations.map(function (v) {
      return v.id + ' (' + v.impact + '): ' + v.help + ' at ' + v.nodes.slice(0, 3).map(function (n) { return n.target.join(' '); }).join(', ');
    });
  })`
	got, err := chromedp.Run(c, chromedp.Evaluate[[]string](check, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: axe-core: %v", page, err)
	}
	for _, v := range got {
		t.Errorf("%s: %s", page, v)
	}
}
