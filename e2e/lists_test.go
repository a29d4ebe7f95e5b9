package e2e

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"holdspace/app"
)

// TestClientListNextPage: a practitioner with more clients than one page
// holds walks their client list with the pager, in a real browser, and
// sees every client once (issue 16).
func TestClientListNextPage(t *testing.T) {
	p := startPractice(t)
	ctx := context.Background()
	for i := range app.DefaultPageSize {
		if _, err := p.app.People.CreateClient(ctx, app.System, app.ClientInput{Name: fmt.Sprintf("Client %02d", i),
			Email: fmt.Sprintf("c%02d@example.test", i), BirthDate: "1990-01-01", PractitionerIDs: []string{p.pract.UserID}}); err != nil {
			t.Fatal(err)
		}
	}
	b := newBrowser(t, "practitioner", 1280, 900, false)
	login(t, b, p.url, "robin@example.test")
	run(t, b, "open the client list", chromedp.Navigate(p.url+"/clients"), chromedp.WaitVisible(chromedp.CSS(`a[rel="next"]`)))
	first := eval[int](t, b, `document.querySelectorAll('ul.list a[href^="/clients/cli_"]').length`)
	if first != app.DefaultPageSize {
		t.Errorf("the first page lists %d clients, want %d", first, app.DefaultPageSize)
	}
	run(t, b, "follow Next page", chromedp.Click(chromedp.CSS(`a[rel="next"]`)), chromedp.WaitVisible(chromedp.CSS(`a[rel="first"]`)))
	if got := eval[int](t, b, `document.querySelectorAll('ul.list a[href^="/clients/cli_"]').length`); got != 1 {
		t.Errorf("the second page lists %d clients, want the one left", got)
	}
	if eval[bool](t, b, `!!document.querySelector('a[rel="next"]')`) {
		t.Error("the last page offers a next page")
	}
	if got := eval[string](t, b, `document.querySelector('ul.list a[href^="/clients/cli_"]').textContent`); got != "Client 49" {
		t.Errorf("the second page shows %q, want the newest client, Client 49", got)
	}
	shot(t, b, "lists-clients-second-page")
}
