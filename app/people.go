package app

import (
	"context"
	"encoding/json"
	"errors"
	"net/mail"
	"slices"
	"strings"
	"time"

	"holdspace"
	"holdspace/authn"
	"holdspace/catalogue"
	"holdspace/store"
)

// People keeps the users: clients (with their practitioners and birth
// dates), practitioners (with their credentials) and admins.
type People struct {
	*core
}

// peopleTx is the part of the store the People use cases touch.
type peopleTx interface {
	store.AuditLog
	store.Clients
	store.Credentials
	store.Keys
	store.Settings
	store.Users
	txBase
}

// update runs fn in a write transaction that offers only peopleTx.
func (a *People) update(ctx context.Context, fn func(peopleTx) error) error {
	return a.core.update(ctx, func(tx store.Tx) error { return fn(tx) })
}

// view runs fn in a read transaction that offers only peopleTx.
func (a *People) view(ctx context.Context, fn func(peopleTx) error) error {
	return a.core.view(ctx, func(tx store.Tx) error { return fn(tx) })
}

// maxAssigned bounds the practitioners assigned to one client.
const maxAssigned = 20

// Person is a user as callers see it: opened, without secrets.
type Person struct {
	ID        string         `json:"id"`
	Role      holdspace.Role `json:"role"`
	Name      string         `json:"name"`
	Email     string         `json:"email"`
	CreatedAt time.Time      `json:"created_at"`
	// SecondFactor: the account signs in with a TOTP code.
	SecondFactor bool `json:"second_factor"`
	// Disabled: an admin switched the account off.
	Disabled bool `json:"disabled,omitempty"`
	// MustChangePassword: someone else set the password.
	MustChangePassword bool `json:"must_change_password,omitempty"`
	// Demo: made by `holdspace demo`, not a real person.
	Demo bool `json:"demo,omitempty"`
	// TimeZone is the IANA time zone the person chose to see and enter
	// times in, empty for the practice's; Zone is the zone they see times
	// in (their own, else the practice's). Both are set on the caller's
	// own account only (Me).
	TimeZone string `json:"time_zone,omitempty"`
	Zone     string `json:"zone,omitempty"`
	// Language is the language the person chose to read holdspace in
	// (empty: their browser's, else the practice's). Set on the caller's
	// own account only (Me).
	Language string `json:"language,omitempty"`
	// LastLanguage is the language the person last read pages in (their
	// emails and PDFs use it when Language is empty); not shown.
	LastLanguage string `json:"-"`
}

// NewUser is the input of CreateUser.
type NewUser struct {
	Role     holdspace.Role
	Name     string
	Email    string
	Password string // empty: the account cannot log in
	// Demo marks an account of `holdspace demo`.
	Demo bool
}

// normalizeEmail validates an email address and returns it lower-cased.
func normalizeEmail(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", holdspace.Invalid("required", field, "An email address is required.")
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || len(s) > 254 {
		return "", holdspace.Invalid("invalid_email", field, "This is not a valid email address.")
	}
	return strings.ToLower(s), nil
}

func validateName(field, s string) (string, error) {
	return normalizeName(field, s, 200)
}

// newUser validates nu and builds the user record (sealed fields, password
// hash). It does not store it.
func (a *People) newUser(ctx context.Context, nu NewUser) (*store.User, error) {
	if !holdspace.AccountRole(string(nu.Role)) {
		return nil, holdspace.Invalid("invalid_role", "role", "The role must be admin, practitioner or client.")
	}
	name, err := validateName("name", nu.Name)
	if err != nil {
		return nil, err
	}
	email, err := normalizeEmail("email", nu.Email)
	if err != nil {
		return nil, err
	}
	u := &store.User{ID: newID(idPrefix(nu.Role)), Role: nu.Role, EmailIndex: a.keys.Index("email", email), Demo: nu.Demo}
	if nu.Password != "" {
		if err := authn.ValidatePassword(nu.Password); err != nil {
			return nil, err
		}
		h, err := a.hashPassword(ctx, nu.Password)
		if err != nil {
			return nil, err
		}
		u.PasswordHash = h
	}
	if u.NameSealed, err = a.seal(u.ID, "name", name); err != nil {
		return nil, err
	}
	if u.EmailSealed, err = a.seal(u.ID, "email", email); err != nil {
		return nil, err
	}
	return u, nil
}

