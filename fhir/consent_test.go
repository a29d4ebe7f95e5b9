package fhir

import (
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"holdspace"
	"holdspace/catalogue"
	"holdspace/consent"
)

func mustConsent(tb testing.TB, in ConsentInput) map[string]any {
	tb.Helper()
	c, err := NewConsent(in)
	if err != nil {
		tb.Fatalf("NewConsent: %v", err)
	}
	return decoded(tb, c)
}

// permitKey names a permit provision by its region and technique codes.
func permitKey(p any) string {
	return jget(p, "code", 0, "coding", 0, "code").(string) + "/" + jget(p, "action", 0, "coding", 0, "code").(string)
}

func TestNewConsent(t *testing.T) {
	a := sampleAgreement()
	m := mustConsent(t, ConsentInput{Agreement: a, Status: consent.StatusActive, AttestedBy: "prc_x"})
	checkTimes(t, m, "Consent")

	for _, tc := range []struct {
		path []any
		want any
	}{
		{[]any{"resourceType"}, "Consent"},
		{[]any{"id"}, "agr-one"},
		{[]any{"meta", "versionId"}, "2"},
		{[]any{"identifier", 0, "system"}, SystemAgreement},
		{[]any{"identifier", 0, "value"}, "agr_one"},
		{[]any{"identifier", 1, "system"}, SystemAgreementVersion},
		{[]any{"identifier", 1, "value"}, "cli_abc234/therapeutic/2"},
		{[]any{"status"}, "active"},
		{[]any{"scope", "coding", 0, "system"}, "http://terminology.hl7.org/CodeSystem/consentscope"},
		{[]any{"scope", "coding", 0, "code"}, "treatment"},
		{[]any{"category", 0, "coding", 0, "system"}, "http://loinc.org"},
		{[]any{"category", 0, "coding", 0, "code"}, "59284-0"},
		{[]any{"category", 0, "coding", 0, "display"}, "Patient Consent"},
		{[]any{"patient", "reference"}, "Patient/cli-abc234"},
		{[]any{"performer", 0, "reference"}, "Patient/cli-abc234"},
		{[]any{"dateTime"}, utc(a.SignedAt)},
		{[]any{"policyRule", "coding", 0, "system"}, "http://terminology.hl7.org/CodeSystem/v3-ActCode"},
		{[]any{"policyRule", "coding", 0, "code"}, "OPTIN"},
		{[]any{"provision", "type"}, "deny"},
		{[]any{"provision", "period", "start"}, utc(a.SignedAt)},
		{[]any{"provision", "period", "end"}, utc(a.ValidUntil)},
	} {
		if got := jget(m, tc.path...); got != tc.want {
			t.Errorf("%v = %v, want %v", tc.path, got, tc.want)
		}
	}
	if len(jlist(m, "performer")) != 1 {
		t.Errorf("performer = %v, want only the client", m["performer"])
	}
	if jget(m, "provision", "code") != nil || jget(m, "provision", "purpose") != nil {
		t.Error("the root deny must deny everything: no code, no purpose")
	}

	// One permit per yes/ask grant, in grant order; the "no" grant is left
	// to the root deny.
	permits := jlist(m, "provision", "provision")
	want := []struct {
		key string
		ask bool
	}{{"glutes/massage", false}, {"perineum/touch", true}, {"prostate/pressure", false}}
	if len(permits) != len(want) {
		t.Fatalf("%d nested provisions, want %d: %v", len(permits), len(want), permits)
	}
	for i, p := range permits {
		if permitKey(p) != want[i].key {
			t.Errorf("permit %d = %s, want %s", i, permitKey(p), want[i].key)
		}
		if jget(p, "type") != "permit" {
			t.Errorf("permit %d type %v", i, jget(p, "type"))
		}
		if jget(p, "code", 0, "coding", 0, "system") != SystemRegion || jget(p, "action", 0, "coding", 0, "system") != SystemTechnique {
			t.Errorf("permit %d systems: %v", i, p)
		}
		if jget(p, "purpose", 0, "system") != SystemIntent || jget(p, "purpose", 0, "code") != "therapeutic" {
			t.Errorf("permit %d purpose %v", i, jget(p, "purpose"))
		}
		if jget(p, "period", "start") != utc(a.SignedAt) || jget(p, "period", "end") != utc(a.ValidUntil) {
			t.Errorf("permit %d period %v", i, jget(p, "period"))
		}
		// Ask-first is a modifier extension: a system that does not know
		// it must not read the permit as unconditional.
		var ask []any
		for _, e := range jlist(p, "modifierExtension") {
			if jget(e, "url") == ExtAskFirst {
				ask = append(ask, e)
			}
		}
		if got := len(ask) == 1 && jget(ask[0], "valueBoolean") == true; got != want[i].ask {
			t.Errorf("permit %d ask-first modifier = %v, want %v", i, got, want[i].ask)
		}
		if len(extensionsAt(p, ExtAskFirst)) != 0 {
			t.Errorf("permit %d carries ask-first as an ordinary extension, which a receiver may ignore", i)
		}
	}
	if d := jget(permits[2], "code", 0, "coding", 0, "display"); d != "Prostate (internal, via rectum)" {
		t.Errorf("region display %v", d)
	}

	if e := extensionsAt(m, ExtSignMethod); len(e) != 1 || jget(e[0], "valueCode") != "in_person" {
		t.Errorf("sign method extension %v", e)
	}
	if e := extensionsAt(m, ExtAttestedBy); len(e) != 1 || jget(e[0], "valueReference", "reference") != "Practitioner/prc-x" {
		t.Errorf("attested-by extension %v", e)
	}
	if e := extensionsAt(m, ExtSupersedes); len(e) != 1 || jget(e[0], "valueReference", "reference") != "Consent/agr-zero" {
		t.Errorf("supersedes extension %v", e)
	}
}

