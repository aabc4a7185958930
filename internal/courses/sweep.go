package courses

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Sweep does the periodic work of every course, as of now, and returns the
// offers for the caller to notify: the offers it made, and every offer
// made earlier (by Sweep, Cancel or ForgetPerson) that was never marked as
// announced (MarkAnnounced). The caller queues each message with Offer.ID
// in its outbox id, then marks the offers announced:
//
//   - an offer whose deadline is at or before now expires (unless it was
//     accepted first: one "decided" claim settles the race), its person
//     leaves the waiting list, and its place goes to the next person;
//   - free seats are offered to the waiting list (after a crash, or after
//     an import raised the seats);
//   - steps left half-done by a crash are completed: an offer decided but
//     not yet passed on, an offer made but never announced (returned
//     again), a place whose end was claimed over StaleAfter ago but which
//     is still there.
//
// Every step may run twice or concurrently with any other call without
// losing or doubling an offer. The app runs Sweep every minute or so; one
// course failing does not stop the others (their errors are joined).
//
// An offer is marked announced only after its message was queued, so a
// crash or a failed queueing between the two makes the next Sweep return
// it again: the message is delayed, never lost, and the outbox (one copy
// per id) sends it once.
func (c *Courses) Sweep(ctx context.Context, now time.Time) ([]Offer, error) {
	all, err := c.List(ctx)
	if err != nil {
		return nil, err
	}
	var offers []Offer
	var errs []error
	for _, co := range all {
		o, err := c.sweepCourse(ctx, co.ID, now)
		offers = append(offers, o...)
		if err != nil {
			errs = append(errs, fmt.Errorf("courses: sweeping %s: %w", co.ID, err))
		}
	}
	return offers, errors.Join(errs...)
}

func (c *Courses) sweepCourse(ctx context.Context, courseID string, now time.Time) ([]Offer, error) {
	ctx, cancel := c.op(ctx)
	defer cancel()
	s, err := c.load(ctx, courseID, bson.D{}, true)
	if err != nil {
		return nil, err
	}
	for _, p := range s.places {
		if err := c.sweepPlace(ctx, p, now); err != nil {
			return nil, err
		}
	}
	offers, err := c.fill(ctx, courseID, now)
	if err != nil {
		return offers, err
	}
	if co, err := c.Get(ctx, courseID); err != nil || co.Retired {
		return offers, err // the people of a retired course are told it is retired instead
	}
	for _, p := range s.places {
		// Made by a call that stopped before announcing it, or whose
		// message could not be queued; a recent one may still be checked
		// (and given back) or announced by its maker.
		if !p.pendingOffer() || p.announced || !now.Before(p.Expires) || c.now().Sub(p.At) < c.cfg.OpTimeout {
			continue
		}
		offers = append(offers, p.offer())
	}
	return offers, nil
}

// sweepPlace moves one place on, if it is due.
func (c *Courses) sweepPlace(ctx context.Context, p place, now time.Time) error {
	switch {
	case p.ended():
		if c.now().Sub(p.end.At) >= c.cfg.StaleAfter {
			return c.endPlace(ctx, p, p.end.Value)
		}
		return nil
	case p.Kind != kindOffered:
		return nil
	case p.decision.Value == decisionAccepted:
		// Accepting removed the entry; again, in case a crash came between.
		return c.deleteWait(ctx, p.Course, p.ChatID, p.WaitSeq)
	case p.decision.ID != "":
		return c.finishOffer(ctx, p)
	case now.Before(p.Expires):
		return nil
	}
	d, err := c.decide(ctx, p, decisionExpired, "")
	if err != nil {
		return err
	}
	if d.Value == decisionAccepted {
		return nil // accepted just in time
	}
	p.decision = d
	return c.finishOffer(ctx, p)
}

// PendingOffers returns every offer not yet accepted, declined or past its
// deadline as of now, by course ID. It only reads.
func (c *Courses) PendingOffers(ctx context.Context, now time.Time) ([]Offer, error) {
	all, err := c.List(ctx)
	if err != nil {
		return nil, err
	}
	var out []Offer
	for _, co := range all {
		s, err := c.load(ctx, co.ID, bson.D{{Key: "kind", Value: kindOffered}}, true)
		if err != nil {
			return nil, err
		}
		for _, p := range s.places {
			if p.pendingOffer() && now.Before(p.Expires) {
				out = append(out, p.offer())
			}
		}
	}
	return out, nil
}
