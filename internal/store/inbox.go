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

const colInbox = "inbox"

// InboxEntry is one Telegram update as received. Its _id is the update_id,
// so a second delivery of the same update is refused by the store itself.
type InboxEntry struct {
	UpdateID int64 `bson:"_id"`
	// Lane is the ordering key: updates with the same lane are processed
	// one at a time, in update_id order.
	Lane string `bson:"lane"`
	// Raw is the update exactly as Telegram sent it.
	Raw        []byte    `bson:"raw"`
	Status     string    `bson:"status"`
	ReceivedAt time.Time `bson:"received_at"`
}

// Inbox statuses.
const (
	InboxPending = "pending"
	InboxDone    = "done"
)

// AddToInbox persists updates and returns those that were not there before.
// Only after it returns without error does an update count as received; a
// redelivered update (same update_id) is dropped here and has no effect.
func (s *Store) AddToInbox(ctx context.Context, entries []InboxEntry) ([]InboxEntry, error) {
	if len(entries) == 0 {
		return nil, nil
	}
	docs := make([]any, len(entries))
	for i := range entries {
		if entries[i].Status == "" {
			entries[i].Status = InboxPending
		}
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

// MarkInboxDone records that updates had all their effects persisted.
func (s *Store) MarkInboxDone(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := s.db.Collection(colInbox).UpdateMany(ctx,
		bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: InboxDone}}}})
	if err != nil {
		return fmt.Errorf("store: marking %d updates done: %w", len(ids), err)
	}
	return nil
}

// PendingInbox returns the updates received but not yet done, in update_id
// order: what a restart must process.
func (s *Store) PendingInbox(ctx context.Context) ([]InboxEntry, error) {
	cur, err := s.db.Collection(colInbox).Find(ctx,
		bson.D{{Key: "status", Value: InboxPending}},
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("store: reading pending updates: %w", err)
	}
	var out []InboxEntry
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("store: reading pending updates: %w", err)
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

// SweepInbox deletes done updates received before cutoff. Telegram does not
// redeliver an update after 24 hours, so a week of ids is ample to refuse
// duplicates. (A sweeper, because FerretDB has no TTL indexes.)
func (s *Store) SweepInbox(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := s.db.Collection(colInbox).DeleteMany(ctx, bson.D{
		{Key: "status", Value: InboxDone},
		{Key: "received_at", Value: bson.D{{Key: "$lt", Value: cutoff}}},
	})
	if err != nil {
		return 0, fmt.Errorf("store: sweeping the inbox: %w", err)
	}
	return res.DeletedCount, nil
}
