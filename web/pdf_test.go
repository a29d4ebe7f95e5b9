package web_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"holdspace"
	"holdspace/app"
	"holdspace/catalogue"
	"holdspace/consent"
	"holdspace/store"
)

// pdfPageText fetches path as b and returns its text as pdftotext -layout
// extracts it.
func pdfPageText(t *testing.T, b *browser, path string) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatal("pdftotext (poppler-utils) is needed: ", err)
	}
	resp := b.get(path)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(b.last, "%PDF-") {
		t.Fatalf("%s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	f := filepath.Join(t.TempDir(), "a.pdf")
	if err := os.WriteFile(f, []byte(b.last), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", f, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v: %s", err, out)
	}
	// pdftotext marks right-to-left text with embedding marks.
	return strings.NewReplacer("\u202a", "", "\u202b", "", "\u202c", "", "\u202d", "", "\u202e", "").Replace(string(out))
}

// The printed agreement is what a practitioner files: the practice's
// letterhead, the client by name and date of birth, the practitioner,
// withdrawn regions as withdrawn, the signer by name and the time in the
// practice's zone.
func TestAgreementPDFAsFiled(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	s, err := e.app.Practice.PracticeSettings(ctx, e.admin)
	if err != nil {
		t.Fatal(err)
	}
	s.Settings.TimeZone = "Asia/Ho_Chi_Minh"
	s.Settings.Identity.Name = "Phòng trị liệu Sông Hồng"
	s.Settings.Identity.Address = "12 Phố Huế\nHà Nội"
	s.Settings.Identity.Email = "xin-chao@practice.example"
	s.Settings.Identity.Phone = "+84 24 3826 1234"
	if _, err := e.app.Practice.PutPracticeSettings(ctx, e.admin, s.Settings); err != nil {
		t.Fatal(err)
	}
	const name = "Łukasz Nguyễn 李"
	id, err := e.app.People.CreateClient(ctx, app.System, app.ClientInput{Name: name, Email: "lukasz@example.test", Password: e.pw,
		BirthDate: "1990-07-15", Anatomy: catalogue.Anatomy{Prostate: true}, PractitionerIDs: []string{e.pract.UserID}})
	if err != nil {
		t.Fatal(err)
	}
	client := app.Actor{UserID: id, Role: holdspace.RoleClient, Device: "test"}
	ag := signedAgreement(t, e, client, []consent.Grant{{Region: "shoulders", Technique: "touch", Answer: catalogue.Yes},
		{Region: "feet", Technique: "touch", Answer: catalogue.Yes}, {Region: "feet", Technique: "massage", Answer: catalogue.Ask}})
	if _, err := e.app.Agreements.RevokeAgreement(ctx, client, ag.ID, app.RevokeInput{Regions: []string{"feet"}}); err != nil {
		t.Fatal(err)
	}
	got, err := e.app.Agreements.GetAgreement(ctx, client, ag.ID)
	if err != nil || got.SignedAt == nil || got.ContentHash == "" {
		t.Fatalf("agreement = %+v, %v", got, err)
	}

	b := e.browser()
	b.login("robin@example.test")
	txt := pdfPageText(t, b, "/agreements/"+ag.ID+".pdf")
	for _, want := range []string{
		"Phòng trị liệu Sông Hồng", "12 Phố Huế", "Hà Nội", "xin-chao@practice.example", "+84 24 3826 1234",
		name, "15 Jul 1990", "Robin Reyes", "therapeutic",
		name + " (the client)", "Signed by the client in their own portal",
		got.SignedAt.In(mustLoc(t, "Asia/Ho_Chi_Minh")).Format("Mon 2 Jan 2006, 15:04") + " UTC+7 (Asia/Ho_Chi_Minh)",
		"Agreement " + ag.ID, "Page 1 of 1",
	} {
		if !strings.Contains(txt, want) {
			t.Errorf("the PDF lacks %q:\n%s", want, txt)
		}
	}
	if !regexp.MustCompile(`Feet\s+Withdrawn on \w{3} \d+ \w{3} \d{4}, \d\d:\d\d UTC\+7 by the client`).MatchString(txt) {
		t.Errorf("the feet row does not read withdrawn:\n%s", txt)
	}
	if regexp.MustCompile(`Feet\s+Yes`).MatchString(txt) {
		t.Errorf("a withdrawn region reads Yes:\n%s", txt)
	}
	if !regexp.MustCompile(`Content hash\s+` + got.ContentHash + `\s*\n`).MatchString(txt) {
		t.Errorf("the content hash is not whole on one line:\n%s", txt)
	}
	if strings.Contains(txt, id) {
		t.Errorf("the PDF shows the client's internal id %s:\n%s", id, txt)
	}
	// Printing reads the agreement and the client's profile: both audited.
	entries, err := e.app.Audit.ListAudit(ctx, e.admin, store.AuditFilter{ClientID: id})
	if err != nil {
		t.Fatal(err)
	}
	var printed, profile bool
	for _, en := range entries {
		printed = printed || (en.Action == "agreement.read" && en.Target == ag.ID && en.Detail == "print" && en.Actor == e.pract.UserID)
		profile = profile || (en.Action == "client.read" && en.Target == id && en.Detail == "agreement="+ag.ID && en.Actor == e.pract.UserID)
	}
	if !printed || !profile {
		t.Errorf("printing is not audited (agreement %v, profile %v): %+v", printed, profile, entries)
	}

	// Signed in person: the client's typed name, and the practitioner
	// attesting by name.
	const arabic = "محمد علي"
	id2, err := e.app.People.CreateClient(ctx, app.System, app.ClientInput{Name: arabic, Email: "m@example.test", Password: e.pw,
		BirthDate: "1979-01-02", Anatomy: catalogue.Anatomy{Prostate: true}, PractitionerIDs: []string{e.pract.UserID}})
	if err != nil {
		t.Fatal(err)
	}
	ag2, err := e.app.Agreements.CreateAgreement(ctx, e.pract, id2, app.AgreementInput{Intent: "therapeutic",
		Grants: []consent.Grant{{Region: "shoulders", Technique: "massage", Answer: catalogue.Yes}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Agreements.SignAgreement(ctx, e.pract, ag2.ID, app.SignInput{InPerson: true, ClientTypedName: arabic}); err != nil {
		t.Fatal(err)
	}
	txt = pdfPageText(t, b, "/agreements/"+ag2.ID+".pdf")
	// pdftotext puts the neutral " (" after Arabic text on either side of
	// it; the letters, in order, are what must extract.
	if !regexp.MustCompile(`Signed by\s+\(?\s?` + arabic + `\s?\(?the client\), in person`).MatchString(txt) {
		t.Errorf("the in-person signer is not the client's typed name:\n%s", txt)
	}
	for _, want := range []string{arabic, "Typed name", "Attested by", "Robin Reyes (practitioner)", "2 Jan 1979"} {
		if !strings.Contains(txt, want) {
			t.Errorf("the in-person PDF lacks %q:\n%s", want, txt)
		}
	}

	// Someone who may not see the client gets no PDF.
	other := e.browser()
	other.login("sam@example.test")
	if resp := other.get("/agreements/" + ag.ID + ".pdf"); resp.StatusCode != 404 {
		t.Errorf("another practitioner's PDF: %d", resp.StatusCode)
	}
}

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	l, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}
