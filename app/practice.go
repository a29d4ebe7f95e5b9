package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"holdspace"
	"holdspace/catalogue"
	"holdspace/consent"
	"holdspace/practice"
	"holdspace/store"
)

// Practice keeps the practice's settings and what it offers a client.
type Practice struct {
	*core
}

// practiceTx is the part of the store the Practice use cases touch.
type practiceTx interface {
	store.AuditLog
	store.Clients
	store.Settings
	txBase
}

// update runs fn in a write transaction that offers only practiceTx.
func (a *Practice) update(ctx context.Context, fn func(practiceTx) error) error {
	return a.core.update(ctx, func(tx store.Tx) error { return fn(tx) })
}

// view runs fn in a read transaction that offers only practiceTx.
func (a *Practice) view(ctx context.Context, fn func(practiceTx) error) error {
	return a.core.view(ctx, func(tx store.Tx) error { return fn(tx) })
}

// practiceState is the practice's settings as one transaction reads them:
// the stored ones, or the configured defaults when none were saved
// (version 0), with the time zone resolved.
type practiceState struct {
	settings practice.Settings
	version  int64
	loc      *time.Location
}

// locations caches resolved time zones by IANA name: resolving one reads
// the time zone database.
var locations sync.Map

// loadLocation resolves an IANA time zone name; EINVALID "unknown_time_zone"
// on field time_zone when it is unknown.
func loadLocation(name string) (*time.Location, error) {
	if l, ok := locations.Load(name); ok {
		return l.(*time.Location), nil
	}
	if name == "" || name == "Local" || strings.ContainsAny(name, " \\") {
		return nil, holdspace.Invalid("unknown_time_zone", "time_zone", "Give the practice's time zone as an IANA name such as Europe/Berlin.")
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil, holdspace.Invalid("unknown_time_zone", "time_zone", "%q is not a known IANA time zone (such as Europe/Berlin).", name)
	}
	locations.Store(name, l)
	return l, nil
}

// CheckSettings returns s with defaults filled in, or the EINVALID error
// that makes it unusable (see practice.Settings.Validate; an unknown time
// zone is "unknown_time_zone" on field time_zone).
func CheckSettings(s practice.Settings) (practice.Settings, error) {
	s = s.WithDefaults()
	if err := s.Validate(); err != nil {
		return s, err
	}
	if _, err := loadLocation(s.TimeZone); err != nil {
		return s, err
	}
	if err := checkLanguage(s.Language, "language"); err != nil {
		return s, err
	}
	return s, nil
}

// defaultSettings are the configured defaults of a practice that has saved
// none.
func (a *core) defaultSettings() practice.Settings {
	return a.cfg.Practice.WithDefaults()
}

// practiceSettings reads the practice's settings in tx.
func (a *core) practiceSettings(ctx context.Context, tx store.Settings) (practiceState, error) {
	st := practiceState{settings: a.defaultSettings()}
	rec, err := tx.PracticeSettings(ctx)
	switch {
	case err == nil:
		var s practice.Settings
		if err := json.Unmarshal(rec.Body, &s); err != nil {
			return st, fmt.Errorf("practice settings: %w", err)
		}
		st.settings, st.version = s.WithDefaults(), rec.Version
	case holdspace.ErrorCode(err) != holdspace.ENOTFOUND:
		return st, err
	}
	loc, err := loadLocation(st.settings.TimeZone)
	if err != nil {
		// A stored zone the time zone database no longer knows: rather
		// than refuse every decision, count in the last zone on Earth to
		// reach any date (UTC-12), so that no one turns adult early.
		a.log.Warn("practice time zone unknown; counting ages in UTC-12", "time_zone", st.settings.TimeZone)
		loc = time.FixedZone("UTC-12", -12*3600)
	}
	st.loc = loc
	return st, nil
}

// SettingsView is the practice's settings as callers see them.
type SettingsView struct {
	practice.Settings
	// Version is 0 while the practice runs on its configured defaults.
	Version   int64      `json:"version"`
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
	UpdatedBy string     `json:"updated_by,omitempty"`
	// ScopeGroups names the regions of each scope group, for forms.
	ScopeGroups map[string][]string `json:"scope_groups"`
}

