package web

import (
	"fmt"

	"holdspace/agreementpdf"
	"holdspace/app"
)

// agreementPDF sends the printable copy of an agreement, the document a
// practitioner files: the practice's letterhead, the client, every
// region's answers, the signature and the content hash it covers (see
// package agreementpdf).
func (h *handler) agreementPDF(q *request, id string) error {
	p, err := h.agreements.AgreementForPrint(q.r.Context(), q.ac, id)
	if err != nil {
		return err
	}
	b, err := agreementpdf.Render(agreementPDFInput(p))
	if err != nil {
		return err
	}
	noStore(q.w)
	q.w.Header().Set("Content-Type", "application/pdf")
	q.w.Header().Set("Content-Disposition", fmt.Sprintf(`inline; filename="consent-%s-v%d.pdf"`, p.Agreement.ID, p.Agreement.Version))
	q.w.Write(b)
	return nil
}

// agreementPDFInput maps what the app gathered onto the renderer's input;
// answers the practice refuses print as "No", as they are honoured.
func agreementPDFInput(p app.AgreementPrint) agreementpdf.Input {
	a := p.Agreement
	in := agreementpdf.Input{
		Practice: p.Practice, Location: p.Location,
		ID: a.ID, Intent: a.Intent, Version: a.Version, Status: a.Status,
		ClientName: p.Client.Name, ClientBirthDate: p.Client.BirthDate,
		Practitioners: p.PractitionerNames, PreparedBy: p.PreparedByName, CreatedAt: a.CreatedAt,
		ValidUntil: a.ValidUntil, Supersedes: a.Supersedes,
		ContentHash: a.ContentHash, Grants: offeredGrants(a), Revocations: a.Revocations,
		PrintedAt: p.PrintedAt,
		Language:  p.Language, LanguageRecorded: p.LanguageRecorded,
		ConsentText: p.ConsentText, TextHash: a.TextHash, TextChanged: p.TextChanged,
	}
	if a.SignedAt != nil {
		in.Signature = &agreementpdf.Signature{At: *a.SignedAt, SignerName: p.SignedByName, Method: a.SignMethod, TypedName: p.TypedName}
	}
	return in
}
