package store

import "context"

// Lookups read several records by id, one statement each, for pages that
// show a few records of many (client search results) without a round
// trip per record. Ids that do not exist are left out of the answers; a
// caller asks for at most a few hundred ids at once.
type Lookups interface {
	// UsersByID returns the users with the ids, by id; erased ones are
	// left out.
	UsersByID(ctx context.Context, ids []string) (map[string]*User, error)
	// ClientsByID returns the client profiles with the ids and their
	// assignments, by id.
	ClientsByID(ctx context.Context, ids []string) (map[string]*Client, error)
	// ClientKeys returns the sealed data keys of the clients with the
	// ids, by client id.
	ClientKeys(ctx context.Context, ids []string) (map[string][]byte, error)
}
