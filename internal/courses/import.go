package courses

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/prils-lazio/presidio/internal/catalogue"
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

// Import reads a CSV file or, when name ends in .xlsx, an Excel workbook
// (see ParseFile) and upserts its courses by ID, all
// or nothing: when the file has any problem, including a row that lowers a
// course's seats below the places already taken, it returns FileErrors
// with every problem ("FILE:LINE: what is wrong") and writes nothing.
// Courses not in the file are left alone; a retired course stays retired.
func (c *Courses) Import(ctx context.Context, name string, r io.Reader) (UpsertResult, error) {
	rows, errs := parseFile(name, r)
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
// whole (but a retired course stays retired), courses not in the list left
// alone; UpdatedAt is set on courses whose content changed.
//
// Every course is checked first (Validate, no duplicate IDs, and seats not
// below the places taken: *SeatsError); with any problem nothing is
// written and the error joins them all.
//
// The change is all or nothing, even if the process is killed: the whole
// new list is written as the catalogue's next version and switched in at
// once (see internal/catalogue); a failure or a crash before the switch
// leaves the list as it was. When another import switched first, Upsert
// changes nothing: Upsert then applies its list again on the new version
// (up to a few times) and returns catalogue.ErrConcurrent only when it
// kept losing.
//
// Courses whose seats went down are checked after the switch against
// enrolments made meanwhile (see capacity.go): if those no longer fit,
// that course gets its old seats back and Upsert returns an error (the
// rest of the import stays). Seats that go up are offered to the waiting
// list by the next Sweep.
func (c *Courses) Upsert(ctx context.Context, courses []Course) (UpsertResult, error) {
	for range maxAttempts - 1 {
		res, err := c.upsert(ctx, courses)
		if !errors.Is(err, catalogue.ErrConcurrent) {
			return res, err
		}
	}
	return c.upsert(ctx, courses)
}

// maxAttempts bounds Upsert's tries when other imports switch first.
const maxAttempts = 5

func (c *Courses) upsert(ctx context.Context, courses []Course) (UpsertResult, error) {
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
	_, base, err := c.versions.Current(ctx)
	if err != nil {
		return UpsertResult{}, fmt.Errorf("courses: %w", err)
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
	var lowered []Course
	next := maps.Clone(old)
	for _, co := range courses {
		prev, exists := old[co.ID]
		co.UpdatedAt = now
		if exists && prev.Retired {
			co.Retired = true // an import or an edit never brings a retired course back
		}
		switch {
		case !exists:
			res.New++
			next[co.ID] = co
		case sameContent(prev, co):
			res.Unchanged++
		default:
			res.Updated++
			next[co.ID] = co
			if co.Seats < prev.Seats {
				lowered = append(lowered, co)
			}
		}
	}
	if res.New+res.Updated == 0 {
		return res, nil
	}
	if err := c.writeVersion(ctx, base, slices.SortedFunc(maps.Values(next), func(a, b Course) int { return strings.Compare(a.ID, b.ID) })); err != nil {
		return UpsertResult{}, err
	}
	for _, co := range lowered {
		if err := c.checkLowered(ctx, co, old[co.ID].Seats); err != nil {
			return res, err
		}
	}
	return res, nil
}

// stageHook, when set (by tests), is called after each batch of a version
// is staged with the number of courses staged so far.
var stageHook func(staged int)

// writeVersion writes list as the version after base and switches it in.
func (c *Courses) writeVersion(ctx context.Context, base int, list []Course) error {
	staged, err := c.versions.Stage(ctx, base)
	if err != nil {
		return fmt.Errorf("courses: %w", err)
	}
	if err := ensureCourseIndexes(ctx, staged.Coll); err != nil {
		return err
	}
	const batch = 200
	for i := 0; i < len(list); i += batch {
		if err := catalogue.CopyAll(ctx, staged.Coll, list[i:min(i+batch, len(list))]); err != nil {
			return fmt.Errorf("courses: nothing imported: %w", err)
		}
		if stageHook != nil {
			stageHook(min(i+batch, len(list)))
		}
	}
	if err := c.versions.Switch(ctx, staged); err != nil {
		return fmt.Errorf("courses: %w", err)
	}
	return nil
}

// replace writes a whole course into the current version of the list (a
// small collection: the update by _id that scans it on the embedded store
// is cheap).
func (c *Courses) replace(ctx context.Context, co Course) error {
	coll, err := c.catalogue(ctx)
	if err != nil {
		return err
	}
	_, err = coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: co.ID}}, co, options.Replace().SetUpsert(true))
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
