package sqlstore

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"holdspace"
	"holdspace/audit"
	"holdspace/store"
)

// KeyChecks implements store.Keys.
func (t *Tx) KeyChecks(ctx context.Context) ([]store.KeyCheck, error) {
	return many(ctx, t, "key checks", `SELECT id, check_value, created_at, retired_at FROM key_checks ORDER BY created_at, id`,
		func(s scanner) (store.KeyCheck, error) {
			var k store.KeyCheck
			err := s.Scan(&k.ID, &k.Value, timeCol{&k.CreatedAt}, timeCol{&k.RetiredAt})
			return k, err
		})
}

// PutKeyCheck implements store.Keys.
func (t *Tx) PutKeyCheck(ctx context.Context, k store.KeyCheck) error {
	if k.CreatedAt.IsZero() {
		k.CreatedAt = t.now
	}
	_, err := t.exec(ctx, "put key check", `INSERT INTO key_checks (id, check_value, created_at, retired_at) VALUES ($1, $2, $3, $4)`,
		k.ID, k.Value, micros(k.CreatedAt), nullMicros(k.RetiredAt))
	return err
}

// RetireKeyCheck implements store.Keys.
func (t *Tx) RetireKeyCheck(ctx context.Context, id string, at time.Time) error {
	n, err := t.exec(ctx, "retire key check", `UPDATE key_checks SET retired_at = $2 WHERE id = $1`, id, micros(at))
	if err != nil {
		return err
	}
	if n == 0 {
		return holdspace.NotFound("key check")
	}
	return nil
}

// Empty implements store.Keys.
func (t *Tx) Empty(ctx context.Context) (bool, error) {
	for _, table := range []string{"users", "audit", "key_checks"} {
		found, err := t.exists(ctx, "check empty", `SELECT 1 FROM `+table+` LIMIT 1`)
		if err != nil || found {
			return false, err
		}
	}
	return true, nil
}

// ClientKey implements store.Keys.
func (t *Tx) ClientKey(ctx context.Context, clientID string) ([]byte, error) {
	return one(ctx, t, "client key", `SELECT key_sealed FROM client_keys WHERE id = $1`, func(s scanner) ([]byte, error) {
		var b []byte
		err := s.Scan(&b)
		return b, err
	}, clientID)
}

// PutClientKey implements store.Keys: the insert yields to a key another
// transaction stored first.
func (t *Tx) PutClientKey(ctx context.Context, clientID string, sealed []byte, at time.Time) ([]byte, error) {
	if _, err := t.exec(ctx, "put client key", `INSERT INTO client_keys (id, key_sealed, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (id) DO NOTHING`, clientID, sealed, micros(at)); err != nil {
		return nil, err
	}
	return t.ClientKey(ctx, clientID)
}

// SealedColumns implements store.Keys: columns named "sealed" or
// "*_sealed" of tables that have an "id" column, found in the schema so
// that columns added by later migrations are included.
func (t *Tx) SealedColumns(ctx context.Context) ([]store.SealedColumn, error) {
	type col struct{ table, name string }
	cols, err := many(ctx, t, "columns", t.db.dialect.ColumnsSQL, func(s scanner) (col, error) {
		var c col
		err := s.Scan(&c.table, &c.name)
		return c, err
	})
	if err != nil {
		return nil, err
	}
	hasID := map[string]bool{}
	for _, c := range cols {
		if c.name == "id" {
			hasID[c.table] = true
		}
	}
	var out []store.SealedColumn
	for _, c := range cols {
		if c.name != "sealed" && !strings.HasSuffix(c.name, "_sealed") {
			continue
		}
		if !hasID[c.table] {
			// A key rotation could not re-wrap it, and would retire the
			// key its values need: refuse rather than lose them.
			return nil, t.db.internal("sealed columns", fmt.Errorf("table %s has the sealed column %s but no id column", c.table, c.name))
		}
		out = append(out, store.SealedColumn{Table: c.table, Column: c.name})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Table != out[j].Table {
			return out[i].Table < out[j].Table
		}
		return out[i].Column < out[j].Column
	})
	return out, nil
}

// checkIdent refuses a table or column name that is not a plain
// identifier, since they are spliced into SQL text.
func checkIdent(names ...string) error {
	for _, n := range names {
		if n == "" {
			return holdspace.Invalid("bad_column", "column", "An empty name is not a column.")
		}
		for _, c := range n {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
				return holdspace.Invalid("bad_column", "column", "%q is not a column name.", n)
			}
		}
	}
	return nil
}

// SealedValues implements store.Keys.
func (t *Tx) SealedValues(ctx context.Context, col store.SealedColumn, after string, limit int) ([]store.SealedValue, error) {
	if err := checkIdent(col.Table, col.Column); err != nil {
		return nil, err
	}
	q := `SELECT id, ` + col.Column + ` FROM ` + col.Table + ` WHERE id > $1 AND ` + col.Column + ` IS NOT NULL ORDER BY id LIMIT $2`
	return many(ctx, t, "sealed values", q, func(s scanner) (store.SealedValue, error) {
		var v store.SealedValue
		err := s.Scan(&v.ID, &v.Value)
		return v, err
	}, after, limit)
}

// ReplaceSealed implements store.Keys.
func (t *Tx) ReplaceSealed(ctx context.Context, col store.SealedColumn, id string, old, next []byte) (bool, error) {
	if err := checkIdent(col.Table, col.Column); err != nil {
		return false, err
	}
	n, err := t.exec(ctx, "replace sealed value", `UPDATE `+col.Table+` SET `+col.Column+` = $1 WHERE id = $2 AND `+col.Column+` = $3`,
		blob(next), id, old)
	return n == 1, err
}

// RedactAudit implements store.Keys.
func (t *Tx) RedactAudit(ctx context.Context, id string) (int64, error) {
	return t.exec(ctx, "redact audit", `UPDATE audit SET action = $2, detail = '', content = '', salt = ''
		WHERE (client_id = $1 OR actor = $1 OR target = $1) AND body_hash <> ''`, id, audit.RedactedAction)
}

// AuditHead implements store.Keys.
func (t *Tx) AuditHead(ctx context.Context) (audit.Entry, error) {
	return one(ctx, t, "audit entry", `SELECT `+auditCols+` FROM audit ORDER BY seq DESC LIMIT 1`, scanAudit)
}

// AuditEntry implements store.Keys.
func (t *Tx) AuditEntry(ctx context.Context, seq int64) (audit.Entry, error) {
	return one(ctx, t, "audit entry", `SELECT `+auditCols+` FROM audit WHERE seq = $1`, scanAudit, seq)
}
