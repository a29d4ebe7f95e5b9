package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"holdspace"
	"holdspace/app"
	"holdspace/app/apptest"
	"holdspace/catalogue"
	"holdspace/server"
)

// The pseudo-locale at phone size (issue 17): every page is rendered in
// en-XA, English with every letter accented and the text padded by about
// 40%, on a 390×844 screen. A word of plain ASCII letters left on a page
// was never put in a catalog; an element whose content is wider than its
// box, or a page wider than the screen, is text that will not fit in
// German or Spanish.

// pseudoAllowed are the plain words a page may show: the people, emails
// and credential this test made up, the brand, and zone names.
var pseudoAllowed = []string{"holdspace", "Robin", "Reyes", "Alex", "Moreau", "Ada", "Admin", "robin", "alex", "ada",
	"example", "test", "UTC", "CMT", "NCBTMB", "Deutsch", "English", "Español"}

// pseudoCheck runs in the page: it returns the visible text nodes holding
// plain ASCII words outside pseudoAllowed (with where they are, and
// whether they belong to the page's frame), the elements whose content
// overflows them horizontally, and whether the page is wider than the
// screen. Text in code, ids (.mono) and the language switcher's own
// names is not checked.
const pseudoCheck = `(function (allowed) {
  var allow = {};
  allowed.forEach(function (w) { allow[w] = true; });
  function where(el) {
    var parts = [];
    for (var e = el; e && e !== document.body && parts.length < 4; e = e.parentElement) {
      var s = e.tagName.toLowerCase();
      if (e.id) { s += '#' + e.id; }
      else if (e.classList.length) { s += '.' + Array.prototype.join.call(e.classList, '.'); }
      parts.unshift(s);
    }
    return parts.join(' > ');
  }
  var out = { words: [], overflow: [], page: null };
  var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  var n;
  while ((n = walker.nextNode())) {
    var el = n.parentElement;
    if (!el || el.closest('script, style, template, code, .mono, #lang-choice')) { continue; }
    if (!el.checkVisibility({ visibilityProperty: true })) { continue; }
    var words = (n.textContent.match(/[A-Za-z]{2,}/g) || []).filter(function (w) { return !allow[w]; });
    if (words.length) {
      out.words.push({ text: n.textContent.trim().slice(0, 100), words: words, where: where(el),
        frame: !!el.closest('header.top, footer.foot, a.skip'), id: out.words.length });
      el.setAttribute('data-pseudo-word', String(out.words.length - 1));
    }
  }
  var doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth + 1) { out.page = { scroll: doc.scrollWidth, width: window.innerWidth }; }
  document.querySelectorAll('body *').forEach(function (el) {
    if (el.closest('script, style, template, svg, .table-wrap')) { return; }
    if (/^(INPUT|TEXTAREA|SELECT|OPTION|IMG|TABLE|THEAD|TBODY|TR)$/.test(el.tagName)) { return; }
    var cs = getComputedStyle(el);
    if (cs.display === 'inline' || cs.display === 'none' || cs.display === 'contents' || cs.overflowX !== 'visible') { return; }
    if (!el.checkVisibility({ visibilityProperty: true })) { return; }
    if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1) {
      out.overflow.push({ where: where(el), text: (el.textContent || '').trim().slice(0, 60), scroll: el.scrollWidth, width: el.clientWidth,
        frame: !!el.closest('header.top, footer.foot') });
    }
  });
  return JSON.stringify(out);
})`

type pseudoWord struct {
	Text  string   `json:"text"`
	Words []string `json:"words"`
	Where string   `json:"where"`
	Frame bool     `json:"frame"`
	ID    int      `json:"id"`
}

type pseudoOverflow struct {
	Where  string `json:"where"`
	Text   string `json:"text"`
	Scroll int    `json:"scroll"`
	Width  int    `json:"width"`
	Frame  bool   `json:"frame"`
}

type pseudoReport struct {
	Words    []pseudoWord     `json:"words"`
	Overflow []pseudoOverflow `json:"overflow"`
	Page     *struct {
		Scroll int `json:"scroll"`
		Width  int `json:"width"`
	} `json:"page"`
}

// pseudoPage is one page the test visits.
type pseudoPage struct {
	path string
	// strict: every word and every overflow on the page fails the test
	// (pages whose catalogs are done). Otherwise only the page's frame
	// (header, navigation, footer) is strict and the rest is logged.
	strict bool
	// words: strict on words only, overflow is logged.
	words bool
	// others are CSS selectors of parts of a strict page whose words come
	// from another area's labels (logged, not failed).
	others []string
}

// checkPseudo visits each page in ctx and reports what it finds.
func checkPseudo(t *testing.T, ctx context.Context, base, who string, pages []pseudoPage) {
	t.Helper()
	allowed, _ := json.Marshal(pseudoAllowed)
	for _, pg := range pages {
		run(t, ctx, who+" opens "+pg.path, chromedp.Navigate(base+pg.path), chromedp.WaitReady(chromedp.CSS(`footer.foot`)))
		checkPseudoHere(t, ctx, who, pg, string(allowed))
	}
}

