package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// layoutVersion is the version of the runtime collections' layout: 2 is
// the pending queues (pending_updates, outbox_pending).
const layoutVersion = 2

// migrate brings a store written by an older Presidio to layoutVersion.
func (s *Store) migrate(ctx context.Context, log *slog.Logger) error {
	var doc struct {
		Version int `bson:"version"`
	}
	err := s.db.Collection("runtime").FindOne(ctx, bson.D{{Key: "_id", Value: "layout"}}).Decode(&doc)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return fmt.Errorf("store: reading the layout version: %w", err)
	}
	if doc.Version >= layoutVersion {
		return nil
	}
	if err := s.migrateInbox(ctx, log); err != nil {
		return err
	}
	if err := s.migrateOutbox(ctx, log); err != nil {
		return err
	}
	_, err = s.db.Collection("runtime").UpdateOne(ctx, bson.D{{Key: "_id", Value: "layout"}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "version", Value: layoutVersion}}}}, options.UpdateOne().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("store: saving the layout version: %w", err)
	}
	return nil
}

// migrateOutbox copies the messages of the last week without an outcome
// into outbox_pending (the first layout found them by reading the whole
// outbox at every start).
func (s *Store) migrateOutbox(ctx context.Context, log *slog.Logger) error {
	since := time.Now().Add(-7 * 24 * time.Hour)
	cur, err := s.db.Collection(colOutbox).Find(ctx, bson.D{{Key: "created_at", Value: bson.D{{Key: "$gte", Value: since}}}})
	if err != nil {
		return fmt.Errorf("store: reading the outbox to migrate: %w", err)
	}
	var docs []outboxDoc
	if err := cur.All(ctx, &docs); err != nil {
		return fmt.Errorf("store: reading the outbox to migrate: %w", err)
	}
	var copies []any
	for _, d := range docs {
		done, err := s.finished(ctx, d.ID)
		if err != nil {
			return err
		}
		if !done {
			copies = append(copies, d)
		}
	}
	if len(copies) == 0 {
		return nil
	}
	if _, err := s.db.Collection(colOutboxPending).InsertMany(ctx, copies, options.InsertMany().SetOrdered(false)); err != nil {
		if _, onlyDup := duplicateIndexes(err); !onlyDup {
			return fmt.Errorf("store: migrating pending messages: %w", err)
		}
	}
	log.Info("store: moved pending messages to the new outbox layout", "messages", len(copies))
	return nil
}

// migrateInbox moves the updates that the first inbox layout (collection
// "inbox", keyed by update_id, with a watermark in "runtime") had not
// finished into pending_updates, then drops the old collection. Done once;
// a crash midway repeats it harmlessly (inserts of the same keys).
func (s *Store) migrateInbox(ctx context.Context, log *slog.Logger) error {
	names, err := s.db.ListCollectionNames(ctx, bson.D{{Key: "name", Value: "inbox"}})
	if err != nil {
		return fmt.Errorf("store: looking for the old inbox: %w", err)
	}
	if !slices.Contains(names, "inbox") {
		return nil
	}
	var mark struct {
		Value int64 `bson:"value"`
	}
	err = s.db.Collection("runtime").FindOne(ctx, bson.D{{Key: "_id", Value: "inbox_watermark"}}).Decode(&mark)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return fmt.Errorf("store: reading the old inbox watermark: %w", err)
	}
	cur, err := s.db.Collection("inbox").Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: mark.Value}}}})
	if err != nil {
		return fmt.Errorf("store: reading the old inbox: %w", err)
	}
	var old []struct {
		UpdateID int64  `bson:"_id"`
		Lane     string `bson:"lane"`
		Raw      []byte `bson:"raw"`
	}
	if err := cur.All(ctx, &old); err != nil {
		return fmt.Errorf("store: reading the old inbox: %w", err)
	}
	slices.SortFunc(old, func(a, b struct {
		UpdateID int64  `bson:"_id"`
		Lane     string `bson:"lane"`
		Raw      []byte `bson:"raw"`
	}) int {
		return int(a.UpdateID - b.UpdateID)
	})
	entries := make([]InboxEntry, len(old))
	for i, o := range old {
		entries[i] = NewInboxEntry(o.UpdateID, o.Lane, o.Raw)
	}
	if err := s.AddToInbox(ctx, entries); err != nil {
		return err
	}
	if err := s.db.Collection("inbox").Drop(ctx); err != nil {
		return fmt.Errorf("store: dropping the old inbox: %w", err)
	}
	_, _ = s.db.Collection("runtime").DeleteOne(ctx, bson.D{{Key: "_id", Value: "inbox_watermark"}})
	log.Info("store: moved unfinished updates to the new inbox layout", "updates", len(entries))
	return nil
}
