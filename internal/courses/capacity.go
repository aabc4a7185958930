package courses

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Capacity.
//
// Seat numbers alone keep a course within its seats while Seats does not
// go down: every place is a distinct number in 1..Seats. When an import
// lowers Seats, people already holding numbers above the new value keep
// their places, so numbers no longer bound the count. Two rules close the
// gap, both a write followed by a read (so, with linearizable single
// operations, at least one side sees the other):
//
//   - whoever inserts a place (Enrol, the offers to the waiting list) then
//     reads the course and its places, and gives the place back (and tries
//     again) when its number is above Seats or the places are more than
//     Seats, or the course was retired meanwhile (keepOrReturn);
//   - an import lowering Seats writes the course, then reads its places,
//     and writes the old Seats back when they are more than the new value
//     (checkLowered).
//
// A place that fails the check exists for the moment between its insert
// and its deletion, but nobody is told it was granted: every place a
// caller is told about was counted within Seats by a read made after the
// place was inserted, and every later read of Seats was checked the same
// way. Places are counted in every state (offered, being given up), which
// errs on the side of "full".

// available is how many more places the course can grant: Seats minus
// the places held, never below zero.
func available(course Course, ps []place) int {
	return max(0, course.Seats-len(ps))
}

// keepOrReturn reads the course and its places again after this call
// inserted d, and gives d back when it does not fit. kept is false then.
func (c *Courses) keepOrReturn(ctx context.Context, d placeDoc) (kept bool, err error) {
	course, err := c.Get(ctx, d.Course)
	if err != nil {
		return false, err
	}
	s, err := c.load(ctx, d.Course, bson.D{}, false)
	if err != nil {
		// The place stays: it was inserted within the seats a read
		// allowed. A retry (same key: same enrolment) checks it again.
		return false, err
	}
	if !course.Retired && d.N <= course.Seats && len(s.places) <= course.Seats {
		return true, nil
	}
	if err := c.endPlace(ctx, place{placeDoc: d}, "over capacity"); err != nil {
		return false, err
	}
	return false, nil
}

// checkLowered checks, after the import that lowered co's seats from
// oldSeats was switched in, that the places held fit; if they do not
// (enrolments made while the import ran), it writes the course back with
// oldSeats and fails with an error wrapping a *SeatsError.
func (c *Courses) checkLowered(ctx context.Context, co Course, oldSeats int) error {
	s, err := c.load(ctx, co.ID, bson.D{}, false)
	if err != nil {
		return err
	}
	if len(s.places) <= co.Seats {
		return nil
	}
	back := co
	back.Seats = oldSeats
	if err := c.replace(ctx, back); err != nil {
		return fmt.Errorf("courses: %s: %d places were taken while seats went down to %d, and restoring %d seats failed: %w", co.ID, len(s.places), co.Seats, oldSeats, err)
	}
	return fmt.Errorf("courses: %s: %d places were taken while the import ran: seats not lowered to %d: %w", co.ID, len(s.places), co.Seats,
		&SeatsError{ID: co.ID, Seats: co.Seats, Taken: len(s.places)})
}
