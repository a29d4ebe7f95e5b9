package app

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"holdspace"
	"holdspace/catalogue"
	"holdspace/consent"
	"holdspace/practice"
	"holdspace/store"
)

// Agreements keeps clients' consent agreements: drafts, signatures,
// withdrawals, the history of changes the client is told about, and
// guardians' consents for minors.
type Agreements struct {
	*core
}

// agreementsTx is the part of the store the Agreements use cases touch.
type agreementsTx interface {
	store.Agreements
	store.AuditLog
	store.Clients
	store.Guardians
	store.Keys
	store.Settings
	store.Users
	txBase
}

// update runs fn in a write transaction that offers only agreementsTx.
func (a *Agreements) update(ctx context.Context, fn func(agreementsTx) error) error {
	return a.core.update(ctx, func(tx store.Tx) error { return fn(tx) })
}

// AgreementInput is the input of CreateAgreement.
type AgreementInput struct {
	Intent     string          `json:"intent"`
	Grants     []consent.Grant `json:"grants"`
	ValidUntil string          `json:"valid_until,omitempty"`
	// Language is the language the consent text was shown in (a shipped
	// tag, "de"); empty: the client's language (see languageOf). The
	// agreement records it and the hash of the text in it.
	Language string `json:"language,omitempty"`
}