func TestConsentStatus(t *testing.T) {
	for _, tc := range []struct {
		in   consent.Status
		want string
	}{
		{consent.StatusDraft, "draft"},
		{consent.StatusActive, "active"},
		{consent.StatusSuperseded, "inactive"},
		{consent.StatusRevoked, "inactive"},
		{consent.StatusExpired, "inactive"},
	} {
		got, ok := ConsentStatus(tc.in)
		if !ok || got != tc.want {
			t.Errorf("ConsentStatus(%s) = %q, %v; want %q", tc.in, got, ok, tc.want)
		}
		m := mustConsent(t, ConsentInput{Agreement: sampleAgreement(), Status: tc.in})
		if m["status"] != tc.want {
			t.Errorf("NewConsent status %s → %v, want %s", tc.in, m["status"], tc.want)
		}
	}
	if _, ok := ConsentStatus("withdrawn"); ok {
		t.Error("unknown status mapped")
	}
}

func TestNewConsentErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		mut           func(*ConsentInput)
		reason, field string
	}{
		"ErrStatus":     {func(in *ConsentInput) { in.Status = "gone" }, "invalid_status", "status"},
		"ErrID":         {func(in *ConsentInput) { in.Agreement.ID = "" }, "invalid_id", "id"},
		"ErrClientID":   {func(in *ConsentInput) { in.Agreement.ClientID = "a b" }, "invalid_id", "client_id"},
		"ErrIntent":     {func(in *ConsentInput) { in.Agreement.Intent = "both" }, "invalid_intent", "intent"},
		"ErrAttestedBy": {func(in *ConsentInput) { in.AttestedBy = "x/y" }, "invalid_id", "attested_by"},
		"ErrSupersedes": {func(in *ConsentInput) { in.Agreement.Supersedes = "é" }, "invalid_id", "supersedes"},
	} {
		t.Run(name, func(t *testing.T) {
			in := ConsentInput{Agreement: sampleAgreement(), Status: consent.StatusActive}
			tc.mut(&in)
			_, err := NewConsent(in)
			wantReason(t, err, holdspace.EINVALID, tc.reason, tc.field)
		})
	}
}

func TestConsentDraft(t *testing.T) {
	a := sampleAgreement()
	a.SignedAt, a.SignMethod, a.ValidUntil = time.Time{}, "", time.Time{}
	m := mustConsent(t, ConsentInput{Agreement: a, Status: consent.StatusDraft})
	if m["status"] != "draft" || m["dateTime"] != utc(a.CreatedAt) {
		t.Errorf("draft status %v dateTime %v", m["status"], m["dateTime"])
	}
	if p := jget(m, "provision", "period"); p != nil {
		t.Errorf("draft root period %v: nothing is in force yet", p)
	}
	if len(extensionsAt(m, ExtSignMethod)) != 0 {
		t.Error("draft has a sign method")
	}
	if n := len(jlist(m, "provision", "provision")); n != 3 {
		t.Errorf("draft permits %d, want the 3 proposed", n)
	}
}

