// Package catalogue switches a whole catalogue (the course list, the
// service directory) from one version to the next at once, so that an
// import is all or nothing even when the process is killed halfway.
//
// A catalogue lives in generations: generation 0 is the collection named
// after the catalogue ("courses"), generation n > 0 a collection
// "<name>_v<n>_<random>" of its own. An import writes every document of
// the next generation into a new collection (Stage), then makes it current
// with one insert of the document "<name>#<n>", naming that collection,
// into the "catalogue_versions" collection (Switch): an insert is atomic
// and, under the unique _id, only one of two concurrent imports can make
// the same generation; the loser's collection is never read. Readers
// (Current) find the highest generation that has its switch document, with
// reads by _id only (cheap on the embedded store). A crash before the
// switch leaves a staged collection nobody reads; a later Stage drops it.
// After a switch the generation two back is dropped: a reader still busy
// with the previous generation finds it intact.
package catalogue

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/prils-lazio/presidio/internal/store"
)

// versionsCollection holds one switch document per generation of every
// catalogue ("courses#3") and a hint per catalogue ("courses#latest").
const versionsCollection = "catalogue_versions"

// ErrConcurrent is returned by Switch when another import made the same
// generation first: nothing of this import is current; run it again.
var ErrConcurrent = errors.New("catalogue: another import finished first; nothing of this one was applied: run it again")

// Versions is one catalogue's generations. Its methods are safe for
// concurrent use, also by several processes on one store.
type Versions struct {
	st   *store.Store
	meta *mongo.Collection
	name string

	mu   sync.Mutex
	gen  int    // highest generation known to be switched in
	coll string // its collection
}

// New returns the generations of the catalogue name kept in st.
func New(st *store.Store, name string) *Versions {
	return &Versions{st: st, meta: st.Collection(versionsCollection), name: name, gen: -1}
}

func (v *Versions) switchID(n int) string { return v.name + "#" + strconv.Itoa(n) }

type hintDoc struct {
	ID   string `bson:"_id"`
	Gen  int    `bson:"gen"`
	Coll string `bson:"coll"`
}

type switchDoc struct {
	ID   string    `bson:"_id"`
	At   time.Time `bson:"at"`
	Gen  int       `bson:"gen"`
	Coll string    `bson:"coll"`
}

// Staged is a version being written: its documents go into Coll, and
// Switch makes it current.
type Staged struct {
	Coll *mongo.Collection
	base int
	name string
}

// Current returns the current generation's collection and number. It
// reads the next generation's switch document by _id each time (and the
// hint once per process), so a switch by another process is seen by the
// next call.
func (v *Versions) Current(ctx context.Context) (*mongo.Collection, int, error) {
	v.mu.Lock()
	n, coll := v.gen, v.coll
	v.mu.Unlock()
	if n < 0 {
		var h hintDoc
		err := v.meta.FindOne(ctx, bson.D{{Key: "_id", Value: v.name + "#latest"}}).Decode(&h)
		switch {
		case errors.Is(err, mongo.ErrNoDocuments):
			n, coll = 0, v.name
		case err != nil:
			return nil, 0, fmt.Errorf("catalogue: reading the %s version: %w", v.name, err)
		default:
			n, coll = h.Gen, h.Coll
		}
	}
	for {
		var d switchDoc
		err := v.meta.FindOne(ctx, bson.D{{Key: "_id", Value: v.switchID(n + 1)}}).Decode(&d)
		if errors.Is(err, mongo.ErrNoDocuments) {
			break
		}
		if err != nil {
			return nil, 0, fmt.Errorf("catalogue: reading the %s version: %w", v.name, err)
		}
		n, coll = d.Gen, d.Coll
	}
	v.mu.Lock()
	if n > v.gen {
		v.gen, v.coll = n, coll
	}
	v.mu.Unlock()
	return v.st.Collection(coll), n, nil
}

// Stage returns a new empty collection for generation base+1, and drops
// what imports that crashed before their switch left behind. The caller
// writes every document of the new version into it, then calls Switch.
func (v *Versions) Stage(ctx context.Context, base int) (*Staged, error) {
	v.sweep(ctx, base)
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := fmt.Sprintf("%s_v%d_%s", v.name, base+1, hex.EncodeToString(b[:]))
	return &Staged{Coll: v.st.Collection(name), base: base, name: name}, nil
}

// sweep drops staged collections of generations up to base that are not
// the switched-in collection of base or base-1: nobody reads them. It is
// best effort.
func (v *Versions) sweep(ctx context.Context, base int) {
	names, err := v.st.CollectionNames(ctx)
	if err != nil {
		return
	}
	keep := map[string]bool{}
	for _, g := range []int{base, base - 1} {
		if g > 0 {
			var d switchDoc
			if v.meta.FindOne(ctx, bson.D{{Key: "_id", Value: v.switchID(g)}}).Decode(&d) == nil {
				keep[d.Coll] = true
			}
		}
	}
	for _, n := range names {
		rest, ok := strings.CutPrefix(n, v.name+"_v")
		if !ok || keep[n] {
			continue
		}
		num, _, _ := strings.Cut(rest, "_")
		if g, err := strconv.Atoi(num); err == nil && g <= base {
			_ = v.st.Collection(n).Drop(ctx)
		}
	}
}

// Switch makes the staged version current, at once. When another import
// switched the same generation in first it returns ErrConcurrent and the
// staged documents are never read.
func (v *Versions) Switch(ctx context.Context, s *Staged) error {
	next := s.base + 1
	_, err := v.meta.InsertOne(ctx, switchDoc{ID: v.switchID(next), At: time.Now().UTC(), Gen: next, Coll: s.name})
	if store.IsDuplicate(err) {
		_ = s.Coll.Drop(ctx)
		return ErrConcurrent
	}
	if err != nil {
		return fmt.Errorf("catalogue: switching %s to version %d: %w (the previous version stays current)", v.name, next, err)
	}
	v.mu.Lock()
	if next > v.gen {
		v.gen, v.coll = next, s.name
	}
	v.mu.Unlock()
	// Best effort from here: the switch is done.
	_, _ = v.meta.ReplaceOne(ctx, bson.D{{Key: "_id", Value: v.name + "#latest"}}, hintDoc{ID: v.name + "#latest", Gen: next, Coll: s.name}, options.Replace().SetUpsert(true))
	switch {
	case next == 2:
		_ = v.st.Collection(v.name).Drop(ctx)
	case next > 2:
		var d switchDoc
		if v.meta.FindOne(ctx, bson.D{{Key: "_id", Value: v.switchID(next - 2)}}).Decode(&d) == nil {
			_ = v.st.Collection(d.Coll).Drop(ctx)
		}
	}
	return nil
}

// CopyAll writes docs into coll in batches (the staging of a version).
func CopyAll[T any](ctx context.Context, coll *mongo.Collection, docs []T) error {
	const batch = 500
	for i := 0; i < len(docs); i += batch {
		part := make([]any, 0, batch)
		for _, d := range docs[i:min(i+batch, len(docs))] {
			part = append(part, d)
		}
		if _, err := coll.InsertMany(ctx, part); err != nil {
			return fmt.Errorf("catalogue: staging: %w", err)
		}
	}
	return nil
}
