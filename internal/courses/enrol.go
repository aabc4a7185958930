package courses

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Person is who asks for a place: only what the school needs to reach and
// place them.
type Person struct {
	// ChatID is the person's private chat with the bot; it identifies
	// the person (one place per course per ChatID). Not zero.
	ChatID int64
	Name   string
	Phone  string
	// Language is the person's language code (e.g. "ar", "uk").
	Language string
}

// Enrolment is a person's place in a course.
type Enrolment struct {
	// ID is unique for this enrolment and never reused, also after it is
	// cancelled and the seat is taken by someone else.
	ID       string
	Course   string
	ChatID   int64
	Seat     int
	Name     string
	Phone    string
	Language string
	// Key is the idempotency key of the request that made the enrolment.
	Key string
	// At is when the enrolment was made (UTC, millisecond precision).
	At time.Time
}

// transitionWait bounds how long Enrol and AcceptOffer wait for the
// person's place to finish changing before returning ErrBusy.
const transitionWait = 3 * time.Second

// Enrol gives the person a place in the course, or returns ErrFull.
//
// Guarantees, with any number of concurrent calls in any number of
// processes: the places granted (enrolled plus offered) never exceed the
// course's seats, also while an import lowers them (capacity.go); a
// person never holds two places in one course; calls with the
// same key for the same person return the same Enrolment and take one
// seat. A later call with another key returns the existing enrolment with
// ErrAlreadyEnrolled. A person holding an offer for the course who calls
// Enrol accepts it (see AcceptOffer). ErrFull is returned only after a
// read showed every seat taken, or when the free seats are owed to people
// ahead on the waiting list (who are offered them by Sweep or Cancel).
//
// How: one insert of a place document whose _id is the seat number and
// whose unique holder is the person decides both at once. The seat to try
// is picked at random among those a read found free, so simultaneous
// callers spread over the seats instead of all colliding on seat 1; after
// a collision the seats are read again (a read is cheaper than a blind
// insert on the embedded store, where each insert is a write transaction).
func (c *Courses) Enrol(ctx context.Context, courseID string, person Person, key string) (Enrolment, error) {
	if person.ChatID == 0 {
		return Enrolment{}, errors.New("courses: enrol: the person has no chat id")
	}
	ctx, cancel := c.op(ctx)
	defer cancel()
	// The course is read once: Seats only guides the tries here; whether a
	// place may be kept is checked against a fresh read (keepOrReturn).
	course, err := c.Get(ctx, courseID)
	if err != nil {
		return Enrolment{}, err
	}
	if err := c.notePerson(ctx, person.ChatID, courseID); err != nil { // before any place: /forget finds it
		return Enrolment{}, err
	}
	queueChecked := false
	waitUntil := time.Now().Add(transitionWait)
	for {
		e, n, err := c.enrolRound(ctx, &course, person, key, &queueChecked)
		switch n {
		case done:
			return e, err
		case wait:
			if time.Now().After(waitUntil) {
				return Enrolment{}, ErrBusy
			}
			if err := sleep(ctx, 20*time.Millisecond); err != nil {
				return Enrolment{}, err
			}
		}
	}
}

// next says what a round of Enrol leaves to do.
type next int

const (
	done  next = iota // the result is final
	again             // a seat was taken under our feet: read again now
	wait              // the person's place is changing: read again shortly
)

// enrolRound reads the course's places once and tries one free seat, or
// settles the place the person already holds.
func (c *Courses) enrolRound(ctx context.Context, course *Course, person Person, key string, queueChecked *bool) (Enrolment, next, error) {
	if course.Retired {
		return Enrolment{}, done, ErrRetired
	}
	release, err := c.gate(ctx, course.ID)
	if err != nil {
		return Enrolment{}, done, err
	}
	defer release()
	s, err := c.load(ctx, course.ID, bson.D{}, false)
	if err != nil {
		return Enrolment{}, done, err
	}
	if i := s.holderIndex(course.ID, person.ChatID); i >= 0 {
		// Judging a place needs the seats as they are now.
		if *course, err = c.Get(ctx, course.ID); err != nil {
			return Enrolment{}, done, err
		}
		e, retry, err := c.settleOwn(ctx, *course, s, s.places[i], key, false)
		if retry {
			return Enrolment{}, wait, nil
		}
		return e, done, err
	}
	free := freeNumbers(s.places, course.Seats)
	room := available(*course, s.places)
	if room == 0 || len(free) == 0 {
		return Enrolment{}, done, ErrFull
	}
	if !*queueChecked {
		if queueAhead(s, person.ChatID) >= room {
			return Enrolment{}, done, ErrFull
		}
		*queueChecked = true
	}
	// A random free seat, so simultaneous callers spread over the seats.
	n := free[rand.IntN(len(free))]
	d := placeDoc{
		ID: placeID(course.ID, n), Course: course.ID, N: n, Token: newToken(),
		Holder: holderOf(course.ID, person.ChatID), Kind: kindEnrolled,
		ChatID: person.ChatID, Name: person.Name, Phone: person.Phone, Lang: person.Language,
		Key: key, At: c.stamp(),
	}
	taken, err := c.insert(ctx, d)
	if err != nil {
		return Enrolment{}, done, err
	}
	if taken {
		return Enrolment{}, again, nil
	}
	kept, err := c.keepOrReturn(ctx, d)
	if err != nil {
		return Enrolment{}, done, err
	}
	if !kept {
		// Seats went down meanwhile: read the course again.
		if *course, err = c.Get(ctx, course.ID); err != nil {
			return Enrolment{}, done, err
		}
		return Enrolment{}, again, nil
	}
	// No longer waiting: best effort, a leftover entry is ignored (a
	// person holding a place is never offered one).
	_ = c.deleteWait(ctx, course.ID, person.ChatID, 0)
	return place{placeDoc: d}.enrolment(), done, nil
}

