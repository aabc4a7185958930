package courses

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// UpsertResult counts what an Upsert or Import did.
type UpsertResult struct {
	// New courses were not in the store before.
	New int
	// Updated courses existed and were rewritten with different content.
	Updated int
	// Unchanged courses existed with the same content: not written.
	Unchanged int
}

// SeatsError refuses to lower a course's seats below the places held.
type SeatsError struct {
	ID    string
	Seats int
	// Taken counts the places held: enrolments and pending offers.
	Taken int
}

// Error says which course and by how much.
func (e *SeatsError) Error() string {
	return fmt.Sprintf("seats %d for %q is below the %d places already taken (enrolled or offered): cancel enrolments first, or keep seats at %d or more", e.Seats, e.ID, e.Taken, e.Taken)
}

// Import reads a CSV file (see ParseCSV) and upserts its courses by ID, all
// or nothing: when the file has any problem, including a row that lowers a
// course's seats below the places already taken, it returns FileErrors
// with every problem ("FILE:LINE: what is wrong") and writes nothing.
// Courses not in the file are left alone.
func (c *Courses) Import(ctx context.Context, name string, r io.Reader) (UpsertResult, error) {
	rows, errs := parseCSV(name, r)
	if len(errs) > 0 {
		return UpsertResult{}, FileErrors(errs)
	}
	courses := make([]Course, len(rows))
	for i, rw := range rows {
		courses[i] = rw.Course
	}
	taken, err := c.takenByCourse(ctx, courses)
	if err != nil {
		return UpsertResult{}, err
	}
	for _, rw := range rows {
		if t := taken[rw.Course.ID]; t > rw.Course.Seats {
			errs = append(errs, &LineError{File: name, Line: rw.Line, Msg: (&SeatsError{ID: rw.Course.ID, Seats: rw.Course.Seats, Taken: t}).Error()})
		}
	}
	if len(errs) > 0 {
		return UpsertResult{}, FileErrors(errs)
	}
	return c.Upsert(ctx, courses)
}

// Upsert stores courses by ID: new IDs are added, existing ones replaced
// whole, courses not in the list left alone; UpdatedAt is set on courses
// whose content changed.
//
// Every course is checked first (Validate, no duplicate IDs, and seats not
// below the places taken: *SeatsError); with any problem nothing is
// written and the error joins them all. Courses whose seats go down are
// written first, each checked again after writing against enrolments made
// meanwhile (see capacity.go): if those no longer fit, that course keeps
// its old seats and Upsert stops with an error. There are no transactions:
// a store failure midway may leave part of the list written; running the
// same Upsert again completes it. Seats that go up are offered to the
// waiting list by the next Sweep.
func (c *Courses) Upsert(ctx context.Context, courses []Course) (UpsertResult, error) {
	var errs []error
	seen := make(map[string]bool, len(courses))
	for _, co := range courses {
		if err := co.Validate(); err != nil {
			errs = append(errs, err)
		}
		if seen[co.ID] {
			errs = append(errs, fmt.Errorf("course %q appears twice", co.ID))
		}
		seen[co.ID] = true
	}
	if len(errs) > 0 {
		return UpsertResult{}, errors.Join(errs...)
	}
	taken, err := c.takenByCourse(ctx, courses)
	if err != nil {
		return UpsertResult{}, err
	}
	for _, co := range courses {
		if t := taken[co.ID]; t > co.Seats {
			errs = append(errs, &SeatsError{ID: co.ID, Seats: co.Seats, Taken: t})
		}
	}
	if len(errs) > 0 {
		return UpsertResult{}, errors.Join(errs...)
	}
	current, err := c.List(ctx)
	if err != nil {
		return UpsertResult{}, err
	}
	old := make(map[string]Course, len(current))
	for _, co := range current {
		old[co.ID] = co
	}
	now := c.stamp()
	var res UpsertResult
	var lowered, others []Course
	for _, co := range courses {
		prev, exists := old[co.ID]
		co.UpdatedAt = now
		switch {
		case !exists:
			res.New++
			others = append(others, co)
		case sameContent(prev, co):
			res.Unchanged++
		case co.Seats < prev.Seats:
			res.Updated++
			lowered = append(lowered, co)
		default:
			res.Updated++
			others = append(others, co)
		}
	}
	for _, co := range lowered {
		if err := c.lowerSeats(ctx, co, old[co.ID].Seats); err != nil {
			return UpsertResult{}, err
		}
	}
	for _, co := range others {
		if err := c.replace(ctx, co); err != nil {
			return UpsertResult{}, err
		}
	}
	return res, nil
}

// replace writes a whole course (a small collection: the update by _id
// that scans it on the embedded store is cheap).
func (c *Courses) replace(ctx context.Context, co Course) error {
	_, err := c.courses.ReplaceOne(ctx, bson.D{{Key: "_id", Value: co.ID}}, co, options.Replace().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("courses: writing course %q: %w", co.ID, err)
	}
	return nil
}

// takenByCourse counts the places held in each of these courses, in every
// state.
func (c *Courses) takenByCourse(ctx context.Context, courses []Course) (map[string]int, error) {
	out := map[string]int{}
	for _, co := range courses {
		s, err := c.load(ctx, co.ID, bson.D{}, false)
		if err != nil {
			return nil, err
		}
		out[co.ID] = len(s.places)
	}
	return out, nil
}

// sameContent compares everything but UpdatedAt, taking a nil and an empty
// list (or map) as equal.
func sameContent(a, b Course) bool {
	days := slices.Equal(a.Weekdays, b.Weekdays)
	a.Weekdays, b.Weekdays = nil, nil
	if !maps.Equal(a.TitleTranslations, b.TitleTranslations) || !maps.Equal(a.NotesTranslations, b.NotesTranslations) {
		return false
	}
	a.TitleTranslations, b.TitleTranslations = nil, nil
	a.NotesTranslations, b.NotesTranslations = nil, nil
	a.UpdatedAt, b.UpdatedAt = time.Time{}, time.Time{}
	return days && reflect.DeepEqual(a, b)
}

// Export writes every course sorted by ID with WriteCSV, with its
// enrolled and waiting counts as read now.
func (c *Courses) Export(ctx context.Context, w io.Writer) error {
	all, err := c.List(ctx)
	if err != nil {
		return err
	}
	counts := make(map[string]Counts, len(all))
	for _, co := range all {
		s, err := c.load(ctx, co.ID, bson.D{}, true)
		if err != nil {
			return err
		}
		counts[co.ID] = countsOf(co, s)
	}
	return WriteCSV(w, all, counts)
}
