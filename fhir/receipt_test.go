package fhir

import (
	"encoding/json"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"holdspace"
	"holdspace/catalogue"
	"holdspace/consent"
)

func receiptInput() ReceiptInput {
	a := sampleAgreement()
	a.Supersedes = ""
	a.SignMethod = consent.SignByClient
	return ReceiptInput{
		Agreement:    a,
		Event:        ConsentSigned,
		Jurisdiction: "DE",
		PolicyURL:    "https://practice.example/privacy",
		Controller: Controller{Name: "Quiet Hands Bodywork", Contact: "Alex Owner", Email: "privacy@practice.example",
			Phone: "+49 30 000000", Address: PostalAddress{StreetAddress: "1 Example St", AddressCountry: "DE"}},
	}
}

func TestNewReceipt(t *testing.T) {
	in := receiptInput()
	in.ReceiptID = "rcp-given-1"
	r, err := NewReceipt(in)
	if err != nil {
		t.Fatal(err)
	}
	m := decoded(t, r)
	checkTimes(t, m, "Receipt")
	for _, tc := range []struct {
		path []any
		want any
	}{
		{[]any{"version"}, "KI-CR-v1.1.0"},
		{[]any{"jurisdiction"}, "DE"},
		{[]any{"consentTimestamp"}, float64(in.Agreement.SignedAt.Unix())},
		{[]any{"collectionMethod"}, "client portal"},
		{[]any{"consentReceiptID"}, "rcp-given-1"},
		{[]any{"language"}, "en"},
		{[]any{"piiPrincipalId"}, "cli_abc234"},
		{[]any{"piiControllers", 0, "piiController"}, "Quiet Hands Bodywork"},
		{[]any{"piiControllers", 0, "contact"}, "Alex Owner"},
		{[]any{"piiControllers", 0, "email"}, "privacy@practice.example"},
		{[]any{"piiControllers", 0, "phone"}, "+49 30 000000"},
		{[]any{"piiControllers", 0, "address", "addressCountry"}, "DE"},
		{[]any{"policyUrl"}, "https://practice.example/privacy"},
		{[]any{"services", 0, "service"}, "intimate and pelvic bodywork"},
		{[]any{"services", 0, "purposes", 0, "purpose"}, "therapeutic bodywork"},
		{[]any{"services", 0, "purposes", 0, "consentType"}, "EXPLICIT"},
		{[]any{"services", 0, "purposes", 0, "purposeCategory", 0}, "core function"},
		{[]any{"services", 0, "purposes", 0, "piiCategory", 0}, "health data (special category, GDPR Art. 9)"},
		{[]any{"services", 0, "purposes", 0, "primaryPurpose"}, true},
		{[]any{"services", 0, "purposes", 0, "termination"}, "on revocation or expiry"},
		{[]any{"services", 0, "purposes", 0, "thirdPartyDisclosure"}, false},
		{[]any{"sensitive"}, true},
		{[]any{"spiCat", 0}, "health"},
		{[]any{"spiCat", 1}, "sex life"},
		{[]any{"holdspace", "agreementId"}, "agr_one"},
		{[]any{"holdspace", "agreementVersion"}, float64(2)},
		{[]any{"holdspace", "intent"}, "therapeutic"},
		{[]any{"holdspace", "state"}, "given"},
		{[]any{"holdspace", "eventTime"}, utc(in.Agreement.SignedAt)},
		{[]any{"holdspace", "withdrawalMethod"}, "one tap in the client portal, or tell your practitioner"},
		{[]any{"holdspace", "validUntil"}, utc(in.Agreement.ValidUntil)},
		{[]any{"holdspace", "contentHash"}, AgreementHash(&in.Agreement)},
	} {
		if got := jget(m, tc.path...); got != tc.want {
			t.Errorf("%v = %v, want %v", tc.path, got, tc.want)
		}
	}
	if _, ok := m["publicKey"]; ok {
		t.Error("publicKey written")
	}

	t.Run("InPersonSensual", func(t *testing.T) {
		in := receiptInput()
		in.Agreement.SignMethod = consent.SignInPerson
		in.Agreement.Intent = catalogue.Sensual
		in.AttestedBy = "prc_x"
		m := decoded(t, mustReceipt(t, in))
		if m["collectionMethod"] != "in person, attested by practitioner" ||
			jget(m, "services", 0, "purposes", 0, "purpose") != "sensual bodywork" ||
			jget(m, "holdspace", "attestedBy") != "prc_x" {
			t.Errorf("in person: %v %v %v", m["collectionMethod"], jget(m, "services", 0, "purposes", 0, "purpose"), jget(m, "holdspace", "attestedBy"))
		}
	})
}

