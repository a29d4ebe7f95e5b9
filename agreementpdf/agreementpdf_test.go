package agreementpdf

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"holdspace/catalogue"
	"holdspace/consent"
	"holdspace/practice"
)

const testHash = "sha256:3f5a9c0e7b1d24680ace13579bdf02468ace13579bdf02468ace13579bdf0246"

// sample is a signed agreement answering every region, so that it runs to
// a second page, with the knees withdrawn.
func sample(t testing.TB, client string) Input {
	t.Helper()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	var grants []consent.Grant
	for i, r := range catalogue.Regions() {
		for j, tq := range catalogue.Techniques() {
			a := catalogue.Yes
			switch (i + j) % 3 {
			case 1:
				a = catalogue.Ask
			case 2:
				a = catalogue.No
			}
			grants = append(grants, consent.Grant{Region: r.Code, Technique: tq.Code, Answer: a})
		}
	}
	signed := time.Date(2026, 11, 30, 13, 5, 0, 0, time.UTC)
	return Input{
		Practice: practice.Identity{Name: "Praxis am Park", Address: "Parkstraße 3\n10115 Berlin", Email: "hallo@praxis.example", Phone: "+49 30 1234567"},
		Location: berlin,
		ID:       "ag_7Kq2", Intent: "pelvic floor release", Version: 3, Status: consent.StatusActive,
		ClientName: client, ClientBirthDate: "1988-04-12",
		Practitioners: []string{"Zofia Wójcik"}, PreparedBy: "Zofia Wójcik", CreatedAt: signed.Add(-time.Hour),
		Signature:   &Signature{At: signed, SignerName: client, Method: consent.SignByClient},
		ContentHash: testHash,
		Grants:      grants,
		Revocations: []consent.Revocation{{At: time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC), Regions: []string{catalogue.RegionCodes()[0]}, ByRole: "client"}},
		PrintedAt:   time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC),
	}
}

// pdfText renders in and returns the text of each page as pdftotext
// -layout extracts it.
func pdfText(t *testing.T, in Input) ([]string, []byte) {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatal("pdftotext (poppler-utils) is needed: ", err)
	}
	b, err := Render(in)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	f := filepath.Join(dir, "a.pdf")
	if err := os.WriteFile(f, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", f, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v: %s", err, out)
	}
	pages := strings.Split(strings.TrimRight(bidiMarks.Replace(string(out)), "\f\n"), "\f")
	return pages, b
}

func TestPDFNamesInEveryScript(t *testing.T) {
	for _, name := range []string{
		"Łukasz Nguyễn 李",       // Polish, Vietnamese and Chinese in one name
		"Małgorzata Żółkiewska", // Polish
		"Nguyễn Thị Minh Khai",  // Vietnamese
		"李小龍",                   // Chinese
		"محمد علي",              // Arabic
		"Сергей Иванов",         // Cyrillic
		"Γιώργος Παπαδόπουλος",  // Greek
		"דוד כהן",               // Hebrew
		"Անի Սարգսյան",          // Armenian
		"ნინო ბერიძე",           // Georgian
		"สมชาย ใจดี",            // Thai
		"山田 太郎 (Yamada)",        // Japanese with Latin
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel() // renders share the parsed fonts
			pages, _ := pdfText(t, sample(t, name))
			if !strings.Contains(pages[0], name) {
				t.Fatalf("page 1 does not show %q:\n%s", name, pages[0])
			}
		})
	}
}

func TestPDFContent(t *testing.T) {
	pages, raw := pdfText(t, sample(t, "Łukasz Nguyễn 李"))
	if len(pages) != 2 {
		t.Fatalf("want 2 pages, got %d", len(pages))
	}
	p1, all := pages[0], strings.Join(pages, "\n")
	for _, want := range []string{
		"Praxis am Park", "Parkstraße 3", "10115 Berlin", "hallo@praxis.example", "+49 30 1234567",
		"Consent agreement", "Łukasz Nguyễn 李", "12 Apr 1988", "Zofia Wójcik", "pelvic floor release",
		"Page 1 of 2",
	} {
		if !strings.Contains(p1, want) {
			t.Errorf("page 1 lacks %q", want)
		}
	}
	// Every page has the header and the footer with the id and its number.
	for i, p := range pages {
		n := strconvItoa(i + 1)
		if !strings.Contains(p, "Consent agreement ag_7Kq2, version 3") || !strings.Contains(p, "Agreement ag_7Kq2") ||
			!strings.Contains(p, "Page "+n+" of 2") {
			t.Errorf("page %s lacks the header or footer:\n%s", n, p)
		}
	}
	// The withdrawn region reads as withdrawn, in the practice's zone.
	first, _ := catalogue.LookupRegion(catalogue.RegionCodes()[0])
	row := regexp.MustCompile(regexp.QuoteMeta(first.Label) + `\s+Withdrawn on Tue 1 Dec 2026, 10:30 CET by the client`)
	if !row.MatchString(all) {
		t.Errorf("the %s row does not read withdrawn:\n%s", first.Label, all)
	}
	for _, l := range strings.Split(all, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), first.Label+" ") && strings.Contains(l, "Yes") {
			t.Errorf("withdrawn row still reads Yes: %q", l)
		}
	}
	// The signature block: who, how, when in the practice's zone.
	for _, want := range []string{"Signed by", "Łukasz Nguyễn 李 (the client)", "Signed by the client in their own portal",
		"Mon 30 Nov 2026, 14:05 CET (Europe/Berlin)"} {
		if !strings.Contains(all, want) {
			t.Errorf("signature block lacks %q", want)
		}
	}
	// The hash is on one line, whole.
	if !regexp.MustCompile(`Content hash\s+` + testHash + `\s*\n`).MatchString(all) {
		t.Errorf("the content hash is not on one line:\n%s", all)
	}
	// Fonts are embedded, as subsets.
	if !bytes.Contains(raw, []byte("/FontFile2")) {
		t.Error("no embedded TrueType font")
	}
	if len(raw) > 400_000 {
		t.Errorf("PDF is %d bytes: fonts are not subset", len(raw))
	}
}

