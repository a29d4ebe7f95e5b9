package sqlite_test

import (
	"context"
	"strings"
	"testing"

	"holdspace/store"
)

// A sealed column in a table without an id could not be re-wrapped by a
// key rotation: SealedColumns refuses, so that no key is retired while
// values still need it.
func TestSealedColumnWithoutID(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	if _, err := db.Writer().ExecContext(ctx, `CREATE TABLE devices (hash BLOB PRIMARY KEY, secret_sealed BLOB)`); err != nil {
		t.Fatal(err)
	}
	err := db.View(ctx, func(tx store.Tx) error {
		_, err := tx.SealedColumns(ctx)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "devices has the sealed column secret_sealed but no id column") {
		t.Fatalf("SealedColumns = %v", err)
	}
}
