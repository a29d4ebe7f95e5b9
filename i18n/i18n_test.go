package i18n

import (
	"testing"
	"time"
)

func TestDates(t *testing.T) {
	b := Default()
	berlin, _ := time.LoadLocation("Europe/Berlin")
	la, _ := time.LoadLocation("America/Los_Angeles")
	at := time.Date(2026, 12, 1, 13, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		lang string
		loc  *time.Location
		want string
	}{
		{"en", berlin, "Tue 1 Dec 2026, 14:00 CET"},
		{"en", la, "Tue 1 Dec 2026, 05:00 PST"},
		{"de", berlin, "Di., 1. Dez. 2026, 14:00 MEZ"},
		{"de", la, "Di., 1. Dez. 2026, 05:00 PST"},
		{"es", berlin, "mar., 1 dic. 2026, 14:00 CET"},
	} {
		if got := b.Localizer(c.lang).DateTime(at, c.loc); got != c.want {
			t.Errorf("%s in %s: got %q, want %q", c.lang, c.loc, got, c.want)
		}
	}
	if got := b.Localizer("de").DateTime(time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC), berlin); got != "Mi., 1. Juli 2026, 14:00 MESZ" {
		t.Errorf("summer: %q", got)
	}
	if got := b.Localizer("de").CalendarDate(time.Date(1990, 3, 4, 0, 0, 0, 0, time.UTC)); got != "4. März 1990" {
		t.Errorf("calendar date: %q", got)
	}
	if got := b.Localizer("de").Number(12345); got != "12.345" {
		t.Errorf("number: %q", got)
	}
}

func TestMatch(t *testing.T) {
	b := Default()
	for _, c := range []struct {
		prefs []string
		want  string
	}{
		{[]string{"", "de-AT,de;q=0.9,en;q=0.5", "es"}, "de"},
		{[]string{"es-MX"}, "es"},
		{[]string{"fr-FR,fr;q=0.9", "es"}, "es"},
		{[]string{"fr-FR"}, "en"},
		{[]string{"de", "es"}, "de"},
		{[]string{"garbage;;;", "es"}, "es"},
		{[]string{Pseudo}, "en"},
	} {
		if got := b.Match(c.prefs...); got != c.want {
			t.Errorf("Match(%q) = %q, want %q", c.prefs, got, c.want)
		}
	}
}

func TestPseudo(t *testing.T) {
	l := Default().Localizer(Pseudo)
	got := l.T("language.label")
	if got == "Language" || got[0] != '[' || len([]rune(got)) < len("Language")*14/10 {
		t.Errorf("pseudo: %q", got)
	}
}

func TestMissing(t *testing.T) {
	if got := Default().Localizer("de").T("no.such.message"); got != "⟦no.such.message⟧" {
		t.Errorf("missing: %q", got)
	}
}

func TestDir(t *testing.T) {
	if Default().Localizer("de").Dir() != "ltr" {
		t.Error("de is ltr")
	}
}

// TestCLDRForEveryLanguage: every shipped language has its CLDR data, so
// its dates are written in its own words.
func TestCLDRForEveryLanguage(t *testing.T) {
	for _, l := range Default().Languages() {
		if _, ok := cldr[base(l)]; !ok {
			t.Errorf("%s has a catalog but no CLDR data: add it to cldr", l)
		}
	}
	// A right-to-left language is only a catalog away.
	if got := cldrFor("ar").MonthAbbreviated(time.December); got == "Dec" {
		t.Errorf("Arabic month names: %q", got)
	}
}