func idPrefix(r holdspace.Role) string {
	switch r {
	case holdspace.RoleAdmin:
		return "adm"
	case holdspace.RolePractitioner:
		return "prc"
	}
	return "cli"
}

// CreateUser creates an admin or practitioner account (clients are created
// with CreateClient). Only admins may call it; System may.
func (a *People) CreateUser(ctx context.Context, ac Actor, nu NewUser) (string, error) {
	if !ac.is(holdspace.RoleAdmin) {
		return "", forbidden("Only an admin can create accounts.")
	}
	if nu.Role == holdspace.RoleClient {
		return "", holdspace.Invalid("invalid_role", "role", "Create clients with their profile.")
	}
	u, err := a.newUser(ctx, nu)
	if err != nil {
		return "", err
	}
	// A password set by someone else is the holder's to replace.
	u.MustChangePassword = u.PasswordHash != "" && ac != System
	err = a.update(ctx, func(tx peopleTx) error {
		u.CreatedAt = tx.Now()
		if err := tx.CreateUser(ctx, u); err != nil {
			return err
		}
		return record(ctx, tx, ac, "user.create", u.ID, "", "role="+string(u.Role))
	})
	if err != nil {
		return "", err
	}
	return u.ID, nil
}

// person opens a user record.
func (a *core) person(u *store.User) (Person, error) {
	name, err := a.open(u.ID, "name", u.NameSealed)
	if err != nil {
		return Person{}, err
	}
	email, err := a.open(u.ID, "email", u.EmailSealed)
	if err != nil {
		return Person{}, err
	}
	return Person{ID: u.ID, Role: u.Role, Name: name, Email: email, CreatedAt: u.CreatedAt, SecondFactor: len(u.TOTPSealed) > 0,
		Disabled: !u.DisabledAt.IsZero(), MustChangePassword: u.MustChangePassword, Demo: u.Demo}, nil
}

// Me returns the caller's own account.
func (a *People) Me(ctx context.Context, ac Actor) (Person, error) {
	var p Person
	err := a.view(ctx, func(tx peopleTx) error {
		u, err := tx.User(ctx, ac.UserID)
		if err != nil {
			return err
		}
		if p, err = a.person(u); err != nil {
			return err
		}
		return a.withZone(ctx, tx, u, &p)
	})
	return p, err
}

// ListPractitioners returns every practitioner. Admins see all; a
// practitioner sees themself; clients see the practitioners assigned to them.
func (a *People) ListPractitioners(ctx context.Context, ac Actor) ([]Person, error) {
	var out []Person
	err := a.view(ctx, func(tx peopleTx) error {
		us, err := tx.ListUsers(ctx, holdspace.RolePractitioner)
		if err != nil {
			return err
		}
		var allowed []string
		if ac.is(holdspace.RoleClient) {
			c, err := tx.Client(ctx, ac.UserID)
			if err != nil {
				return err
			}
			allowed = c.PractitionerIDs
		}
		for _, u := range us {
			switch {
			case ac.is(holdspace.RoleAdmin):
			case ac.is(holdspace.RolePractitioner) && u.ID == ac.UserID:
			case ac.is(holdspace.RoleClient) && slices.Contains(allowed, u.ID):
			default:
				continue
			}
			p, err := a.person(u)
			if err != nil {
				return err
			}
			out = append(out, p)
		}
		return nil
	})
	return out, err
}

