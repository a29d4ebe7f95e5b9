package fhir

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"holdspace"
	"holdspace/catalogue"
	"holdspace/practice"
)

func TestNewPatient(t *testing.T) {
	p, err := NewPatient(PatientInput{ID: "cli_abc234", Name: " Robin Example ", Email: "robin@example.org",
		BirthDate: "1988-07-01", Anatomy: catalogue.Anatomy{Prostate: true}})
	if err != nil {
		t.Fatal(err)
	}
	m := decoded(t, p)
	for _, tc := range []struct {
		path []any
		want any
	}{
		{[]any{"resourceType"}, "Patient"},
		{[]any{"id"}, "cli-abc234"},
		{[]any{"identifier", 0, "system"}, "urn:holdspace:client"},
		{[]any{"identifier", 0, "value"}, "cli_abc234"},
		{[]any{"name", 0, "text"}, "Robin Example"},
		{[]any{"telecom", 0, "system"}, "email"},
		{[]any{"telecom", 0, "value"}, "robin@example.org"},
		{[]any{"birthDate"}, "1988-07-01"},
	} {
		if got := jget(m, tc.path...); got != tc.want {
			t.Errorf("%v = %v, want %v", tc.path, got, tc.want)
		}
	}
	if _, ok := m["gender"]; ok {
		t.Error("anatomy must never become gender")
	}
	ext := extensionsAt(m, ExtAnatomy)
	if len(ext) != 1 {
		t.Fatalf("anatomy extension %v", m["extension"])
	}
	for sub, want := range map[string]bool{"prostate": true, "vagina": false, "breasts": false} {
		e := extensionsAt(ext[0], sub)
		if len(e) != 1 || jget(e[0], "valueBoolean") != want {
			t.Errorf("anatomy %s = %v, want %v", sub, e, want)
		}
	}

	t.Run("Minimal", func(t *testing.T) {
		p, err := NewPatient(PatientInput{ID: "cli_x"})
		if err != nil {
			t.Fatal(err)
		}
		m := decoded(t, p)
		for _, k := range []string{"name", "telecom", "birthDate"} {
			if _, ok := m[k]; ok {
				t.Errorf("%s written for an empty value", k)
			}
		}
	})
}

func TestPatientBirthDate(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"1988-07-01", true}, {"1988-07", true}, {"1988", true}, {"2000-02-29", true},
		{"1990-02-30", false}, {"1990/01/01", false}, {"90-01-01", false}, {"1988-7-1", false},
		{"0000", false}, {"1988-13", false}, {"1988-07-01T00:00:00Z", false}, {"tomorrow", false},
	} {
		_, err := NewPatient(PatientInput{ID: "cli_x", BirthDate: tc.in})
		if tc.ok && err != nil {
			t.Errorf("%q: %v", tc.in, err)
		}
		if !tc.ok {
			if err == nil {
				t.Errorf("%q accepted", tc.in)
				continue
			}
			wantReason(t, err, holdspace.EINVALID, "invalid_birth_date", "birth_date")
		}
	}
}

func TestLogicalID(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		{"cli_abc234", "cli-abc234"}, {"a", "a"}, {"A.b-c", "A.b-c"}, {strings.Repeat("x", 64), strings.Repeat("x", 64)},
		{"", ""}, {strings.Repeat("x", 65), ""}, {"a b", ""}, {"a/b", ""}, {"é", ""}, {"a\x00", ""},
	} {
		got, err := LogicalID(tc.in)
		if got != tc.want || (err == nil) != (tc.want != "") {
			t.Errorf("LogicalID(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
		if err != nil {
			wantReason(t, err, holdspace.EINVALID, "invalid_id", "id")
		}
	}

	// Property: holdspace-shaped ids ("<kind>_<base32>") map one-to-one to
	// valid FHIR ids.
	r := rand.New(rand.NewPCG(3, 4))
	const alphabet = "abcdefghijklmnopqrstuvwxyz234567"
	seen := map[string]string{}
	for range 2000 {
		var b strings.Builder
		b.WriteString([]string{"cli", "prc", "agr", "ses"}[r.IntN(4)])
		b.WriteByte('_')
		for range r.IntN(26) + 1 {
			b.WriteByte(alphabet[r.IntN(len(alphabet))])
		}
		id := b.String()
		got, err := LogicalID(id)
		if err != nil || !fhirIDPattern.MatchString(got) {
			t.Fatalf("LogicalID(%q) = %q, %v", id, got, err)
		}
		if prev, ok := seen[got]; ok && prev != id {
			t.Fatalf("%q and %q both map to %q", prev, id, got)
		}
		seen[got] = id
	}
}

func FuzzLogicalID(f *testing.F) {
	for _, s := range []string{"cli_abc", "", "a b", "A.b-c", strings.Repeat("z", 65), "ü"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := LogicalID(s)
		if err != nil {
			if got != "" {
				t.Fatalf("error with output %q", got)
			}
			return
		}
		if !fhirIDPattern.MatchString(got) || len(got) != len(s) || strings.ReplaceAll(s, "_", "-") != got {
			t.Fatalf("LogicalID(%q) = %q", s, got)
		}
	})
}

