package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"holdspace"
	"holdspace/store"
)

// DefaultRetentionYears is how long records are kept after a client's last
// session when the practice sets no policy: a conservative clinical-records
// period (longer than the 7 to 8 years most health-record rules ask of
// adult records).
const DefaultRetentionYears = 10

// RetentionPolicy says, per kind of record, how many years it is kept.
type RetentionPolicy struct {
	// ClientYears: a client's whole record (profile, screenings, consent,
	// sessions) is erased this many years after their last session (after
	// the record was created, for a client who never had one).
	ClientYears int
	// SessionYears: a session and its events are deleted this many years
	// after it started, even while the client's record is kept.
	SessionYears int
}

// DefaultRetention is the policy with DefaultRetentionYears for every kind.
var DefaultRetention = RetentionPolicy{ClientYears: DefaultRetentionYears, SessionYears: DefaultRetentionYears}

// ParseRetention reads a policy such as "client=10,session=8" (years);
// kinds not named keep their default. Each period is 1 to 100 years.
func ParseRetention(s string) (RetentionPolicy, error) {
	p := DefaultRetention
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		kind, v, ok := strings.Cut(item, "=")
		years, err := strconv.Atoi(strings.TrimSpace(v))
		if !ok || err != nil || years < 1 || years > 100 {
			return p, holdspace.Invalid("invalid_retention", "retention", "Write the policy as kind=years (1 to 100), for example client=10,session=8; got %q.", item)
		}
		switch strings.TrimSpace(kind) {
		case "client":
			p.ClientYears = years
		case "session":
			p.SessionYears = years
		default:
			return p, holdspace.Invalid("invalid_retention", "retention", "Unknown record kind %q: the kinds are client and session.", kind)
		}
	}
	return p, nil
}

// RetentionItem is one record whose retention period ended.
type RetentionItem struct {
	Kind     string // "client" or "session"
	ID       string
	ClientID string
	// Since is the time the period counts from (the last session, or the
	// session's start).
	Since time.Time
}

// RetentionPlan lists the records whose retention period ended at now:
// clients whose last session (or creation) is older than ClientYears,
// then sessions older than SessionYears of the clients that stay.
func (a *Records) RetentionPlan(ctx context.Context, p RetentionPolicy, now time.Time) ([]RetentionItem, error) {
	clientCut := now.AddDate(-p.ClientYears, 0, 0)
	sessionCut := now.AddDate(-p.SessionYears, 0, 0)
	var out []RetentionItem
	err := a.view(ctx, func(tx recordsTx) error {
		cs, err := tx.ListClients(ctx, store.ClientFilter{})
		if err != nil {
			return err
		}
		var keep []RetentionItem
		for _, c := range cs {
			ss, err := tx.ListSessions(ctx, store.SessionFilter{ClientID: c.ID})
			if err != nil {
				return err
			}
			last := c.CreatedAt
			if len(ss) > 0 {
				last = ss[len(ss)-1].StartsAt
			}
			if last.Before(clientCut) {
				out = append(out, RetentionItem{Kind: "client", ID: c.ID, ClientID: c.ID, Since: last})
				continue
			}
			for _, s := range ss {
				if s.StartsAt.Before(sessionCut) {
					keep = append(keep, RetentionItem{Kind: "session", ID: s.ID, ClientID: c.ID, Since: s.StartsAt})
				}
			}
		}
		out = append(out, keep...)
		return nil
	})
	return out, err
}

// RunRetention applies the policy: each client in the plan is erased as
// EraseClient does (data key destroyed, audit entries redacted, tombstone
// "client.erased" with detail "retention"); each session is deleted with
// its events, its audit entries redacted, and a "session.erased"
// tombstone. Each record goes in its own transaction; it returns what it
// did, up to the first error.
func (a *Records) RunRetention(ctx context.Context, p RetentionPolicy, now time.Time) ([]RetentionItem, error) {
	plan, err := a.RetentionPlan(ctx, p, now)
	if err != nil {
		return nil, err
	}
	var done []RetentionItem
	for _, it := range plan {
		switch it.Kind {
		case "client":
			err = a.update(ctx, func(tx recordsTx) error { return a.erase(ctx, tx, System, it.ClientID, "retention") })
			if err == nil {
				err = a.erased(ctx, it.ClientID)
			}
		case "session":
			err = a.update(ctx, func(tx recordsTx) error {
				if err := tx.DeleteSession(ctx, it.ID); err != nil {
					return err
				}
				if _, err := tx.RedactAudit(ctx, it.ID); err != nil {
					return err
				}
				tx.Notify("session:" + it.ID)
				return record(ctx, tx, System, "session.erased", it.ID, it.ClientID, "retention")
			})
			if err == nil {
				a.facts.forget(it.ClientID)
				if c, ok := a.db.(compacter); ok {
					err = c.Compact(ctx)
				}
			}
		}
		if err != nil {
			return done, fmt.Errorf("retention: %s %s: %w", it.Kind, it.ID, err)
		}
		done = append(done, it)
	}
	return done, nil
}
