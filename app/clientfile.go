package app

import (
	"cmp"
	"context"
	"slices"

	"holdspace"
	"holdspace/consent"
)

// ClientFile is the part of a client's file read from their record: the
// profile, every assigned practitioner, the agreements
// (with the grants the practice refuses now) and the sessions the caller
// may see.
type ClientFile struct {
	Client     ClientView
	Assigned   []Person
	Agreements []AgreementView
	Sessions   []SessionView
}

// ClientFile reads a client's file for an admin or an assigned
// practitioner, who sees only their own sessions but every practitioner
// assigned to the client. It is audited as the reads it replaces: a
// client read, an agreement list and, when there are sessions, a session
// list.
func (a *Records) ClientFile(ctx context.Context, ac Actor, clientID string) (ClientFile, error) {
	var cf ClientFile
	err := a.update(ctx, func(tx recordsTx) error {
		c, err := visibleClient(ctx, tx, ac, clientID)
		if err != nil {
			return err
		}
		if !ac.is(holdspace.RoleAdmin) && !ac.is(holdspace.RolePractitioner) {
			return forbidden("The client file is for the client's practitioners and admins.")
		}
		rec, err := a.gatherClientRecord(ctx, tx, c)
		if err != nil {
			return err
		}
		cf.Client = rec.view
		// Every assigned practitioner: colleagues caring for the same
		// client see each other on the file (issue 15).
		cf.Assigned = append(cf.Assigned, rec.practitioners...)
		own := func(practitionerID string) bool { return ac.is(holdspace.RoleAdmin) || practitionerID == ac.UserID }
		// In the order practitioners are listed everywhere else: oldest
		// account first.
		slices.SortFunc(cf.Assigned, func(x, y Person) int {
			return cmp.Or(x.CreatedAt.Compare(y.CreatedAt), cmp.Compare(x.ID, y.ID))
		})
		if err := record(ctx, tx, ac, "client.read", clientID, clientID, ""); err != nil {
			return err
		}
		ags := rec.agreements
		_, refused, err := a.practiceRefusals(ctx, tx, c, ags)
		if err != nil {
			return err
		}
		for i := range ags {
			v, err := a.agreementView(rec.agreementRecs[i], ags[i], consent.StatusAt(&ags[i], ags, tx.Now()))
			if err != nil {
				return err
			}
			v.Refused = refused[ags[i].ID]
			cf.Agreements = append(cf.Agreements, v)
		}
		if err := record(ctx, tx, ac, "agreement.read", clientID, clientID, "list"); err != nil {
			return err
		}
		for _, sr := range rec.sessions {
			if own(sr.session.PractitionerID) {
				cf.Sessions = append(cf.Sessions, a.sessionView(sr.session))
			}
		}
		if len(cf.Sessions) > 0 {
			return record(ctx, tx, ac, "session.read", clientID, clientID, "list")
		}
		return nil
	})
	cf.Agreements, cf.Sessions = nonNil(cf.Agreements), nonNil(cf.Sessions)
	return cf, err
}
