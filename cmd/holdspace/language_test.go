package main

import (
	"net/http"
	"strings"
	"testing"
)

// TestLanguageAPI: a person chooses their language through the API; an
// unshipped one is refused with its code; the practice's default must be
// shipped too; and the pages follow the choice over the browser's.
func TestLanguageAPI(t *testing.T) {
	t.Parallel()
	f := newPractice(t, nil)
	n := f.n
	if r := n.must(400, "PUT", "/api/v1/me/language", f.c1, map[string]string{"language": "fr"}); r.errCode() != "unknown_language" {
		t.Fatalf("unshipped language: %s", r.Raw)
	}
	if r := n.must(400, "PUT", "/api/v1/me/language", f.c1, map[string]any{}); r.errCode() != "required" {
		t.Fatalf("no language: %s", r.Raw)
	}
	if r := n.must(200, "PUT", "/api/v1/me/language", f.c1, map[string]string{"language": "de"}); r.str("language") != "de" {
		t.Fatalf("choose German: %s", r.Raw)
	}
	if r := n.must(200, "GET", "/api/v1/me", f.c1, nil); r.str("language") != "de" {
		t.Fatalf("/me after choosing: %s", r.Raw)
	}
	got := n.must(200, "GET", "/api/v1/practice/settings", f.admin, nil).Body
	settings := map[string]any{}
	for _, k := range []string{"age_of_majority", "sensual_offered", "follow_up_window_hours", "scope", "time_zone"} {
		settings[k] = got[k]
	}
	settings["language"] = "xx"
	if r := n.must(400, "PUT", "/api/v1/practice/settings", f.admin, settings); r.errCode() != "unknown_language" {
		t.Fatalf("practice language xx: %s", r.Raw)
	}
	settings["language"] = "es"
	n.must(200, "PUT", "/api/v1/practice/settings", f.admin, settings)

	// The sign-in page: the browser's language, else the practice's.
	for _, c := range []struct{ accept, want string }{
		{"de-AT,de;q=0.9", `lang="de"`},
		{"fr-FR", `lang="es"`},
		{"", `lang="es"`},
	} {
		req, _ := http.NewRequest("GET", n.url+"/login", nil)
		if c.accept != "" {
			req.Header.Set("Accept-Language", c.accept)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		buf := make([]byte, 4096)
		k, _ := res.Body.Read(buf)
		b.Write(buf[:k])
		res.Body.Close()
		if !strings.Contains(b.String(), c.want) {
			t.Errorf("Accept-Language %q: want %s in %.200s", c.accept, c.want, b.String())
		}
	}
}
