// Package store keeps Presidio's state in MongoDB through mongo-driver v2.
// With no MONGODB_URI it starts an embedded FerretDB on SQLite, so the same
// code runs in the sandbox, in tests and on small installations.
//
// Correctness never rests on conditional updates, transactions, change
// streams, TTL indexes or $expr, which FerretDB lacks or does not make
// atomic: claims are inserts under a unique index, expiry is a sweeper, and
// each chat's documents are written only by the lane that owns the chat.
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
)

// Config says where the store is.
type Config struct {
	// URI of a MongoDB deployment; empty starts the embedded FerretDB.
	URI string
	// DataDir holds the embedded store's SQLite files.
	DataDir string
	// Database name; default "presidio".
	Database string

	// Command marks a short-lived command (presidio user, directory,
	// courses, store copy): when it has to start the embedded store itself
	// it does not serve it to other processes, so a Presidio starting
	// meanwhile waits for it to finish instead of becoming its client
	// (local.go).
	Command bool
}

// Store is the open database. Its methods are safe for concurrent use.
type Store struct {
	client   *mongo.Client
	db       *mongo.Database
	embedded *Embedded
	adopter  *adopter    // a client of another process's embedded store (adopt.go)
	durable  *durability // nil unless the embedded store of this machine (durable.go)
	// Embedded is true when the store is an embedded FerretDB: served by
	// this process, or by another one on the same data folder (its socket).
	Embedded bool
	commands atomic.Uint64

	stopMaintain context.CancelFunc
	maintainDone chan struct{}
	observer     atomic.Pointer[func(command string, seconds float64)]
}

// OnCommand has f told the duration of every command the store answers
// (the /metrics histogram of store latency per operation).
func (s *Store) OnCommand(f func(command string, seconds float64)) { s.observer.Store(&f) }

func (s *Store) observe(command string, d time.Duration) {
	if f := s.observer.Load(); f != nil {
		(*f)(command, d.Seconds())
	}
}

// Commands counts the commands sent to the database (each one round trip):
// the load generator reports it per update.
func (s *Store) Commands() uint64 { return s.commands.Load() }

