package app

import (
	"context"
	"slices"
	"strings"

	"holdspace"
	"holdspace/store"
)

// ClientPractitioners returns every practitioner assigned to a client, by
// name, to whoever may see the client: admins, the client's
// assigned practitioners (who see their colleagues on the file) and the
// client. Practitioners' names are staff details, not the client's data, so
// reading them is not a client read.
func (a *App) ClientPractitioners(ctx context.Context, ac Actor, clientID string) ([]Person, error) {
	var out []Person
	err := a.view(ctx, func(tx store.Tx) error {
		c, err := visibleClient(ctx, tx, ac, clientID)
		if err != nil {
			return err
		}
		for _, id := range c.PractitionerIDs {
			u, err := tx.User(ctx, id)
			if holdspace.ErrorCode(err) == holdspace.ENOTFOUND {
				continue
			}
			if err != nil {
				return err
			}
			p, err := a.person(u)
			if err != nil {
				return err
			}
			out = append(out, p)
		}
		slices.SortFunc(out, func(x, y Person) int { return strings.Compare(x.Name, y.Name) })
		return nil
	})
	return out, err
}
