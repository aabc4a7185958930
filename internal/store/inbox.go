package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

const (
	colInbox   = "inbox"
	colRuntime = "runtime"
	// watermarkID is the runtime document holding the inbox watermark.
	watermarkID = "inbox_watermark"
)

// InboxEntry is one Telegram update as received. Its _id is the update_id,
// so a second delivery of the same update is refused by the store itself.
//
// The inbox is append-only: entries are inserted and, after a week, swept;
// never updated. (On the embedded FerretDB an update or delete by _id scans
// the whole collection, while an insert is checked by the unique index.)
// Which entries are done is kept by a watermark instead: every update at or
// below it has had its effects persisted.
type InboxEntry struct {
	UpdateID int64 `bson:"_id"`
	// Lane is the ordering key: updates with the same lane are processed
	// one at a time, in update_id order.
	Lane string `bson:"lane"`
	// Raw is the update exactly as Telegram sent it.
	Raw        []byte    `bson:"raw"`
	ReceivedAt time.Time `bson:"received_at"`
}

// AddToInbox persists updates and returns those that were not there before.
// Only after it returns without error does an update count as received; a
// redelivered update (same update_id) is dropped here and has no effect.
func (s *Store) AddToInbox(ctx context.Context, entries []InboxEntry) ([]InboxEntry, error) {
	if len(entries) == 0 {
		return nil, nil
	}
	docs := make([]any, len(entries))
	for i := range entries {
		if entries[i].ReceivedAt.IsZero() {
			entries[i].ReceivedAt = time.Now().UTC()
		}
		docs[i] = entries[i]
	}
	_, err := s.db.Collection(colInbox).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err == nil {
		return entries, nil
	}
	dup, ok := duplicateIndexes(err)
	if !ok {
		return nil, fmt.Errorf("store: adding %d updates to the inbox: %w", len(entries), err)
	}
	fresh := entries[:0:0]
	for i, e := range entries {
		if !dup[i] {
			fresh = append(fresh, e)
		}
	}
	return fresh, nil
}

// duplicateIndexes returns which documents of an unordered insert failed as
// duplicates; ok is false when any other error happened.
func duplicateIndexes(err error) (map[int]bool, bool) {
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) || bwe.WriteConcernError != nil {
		return nil, false
	}
	dup := make(map[int]bool, len(bwe.WriteErrors))
	for _, we := range bwe.WriteErrors {
		if we.Code != 11000 {
			return nil, false
		}
		dup[we.Index] = true
	}
	return dup, true
}

// InboxAfter returns the updates above the watermark, in update_id order:
// what a restart must look at again. Some of them may have been applied
// already (the watermark is saved now and then); sessions tell which.
func (s *Store) InboxAfter(ctx context.Context, watermark int64) ([]InboxEntry, error) {
	cur, err := s.db.Collection(colInbox).Find(ctx,
		bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: watermark}}}},
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("store: reading unfinished updates: %w", err)
	}
	var out []InboxEntry
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("store: reading unfinished updates: %w", err)
	}
	return out, nil
}

// MaxInboxID returns the highest update_id ever received (0 if none), so
// polling can resume after it.
func (s *Store) MaxInboxID(ctx context.Context) (int64, error) {
	var e InboxEntry
	err := s.db.Collection(colInbox).FindOne(ctx, bson.D{},
		options.FindOne().SetSort(bson.D{{Key: "_id", Value: -1}}).SetProjection(bson.D{{Key: "_id", Value: 1}})).Decode(&e)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: reading the last update id: %w", err)
	}
	return e.UpdateID, nil
}

// Watermark returns the saved inbox watermark (0 when never saved).
func (s *Store) Watermark(ctx context.Context) (int64, error) {
	var doc struct {
		Value int64 `bson:"value"`
	}
	err := s.db.Collection(colRuntime).FindOne(ctx, bson.D{{Key: "_id", Value: watermarkID}}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: reading the inbox watermark: %w", err)
	}
	return doc.Value, nil
}

// SaveWatermark records that every update at or below v is done. Only one
// process writes it (the one that owns the lanes).
func (s *Store) SaveWatermark(ctx context.Context, v int64) error {
	_, err := s.db.Collection(colRuntime).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: watermarkID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "value", Value: v}, {Key: "at", Value: time.Now().UTC()}}}},
		options.UpdateOne().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("store: saving the inbox watermark: %w", err)
	}
	return nil
}

// SweepInbox deletes updates received before cutoff that are at or below
// the watermark. Telegram does not redeliver an update after 24 hours, so a
// week of ids is ample to refuse duplicates. (A sweeper, because FerretDB
// has no TTL indexes.)
func (s *Store) SweepInbox(ctx context.Context, cutoff time.Time, watermark int64) (int64, error) {
	res, err := s.db.Collection(colInbox).DeleteMany(ctx, bson.D{
		{Key: "_id", Value: bson.D{{Key: "$lte", Value: watermark}}},
		{Key: "received_at", Value: bson.D{{Key: "$lt", Value: cutoff}}},
	})
	if err != nil {
		return 0, fmt.Errorf("store: sweeping the inbox: %w", err)
	}
	return res.DeletedCount, nil
}
