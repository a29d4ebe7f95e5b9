package app

import (
	"strings"
	"testing"
	"time"

	"holdspace/catalogue"
	"holdspace/consent"
	"holdspace/practice"
	"holdspace/store"
)

func TestFollowUpStatus(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		f    store.FollowUp
		want string
	}{
		{"Due", store.FollowUp{DueAt: now.Add(time.Hour)}, "due"},
		{"DueExactlyNow", store.FollowUp{DueAt: now}, "due"},
		{"Overdue", store.FollowUp{DueAt: now.Add(-time.Second)}, "overdue"},
		{"AnsweredLate", store.FollowUp{DueAt: now.Add(-time.Hour), AnsweredAt: now}, "answered"},
	} {
		if got := followUpView(&c.f, now).Status; got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

// TestRefusals: the grants the practice refuses now are turned to "no" and
// listed with their reason; nothing else changes.
func TestRefusals(t *testing.T) {
	at := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	adult, _ := time.Parse(time.DateOnly, "1990-01-01")
	minor, _ := time.Parse(time.DateOnly, "2012-01-01")
	offAnorectal := practice.DefaultSettings()
	offAnorectal.Scope[1].Offered = false
	sensualOn := practice.DefaultSettings()
	sensualOn.SensualOffered = true
	ag := func(intent catalogue.Intent) consent.Agreement {
		return consent.Agreement{Intent: intent, Grants: []consent.Grant{
			{Region: "shoulders", Technique: "touch", Answer: catalogue.Yes},
			{Region: "rectum", Technique: "touch", Answer: catalogue.Ask},
			{Region: "perineum", Technique: "touch", Answer: catalogue.No},
		}}
	}
	for _, c := range []struct {
		name   string
		s      practice.Settings
		birth  time.Time
		intent catalogue.Intent
		want   string // region:code of each refusal
	}{
		{"AdultDefaults", practice.DefaultSettings(), adult, catalogue.Therapeutic, ""},
		{"GroupOff", offAnorectal, adult, catalogue.Therapeutic, "rectum:not_offered"},
		{"SensualOff", practice.DefaultSettings(), adult, catalogue.Sensual, "shoulders:not_offered rectum:not_offered"},
		{"SensualOnAdult", sensualOn, adult, catalogue.Sensual, ""},
		{"MinorTherapeutic", practice.DefaultSettings(), minor, catalogue.Therapeutic, "rectum:minor"},
		{"MinorSensual", sensualOn, minor, catalogue.Sensual, "shoulders:minor rectum:minor"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, refused := refusals(practiceState{settings: c.s, loc: time.UTC}, c.birth, at, ag(c.intent))
			var got []string
			for _, r := range refused {
				got = append(got, r.Region+":"+r.Code)
			}
			if strings.Join(got, " ") != c.want {
				t.Fatalf("refused %v, want %q", got, c.want)
			}
			for i, g := range out.Grants {
				orig := ag(c.intent).Grants[i]
				isRefused := strings.Contains(c.want, g.Region+":")
				if isRefused && g.Answer != catalogue.No || !isRefused && g.Answer != orig.Answer {
					t.Errorf("%s: answer %s (was %s)", g.Region, g.Answer, orig.Answer)
				}
			}
		})
	}
}
