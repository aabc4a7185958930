package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// colSignals holds one small document per signal, read by _id.
const colSignals = "signals"

// outboxSignalID names the signal "a process that is not the active one
// queued messages" (a console action in a standby process).
const outboxSignalID = "outbox"

// SignalOutbox tells the active process that messages were queued by
// another process: it changes one document, which the active process
// reads by _id every few seconds (OutboxSignal) and, when it changed,
// reads the pending queue again. A process that is not sending uses it
// after Enqueue; nothing else is needed, and nothing depends on the
// signal but the delay (the next start reads the queue anyway).
func (s *Store) SignalOutbox(ctx context.Context) error {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	_, err := s.db.Collection(colSignals).UpdateOne(ctx, bson.D{{Key: "_id", Value: outboxSignalID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "value", Value: hex.EncodeToString(b)}, {Key: "at", Value: time.Now().UTC()}}}},
		options.UpdateOne().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("store: signalling queued messages: %w", err)
	}
	return nil
}

// OutboxSignal returns the current value of the outbox signal ("" when
// never signalled). One read by _id.
func (s *Store) OutboxSignal(ctx context.Context) (string, error) {
	var d struct {
		Value string `bson:"value"`
	}
	err := s.db.Collection(colSignals).FindOne(ctx, bson.D{{Key: "_id", Value: outboxSignalID}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: reading the outbox signal: %w", err)
	}
	return d.Value, nil
}
