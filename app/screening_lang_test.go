package app

import (
	"context"
	"testing"

	"holdspace"
	"holdspace/fhir"
)

// A screening records the language its questions were answered in (issue
// 17), refuses a language holdspace does not ship, and the stored
// screening gives it back.
func TestScreeningLanguage(t *testing.T) {
	a := newTestApp(t)
	l := newLive(t, a)
	ctx := context.Background()
	ans := []byte(`{"fever":false,"dvt":false,"anticoagulants":false,"recent-surgery":false,"cancer-treatment":false,
		"hypertension-unstable":false,"stroke-recent":false,"rectal-bleeding":false,"anal-acute":false,"anorectal-disease":false,
		"prolapse-repair":false,"seed-implants":false,"sti-active":false,"immunosuppressed":false,"latex-allergy":false}`)
	_, err := a.Screenings.SubmitScreening(ctx, l.client, l.client.UserID, ScreeningInput{Answers: ans, Language: "xx"})
	if holdspace.ErrorCode(err) != holdspace.EINVALID || holdspace.ErrorField(err) != "language" {
		t.Fatalf("unknown language: %v", err)
	}
	sv, err := a.Screenings.SubmitScreening(ctx, l.client, l.client.UserID, ScreeningInput{Answers: ans, Language: "de"})
	if err != nil {
		t.Fatal(err)
	}
	if sv.Language != "de" {
		t.Errorf("language = %q", sv.Language)
	}
	got, _, err := a.Screenings.LatestScreening(ctx, l.client, l.client.UserID)
	if err != nil || got.Language != "de" {
		t.Errorf("stored language = %q (%v)", got.Language, err)
	}
	b, err := a.Records.ClientBundle(ctx, System, l.client.UserID)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range b.Entry {
		if qr, ok := e.Resource.(fhir.QuestionnaireResponseResource); ok {
			found = true
			if qr.Language != "de" {
				t.Errorf("QuestionnaireResponse language = %q", qr.Language)
			}
		}
	}
	if !found {
		t.Error("the bundle has no QuestionnaireResponse")
	}
}
