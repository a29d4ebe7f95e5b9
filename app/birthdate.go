package app

import (
	"context"
	"time"

	"holdspace"
)

// SetBirthDate corrects a client's birth date. Admins and the client's
// practitioners may; it is audited and, like every fact change, in force
// for the next decision.
func (a *People) SetBirthDate(ctx context.Context, ac Actor, clientID, birthDate string) error {
	bd, err := parseDate("birth_date", birthDate)
	if err != nil {
		return err
	}
	if bd.After(a.now()) || bd.Year() < 1900 {
		return holdspace.Invalid("invalid_date", "birth_date", "The birth date must be in the past.")
	}
	return a.update(ctx, func(tx peopleTx) error {
		c, err := visibleClient(ctx, tx, ac, clientID)
		if err != nil {
			return err
		}
		if !ac.is(holdspace.RoleAdmin) && !ac.is(holdspace.RolePractitioner) {
			return forbidden("Only an admin or the client's practitioner can correct a birth date.")
		}
		if c.BirthDateSealed, err = a.sealClient(ctx, tx, c.ID, c.ID, "birth_date", bd.Format(time.DateOnly)); err != nil {
			return err
		}
		if err := tx.UpdateClient(ctx, c); err != nil {
			return err
		}
		if err := a.factsChanged(ctx, tx, c.ID); err != nil {
			return err
		}
		return record(ctx, tx, ac, "client.birth_date", c.ID, c.ID, "")
	})
}
