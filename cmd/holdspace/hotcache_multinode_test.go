package main

import (
	"slices"
	"testing"
)

// TestMultiNodeCachesExact: node B answers tokens and decisions from
// memory once warm (issue 16), and every write acknowledged by node A is
// in force for B's very next request, with no notification awaited: a
// revoke and a stop deny, taking the practitioner off the client hides the
// session, and a token logged out, signed out elsewhere or of a disabled
// account is refused.
func TestMultiNodeCachesExact(t *testing.T) {
	t.Parallel()
	c := newCluster(t)
	a, b := c.start(), c.start()
	pract, client, clientID, practID := clusterPractice(t, c, a)
	admin := a.login("admin@example.test", fixturePassword)
	ag, ses := liveSession(t, a.node, pract, client, clientID, practID)
	decideB := func(region string) (string, []string) {
		t.Helper()
		r := b.must(200, "POST", "/api/v1/decisions", pract, map[string]string{"session_id": ses, "region": region, "technique": "massage"})
		var codes []string
		rs, _ := r.Body["reasons"].([]any)
		for _, x := range rs {
			codes = append(codes, x.(map[string]any)["code"].(string))
		}
		return r.str("decision"), codes
	}
	for range 3 { // warm B's caches
		if d, codes := decideB("shoulders"); d != "permit" {
			t.Fatalf("B: shoulders %s %v before any revoke, want permit", d, codes)
		}
	}
	a.must(200, "POST", "/api/v1/agreements/"+ag+"/revoke", client, map[string]any{"regions": []string{"shoulders"}})
	if d, codes := decideB("shoulders"); d != "deny" || !slices.Contains(codes, "revoked") {
		t.Errorf("B after A acknowledged the revoke: %s %v, want deny (revoked)", d, codes)
	}
	a.must(201, "POST", "/api/v1/sessions/"+ses+"/events", client, map[string]string{"type": "stop"})
	if d, codes := decideB("feet"); d != "deny" || !slices.Contains(codes, "stopped") {
		t.Errorf("B after A acknowledged the stop: %s %v, want deny (stopped)", d, codes)
	}
	a.must(201, "POST", "/api/v1/sessions/"+ses+"/events", client, map[string]string{"type": "resume"})
	if d, codes := decideB("feet"); d != "permit" {
		t.Fatalf("B after resume: feet %s %v, want permit", d, codes)
	}
	a.must(204, "PUT", "/api/v1/clients/"+clientID+"/practitioners", admin, map[string]any{"practitioner_ids": []string{}})
	b.must(404, "POST", "/api/v1/decisions", pract, map[string]string{"session_id": ses, "region": "feet", "technique": "massage"})

	// Tokens: each validated on B (twice: the second from memory), then
	// ended on A, then refused on B.
	warm := func(tok string) {
		t.Helper()
		for range 2 {
			b.must(200, "GET", "/api/v1/me", tok, nil)
		}
	}
	warm(pract)
	a.must(204, "DELETE", "/api/v1/auth/token", pract, nil)
	b.must(401, "GET", "/api/v1/me", pract, nil)

	keep, other := a.login("p@example.test", fixturePassword), a.login("p@example.test", fixturePassword)
	warm(keep)
	warm(other)
	a.must(204, "POST", "/api/v1/me/sessions/sign-out-others", keep, nil)
	b.must(401, "GET", "/api/v1/me", other, nil)
	b.must(200, "GET", "/api/v1/me", keep, nil)

	warm(client)
	a.must(204, "POST", "/api/v1/users/"+clientID+"/disable", admin, nil)
	b.must(401, "GET", "/api/v1/me", client, nil)
}