func checkPseudoHere(t *testing.T, ctx context.Context, who string, pg pseudoPage, allowed string) {
	t.Helper()
	var r pseudoReport
	if err := json.Unmarshal([]byte(eval[string](t, ctx, pseudoCheck+"("+allowed+")")), &r); err != nil {
		t.Fatalf("%s %s: %v", who, pg.path, err)
	}
	if lang := eval[string](t, ctx, `document.documentElement.lang`); lang != "en-XA" {
		t.Fatalf("%s %s: the page is in %q, not the pseudo-locale", who, pg.path, lang)
	}
	others := map[int]bool{}
	for _, sel := range pg.others {
		ids := eval[[]int](t, ctx, fmt.Sprintf(`Array.from(document.querySelectorAll(%q)).flatMap(function (e) {
			return Array.from(e.querySelectorAll('[data-pseudo-word]')).concat(e.hasAttribute('data-pseudo-word') ? [e] : []);
		}).map(function (e) { return Number(e.getAttribute('data-pseudo-word')); })`, sel))
		for _, id := range ids {
			others[id] = true
		}
	}
	for _, w := range r.Words {
		msg := fmt.Sprintf("%s %s: untranslated words %v in %q (%s)", who, pg.path, w.Words, w.Text, w.Where)
		switch {
		case w.Frame || ((pg.strict || pg.words) && !others[w.ID]):
			t.Error(msg)
		default:
			t.Log("not strict: " + msg)
		}
	}
	for _, o := range r.Overflow {
		msg := fmt.Sprintf("%s %s: %s overflows (content %dpx in %dpx): %q", who, pg.path, o.Where, o.Scroll, o.Width, o.Text)
		if pg.strict || o.Frame {
			t.Error(msg)
		} else {
			t.Log("not strict: " + msg)
		}
	}
	if r.Page != nil {
		msg := fmt.Sprintf("%s %s: the page is %dpx wide on a %dpx screen", who, pg.path, r.Page.Scroll, r.Page.Width)
		if pg.strict {
			t.Error(msg)
		} else {
			t.Log("not strict: " + msg)
		}
	}
	shot(t, ctx, "pseudo-"+who+strings.NewReplacer("/", "_", "?", "_", "=", "_").Replace(pg.path))
}

