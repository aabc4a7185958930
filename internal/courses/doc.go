// Package courses runs the Italian courses of the adult-education centres
// (CPIA) of the Castelli Romani: the course list that schools import as
// CSV, enrolment with a fixed number of seats, waiting lists with offers
// that expire, reminders the day before a course starts, and the counts
// schools and the observatory read.
//
// Everything two callers could race for is decided by inserting a document
// whose unique key is the claim (docs/ARCHITECTURE.md, invariant 3): the
// embedded FerretDB makes neither conditional updates nor conditional
// deletes atomic (a delete reads, then deletes by _id), but a unique index
// refuses the second insert both there and on MongoDB. So:
//
//   - a place is a document with _id "<course>#<n>", n in 1..Seats, and a
//     unique holder "<course>#<chatID>": one insert takes a seat number
//     and the person's only place in the course at once. A course never
//     has more places than seats (capacity.go covers seats going down),
//     and a person never holds two;
//   - a change to an existing place (an offer accepted, expired or
//     declined; a place given up) is decided by inserting a claim named
//     after that occupancy of the seat ("<course>#<n>@<token>#decided",
//     "...#end"). Only whoever inserted it acts on it, so a place is
//     deleted by exactly one caller, and a seat number freed and taken
//     again cannot lose its new holder to a late second delete;
//   - an offer's notification and a reminder are claimed once
//     ("<offer>#announced", "<enrolment>#reminded").
//
// Places are inserted whole and never updated: their state is the document
// plus the claims about it. Each step may be repeated, so a crash anywhere
// leaves work that the next call or Sweep completes: offers are neither
// lost nor doubled. A step begun and abandoned (a claimed end whose place
// was not deleted) is taken over after Config.StaleAfter, well beyond the
// time any call may run (Config.OpTimeout).
//
// Storage: the "courses" collection, and per course a collection of its
// places and waiting list and one of its claims (see store.go), so that the
// reads on the enrolment path cost what the course holds.
package courses
