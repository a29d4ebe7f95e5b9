package fhir

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"holdspace"
	"holdspace/catalogue"
	"holdspace/consent"
)

// fhirIDPattern is the FHIR R4 id datatype.
var fhirIDPattern = regexp.MustCompile(`^[A-Za-z0-9\-\.]{1,64}$`)

// tRef is a fixed reference time, deliberately not UTC, to check the UTC
// conversion of every time written.
var tRef = time.Date(2026, 3, 14, 10, 30, 0, 0, time.FixedZone("CET", 3600))

// decoded marshals v and decodes it back into generic JSON values.
func decoded(tb testing.TB, v any) map[string]any {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatalf("marshal %T: %v", v, err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		tb.Fatalf("unmarshal %s: %v", b, err)
	}
	return m
}

// jget follows a path of object keys (string) and array indexes (int) into
// decoded JSON; it returns nil when the path does not exist.
func jget(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			a, ok := v.([]any)
			if !ok || k < 0 || k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}

// jlist returns the array at path, or nil.
func jlist(v any, path ...any) []any {
	a, _ := jget(v, path...).([]any)
	return a
}

// extensionsAt returns the extensions of obj with url.
func extensionsAt(obj any, url string) []any {
	var out []any
	for _, e := range jlist(obj, "extension") {
		if jget(e, "url") == url {
			out = append(out, e)
		}
	}
	return out
}

// wantReason fails unless err is a *holdspace.Error with code, reason and
// field.
func wantReason(tb testing.TB, err error, code, reason, field string) {
	tb.Helper()
	var e *holdspace.Error
	if !errors.As(err, &e) {
		tb.Fatalf("error %v: want *holdspace.Error %s/%s", err, code, reason)
	}
	if e.Code != code || e.Reason != reason || e.Field != field {
		tb.Fatalf("error %s/%s field %q, want %s/%s field %q", e.Code, e.Reason, e.Field, code, reason, field)
	}
}

// utc formats t as the package writes it.
func utc(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// checkTimes walks decoded JSON and fails on any date-time member that is
// not RFC 3339 in UTC.
func checkTimes(tb testing.TB, v any, where string) {
	tb.Helper()
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			switch k {
			case "start", "end", "dateTime", "timestamp", "lastUpdated", "valueDateTime", "authored", "eventTime", "validUntil":
				s, ok := c.(string)
				if !ok {
					tb.Errorf("%s.%s = %v: not a string", where, k, c)
					continue
				}
				if _, err := time.Parse(time.RFC3339Nano, s); err != nil || !strings.HasSuffix(s, "Z") {
					tb.Errorf("%s.%s = %q: not RFC 3339 UTC", where, k, s)
				}
			default:
				checkTimes(tb, c, where+"."+k)
			}
		}
	case []any:
		for i, c := range x {
			checkTimes(tb, c, fmt.Sprintf("%s[%d]", where, i))
		}
	}
}

// sampleAgreement is a signed therapeutic agreement with yes, ask and no
// answers, an expiry and an in-person signature.
func sampleAgreement() consent.Agreement {
	return consent.Agreement{
		ID:       "agr_one",
		ClientID: "cli_abc234",
		Intent:   catalogue.Therapeutic,
		Version:  2,
		Grants: []consent.Grant{
			{Region: "glutes", Technique: "massage", Answer: catalogue.Yes},
			{Region: "perineum", Technique: "touch", Answer: catalogue.Ask},
			{Region: "anus", Technique: "touch", Answer: catalogue.No},
			{Region: "prostate", Technique: "pressure", Answer: catalogue.Yes},
		},
		ValidUntil: tRef.Add(90 * 24 * time.Hour),
		CreatedAt:  tRef.Add(-time.Hour),
		SignedAt:   tRef,
		SignMethod: consent.SignInPerson,
		Supersedes: "agr_zero",
	}
}
