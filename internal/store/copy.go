package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/connstring"
)

// DefaultDatabase is the database Presidio keeps its collections in (the
// default of Config.Database).
const DefaultDatabase = "presidio"

// CopyOptions tunes Store.CopyTo.
type CopyOptions struct {
	// Overwrite drops the target's collections that the source also has
	// before copying; without it a target holding any document is refused.
	Overwrite bool
	// Progress, if set, is told about each collection once it is copied.
	Progress func(CopiedCollection)
}

// CopiedCollection is what CopyTo did to one collection.
type CopiedCollection struct {
	Name      string
	Documents int64
	Indexes   int
}

// ErrTargetNotEmpty is returned by CopyTo for a target that holds documents.
var ErrTargetNotEmpty = errors.New("the target database is not empty")

const copyBatch = 1000

// CopyTo copies every collection of this store, with its documents and its
// indexes, to the database target (another MongoDB, or a served embedded
// store): the way from the embedded store to MongoDB. Nothing is written
// when the target holds documents (unless opts.Overwrite) or is this store
// itself. Counts are checked: each target collection must hold exactly the
// documents read from the source, and the source must still hold as many
// at the end — a source that changed during the copy (Presidio running on
// it) is reported as an error, so stop Presidio first.
func (s *Store) CopyTo(ctx context.Context, target *mongo.Database, opts CopyOptions) ([]CopiedCollection, error) {
	names, err := s.db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return nil, fmt.Errorf("listing the source's collections: %w", err)
	}
	names = userCollections(names)
	sort.Strings(names)
	if err := s.checkNotSelf(ctx, target); err != nil {
		return nil, err
	}
	if err := checkTarget(ctx, target, names, opts.Overwrite); err != nil {
		return nil, err
	}
	var done []CopiedCollection
	for _, name := range names {
		c, err := copyCollection(ctx, s.db.Collection(name), target.Collection(name), opts.Overwrite)
		if err != nil {
			return done, fmt.Errorf("copying %s: %w", name, err)
		}
		done = append(done, c)
		if opts.Progress != nil {
			opts.Progress(c)
		}
	}
	return done, nil
}

func userCollections(names []string) []string {
	out := names[:0]
	for _, n := range names {
		if !strings.HasPrefix(n, "system.") {
			out = append(out, n)
		}
	}
	return out
}

// checkNotSelf writes a probe into the target and looks for it in the
// source: copying a store onto itself with Overwrite would drop it.
func (s *Store) checkNotSelf(ctx context.Context, target *mongo.Database) error {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	probe := "presidio_copy_probe_" + hex.EncodeToString(b)
	if _, err := target.Collection(probe).InsertOne(ctx, bson.D{{Key: "_id", Value: probe}}); err != nil {
		return fmt.Errorf("writing to the target: %w", err)
	}
	defer target.Collection(probe).Drop(context.WithoutCancel(ctx))
	err := s.db.Collection(probe).FindOne(ctx, bson.D{{Key: "_id", Value: probe}}).Err()
	if err == nil {
		return errors.New("the target is the source store itself")
	}
	if !errors.Is(err, mongo.ErrNoDocuments) {
		return fmt.Errorf("reading the source: %w", err)
	}
	return nil
}

func checkTarget(ctx context.Context, target *mongo.Database, names []string, overwrite bool) error {
	have, err := target.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return fmt.Errorf("listing the target's collections: %w", err)
	}
	for _, name := range userCollections(have) {
		if strings.HasPrefix(name, "presidio_copy_probe_") {
			continue
		}
		n, err := target.Collection(name).EstimatedDocumentCount(ctx)
		if err != nil {
			return fmt.Errorf("counting the target's %s: %w", name, err)
		}
		if n > 0 && !overwrite {
			return fmt.Errorf("%w (%s holds %d documents)", ErrTargetNotEmpty, name, n)
		}
	}
	return nil
}

