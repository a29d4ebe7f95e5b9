package app

import (
	"context"

	"holdspace"

	"holdspace/catalogue"
	"holdspace/consent"
	"holdspace/fhir"
	"holdspace/practice"
	"holdspace/screening"
)

// ClientBundle returns a client's record as a FHIR R4 Bundle of type
// collection: the Patient, each Consent version, the Questionnaires and
// QuestionnaireResponses of their screenings, their Practitioners, an
// Encounter per session and a day-check-v1 QuestionnaireResponse per day
// check (after the day-check-v1 Questionnaire), and the practice as the
// Organization that manages every Consent. Extension URLs are the
// practice's own (fhir.RebaseExtensions with BaseURL). Admins, assigned practitioners and the client may
// read it; the read is audited.
func (a *Records) ClientBundle(ctx context.Context, ac Actor, clientID string) (fhir.Bundle, error) {
	var b fhir.Bundle
	err := a.update(ctx, func(tx recordsTx) error {
		c, err := visibleClient(ctx, tx, ac, clientID)
		if err != nil {
			return err
		}
		rec, err := a.gatherClientRecord(ctx, tx, c)
		if err != nil {
			return err
		}
		cv := rec.view
		pat, err := fhir.NewPatient(fhir.PatientInput{ID: cv.ID, Name: cv.Name, Email: cv.Email, BirthDate: cv.BirthDate, Anatomy: cv.Anatomy})
		if err != nil {
			return err
		}
		id, err := a.identity(ctx, tx)
		if err != nil {
			return err
		}
		org, err := a.organization(id)
		if err != nil {
			return err
		}
		res := []any{pat, org}
		for _, p := range rec.practitioners {
			pr, err := fhir.NewPractitioner(fhir.PractitionerInput{ID: p.ID, Name: p.Name, Email: p.Email, Credentials: practiceCredentials(rec.credentials[p.ID])})
			if err != nil {
				return err
			}
			res = append(res, pr)
		}
		ags, recs := rec.agreements, rec.agreementRecs
		// A grant the practice refuses now is exported as not permitted.
		offered, _, err := a.practiceRefusals(ctx, tx, c, ags)
		if err != nil {
			return err
		}
		for i := range ags {
			in := fhir.ConsentInput{Agreement: offered[i], Status: consent.StatusAt(&ags[i], ags, tx.Now()),
				Organization: org.ID, PolicyURL: a.PrivacyURL(), Language: recs[i].Language}
			if recs[i].SignMethod == consent.SignInPerson {
				in.AttestedBy = recs[i].SignedBy
			}
			in.SupersededAt = ags[i].SupersededAt(ags)
			con, err := fhir.NewConsent(in)
			if err != nil {
				return err
			}
			res = append(res, con)
		}
		ss := rec.screenings
		seenQ := map[string]bool{}
		for _, v := range ss {
			q, ok := screening.Lookup(v.Questionnaire)
			if !ok {
				continue
			}
			if !seenQ[q.Name] {
				seenQ[q.Name] = true
				res = append(res, fhir.Questionnaire(q))
			}
			qr, err := fhir.QuestionnaireResponse(q, v.Answers, fhir.Reference{Reference: "Patient/" + pat.ID}, v.TakenAt)
			if err != nil {
				return err
			}
			qr.Language = v.Language
			if qr.ID, err = fhir.LogicalID(v.ID); err != nil {
				return err
			}
			res = append(res, qr)
		}
		var dayChecks []any
		for _, sr := range rec.sessions {
			s := sr.session
			in := fhir.EncounterInput{ID: s.ID, ClientID: s.ClientID, PractitionerID: s.PractitionerID,
				State: practice.State(s.State), Intent: catalogue.Intent(s.Intent), StartsAt: s.StartsAt}
			f := practice.NewFacts(catalogue.Intent(s.Intent))
			var opened []practice.Event
			for _, e := range sr.events {
				switch practice.EventType(e.Type) {
				case practice.EventBegin:
					in.BegunAt = e.At
				case practice.EventClose, practice.EventAutoClose:
					in.ClosedAt = e.At
				}
				ev, err := a.eventOf(e, false)
				if err != nil {
					return err
				}
				_ = f.Apply(ev)
				opened = append(opened, ev)
			}
			in.EndedFor = f.EndedFor()
			enc, err := fhir.NewEncounter(in)
			if err != nil {
				return err
			}
			res = append(res, enc)
			dc, err := dayCheckResources(s, opened, len(dayChecks) == 0)
			if err != nil {
				return err
			}
			dayChecks = append(dayChecks, dc...)
		}
		res = append(res, dayChecks...)
		if b, err = fhir.NewBundle("", "", tx.Now(), res...); err != nil {
			return err
		}
		b = fhir.RebaseExtensions(b, a.BaseURL())
		return record(ctx, tx, ac, "client.read", clientID, clientID, "fhir")
	})
	return b, err
}

// AgreementReceipt returns the consent receipt of an agreement's latest
// event (signed, revoked or expired), for the client's records. Those who
// may see the agreement may read it; the read is audited.
func (a *Records) AgreementReceipt(ctx context.Context, ac Actor, id string) (fhir.Receipt, error) {
	var rc fhir.Receipt
	err := a.update(ctx, func(tx recordsTx) error {
		r, c, err := a.visibleAgreement(ctx, tx, ac, id)
		if err != nil {
			return err
		}
		ags, _, err := a.loadAgreements(ctx, tx, r.ClientID)
		if err != nil {
			return err
		}
		// A grant the practice refuses now is never receipted as given.
		offered, _, err := a.practiceRefusals(ctx, tx, c, ags)
		if err != nil {
			return err
		}
		var ag *consent.Agreement
		for i := range ags {
			if ags[i].ID == id {
				ag = &offered[i]
			}
		}
		ev := fhir.ConsentSigned
		switch consent.StatusAt(ag, ags, tx.Now()) {
		case consent.StatusDraft:
			return holdspace.Conflict("unsigned", "A draft has no receipt; sign it first.")
		case consent.StatusRevoked:
			ev = fhir.ConsentRevoked
		case consent.StatusExpired:
			ev = fhir.ConsentExpired
		default:
			if len(ag.Revocations) > 0 {
				ev = fhir.ConsentRevoked
			}
		}
		who, err := a.identity(ctx, tx)
		if err != nil {
			return err
		}
		in := a.receiptInput(who, fhir.ReceiptInput{Agreement: *ag, Event: ev})
		// In the agreement's language (the client's, for one made before
		// languages were recorded), with the hash of its words.
		in.Language, in.LanguageRecorded = r.Language, shippedLanguage(r.Language)
		if !in.LanguageRecorded {
			u, err := tx.User(ctx, r.ClientID)
			if err != nil {
				return err
			}
			if in.Language, err = a.languageOf(ctx, tx, u); err != nil {
				return err
			}
		}
		if in.TextHash, err = a.open(r.ID, "text_hash", r.TextHashSealed); err != nil {
			return err
		}
		if r.SignMethod == consent.SignInPerson {
			in.AttestedBy = r.SignedBy
		}
		if rc, err = fhir.NewReceipt(in); err != nil {
			return err
		}
		return record(ctx, tx, ac, "agreement.receipt", id, r.ClientID, string(ev))
	})
	return rc, err
}
