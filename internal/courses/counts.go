package courses

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Counts is the state of one course's places, as read at one moment.
type Counts struct {
	Seats int
	// Enrolled counts enrolments, accepted offers included.
	Enrolled int
	// Offered counts offers not yet accepted, declined or expired (one
	// past its deadline counts until Sweep passes it on).
	Offered int
	// Waiting counts the people on the waiting list still to be offered a
	// place (people holding an offer are in Offered instead).
	Waiting int
}

// Counts reads the course's counts. Places being given up at that moment
// are not counted; an unknown course gives an error matching
// store.ErrNotFound.
func (c *Courses) Counts(ctx context.Context, courseID string) (Counts, error) {
	course, err := c.Get(ctx, courseID)
	if err != nil {
		return Counts{}, err
	}
	s, err := c.load(ctx, courseID, bson.D{}, true)
	if err != nil {
		return Counts{}, err
	}
	return countsOf(course, s), nil
}

func countsOf(course Course, s state) Counts {
	n := Counts{Seats: course.Seats, Waiting: len(queue(s))}
	for _, p := range s.places {
		switch {
		case p.enrolled():
			n.Enrolled++
		case p.pendingOffer():
			n.Offered++
		}
	}
	return n
}

// Enrolled returns how many people are enrolled in the course (see
// Counts).
func (c *Courses) Enrolled(ctx context.Context, courseID string) (int, error) {
	n, err := c.Counts(ctx, courseID)
	return n.Enrolled, err
}

// Waiting returns how many people wait for a place in the course without
// an offer yet (see Counts).
func (c *Courses) Waiting(ctx context.Context, courseID string) (int, error) {
	n, err := c.Counts(ctx, courseID)
	return n.Waiting, err
}

// Mine is one person's courses.
type Mine struct {
	// Enrolments, by course ID.
	Enrolments []Enrolment
	// Offers waiting for an answer (not yet expired), by course ID.
	Offers []Offer
	// Waiting are the lists the person is on without an offer yet, by
	// course ID.
	Waiting []WaitingPlace
}

// WaitingPlace is a person's place on a waiting list.
type WaitingPlace struct {
	Course string
	// Position is 1 for the next person to be offered a place.
	Position int
	// Since is when the person joined the list (UTC).
	Since time.Time
}

// MyCourses returns the person's enrolments, pending offers (not yet
// expired) and waiting places with their current positions, by course ID;
// retired courses, and courses no longer in the catalogue, are left out.
//
// It reads the person's list of courses (course_people, by _id: every
// course where they enrolled or joined a waiting list is listed before
// their place or entry is inserted, and offers come from the waiting
// list), then only those courses and their places: its cost follows the
// person's courses, not the catalogue.
func (c *Courses) MyCourses(ctx context.Context, chatID int64) (Mine, error) {
	ids, err := c.coursesOf(ctx, chatID)
	if err != nil || len(ids) == 0 {
		return Mine{}, err
	}
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	coll, err := c.catalogue(ctx) // one generation for the whole answer
	if err != nil {
		return Mine{}, err
	}
	var m Mine
	now := c.now()
	for _, id := range ids {
		var co Course
		err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&co)
		if errors.Is(err, mongo.ErrNoDocuments) {
			continue // removed from the catalogue
		}
		if err != nil {
			return Mine{}, fmt.Errorf("courses: reading course %q: %w", id, err)
		}
		if err := c.addMine(ctx, &m, co, chatID, now); err != nil {
			return Mine{}, err
		}
	}
	return m, nil
}

// addMine adds to m the person's enrolment, pending offer (not expired at
// now) or waiting place in one course; a retired course adds nothing.
func (c *Courses) addMine(ctx context.Context, m *Mine, co Course, chatID int64, now time.Time) error {
	if co.Retired {
		return nil // its people were told; nothing there to act on
	}
	s, err := c.load(ctx, co.ID, bson.D{}, false)
	if err != nil {
		return err
	}
	if i := s.holderIndex(co.ID, chatID); i >= 0 {
		one := []place{s.places[i]}
		if err := c.addClaims(ctx, co.ID, one); err != nil {
			return err
		}
		switch p := one[0]; {
		case p.enrolled():
			m.Enrolments = append(m.Enrolments, p.enrolment())
		case p.pendingOffer() && now.Before(p.Expires):
			m.Offers = append(m.Offers, p.offer())
		}
		return nil
	}
	q := queue(s)
	if i := slices.IndexFunc(q, func(w placeDoc) bool { return w.ChatID == chatID }); i >= 0 {
		m.Waiting = append(m.Waiting, WaitingPlace{Course: co.ID, Position: i + 1, Since: q[i].At.UTC()})
	}
	return nil
}

// Enrolments returns the people enrolled in a course (accepted offers
// included), by seat: the school's register.
func (c *Courses) Enrolments(ctx context.Context, courseID string) ([]Enrolment, error) {
	if _, err := c.Get(ctx, courseID); err != nil {
		return nil, err
	}
	s, err := c.load(ctx, courseID, bson.D{}, false)
	if err != nil {
		return nil, err
	}
	places := append([]place(nil), s.places...)
	if err := c.addClaims(ctx, courseID, places); err != nil {
		return nil, err
	}
	var out []Enrolment
	for _, p := range places {
		if p.enrolled() {
			out = append(out, p.enrolment())
		}
	}
	slices.SortFunc(out, func(a, b Enrolment) int { return a.Seat - b.Seat })
	return out, nil
}