// gateWidth is how many enrolment rounds of one course run at once in one
// process.
const gateWidth = 8

// gate admits a few enrolment rounds of one course at a time in this
// process. It is a throttle, not a lock: correctness comes from the unique
// inserts, across processes too. It spares the store a stampede: on the
// embedded FerretDB every insert, even one refused as a duplicate, is a
// write transaction queued behind the others, so 500 people tapping at once
// would otherwise make 480 inserts that all fail; through the gate, most of
// them read "full" before trying.
func (c *Courses) gate(ctx context.Context, courseID string) (release func(), err error) {
	v, _ := c.gates.LoadOrStore(courseID, make(chan struct{}, gateWidth))
	ch := v.(chan struct{})
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// settleOwn answers a request for a place by a person who already holds
// one: the enrolment, an accepted offer, or retry when the place is
// changing. accepting is set for AcceptOffer, to which an offer that has
// passed on is ErrOfferExpired rather than a reason to try again.
//
// A place found here may have been inserted a moment ago by a concurrent
// call for the same person that has not yet checked it against the seats
// (see capacity.go): a recent place that does not fit the course as read
// with it is waited for, not returned. An older one was checked long ago
// (or is an enrolment kept when seats went down) and is returned as it is.
func (c *Courses) settleOwn(ctx context.Context, course Course, s state, pd place, key string, accepting bool) (e Enrolment, retry bool, err error) {
	one := []place{pd}
	if err := c.addClaims(ctx, course.ID, one); err != nil {
		return Enrolment{}, false, err
	}
	p := one[0]
	if c.now().Sub(p.At) < c.cfg.OpTimeout && (p.N > course.Seats || len(s.places) > course.Seats) {
		return Enrolment{}, true, nil // perhaps being given back by its inserter
	}
	if p.ended() {
		// Being given up; take over an end abandoned by a crash.
		if c.now().Sub(p.end.At) >= c.cfg.StaleAfter {
			if err := c.endPlace(ctx, p, p.end.Value); err != nil {
				return Enrolment{}, false, err
			}
		}
		return Enrolment{}, true, nil
	}
	switch {
	case p.Kind == kindEnrolled:
		return p.enrolment(), false, sameKey(p.Key, key)
	case p.Kind != kindOffered:
		return Enrolment{}, false, fmt.Errorf("courses: place %s has kind %q", p.ID, p.Kind)
	}
	switch p.decision.Value {
	case decisionAccepted:
		return p.enrolment(), false, sameKey(p.decision.Key, key)
	case decisionExpired, decisionDeclined:
		// Passing to the next person: finish it, so the person can ask
		// again.
		if err := c.finishOffer(ctx, p); err != nil {
			return Enrolment{}, false, err
		}
		if accepting {
			return Enrolment{}, false, ErrOfferExpired
		}
		return Enrolment{}, true, nil
	}
	if !c.now().Before(p.Expires) {
		return Enrolment{}, false, ErrOfferExpired
	}
	d, err := c.decide(ctx, p, decisionAccepted, key)
	if err != nil {
		return Enrolment{}, false, err
	}
	if d.Value != decisionAccepted {
		return Enrolment{}, false, ErrOfferExpired
	}
	p.decision = d
	_ = c.deleteWait(ctx, p.Course, p.ChatID, p.WaitSeq) // best effort: Sweep repeats it
	return p.enrolment(), false, sameKey(d.Key, key)
}

// sameKey is nil when a repeated request has the key of the one that made
// the enrolment, else ErrAlreadyEnrolled.
func sameKey(stored, key string) error {
	if key != "" && stored == key {
		return nil
	}
	return ErrAlreadyEnrolled
}

// AcceptOffer turns the person's offer into an enrolment, if it has not
// expired (ErrOfferExpired) and exists (ErrNoOffer). Accepting and the
// offer's expiry (Sweep) race through one "decided" claim: exactly one of
// them wins, so an accepted place is never passed on and an expired one
// never accepted. The offer is expired from its deadline on, even before
// Sweep passes it on. Repeating the call with the same key returns the
// same Enrolment; with another key, the enrolment and ErrAlreadyEnrolled.
func (c *Courses) AcceptOffer(ctx context.Context, courseID string, chatID int64, key string) (Enrolment, error) {
	ctx, cancel := c.op(ctx)
	defer cancel()
	waitUntil := time.Now().Add(transitionWait)
	for {
		course, err := c.Get(ctx, courseID)
		if err != nil {
			return Enrolment{}, err
		}
		if course.Retired {
			return Enrolment{}, ErrRetired
		}
		s, err := c.load(ctx, courseID, bson.D{}, false)
		if err != nil {
			return Enrolment{}, err
		}
		i := s.holderIndex(courseID, chatID)
		if i < 0 {
			return Enrolment{}, ErrNoOffer
		}
		if s.places[i].Kind == kindEnrolled {
			return s.places[i].enrolment(), ErrAlreadyEnrolled
		}
		e, retry, err := c.settleOwn(ctx, course, s, s.places[i], key, true)
		if !retry {
			return e, err
		}
		if time.Now().After(waitUntil) {
			return Enrolment{}, ErrBusy
		}
		if err := sleep(ctx, 20*time.Millisecond); err != nil {
			return Enrolment{}, err
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
