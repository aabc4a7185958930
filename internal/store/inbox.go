package store

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

const (
	// colInbox holds the updates received and not yet done: it is a work
	// queue, not a history, so it stays as small as the backlog.
	colInbox = "pending_updates"
	// colSetAside holds updates that failed again and again (a "poison"
	// update): kept for a coordinator to look at, never retried by itself.
	colSetAside = "updates_set_aside"
)

// InboxEntry is one Telegram update as received and not yet done.
//
// Its key is the update_id together with a fingerprint of the update's
// bytes: Telegram's update ids are identifiers, not a clock (after a week
// without updates the next id is chosen at random and may be lower than
// every id seen; an emulator restarts them at 1), so the id alone cannot
// tell a redelivery from a new update. A redelivery has the same bytes,
// hence the same key, and is stored once.
type InboxEntry struct {
	Key      string `bson:"_id"`
	UpdateID int64  `bson:"update_id"`
	// Lane is the ordering key: updates with the same lane are processed
	// one at a time, in arrival order.
	Lane string `bson:"lane"`
	// Seq is the arrival order (NextSeq when received).
	Seq int64 `bson:"seq"`
	// Raw is the update exactly as Telegram sent it.
	Raw        []byte    `bson:"raw"`
	ReceivedAt time.Time `bson:"received_at"`
}

// NewInboxEntry makes the entry of a received update.
func NewInboxEntry(updateID int64, lane string, raw []byte) InboxEntry {
	return InboxEntry{
		Key: fmt.Sprintf("%d-%016x", updateID, uint64(Fingerprint(raw))), UpdateID: updateID,
		Lane: lane, Seq: NextSeq(), Raw: raw, ReceivedAt: time.Now().UTC(),
	}
}

// Fingerprint identifies an update by its bytes (FNV-1a, 64 bits).
func Fingerprint(raw []byte) int64 {
	h := fnv.New64a()
	h.Write(raw)
	return int64(h.Sum64())
}

// AddToInbox persists received updates, durably (Durable). Only after it
// returns without error do they count as received. An update already there (a redelivery, or a
// write of ours that landed although the call reported an error) is not
// an error: it is pending either way, and the session of its lane tells a
// repeat from new work when it is processed.
func (s *Store) AddToInbox(ctx context.Context, entries []InboxEntry) error {
	if len(entries) == 0 {
		return nil
	}
	docs := make([]any, len(entries))
	for i := range entries {
		if entries[i].ReceivedAt.IsZero() {
			entries[i].ReceivedAt = time.Now().UTC()
		}
		docs[i] = entries[i]
	}
	var err error = errNoTable
	if w := s.direct(); w != nil {
		err = s.addToInboxDirect(ctx, w, entries)
	}
	if fallBack(err) {
		_, err = s.db.Collection(colInbox).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	}
	if err != nil {
		if _, onlyDup := duplicateIndexes(err); !onlyDup {
			return fmt.Errorf("store: adding %d updates to the inbox: %w", len(entries), err)
		}
	}
	// The caller confirms receipt to Telegram next: that must survive a
	// power cut too (durable.go).
	return s.Durable(ctx)
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

// PendingInbox returns up to limit pending updates, oldest first as far as
// the store keeps insertion order, skipping none: entries the caller
// already holds come back too. Its cost is bounded by limit, whatever the
// size of the backlog, so a large backlog is read a page at a time as it
// is worked off.
func (s *Store) PendingInbox(ctx context.Context, limit int) ([]InboxEntry, error) {
	cur, err := s.db.Collection(colInbox).Find(ctx, bson.D{}, options.Find().SetLimit(int64(limit)))
	if err != nil {
		return nil, fmt.Errorf("store: reading pending updates: %w", err)
	}
	var out []InboxEntry
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("store: reading pending updates: %w", err)
	}
	return out, nil
}

// DoneInbox removes updates whose effects are persisted, in one round trip.
// Each delete is by _id (an index lookup on every store).
func (s *Store) DoneInbox(ctx context.Context, keys []string) error {
	if err := s.deleteByID(ctx, colInbox, keys); err != nil {
		return fmt.Errorf("store: removing %d done updates: %w", len(keys), err)
	}
	return nil
}

// SetAsideEntry is an update that could not be processed after many tries.
type SetAsideEntry struct {
	InboxEntry `bson:",inline"`
	Reason     string    `bson:"reason"`
	SetAsideAt time.Time `bson:"set_aside_at"`
}

// SetAside moves an update out of the work queue into updates_set_aside,
// with the reason, so that it no longer holds up its lane. (Copy first,
// then delete: a crash in between leaves it in both, and setting it aside
// again keeps one copy.)
func (s *Store) SetAside(ctx context.Context, e InboxEntry, reason string) error {
	doc := SetAsideEntry{InboxEntry: e, Reason: reason, SetAsideAt: time.Now().UTC()}
	if _, err := s.db.Collection(colSetAside).InsertOne(ctx, doc); err != nil && !IsDuplicate(err) {
		return fmt.Errorf("store: setting an update aside: %w", err)
	}
	return s.DoneInbox(ctx, []string{e.Key})
}

// SetAsideUpdates lists the updates set aside, newest first, without their
// content (it holds what people wrote).
func (s *Store) SetAsideUpdates(ctx context.Context, limit int) ([]SetAsideEntry, error) {
	cur, err := s.db.Collection(colSetAside).Find(ctx, bson.D{},
		options.Find().SetProjection(bson.D{{Key: "raw", Value: 0}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, fmt.Errorf("store: listing updates set aside: %w", err)
	}
	var out []SetAsideEntry
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("store: listing updates set aside: %w", err)
	}
	return out, nil
}
