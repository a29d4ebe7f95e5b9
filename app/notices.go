package app

import (
	"context"
	"strconv"

	"holdspace"
	"holdspace/consent"
	"holdspace/store"
)

// Why a version is shown to the client (ConsentNotice.Why).
const (
	NoticeMadeByOther = "made_by_practitioner" // someone else drafted this version
	NoticeInPerson    = "signed_in_person"     // signed on the practitioner's device
)

// ConsentNotice is an agreement version the client did not both make and
// sign in their own account, shown to them until they say they have seen
// it, and kept in their consent history either way.
type ConsentNotice struct {
	AgreementView
	Why []string `json:"why"`
	// CreatedByName and SignedByName name who drafted and who signed.
	CreatedByName string `json:"created_by_name"`
	SignedByName  string `json:"signed_by_name,omitempty"`
}

// noticeWhy returns why rec is shown to its client, or nothing.
func noticeWhy(rec *store.Agreement) []string {
	var why []string
	if rec.CreatedBy != rec.ClientID {
		why = append(why, NoticeMadeByOther)
	}
	if rec.SignMethod == consent.SignInPerson {
		why = append(why, NoticeInPerson)
	}
	return why
}

// ConsentHistory returns every version of the client's agreements, oldest
// first, as notices (Why empty for the versions the client made and signed
// themselves). With unseenOnly it returns only the versions to show the
// client because they have not seen them yet. The client, their assigned
// practitioners and admins may read it; the read is audited.
func (a *Agreements) ConsentHistory(ctx context.Context, ac Actor, clientID string, unseenOnly bool) ([]ConsentNotice, error) {
	var out []ConsentNotice
	err := a.update(ctx, func(tx agreementsTx) error {
		if _, err := visibleClient(ctx, tx, ac, clientID); err != nil {
			return err
		}
		ags, recs, err := a.loadAgreements(ctx, tx, clientID)
		if err != nil {
			return err
		}
		names := map[string]string{}
		name := func(id string) string {
			if id == "" {
				return ""
			}
			if n, ok := names[id]; ok {
				return n
			}
			n := "someone no longer on record"
			if u, err := tx.User(ctx, id); err == nil {
				if p, err := a.person(u); err == nil {
					n = p.Name
				}
			}
			names[id] = n
			return n
		}
		for i, rec := range recs {
			why := noticeWhy(rec)
			if unseenOnly && (len(why) == 0 || !rec.ClientSeenAt.IsZero()) {
				continue
			}
			v, err := a.agreementView(rec, ags[i], consent.StatusAt(&ags[i], ags, tx.Now()))
			if err != nil {
				return err
			}
			out = append(out, ConsentNotice{AgreementView: v,
				Why: nonNil(why), CreatedByName: name(rec.CreatedBy), SignedByName: name(rec.SignedBy)})
		}
		detail := "history"
		if unseenOnly {
			detail = "notices"
		}
		return record(ctx, tx, ac, "agreement.read", clientID, clientID, detail)
	})
	return nonNil(out), err
}

// AcknowledgeConsentNotices records that the client saw every version
// shown to them; it returns how many it marked. Only the client may.
func (a *Agreements) AcknowledgeConsentNotices(ctx context.Context, ac Actor, clientID string) (int, error) {
	n := 0
	err := a.update(ctx, func(tx agreementsTx) error {
		if _, err := visibleClient(ctx, tx, ac, clientID); err != nil {
			return err
		}
		if !ac.is(holdspace.RoleClient) {
			return forbidden("Only the client can say they have seen their consent history.")
		}
		recs, err := tx.ListAgreements(ctx, clientID)
		if err != nil {
			return err
		}
		for _, rec := range recs {
			if len(noticeWhy(rec)) == 0 || !rec.ClientSeenAt.IsZero() {
				continue
			}
			if err := tx.MarkAgreementSeen(ctx, rec.ID, tx.Now()); err != nil {
				return err
			}
			n++
		}
		if n == 0 {
			return nil
		}
		return record(ctx, tx, ac, "agreement.seen", clientID, clientID, "count="+strconv.Itoa(n))
	})
	if holdspace.ErrorCode(err) == holdspace.ENOTFOUND {
		return 0, holdspace.NotFound("client")
	}
	return n, err
}
