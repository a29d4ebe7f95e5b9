package store

import "context"

// ImportDB is a database a whole practice can be copied out of and into,
// record by record (holdspace migrate-data). Both engines implement it;
// the service's use cases only ever see DB.
type ImportDB interface {
	DB
	// Import runs fn in a read-write transaction, as Update does, whose
	// ImportTx also offers the Importer methods (Wipe included).
	Import(ctx context.Context, fn func(ImportTx) error) error
	// Export runs fn in a read-only transaction, as View does, whose
	// ImportTx also offers the Importer methods; any write in it fails.
	Export(ctx context.Context, fn func(ImportTx) error) error
}

// ImportTx is a transaction of ImportDB: a Tx that can also import and
// read every record as it is stored.
type ImportTx interface {
	Tx
	Importer
}