// AgreementView is an agreement version as callers see it, with its status
// now and its revocations.
type AgreementView struct {
	ID          string               `json:"id"`
	ClientID    string               `json:"client_id"`
	Intent      string               `json:"intent"`
	Version     int                  `json:"version"`
	Status      consent.Status       `json:"status"`
	Grants      []consent.Grant      `json:"grants"`
	ValidUntil  *time.Time           `json:"valid_until,omitempty"`
	CreatedAt   time.Time            `json:"created_at"`
	CreatedBy   string               `json:"created_by"`
	SignedAt    *time.Time           `json:"signed_at,omitempty"`
	SignedBy    string               `json:"signed_by,omitempty"`
	SignMethod  string               `json:"sign_method,omitempty"`
	ContentHash string               `json:"content_hash,omitempty"`
	Supersedes  string               `json:"supersedes,omitempty"`
	Revocations []consent.Revocation `json:"revocations"`
	// ClientSeenAt is when the client saw this version (see
	// ConsentNotices).
	ClientSeenAt *time.Time `json:"client_seen_at,omitempty"`
	// GuardianConsent is set when a guardian's consent is recorded with it.
	GuardianConsent bool `json:"guardian_consent"`
	// Refused lists the grants the practice refuses now (not offered, or
	// the client is a minor): they never permit, whatever they say.
	Refused []RefusedGrant `json:"refused,omitempty"`
	// Language is the language the agreement's consent text was shown in
	// ("de"); empty for agreements made before languages were recorded.
	Language string `json:"language,omitempty"`
	// TextHash is the SHA-256 of the exact consent text shown in Language
	// (ConsentText): "sha256:" and 64 hexadecimal digits.
	TextHash string `json:"text_hash,omitempty"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// factsChanged records, in tx, that a client's decision facts changed: the
// version that keys cached decision indexes moves, and live views are told.
func (a *core) factsChanged(ctx context.Context, tx interface {
	store.Users
	txBase
}, clientID string) error {
	if _, err := tx.BumpVersion(ctx, clientID); err != nil {
		return err
	}
	tx.Notify("client:" + clientID)
	return nil
}

// clientOnlyOrAssigned checks that the actor is the client or one of the
// client's practitioners (admins may see but not act: 403).
func clientOnlyOrAssigned(ac Actor, what string) error {
	if ac.is(holdspace.RoleClient) || ac.is(holdspace.RolePractitioner) {
		return nil
	}
	return forbidden("Only the client or their practitioner can %s.", what)
}

// CreateAgreement stores a draft agreement: the client's answers per
// (region, technique) for one intent. The client or an assigned practitioner
// may create it; only the client's signature makes it count.
func (a *Agreements) CreateAgreement(ctx context.Context, ac Actor, clientID string, in AgreementInput) (AgreementView, error) {
	var out AgreementView
	if len(in.Grants) > 4*catalogue.NumRegions*len(catalogue.TechniqueCodes()) {
		return out, holdspace.Invalid("too_many_grants", "grants", "Too many grants.")
	}
	lang := strings.TrimSpace(in.Language)
	if err := checkLanguage(lang, "language"); err != nil {
		return out, err
	}
	err := a.update(ctx, func(tx agreementsTx) error {
		c, err := visibleClient(ctx, tx, ac, clientID)
		if err != nil {
			return err
		}
		if err := clientOnlyOrAssigned(ac, "draft an agreement"); err != nil {
			return err
		}
		ag := consent.Agreement{ClientID: clientID, Intent: catalogue.Intent(in.Intent), Grants: in.Grants, CreatedAt: tx.Now()}
		if in.ValidUntil != "" {
			if ag.ValidUntil, err = a.parseTimeInPractice(ctx, tx, "valid_until", in.ValidUntil, true); err != nil {
				return err
			}
		}
		an, err := a.anatomy(c)
		if err != nil {
			return err
		}
		if err := ag.Validate(an); err != nil {
			return err
		}
		if err := a.checkAgreementOffered(ctx, tx, c, ag); err != nil {
			return err
		}
		v, err := tx.NextAgreementVersion(ctx, clientID, in.Intent)
		if err != nil {
			return err
		}
		rec := &store.Agreement{ID: newID("agr"), ClientID: clientID, Intent: in.Intent, Version: v,
			ValidUntil: ag.ValidUntil, CreatedAt: tx.Now(), CreatedBy: ac.UserID}
		gb, _ := json.Marshal(in.Grants)
		if rec.GrantsSealed, err = a.sealClient(ctx, tx, clientID, rec.ID, "grants", string(gb)); err != nil {
			return err
		}
		// Which words: the server renders the consent text again in the
		// language the signer was shown, and keeps its hash.
		var hash string
		if rec.Language, hash, err = a.consentWords(ctx, tx, clientID, lang, ag); err != nil {
			return err
		}
		if rec.TextHashSealed, err = a.sealClient(ctx, tx, clientID, rec.ID, "text_hash", hash); err != nil {
			return err
		}
		if err := tx.CreateAgreement(ctx, rec); err != nil {
			return err
		}
		ag.ID, ag.Version = rec.ID, v
		out, err = a.agreementView(rec, ag, consent.StatusDraft)
		if err != nil {
			return err
		}
		return recordContent(ctx, tx, ac, "agreement.create", rec.ID, clientID, "intent="+in.Intent+" version="+strconv.Itoa(v),
			contentItem(contentDraft, rec.ID, draftContent(rec)))
	})
	return out, err
}

// agreementView is the view of an agreement record and its opened
// content, with its text hash opened.
func (a *core) agreementView(rec *store.Agreement, ag consent.Agreement, st consent.Status) (AgreementView, error) {
	th, err := a.open(rec.ID, "text_hash", rec.TextHashSealed)
	if err != nil {
		return AgreementView{}, err
	}
	return AgreementView{ID: rec.ID, ClientID: rec.ClientID, Intent: rec.Intent, Version: rec.Version, Status: st,
		Grants: nonNil(ag.Grants), ValidUntil: timePtr(rec.ValidUntil), CreatedAt: rec.CreatedAt, CreatedBy: rec.CreatedBy,
		SignedAt: timePtr(rec.SignedAt), SignedBy: rec.SignedBy, SignMethod: rec.SignMethod, ContentHash: rec.ContentHash,
		Supersedes: rec.Supersedes, Revocations: nonNil(ag.Revocations), ClientSeenAt: timePtr(rec.ClientSeenAt),
		GuardianConsent: ag.GuardianConsent, Language: rec.Language, TextHash: th}, nil
}

// loadAgreements returns every agreement of a client, opened, with its
// revocations, in store order (oldest first), and the records beside them.
func (a *core) loadAgreements(ctx context.Context, tx interface {
	store.Agreements
	store.Guardians
}, clientID string) ([]consent.Agreement, []*store.Agreement, error) {
	recs, err := tx.ListAgreements(ctx, clientID)
	if err != nil {
		return nil, nil, err
	}
	revs, err := tx.ListRevocations(ctx, clientID)
	if err != nil {
		return nil, nil, err
	}
	out := make([]consent.Agreement, 0, len(recs))
	for _, r := range recs {
		ag, err := a.openAgreement(r)
		if err != nil {
			return nil, nil, err
		}
		for _, rv := range revs {
			if rv.AgreementID == r.ID {
				ag.Revocations = append(ag.Revocations, consent.Revocation{At: rv.At, Regions: rv.Regions, ByRole: string(rv.ByRole)})
			}
		}
		out = append(out, ag)
	}
	if err := a.markGuardians(ctx, tx, clientID, out); err != nil {
		return nil, nil, err
	}
	return out, recs, nil
}

func (a *core) openAgreement(r *store.Agreement) (consent.Agreement, error) {
	gs, err := a.open(r.ID, "grants", r.GrantsSealed)
	if err != nil {
		return consent.Agreement{}, err
	}
	var grants []consent.Grant
	if err := json.Unmarshal([]byte(gs), &grants); err != nil {
		return consent.Agreement{}, fmt.Errorf("agreement %s grants: %w", r.ID, err)
	}
	return consent.Agreement{ID: r.ID, ClientID: r.ClientID, Intent: catalogue.Intent(r.Intent), Version: r.Version,
		Grants: grants, ValidUntil: r.ValidUntil, CreatedAt: r.CreatedAt, SignedAt: r.SignedAt, SignMethod: r.SignMethod,
		Supersedes: r.Supersedes}, nil
}

// visibleAgreement returns an agreement and its client if the actor may
// see the client.
func (a *core) visibleAgreement(ctx context.Context, tx interface {
	store.Agreements
	store.Clients
}, ac Actor, id string) (*store.Agreement, *store.Client, error) {
	r, err := tx.Agreement(ctx, id)
	if err != nil {
		if holdspace.ErrorCode(err) == holdspace.ENOTFOUND {
			return nil, nil, holdspace.NotFound("agreement")
		}
		return nil, nil, err
	}
	c, err := visibleClient(ctx, tx, ac, r.ClientID)
	if err != nil {
		return nil, nil, holdspace.NotFound("agreement")
	}
	return r, c, nil
}

// ListAgreements returns every version of a client's agreements, with their
// status now. The read is audited.
func (a *Agreements) ListAgreements(ctx context.Context, ac Actor, clientID string) ([]AgreementView, error) {
	var out []AgreementView
	err := a.update(ctx, func(tx agreementsTx) error {
		c, err := visibleClient(ctx, tx, ac, clientID)
		if err != nil {
			return err
		}
		ags, recs, err := a.loadAgreements(ctx, tx, clientID)
		if err != nil {
			return err
		}
		_, refused, err := a.practiceRefusals(ctx, tx, c, ags)
		if err != nil {
			return err
		}
		for i := range ags {
			v, err := a.agreementView(recs[i], ags[i], consent.StatusAt(&ags[i], ags, tx.Now()))
			if err != nil {
				return err
			}
			v.Refused = refused[ags[i].ID]
			out = append(out, v)
		}
		return record(ctx, tx, ac, "agreement.read", clientID, clientID, "list")
	})
	return nonNil(out), err
}

// GetAgreement returns one agreement version. The read is audited.
func (a *Agreements) GetAgreement(ctx context.Context, ac Actor, id string) (AgreementView, error) {
	var out AgreementView
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
		for i := range ags {
			if ags[i].ID == id {
				if out, err = a.agreementView(recs[i], ags[i], consent.StatusAt(&ags[i], ags, tx.Now())); err != nil {
					return err
				}
				out.Refused = refused[ags[i].ID]
			}
		}
		return record(ctx, tx, ac, "agreement.read", id, r.ClientID, "")
	})
	return out, err
}

// SignInput is the input of SignAgreement.
type SignInput struct {
	InPerson        bool   `json:"in_person"`
	ClientTypedName string `json:"client_typed_name"`
}

// SignResult is what SignAgreement returns.
type SignResult struct {
	Status      consent.Status `json:"status"`
	SignedAt    time.Time      `json:"signed_at"`
	Version     int            `json:"version"`
	ContentHash string         `json:"content_hash"`
}

// SignAgreement signs a draft: the client in their portal, or the
// practitioner in person with the client's typed name (which must match the
// client's recorded name) as the practitioner's attestation. A signed
// agreement supersedes the previous version for its intent from now; within
// a session already re-confirmed it can only narrow (see consent.Decide).
func (a *Agreements) SignAgreement(ctx context.Context, ac Actor, id string, in SignInput) (SignResult, error) {
	var out SignResult
	err := a.update(ctx, func(tx agreementsTx) error {
		r, c, err := a.visibleAgreement(ctx, tx, ac, id)
		if err != nil {
			return err
		}
		method := consent.SignByClient
		switch {
		case ac.is(holdspace.RoleClient):
			if in.InPerson {
				return holdspace.Invalid("invalid_sign_method", "in_person", "A client signs in their own portal.")
			}
		case ac.is(holdspace.RolePractitioner):
			if !in.InPerson {
				return forbidden("Only the client can sign in the portal; a practitioner signs in person with the client's typed name.")
			}
			if err := a.checkTypedName(ctx, tx, c.ID, in.ClientTypedName); err != nil {
				return err
			}
			method = consent.SignInPerson
			if r.TypedNameSealed, err = a.sealClient(ctx, tx, c.ID, r.ID, "typed_name", strings.TrimSpace(in.ClientTypedName)); err != nil {
				return err
			}
		default:
			return forbidden("Only the client, or their practitioner in person, can sign.")
		}
		ag, err := a.openAgreement(r)
		if err != nil {
			return err
		}
		if ag, err = ag.Sign(tx.Now(), method); err != nil {
			return err
		}
		all, _, err := a.loadAgreements(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		// Withdrawn means withdrawn: for a cooling-off period only the
		// client's own signature grants a withdrawn region again.
		if err := consent.CoolingOff(all, &ag, method, tx.Now(), a.cfg.CoolingOff); err != nil {
			return err
		}
		// The version this one replaces: the one in force now. A draft
		// older than a signed version cannot be signed: its signature
		// would be superseded at once and silently do nothing.
		if cur, ok := consent.Current(all, ag.Intent, tx.Now()); ok {
			if cur.Version > ag.Version {
				return holdspace.Conflict("superseded", "A newer version (%d) is already signed; make a new version from it instead.", cur.Version)
			}
			r.Supersedes = cur.ID
		}
		ag.Supersedes = r.Supersedes
		r.SignedAt, r.SignedBy, r.SignMethod, r.ContentHash = ag.SignedAt, ac.UserID, method, ag.ContentHash()
		if err := tx.SignAgreement(ctx, r); err != nil {
			return err
		}
		if err := a.factsChanged(ctx, tx, c.ID); err != nil {
			return err
		}
		out = SignResult{Status: consent.StatusActive, SignedAt: r.SignedAt, Version: r.Version, ContentHash: r.ContentHash}
		return recordContent(ctx, tx, ac, "agreement.sign", r.ID, c.ID, "method="+method+" hash="+r.ContentHash,
			contentItem(contentAgreement, r.ID, agreementContent(r)))
	})
	return out, err
}

// RevokeInput is the input of RevokeAgreement: no regions means all.
type RevokeInput struct {
	Regions []string `json:"regions,omitempty"`
}

// RevokeResult is what RevokeAgreement returns.
type RevokeResult struct {
	ID      string         `json:"id"`
	Status  consent.Status `json:"status"`
	Regions []string       `json:"regions"`
	At      time.Time      `json:"at"`
}

// RevokeAgreement withdraws consent for some regions (or all) of an
// agreement. The client may at any time; a practitioner records it on the
// client's word. It is durable and in force for every decision that starts
// after it returns, on every node: the revocation, the facts version and the
// live notification are written in one transaction.
func (a *Agreements) RevokeAgreement(ctx context.Context, ac Actor, id string, in RevokeInput) (RevokeResult, error) {
	var out RevokeResult
	err := a.update(ctx, func(tx agreementsTx) error {
		r, c, err := a.visibleAgreement(ctx, tx, ac, id)
		if err != nil {
			return err
		}
		if err := clientOnlyOrAssigned(ac, "withdraw consent"); err != nil {
			return err
		}
		ag, err := a.openAgreement(r)
		if err != nil {
			return err
		}
		regions := slices.Compact(slices.Sorted(slices.Values(in.Regions)))
		rv := consent.Revocation{At: tx.Now(), Regions: regions, ByRole: string(ac.Role)}
		if ag, err = ag.Revoke(rv); err != nil {
			return err
		}
		rec := &store.Revocation{ID: newID("rev"), AgreementID: r.ID, ClientID: c.ID, Regions: regions, At: tx.Now(),
			By: ac.UserID, ByRole: ac.Role, OnClientsWord: ac.is(holdspace.RolePractitioner)}
		if err := tx.CreateRevocation(ctx, rec); err != nil {
			return err
		}
		items := []string{contentItem(contentRevocation, rec.ID, revocationContent(rec))}
		all, _, err := a.loadAgreements(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		// Withdrawing consent given in an older version means the client
		// does not want it now: the revocation also applies to every newer
		// signed version of the intent (whatever the clocks say about when
		// they were signed), so that it is never recorded and without effect.
		for i := range all {
			if b := &all[i]; b.Intent == ag.Intent && b.Version > r.Version && !b.SignedAt.IsZero() {
				also := *rec
				also.ID, also.AgreementID = newID("rev"), b.ID
				if err := tx.CreateRevocation(ctx, &also); err != nil {
					return err
				}
				items = append(items, contentItem(contentRevocation, also.ID, revocationContent(&also)))
			}
		}
		if err := a.factsChanged(ctx, tx, c.ID); err != nil {
			return err
		}
		st := consent.StatusRevoked
		for i := range all {
			if all[i].ID == r.ID {
				st = consent.StatusAt(&all[i], all, tx.Now())
			}
		}
		out = RevokeResult{ID: rec.ID, Status: st, Regions: nonNil(regions), At: rec.At}
		detail := "regions=all"
		if len(regions) > 0 {
			detail = "regions=" + strings.Join(regions, ",")
		}
		if rec.OnClientsWord {
			detail += " on_clients_word"
		}
		return recordContent(ctx, tx, ac, "agreement.revoke", r.ID, c.ID, detail, items...)
	})
	return out, err
}

// checkAgreementOffered refuses an agreement the practice would never let
// permit anything (design rules 9 and 10), so that a refused grant is never
// recorded as given: sensual work the practice does not offer
// (not_offered, field intent), a yes or ask grant on a switched-off region
// (not_offered, field grants[i].region), and for a client under the age of
// majority now, sensual work (minor, field intent) or a yes or ask grant on
// an intimate or internal region (minor, field grants[i].region).
func (a *Agreements) checkAgreementOffered(ctx context.Context, tx interface {
	store.Settings
	txBase
}, c *store.Client, ag consent.Agreement) error {
	st, err := a.practiceSettings(ctx, tx)
	if err != nil {
		return err
	}
	if ag.Intent == catalogue.Sensual && !st.settings.SensualOffered {
		return holdspace.Invalid(consent.CodeNotOffered, "intent", "This practice does not offer sensual work.")
	}
	birth, err := a.birthDate(c)
	if err != nil {
		return err
	}
	minor := practice.MinorAt(birth, st.settings.AgeOfMajority, st.loc, tx.Now())
	if minor && ag.Intent == catalogue.Sensual {
		return holdspace.Invalid(consent.CodeMinor, "intent", "The client is under the practice's age of majority: no sensual work.")
	}
	for i, g := range ag.Grants {
		if g.Answer == catalogue.No {
			continue
		}
		field := "grants[" + strconv.Itoa(i) + "].region"
		if !st.settings.Offers(g.Region, catalogue.Therapeutic) {
			return holdspace.Invalid(consent.CodeNotOffered, field, "This practice does not offer work on %s.", g.Region)
		}
		if r, ok := catalogue.LookupRegion(g.Region); ok && minor && r.NeedsScreening() {
			return holdspace.Invalid(consent.CodeMinor, field, "The client is under the practice's age of majority: no intimate or internal work (%s).", g.Region)
		}
	}
	return nil
}
