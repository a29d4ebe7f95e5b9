package sqlstore

import (
	"context"

	"holdspace/audit"
	"holdspace/store"
)

// ImportAudit implements store.Importer: e is stored exactly as given;
// ECONFLICT when its Seq exists.
func (t *Tx) ImportAudit(ctx context.Context, e audit.Entry) error {
	t.head = auditHead{}
	_, err := t.exec(ctx, "import audit", insertAudit, auditArgs(e)...)
	return err
}

// ImportUser implements store.Importer: u is stored as given, erased or
// not; ECONFLICT when its id or email index exists.
func (t *Tx) ImportUser(ctx context.Context, u *store.User) error {
	_, err := t.exec(ctx, "import user", insertUser, userArgs(u)...)
	return err
}

// AllUsers implements store.Importer: every user, erased ones too, oldest
// first.
func (t *Tx) AllUsers(ctx context.Context) ([]*store.User, error) {
	return many(ctx, t, "users", `SELECT `+userCols+` FROM users ORDER BY created_at, id`, scanUser)
}

// AllTokens implements store.Importer: every token, oldest first.
func (t *Tx) AllTokens(ctx context.Context) ([]*store.Token, error) {
	return many(ctx, t, "tokens", `SELECT `+tokenCols+` FROM tokens ORDER BY created_at, hash`, scanToken)
}

// ImportEvent implements store.Importer: e is stored as given and its
// session is left alone; ECONFLICT when its id or (session, seq) exists.
func (t *Tx) ImportEvent(ctx context.Context, e *store.SessionEvent) error {
	_, err := t.exec(ctx, "import event", insertEvent, eventArgs(e)...)
	return err
}

// countedTables are the tables Counts reports, in dependency order.
var countedTables = []string{
	"users", "tokens", "clients", "client_practitioners", "credentials", "screenings", "health_changes",
	"clearances", "agreements", "revocations", "sessions", "session_events",
	"guardian_consents", "follow_ups", "practice_settings", "audit", "key_checks", "client_keys",
	"session_types", "availability", "availability_exceptions", "booking_calendars", "bookings",
}

// Tables returns the names of the tables Counts reports, parents before
// children: the order in which a copy must insert them.
func Tables() []string { return append([]string(nil), countedTables...) }

// Counts implements store.Importer: the number of rows of every table.
func (t *Tx) Counts(ctx context.Context) (map[string]int64, error) {
	out := make(map[string]int64, len(countedTables))
	for _, table := range countedTables {
		var n int64
		if err := t.queryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
			return nil, t.db.internal("count "+table, err)
		}
		out[table] = n
	}
	return out, nil
}

// Wipe implements store.Importer: it deletes every row, children first.
func (t *Tx) Wipe(ctx context.Context) error {
	t.head = auditHead{}
	for i := len(countedTables) - 1; i >= 0; i-- {
		if _, err := t.execContext(ctx, `DELETE FROM `+countedTables[i]); err != nil {
			return t.db.internal("wipe "+countedTables[i], err)
		}
	}
	return nil
}
