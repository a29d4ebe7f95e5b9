package app

import (
	"context"
	"strings"

	"holdspace"
	"holdspace/catalogue"
	"holdspace/consent"
	"holdspace/store"
)

// Decisions answers permit, ask or deny for a session: one decision
// (Decide) or the whole board (SessionBoard). It keeps compiled decision
// indexes in a cache keyed on the facts' versions (decisioncache.go).
type Decisions struct {
	*core
	facts *factsCache
	// observe, if set, is called with the outcome of every decision (for
	// metrics).
	observe func(outcome string)
}

// decisionsTx is the part of the store the Decisions use cases touch.
type decisionsTx interface {
	store.Agreements
	store.AuditLog
	store.Clients
	store.Credentials
	store.FollowUps
	store.Guardians
	store.Screenings
	store.Sessions
	store.Settings
	store.Users
	txBase
}

// update runs fn in a write transaction that offers only decisionsTx.
func (a *Decisions) update(ctx context.Context, fn func(decisionsTx) error) error {
	return a.core.update(ctx, func(tx store.Tx) error { return fn(tx) })
}

// updateGrouped runs fn as a part of a grouped write transaction (see
// groupcommit.go) that offers only decisionsTx.
func (a *Decisions) updateGrouped(ctx context.Context, fn func(context.Context, decisionsTx) error) error {
	return a.core.updateGrouped(ctx, func(ctx context.Context, tx store.Tx) error { return fn(ctx, tx) })
}

// DecideInput is the input of Decide.
type DecideInput struct {
	SessionID string `json:"session_id"`
	Region    string `json:"region"`
	Technique string `json:"technique"`
}

// Decide answers permit, ask or deny, with reasons, for touching a region
// with a technique now in a session. The session's practitioner and its
// client may ask. Every decision is audited with its reasons, in the same
// transaction that read its facts, so it reflects every revoke and stop
// acknowledged before it started. Decisions are grouped: many commit in
// one transaction, each answered once its own entry is durable.
func (a *Decisions) Decide(ctx context.Context, ac Actor, in DecideInput) (consent.Decision, error) {
	var d consent.Decision
	if in.SessionID == "" {
		return d, holdspace.Invalid("required", "session_id", "Name the session.")
	}
	if _, ok := catalogue.LookupRegion(in.Region); !ok {
		return d, holdspace.Invalid("unknown_region", "region", "%q is not a body region.", in.Region)
	}
	if !catalogue.ValidTechnique(in.Technique) {
		return d, holdspace.Invalid("unknown_technique", "technique", "%q is not a technique.", in.Technique)
	}
	err := a.updateGrouped(ctx, func(ctx context.Context, tx decisionsTx) error {
		// The fact epoch, read first, says which cached facts are
		// current (hotcache.go); inside a batch after another part's
		// write it is -1 and nothing cached is used.
		ep, err := a.txEpoch(ctx, tx)
		if err != nil {
			return err
		}
		s, err := a.visibleSessionAt(ctx, tx, ep, ac, in.SessionID)
		if err != nil {
			return err
		}
		if ac.is(holdspace.RoleAdmin) {
			return forbidden("Decisions are asked by the session's practitioner or client.")
		}
		if err := a.closeIfOverdue(ctx, tx, s); err != nil {
			return err
		}
		e, f, err := a.decisionFacts(ctx, tx, s, ep)
		if err != nil {
			return err
		}
		d = e.decide(&f, in.Region, in.Technique, tx.Now())
		// The outcome goes in the (sealed) detail, not in the action.
		return record(ctx, tx, ac, "decision", s.ID, s.ClientID,
			"outcome="+string(d.Outcome)+" region="+in.Region+" technique="+in.Technique+" reasons="+reasonCodes(d.Reasons()))
	})
	if err == nil && a.observe != nil {
		a.observe(string(d.Outcome))
	}
	return d, err
}

func reasonCodes(rs []consent.Reason) string {
	var b strings.Builder
	for i, r := range rs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(r.Code)
	}
	return b.String()
}
