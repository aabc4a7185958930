package courses

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/prils-lazio/presidio/internal/catalogue"
	"github.com/prils-lazio/presidio/internal/store"
)

// The collections of this package. The embedded FerretDB only narrows a
// read to the documents it needs for a filter on _id alone: any other
// filter reads the whole collection. Each course therefore has its own
// small collections, so that the reads on the enrolment path cost what the
// course holds, not what all courses ever held.
const (
	// colCourses holds one Course per document, _id = course ID, in
	// generations switched at once by imports (see internal/catalogue):
	// "courses", then "courses_v1", "courses_v2"...
	colCourses = "courses"
	// placesPrefix + course ID holds the course's places (placeDoc:
	// enrolments and offers, _id "<course>#<n>") and waiting-list entries
	// (kind waiting, _id "<course>#wait#<chatID>"), with a unique index on
	// holder.
	placesPrefix = "course_places."
	// claimsPrefix + course ID holds the claims about the course's places
	// (claimDoc: decisions, ends, announcements, reminders). Insert-only.
	claimsPrefix = "course_claims."
)

// Config tunes a Courses; the zero value gives the defaults.
type Config struct {
	// OfferTTL is how long an offered place is held for the person it was
	// offered to; default 48 hours.
	OfferTTL time.Duration
	// StaleAfter is how long a step begun and not finished (a place whose
	// end was claimed but which was not deleted yet) is taken to be in
	// progress; after it, the step is taken as abandoned by a crash and
	// completed by others. It must be at least twice OpTimeout; default 10
	// minutes.
	StaleAfter time.Duration
	// OpTimeout bounds each method's work on one course, so no step
	// outlives StaleAfter; default 1 minute.
	OpTimeout time.Duration
}

// Courses is the course list with its places and waiting lists, kept in
// the store. Its methods are safe for concurrent use, also by several
// processes on one store (a "presidio courses import" while the server
// runs): every guarantee stated here rests on the store's unique indexes,
// not on this process's memory.
type Courses struct {
	st       *store.Store
	versions *catalogue.Versions
	cfg      Config
	now      func() time.Time

	readyMu sync.Mutex
	ready   sync.Map // course ID → true once its indexes are known to exist
	gates   sync.Map // course ID → chan struct{} (see gate)
}

// New returns the courses kept in st and creates the indexes of the course
// list (idempotent). Each course's unique holder index, which keeps a
// person to one place per course, is created or found before this process
// first touches that course's places (placesOf): no place is inserted
// without it.
func New(ctx context.Context, st *store.Store, cfg Config) (*Courses, error) {
	if cfg.OfferTTL <= 0 {
		cfg.OfferTTL = 48 * time.Hour
	}
	if cfg.OpTimeout <= 0 {
		cfg.OpTimeout = time.Minute
	}
	if cfg.StaleAfter <= 0 {
		cfg.StaleAfter = 10 * time.Minute
	}
	if cfg.StaleAfter < 2*cfg.OpTimeout {
		return nil, fmt.Errorf("courses: StaleAfter (%v) must be at least twice OpTimeout (%v)", cfg.StaleAfter, cfg.OpTimeout)
	}
	c := &Courses{st: st, versions: catalogue.New(st, colCourses), cfg: cfg, now: time.Now}
	cur, _, err := c.versions.Current(ctx)
	if err != nil {
		return nil, err
	}
	if err := ensureCourseIndexes(ctx, cur); err != nil {
		return nil, err
	}
	if err := c.openPeople(ctx); err != nil { // people.go
		return nil, err
	}
	return c, nil
}

// ensureCourseIndexes creates the indexes of a generation of the list.
func ensureCourseIndexes(ctx context.Context, coll *mongo.Collection) error {
	return ensureIndexes(ctx, coll, index{keys: bson.D{{Key: "site", Value: 1}}}, index{keys: bson.D{{Key: "start_date", Value: 1}}})
}

// catalogue returns the current generation of the course list.
func (c *Courses) catalogue(ctx context.Context) (*mongo.Collection, error) {
	coll, _, err := c.versions.Current(ctx)
	if err != nil {
		return nil, fmt.Errorf("courses: %w", err)
	}
	return coll, nil
}

// placesOf returns the collection of the course's places and waiting list,
// having made sure (once per process) that its unique holder index exists:
// no place is inserted without it.
func (c *Courses) placesOf(ctx context.Context, courseID string) (*mongo.Collection, error) {
	coll := c.st.Collection(placesPrefix + courseID)
	if _, ok := c.ready.Load(courseID); ok {
		return coll, nil
	}
	c.readyMu.Lock()
	defer c.readyMu.Unlock()
	if _, ok := c.ready.Load(courseID); ok {
		return coll, nil
	}
	err := ensureIndexes(ctx, coll,
		index{keys: bson.D{{Key: "holder", Value: 1}}, unique: true},
		index{keys: bson.D{{Key: "chat_id", Value: 1}}})
	if err != nil {
		return nil, err
	}
	c.ready.Store(courseID, true)
	return coll, nil
}

// claimsOf returns the collection of the claims about the course's places.
func (c *Courses) claimsOf(courseID string) *mongo.Collection {
	return c.st.Collection(claimsPrefix + courseID)
}

type index struct {
	keys   bson.D
	unique bool
}

func ensureIndexes(ctx context.Context, coll *mongo.Collection, specs ...index) error {
	models := make([]mongo.IndexModel, len(specs))
	for i, s := range specs {
		models[i] = mongo.IndexModel{Keys: s.keys}
		if s.unique {
			models[i].Options = options.Index().SetUnique(true)
		}
	}
	if err := store.EnsureIndexes(ctx, coll, models...); err != nil {
		return fmt.Errorf("courses: %w", err)
	}
	return nil
}

// op bounds one method's work by OpTimeout.
func (c *Courses) op(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.cfg.OpTimeout)
}

// stamp is the current time as BSON keeps it (UTC, milliseconds), so what
// a method returns equals what a later read returns.
func (c *Courses) stamp() time.Time { return c.now().UTC().Truncate(time.Millisecond) }

// newToken returns a random identifier for one occupancy of a seat.
func newToken() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Get returns the course with this ID. An unknown ID gives an error
// matching store.ErrNotFound.
func (c *Courses) Get(ctx context.Context, id string) (Course, error) {
	var co Course
	coll, err := c.catalogue(ctx)
	if err != nil {
		return Course{}, err
	}
	err = coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&co)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return Course{}, fmt.Errorf("courses: course %q: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return Course{}, fmt.Errorf("courses: reading course %q: %w", id, err)
	}
	return co, nil
}

// List returns every course sorted by ID.
func (c *Courses) List(ctx context.Context) ([]Course, error) {
	return c.find(ctx, bson.D{})
}

// ListBySite returns the courses of one site (help point or CPIA site),
// sorted by start date, then start time, then ID; none is an empty list.
func (c *Courses) ListBySite(ctx context.Context, site string) ([]Course, error) {
	all, err := c.find(ctx, bson.D{{Key: "site", Value: site}})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(all, func(a, b Course) int {
		return cmp.Or(cmp.Compare(a.StartDate, b.StartDate), cmp.Compare(a.StartTime, b.StartTime), cmp.Compare(a.ID, b.ID))
	})
	return all, nil
}

func (c *Courses) find(ctx context.Context, filter bson.D) ([]Course, error) {
	coll, err := c.catalogue(ctx)
	if err != nil {
		return nil, err
	}
	cur, err := coll.Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("courses: reading courses: %w", err)
	}
	var out []Course
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("courses: reading courses: %w", err)
	}
	return out, nil
}