func TestConsentRevocations(t *testing.T) {
	a := sampleAgreement()
	partial := tRef.Add(24 * time.Hour)
	whole := tRef.Add(48 * time.Hour)
	a.Revocations = []consent.Revocation{
		{At: partial, Regions: []string{"perineum"}, ByRole: "client"},
		{At: whole, ByRole: "practitioner"},
	}

	t.Run("Partial", func(t *testing.T) {
		b := a
		b.Revocations = a.Revocations[:1]
		m := mustConsent(t, ConsentInput{Agreement: b, Status: consent.StatusActive})
		for _, p := range jlist(m, "provision", "provision") {
			want := utc(b.ValidUntil)
			if permitKey(p) == "perineum/touch" {
				want = utc(partial)
			}
			if jget(p, "period", "end") != want || jget(p, "period", "start") != utc(b.SignedAt) {
				t.Errorf("%s period %v, want end %s", permitKey(p), jget(p, "period"), want)
			}
		}
		if jget(m, "provision", "period", "end") != utc(b.ValidUntil) {
			t.Errorf("a partial revocation must not end the term: %v", jget(m, "provision", "period"))
		}
		if jget(m, "meta", "lastUpdated") != utc(partial) {
			t.Errorf("lastUpdated %v", jget(m, "meta", "lastUpdated"))
		}
	})

	t.Run("Whole", func(t *testing.T) {
		m := mustConsent(t, ConsentInput{Agreement: a, Status: consent.StatusRevoked})
		if m["status"] != "inactive" || jget(m, "provision", "period", "end") != utc(whole) {
			t.Errorf("status %v root period %v", m["status"], jget(m, "provision", "period"))
		}
		for _, p := range jlist(m, "provision", "provision") {
			want := utc(whole)
			if permitKey(p) == "perineum/touch" {
				want = utc(partial)
			}
			if jget(p, "period", "end") != want {
				t.Errorf("%s end %v, want %s", permitKey(p), jget(p, "period", "end"), want)
			}
		}
		revs := extensionsAt(m, ExtRevocation)
		if len(revs) != 2 {
			t.Fatalf("revocation extensions %v", revs)
		}
		if r := extensionsAt(revs[0], "region"); len(r) != 1 || jget(r[0], "valueCode") != "perineum" {
			t.Errorf("first revocation regions %v", r)
		}
		if r := extensionsAt(revs[1], "region"); len(r) != 0 {
			t.Errorf("whole revocation lists regions %v", r)
		}
		if b := extensionsAt(revs[1], "byRole"); len(b) != 1 || jget(b[0], "valueCode") != "practitioner" {
			t.Errorf("byRole %v", b)
		}
		if at := extensionsAt(revs[1], "at"); len(at) != 1 || jget(at[0], "valueDateTime") != utc(whole) {
			t.Errorf("at %v", at)
		}
	})

	t.Run("Superseded", func(t *testing.T) {
		b := a
		b.Revocations = nil
		next := tRef.Add(10 * 24 * time.Hour)
		m := mustConsent(t, ConsentInput{Agreement: b, Status: consent.StatusSuperseded, SupersededAt: next})
		if jget(m, "provision", "period", "end") != utc(next) || jget(m, "provision", "provision", 0, "period", "end") != utc(next) {
			t.Errorf("superseded periods %v", jget(m, "provision"))
		}
	})

	t.Run("RevokedBeforeSigned", func(t *testing.T) {
		b := a
		b.Revocations = []consent.Revocation{{At: tRef.Add(-time.Minute), ByRole: "client"}}
		m := mustConsent(t, ConsentInput{Agreement: b, Status: consent.StatusRevoked})
		if jget(m, "provision", "period", "end") != utc(tRef) {
			t.Errorf("period end before start must clamp to the start: %v", jget(m, "provision", "period"))
		}
	})
}

