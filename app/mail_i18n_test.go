package app

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"holdspace/mail"
	"holdspace/mail/mailtest"
	"holdspace/practice"
)

// germanDateTime is how a German reader writes t in Berlin, from CLDR's
// German abbreviations written out here by hand (the oracle does not use
// the code under test): "Di., 1. Dez. 2026, 14:00 MEZ".
func germanDateTime(t time.Time, berlin *time.Location) string {
	days := []string{"So.", "Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa."}
	months := []string{"Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.", "Dez."}
	lt := t.In(berlin)
	zone := map[string]string{"CET": "MEZ", "CEST": "MESZ"}[lt.Format("MST")]
	return fmt.Sprintf("%s, %d. %s %d, %02d:%02d %s", days[lt.Weekday()], lt.Day(), months[lt.Month()-1], lt.Year(),
		lt.Hour(), lt.Minute(), zone)
}

// TestMailInClientsLanguage: a client who reads holdspace in German gets
// their reminder (and confirmation) in German over SMTP, with the time
// as a German reader writes it in the practice's zone; a practitioner
// without a language of their own gets the practice's default (English)
// in the same run.
func TestMailInClientsLanguage(t *testing.T) {
	srv := mailtest.Start(t, "")
	sender, err := mail.ParseURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	f := newMailFixtureIn(t, sender, "Europe/Berlin")
	ctx := context.Background()
	if _, err := f.a.People.SetLanguage(ctx, f.client, "de"); err != nil {
		t.Fatal(err)
	}
	s := f.book(t, 3*time.Hour)
	if _, err := f.a.Mail.ScheduleMail(ctx); err != nil {
		t.Fatal(err)
	}
	if err := f.a.Accounts.RequestPasswordReset(ctx, "pat@example.test", "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	if n := f.send(t); n != 4 {
		t.Fatalf("sent %d, want 4 (confirmation, reminder, intake request, reset)", n)
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	when := germanDateTime(s.StartsAt, berlin)
	whenZ := when + " (Europe/Berlin)"
	if !regexp.MustCompile(`^(Mo|Di|Mi|Do|Fr|Sa|So)\., \d{1,2}\. \S+ \d{4}, \d\d:\d\d MES?Z$`).MatchString(when) {
		t.Fatalf("oracle wrote %q", when)
	}
	bySubject := map[string]mailtest.Received{}
	for _, m := range srv.Messages() {
		bySubject[decodeSubject(t, m.Header.Get("Subject"))] = m
	}
	rem, ok := bySubject["Erinnerung an Ihre Sitzung: "+whenZ]
	if !ok {
		t.Fatalf("no German reminder with subject %q; subjects: %v", "Erinnerung an Ihre Sitzung: "+whenZ, keys(bySubject))
	}
	minutes := int(practice.DefaultDuration / time.Minute)
	for _, want := range []string{"Guten Tag,", "Eine Erinnerung an Ihre Sitzung mit " + f.practitioner + ".",
		"Wann: " + whenZ, fmt.Sprintf("Dauer: %d Minuten", minutes), "Wo: Praxis am Park\n    Parkstraße 1\n    10115 Berlin",
		"Mit: " + f.practitioner, "Einzelheiten, und um die Sitzung in Ihren Kalender zu übernehmen: https://practice.example.test/sessions/" + s.ID} {
		if !strings.Contains(rem.Body, want) {
			t.Errorf("German reminder lacks %q:\n%s", want, rem.Body)
		}
	}
	for _, english := range []string{"Hello", "Reminder", "session", "When:", "Length", "minutes", "With:", "Where:", "Tue", "Dec", "CET"} {
		if strings.Contains(regexp.MustCompile(`https://\S+`).ReplaceAllString(rem.Body, ""), english) {
			t.Errorf("German reminder holds the English %q:\n%s", english, rem.Body)
		}
	}
	assertNothingSensitive(t, "German reminder", rem.Body)
	if _, ok := bySubject["Ihre Sitzung ist gebucht: "+whenZ]; !ok {
		t.Errorf("no German confirmation; subjects: %v", keys(bySubject))
	}
	if _, ok := bySubject["Vor Ihrer Sitzung: Ihre Gesundheitsfragen: "+whenZ]; !ok {
		t.Errorf("no German intake request; subjects: %v", keys(bySubject))
	}
	// The session's calendar file, linked from the messages, in German too.
	ics, err := f.a.Calendars.SessionICS(ctx, f.client, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ics), "SUMMARY:Sitzung mit "+f.practitioner) || !strings.Contains(string(ics), "X-WR-CALNAME:holdspace: Ihre Sitzung") {
		t.Errorf("the calendar file is not in German:\n%s", ics)
	}
	// The practitioner chose no language: the practice's default, English.
	reset, ok := bySubject["Reset your password"]
	if !ok || !strings.Contains(reset.Body, "Choose a new password here: https://practice.example.test/reset/") {
		t.Errorf("the practitioner's reset is not in English; subjects: %v\n%s", keys(bySubject), reset.Body)
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
