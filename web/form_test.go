package web

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func formHandler(t *testing.T) *handler {
	t.Helper()
	h := &handler{log: slog.New(slog.DiscardHandler), static: map[string]staticFile{}, urls: map[string]string{}}
	if err := h.loadStatic(); err != nil {
		t.Fatal(err)
	}
	if err := h.loadTemplates(); err != nil {
		t.Fatal(err)
	}
	return h
}

// formPost is a parsed form submission and the recorder of its answer.
type formPost struct {
	r *http.Request
	w *httptest.ResponseRecorder
}

// TestRenderForm: a form shown again after a refused submission answers
// 400 with the summary, each note beside its field and the input refilled;
// without errors it is the plain form.
func TestRenderForm(t *testing.T) {
	h := formHandler(t)
	post := func() *formPost {
		r := httptest.NewRequest("POST", "/clients", strings.NewReader(url.Values{"name": {"Casey <C>"}, "email": {"bad"}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if err := r.ParseForm(); err != nil {
			t.Fatal(err)
		}
		return &formPost{r, httptest.NewRecorder()}
	}
	t.Run("Errors", func(t *testing.T) {
		q := post()
		v := &view{Title: "Add a client", Errors: map[string]string{}, Data: map[string]any{}}
		h.renderForm(q.w, q.r, "client_new", v, map[string]string{"email": "Give an email address."}, "Something needs another look.")
		body := q.w.Body.String()
		if q.w.Code != 400 {
			t.Fatalf("status %d", q.w.Code)
		}
		for _, want := range []string{
			`<p class="form-error" role="alert">Something needs another look.</p>`, // the summary
			"Give an email address.",  // the note beside its field
			`value="Casey &lt;C&gt;"`, // the input, refilled and escaped
			`field has-error"><label for="n-email"`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("the page lacks %s", want)
			}
		}
		if q.w.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("Cache-Control %q", q.w.Header().Get("Cache-Control"))
		}
	})
	t.Run("NoSummary", func(t *testing.T) {
		q := post()
		v := &view{Title: "Add a client", Errors: map[string]string{}, Data: map[string]any{}}
		h.renderForm(q.w, q.r, "client_new", v, map[string]string{"email": "Give an email address."}, "")
		if q.w.Code != 400 || strings.Contains(q.w.Body.String(), "form-error") {
			t.Fatalf("status %d, summary shown: %v", q.w.Code, strings.Contains(q.w.Body.String(), "form-error"))
		}
	})
	t.Run("NoErrors", func(t *testing.T) {
		q := post()
		v := &view{Title: "Add a client", Errors: map[string]string{}, Data: map[string]any{}}
		h.renderForm(q.w, q.r, "client_new", v, map[string]string{}, "Something needs another look.")
		body := q.w.Body.String()
		if q.w.Code != 200 || strings.Contains(body, "form-error") || strings.Contains(body, "has-error") || strings.Contains(body, "Casey") {
			t.Fatalf("status %d; a form without errors shows errors or old input: %s", q.w.Code, body)
		}
	})
}

func TestOneNote(t *testing.T) {
	if got := oneNote(nil); got != "" {
		t.Errorf("oneNote(nil) = %q", got)
	}
	errs := map[string]string{"b": "second", "a": "first", "c": "third"}
	for range 20 { // map order varies; the note does not
		if got := oneNote(errs); got != "first" {
			t.Fatalf("oneNote = %q, want the first field's", got)
		}
	}
}
