package httpapi

import (
	"bytes"
	"errors"
	"net/http/httptest"
	"testing"

	"holdspace"
	"holdspace/app"
	"holdspace/httpedge"
)

// fuzzDecode feeds arbitrary bytes to the strict decoder for one request
// type: it never panics, and every refusal is a coded 4xx error.
func fuzzDecode[T any](f *testing.F, seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest("POST", "/x", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		var v T
		err := decode(httptest.NewRecorder(), r, &v)
		if err == nil {
			return
		}
		var he *holdspace.Error
		if !errors.As(err, &he) {
			t.Fatalf("uncoded error %T: %v", err, err)
		}
		if st := httpedge.StatusOf(err); st < 400 || st >= 500 {
			t.Fatalf("status %d for %v", st, err)
		}
	})
}

func FuzzDecodeAgreement(f *testing.F) {
	fuzzDecode[app.AgreementInput](f,
		`{"intent":"therapeutic","grants":[{"region":"feet","technique":"touch","answer":"yes"}]}`,
		`{"intent":"sensual","grants":[],"valid_until":"2027-01-01"}`, `{"grants":"x"}`, `{"nope":1}`, `[]`, ``)
}

func FuzzDecodeEvent(f *testing.F) {
	fuzzDecode[app.EventInput](f,
		`{"type":"checkin","region":"feet","answer":"yes"}`,
		`{"type":"chaperone","chaperone":{"offered":true,"accepted":true,"name":"Sam"}}`,
		`{"type":"close","close":{"subjective":"s","pain_before":3,"referrals":["gp"]}}`,
		`{"type":"emotional-release","intensity":11,"text":"x"}`, `{"intensity":"high"}`)
}

func FuzzDecodeDecision(f *testing.F) {
	fuzzDecode[app.DecideInput](f, `{"session_id":"ses_x","region":"rectum","technique":"touch"}`, `{"session_id":1}`, `{}`)
}

func TestDecodeRefusals(t *testing.T) {
	cases := []struct {
		name, ctype, body string
		status            int
		reason, field     string
	}{
		{"OK", "application/json", `{"session_id":"s","region":"feet","technique":"touch"}`, 0, "", ""},
		{"CharsetOK", "application/json; charset=utf-8", `{"session_id":"s"}`, 0, "", ""},
		{"Unknown", "application/json", `{"session_id":"s","regoin":"feet"}`, 400, "unknown_field", "regoin"},
		{"Type", "application/json", `{"session_id":5}`, 400, "wrong_type", "session_id"},
		{"Trailing", "application/json", `{"session_id":"s"} {}`, 400, "malformed_json", ""},
		{"Garbage", "application/json", `{"session_id":`, 400, "malformed_json", ""},
		{"Empty", "application/json", ``, 400, "malformed_json", ""},
		{"Form", "application/x-www-form-urlencoded", `a=b`, 415, "unsupported_media_type", ""},
		{"Large", "application/json", `{"session_id":"` + string(bytes.Repeat([]byte("a"), MaxBody)) + `"}`, 413, "body_too_large", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/x", bytes.NewReader([]byte(tc.body)))
			r.Header.Set("Content-Type", tc.ctype)
			var v app.DecideInput
			err := decode(httptest.NewRecorder(), r, &v)
			if tc.status == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if httpedge.StatusOf(err) != tc.status || holdspace.ErrorReason(err) != tc.reason || holdspace.ErrorField(err) != tc.field {
				t.Fatalf("got %d %s %q: %v", httpedge.StatusOf(err), holdspace.ErrorReason(err), holdspace.ErrorField(err), err)
			}
		})
	}
}

// TestDecodeStrict: names match exactly and appear once (issue 13).
func TestDecodeStrict(t *testing.T) {
	cases := []struct {
		name, body    string
		reason, field string
	}{
		{"CaseFolded", `{"SESSION_ID":"s"}`, "unknown_field", "SESSION_ID"},
		{"MixedCase", `{"Session_Id":"s"}`, "unknown_field", "Session_Id"},
		{"Duplicate", `{"session_id":"a","session_id":"b"}`, "duplicate_field", "session_id"},
		{"NotUTF8", "{\"session_id\":\"\xff\"}", "malformed_json", ""},
		{"NestedUnknown", `{"intent":"therapeutic","grants":[{"region":"feet","technique":"touch","answer":"yes","Extra":1}]}`, "unknown_field", "grants[0].Extra"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/x", bytes.NewReader([]byte(tc.body)))
			r.Header.Set("Content-Type", "application/json")
			var err error
			if tc.name == "NestedUnknown" {
				var v app.AgreementInput
				err = decode(httptest.NewRecorder(), r, &v)
			} else {
				var v app.DecideInput
				err = decode(httptest.NewRecorder(), r, &v)
			}
			if httpedge.StatusOf(err) != 400 || holdspace.ErrorReason(err) != tc.reason || holdspace.ErrorField(err) != tc.field {
				t.Fatalf("got %d %s %q: %v", httpedge.StatusOf(err), holdspace.ErrorReason(err), holdspace.ErrorField(err), err)
			}
		})
	}
}
