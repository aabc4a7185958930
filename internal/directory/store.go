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

	"github.com/prils-lazio/presidio/internal/catalogue"
	"github.com/prils-lazio/presidio/internal/store"
)

// collectionName is the store collection holding the services, one
// document per service with the ID as _id, in generations switched at
// once by Upsert (see internal/catalogue): "services", "services_v1"...
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
	versions *catalogue.Versions
	now      func() time.Time

	loadMu sync.Mutex // one load at a time

	mu       sync.Mutex
	gen      uint64 // bumped by every write, so a load that raced one is not kept
	cache    []Service
	byID     map[string]int
	loadedAt time.Time
}

// New returns the directory kept in st's "services" collection.
func New(st *store.Store) *Directory {
	return &Directory{versions: catalogue.New(st, collectionName), now: time.Now}
}

// current returns the current generation of the services.
func (d *Directory) current(ctx context.Context) (*mongo.Collection, error) {
	coll, _, err := d.versions.Current(ctx)
	if err != nil {
		return nil, fmt.Errorf("directory: %w", err)
	}
	return coll, nil
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
	coll, err := d.current(ctx)
	if err != nil {
		return nil, err
	}
	cur, err := coll.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
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
// The change is all or nothing, even if the process is killed: the whole
// new directory is written as its next version and switched in at once
// (see internal/catalogue). When another import switched first, Upsert
// changes nothing: Upsert then applies its list again on the new version
// (up to a few times) and returns catalogue.ErrConcurrent only when it
// kept losing.
func (d *Directory) Upsert(ctx context.Context, services []Service) (UpsertResult, error) {
	for range maxAttempts - 1 {
		res, err := d.upsert(ctx, services)
		if !errors.Is(err, catalogue.ErrConcurrent) {
			return res, err
		}
	}
	return d.upsert(ctx, services)
}

// maxAttempts bounds Upsert's tries when other imports switch first.
const maxAttempts = 5

func (d *Directory) upsert(ctx context.Context, services []Service) (UpsertResult, error) {
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
	_, base, err := d.versions.Current(ctx)
	if err != nil {
		return UpsertResult{}, fmt.Errorf("directory: %w", err)
	}
	current, err := d.load(ctx)
	if err != nil {
		return UpsertResult{}, err
	}
	next := make(map[string]Service, len(current))
	for _, s := range current {
		next[s.ID] = s
	}
	now := d.now().UTC().Truncate(time.Millisecond) // what BSON keeps
	var res UpsertResult
	for _, s := range services {
		prev, exists := next[s.ID]
		switch {
		case !exists:
			s.UpdatedAt = now
			next[s.ID] = s
			res.New++
		case sameContent(prev, s):
			res.Unchanged++
		default:
			s.UpdatedAt = now
			next[s.ID] = s
			res.Updated++
		}
	}
	if res.New+res.Updated == 0 {
		return res, nil
	}
	defer d.Invalidate()
	staged, err := d.versions.Stage(ctx, base)
	if err != nil {
		return UpsertResult{}, fmt.Errorf("directory: %w", err)
	}
	list := slices.SortedFunc(maps.Values(next), func(a, b Service) int { return cmp.Compare(a.ID, b.ID) })
	if err := catalogue.CopyAll(ctx, staged.Coll, list); err != nil {
		return UpsertResult{}, fmt.Errorf("directory: nothing imported: %w", err)
	}
	if err := d.versions.Switch(ctx, staged); err != nil {
		return UpsertResult{}, fmt.Errorf("directory: %w", err)
	}
	return res, nil
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
	coll, err := d.current(ctx)
	if err != nil {
		return err
	}
	res, err := coll.UpdateOne(ctx,
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
	n, err := coll.CountDocuments(ctx, bson.D{{Key: "_id", Value: id}})
	if err != nil {
		return fmt.Errorf("directory: retiring %q: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("directory: service %q: %w", id, store.ErrNotFound)
	}
	return nil
}