// Practitioner returns one practitioner with their credentials, if visible:
// to admins, to themself, and to their assigned clients.
func (a *People) Practitioner(ctx context.Context, ac Actor, id string) (Person, []Credential, error) {
	var p Person
	var creds []Credential
	err := a.view(ctx, func(tx peopleTx) error {
		u, err := tx.User(ctx, id)
		if err != nil || u.Role != holdspace.RolePractitioner {
			return holdspace.NotFound("practitioner")
		}
		switch {
		case ac.is(holdspace.RoleAdmin), ac.UserID == id:
		case ac.is(holdspace.RoleClient):
			c, err := tx.Client(ctx, ac.UserID)
			if err != nil || !slices.Contains(c.PractitionerIDs, id) {
				return holdspace.NotFound("practitioner")
			}
		default:
			return holdspace.NotFound("practitioner")
		}
		if p, err = a.person(u); err != nil {
			return err
		}
		cs, err := tx.ListCredentials(ctx, id)
		if err != nil {
			return err
		}
		creds = credentialsOut(cs)
		return nil
	})
	return p, creds, err
}

// ClientInput is the input of CreateClient.
type ClientInput struct {
	Name            string            `json:"name"`
	Email           string            `json:"email"`
	Password        string            `json:"password,omitempty"`
	BirthDate       string            `json:"birth_date"`
	Anatomy         catalogue.Anatomy `json:"anatomy"`
	PractitionerIDs []string          `json:"practitioner_ids"`
	Notes           string            `json:"notes,omitempty"`
	// Demo marks a client of `holdspace demo`.
	Demo bool `json:"-"`
}

// ClientView is a client's profile as callers see it.
type ClientView struct {
	ID              string            `json:"id"`
	Name            string            `json:"name"`
	Email           string            `json:"email"`
	BirthDate       string            `json:"birth_date"`
	Anatomy         catalogue.Anatomy `json:"anatomy"`
	PractitionerIDs []string          `json:"practitioner_ids"`
	Notes           string            `json:"notes,omitempty"`
	CanLogIn        bool              `json:"can_log_in"`
	CreatedAt       time.Time         `json:"created_at"`
	// Disabled: an admin switched the account off.
	Disabled bool `json:"disabled,omitempty"`
}

func parseDate(field, s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, holdspace.Invalid("invalid_date", field, "Give a real date as YYYY-MM-DD.")
	}
	return t, nil
}

