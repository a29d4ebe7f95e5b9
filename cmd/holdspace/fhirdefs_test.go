package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// collectExtensionURLs gathers the url of every extension and
// modifierExtension (absolute ones; sub-extension names are relative).
func collectExtensionURLs(v any, out map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			if k == "extension" || k == "modifierExtension" {
				list, _ := c.([]any)
				for _, e := range list {
					m, _ := e.(map[string]any)
					if u, _ := m["url"].(string); strings.Contains(u, "://") {
						out[u] = true
					}
				}
			}
			collectExtensionURLs(c, out)
		}
	case []any:
		for _, c := range x {
			collectExtensionURLs(c, out)
		}
	}
}

// TestFHIRPracticeIdentity: the client's FHIR bundle and receipt name the
// practice as its admin set it; every extension URL in the bundle resolves
// at this server to a StructureDefinition with exactly that url; "ask me
// first" is a modifier extension; the receipt's policyUrl is this server's
// /privacy page, which answers 200 before and after a notice is published.
func TestFHIRPracticeIdentity(t *testing.T) {
	t.Parallel()
	f := newPractice(t, nil)
	n := f.n
	// Before the admin sets an identity: honest fallbacks.
	f.n.must(201, "POST", "/api/v1/clients/"+f.c1ID+"/screenings", f.c1, map[string]any{"questionnaire": "intake-v1", "answers": clearAnswers()})
	ag := f.signedAgreement(t, []map[string]string{grant("glutes", "massage", "yes"), grant("perineum", "touch", "ask")})
	rc := n.must(200, "GET", "/api/v1/agreements/"+ag+"/receipt", f.c1, nil)
	ctrl, _ := rc.Body["piiControllers"].([]any)
	first, _ := ctrl[0].(map[string]any)
	if name, _ := first["piiController"].(string); name != "Unnamed practice at "+n.url || rc.str("jurisdiction") != "unspecified" {
		t.Errorf("receipt without an identity: controller %q jurisdiction %q", name, rc.str("jurisdiction"))
	}
	if rc.str("policyUrl") != n.url+"/privacy" {
		t.Errorf("policyUrl %q, want %s/privacy", rc.str("policyUrl"), n.url)
	}
	get := func(url string) (int, []byte) {
		t.Helper()
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	if st, body := get(rc.str("policyUrl")); st != 200 || !strings.Contains(string(body), "has not published its privacy notice") {
		t.Errorf("/privacy before a notice: %d %.300s", st, body)
	}

	// The admin sets the identity through the settings API.
	s := n.must(200, "GET", "/api/v1/practice/settings", f.admin, nil)
	body := map[string]any{}
	for _, k := range []string{"age_of_majority", "time_zone", "sensual_offered", "follow_up_window_hours", "scope"} {
		body[k] = s.Body[k]
	}
	body["identity"] = map[string]any{"name": "Quiet Hands Bodywork", "address": "Parkstraße 1\n10115 Berlin",
		"email": "privacy@quiet.example", "phone": "+49 30 000000", "jurisdiction": "DE",
		"privacy_notice": "We keep your answers encrypted.\n\nAsk us for a copy at any time."}
	if r := n.call("PUT", "/api/v1/practice/settings", f.admin, map[string]any{"identity": map[string]any{"jurisdiction": "Germany"},
		"age_of_majority": 18, "time_zone": "UTC"}); r.Status != 400 || !strings.Contains(string(r.Raw), "identity.jurisdiction") {
		t.Errorf("a bad jurisdiction: %d %s", r.Status, r.Raw)
	}
	n.must(200, "PUT", "/api/v1/practice/settings", f.admin, body)

	rc = n.must(200, "GET", "/api/v1/agreements/"+ag+"/receipt", f.c1, nil)
	ctrl, _ = rc.Body["piiControllers"].([]any)
	first, _ = ctrl[0].(map[string]any)
	if first["piiController"] != "Quiet Hands Bodywork" || first["email"] != "privacy@quiet.example" || first["phone"] != "+49 30 000000" ||
		rc.str("jurisdiction") != "DE" || rc.str("policyUrl") != n.url+"/privacy" {
		t.Errorf("receipt with an identity: %s", rc.Raw)
	}
	if st, page := get(n.url + "/privacy"); st != 200 || !strings.Contains(string(page), "We keep your answers encrypted.") ||
		!strings.Contains(string(page), "Quiet Hands Bodywork") {
		t.Errorf("/privacy after a notice: %d %.500s", st, page)
	}

	b := n.must(200, "GET", "/api/v1/clients/"+f.c1ID+"/fhir", f.c1, nil)
	var org map[string]any
	var askFirst bool
	entries, _ := b.Body["entry"].([]any)
	for _, e := range entries {
		res, _ := e.(map[string]any)["resource"].(map[string]any)
		switch res["resourceType"] {
		case "Organization":
			org = res
		case "Consent":
			if o, _ := res["organization"].([]any); len(o) != 1 {
				t.Errorf("Consent %v has no managing organization", res["id"])
			}
			prov, _ := res["provision"].(map[string]any)
			nested, _ := prov["provision"].([]any)
			for _, p := range nested {
				if mods, _ := p.(map[string]any)["modifierExtension"].([]any); len(mods) > 0 {
					askFirst = true
				}
			}
		}
	}
	if org == nil || org["name"] != "Quiet Hands Bodywork" {
		t.Errorf("the bundle's Organization: %v", org)
	}
	if !askFirst {
		t.Error("no permit carries ask-first as a modifier extension")
	}
	urls := map[string]bool{}
	collectExtensionURLs(b.Body, urls)
	if !urls[n.url+"/fhir/StructureDefinition/ask-first"] || !urls[n.url+"/fhir/StructureDefinition/jurisdiction"] {
		t.Errorf("extension URLs %v", urls)
	}
	for u := range urls {
		if strings.HasPrefix(u, "http://hl7.org/") {
			continue
		}
		if !strings.HasPrefix(u, n.url+"/fhir/StructureDefinition/") {
			t.Errorf("extension %s is not served by this practice", u)
			continue
		}
		st, raw := get(u)
		var sd map[string]any
		if err := json.Unmarshal(raw, &sd); st != 200 || err != nil || sd["resourceType"] != "StructureDefinition" || sd["url"] != u {
			t.Errorf("GET %s: %d %.200s", u, st, raw)
		}
	}
	if st, _ := get(n.url + "/fhir/StructureDefinition/no-such-extension"); st != 404 {
		t.Errorf("an unknown definition: %d", st)
	}
}