// startPseudoPractice is startPractice with the pseudo-locale offered, an
// admin, and some records on the admin's pages.
func startPseudoPractice(t *testing.T) (*practice, app.Actor) {
	t.Helper()
	ctx := context.Background()
	a := apptest.New(t, nil)
	h, err := server.Handler(server.Config{App: a, PseudoLocale: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	t.Cleanup(srv.CloseClientConnections)
	p := &practice{app: a, url: srv.URL}
	aid, err := a.People.CreateUser(ctx, app.System, app.NewUser{Role: holdspace.RoleAdmin, Name: "Ada Admin", Email: "ada@example.test", Password: password})
	if err != nil {
		t.Fatal(err)
	}
	admin := app.Actor{UserID: aid, Role: holdspace.RoleAdmin, Device: "test"}
	pid, err := a.People.CreateUser(ctx, app.System, app.NewUser{Role: holdspace.RolePractitioner, Name: "Robin Reyes", Email: "robin@example.test", Password: password})
	if err != nil {
		t.Fatal(err)
	}
	p.pract = app.Actor{UserID: pid, Role: holdspace.RolePractitioner, Device: "test"}
	cid, err := a.People.CreateClient(ctx, app.System, app.ClientInput{Name: "Alex Moreau", Email: "alex@example.test", Password: password,
		BirthDate: "1984-03-12", Anatomy: catalogue.Anatomy{Prostate: true}, PractitionerIDs: []string{pid}})
	if err != nil {
		t.Fatal(err)
	}
	p.client = app.Actor{UserID: cid, Role: holdspace.RoleClient, Device: "test"}
	now := time.Now().UTC()
	if _, err := a.People.AddCredential(ctx, admin, pid, app.CredentialInput{Kind: "CMT", Issuer: "NCBTMB", Number: "12345",
		ValidFrom: now.AddDate(-1, 0, 0).Format(time.DateOnly), ValidUntil: now.AddDate(1, 0, 0).Format(time.DateOnly),
		Covers: []string{catalogue.CoverTraumaInformed, catalogue.CoverInternalAnorectal}}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Bookings.AddAvailability(ctx, admin, pid, app.WindowInput{Weekday: 2, Start: "09:00", End: "17:00"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Bookings.AddException(ctx, admin, pid, app.ExceptionInput{From: now.AddDate(0, 1, 0).Format(time.DateOnly),
		To: now.AddDate(0, 1, 3).Format(time.DateOnly), Reason: "holiday"}); err != nil {
		t.Fatal(err)
	}
	return p, admin
}

// pseudoLogin signs in after choosing the pseudo-locale (the switcher's
// cookie, set as a visitor would have it).
func pseudoBrowser(t *testing.T, p *practice, name string) context.Context {
	t.Helper()
	ctx := newBrowser(t, name, 390, 844, true)
	run(t, ctx, name+" chooses the pseudo-locale",
		chromedp.Navigate(p.url+"/login"),
		chromedp.WaitReady(chromedp.CSS(`footer.foot`)),
		chromedp.Evaluate[chromedp.Void](`document.cookie = "holdspace-lang=en-XA; path=/"`),
	)
	return ctx
}

// TestPseudoLocaleAtPhoneSize renders every page type a visitor, a client,
// a practitioner and an admin reach in the pseudo-locale on a phone.
//
// Strict (fail on any plain word or overflow): sign in, forgotten
// password, unusable reset and invitation links, not found, privacy
// notice, account and password, the invitation link page, add a client,
// availability, every admin page, and the practitioner's console, client
// list, calendar and session (the client file strictly for words). The
// client's pages, translated in another area, are strict only for their
// frame (header, navigation, footer); the rest is logged.
func TestPseudoLocaleAtPhoneSize(t *testing.T) {
	p, _ := startPseudoPractice(t)
	p.consented(t)
	sid := p.book(t)
	ags, err := p.app.Agreements.ListAgreements(context.Background(), p.client, p.client.UserID)
	if err != nil || len(ags) == 0 {
		t.Fatalf("agreements: %v %v", ags, err)
	}

	visitor := pseudoBrowser(t, p, "visitor")
	checkPseudo(t, visitor, p.url, "visitor", []pseudoPage{
		{path: "/login", strict: true},
		{path: "/forgot", strict: true},
		{path: "/privacy", strict: true},
		{path: "/reset/not-a-token", strict: true},
		{path: "/invite/not-a-token", strict: true},
		{path: "/no-such-page", strict: true},
	})

	client := pseudoBrowser(t, p, "client")
	login(t, client, p.url, "alex@example.test")
	checkPseudo(t, client, p.url, "client", []pseudoPage{
		{path: "/me"}, {path: "/consent"}, {path: "/agreements"}, {path: "/agreements/" + ags[0].ID}, {path: "/screening"},
		{path: "/intake"}, {path: "/book"}, {path: "/me/bookings"}, {path: "/sessions/" + sid},
		{path: "/account", strict: true, others: []string{"#h-sessions ~ .table-wrap tbody td:first-child"}},
		{path: "/account/password", strict: true},
		{path: "/privacy", strict: true},
		{path: "/no-such-page", strict: true},
	})

	// The practitioner's pages (their catalogs are merged); body-map
	// labels and the screening legend are the client area's, logged.
	bodyLabels := []string{".bodymap", "ul.legend", "section.card p > strong", "section.card h3"}
	pract := pseudoBrowser(t, p, "practitioner")
	login(t, pract, p.url, "robin@example.test")
	checkPseudo(t, pract, p.url, "practitioner", []pseudoPage{
		{path: "/console", strict: true}, {path: "/clients", strict: true}, {path: "/calendar", strict: true},
		{path: "/sessions/" + sid, strict: true, others: bodyLabels},
		// The client file's tables are wider than a phone: logged.
		{path: "/clients/" + p.client.UserID, words: true, others: bodyLabels},
		{path: "/clients/new", strict: true},
		{path: "/calendar/availability", strict: true},
		{path: "/account", strict: true, others: []string{"#h-sessions ~ .table-wrap tbody td:first-child"}},
	})

	admin := pseudoBrowser(t, p, "admin")
	login(t, admin, p.url, "ada@example.test")
	checkPseudo(t, admin, p.url, "admin", []pseudoPage{
		{path: "/admin", strict: true},
		{path: "/admin/practitioners", strict: true},
		{path: "/admin/clients", strict: true},
		// The log's rows are records: action codes, details and names.
		{path: "/admin/audit", strict: true, others: []string{"table.audit tbody"}},
		// Region names are the body map's labels (another area's).
		{path: "/admin/practice", strict: true, others: []string{"#practice-settings fieldset table tbody td:first-child"}},
		{path: "/admin/session-types", strict: true, others: []string{"label.choice:has(input[name=regions])"}},
		{path: "/clients/new", strict: true},
		{path: "/calendar/availability?practitioner=" + p.pract.UserID, strict: true},
		{path: "/account", strict: true, others: []string{"#h-sessions ~ .table-wrap tbody td:first-child"}},
	})
	// A new sign-in link for the practitioner: the invitation page.
	run(t, admin, "admin asks for a sign-in link",
		chromedp.Navigate(p.url+"/admin/practitioners"),
		chromedp.WaitReady(chromedp.CSS(`footer.foot`)),
		chromedp.Click(chromedp.CSS(`form[action$="/invite"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`#invite-link`)),
	)
	allowed, _ := json.Marshal(pseudoAllowed)
	checkPseudoHere(t, admin, "admin", pseudoPage{path: "(invitation)", strict: true}, string(allowed))
}
