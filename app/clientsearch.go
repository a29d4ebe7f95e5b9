package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"holdspace"
	"holdspace/seal"
)

// Search limits: how many clients one search shows by default and at
// most, and how many characters a query may have.
const (
	DefaultSearchLimit = 20
	MaxSearchLimit     = 100
	MaxSearchQuery     = 100
)

// searchTerms folds a query into the terms a name must match (each must
// start a word of the name). EINVALID (field "q"): query_too_long beyond
// MaxSearchQuery characters, invalid_characters when it is not UTF-8,
// query_empty when no letter or digit is left after folding.
func searchTerms(query string) ([]string, error) {
	if !utf8.ValidString(query) {
		return nil, holdspace.Invalid("invalid_characters", "q", "The search holds text that is not valid UTF-8.")
	}
	if utf8.RuneCountInString(query) > MaxSearchQuery {
		return nil, holdspace.Invalid("query_too_long", "q", "A search may have at most %d characters.", MaxSearchQuery)
	}
	terms := foldWords(query)
	if len(terms) == 0 {
		return nil, holdspace.Invalid("query_empty", "q", "Give at least one letter or digit of the name to search for.")
	}
	return terms, nil
}

// SearchClients returns the clients whose names match query, in name
// order, at most limit of them (0: DefaultSearchLimit; at most
// MaxSearchLimit). Matching ignores case and accents, and each word of the
// query must start a word of the name ("ann sm" finds "Anna Smith").
// Admins search every client, practitioners their assigned clients;
// clients cannot search (EFORBIDDEN). EINVALID for a bad query (see
// searchTerms) or limit.
//
// Candidates come from this node's name index (nameindex.go), which may
// lag a change made on another node by a notification's latency. Each
// candidate is then read again in this transaction and shown only if the
// caller may see it now (visibleClient) and its name, opened now, still
// matches: a stale index can miss a client, never show one the caller may
// not see. The search is audited as one entry naming the clients shown;
// the query text may say something about a client's health or life, so the
// entry records only its length in characters, never the text.
func (a *People) SearchClients(ctx context.Context, ac Actor, query string, limit int) ([]ClientView, error) {
	var practitionerID string
	switch ac.Role {
	case holdspace.RoleAdmin:
	case holdspace.RolePractitioner:
		practitionerID = ac.UserID
	default:
		return nil, forbidden("Only an admin or a practitioner can search clients.")
	}
	terms, err := searchTerms(query)
	if err != nil {
		return nil, err
	}
	switch {
	case limit == 0:
		limit = DefaultSearchLimit
	case limit < 0 || limit > MaxSearchLimit:
		return nil, holdspace.Invalid("bad_limit", "limit", "Give limit as a whole number from 1 to %d.", MaxSearchLimit)
	}
	if err := a.names.wait(ctx); err != nil {
		return nil, err
	}
	out := []ClientView{}
	err = a.update(ctx, func(tx peopleTx) error {
		out = out[:0]
		ids := make([]string, 0, limit)
		from := searchFrom{}
		// A few rounds at most: candidates the store refuses (erased,
		// unassigned, renamed since) are rare, and each round asks for
		// as many as are still missing.
		for round := 0; len(out) < limit && round < 4; round++ {
			want := limit - len(out)
			cands, next := a.names.idx.search(terms, practitionerID, from, want)
			// One statement each for the users, the profiles and the data
			// keys not cached, whatever the number of results.
			us, err := tx.UsersByID(ctx, cands)
			if err != nil {
				return err
			}
			cls, err := tx.ClientsByID(ctx, cands)
			if err != nil {
				return err
			}
			var uncached []string
			for _, id := range cands {
				if u := us[id]; u != nil && seal.UnderDataKey(u.NameSealed) && a.ckeys.get(id) == nil {
					uncached = append(uncached, id)
				}
			}
			keys, err := tx.ClientKeys(ctx, uncached)
			if err != nil {
				return err
			}
			for id, k := range keys {
				if _, err := a.openClientKey(id, k); err != nil {
					return err
				}
			}
			for _, id := range cands {
				u, c := us[id], cls[id]
				// Shown only if the caller may see the client now (as
				// visibleClient decides: an admin every client, a
				// practitioner their assigned clients) and its name, opened
				// now, still matches.
				if u == nil || c == nil || u.Role != holdspace.RoleClient {
					continue // erased since, or not a client
				}
				if ac.is(holdspace.RolePractitioner) && !slices.Contains(c.PractitionerIDs, ac.UserID) {
					continue // no longer assigned
				}
				v, err := a.clientView(u, c)
				if err != nil {
					return err
				}
				if !keyMatches(foldKey(v.Name), terms) {
					continue
				}
				out = append(out, v)
				ids = append(ids, id)
			}
			if len(cands) < want {
				break
			}
			from = next
		}
		// The query's text is not recorded, only its length.
		return record(ctx, tx, ac, "client.search", "", "",
			fmt.Sprintf("ids=%s query_chars=%d", strings.Join(ids, ","), utf8.RuneCountInString(query)))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// WarmClientSearch starts building this node's name index in the
// background, so that the first search does not wait for it. Searches
// build it on first use otherwise.
func (a *People) WarmClientSearch() { a.names.start() }
