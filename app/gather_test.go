package app

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"holdspace"

	"holdspace/fhir"
	"holdspace/store"
)

// TestClientRecordFeedsExportAndBundle checks that the export and the FHIR
// bundle, both views of one gathered client record, hold the same client,
// practitioners, agreements, screenings and sessions, and that each read
// is still audited as its own kind.
func TestClientRecordFeedsExportAndBundle(t *testing.T) {
	ctx := context.Background()
	a := newTestApp(t)
	l := newLive(t, a)
	ans := `{"fever":false,"dvt":false,"anticoagulants":false,"recent-surgery":false,"cancer-treatment":false,
		"hypertension-unstable":false,"stroke-recent":false,"prostatitis-symptoms":false,"prostate-cancer":false,
		"prostate-procedure-healing":false,"rectal-bleeding":false,"anal-acute":false,"anorectal-disease":false,
		"prolapse-repair":false,"seed-implants":false,"sti-active":false,"immunosuppressed":false,"latex-allergy":false,
		"trauma-history":"no"}`
	if _, err := a.Screenings.SubmitScreening(ctx, l.client, l.client.UserID, ScreeningInput{Answers: []byte(ans)}); err != nil {
		t.Fatal(err)
	}
	l.nextSession(t)

	x, err := a.Records.ExportClient(ctx, l.client, l.client.UserID)
	if err != nil {
		t.Fatal(err)
	}
	b, err := a.Records.ClientBundle(ctx, l.client, l.client.UserID)
	if err != nil {
		t.Fatal(err)
	}

	fromExport := map[string][]string{"Patient": {fid(t, x.Client.ID)}}
	for _, p := range x.Practitioners {
		fromExport["Practitioner"] = append(fromExport["Practitioner"], fid(t, p.ID))
	}
	for _, ag := range x.Agreements {
		fromExport["Consent"] = append(fromExport["Consent"], fid(t, ag.ID))
	}
	for _, s := range x.Screenings {
		fromExport["QuestionnaireResponse"] = append(fromExport["QuestionnaireResponse"], fid(t, s.ID))
	}
	for _, s := range x.Sessions {
		fromExport["Encounter"] = append(fromExport["Encounter"], fid(t, s.ID))
	}
	fromBundle := map[string][]string{}
	for _, e := range b.Entry {
		raw, err := json.Marshal(e.Resource)
		if err != nil {
			t.Fatal(err)
		}
		var r struct {
			ResourceType  string `json:"resourceType"`
			ID            string `json:"id"`
			Questionnaire string `json:"questionnaire"`
		}
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatal(err)
		}
		if r.ResourceType == "QuestionnaireResponse" && r.ID == "" {
			continue
		}
		fromBundle[r.ResourceType] = append(fromBundle[r.ResourceType], r.ID)
	}
	want := map[string]int{"Patient": 1, "Practitioner": 1, "Consent": 1, "QuestionnaireResponse": 1, "Encounter": 2}
	for kind, n := range want {
		ex, bu := fromExport[kind], fromBundle[kind]
		if len(ex) != n {
			t.Errorf("export holds %d %s records, want %d", len(ex), kind, n)
		}
		slices.Sort(ex)
		slices.Sort(bu)
		if !slices.Equal(ex, bu) {
			t.Errorf("%s: export holds %v, bundle %v", kind, ex, bu)
		}
	}
	var evs int
	for _, s := range x.Sessions {
		evs += len(s.Events)
	}
	if evs != 7 { // open, reconfirm, begin, close; open, reconfirm, begin
		t.Errorf("export holds %d events, want 7", evs)
	}

	es, err := a.Audit.ListAudit(ctx, System, store.AuditFilter{ClientID: l.client.UserID, Newest: true, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 2 || es[0].Action != "client.read" || es[1].Action != "client.export" {
		t.Fatalf("last audit entries: %+v", es)
	}
}

// fid is id as a FHIR logical id.
func fid(t *testing.T, id string) string {
	t.Helper()
	s, err := fhir.LogicalID(id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestClientFileFromRecord checks the client file read from the gathered
// record: what the practitioner sees, that clients are refused, and that
// it is audited as the three reads it replaces.
func TestClientFileFromRecord(t *testing.T) {
	ctx := context.Background()
	a := newTestApp(t)
	l := newLive(t, a)
	l.nextSession(t)

	cf, err := a.Records.ClientFile(ctx, l.pract, l.client.UserID)
	if err != nil {
		t.Fatal(err)
	}
	if cf.Client.ID != l.client.UserID || len(cf.Assigned) != 1 || cf.Assigned[0].ID != l.pract.UserID ||
		len(cf.Agreements) != 1 || cf.Agreements[0].ID != l.agreed || len(cf.Sessions) != 2 {
		t.Fatalf("client file: %+v", cf)
	}
	es, err := a.Audit.ListAudit(ctx, System, store.AuditFilter{ClientID: l.client.UserID, Newest: true, Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, e.Action)
	}
	if !slices.Equal(got, []string{"session.read", "agreement.read", "client.read"}) {
		t.Fatalf("audit: %v", got)
	}
	if _, err := a.Records.ClientFile(ctx, l.client, l.client.UserID); holdspace.ErrorCode(err) != holdspace.EFORBIDDEN {
		t.Fatalf("client reading their file: %v", err)
	}
	other, err := a.People.CreateUser(ctx, System, NewUser{Role: holdspace.RolePractitioner, Name: "Olu", Email: "o@example.test"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Records.ClientFile(ctx, Actor{UserID: other, Role: holdspace.RolePractitioner}, l.client.UserID); holdspace.ErrorCode(err) != holdspace.ENOTFOUND {
		t.Fatalf("unassigned practitioner: %v", err)
	}
}
