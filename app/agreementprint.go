package app

import (
	"context"
	"time"

	"holdspace"
	"holdspace/consent"
	"holdspace/practice"
)

// AgreementPrint is everything the printed copy of an agreement shows:
// the agreement, its client, the practice's letterhead and time zone, and
// the people involved by name rather than by id.
type AgreementPrint struct {
	Agreement AgreementView
	Client    ClientView
	// Practice is the practice's identity (name, address, contact).
	Practice practice.Identity
	// Location is the practice's time zone, in which times are printed.
	Location *time.Location
	// PractitionerNames are the client's assigned practitioners.
	PractitionerNames []string
	// PreparedByName is who drafted this version.
	PreparedByName string
	// SignedByName is who signed: the client, or the practitioner who
	// attested an in-person signature. Empty while unsigned.
	SignedByName string
	// TypedName is the name the client typed for an in-person signature.
	TypedName string
	// PrintedAt is when the copy was gathered.
	PrintedAt time.Time
	// Language is the language the copy is printed in: the agreement's own
	// (LanguageRecorded), or, for an agreement made before languages were
	// recorded, the client's (see languageOf).
	Language         string
	LanguageRecorded bool
	// ConsentText is the agreement's consent text in Language, as signed
	// (ConsentText over its grants as written).
	ConsentText string
	// TextChanged is set when ConsentText no longer hashes to the
	// agreement's recorded text hash: the catalogs' wording changed since.
	TextChanged bool
}

// AgreementForPrint gathers an agreement for its printable copy, in one
// transaction. Whoever may read the agreement may print it; the read of
// the agreement and of the client's profile is audited.
func (a *Agreements) AgreementForPrint(ctx context.Context, ac Actor, id string) (AgreementPrint, error) {
	var out AgreementPrint
	err := a.update(ctx, func(tx agreementsTx) error {
		r, c, err := a.visibleAgreement(ctx, tx, ac, id)
		if err != nil {
			return err
		}
		ags, recs, err := a.loadAgreements(ctx, tx, r.ClientID)
		if err != nil {
			return err
		}
		_, refused, err := a.practiceRefusals(ctx, tx, c, ags)
		if err != nil {
			return err
		}
		found := false
		var signedAs consent.Agreement
		for i := range ags {
			if ags[i].ID == id {
				if out.Agreement, err = a.agreementView(recs[i], ags[i], consent.StatusAt(&ags[i], ags, tx.Now())); err != nil {
					return err
				}
				out.Agreement.Refused = refused[ags[i].ID]
				signedAs = ags[i]
				found = true
			}
		}
		if !found {
			return holdspace.NotFound("agreement")
		}
		u, err := tx.User(ctx, c.ID)
		if err != nil {
			return err
		}
		if out.Client, err = a.clientView(u, c); err != nil {
			return err
		}
		st, err := a.practiceSettings(ctx, tx)
		if err != nil {
			return err
		}
		out.Practice, out.Location, out.PrintedAt = st.settings.Identity, st.loc, tx.Now()
		out.Language, out.LanguageRecorded = r.Language, shippedLanguage(r.Language)
		if !out.LanguageRecorded {
			if out.Language, err = a.languageOf(ctx, tx, u); err != nil {
				return err
			}
		}
		out.ConsentText = ConsentText(out.Language, ConsentTerms{Intent: r.Intent, Grants: signedAs.Grants,
			ValidUntil: r.ValidUntil, Location: st.loc})
		out.TextChanged = out.Agreement.TextHash != "" && ConsentTextHash(out.ConsentText) != out.Agreement.TextHash
		name := func(uid string) string {
			if uid == "" {
				return ""
			}
			if u, err := tx.User(ctx, uid); err == nil {
				if p, err := a.person(u); err == nil {
					return p.Name
				}
			}
			return "someone no longer on record"
		}
		for _, pid := range c.PractitionerIDs {
			out.PractitionerNames = append(out.PractitionerNames, name(pid))
		}
		out.PreparedByName = name(r.CreatedBy)
		out.SignedByName = name(r.SignedBy)
		if len(r.TypedNameSealed) > 0 {
			b, err := a.openBytes(ctx, tx, r.ID, "typed_name", r.TypedNameSealed)
			if err != nil {
				return err
			}
			out.TypedName = string(b)
		}
		if err := record(ctx, tx, ac, "agreement.read", id, r.ClientID, "print"); err != nil {
			return err
		}
		return record(ctx, tx, ac, "client.read", r.ClientID, r.ClientID, "agreement="+id)
	})
	return out, err
}
