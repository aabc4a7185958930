package courses

import (
	"context"
	"errors"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/prils-lazio/presidio/internal/store"
)

// Cancel gives up the person's place in the course (an enrolment, or an
// offer, which counts as declined) and their waiting-list entry, then
// offers the free seats to the waiting list. It returns the offers made,
// for the caller to notify and then mark announced (MarkAnnounced; one not
// marked is returned again by Sweep). ErrNotEnrolled when the person had
// neither a place nor an entry.
//
// The place is deleted by the single winner of its "end" claim, so a
// double cancel cannot delete the seat's next holder. A cancel racing an
// AcceptOffer of the same offer either declines it first (the accept then
// fails with ErrOfferExpired) or gives up the accepted enrolment. A crash
// between the steps leaves the rest to the next Sweep: offers are never
// lost, only delayed.
func (c *Courses) Cancel(ctx context.Context, courseID string, chatID int64) ([]Offer, error) {
	ctx, cancel := c.op(ctx)
	defer cancel()
	if _, err := c.Get(ctx, courseID); err != nil {
		return nil, err
	}
	s, err := c.load(ctx, courseID, bson.D{{Key: "chat_id", Value: chatID}}, true)
	if err != nil {
		return nil, err
	}
	if len(s.places) == 0 && len(s.waits) == 0 {
		return nil, ErrNotEnrolled
	}
	// Leave the list first: a fill running between the two steps must not
	// offer the person a place again.
	if len(s.waits) > 0 {
		if err := c.deleteWait(ctx, courseID, chatID, 0); err != nil {
			return nil, err
		}
	}
	for _, p := range s.places {
		if err := c.giveUp(ctx, p, "cancelled"); err != nil {
			return nil, err
		}
	}
	return c.fill(ctx, courseID, c.now())
}

// giveUp ends a place: an undecided offer is declined first, so that it
// cannot be accepted at the same time.
func (c *Courses) giveUp(ctx context.Context, p place, reason string) error {
	if p.Kind == kindOffered && p.decision.ID == "" && !p.ended() {
		if _, err := c.decide(ctx, p, decisionDeclined, ""); err != nil {
			return err
		}
		// If an accept won instead, the enrolment is given up all the same.
	}
	return c.endPlace(ctx, p, reason)
}

// ForgetPerson erases the person from every course: their places are
// given up (and offered to the waiting lists, as with Cancel) and their
// waiting-list entries deleted. Their name, phone, language and chat id are
// deleted from the store, not flagged: they live only in those documents
// (claims name places by seat number and a random token) and in the list
// of the person's courses (people.go), deleted last. It returns the offers
// made to others, for the caller to notify and mark announced, as with
// Cancel. It reads only the courses listed for the person, also those no
// longer in the catalogue. A place whose deletion another caller claimed a
// moment before is deleted by that caller; one abandoned by a crash is
// deleted by a later Sweep.
func (c *Courses) ForgetPerson(ctx context.Context, chatID int64) ([]Offer, error) {
	ids, err := c.coursesOf(ctx, chatID)
	if err != nil {
		return nil, err
	}
	stored, err := c.placeCollections(ctx)
	if err != nil {
		return nil, err
	}
	var offers []Offer
	var errs []error
	for _, id := range ids {
		if _, ok := slices.BinarySearch(stored, id); !ok {
			continue // nothing was ever stored there (or it was dropped)
		}
		o, err := c.forgetIn(ctx, id, chatID)
		offers = append(offers, o...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return offers, errors.Join(errs...)
	}
	return offers, c.unlistPerson(ctx, chatID)
}

func (c *Courses) forgetIn(ctx context.Context, courseID string, chatID int64) ([]Offer, error) {
	ctx, cancel := c.op(ctx)
	defer cancel()
	s, err := c.load(ctx, courseID, bson.D{{Key: "chat_id", Value: chatID}}, true)
	if err != nil {
		return nil, err
	}
	if len(s.waits) > 0 {
		if err := c.deleteWait(ctx, courseID, chatID, 0); err != nil {
			return nil, err
		}
	}
	if len(s.places) == 0 {
		return nil, nil
	}
	for _, p := range s.places {
		if err := c.giveUp(ctx, p, "forgotten"); err != nil {
			return nil, err
		}
	}
	offers, err := c.fill(ctx, courseID, c.now())
	if errors.Is(err, store.ErrNotFound) {
		return offers, nil // a course no longer in the catalogue: nobody to offer the seat to
	}
	return offers, err
}