func TestPDFInPersonSignatureAndDraft(t *testing.T) {
	in := sample(t, "Nguyễn Văn An")
	in.Signature = &Signature{At: in.Signature.At, SignerName: "Zofia Wójcik", Method: consent.SignInPerson, TypedName: "Nguyễn Văn An"}
	pages, _ := pdfText(t, in)
	all := strings.Join(pages, "\n")
	for _, want := range []string{"Typed name", "Attested by", "Zofia Wójcik (practitioner)", "Nguyễn Văn An (the client), in person"} {
		if !strings.Contains(all, want) {
			t.Errorf("in-person signature lacks %q:\n%s", want, all)
		}
	}
	in.Signature, in.Status, in.ContentHash = nil, consent.StatusDraft, ""
	pages, _ = pdfText(t, in)
	if all = strings.Join(pages, "\n"); !strings.Contains(all, "Not signed") || strings.Contains(all, "Signed at") {
		t.Errorf("a draft must read not signed:\n%s", all)
	}
}

// bidiMarks are the embedding marks pdftotext puts around right-to-left
// text.
var bidiMarks = strings.NewReplacer("\u202a", "", "\u202b", "", "\u202c", "", "\u202d", "", "\u202e", "")

func strconvItoa(i int) string { return string(rune('0' + i)) }

// TestPDFKeep writes sample PDFs for a person to look at, when asked.
func TestPDFKeep(t *testing.T) {
	dir := os.Getenv("AGREEMENTPDF_DIR")
	if dir == "" {
		t.Skip("set AGREEMENTPDF_DIR to write sample PDFs there")
	}
	for i, name := range []string{"Łukasz Nguyễn 李", "محمد علي", "דוד כהן · สมชาย ใจดี · ნინო"} {
		in := sample(t, name)
		if i == 1 {
			in.Signature = &Signature{At: in.Signature.At, SignerName: "Zofia Wójcik", Method: consent.SignInPerson, TypedName: name}
		}
		b, err := Render(in)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "sample"+strconvItoa(i)+".pdf"), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func TestShapeArabic(t *testing.T) {
	all := func(rune) bool { return true }
	for _, c := range []struct{ in, want string }{
		{"محمد", "\ufee3\ufea4\ufee4\ufeaa"},                             // initial, medial, medial, final
		{"علي", "\ufecb\ufee0\ufef2"},                                    // initial, medial, final
		{"دار", "\ufea9\ufe8d\ufead"},                                    // dal and alef join only to the letter before them
		{"سلام", "\ufeb3\ufefc\ufee1"},                                   // lam with alef is one ligature
		{"لا", "\ufefb"},                                                 // the isolated ligature
		{"مُحَمَّد", "\ufee3\u064f\ufea4\u064e\ufee4\u064e\u0651\ufeaa"}, // harakat do not break joining
		{"Ali", "Ali"},
	} {
		if got := shapeArabic(c.in, all); got != c.want {
			t.Errorf("shapeArabic(%q) = %+q, want %+q", c.in, got, c.want)
		}
	}
	// A form the font lacks leaves the letter as it is.
	if got := shapeArabic("محمد", func(r rune) bool { return r != 0xFEA4 }); got != "\ufee3\u062d\ufee4\ufeaa" {
		t.Errorf("missing form: %+q", got)
	}
}

func TestRunsFallbackAndOrder(t *testing.T) {
	if err := loadFaces(); err != nil {
		t.Fatal(err)
	}
	c := newCoverage()
	var got []string
	for _, r := range c.runs("Łukasz Nguyễn 李 محمد علي (client)") {
		got = append(got, faces[r.face].family+":"+r.text)
	}
	want := []string{"NotoSans:Łukasz Nguyễn ", "DroidSansFallback:李 ",
		"NotoSansArabic:" + reverse(shapeArabic("محمد علي", func(rune) bool { return true })),
		"NotoSansArabic: ", "NotoSans:(client)"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("runs =\n%q\nwant\n%q", got, want)
	}
}

func BenchmarkRender(b *testing.B) {
	for _, name := range []string{"Małgorzata Żółkiewska", "Łukasz Nguyễn 李"} {
		b.Run(name, func(b *testing.B) {
			in := sample(b, name)
			for b.Loop() {
				if _, err := Render(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