// Open connects (starting the embedded store when cfg.URI is empty) and
// creates collections and indexes; both are idempotent.
func Open(ctx context.Context, cfg Config, logger *slog.Logger) (*Store, error) {
	if logger == nil {
		logger = slog.Default()
	}
	if cfg.Database == "" {
		cfg.Database = "presidio"
	}
	s := &Store{}
	uri := cfg.URI
	if uri == "" {
		// A process already serving the data folder is reached through its socket (local.go).
		e, a, local, err := openLocal(ctx, cfg, logger)
		if err != nil {
			return nil, err
		}
		s.embedded, s.adopter, s.Embedded, uri = e, a, true, local
		abs, err := filepath.Abs(cfg.DataDir)
		if err != nil {
			s.closeEmbedded()
			return nil, fmt.Errorf("store: data dir %q: %w", cfg.DataDir, err)
		}
		s.durable = newDurability(abs, func(d time.Duration) { s.observe("sync", d) })
		logger.Info("store: no MONGODB_URI set, using the embedded FerretDB (SQLite)", "data_dir", cfg.DataDir)
	}
	opts := options.Client().ApplyURI(uri).
		SetWriteConcern(writeconcern.Majority()).
		SetTimeout(30 * time.Second).
		SetMonitor(&event.CommandMonitor{
			Started:   func(context.Context, *event.CommandStartedEvent) { s.commands.Add(1) },
			Succeeded: func(_ context.Context, e *event.CommandSucceededEvent) { s.observe(e.CommandName, e.Duration) },
			Failed:    func(_ context.Context, e *event.CommandFailedEvent) { s.observe(e.CommandName, e.Duration) },
		})
	if s.Embedded {
		// FerretDB is a standalone server: majority means "written".
		opts.SetWriteConcern(writeconcern.W1())
	}
	client, err := mongo.Connect(opts)
	if err != nil {
		s.closeEmbedded()
		return nil, fmt.Errorf("store: connecting: %w", err)
	}
	s.client, s.db = client, client.Database(cfg.Database)
	pingCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := client.Ping(pingCtx, readpref.Primary()); err != nil {
		_ = s.Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("store: %s is not reachable: %w", redactURI(uri), err)
	}
	if err := s.ensureIndexes(ctx); err != nil {
		_ = s.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	if err := s.migrate(ctx, logger); err != nil {
		_ = s.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	if err := s.openReach(ctx, logger); err != nil { // reach_build.go
		_ = s.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	if err := s.ensureForgetIndexes(ctx); err != nil { // forget_indexes.go
		_ = s.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	if s.embedded != nil {
		if err := s.embedded.files.migrateAutoVacuum(ctx); err != nil {
			_ = s.Close(context.WithoutCancel(ctx))
			return nil, fmt.Errorf("store: %w", err)
		}
		if err := s.IndexNewCollections(ctx); err != nil {
			_ = s.Close(context.WithoutCancel(ctx))
			return nil, err
		}
	}
	if s.embedded != nil || s.adopter != nil {
		// A client of another process's store does the upkeep too once it
		// adopts the folder (adopt.go); until then each pass does nothing.
		s.maintainDone = make(chan struct{})
		maintainCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		s.stopMaintain = cancel
		go s.maintain(maintainCtx, logger)
	}
	return s, nil
}

// Ping reports whether the store answers; /readyz uses it.
func (s *Store) Ping(ctx context.Context) error {
	return s.client.Ping(ctx, readpref.Primary())
}

// Collection gives a domain package its own collection.
func (s *Store) Collection(name string) *mongo.Collection { return s.db.Collection(name) }

// Close makes this process's writes durable (Durable), disconnects and
// stops the embedded server, if any.
func (s *Store) Close(ctx context.Context) error {
	if s.client != nil {
		_ = s.Durable(ctx) // a command-line run's writes, made through the socket
	}
	if s.stopMaintain != nil {
		s.stopMaintain()
		<-s.maintainDone
		s.stopMaintain = nil
	}
	var err error
	if s.client != nil {
		err = s.client.Disconnect(ctx)
	}
	s.closeEmbedded()
	return err
}

func (s *Store) closeEmbedded() {
	s.adopter.stop()
	s.adopter = nil
	if s.embedded != nil {
		s.embedded.Close()
		s.embedded = nil
	}
}

// Drop removes the whole database: only tests use it, to start clean.
func (s *Store) Drop(ctx context.Context) error { return s.db.Drop(ctx) }

// IsDuplicate reports whether err is a unique-index violation, i.e. a claim
// that somebody else already holds (or that this process already wrote).
func IsDuplicate(err error) bool { return mongo.IsDuplicateKeyError(err) }

// ErrNotFound is returned when a document that must exist does not.
var ErrNotFound = errors.New("not found")

func (s *Store) ensureIndexes(ctx context.Context) error {
	specs := map[string][]mongo.IndexModel{
		colInbox: {
			{Keys: bson.D{{Key: "lane", Value: 1}}},
		},
		colSetAside: {
			{Keys: bson.D{{Key: "lane", Value: 1}}},
		},
		colOutbox: {
			{Keys: bson.D{{Key: "created_at", Value: 1}}},
			{Keys: bson.D{{Key: "msg.chat_id", Value: 1}, {Key: "seq", Value: 1}}},
			{Keys: bson.D{{Key: "cause", Value: 1}}},
		},
		colOutboxPending: {
			{Keys: bson.D{{Key: "msg.chat_id", Value: 1}}},
		},
		colResults: {
			{Keys: bson.D{{Key: "at", Value: 1}}},
		},
	}
	for coll, models := range specs {
		// The collection is made even with no index to make, so that the
		// hot path finds its table from the first write.
		var ce mongo.CommandError
		if err := s.db.CreateCollection(ctx, coll); err != nil && !(errors.As(err, &ce) && ce.Code == 48) { // 48: NamespaceExists
			return fmt.Errorf("store: creating %s: %w", coll, err)
		}
		if err := EnsureIndexes(ctx, s.db.Collection(coll), s.keptIndexes(coll, models)...); err != nil {
			return err
		}
	}
	return s.dropUnkeptIndexes(ctx)
}

// notOnEmbedded are the hot path's indexes the embedded store does not
// keep, because nothing there reads through them and every write pays for
// them (each is a B-tree updated, and the document's JSON parsed, at every
// insert and delete: together with FerretDB's second _id index, 40% of a
// commit's cost, measured with BenchmarkCommitUpdates):
//   - the queues (pending updates, pending messages) hold only the backlog,
//     so /forget reads them whole at little cost;
//   - sweeps on the embedded store delete in insertion order, which is date
//     order (sqliteFiles.deleteBefore), without an index on the date;
//   - /forget deletes a chat's messages from the outbox straight in SQLite,
//     through the store's own indexes on the expressions its statement uses
//     (sqliteIndexes, forget_direct.go): FerretDB's indexes of the same
//     fields are on another expression form, and FerretDB itself filters
//     on nothing but _id.
//
// MongoDB keeps them all: there every filter needs its index.
var notOnEmbedded = map[string][]bson.D{
	colInbox: {{{Key: "lane", Value: 1}}},
	colOutbox: {{{Key: "created_at", Value: 1}},
		{{Key: "msg.chat_id", Value: 1}, {Key: "seq", Value: 1}}, {{Key: "cause", Value: 1}}, {{Key: "msg.copy_of.chat_id", Value: 1}}},
	colOutboxPending: {{{Key: "msg.chat_id", Value: 1}}, {{Key: "cause", Value: 1}}, {{Key: "msg.copy_of.chat_id", Value: 1}}},
	colResults:       {{{Key: "at", Value: 1}}},
}

// keptIndexes leaves out of models those the store does not keep.
func (s *Store) keptIndexes(coll string, models []mongo.IndexModel) []mongo.IndexModel {
	if !s.Embedded {
		return models
	}
	var out []mongo.IndexModel
	for _, m := range models {
		keys, _ := m.Keys.(bson.D)
		if !slices.ContainsFunc(notOnEmbedded[coll], func(k bson.D) bool { return sameKeys(k, keys) }) {
			out = append(out, m)
		}
	}
	return out
}

// dropUnkeptIndexes drops, on the embedded store, the indexes it does not
// keep that an earlier version made.
func (s *Store) dropUnkeptIndexes(ctx context.Context) error {
	if !s.Embedded {
		return nil
	}
	for coll, unkept := range notOnEmbedded {
		cur, err := s.db.Collection(coll).Indexes().List(ctx)
		if err != nil {
			return fmt.Errorf("store: listing indexes of %s: %w", coll, err)
		}
		var have []struct {
			Name string `bson:"name"`
			Key  bson.D `bson:"key"`
		}
		if err := cur.All(ctx, &have); err != nil {
			return fmt.Errorf("store: listing indexes of %s: %w", coll, err)
		}
		for _, h := range have {
			if slices.ContainsFunc(unkept, func(k bson.D) bool { return sameKeys(k, h.Key) }) {
				err := s.db.Collection(coll).Indexes().DropOne(ctx, h.Name)
				var ce mongo.CommandError
				if errors.As(err, &ce) && ce.Code == 27 { // IndexNotFound: another process starting at the same time dropped it
					err = nil
				}
				if err != nil {
					return fmt.Errorf("store: dropping index %s of %s: %w", h.Name, coll, err)
				}
			}
		}
	}
	return nil
}

// EnsureIndexes creates the indexes of a collection that do not exist yet
// (compared by keys). Creating an index that exists is a no-op on MongoDB,
// but FerretDB 1.24 can drop the connection when asked to, so every domain
// package creates its indexes through this.
func EnsureIndexes(ctx context.Context, coll *mongo.Collection, want ...mongo.IndexModel) error {
	cur, err := coll.Indexes().List(ctx)
	var ce mongo.CommandError
	if errors.As(err, &ce) && ce.Code == 26 { // NamespaceNotFound: the collection does not exist yet
		cur, err = nil, nil
	}
	if err != nil {
		return fmt.Errorf("store: listing indexes of %s: %w", coll.Name(), err)
	}
	var have []struct {
		Key bson.D `bson:"key"`
	}
	if cur != nil {
		if err := cur.All(ctx, &have); err != nil {
			return fmt.Errorf("store: listing indexes of %s: %w", coll.Name(), err)
		}
	}
	var missing []mongo.IndexModel
	for _, m := range want {
		keys, _ := m.Keys.(bson.D)
		found := false
		for _, h := range have {
			found = found || sameKeys(h.Key, keys)
		}
		if !found {
			missing = append(missing, m)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if _, err := coll.Indexes().CreateMany(ctx, missing); err != nil {
		return fmt.Errorf("store: creating indexes on %s: %w", coll.Name(), err)
	}
	return nil
}

func sameKeys(a, b bson.D) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Key != b[i].Key || fmt.Sprint(a[i].Value) != fmt.Sprint(b[i].Value) {
			return false
		}
	}
	return true
}

func redactURI(uri string) string {
	opts := options.Client().ApplyURI(uri)
	if len(opts.Hosts) > 0 {
		return fmt.Sprintf("MongoDB at %v", opts.Hosts)
	}
	return "MongoDB"
}

// CollectionNames lists the database's collections (tests that prove
// erasure scan them all).
func (s *Store) CollectionNames(ctx context.Context) ([]string, error) {
	return s.db.ListCollectionNames(ctx, bson.D{})
}
