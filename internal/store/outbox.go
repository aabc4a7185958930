package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/prils-lazio/presidio/internal/chat"
)

const (
	colOutbox  = "outbox"
	colResults = "outbox_results"
)

// OutboxEntry is one message waiting to be sent, or sent. Its ID is chosen
// by whoever caused it (e.g. "u<update_id>.<n>" for a reply to an update), so
// persisting the same effect twice keeps one copy.
//
// Like the inbox, the outbox is append-only: a message is inserted once, its
// outcome is inserted once into outbox_results under the same id, and both
// are swept after a month. Nothing is updated in place, so the embedded
// FerretDB (whose updates by _id scan the collection) stays fast.
type OutboxEntry struct {
	ID string `bson:"_id"`
	// Seq orders the messages of one chat: they are sent in Seq order.
	Seq       int64         `bson:"seq"`
	Msg       chat.Outgoing `bson:"msg"`
	CreatedAt time.Time     `bson:"created_at"`
	// Status, TelegramID, Error and SentAt come from the outcome, when
	// there is one; Status is OutboxPending until then.
	Status     string    `bson:"-"`
	TelegramID int       `bson:"-"`
	Error      string    `bson:"-"`
	SentAt     time.Time `bson:"-"`
}

// Outbox statuses: pending until Telegram accepted it (sent), refused it for
// good (failed), or the person blocked the bot (blocked).
const (
	OutboxPending = "pending"
	OutboxSent    = "sent"
	OutboxFailed  = "failed"
	OutboxBlocked = "blocked"
)

// outboxDoc is how an entry is stored. FerretDB 1.24 refuses nested
// arrays, so button rows are flattened into one list with a row number.
type outboxDoc struct {
	OutboxEntry `bson:",inline"`
	Buttons     []flatButton `bson:"buttons,omitempty"`
	Keyboard    []flatButton `bson:"keyboard,omitempty"`
}

type flatButton struct {
	Row             int    `bson:"row"`
	Text            string `bson:"text"`
	Data            string `bson:"data,omitempty"`
	URL             string `bson:"url,omitempty"`
	RequestContact  bool   `bson:"request_contact,omitempty"`
	RequestLocation bool   `bson:"request_location,omitempty"`
}

func toDoc(e OutboxEntry) outboxDoc {
	d := outboxDoc{OutboxEntry: e}
	for i, row := range e.Msg.Buttons {
		for _, b := range row {
			d.Buttons = append(d.Buttons, flatButton{Row: i, Text: b.Text, Data: b.Data, URL: b.URL})
		}
	}
	for i, row := range e.Msg.Keyboard {
		for _, b := range row {
			d.Keyboard = append(d.Keyboard, flatButton{Row: i, Text: b.Text, RequestContact: b.RequestContact, RequestLocation: b.RequestLocation})
		}
	}
	return d
}

func fromDoc(d outboxDoc) OutboxEntry {
	e := d.OutboxEntry
	for _, b := range d.Buttons {
		for len(e.Msg.Buttons) <= b.Row {
			e.Msg.Buttons = append(e.Msg.Buttons, nil)
		}
		e.Msg.Buttons[b.Row] = append(e.Msg.Buttons[b.Row], chat.Button{Text: b.Text, Data: b.Data, URL: b.URL})
	}
	for _, b := range d.Keyboard {
		for len(e.Msg.Keyboard) <= b.Row {
			e.Msg.Keyboard = append(e.Msg.Keyboard, nil)
		}
		e.Msg.Keyboard[b.Row] = append(e.Msg.Keyboard[b.Row], chat.KeyboardButton{Text: b.Text, RequestContact: b.RequestContact, RequestLocation: b.RequestLocation})
	}
	return e
}

func decodeAll(ctx context.Context, cur *mongo.Cursor) ([]OutboxEntry, error) {
	var docs []outboxDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	out := make([]OutboxEntry, len(docs))
	for i, d := range docs {
		out[i] = fromDoc(d)
	}
	return out, nil
}

var seqClock struct {
	sync.Mutex
	last int64
}

// NextSeq returns a process-wide increasing number based on the clock, so
// messages queued later (also after a restart) sort after earlier ones.
func NextSeq() int64 {
	seqClock.Lock()
	defer seqClock.Unlock()
	n := time.Now().UnixNano()
	if n <= seqClock.last {
		n = seqClock.last + 1
	}
	seqClock.last = n
	return n
}

