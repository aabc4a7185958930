package courses

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/prils-lazio/presidio/internal/store"
)

// Offer is a place held for a person from the waiting list until Expires.
type Offer struct {
	// ID is unique for this offer and never reused: use it as the id of
	// the notification in the outbox, so it is queued once.
	ID       string
	Course   string
	ChatID   int64
	Language string
	Seat     int
	// Expires is the deadline to accept (UTC).
	Expires time.Time
}

// JoinWaitingList puts the person on the course's waiting list and
// returns their position (1 = next to be offered a place). Positions
// follow the order of joining (a sequence number taken when the entry is
// inserted); joining again (a double tap) keeps the first entry and
// returns its position. A person who has a place or an offer in the course
// gets position 0 and ErrAlreadyEnrolled. Joining never makes an offer by
// itself: free seats are offered to the list by the next Sweep or Cancel.
func (c *Courses) JoinWaitingList(ctx context.Context, courseID string, person Person) (int, error) {
	if person.ChatID == 0 {
		return 0, errors.New("courses: join waiting list: the person has no chat id")
	}
	ctx, cancel := c.op(ctx)
	defer cancel()
	if co, err := c.Get(ctx, courseID); err != nil {
		return 0, err
	} else if co.Retired {
		return 0, ErrRetired
	}
	if err := c.notePerson(ctx, person.ChatID, courseID); err != nil { // before the entry: /forget finds it
		return 0, err
	}
	s, err := c.load(ctx, courseID, bson.D{}, false)
	if err != nil {
		return 0, err
	}
	if s.holderIndex(courseID, person.ChatID) >= 0 {
		return 0, ErrAlreadyEnrolled
	}
	id := waitID(courseID, person.ChatID)
	if _, err := c.insert(ctx, placeDoc{
		ID: id, Course: courseID, Holder: id, Kind: kindWaiting, ChatID: person.ChatID, Seq: store.NextSeq(),
		Name: person.Name, Phone: person.Phone, Lang: person.Language, At: c.stamp(),
	}); err != nil {
		return 0, err
	}
	if s, err = c.load(ctx, courseID, bson.D{}, false); err != nil {
		return 0, err
	}
	i := slices.IndexFunc(queue(s), func(w placeDoc) bool { return w.ChatID == person.ChatID })
	if i < 0 {
		return 0, ErrAlreadyEnrolled // offered a place between the two reads
	}
	return i + 1, nil
}

// queue returns the waiting people who hold no place in the course, in
// order: the people still to be offered a place.
func queue(s state) []placeDoc {
	holders := make(map[int64]bool, len(s.places))
	for _, p := range s.places {
		holders[p.ChatID] = true
	}
	var q []placeDoc
	for _, w := range s.waits {
		if !holders[w.ChatID] {
			q = append(q, w)
		}
	}
	return q
}

// queueAhead counts the people to be offered a place before this person:
// everyone in the queue if the person is not in it.
func queueAhead(s state, chatID int64) int {
	q := queue(s)
	if i := slices.IndexFunc(q, func(w placeDoc) bool { return w.ChatID == chatID }); i >= 0 {
		return i
	}
	return len(q)
}

// fill offers the course's free seats to the waiting list, first come
// first served, and returns the offers it made (to be announced: see
// MarkAnnounced). Each offer is one insert of an offered place whose holder
// is the person, so two fills running at once never offer one person two
// places nor more places than are free.
func (c *Courses) fill(ctx context.Context, courseID string, now time.Time) ([]Offer, error) {
	var offers []Offer
	for round := 0; ; round++ {
		course, err := c.Get(ctx, courseID)
		if err != nil {
			return offers, err
		}
		if course.Retired {
			return offers, nil // a retired course offers nothing
		}
		if round > 4*course.Seats+16 {
			return offers, nil // colliding all the time: the next Sweep goes on
		}
		s, err := c.load(ctx, courseID, bson.D{}, false)
		if err != nil {
			return offers, err
		}
		q := queue(s)
		free := freeNumbers(s.places, course.Seats)
		if len(q) == 0 || len(free) == 0 || available(course, s.places) == 0 {
			return offers, nil
		}
		w := q[0]
		d := placeDoc{
			ID: placeID(courseID, free[0]), Course: courseID, N: free[0], Token: newToken(),
			Holder: holderOf(courseID, w.ChatID), Kind: kindOffered,
			ChatID: w.ChatID, Name: w.Name, Phone: w.Phone, Lang: w.Lang, At: c.stamp(),
			Expires: now.Add(c.cfg.OfferTTL).UTC().Truncate(time.Millisecond), WaitSeq: w.Seq,
		}
		taken, err := c.insert(ctx, d)
		if err != nil {
			return offers, err
		}
		if taken {
			continue // the seat or the person was just served: read again
		}
		kept, err := c.keepOrReturn(ctx, d)
		if err != nil {
			return offers, err
		}
		if !kept {
			continue
		}
		offers = append(offers, place{placeDoc: d}.offer())
	}
}

// MarkAnnounced records that the people of these offers were told (their
// messages are durably queued), so Sweep no longer returns them. Call it
// only after queueing: an offer made and never marked is returned by the
// next Sweep (once its maker had OpTimeout to announce it), so a crash or
// a failed queueing delays the message and never loses it; queued twice
// under the same outbox id (Offer.ID), it is sent once. Marking again
// changes nothing.
func (c *Courses) MarkAnnounced(ctx context.Context, offers []Offer) error {
	ctx, cancel := c.op(ctx)
	defer cancel()
	var errs []error
	for _, o := range offers {
		if _, _, err := c.claim(ctx, o.Course, claimDoc{ID: o.ID + "#announced", At: c.stamp()}); err != nil {
			errs = append(errs, fmt.Errorf("courses: marking offer %s announced: %w", o.ID, err))
		}
	}
	return errors.Join(errs...)
}

// finishOffer completes an offer decided as expired or declined: the
// person leaves the waiting list first (so they are not offered the place
// again), then the place is deleted. Every step may be repeated.
func (c *Courses) finishOffer(ctx context.Context, p place) error {
	if err := c.deleteWait(ctx, p.Course, p.ChatID, p.WaitSeq); err != nil {
		return err
	}
	return c.endPlace(ctx, p, p.decision.Value)
}