func mustReceipt(tb testing.TB, in ReceiptInput) Receipt {
	tb.Helper()
	r, err := NewReceipt(in)
	if err != nil {
		tb.Fatalf("NewReceipt: %v", err)
	}
	return r
}

func TestReceiptStates(t *testing.T) {
	partial := tRef.Add(time.Hour)
	whole := tRef.Add(2 * time.Hour)
	revoked := func(in *ReceiptInput) {
		in.Agreement.Revocations = []consent.Revocation{
			{At: partial, Regions: []string{"perineum", "anus"}, ByRole: "client"},
			{At: whole, ByRole: "practitioner"},
		}
	}
	for name, tc := range map[string]struct {
		mut       func(*ReceiptInput)
		state     ReceiptState
		at        time.Time
		withdrawn []string
		by        string
	}{
		"Given":   {func(in *ReceiptInput) { in.Event = ConsentSigned }, StateGiven, tRef, nil, ""},
		"Renewed": {func(in *ReceiptInput) { in.Event, in.Agreement.Supersedes = ConsentSigned, "agr_zero" }, StateRenewed, tRef, nil, ""},
		"WithdrawnPartly": {func(in *ReceiptInput) { revoked(in); in.Event, in.At = ConsentRevoked, partial },
			StateWithdrawn, partial, []string{"perineum", "anus"}, "client"},
		"WithdrawnLatest": {func(in *ReceiptInput) { revoked(in); in.Event = ConsentRevoked },
			StateWithdrawn, whole, nil, "practitioner"},
		"Expired": {func(in *ReceiptInput) { in.Event = ConsentExpired }, StateExpired, tRef.Add(90 * 24 * time.Hour), nil, ""},
	} {
		t.Run(name, func(t *testing.T) {
			in := receiptInput()
			tc.mut(&in)
			st, ok := ReceiptStateFor(in.Event, &in.Agreement)
			if !ok || st != tc.state {
				t.Errorf("ReceiptStateFor = %q %v, want %q", st, ok, tc.state)
			}
			r := mustReceipt(t, in)
			if r.Holdspace.State != tc.state || r.ConsentTimestamp != tc.at.Unix() || r.Holdspace.EventTime != utc(tc.at) {
				t.Errorf("state %q ts %d event %q; want %q %d %q", r.Holdspace.State, r.ConsentTimestamp, r.Holdspace.EventTime, tc.state, tc.at.Unix(), utc(tc.at))
			}
			if !slices.Equal(r.Holdspace.WithdrawnRegions, tc.withdrawn) || r.Holdspace.WithdrawnBy != tc.by {
				t.Errorf("withdrawn %v by %q; want %v by %q", r.Holdspace.WithdrawnRegions, r.Holdspace.WithdrawnBy, tc.withdrawn, tc.by)
			}
		})
	}
	if _, ok := ReceiptStateFor("paused", &consent.Agreement{}); ok {
		t.Error("unknown event mapped")
	}
}

func TestNewReceiptErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		mut                 func(*ReceiptInput)
		code, reason, field string
	}{
		"ErrJurisdiction": {func(in *ReceiptInput) { in.Jurisdiction = " " }, holdspace.EINVALID, "required", "jurisdiction"},
		"ErrPolicyURL":    {func(in *ReceiptInput) { in.PolicyURL = "" }, holdspace.EINVALID, "required", "policy_url"},
		"ErrController":   {func(in *ReceiptInput) { in.Controller.Name = "" }, holdspace.EINVALID, "required", "controller.name"},
		"ErrAgreementID":  {func(in *ReceiptInput) { in.Agreement.ID = "" }, holdspace.EINVALID, "required", "agreement.id"},
		"ErrClientID":     {func(in *ReceiptInput) { in.Agreement.ClientID = "" }, holdspace.EINVALID, "required", "agreement.client_id"},
		"ErrEvent":        {func(in *ReceiptInput) { in.Event = "" }, holdspace.EINVALID, "invalid_event", "event"},
		"ErrUnsigned":     {func(in *ReceiptInput) { in.Agreement.SignedAt = time.Time{} }, holdspace.ECONFLICT, "unsigned", ""},
		"ErrNotRevoked":   {func(in *ReceiptInput) { in.Event = ConsentRevoked }, holdspace.ECONFLICT, "not_revoked", ""},
		"ErrRevokedLater": {func(in *ReceiptInput) {
			in.Event, in.At = ConsentRevoked, tRef
			in.Agreement.Revocations = []consent.Revocation{{At: tRef.Add(time.Second), ByRole: "client"}}
		}, holdspace.ECONFLICT, "not_revoked", ""},
		"ErrNoExpiry": {func(in *ReceiptInput) { in.Event, in.Agreement.ValidUntil = ConsentExpired, time.Time{} }, holdspace.ECONFLICT, "no_expiry", ""},
	} {
		t.Run(name, func(t *testing.T) {
			in := receiptInput()
			tc.mut(&in)
			_, err := NewReceipt(in)
			wantReason(t, err, tc.code, tc.reason, tc.field)
		})
	}
}