// CreateClient creates a client account and profile. Admins may assign any
// practitioners; a practitioner must assign themself (a client they create
// is theirs).
func (a *People) CreateClient(ctx context.Context, ac Actor, in ClientInput) (string, error) {
	if !ac.is(holdspace.RoleAdmin) && !ac.is(holdspace.RolePractitioner) {
		return "", forbidden("Only an admin or a practitioner can add clients.")
	}
	bd, err := parseDate("birth_date", in.BirthDate)
	if err != nil {
		return "", err
	}
	if bd.After(a.now()) || bd.Year() < 1900 {
		return "", holdspace.Invalid("invalid_date", "birth_date", "The birth date must be in the past.")
	}
	if len(in.Notes) > 10000 {
		return "", holdspace.Invalid("too_long", "notes", "Notes may have at most 10000 characters.")
	}
	ids, err := practitionerIDs(in.PractitionerIDs)
	if err != nil {
		return "", err
	}
	if ac.is(holdspace.RolePractitioner) {
		// A practitioner's new client is theirs alone; sharing a client is
		// an admin's decision (AssignPractitioners).
		ids = []string{ac.UserID}
		// No one but the holder sets or knows a password: the client
		// chooses theirs through an invitation.
		if in.Password != "" {
			return "", holdspace.Invalid("password_not_allowed", "password", "A practitioner cannot set a client's password: invite the client to choose their own.")
		}
	}
	u, err := a.newUser(ctx, NewUser{Role: holdspace.RoleClient, Name: in.Name, Email: in.Email, Password: in.Password, Demo: in.Demo})
	if err != nil {
		return "", err
	}
	u.MustChangePassword = u.PasswordHash != "" && ac != System
	c := &store.Client{ID: u.ID, PractitionerIDs: ids, CreatedBy: ac.UserID}
	// Everything about the client is sealed under their own data key,
	// their name and email included, so that erasure can shred it.
	ck, err := newClientDataKey()
	if err != nil {
		return "", err
	}
	if err := a.resealFor(ck, u); err != nil {
		return "", err
	}
	if c.BirthDateSealed, err = a.sealFor(ck, u.ID, u.ID, "birth_date", in.BirthDate); err != nil {
		return "", err
	}
	an, _ := json.Marshal(in.Anatomy)
	if c.AnatomySealed, err = a.sealFor(ck, u.ID, u.ID, "anatomy", string(an)); err != nil {
		return "", err
	}
	if c.NotesSealed, err = a.sealFor(ck, u.ID, u.ID, "notes", in.Notes); err != nil {
		return "", err
	}
	err = a.update(ctx, func(tx peopleTx) error {
		if err := checkPractitioners(ctx, tx, ids); err != nil {
			return err
		}
		u.CreatedAt, c.CreatedAt = tx.Now(), tx.Now()
		if ac.is(holdspace.RolePractitioner) {
			// Uniform answers: a practitioner learns nothing about which
			// emails have accounts. A taken email gives a profile with
			// no sign-in of its own (the admin sees it as such).
			if _, err := tx.UserByEmail(ctx, u.EmailIndex); err == nil {
				u.EmailIndex = nil
			}
		}
		if err := tx.CreateUser(ctx, u); err != nil {
			return err
		}
		if err := tx.CreateClient(ctx, c); err != nil {
			return err
		}
		if _, err := a.storeClientKey(ctx, tx, c.ID, ck, a.ckeys.generation()); err != nil {
			return err
		}
		return record(ctx, tx, ac, "client.create", c.ID, c.ID, "")
	})
	if err != nil {
		return "", err
	}
	return c.ID, nil
}

// visibleClient returns the client if the actor may see it: admins see all,
// practitioners their assigned clients, a client themself. Anything else is
// ENOTFOUND, so existence does not leak.
func visibleClient(ctx context.Context, tx store.Clients, ac Actor, id string) (*store.Client, error) {
	c, err := tx.Client(ctx, id)
	if err != nil {
		if holdspace.ErrorCode(err) == holdspace.ENOTFOUND {
			return nil, holdspace.NotFound("client")
		}
		return nil, err
	}
	switch ac.Role {
	case holdspace.RoleAdmin:
		return c, nil
	case holdspace.RolePractitioner:
		if slices.Contains(c.PractitionerIDs, ac.UserID) {
			return c, nil
		}
	case holdspace.RoleClient:
		if ac.UserID == id {
			return c, nil
		}
	}
	return nil, holdspace.NotFound("client")
}

// clientView opens a client's profile.
func (a *core) clientView(u *store.User, c *store.Client) (ClientView, error) {
	p, err := a.person(u)
	if err != nil {
		return ClientView{}, err
	}
	v := ClientView{ID: c.ID, Name: p.Name, Email: p.Email, PractitionerIDs: c.PractitionerIDs, CanLogIn: u.PasswordHash != "", CreatedAt: c.CreatedAt, Disabled: !u.DisabledAt.IsZero()}
	if v.PractitionerIDs == nil {
		v.PractitionerIDs = []string{}
	}
	if v.BirthDate, err = a.open(c.ID, "birth_date", c.BirthDateSealed); err != nil {
		return v, err
	}
	if v.Anatomy, err = a.anatomy(c); err != nil {
		return v, err
	}
	if v.Notes, err = a.open(c.ID, "notes", c.NotesSealed); err != nil {
		return v, err
	}
	return v, nil
}

func (a *core) anatomy(c *store.Client) (catalogue.Anatomy, error) {
	var an catalogue.Anatomy
	s, err := a.open(c.ID, "anatomy", c.AnatomySealed)
	if err != nil || s == "" {
		return an, err
	}
	if err := json.Unmarshal([]byte(s), &an); err != nil {
		return an, errors.New("anatomy of " + c.ID + " is corrupt")
	}
	return an, nil
}

