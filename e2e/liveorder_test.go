package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"holdspace/app"
	"holdspace/catalogue"
	"holdspace/consent"
)

// watchBoards numbers the page's fetches of its live fragment
// (window.hsBoardFetches counts them), holds the first one's answer from
// the page until the test calls window.hsRelease() (window.hsHeldAnswered
// says the server has answered it), and lists in window.hsApplied the
// numbers of the answers in the order the page handled them.
const watchBoards = `(function(){
  var orig = window.fetch;
  window.hsBoardFetches = 0;
  window.hsApplied = [];
  window.fetch = function (url, opts) {
    var p = orig(url, opts);
    if (String(url).indexOf('/board') < 0) { return p; }
    var n = ++window.hsBoardFetches;
    var watched = p.then(function (r) {
      if (n === 1) { window.hsHeldAnswered = true; }
      var text = r.text.bind(r);
      r.text = function () {
        // The page's handling of the text is a chain of promise
        // callbacks; a timer runs after it.
        return text().then(function (s) { setTimeout(function () { window.hsApplied.push(n); }, 0); return s; });
      };
      return r;
    });
    if (n > 1) { return watched; }
    return new Promise(function (resolve) { window.hsRelease = function () { resolve(watched); }; });
  };
  return true;
})()`

// openConsole signs the practitioner in on a laptop-sized browser and
// opens the live console of session id, in progress.
func openConsole(t *testing.T, p *practice, id string) context.Context {
	t.Helper()
	laptop := newBrowser(t, "practitioner", 1280, 900, false)
	login(t, laptop, p.url, "robin@example.test")
	run(t, laptop, "open the live console",
		chromedp.Navigate(p.url+"/sessions/"+id),
		chromedp.WaitVisible(chromedp.CSS(`#console-stop`)))
	return laptop
}

// waitJS waits until expr is true in the page.
func waitJS(t *testing.T, ctx context.Context, step, expr string) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if _, err := chromedp.Run(c, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(20*time.Millisecond))); err != nil {
		t.Fatalf("%s: %v", step, err)
	}
}

// TestConsoleRefreshesInOrder: when the client stops and goes on while
// the console's fetch of the stopped state is slow, the console handles
// the answers in the order it asked for them and ends on the state the
// session is in (in progress, with its Stop button). Before, each change
// fetched the fragment at once and whichever answer came last was shown:
// the console said Stopped while the session was in progress (an e2e run
// caught it: no Stop button after the client went on).
func TestConsoleRefreshesInOrder(t *testing.T) {
	p := startPractice(t)
	signAgreement(t, p.app, p.client,
		consent.Grant{Region: "upper-back", Technique: "massage", Answer: catalogue.Yes})
	id := p.inProgress(t, p.client)

	laptop := openConsole(t, p, id)
	if !eval[bool](t, laptop, watchBoards) {
		t.Fatal("the fetch hook did not install")
	}

	ctx := context.Background()
	if _, err := p.app.Sessions.AppendEvent(ctx, p.client, id, app.EventInput{Type: "stop"}); err != nil {
		t.Fatal(err)
	}
	// The console asked for the stopped fragment and the server answered;
	// the answer is held from the page.
	waitJS(t, laptop, "the server answers the console with the stopped state",
		`window.hsBoardFetches === 1 && window.hsHeldAnswered === true`)
	if _, err := p.app.Sessions.AppendEvent(ctx, p.client, id, app.EventInput{Type: "resume"}); err != nil {
		t.Fatal(err)
	}
	// The console hears of the resume: it fetches again at once and
	// handles that answer (the old way), or queues one fetch behind the
	// held one.
	waitJS(t, laptop, "the console hears the client went on",
		`window.hsApplied.indexOf(2) >= 0 || document.getElementById('board').hasAttribute('data-refresh-queued')`)
	eval[bool](t, laptop, `(window.hsRelease(), true)`)
	run(t, laptop, "the console ends in progress, with Stop",
		chromedp.WaitVisible(chromedp.CSS(`#live-state[data-state="in-progress"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#console-stop`)))
	waitJS(t, laptop, "both answers handled", `window.hsApplied.length >= 2`)
	applied := eval[[]int](t, laptop, `window.hsApplied`)
	for i := 1; i < len(applied); i++ {
		if applied[i] <= applied[i-1] {
			t.Fatalf("the console handled its answers in the order %v: an older fragment replaced a newer one", applied)
		}
	}
	if got := eval[string](t, laptop, `document.getElementById('live-state').getAttribute('data-state')`); got != "in-progress" {
		t.Fatalf("the console shows %q, the session is in progress", got)
	}
}