func TestReceiptID(t *testing.T) {
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	in := receiptInput()
	a, b := mustReceipt(t, in), mustReceipt(t, in)
	if !uuid.MatchString(a.ConsentReceiptID) || a.ConsentReceiptID != b.ConsentReceiptID {
		t.Errorf("derived ids %q %q: want one stable UUID", a.ConsentReceiptID, b.ConsentReceiptID)
	}
	in.Event = ConsentExpired
	if c := mustReceipt(t, in); c.ConsentReceiptID == a.ConsentReceiptID {
		t.Error("another event must get another receipt id")
	}
	in = receiptInput()
	in.Agreement.ID = "agr_two"
	if c := mustReceipt(t, in); c.ConsentReceiptID == a.ConsentReceiptID {
		t.Error("another agreement must get another receipt id")
	}
	// The principal is the opaque client id; the client's email is never in
	// the receipt (the controller's own email is).
	raw, _ := json.Marshal(a)
	if strings.Contains(string(raw), "robin@") || !strings.Contains(string(raw), `"piiPrincipalId":"cli_abc234"`) {
		t.Errorf("principal: %s", raw)
	}
}

func TestAgreementHash(t *testing.T) {
	base := sampleAgreement()
	h := AgreementHash(&base)
	if !regexp.MustCompile(`^sha256:[0-9a-f]{64}$`).MatchString(h) {
		t.Fatalf("hash %q", h)
	}

	// Storage order of grants, revocations and time zones do not matter.
	r := rand.New(rand.NewPCG(5, 6))
	for range 50 {
		a := sampleAgreement()
		r.Shuffle(len(a.Grants), func(i, j int) { a.Grants[i], a.Grants[j] = a.Grants[j], a.Grants[i] })
		a.Revocations = []consent.Revocation{{At: tRef.Add(time.Hour), ByRole: "client"}}
		a.SignedAt = a.SignedAt.In(time.UTC)
		if got := AgreementHash(&a); got != h {
			t.Fatalf("hash changed with order/revocations/zone: %v", a.Grants)
		}
	}

	// Any change to signed content changes the hash.
	for name, mut := range map[string]func(*consent.Agreement){
		"ID":         func(a *consent.Agreement) { a.ID += "x" },
		"ClientID":   func(a *consent.Agreement) { a.ClientID += "x" },
		"Intent":     func(a *consent.Agreement) { a.Intent = catalogue.Sensual },
		"Version":    func(a *consent.Agreement) { a.Version++ },
		"ValidUntil": func(a *consent.Agreement) { a.ValidUntil = a.ValidUntil.Add(time.Nanosecond) },
		"NoExpiry":   func(a *consent.Agreement) { a.ValidUntil = time.Time{} },
		"CreatedAt":  func(a *consent.Agreement) { a.CreatedAt = a.CreatedAt.Add(time.Second) },
		"SignedAt":   func(a *consent.Agreement) { a.SignedAt = a.SignedAt.Add(time.Millisecond) },
		"SignMethod": func(a *consent.Agreement) { a.SignMethod = consent.SignByClient },
		"Supersedes": func(a *consent.Agreement) { a.Supersedes = "" },
		"Answer":     func(a *consent.Agreement) { a.Grants[1].Answer = catalogue.Yes },
		"Region":     func(a *consent.Agreement) { a.Grants[0].Region = "hips" },
		"Technique":  func(a *consent.Agreement) { a.Grants[0].Technique = "touch" },
		"DropGrant":  func(a *consent.Agreement) { a.Grants = a.Grants[1:] },
		"ExtraGrant": func(a *consent.Agreement) {
			a.Grants = append(a.Grants, consent.Grant{Region: "feet", Technique: "touch", Answer: catalogue.No})
		},
		"ShiftIDByte": func(a *consent.Agreement) { a.ID, a.ClientID = a.ID+a.ClientID[:1], a.ClientID[1:] },
	} {
		a := sampleAgreement()
		mut(&a)
		if AgreementHash(&a) == h {
			t.Errorf("%s: hash unchanged", name)
		}
	}
}

func BenchmarkNewReceipt(b *testing.B) {
	in := receiptInput()
	b.ReportAllocs()
	for b.Loop() {
		r, err := NewReceipt(in)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := json.Marshal(r); err != nil {
			b.Fatal(err)
		}
	}
}
