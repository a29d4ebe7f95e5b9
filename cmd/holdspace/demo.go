package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"holdspace"
	"holdspace/app"
	"holdspace/catalogue"
	"holdspace/consent"
)

// demoAccount is one login of the demo practice.
type demoAccount struct {
	Role, Name, Email, Password, Note string
}

// demoAccountsFile holds the generated demo passwords (0600) in the data
// directory, so that a second `holdspace demo` can print them again without
// any password living in the repository.
const demoAccountsFile = "demo-accounts.txt"

func demoPassword() string { return "demo-" + strings.ToLower(rand.Text()[:12]) }

// seedDemo creates the demo practice once: an admin, two practitioners (one
// qualified for internal anorectal work and trauma-informed, one holding no
// credential), and three clients with different anatomy, one with a
// screening and a signed agreement. On later runs it only reads the
// accounts back.
func seedDemo(ctx context.Context, a *app.Services, dataDir string) ([]demoAccount, error) {
	path := filepath.Join(dataDir, demoAccountsFile)
	if accts, err := readDemoAccounts(path); err == nil {
		return accts, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	accts := []demoAccount{
		{"admin", "Ada Admin", "admin@demo.holdspace.test", demoPassword(), "runs the practice"},
		{"practitioner", "Robin Reyes", "robin@demo.holdspace.test", demoPassword(), "internal-anorectal + trauma-informed credentials"},
		{"practitioner", "Sam Okafor", "sam@demo.holdspace.test", demoPassword(), "no credentials on record"},
		{"client", "Alex Moreau", "alex@demo.holdspace.test", demoPassword(), "prostate anatomy; screened; therapeutic agreement signed"},
		{"client", "Jordan Lee", "jordan@demo.holdspace.test", demoPassword(), "vagina and breasts"},
		{"client", "Kim Novak", "kim@demo.holdspace.test", demoPassword(), "breasts; no screening yet"},
	}
	sys := app.System
	// The demo shows sensual work too; a new practice offers none.
	ps, err := a.Practice.PracticeSettings(ctx, sys)
	if err != nil {
		return nil, fmt.Errorf("practice settings: %w", err)
	}
	ps.SensualOffered = true
	if _, err := a.Practice.PutPracticeSettings(ctx, sys, ps.Settings); err != nil {
		return nil, fmt.Errorf("practice settings: %w", err)
	}
	if _, err := a.People.CreateUser(ctx, sys, app.NewUser{Role: holdspace.RoleAdmin, Name: accts[0].Name, Email: accts[0].Email, Password: accts[0].Password, Demo: true}); err != nil {
		return nil, fmt.Errorf("admin: %w", err)
	}
	robin, err := a.People.CreateUser(ctx, sys, app.NewUser{Role: holdspace.RolePractitioner, Name: accts[1].Name, Email: accts[1].Email, Password: accts[1].Password, Demo: true})
	if err != nil {
		return nil, fmt.Errorf("practitioner: %w", err)
	}
	sam, err := a.People.CreateUser(ctx, sys, app.NewUser{Role: holdspace.RolePractitioner, Name: accts[2].Name, Email: accts[2].Email, Password: accts[2].Password, Demo: true})
	if err != nil {
		return nil, fmt.Errorf("practitioner: %w", err)
	}
	today := time.Now().UTC()
	for _, cr := range []app.CredentialInput{
		{Kind: "Pelvic health physiotherapy licence", Issuer: "Demo College of Physiotherapists", Number: "PT-20417",
			ValidFrom: today.AddDate(-2, 0, 0).Format(time.DateOnly), ValidUntil: today.AddDate(2, 0, 0).Format(time.DateOnly),
			Covers: []string{catalogue.CoverInternalAnorectal, catalogue.CoverIntimateExternal}},
		{Kind: "Trauma-informed care certificate", Issuer: "Demo Institute", Number: "TIC-883",
			ValidFrom: today.AddDate(-1, 0, 0).Format(time.DateOnly), ValidUntil: today.AddDate(1, 0, 0).Format(time.DateOnly),
			Covers: []string{catalogue.CoverTraumaInformed}},
	} {
		if _, err := a.People.AddCredential(ctx, sys, robin, cr); err != nil {
			return nil, fmt.Errorf("credential: %w", err)
		}
	}
	clients := []struct {
		acct    demoAccount
		birth   string
		anatomy catalogue.Anatomy
		pract   []string
	}{
		{accts[3], "1984-03-12", catalogue.Anatomy{Prostate: true}, []string{robin}},
		{accts[4], "1991-07-30", catalogue.Anatomy{Vagina: true, Breasts: true}, []string{robin, sam}},
		{accts[5], "1978-11-02", catalogue.Anatomy{Breasts: true}, []string{sam}},
	}
	var ids []string
	for _, c := range clients {
		id, err := a.People.CreateClient(ctx, sys, app.ClientInput{Name: c.acct.Name, Email: c.acct.Email, Password: c.acct.Password,
			BirthDate: c.birth, Anatomy: c.anatomy, PractitionerIDs: c.pract, Demo: true})
		if err != nil {
			return nil, fmt.Errorf("client: %w", err)
		}
		ids = append(ids, id)
	}
	// Alex: screened (latex allergy: a precaution), a signed therapeutic
	// agreement, and a session booked with Robin for later today.
	alex := app.Actor{UserID: ids[0], Role: holdspace.RoleClient, Device: "cli"}
	answers := `{"fever":false,"dvt":false,"anticoagulants":false,"recent-surgery":false,"cancer-treatment":false,
		"hypertension-unstable":false,"stroke-recent":false,"prostatitis-symptoms":false,"prostate-cancer":false,
		"prostate-procedure-healing":false,"rectal-bleeding":false,"anal-acute":false,"anorectal-disease":false,
		"prolapse-repair":false,"seed-implants":false,"sti-active":false,"immunosuppressed":false,"latex-allergy":true,
		"trauma-history":"prefer-not-to-say"}`
	if _, err := a.Screenings.SubmitScreening(ctx, alex, ids[0], app.ScreeningInput{Answers: []byte(answers)}); err != nil {
		return nil, fmt.Errorf("demo screening: %w", err)
	}
	var grants []consent.Grant
	for _, r := range []string{"shoulders", "upper-back", "lower-back", "glutes", "hips", "thighs", "abdomen"} {
		for _, t := range []string{"touch", "massage", "pressure"} {
			grants = append(grants, consent.Grant{Region: r, Technique: t, Answer: catalogue.Yes})
		}
	}
	for _, r := range []string{"perineum", "anus", "anal-canal", "rectum", "prostate"} {
		grants = append(grants, consent.Grant{Region: r, Technique: "touch", Answer: catalogue.Ask},
			consent.Grant{Region: r, Technique: "massage", Answer: catalogue.Ask})
	}
	grants = append(grants, consent.Grant{Region: "genitals", Technique: "touch", Answer: catalogue.No})
	ag, err := a.Agreements.CreateAgreement(ctx, alex, ids[0], app.AgreementInput{Intent: string(catalogue.Therapeutic), Grants: grants})
	if err != nil {
		return nil, fmt.Errorf("demo agreement: %w", err)
	}
	if _, err := a.Agreements.SignAgreement(ctx, alex, ag.ID, app.SignInput{}); err != nil {
		return nil, fmt.Errorf("demo signature: %w", err)
	}
	start := time.Now().UTC().Add(time.Hour).Truncate(time.Minute).Format(time.RFC3339)
	if _, err := a.Sessions.CreateSession(ctx, sys, app.SessionInput{ClientID: ids[0], PractitionerID: robin,
		Intent: string(catalogue.Therapeutic), StartsAt: start}); err != nil {
		return nil, fmt.Errorf("demo session: %w", err)
	}
	if err := writeDemoAccounts(path, accts); err != nil {
		return nil, err
	}
	return accts, nil
}

func writeDemoAccounts(path string, accts []demoAccount) error {
	var b strings.Builder
	b.WriteString("# holdspace demo accounts (generated; demo data only)\n")
	for _, a := range accts {
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t%s\n", a.Role, a.Name, a.Email, a.Password, a.Note)
	}
	return os.WriteFile(path, []byte(b.String()), 0o600)
}

func readDemoAccounts(path string) ([]demoAccount, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []demoAccount
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		p := strings.Split(line, "\t")
		if len(p) != 5 {
			return nil, holdspace.Errorf(holdspace.EINVALID, "%s is damaged; remove the data directory to start the demo afresh", path)
		}
		out = append(out, demoAccount{p[0], p[1], p[2], p[3], p[4]})
	}
	return out, sc.Err()
}

func printDemo(w io.Writer, url string, accts []demoAccount) {
	fmt.Fprintf(w, "\nDemo practice ready. Open %s and log in as one of:\n\n", url)
	for _, a := range accts {
		fmt.Fprintf(w, "  %-13s %-28s password %-20s (%s: %s)\n", a.Role, a.Email, a.Password, a.Name, a.Note)
	}
	fmt.Fprintln(w, "\nThis demo practice offers sensual work (turned on for the demo; a new practice offers none: Admin → Practice settings).")
	fmt.Fprintln(w, "The passwords are stored in the data directory's demo-accounts.txt. Press Ctrl+C to stop.")
}