func settingsView(st practiceState, rec *store.PracticeSettings) SettingsView {
	v := SettingsView{Settings: st.settings, Version: st.version, ScopeGroups: map[string][]string{}}
	for _, g := range practice.ScopeGroups() {
		v.ScopeGroups[g] = practice.ScopeRegions(g)
	}
	if rec != nil {
		v.UpdatedAt, v.UpdatedBy = timePtr(rec.UpdatedAt), rec.UpdatedBy
	}
	return v
}

// PracticeSettings returns the practice's settings. Admins and
// practitioners may read them (practitioners work within them).
func (a *Practice) PracticeSettings(ctx context.Context, ac Actor) (SettingsView, error) {
	var out SettingsView
	if !ac.is(holdspace.RoleAdmin) && !ac.is(holdspace.RolePractitioner) {
		return out, forbidden("Only admins and practitioners read the practice's settings.")
	}
	err := a.view(ctx, func(tx practiceTx) error {
		st, err := a.practiceSettings(ctx, tx)
		if err != nil {
			return err
		}
		rec, err := tx.PracticeSettings(ctx)
		if err != nil && holdspace.ErrorCode(err) != holdspace.ENOTFOUND {
			return err
		}
		out = settingsView(st, rec)
		return nil
	})
	return out, err
}

// Offers reports whether the practice offers sensual work and which scope
// groups it has switched off, for pages that must not offer what the
// practice does not (the body map, booking forms). Anyone signed in may ask.
func (a *Practice) Offers(ctx context.Context) (practice.Settings, error) {
	var out practice.Settings
	err := a.view(ctx, func(tx practiceTx) error {
		st, err := a.practiceSettings(ctx, tx)
		out = st.settings
		return err
	})
	return out, err
}

// PutPracticeSettings replaces the practice's settings. Admins only. The
// settings are checked whole (a clear 400 naming the field, nothing
// written otherwise); every cached decision index is rebuilt at its next
// use, on every node, because decisions read the settings' version in
// their own transaction.
func (a *Practice) PutPracticeSettings(ctx context.Context, ac Actor, in practice.Settings) (SettingsView, error) {
	var out SettingsView
	if !ac.is(holdspace.RoleAdmin) {
		return out, forbidden("Only an admin can change the practice's settings.")
	}
	s, err := CheckSettings(in)
	if err != nil {
		return out, err
	}
	body, err := json.Marshal(s)
	if err != nil {
		return out, err
	}
	err = a.update(ctx, func(tx practiceTx) error {
		rec := &store.PracticeSettings{Body: body, UpdatedAt: tx.Now(), UpdatedBy: ac.UserID}
		if err := tx.PutPracticeSettings(ctx, rec); err != nil {
			return err
		}
		st, err := a.practiceSettings(ctx, tx)
		if err != nil {
			return err
		}
		out = settingsView(st, rec)
		tx.Notify("practice")
		return record(ctx, tx, ac, "practice.settings", "practice", "", settingsDetail(s, rec.Version))
	})
	return out, err
}

// settingsDetail summarises settings for the audit log (codes only).
func settingsDetail(s practice.Settings, version int64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "version=%d age_of_majority=%d time_zone=%s sensual_offered=%t follow_up_window_hours=%d",
		version, s.AgeOfMajority, s.TimeZone, s.SensualOffered, s.FollowUpWindowHours)
	for _, r := range s.Scope {
		fmt.Fprintf(&b, " scope.%s=%s/%t", r.Group, r.Requires, r.Offered)
	}
	return b.String()
}

// birthDate opens and parses a client's birth date; zero when none is
// recorded.
func (a *core) birthDate(c *store.Client) (time.Time, error) {
	s, err := a.open(c.ID, "birth_date", c.BirthDateSealed)
	if err != nil || s == "" {
		return time.Time{}, err
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("birth date of %s is corrupt", c.ID)
	}
	return t, nil
}

// RefusedGrant is a grant of an agreement that the practice refuses now
// (design rules 9 and 10): it never permits, so no view shows it as given.
type RefusedGrant struct {
	Region    string `json:"region"`
	Technique string `json:"technique"`
	// Code is the reason: not_offered or minor.
	Code string `json:"code"`
}

