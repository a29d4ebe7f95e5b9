package app

import (
	"context"
	"errors"
	"testing"
	"time"

	"holdspace"
	"holdspace/catalogue"
	"holdspace/consent"
	"holdspace/localtime"
	"holdspace/practice"
	"holdspace/store"
)

func setPracticeZone(t *testing.T, a *Services, zone string) {
	t.Helper()
	s := practice.DefaultSettings()
	s.TimeZone = zone
	if _, err := a.Practice.PutPracticeSettings(context.Background(), System, s); err != nil {
		t.Fatal(err)
	}
}

func TestTimeZoneOfAPerson(t *testing.T) {
	ctx := context.Background()
	a := newTestApp(t)
	pid, err := a.People.CreateUser(ctx, System, NewUser{Role: holdspace.RolePractitioner, Name: "Pat", Email: "p@example.test"})
	if err != nil {
		t.Fatal(err)
	}
	pract := Actor{UserID: pid, Role: holdspace.RolePractitioner}
	me := func() Person {
		t.Helper()
		p, err := a.People.Me(ctx, pract)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	if p := me(); p.TimeZone != "" || p.Zone != "UTC" {
		t.Fatalf("new practice and person: time_zone %q zone %q; want the practice's UTC", p.TimeZone, p.Zone)
	}
	setPracticeZone(t, a, "America/Los_Angeles")
	if p := me(); p.TimeZone != "" || p.Zone != "America/Los_Angeles" {
		t.Fatalf("time_zone %q zone %q; want the practice's", p.TimeZone, p.Zone)
	}

	_, err = a.People.SetTimeZone(ctx, pract, "Mars/Olympus_Mons")
	if holdspace.ErrorCode(err) != holdspace.EINVALID || holdspace.ErrorReason(err) != "unknown_time_zone" {
		t.Fatalf("unknown zone: %v", err)
	}
	if p := me(); p.TimeZone != "" {
		t.Fatalf("a refused zone was written: %q", p.TimeZone)
	}

	p, err := a.People.SetTimeZone(ctx, pract, " Europe/Berlin ")
	if err != nil || p.TimeZone != "Europe/Berlin" || p.Zone != "Europe/Berlin" {
		t.Fatalf("SetTimeZone = %+v, %v", p, err)
	}
	if p := me(); p.TimeZone != "Europe/Berlin" || p.Zone != "Europe/Berlin" {
		t.Fatalf("after choosing: %+v", p)
	}
	// Others listing the practitioner do not see their zone.
	ps, err := a.People.ListPractitioners(ctx, System)
	if err != nil || len(ps) != 1 || ps[0].TimeZone != "" || ps[0].Zone != "" {
		t.Fatalf("ListPractitioners = %+v, %v", ps, err)
	}
	if _, err := a.People.SetTimeZone(ctx, pract, ""); err != nil {
		t.Fatal(err)
	}
	if p := me(); p.TimeZone != "" || p.Zone != "America/Los_Angeles" {
		t.Fatalf("back to the practice's: %+v", p)
	}
	var n int
	if err := a.DB().View(ctx, func(tx store.Tx) error {
		es, err := tx.ListAudit(ctx, store.AuditFilter{})
		for _, e := range es {
			if e.Action == "account.time_zone" && e.Target == pid {
				n++
			}
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Fatalf("%d account.time_zone audit entries, want 2", n)
	}
}

func TestParseLocal(t *testing.T) {
	la, _ := time.LoadLocation("America/Los_Angeles")
	got, err := ParseLocal("starts_at", LocalInput{Value: "2026-12-01T13:15"}, la)
	if err != nil || !got.Equal(time.Date(2026, 12, 1, 21, 15, 0, 0, time.UTC)) || got.Location() != time.UTC {
		t.Fatalf("ParseLocal = %v, %v", got, err)
	}
	for _, tc := range []struct {
		in     LocalInput
		reason string
	}{
		{LocalInput{Value: "2026-03-08T02:30"}, "nonexistent_local_time"},
		{LocalInput{Value: "2026-03-08T02:30", Choice: "later"}, "nonexistent_local_time"},
		{LocalInput{Value: "2026-11-01T01:30"}, "ambiguous_local_time"},
		{LocalInput{Value: "tomorrow"}, "invalid_time"},
	} {
		_, err := ParseLocal("starts_at", tc.in, la)
		var he *holdspace.Error
		if !errors.As(err, &he) || he.Code != holdspace.EINVALID || he.Reason != tc.reason || he.Field != "starts_at" {
			t.Errorf("%+v: got %v, want EINVALID %s on starts_at", tc.in, err, tc.reason)
		}
	}
	var amb *localtime.AmbiguousError
	if _, err := ParseLocal("starts_at", LocalInput{Value: "2026-11-01T01:30"}, la); !errors.As(err, &amb) {
		t.Fatalf("the ambiguity is not the cause: %v", err)
	}
	later, err := ParseLocal("starts_at", LocalInput{Value: "2026-11-01T01:30", Choice: "later"}, la)
	if err != nil || !later.Equal(time.Date(2026, 11, 1, 9, 30, 0, 0, time.UTC)) {
		t.Fatalf("later = %v, %v", later, err)
	}
}

// TestScreeningValidityInPracticeZone: months of validity are counted on
// the practice's calendar, so a screening taken at 10:00 in Berlin stays
// current until 10:00 Berlin time months later, across summer time.
func TestScreeningValidityInPracticeZone(t *testing.T) {
	ctx := context.Background()
	a := newTestApp(t)
	setPracticeZone(t, a, "Europe/Berlin")
	l := newLive(t, a)
	ans := `{"fever":false,"dvt":false,"anticoagulants":false,"recent-surgery":false,"cancer-treatment":false,
		"hypertension-unstable":false,"stroke-recent":false,"prostatitis-symptoms":false,"prostate-cancer":false,
		"prostate-procedure-healing":false,"rectal-bleeding":false,"anal-acute":false,"anorectal-disease":false,
		"prolapse-repair":false,"seed-implants":false,"sti-active":false,"immunosuppressed":false,"latex-allergy":false,
		"trauma-history":"no"}`
	s, err := a.Screenings.SubmitScreening(ctx, l.client, l.client.UserID, ScreeningInput{Answers: []byte(ans)})
	if err != nil {
		t.Fatal(err)
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	want := s.TakenAt.In(berlin).AddDate(0, a.Screenings.validityMonths(), 0)
	if !s.ValidUntil.Equal(want) {
		t.Fatalf("valid until %v, want %v (the same Berlin wall clock %d months on)", s.ValidUntil, want, a.Screenings.validityMonths())
	}
	tk, vu := s.TakenAt.In(berlin), s.ValidUntil.In(berlin)
	if tk.Hour() != vu.Hour() || tk.Minute() != vu.Minute() {
		t.Fatalf("taken %s, valid until %s: the Berlin wall clock moved", tk, vu)
	}
}

// TestAgreementValidUntilDayInPracticeZone: an agreement "valid until
// 2027-01-01" lasts to the end of 1 January where the practice is; a full
// RFC 3339 time is kept as given.
func TestAgreementValidUntilDayInPracticeZone(t *testing.T) {
	ctx := context.Background()
	a := newTestApp(t)
	setPracticeZone(t, a, "America/Los_Angeles")
	l := newLive(t, a)
	grants := []consent.Grant{{Region: "hands", Technique: "massage", Answer: catalogue.Yes}}
	ag, err := a.Agreements.CreateAgreement(ctx, l.client, l.client.UserID, AgreementInput{Intent: "therapeutic", Grants: grants, ValidUntil: "2027-01-01"})
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2027, 1, 2, 7, 59, 59, 999999000, time.UTC); ag.ValidUntil == nil || !ag.ValidUntil.Equal(want) {
		t.Fatalf("valid until %v, want %v (the end of 1 January in Los Angeles)", ag.ValidUntil, want)
	}
	ag, err = a.Agreements.CreateAgreement(ctx, l.client, l.client.UserID, AgreementInput{Intent: "therapeutic", Grants: grants, ValidUntil: "2027-01-01T12:00:00Z"})
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC); ag.ValidUntil == nil || !ag.ValidUntil.Equal(want) {
		t.Fatalf("valid until %v, want %v", ag.ValidUntil, want)
	}
	_, err = a.Agreements.CreateAgreement(ctx, l.client, l.client.UserID, AgreementInput{Intent: "therapeutic", Grants: grants, ValidUntil: "1 Jan"})
	if holdspace.ErrorReason(err) != "invalid_date" {
		t.Fatalf("a malformed date: %v", err)
	}
}
