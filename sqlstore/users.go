package sqlstore

import (
	"context"

	"holdspace"
	"holdspace/store"
)

const userCols = `id, role, email_index, email_sealed, name_sealed, password_hash, created_at, version, erased_at, ` +
	`disabled_at, must_change_password, totp_sealed, totp_pending_sealed, recovery_codes, demo, totp_last_step, time_zone, language, last_language`

const insertUser = `INSERT INTO users (` + userCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`

func scanUser(s scanner) (*store.User, error) {
	var u store.User
	var role string
	var must, demo int64
	if err := s.Scan(&u.ID, &role, &u.EmailIndex, &u.EmailSealed, &u.NameSealed, &u.PasswordHash,
		timeCol{&u.CreatedAt}, &u.Version, timeCol{&u.ErasedAt}, timeCol{&u.DisabledAt}, &must,
		&u.TOTPSealed, &u.TOTPPendingSealed, listCol{&u.RecoveryHashes}, &demo, &u.TOTPLastStep, &u.TimeZone, &u.Language, &u.LastLanguage); err != nil {
		return nil, err
	}
	u.Role = holdspace.Role(role)
	u.MustChangePassword, u.Demo = must != 0, demo != 0
	return &u, nil
}

func userArgs(u *store.User) []any {
	return []any{u.ID, string(u.Role), blob(u.EmailIndex), blob(u.EmailSealed), blob(u.NameSealed),
		u.PasswordHash, micros(u.CreatedAt), u.Version, nullMicros(u.ErasedAt), nullMicros(u.DisabledAt),
		boolInt(u.MustChangePassword), blob(u.TOTPSealed), blob(u.TOTPPendingSealed), list(u.RecoveryHashes), boolInt(u.Demo), u.TOTPLastStep, u.TimeZone, u.Language, u.LastLanguage}
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// SetAccountState implements store.Users; ENOTFOUND when unknown or erased.
func (t *Tx) SetAccountState(ctx context.Context, u *store.User) error {
	n, err := t.exec(ctx, "set account state", `UPDATE users SET disabled_at = $2, must_change_password = $3, totp_sealed = $4,
		totp_pending_sealed = $5, recovery_codes = $6, totp_last_step = $7, demo = $8, time_zone = $9, language = $10, last_language = $11 WHERE id = $1 AND erased_at IS NULL`,
		u.ID, nullMicros(u.DisabledAt), boolInt(u.MustChangePassword), blob(u.TOTPSealed), blob(u.TOTPPendingSealed), list(u.RecoveryHashes), u.TOTPLastStep,
		boolInt(u.Demo), u.TimeZone, u.Language, u.LastLanguage)
	if err != nil {
		return err
	}
	if n == 0 {
		return holdspace.NotFound("user")
	}
	return nil
}

// CountUsers implements store.Users.
func (t *Tx) CountUsers(ctx context.Context) (all, demo int64, err error) {
	type pair struct{ all, demo int64 }
	p, err := one(ctx, t, "count users", `SELECT COUNT(*), COALESCE(SUM(demo), 0) FROM users WHERE erased_at IS NULL`,
		func(s scanner) (pair, error) {
			var p pair
			err := s.Scan(&p.all, &p.demo)
			return p, err
		})
	return p.all, p.demo, err
}

// CreateUser implements store.Users: ECONFLICT email_taken when the email
// index is used, ECONFLICT user_exists when the id is.
func (t *Tx) CreateUser(ctx context.Context, u *store.User) error {
	n, err := t.exec(ctx, "create user", insertUser+` ON CONFLICT DO NOTHING`, userArgs(u)...)
	if err != nil {
		return err
	}
	if n == 1 {
		return nil
	}
	if u.EmailIndex != nil {
		taken, err := t.exists(ctx, "create user", `SELECT 1 FROM users WHERE email_index = $1`, u.EmailIndex)
		if err != nil {
			return err
		}
		if taken {
			return holdspace.Conflict("email_taken", "The email address is already in use.")
		}
	}
	return holdspace.Conflict("user_exists", "A user with this id exists.")
}

// User implements store.Users; ENOTFOUND when unknown or erased.
func (t *Tx) User(ctx context.Context, id string) (*store.User, error) {
	return one(ctx, t, "user", `SELECT `+userCols+` FROM users WHERE id = $1 AND erased_at IS NULL`, scanUser, id)
}

// UserByEmail implements store.Users; ENOTFOUND.
func (t *Tx) UserByEmail(ctx context.Context, emailIndex []byte) (*store.User, error) {
	if len(emailIndex) == 0 {
		return nil, holdspace.NotFound("user")
	}
	return one(ctx, t, "user", `SELECT `+userCols+` FROM users WHERE email_index = $1 AND erased_at IS NULL`, scanUser, emailIndex)
}

// ListUsers implements store.Users: users with the role, oldest first,
// erased ones left out.
func (t *Tx) ListUsers(ctx context.Context, role holdspace.Role) ([]*store.User, error) {
	return many(ctx, t, "users", `SELECT `+userCols+` FROM users WHERE role = $1 AND erased_at IS NULL ORDER BY created_at, id`, scanUser, string(role))
}

// SetPassword implements store.Users; ENOTFOUND when unknown or erased.
func (t *Tx) SetPassword(ctx context.Context, id, hash string) error {
	n, err := t.exec(ctx, "set password", `UPDATE users SET password_hash = $2 WHERE id = $1 AND erased_at IS NULL`, id, hash)
	if err != nil {
		return err
	}
	if n == 0 {
		return holdspace.NotFound("user")
	}
	return nil
}

// BumpVersion implements store.Users; ENOTFOUND when unknown or erased.
func (t *Tx) BumpVersion(ctx context.Context, id string) (int64, error) {
	return one(ctx, t, "user", `UPDATE users SET version = version + 1 WHERE id = $1 AND erased_at IS NULL RETURNING version`,
		func(s scanner) (int64, error) {
			var v int64
			err := s.Scan(&v)
			return v, err
		}, id)
}

// Versions implements store.Users: the Version of each id that exists.
func (t *Tx) Versions(ctx context.Context, ids ...string) (map[string]int64, error) {
	out := make(map[string]int64, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	type pair struct {
		id string
		v  int64
	}
	ps, err := many(ctx, t, "versions", `SELECT id, version FROM users WHERE id IN (`+paramList(1, len(ids))+`)`,
		func(s scanner) (pair, error) {
			var p pair
			err := s.Scan(&p.id, &p.v)
			return p, err
		}, args...)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		out[p.id] = p.v
	}
	return out, nil
}
