package main

import (
	"holdspace/sqlite/sqlitetest"
	"testing"
	"time"
)

// practiceFixture is a small practice: an admin, two practitioners (p1
// qualified for internal anorectal work), and two clients, c1 assigned to
// p1 and c2 assigned to p2, each able to log in.
type practiceFixture struct {
	n                      *node
	admin, p1, p2, c1, c2  string // tokens
	p1ID, p2ID, c1ID, c2ID string
}

const fixturePassword = "a long test password"

func newPractice(t *testing.T, env map[string]string) *practiceFixture {
	t.Helper()
	data := freshData(t)
	addUser(t, data, "admin", "admin@example.test", "Admin One", fixturePassword)
	n := start(t, data, env, "serve")
	f := &practiceFixture{n: n}
	f.admin = n.login("admin@example.test", fixturePassword)
	f.p1ID = n.must(201, "POST", "/api/v1/practitioners", f.admin, map[string]string{"name": "Pat One", "email": "p1@example.test", "password": fixturePassword}).str("id")
	f.p2ID = n.must(201, "POST", "/api/v1/practitioners", f.admin, map[string]string{"name": "Pat Two", "email": "p2@example.test", "password": fixturePassword}).str("id")
	now := time.Now().UTC()
	n.must(201, "POST", "/api/v1/practitioners/"+f.p1ID+"/credentials", f.admin, map[string]any{
		"kind": "Pelvic health licence", "issuer": "Test College", "number": "T-1",
		"valid_from": now.AddDate(-1, 0, 0).Format(time.DateOnly), "valid_until": now.AddDate(1, 0, 0).Format(time.DateOnly),
		"covers": []string{"internal-anorectal", "trauma-informed", "intimate-external"}})
	f.c1ID = n.must(201, "POST", "/api/v1/clients", f.admin, map[string]any{"name": "Casey Client", "email": "c1@example.test",
		"password": fixturePassword, "birth_date": "1985-05-05", "anatomy": map[string]bool{"prostate": true},
		"practitioner_ids": []string{f.p1ID}}).str("id")
	f.c2ID = n.must(201, "POST", "/api/v1/clients", f.admin, map[string]any{"name": "Dana Client", "email": "c2@example.test",
		"password": fixturePassword, "birth_date": "1990-01-01", "anatomy": map[string]bool{"vagina": true, "breasts": true},
		"practitioner_ids": []string{f.p2ID}}).str("id")
	f.p1 = n.login("p1@example.test", fixturePassword)
	f.p2 = n.login("p2@example.test", fixturePassword)
	f.c1 = n.login("c1@example.test", fixturePassword)
	f.c2 = n.login("c2@example.test", fixturePassword)
	return f
}

// clearAnswers is an intake with nothing to flag.
func clearAnswers() map[string]any {
	return map[string]any{"fever": false, "dvt": false, "anticoagulants": false, "recent-surgery": false,
		"cancer-treatment": false, "hypertension-unstable": false, "stroke-recent": false,
		"prostatitis-symptoms": false, "prostate-cancer": false, "prostate-procedure-healing": false,
		"rectal-bleeding": false, "anal-acute": false, "anorectal-disease": false, "prolapse-repair": false,
		"seed-implants": false, "sti-active": false, "immunosuppressed": false, "latex-allergy": false,
		"trauma-history": "no"}
}

// signedAgreement has c1 draft and sign a therapeutic agreement and returns
// its id.
func (f *practiceFixture) signedAgreement(t *testing.T, grants []map[string]string) string {
	t.Helper()
	id := f.n.must(201, "POST", "/api/v1/clients/"+f.c1ID+"/agreements", f.c1, map[string]any{"intent": "therapeutic", "grants": grants}).str("id")
	r := f.n.must(200, "POST", "/api/v1/agreements/"+id+"/sign", f.c1, nil)
	if r.str("status") != "active" || r.str("signed_at") == "" {
		t.Fatalf("sign: %s", r.Raw)
	}
	return id
}

func (f *practiceFixture) session(t *testing.T) string {
	t.Helper()
	return f.n.must(201, "POST", "/api/v1/sessions", f.p1, map[string]any{"client_id": f.c1ID, "practitioner_id": f.p1ID,
		"intent": "therapeutic", "starts_at": time.Now().UTC().Format(time.RFC3339)}).str("id")
}

func grant(region, technique, answer string) map[string]string {
	return map[string]string{"region": region, "technique": technique, "answer": answer}
}

// freshData returns a new data directory holding a migrated, empty
// database (a copy of a template migrated once, see sqlitetest), as the
// first start would leave it: migrating from nothing took 0.7 s of each
// test under the race detector. Tests of the migrations and of a first
// start use t.TempDir().
func freshData(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	sqlitetest.Seed(t, dir)
	return dir
}