// GetClient returns a client's profile, audited as a read.
func (a *People) GetClient(ctx context.Context, ac Actor, id string) (ClientView, error) {
	var v ClientView
	err := a.update(ctx, func(tx peopleTx) error {
		c, err := visibleClient(ctx, tx, ac, id)
		if err != nil {
			return err
		}
		u, err := tx.User(ctx, id)
		if err != nil {
			return err
		}
		if v, err = a.clientView(u, c); err != nil {
			return err
		}
		return record(ctx, tx, ac, "client.read", id, id, "")
	})
	return v, err
}

// ListClients returns the clients the actor may see, audited as one entry
// per view naming the clients shown. Clients see only themself.
func (a *People) ListClients(ctx context.Context, ac Actor) ([]ClientView, error) {
	var out []ClientView
	err := a.update(ctx, func(tx peopleTx) error {
		var f store.ClientFilter
		switch ac.Role {
		case holdspace.RoleAdmin:
		case holdspace.RolePractitioner:
			f.PractitionerID = ac.UserID
		default:
			c, err := visibleClient(ctx, tx, ac, ac.UserID)
			if err != nil {
				return err
			}
			u, err := tx.User(ctx, c.ID)
			if err != nil {
				return err
			}
			v, err := a.clientView(u, c)
			out = append(out, v)
			if err != nil {
				return err
			}
			return record(ctx, tx, ac, "client.read", c.ID, c.ID, "list")
		}
		cs, err := tx.ListClients(ctx, f)
		if err != nil {
			return err
		}
		ids := make([]string, 0, len(cs))
		for _, c := range cs {
			u, err := tx.User(ctx, c.ID)
			if err != nil {
				return err
			}
			v, err := a.clientView(u, c)
			if err != nil {
				return err
			}
			out = append(out, v)
			ids = append(ids, c.ID)
		}
		// One entry per view, naming every client shown.
		return record(ctx, tx, ac, "client.list", "", "", "ids="+strings.Join(ids, ","))
	})
	return out, err
}

// AssignPractitioners replaces the practitioners assigned to a client.
// Admins only.
func (a *People) AssignPractitioners(ctx context.Context, ac Actor, clientID string, ids []string) error {
	ids, err := practitionerIDs(ids)
	if err != nil {
		return err
	}
	return a.update(ctx, func(tx peopleTx) error {
		c, err := visibleClient(ctx, tx, ac, clientID)
		if err != nil {
			return err
		}
		if !ac.is(holdspace.RoleAdmin) {
			return forbidden("Only an admin can change assignments.")
		}
		if err := checkPractitioners(ctx, tx, ids); err != nil {
			return err
		}
		c.PractitionerIDs = ids
		if err := tx.UpdateClient(ctx, c); err != nil {
			return err
		}
		if _, err := tx.BumpVersion(ctx, clientID); err != nil {
			return err
		}
		return record(ctx, tx, ac, "client.assign", clientID, clientID, "practitioners="+strings.Join(ids, ","))
	})
}

// practitionerIDs bounds a list of practitioner ids and returns it sorted
// without repeats.
func practitionerIDs(ids []string) ([]string, error) {
	if len(ids) > maxAssigned {
		return nil, holdspace.Invalid("too_many", "practitioner_ids", "At most %d practitioners per client.", maxAssigned)
	}
	return slices.Compact(slices.Sorted(slices.Values(ids))), nil
}

// checkPractitioners refuses ids that are not practitioners' accounts.
func checkPractitioners(ctx context.Context, tx store.Users, ids []string) error {
	for _, pid := range ids {
		pu, err := tx.User(ctx, pid)
		if err != nil || pu.Role != holdspace.RolePractitioner {
			e := holdspace.Invalid("unknown_practitioner", "practitioner_ids", "There is no practitioner with the id %q.", pid)
			return e
		}
	}
	return nil
}
