package directory

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/prils-lazio/presidio/internal/store"
)

// collectionName is the store collection holding the services, one
// document per service with the ID as _id.
const collectionName = "services"

// CacheMaxAge bounds how stale lookups may be. A Directory drops its copy
// after its own writes; writes by another process (a "presidio directory
// import" while the server runs) are seen within CacheMaxAge.
const CacheMaxAge = time.Minute

// Directory is the service directory kept in the store. Lookups (Get,
// List, Nearest) are answered from an in-memory copy of all services, so
// the bot does not hit the store for each of them. Its methods are safe for
// concurrent use.
//
// There are no transactions on the embedded store: two coordinators
// writing the same service at once each write the whole service, and the
// last one wins.
type Directory struct {
	coll *mongo.Collection
	now  func() time.Time

	loadMu sync.Mutex // one load at a time

	mu       sync.Mutex
	gen      uint64 // bumped by every write, so a load that raced one is not kept
	cache    []Service
	byID     map[string]int
	loadedAt time.Time
}

// New returns the directory kept in st's "services" collection.
func New(st *store.Store) *Directory {
	return &Directory{coll: st.Collection(collectionName), now: time.Now}
}

// Filter selects services in List. Its zero value selects every service
// that is not retired.
type Filter struct {
	// Category keeps only that category; empty keeps all.
	Category Category
	// Municipality keeps only that municipality (case-insensitive);
	// empty keeps all, including national services.
	Municipality string
	// IncludeRetired also returns retired services.
	IncludeRetired bool
}

// Nearby is a service found by Nearest, with its distance.
type Nearby struct {
	Service
	// Metres is the great-circle distance from the point asked about.
	Metres float64
}

// UpsertResult counts what an Upsert or Import did.
type UpsertResult struct {
	// New services were not in the directory before.
	New int
	// Updated services existed and were rewritten with different content.
	Updated int
	// Unchanged services existed with the same content: not written.
	Unchanged int
}

// Invalidate drops the in-memory copy: the next lookup reads the store.
func (d *Directory) Invalidate() {
	d.mu.Lock()
	d.gen++
	d.cache, d.byID = nil, nil
	d.mu.Unlock()
}

// services returns the cached services sorted by ID (shared: callers copy
// what they hand out) and the index by ID.
func (d *Directory) services(ctx context.Context) ([]Service, map[string]int, error) {
	if all, byID, ok := d.cached(); ok {
		return all, byID, nil
	}
	d.loadMu.Lock()
	defer d.loadMu.Unlock()
	if all, byID, ok := d.cached(); ok { // loaded while we waited
		return all, byID, nil
	}
	d.mu.Lock()
	gen := d.gen
	d.mu.Unlock()
	all, err := d.load(ctx)
	if err != nil {
		return nil, nil, err
	}
	byID := make(map[string]int, len(all))
	for i, s := range all {
		byID[s.ID] = i
	}
	d.mu.Lock()
	if d.gen == gen {
		d.cache, d.byID, d.loadedAt = all, byID, time.Now()
	}
	d.mu.Unlock()
	return all, byID, nil
}

func (d *Directory) cached() ([]Service, map[string]int, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.byID == nil || time.Since(d.loadedAt) > CacheMaxAge {
		return nil, nil, false
	}
	return d.cache, d.byID, true
}

// load reads every service from the store, sorted by ID.
func (d *Directory) load(ctx context.Context) ([]Service, error) {
	cur, err := d.coll.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("directory: reading services: %w", err)
	}
	var all []Service
	if err := cur.All(ctx, &all); err != nil {
		return nil, fmt.Errorf("directory: reading services: %w", err)
	}
	return all, nil
}

// clone returns s with its own copies of the slice and map, so callers can
// never change the cache.
func (s Service) clone() Service {
	s.Languages = slices.Clone(s.Languages)
	s.Descriptions = maps.Clone(s.Descriptions)
	return s
}

// Get returns the service with this ID, retired or not. An unknown ID
// gives an error matching store.ErrNotFound.
func (d *Directory) Get(ctx context.Context, id string) (Service, error) {
	all, byID, err := d.services(ctx)
	if err != nil {
		return Service{}, err
	}
	i, ok := byID[id]
	if !ok {
		return Service{}, fmt.Errorf("directory: service %q: %w", id, store.ErrNotFound)
	}
	return all[i].clone(), nil
}