// refusals returns ag with every yes or ask grant the practice refuses at
// `at` turned into "no", and the grants so refused: all of a sensual
// agreement when the practice offers no sensual work or the client is a
// minor, a switched-off region's, and a minor's intimate or internal ones.
func refusals(st practiceState, birth time.Time, at time.Time, ag consent.Agreement) (consent.Agreement, []RefusedGrant) {
	minor := practice.MinorAt(birth, st.settings.AgeOfMajority, st.loc, at)
	var out []RefusedGrant
	grants := make([]consent.Grant, len(ag.Grants))
	copy(grants, ag.Grants)
	for i, g := range grants {
		if g.Answer == catalogue.No {
			continue
		}
		code := ""
		r, known := catalogue.LookupRegion(g.Region)
		switch {
		case !st.settings.Offers(g.Region, ag.Intent):
			code = consent.CodeNotOffered
		case minor && (ag.Intent == catalogue.Sensual || known && r.NeedsScreening()):
			code = consent.CodeMinor
		}
		if code != "" {
			grants[i].Answer = catalogue.No
			out = append(out, RefusedGrant{Region: g.Region, Technique: g.Technique, Code: code})
		}
	}
	ag.Grants = grants
	return ag, out
}

// practiceRefusals returns, for a client's agreements, the practice's
// refusals now (see refusals), by agreement ID, and the agreements with
// them applied.
func (a *core) practiceRefusals(ctx context.Context, tx interface {
	store.Settings
	txBase
}, c *store.Client, ags []consent.Agreement) ([]consent.Agreement, map[string][]RefusedGrant, error) {
	st, err := a.practiceSettings(ctx, tx)
	if err != nil {
		return nil, nil, err
	}
	birth, err := a.birthDate(c)
	if err != nil {
		return nil, nil, err
	}
	out := make([]consent.Agreement, len(ags))
	refused := map[string][]RefusedGrant{}
	for i := range ags {
		var r []RefusedGrant
		out[i], r = refusals(st, birth, tx.Now(), ags[i])
		if len(r) > 0 {
			refused[ags[i].ID] = r
		}
	}
	return out, refused, nil
}

// Offering is what the practice offers one client now, for pages that must
// not offer what the practice does not (the body map, booking forms).
type Offering struct {
	// Sensual is set when sensual work may be agreed and booked for the
	// client: the practice offers it and the client is an adult.
	Sensual bool `json:"sensual"`
	// Minor is set when the client is under the age of majority now.
	Minor bool `json:"minor"`
	// Refused maps each region that cannot be agreed for therapeutic work
	// to the reason code (not_offered or minor).
	Refused map[string]string `json:"refused"`
}

// Offers reports whether region may be agreed for intent.
func (o Offering) Offers(region, intent string) bool {
	if intent == string(catalogue.Sensual) && !o.Sensual {
		return false
	}
	_, refused := o.Refused[region]
	return !refused
}

// Offering returns what the practice offers a client now. Whoever may see
// the client may ask; the read (it reveals whether the client is a minor)
// is audited.
func (a *Practice) Offering(ctx context.Context, ac Actor, clientID string) (Offering, error) {
	out := Offering{Refused: map[string]string{}}
	err := a.update(ctx, func(tx practiceTx) error {
		c, err := visibleClient(ctx, tx, ac, clientID)
		if err != nil {
			return err
		}
		st, err := a.practiceSettings(ctx, tx)
		if err != nil {
			return err
		}
		birth, err := a.birthDate(c)
		if err != nil {
			return err
		}
		out.Minor = practice.MinorAt(birth, st.settings.AgeOfMajority, st.loc, tx.Now())
		out.Sensual = st.settings.SensualOffered && !out.Minor
		for _, r := range catalogue.Regions() {
			switch {
			case !st.settings.Offers(r.Code, catalogue.Therapeutic):
				out.Refused[r.Code] = consent.CodeNotOffered
			case out.Minor && r.NeedsScreening():
				out.Refused[r.Code] = consent.CodeMinor
			}
		}
		return record(ctx, tx, ac, "client.read", clientID, clientID, "offering")
	})
	return out, err
}
