package courses

import "errors"

// Errors of the enrolment methods; test with errors.Is.
var (
	// ErrFull: every seat is taken, offered or owed to the people already
	// on the waiting list. The caller can offer JoinWaitingList.
	ErrFull = errors.New("courses: the course is full")
	// ErrAlreadyEnrolled: the person already has a place (or an offer) in
	// the course; the method returns it alongside.
	ErrAlreadyEnrolled = errors.New("courses: already enrolled in this course")
	// ErrNotEnrolled: Cancel found neither a place nor a waiting-list
	// entry of the person in the course.
	ErrNotEnrolled = errors.New("courses: not enrolled in this course")
	// ErrNoOffer: AcceptOffer found no offer for the person.
	ErrNoOffer = errors.New("courses: no offer for this course")
	// ErrOfferExpired: the offer's deadline passed (or it was declined);
	// the place goes to the next person waiting.
	ErrOfferExpired = errors.New("courses: the offer has expired")
	// ErrRetired: the course was retired: it takes no sign-ups, waiting
	// list entries or acceptances of offers any more.
	ErrRetired = errors.New("courses: the course was retired")
	// ErrBusy: the person's place is changing right now (a cancellation
	// or an offer passing on, in progress); trying again in a moment works.
	ErrBusy = errors.New("courses: a change to this place is in progress, try again")
)
