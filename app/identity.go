package app

import (
	"context"
	"strings"

	"holdspace/fhir"
	"holdspace/practice"
	"holdspace/store"
)

// BaseURL returns the practice's public base URL (Config.BaseURL) without
// a trailing slash: the prefix of the absolute URLs holdspace writes into
// receipts and FHIR records (the privacy notice, extension definitions).
// Empty when the program did not configure one.
func (a *core) BaseURL() string { return strings.TrimRight(a.cfg.BaseURL, "/") }

// PrivacyURL returns the absolute URL of the practice's privacy notice
// page (relative when no base URL is configured).
func (a *core) PrivacyURL() string { return a.BaseURL() + fhir.PrivacyPath }

// PublicIdentity returns who the practice says it is (name, address,
// contact, jurisdiction, privacy notice): what it publishes on its privacy
// page. Anyone may read it, signed in or not; nothing in it is about a
// client, so the read is not audited.
func (a *Practice) PublicIdentity(ctx context.Context) (practice.Identity, error) {
	var id practice.Identity
	err := a.view(ctx, func(tx practiceTx) error {
		var err error
		id, err = a.identity(ctx, tx)
		return err
	})
	return id, err
}

// identity reads the practice's identity in tx.
func (a *core) identity(ctx context.Context, tx store.Settings) (practice.Identity, error) {
	st, err := a.practiceSettings(ctx, tx)
	return st.settings.Identity, err
}

// organization returns the practice as a FHIR Organization.
func (a *core) organization(id practice.Identity) (fhir.Organization, error) {
	name := id.Name
	if strings.TrimSpace(name) == "" && a.BaseURL() == "" {
		// Neither a name nor a base URL (a library user without
		// Config.BaseURL): the receipts' honest fallback, not an error.
		c, _, _ := fhir.ReceiptPractice(id, "")
		name = c.Name
	}
	return fhir.NewOrganization(fhir.OrganizationInput{Name: name, Address: id.Address, Email: id.Email,
		Phone: id.Phone, Jurisdiction: id.Jurisdiction, URL: a.BaseURL(), PrivacyURL: a.PrivacyURL()})
}

// receiptInput fills the practice's part of a receipt input from its
// identity (see fhir.ReceiptPractice for the fallbacks when parts are
// unset).
func (a *core) receiptInput(id practice.Identity, in fhir.ReceiptInput) fhir.ReceiptInput {
	in.Controller, in.Jurisdiction, in.PolicyURL = fhir.ReceiptPractice(id, a.BaseURL())
	return in
}