// List returns the services matching f, sorted by municipality (national
// services, with none, first), then name, then ID. An unknown category is
// an error, not an empty list.
func (d *Directory) List(ctx context.Context, f Filter) ([]Service, error) {
	if f.Category != "" && !f.Category.Valid() {
		return nil, fmt.Errorf("directory: unknown category %q", f.Category)
	}
	all, _, err := d.services(ctx)
	if err != nil {
		return nil, err
	}
	town := strings.TrimSpace(f.Municipality)
	var out []Service
	for _, s := range all {
		if (s.Retired && !f.IncludeRetired) ||
			(f.Category != "" && s.Category != f.Category) ||
			(town != "" && !strings.EqualFold(s.Municipality, town)) {
			continue
		}
		out = append(out, s.clone())
	}
	slices.SortFunc(out, func(a, b Service) int {
		return cmp.Or(
			cmp.Compare(strings.ToLower(a.Municipality), strings.ToLower(b.Municipality)),
			cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)),
			cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// Nearest returns up to n services (all when n <= 0) of the category
// (empty: any) that are not retired and have coordinates, nearest to
// (lat, lon) first; equal distances are ordered by ID. Services without a
// place (national helplines) are never returned.
func (d *Directory) Nearest(ctx context.Context, lat, lon float64, category Category, n int) ([]Nearby, error) {
	if category != "" && !category.Valid() {
		return nil, fmt.Errorf("directory: unknown category %q", category)
	}
	all, _, err := d.services(ctx)
	if err != nil {
		return nil, err
	}
	var out []Nearby
	for _, s := range all {
		if s.Retired || !s.HasLocation() || (category != "" && s.Category != category) {
			continue
		}
		out = append(out, Nearby{Service: s, Metres: DistanceMetres(lat, lon, s.Latitude, s.Longitude)})
	}
	slices.SortFunc(out, func(a, b Nearby) int {
		return cmp.Or(cmp.Compare(a.Metres, b.Metres), cmp.Compare(a.ID, b.ID))
	})
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	for i := range out {
		out[i].Service = out[i].clone()
	}
	return out, nil
}

// Upsert stores services by ID: new IDs are added, existing ones replaced
// whole (a service's fields absent from the new version are cleared), and
// services not in the list are left alone. UpdatedAt is set by the
// directory, and only on services whose content changed.
//
// All services are validated first (with no duplicate IDs): if any is
// invalid, nothing is written and the error joins every *ValidationError.
// A store failure midway may leave part of the list written (there are no
// transactions); running the same Upsert again completes it.
func (d *Directory) Upsert(ctx context.Context, services []Service) (UpsertResult, error) {
	var errs []error
	seen := make(map[string]bool, len(services))
	for _, s := range services {
		if err := s.Validate(); err != nil {
			errs = append(errs, err)
		}
		if seen[s.ID] {
			errs = append(errs, fmt.Errorf("service %q appears twice", s.ID))
		}
		seen[s.ID] = true
	}
	if len(errs) > 0 {
		return UpsertResult{}, errors.Join(errs...)
	}
	// Decide new / changed on what the store holds now, not on the cache.
	current, err := d.load(ctx)
	if err != nil {
		return UpsertResult{}, err
	}
	old := make(map[string]Service, len(current))
	for _, s := range current {
		old[s.ID] = s
	}
	now := d.now().UTC().Truncate(time.Millisecond) // what BSON keeps
	var res UpsertResult
	var inserts []Service
	var replaces []Service
	for _, s := range services {
		prev, exists := old[s.ID]
		switch {
		case !exists:
			s.UpdatedAt = now
			inserts = append(inserts, s)
			res.New++
		case sameContent(prev, s):
			res.Unchanged++
		default:
			s.UpdatedAt = now
			replaces = append(replaces, s)
			res.Updated++
		}
	}
	defer d.Invalidate()
	raced, err := d.insert(ctx, inserts)
	if err != nil {
		return UpsertResult{}, err
	}
	if err := d.replace(ctx, append(replaces, raced...)); err != nil {
		return UpsertResult{}, err
	}
	return res, nil
}

// insert adds new services in one round trip (an insert is checked by the
// unique _id index, while an upsert by _id scans the collection on the
// embedded store). It returns those that someone else inserted meanwhile.
func (d *Directory) insert(ctx context.Context, services []Service) ([]Service, error) {
	if len(services) == 0 {
		return nil, nil
	}
	docs := make([]any, len(services))
	for i, s := range services {
		docs[i] = s
	}
	_, err := d.coll.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err == nil {
		return nil, nil
	}
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) || bwe.WriteConcernError != nil {
		return nil, fmt.Errorf("directory: adding %d services: %w", len(services), err)
	}
	var raced []Service
	for _, we := range bwe.WriteErrors {
		if we.Code != 11000 {
			return nil, fmt.Errorf("directory: adding %d services: %w", len(services), err)
		}
		raced = append(raced, services[we.Index])
	}
	return raced, nil
}

// replace rewrites existing services in one round trip.
func (d *Directory) replace(ctx context.Context, services []Service) error {
	if len(services) == 0 {
		return nil
	}
	models := make([]mongo.WriteModel, len(services))
	for i, s := range services {
		models[i] = mongo.NewReplaceOneModel().
			SetFilter(bson.D{{Key: "_id", Value: s.ID}}).
			SetReplacement(s).
			SetUpsert(true)
	}
	if _, err := d.coll.BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false)); err != nil {
		return fmt.Errorf("directory: updating %d services: %w", len(services), err)
	}
	return nil
}

// sameContent compares everything but UpdatedAt, taking a nil and an empty
// list or map as equal.
func sameContent(a, b Service) bool {
	langs, descs := slices.Equal(a.Languages, b.Languages), maps.Equal(a.Descriptions, b.Descriptions)
	a.Languages, b.Languages = nil, nil
	a.Descriptions, b.Descriptions = nil, nil
	a.UpdatedAt, b.UpdatedAt = time.Time{}, time.Time{}
	return langs && descs && reflect.DeepEqual(a, b)
}

// Retire takes a service out of lists and searches; Get still finds it.
// Retiring a retired service changes nothing. An unknown ID gives an error
// matching store.ErrNotFound. Upserting the service with Retired false (or
// re-importing its row) brings it back.
func (d *Directory) Retire(ctx context.Context, id string) error {
	defer d.Invalidate()
	res, err := d.coll.UpdateOne(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "retired", Value: bson.D{{Key: "$ne", Value: true}}}},
		bson.D{{Key: "$set", Value: bson.D{
			{Key: "retired", Value: true},
			{Key: "updated_at", Value: d.now().UTC().Truncate(time.Millisecond)},
		}}})
	if err != nil {
		return fmt.Errorf("directory: retiring %q: %w", id, err)
	}
	if res.MatchedCount > 0 {
		return nil
	}
	n, err := d.coll.CountDocuments(ctx, bson.D{{Key: "_id", Value: id}})
	if err != nil {
		return fmt.Errorf("directory: retiring %q: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("directory: service %q: %w", id, store.ErrNotFound)
	}
	return nil
}