func TestNewPractitioner(t *testing.T) {
	from := tRef.AddDate(-1, 0, 0)
	until := tRef.AddDate(2, 0, 0)
	p, err := NewPractitioner(PractitionerInput{ID: "prc_q7", Name: "Sam Carer", Email: "sam@example.org",
		Credentials: []practice.Credential{
			{Kind: "Pelvic health physiotherapist", Issuer: "College of Physiotherapists", Number: "PT-123",
				ValidFrom: from, ValidUntil: until, Covers: []string{catalogue.CoverInternalAnorectal, catalogue.CoverInternalVaginal}},
			{Kind: "Massage licence", Issuer: "State board", ValidFrom: from, ValidUntil: until},
		}})
	if err != nil {
		t.Fatal(err)
	}
	m := decoded(t, p)
	checkTimes(t, m, "Practitioner")
	for _, tc := range []struct {
		path []any
		want any
	}{
		{[]any{"resourceType"}, "Practitioner"},
		{[]any{"id"}, "prc-q7"},
		{[]any{"identifier", 0, "system"}, SystemPractitioner},
		{[]any{"identifier", 0, "value"}, "prc_q7"},
		{[]any{"name", 0, "text"}, "Sam Carer"},
		{[]any{"telecom", 0, "value"}, "sam@example.org"},
		{[]any{"qualification", 0, "code", "text"}, "Pelvic health physiotherapist"},
		{[]any{"qualification", 0, "issuer", "display"}, "College of Physiotherapists"},
		{[]any{"qualification", 0, "identifier", 0, "value"}, "PT-123"},
		{[]any{"qualification", 0, "period", "start"}, utc(from)},
		{[]any{"qualification", 0, "period", "end"}, utc(until)},
		{[]any{"qualification", 1, "code", "text"}, "Massage licence"},
		{[]any{"qualification", 1, "identifier"}, nil},
	} {
		if got := jget(m, tc.path...); got != tc.want {
			t.Errorf("%v = %v, want %v", tc.path, got, tc.want)
		}
	}
	covers := extensionsAt(jget(m, "qualification", 0), ExtCovers)
	if len(covers) != 2 || jget(covers[0], "valueCode") != "internal-anorectal" || jget(covers[1], "valueCode") != "internal-vaginal" {
		t.Errorf("covers %v", covers)
	}
	if n := len(extensionsAt(jget(m, "qualification", 1), ExtCovers)); n != 0 {
		t.Errorf("a credential covering nothing has %d covers", n)
	}
	if _, err := NewPractitioner(PractitionerInput{ID: "prc x"}); err == nil {
		t.Error("bad id accepted")
	}
}

func TestNewEncounter(t *testing.T) {
	// Every session state has a mapping (a new state must be mapped here).
	want := map[practice.State]string{
		practice.Scheduled: "planned", practice.Open: "arrived", practice.InProgress: "in-progress",
		practice.Stopped: "in-progress", practice.Closed: "finished", practice.Cancelled: "cancelled",
	}
	starts := tRef
	begun := tRef.Add(5 * time.Minute)
	closed := tRef.Add(70 * time.Minute)
	for _, s := range practice.States() {
		in := EncounterInput{ID: "ses_1", ClientID: "cli_abc234", PractitionerID: "prc_q7", State: s,
			Intent: catalogue.Sensual, StartsAt: starts}
		if s == practice.InProgress || s == practice.Stopped || s == practice.Closed {
			in.BegunAt = begun
		}
		if s == practice.Closed {
			in.ClosedAt = closed
		}
		e, err := NewEncounter(in)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		m := decoded(t, e)
		checkTimes(t, m, "Encounter")
		if m["status"] != want[s] {
			t.Errorf("%s → %v, want %s", s, m["status"], want[s])
		}
		if st, ok := EncounterStatus(s); !ok || st != want[s] {
			t.Errorf("EncounterStatus(%s) = %q", s, st)
		}
		if e := extensionsAt(m, ExtSessionState); len(e) != 1 || jget(e[0], "valueCode") != string(s) {
			t.Errorf("%s session-state %v", s, e)
		}
		wantStart := utc(starts)
		if !in.BegunAt.IsZero() {
			wantStart = utc(begun)
		}
		if jget(m, "period", "start") != wantStart || (jget(m, "period", "end") != nil) != (s == practice.Closed) {
			t.Errorf("%s period %v", s, m["period"])
		}
		for _, tc := range []struct {
			path []any
			want any
		}{
			{[]any{"resourceType"}, "Encounter"},
			{[]any{"id"}, "ses-1"},
			{[]any{"identifier", 0, "value"}, "ses_1"},
			{[]any{"class", "system"}, "http://terminology.hl7.org/CodeSystem/v3-ActCode"},
			{[]any{"class", "code"}, "AMB"},
			{[]any{"subject", "reference"}, "Patient/cli-abc234"},
			{[]any{"participant", 0, "individual", "reference"}, "Practitioner/prc-q7"},
			{[]any{"participant", 0, "type", 0, "coding", 0, "code"}, "PPRF"},
			{[]any{"type", 0, "coding", 0, "code"}, "sensual"},
		} {
			if got := jget(m, tc.path...); got != tc.want {
				t.Errorf("%s: %v = %v, want %v", s, tc.path, got, tc.want)
			}
		}
	}
	if len(want) != len(practice.States()) {
		t.Errorf("mapping table covers %d states of %d", len(want), len(practice.States()))
	}

	for name, tc := range map[string]struct {
		mut           func(*EncounterInput)
		reason, field string
	}{
		"ErrState":          {func(in *EncounterInput) { in.State = "paused" }, "invalid_state", "state"},
		"ErrID":             {func(in *EncounterInput) { in.ID = "" }, "invalid_id", "id"},
		"ErrClientID":       {func(in *EncounterInput) { in.ClientID = "" }, "invalid_id", "client_id"},
		"ErrPractitionerID": {func(in *EncounterInput) { in.PractitionerID = "p q" }, "invalid_id", "practitioner_id"},
	} {
		t.Run(name, func(t *testing.T) {
			in := EncounterInput{ID: "ses_1", ClientID: "cli_1", PractitionerID: "prc_1", State: practice.Open}
			tc.mut(&in)
			_, err := NewEncounter(in)
			wantReason(t, err, holdspace.EINVALID, tc.reason, tc.field)
		})
	}
}