func copyCollection(ctx context.Context, src, dst *mongo.Collection, overwrite bool) (CopiedCollection, error) {
	c := CopiedCollection{Name: src.Name()}
	if overwrite {
		if err := dst.Drop(ctx); err != nil {
			return c, err
		}
	}
	cur, err := src.Find(ctx, bson.D{}, options.Find().SetBatchSize(copyBatch))
	if err != nil {
		return c, err
	}
	defer cur.Close(ctx)
	batch := make([]any, 0, copyBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if _, err := dst.InsertMany(ctx, batch); err != nil {
			return err
		}
		c.Documents += int64(len(batch))
		batch = batch[:0]
		return nil
	}
	for cur.Next(ctx) {
		batch = append(batch, bson.Raw(append([]byte(nil), cur.Current...)))
		if len(batch) == copyBatch {
			if err := flush(); err != nil {
				return c, err
			}
		}
	}
	if err := cur.Err(); err != nil {
		return c, err
	}
	if err := flush(); err != nil {
		return c, err
	}
	if c.Documents == 0 { // an empty collection still exists, with its indexes
		if err := dst.Database().CreateCollection(ctx, dst.Name()); err != nil {
			var ce mongo.CommandError
			if !errors.As(err, &ce) || ce.Code != 48 { // NamespaceExists
				return c, err
			}
		}
	}
	models, err := indexModels(ctx, src)
	if err != nil {
		return c, err
	}
	// Only the missing ones: an empty target may already have them (a
	// served store opened by Presidio), and FerretDB can drop the
	// connection when asked to create an index that exists.
	if err := EnsureIndexes(ctx, dst, models...); err != nil {
		return c, err
	}
	c.Indexes = len(models)
	got, err := dst.CountDocuments(ctx, bson.D{})
	if err != nil {
		return c, err
	}
	if got != c.Documents {
		return c, fmt.Errorf("the target holds %d documents, %d were copied", got, c.Documents)
	}
	now, err := src.CountDocuments(ctx, bson.D{})
	if err != nil {
		return c, err
	}
	if now != c.Documents {
		return c, fmt.Errorf("the source changed during the copy (%d copied, %d now): stop Presidio and copy again with -overwrite", c.Documents, now)
	}
	return c, nil
}

// indexModels lists a collection's indexes but _id's, with the options
// Presidio uses (name, unique, sparse, partial filter, expiry).
func indexModels(ctx context.Context, coll *mongo.Collection) ([]mongo.IndexModel, error) {
	cur, err := coll.Indexes().List(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing indexes: %w", err)
	}
	var specs []struct {
		Name    string        `bson:"name"`
		Key     bson.D        `bson:"key"`
		Unique  bool          `bson:"unique"`
		Sparse  bool          `bson:"sparse"`
		Partial bson.Raw      `bson:"partialFilterExpression"`
		Expire  bson.RawValue `bson:"expireAfterSeconds"`
	}
	if err := cur.All(ctx, &specs); err != nil {
		return nil, fmt.Errorf("listing indexes: %w", err)
	}
	var out []mongo.IndexModel
	for _, sp := range specs {
		if sp.Name == "_id_" {
			continue
		}
		o := options.Index().SetName(sp.Name)
		if sp.Unique {
			o.SetUnique(true)
		}
		if sp.Sparse {
			o.SetSparse(true)
		}
		if len(sp.Partial) > 0 {
			o.SetPartialFilterExpression(sp.Partial)
		}
		if n, ok := sp.Expire.AsInt64OK(); ok {
			o.SetExpireAfterSeconds(int32(n))
		}
		out = append(out, mongo.IndexModel{Keys: sp.Key, Options: o})
	}
	return out, nil
}

// ConnectTarget connects to the MongoDB deployment at uri (or a served
// embedded store) for CopyTo, and gives its database named database
// (Presidio's is "presidio", whatever the URI's path says, as in Open).
// Disconnect the client when done.
func ConnectTarget(ctx context.Context, uri, database string) (*mongo.Client, *mongo.Database, error) {
	if _, err := connstring.ParseAndValidate(uri); err != nil {
		return nil, nil, fmt.Errorf("%s is not a MongoDB connection string: %w", redactURI(uri), err)
	}
	client, err := mongo.Connect(options.Client().ApplyURI(uri).SetTimeout(2 * time.Minute))
	if err != nil {
		return nil, nil, fmt.Errorf("connecting to %s: %w", redactURI(uri), err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := client.Ping(pingCtx, readpref.Primary()); err != nil {
		_ = client.Disconnect(context.WithoutCancel(ctx))
		return nil, nil, fmt.Errorf("%s is not reachable: %w", redactURI(uri), err)
	}
	return client, client.Database(database), nil
}
