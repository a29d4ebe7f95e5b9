package fhir

import (
	"encoding/json"
	"regexp"
	"testing"
	"time"

	"holdspace"
	"holdspace/catalogue"
	"holdspace/consent"
	"holdspace/practice"
	"holdspace/screening"
)

var uuidV8 = regexp.MustCompile(`^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestNewBundle(t *testing.T) {
	p, _ := NewPatient(PatientInput{ID: "cli_1"})
	pr, _ := NewPractitioner(PractitionerInput{ID: "prc_1"})
	raw := json.RawMessage(`{"resourceType":"Basic","id":"b1"}`)
	generic := map[string]any{"resourceType": "Observation", "id": "o1"}

	t.Run("WithBase", func(t *testing.T) {
		b, err := NewBundle("exp_1", "https://practice.example/fhir/", tRef, p, &pr, raw, generic)
		if err != nil {
			t.Fatal(err)
		}
		m := decoded(t, b)
		if m["resourceType"] != "Bundle" || m["type"] != "collection" || m["id"] != "exp-1" || m["timestamp"] != utc(tRef) {
			t.Errorf("bundle header %v %v %v %v", m["resourceType"], m["type"], m["id"], m["timestamp"])
		}
		wantURLs := []string{"Patient/cli-1", "Practitioner/prc-1", "Basic/b1", "Observation/o1"}
		entries := jlist(m, "entry")
		if len(entries) != len(wantURLs) {
			t.Fatalf("%d entries", len(entries))
		}
		for i, e := range entries {
			if jget(e, "fullUrl") != "https://practice.example/fhir/"+wantURLs[i] {
				t.Errorf("entry %d fullUrl %v", i, jget(e, "fullUrl"))
			}
			if typ, id := jget(e, "resource", "resourceType"), jget(e, "resource", "id"); typ.(string)+"/"+id.(string) != wantURLs[i] {
				t.Errorf("entry %d resource %v/%v", i, typ, id)
			}
		}
	})

	t.Run("WithoutBase", func(t *testing.T) {
		b1, err := NewBundle("", "", time.Time{}, p, pr)
		if err != nil {
			t.Fatal(err)
		}
		b2, _ := NewBundle("", "", time.Time{}, pr, p)
		m := decoded(t, b1)
		if _, ok := m["id"]; ok {
			t.Error("empty id written")
		}
		if _, ok := m["timestamp"]; ok {
			t.Error("zero timestamp written")
		}
		u0, u1 := b1.Entry[0].FullURL, b1.Entry[1].FullURL
		if !uuidV8.MatchString(u0) || !uuidV8.MatchString(u1) || u0 == u1 {
			t.Errorf("fullUrls %q %q", u0, u1)
		}
		if b2.Entry[1].FullURL != u0 || b2.Entry[0].FullURL != u1 {
			t.Error("the same resource must get the same fullUrl")
		}
	})

	t.Run("Empty", func(t *testing.T) {
		b, err := NewBundle("", "", tRef)
		if err != nil {
			t.Fatal(err)
		}
		if e, ok := decoded(t, b)["entry"].([]any); !ok || len(e) != 0 {
			t.Errorf("empty bundle entry = %v, want []", e)
		}
	})

	var nilPatient *Patient
	for name, tc := range map[string]struct {
		id        string
		resources []any
		reason    string
		field     string
	}{
		"ErrDuplicate":   {"", []any{p, p}, "duplicate_entry", "entry[1]"},
		"ErrNil":         {"", []any{p, nil}, "invalid_resource", "entry[1]"},
		"ErrNilPointer":  {"", []any{nilPatient}, "invalid_resource", "entry[0]"},
		"ErrNoID":        {"", []any{map[string]any{"resourceType": "Patient"}}, "invalid_resource", "entry[0]"},
		"ErrNumericID":   {"", []any{json.RawMessage(`{"resourceType":"Patient","id":7}`)}, "invalid_resource", "entry[0]"},
		"ErrNotObject":   {"", []any{42}, "invalid_resource", "entry[0]"},
		"ErrBundleID":    {"a b", nil, "invalid_id", "id"},
		"ErrEmptyStruct": {"", []any{Patient{}}, "invalid_resource", "entry[0]"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := NewBundle(tc.id, "", tRef, tc.resources...)
			wantReason(t, err, holdspace.EINVALID, tc.reason, tc.field)
		})
	}
	t.Run("ErrUnmarshalable", func(t *testing.T) {
		_, err := NewBundle("", "", tRef, map[string]any{"resourceType": "X", "id": "y"}, struct{ C chan int }{})
		if err == nil || holdspace.ErrorCode(err) != holdspace.EINTERNAL {
			t.Fatalf("err = %v, want an internal error", err)
		}
	})
}

func TestIdentify(t *testing.T) {
	q, ok := screening.Lookup(screening.IntakeV1)
	if !ok {
		t.Fatal("intake-v1 missing")
	}
	for _, tc := range []struct {
		v       any
		typ, id string
	}{
		{Patient{ResourceType: "Patient", ID: "p"}, "Patient", "p"},
		{&Encounter{ResourceType: "Encounter", ID: "e"}, "Encounter", "e"},
		{map[string]any{"resourceType": "Basic", "id": "b"}, "Basic", "b"},
		{json.RawMessage(`{"id":"r","resourceType":"Basic"}`), "Basic", "r"},
		{Questionnaire(q), "Questionnaire", "intake-v1"},
	} {
		typ, id, err := Identify(tc.v)
		if err != nil || typ != tc.typ || id != tc.id {
			t.Errorf("Identify(%T) = %q %q %v; want %q %q", tc.v, typ, id, err, tc.typ, tc.id)
		}
	}
}

// fullBundle builds a bundle holding every resource kind holdspace exports
// for one client.
func fullBundle(tb testing.TB) Bundle {
	tb.Helper()
	check := func(err error) {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
	}
	patient, err := NewPatient(PatientInput{ID: "cli_abc234", Name: "Robin", Email: "robin@example.org", BirthDate: "1988-07-01",
		Anatomy: catalogue.Anatomy{Prostate: true}})
	check(err)
	practitioner, err := NewPractitioner(PractitionerInput{ID: "prc_x", Name: "Sam", Credentials: []practice.Credential{{
		Kind: "Pelvic health physiotherapist", Issuer: "College", Number: "1", ValidFrom: tRef.AddDate(-1, 0, 0),
		ValidUntil: tRef.AddDate(1, 0, 0), Covers: []string{catalogue.CoverInternalAnorectal}}}})
	check(err)
	v1 := sampleAgreement()
	v1.ID, v1.Version, v1.Supersedes, v1.SignMethod = "agr_zero", 1, "", consent.SignByClient
	v1.SignedAt = tRef.Add(-24 * time.Hour)
	v1.CreatedAt = v1.SignedAt.Add(-time.Hour)
	v2 := sampleAgreement()
	v2.Revocations = []consent.Revocation{{At: tRef.Add(2 * time.Hour), Regions: []string{"perineum"}, ByRole: "client"}}
	c1, err := NewConsent(ConsentInput{Agreement: v1, Status: consent.StatusSuperseded, SupersededAt: v2.SignedAt})
	check(err)
	c2, err := NewConsent(ConsentInput{Agreement: v2, Status: consent.StatusActive, AttestedBy: "prc_x"})
	check(err)
	enc, err := NewEncounter(EncounterInput{ID: "ses_1", ClientID: "cli_abc234", PractitionerID: "prc_x",
		State: practice.Closed, Intent: catalogue.Therapeutic, StartsAt: tRef, BegunAt: tRef.Add(time.Minute), ClosedAt: tRef.Add(time.Hour)})
	check(err)
	q, ok := screening.Lookup(screening.IntakeV1)
	if !ok {
		tb.Fatal("intake-v1 missing")
	}
	answers := screening.Answers{"fever": false, "anticoagulants": true, "trauma-history": "prefer-not-to-say"}
	qr, err := QuestionnaireResponse(q, answers, Reference{Reference: patient.ResourceType + "/" + patient.ID}, tRef)
	check(err)
	qr.ID = "scr-1"
	b, err := NewBundle("fhir_cli_abc234", "", tRef, patient, practitioner, c1, c2, enc, Questionnaire(q), qr)
	check(err)
	return b
}

func TestFullBundleJSON(t *testing.T) {
	raw, err := json.Marshal(fullBundle(t))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	checkTimes(t, m, "Bundle")
	if m["type"] != "collection" {
		t.Errorf("type %v", m["type"])
	}
	present := map[string]bool{}
	kinds := map[string]int{}
	for i, e := range jlist(m, "entry") {
		typ, _ := jget(e, "resource", "resourceType").(string)
		id, _ := jget(e, "resource", "id").(string)
		if typ == "" || !fhirIDPattern.MatchString(id) {
			t.Errorf("entry %d: resourceType %q id %q", i, typ, id)
		}
		if u, _ := jget(e, "fullUrl").(string); !uuidV8.MatchString(u) {
			t.Errorf("entry %d fullUrl %q", i, u)
		}
		present[typ+"/"+id] = true
		kinds[typ]++
	}
	for typ, n := range map[string]int{"Patient": 1, "Practitioner": 1, "Consent": 2, "Encounter": 1, "Questionnaire": 1, "QuestionnaireResponse": 1} {
		if kinds[typ] != n {
			t.Errorf("%d %s entries, want %d", kinds[typ], typ, n)
		}
	}
	// Every literal reference inside the bundle resolves to an entry.
	var refs []string
	var walkRefs func(v any)
	walkRefs = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				if s, ok := c.(string); ok && k == "reference" {
					refs = append(refs, s)
				}
				walkRefs(c)
			}
		case []any:
			for _, c := range x {
				walkRefs(c)
			}
		}
	}
	walkRefs(m)
	if len(refs) < 8 {
		t.Errorf("only %d references found: %v", len(refs), refs)
	}
	for _, r := range refs {
		if !present[r] {
			t.Errorf("reference %q does not resolve inside the bundle", r)
		}
	}
	if !present["Consent/agr-zero"] {
		t.Error("the superseded version must be in the bundle")
	}
}

func BenchmarkFullBundle(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(fullBundle(b)); err != nil {
			b.Fatal(err)
		}
	}
}