// Enqueue persists messages to send and returns those that were not in the
// outbox before. Entries whose ID is already there are left as they are
// (the effect was persisted before a crash, and the restart already handed
// it to the sender): only the returned ones are new work.
func (s *Store) Enqueue(ctx context.Context, entries []OutboxEntry) ([]OutboxEntry, error) {
	if len(entries) == 0 {
		return nil, nil
	}
	docs := make([]any, len(entries))
	now := time.Now().UTC()
	for i := range entries {
		if entries[i].Seq == 0 {
			entries[i].Seq = NextSeq()
		}
		entries[i].Status = OutboxPending
		if entries[i].CreatedAt.IsZero() {
			entries[i].CreatedAt = now
		}
		docs[i] = toDoc(entries[i])
	}
	_, err := s.db.Collection(colOutbox).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err == nil {
		return entries, nil
	}
	dup, onlyDup := duplicateIndexes(err)
	if !onlyDup {
		return nil, fmt.Errorf("store: queueing %d messages: %w", len(entries), err)
	}
	fresh := entries[:0:0]
	for i, e := range entries {
		if !dup[i] {
			fresh = append(fresh, e)
		}
	}
	return fresh, nil
}

// PendingOutbox returns the messages of the last week that have no outcome
// yet, in Seq order: what a restart must send. (Older ones would have been
// given up long ago.)
func (s *Store) PendingOutbox(ctx context.Context) ([]OutboxEntry, error) {
	since := time.Now().Add(-7 * 24 * time.Hour)
	cur, err := s.db.Collection(colOutbox).Find(ctx,
		bson.D{{Key: "created_at", Value: bson.D{{Key: "$gte", Value: since}}}},
		options.Find().SetSort(bson.D{{Key: "seq", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("store: reading the outbox: %w", err)
	}
	all, err := decodeAll(ctx, cur)
	if err != nil {
		return nil, fmt.Errorf("store: reading the outbox: %w", err)
	}
	done, err := s.db.Collection(colResults).Find(ctx,
		bson.D{{Key: "at", Value: bson.D{{Key: "$gte", Value: since}}}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("store: reading send outcomes: %w", err)
	}
	var ids []struct {
		ID string `bson:"_id"`
	}
	if err := done.All(ctx, &ids); err != nil {
		return nil, fmt.Errorf("store: reading send outcomes: %w", err)
	}
	finished := make(map[string]bool, len(ids))
	for _, d := range ids {
		finished[d.ID] = true
	}
	pending := all[:0]
	for _, e := range all {
		if !finished[e.ID] {
			pending = append(pending, e)
		}
	}
	return pending, nil
}

// OutboxResult is the outcome of one send attempt that ends a message's life.
type OutboxResult struct {
	ID         string    `bson:"_id"`
	Status     string    `bson:"status"`
	TelegramID int       `bson:"telegram_id,omitempty"`
	Error      string    `bson:"error,omitempty"`
	At         time.Time `bson:"at"`
}

// FinishOutbox records final outcomes in one round trip. Recording the same
// outcome twice keeps the first.
func (s *Store) FinishOutbox(ctx context.Context, results []OutboxResult) error {
	if len(results) == 0 {
		return nil
	}
	docs := make([]any, len(results))
	for i, r := range results {
		docs[i] = r
	}
	_, err := s.db.Collection(colResults).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err != nil {
		if _, onlyDup := duplicateIndexes(err); !onlyDup {
			return fmt.Errorf("store: recording %d send outcomes: %w", len(results), err)
		}
	}
	return nil
}

// OutboxEntryByID returns one entry with its outcome (tests and the console
// use it; it is not on the hot path).
func (s *Store) OutboxEntryByID(ctx context.Context, id string) (*OutboxEntry, error) {
	var d outboxDoc
	if err := s.db.Collection(colOutbox).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		if errors.Is(err, mongo.ErrNoDocuments) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("store: reading outbox entry %s: %w", id, err)
	}
	e := fromDoc(d)
	e.Status = OutboxPending
	var r OutboxResult
	err := s.db.Collection(colResults).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&r)
	switch {
	case err == nil:
		e.Status, e.TelegramID, e.Error, e.SentAt = r.Status, r.TelegramID, r.Error, r.At
	case !errors.Is(err, mongo.ErrNoDocuments):
		return nil, fmt.Errorf("store: reading the outcome of %s: %w", id, err)
	}
	return &e, nil
}

// SweepOutbox deletes messages and outcomes older than cutoff.
func (s *Store) SweepOutbox(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := s.db.Collection(colOutbox).DeleteMany(ctx, bson.D{
		{Key: "created_at", Value: bson.D{{Key: "$lt", Value: cutoff}}},
	})
	if err != nil {
		return 0, fmt.Errorf("store: sweeping the outbox: %w", err)
	}
	if _, err := s.db.Collection(colResults).DeleteMany(ctx, bson.D{
		{Key: "at", Value: bson.D{{Key: "$lt", Value: cutoff}}},
	}); err != nil {
		return 0, fmt.Errorf("store: sweeping send outcomes: %w", err)
	}
	return res.DeletedCount, nil
}

// DeleteOutbox deletes sent messages that must leave no trace (ephemeral
// ones). Their outcomes, which hold no content, stay.
func (s *Store) DeleteOutbox(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	if _, err := s.db.Collection(colOutbox).DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}); err != nil {
		return fmt.Errorf("store: deleting %d sent messages: %w", len(ids), err)
	}
	return nil
}
