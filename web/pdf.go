package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"

	"github.com/go-pdf/fpdf"

	"holdspace/app"
	"holdspace/catalogue"
	"holdspace/consent"
)

// agreementPDF sends a printable copy of a signed agreement: who signed
// what, when and how, every region's answers grouped by region group, and
// the content hash that the signature covers.
func (h *handler) agreementPDF(q *request, id string) error {
	a, err := h.agreements.GetAgreement(q.r.Context(), q.ac, id)
	if err != nil {
		return err
	}
	cv, err := h.people.GetClient(q.r.Context(), q.ac, a.ClientID)
	if err != nil {
		return err
	}
	a.Grants = offeredGrants(a)
	b, err := agreementPDFBytes(a, cv)
	if err != nil {
		return err
	}
	noStore(q.w)
	q.w.Header().Set("Content-Type", "application/pdf")
	q.w.Header().Set("Content-Disposition", fmt.Sprintf(`inline; filename="consent-%s-v%d.pdf"`, a.Intent, a.Version))
	q.w.Write(b)
	return nil
}

func agreementPDFBytes(a app.AgreementView, cv app.ClientView) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle(fmt.Sprintf("Consent agreement, version %d", a.Version), true)
	pdf.SetCreator("holdspace", true)
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.SetMargins(18, 18, 18)
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 18)
	pdf.CellFormat(0, 10, tr("Consent agreement"), "", 1, "", false, 0, "")
	pdf.SetFont("Helvetica", "", 11)
	line := func(label, value string) {
		pdf.SetFont("Helvetica", "B", 10)
		pdf.CellFormat(42, 6, tr(label), "", 0, "", false, 0, "")
		pdf.SetFont("Helvetica", "", 10)
		pdf.MultiCell(0, 6, tr(value), "", "", false)
	}
	line("Client", cv.Name)
	line("Intent", a.Intent)
	line("Version", fmt.Sprint(a.Version))
	line("Status", string(a.Status))
	signer, method := "not signed", ""
	if a.SignedAt != nil {
		signer = a.SignedBy
		switch a.SignMethod {
		case consent.SignByClient:
			method = "signed by the client in their own portal"
		case consent.SignInPerson:
			method = "signed in person on the practitioner's device, the practitioner attesting"
		default:
			method = a.SignMethod
		}
		line("Signed at", fmtTime(*a.SignedAt))
	}
	line("Signer", signer)
	if method != "" {
		line("Sign method", method)
	}
	if a.ValidUntil != nil {
		line("Valid until", fmtTime(*a.ValidUntil))
	}
	if a.Supersedes != "" {
		line("Replaces", a.Supersedes)
	}
	line("Agreement id", a.ID)
	line("Content hash", "SHA-256 "+a.ContentHash)
	for _, rv := range a.Revocations {
		what := "all regions"
		if len(rv.Regions) > 0 {
			var ls []string
			for _, r := range rv.Regions {
				ls = append(ls, regionLabel(r))
			}
			what = strings.Join(ls, ", ")
		}
		line("Withdrawn", fmt.Sprintf("%s, %s (by the %s)", what, fmtTime(rv.At), rv.ByRole))
	}
	pdf.Ln(4)

	answers := map[string]catalogue.Answer{}
	for _, g := range a.Grants {
		answers[g.Region+"/"+g.Technique] = g.Answer
	}
	techs := catalogue.Techniques()
	colW := (174.0 - 62) / float64(len(techs))
	header := func() {
		pdf.SetFont("Helvetica", "B", 9)
		pdf.SetFillColor(230, 236, 240)
		pdf.CellFormat(62, 7, tr("Region"), "1", 0, "", true, 0, "")
		for _, t := range techs {
			pdf.CellFormat(colW, 7, tr(t.Label), "1", 0, "C", true, 0, "")
		}
		pdf.Ln(-1)
	}
	for _, g := range []catalogue.Group{catalogue.General, catalogue.Sensitive, catalogue.Intimate, catalogue.Internal} {
		var rows []catalogue.Region
		for _, r := range catalogue.Regions() {
			for _, t := range techs {
				if _, ok := answers[r.Code+"/"+t.Code]; ok {
					rows = append(rows, r)
					break
				}
			}
		}
		var mine []catalogue.Region
		for _, r := range rows {
			if r.Group == g {
				mine = append(mine, r)
			}
		}
		if len(mine) == 0 {
			continue
		}
		pdf.SetFont("Helvetica", "B", 12)
		pdf.CellFormat(0, 9, tr(strings.ToUpper(string(g[:1]))+string(g[1:])+" regions"), "", 1, "", false, 0, "")
		header()
		pdf.SetFont("Helvetica", "", 9)
		for _, r := range mine {
			pdf.CellFormat(62, 6, tr(r.Label), "1", 0, "", false, 0, "")
			for _, t := range techs {
				ans, ok := answers[r.Code+"/"+t.Code]
				txt := "-"
				if ok {
					txt = answerText(ans)
				}
				pdf.CellFormat(colW, 6, tr(txt), "1", 0, "C", false, 0, "")
			}
			pdf.Ln(-1)
		}
		pdf.Ln(2)
	}
	pdf.Ln(4)
	pdf.SetFont("Helvetica", "", 9)
	pdf.MultiCell(0, 5, tr("\"Ask me first\" means the practitioner checks in before every touch of that region. "+
		"Consent can be withdrawn at any moment, for one region or all, from the client's own device or by saying so. "+
		"Sensitive, intimate and internal regions are re-confirmed at the start of every session. "+
		"The content hash identifies exactly what was signed."), "", "", false)
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("web: agreement pdf: %w", err)
	}
	return buf.Bytes(), nil
}

var _ http.Handler = (*handler)(nil)