// randomAgreement builds an agreement from r: random grants, optional
// signature, expiry and revocations. Codes may be outside the catalogue.
func randomAgreement(r *rand.Rand) consent.Agreement {
	regions := append(catalogue.RegionCodes(), "nowhere")
	techs := append(catalogue.TechniqueCodes(), "poke")
	answers := []catalogue.Answer{catalogue.Yes, catalogue.No, catalogue.Ask, "maybe"}
	a := consent.Agreement{
		ID: "agr_" + strconv.Itoa(r.IntN(1000)), ClientID: "cli_" + strconv.Itoa(r.IntN(1000)),
		Intent: catalogue.Intents()[r.IntN(2)], Version: r.IntN(5) + 1,
		CreatedAt: tRef.Add(time.Duration(r.IntN(1000)) * time.Second),
	}
	for range r.IntN(12) {
		a.Grants = append(a.Grants, consent.Grant{Region: regions[r.IntN(len(regions))], Technique: techs[r.IntN(len(techs))], Answer: answers[r.IntN(len(answers))]})
	}
	if r.IntN(4) > 0 {
		a.SignedAt = a.CreatedAt.Add(time.Duration(r.IntN(1000)) * time.Second)
		a.SignMethod = consent.SignByClient
	}
	if r.IntN(2) == 0 {
		a.ValidUntil = tRef.Add(time.Duration(r.IntN(100000)) * time.Second)
	}
	for range r.IntN(3) {
		rv := consent.Revocation{At: tRef.Add(time.Duration(r.IntN(100000)) * time.Second), ByRole: "client"}
		for range r.IntN(3) {
			rv.Regions = append(rv.Regions, regions[r.IntN(len(regions))])
		}
		a.Revocations = append(a.Revocations, rv)
	}
	return a
}

// checkConsentInvariants asserts what every Consent must satisfy whatever
// the agreement: valid JSON, ppc-1, a root deny, one permit per yes/ask
// grant in order, start <= end for every period, RFC 3339 UTC times.
func checkConsentInvariants(tb testing.TB, a consent.Agreement, c Consent) {
	tb.Helper()
	b, err := json.Marshal(c)
	if err != nil || !json.Valid(b) {
		tb.Fatalf("marshal: %v", err)
	}
	m := decoded(tb, c)
	checkTimes(tb, m, "Consent")
	if m["policyRule"] == nil && m["policy"] == nil {
		tb.Fatal("ppc-1: neither policy nor policyRule")
	}
	if jget(m, "provision", "type") != "deny" {
		tb.Fatalf("root provision %v", m["provision"])
	}
	var want []string
	for _, g := range a.Grants {
		if g.Answer == catalogue.Yes || g.Answer == catalogue.Ask {
			want = append(want, g.Region+"/"+g.Technique)
		}
	}
	permits := jlist(m, "provision", "provision")
	if len(permits) != len(want) {
		tb.Fatalf("%d permits, want %d", len(permits), len(want))
	}
	periods := []any{jget(m, "provision", "period")}
	for i, p := range permits {
		if jget(p, "type") != "permit" || permitKey(p) != want[i] {
			tb.Fatalf("permit %d = %v %s, want permit %s", i, jget(p, "type"), permitKey(p), want[i])
		}
		periods = append(periods, jget(p, "period"))
	}
	for _, p := range periods {
		s, _ := jget(p, "start").(string)
		e, _ := jget(p, "end").(string)
		if s == "" || e == "" {
			continue
		}
		st, _ := time.Parse(time.RFC3339Nano, s)
		en, _ := time.Parse(time.RFC3339Nano, e)
		if en.Before(st) {
			tb.Fatalf("per-1: period %v ends before it starts", p)
		}
	}
}

func TestConsentProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	statuses := []consent.Status{consent.StatusDraft, consent.StatusActive, consent.StatusSuperseded, consent.StatusRevoked, consent.StatusExpired}
	for range 500 {
		a := randomAgreement(r)
		c, err := NewConsent(ConsentInput{Agreement: a, Status: statuses[r.IntN(len(statuses))]})
		if err != nil {
			t.Fatalf("NewConsent(%+v): %v", a, err)
		}
		checkConsentInvariants(t, a, c)
	}
}

func FuzzNewConsent(f *testing.F) {
	f.Add(uint64(1), uint64(2))
	f.Add(uint64(42), uint64(0))
	f.Add(uint64(0), uint64(7))
	f.Fuzz(func(t *testing.T, s1, s2 uint64) {
		a := randomAgreement(rand.New(rand.NewPCG(s1, s2)))
		c, err := NewConsent(ConsentInput{Agreement: a, Status: consent.StatusActive})
		if err != nil {
			t.Fatalf("NewConsent: %v", err)
		}
		checkConsentInvariants(t, a, c)
	})
}

func BenchmarkNewConsent(b *testing.B) {
	a := sampleAgreement()
	a.Revocations = []consent.Revocation{{At: tRef.Add(time.Hour), Regions: []string{"perineum"}, ByRole: "client"}}
	in := ConsentInput{Agreement: a, Status: consent.StatusActive, AttestedBy: "prc_x"}
	b.ReportAllocs()
	for b.Loop() {
		c, err := NewConsent(in)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := json.Marshal(c); err != nil {
			b.Fatal(err)
		}
	}
}
