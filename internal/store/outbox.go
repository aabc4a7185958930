package store

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/prils-lazio/presidio/internal/chat"
)

const colOutbox = "outbox"

// OutboxEntry is one message waiting to be sent, or sent. Its ID is chosen
// by whoever caused it (e.g. "u<update_id>.<n>" for a reply to an update), so
// persisting the same effect twice keeps one copy.
type OutboxEntry struct {
	ID string `bson:"_id"`
	// Seq orders the messages of one chat: they are sent in Seq order.
	Seq    int64         `bson:"seq"`
	Msg    chat.Outgoing `bson:"msg"`
	Status string        `bson:"status"`
	// TelegramID is the message_id Telegram gave the sent message.
	TelegramID int       `bson:"telegram_id,omitempty"`
	Error      string    `bson:"error,omitempty"`
	CreatedAt  time.Time `bson:"created_at"`
	SentAt     time.Time `bson:"sent_at,omitempty"`
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

// Enqueue persists messages to send. Entries whose ID is already in the
// outbox are left as they are (the effect was persisted before a crash).
func (s *Store) Enqueue(ctx context.Context, entries []OutboxEntry) error {
	if len(entries) == 0 {
		return nil
	}
	docs := make([]any, len(entries))
	now := time.Now().UTC()
	for i := range entries {
		if entries[i].Seq == 0 {
			entries[i].Seq = NextSeq()
		}
		entries[i].Status = OutboxPending
		entries[i].CreatedAt = now
		docs[i] = toDoc(entries[i])
	}
	_, err := s.db.Collection(colOutbox).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err != nil {
		if _, onlyDup := duplicateIndexes(err); !onlyDup {
			return fmt.Errorf("store: queueing %d messages: %w", len(entries), err)
		}
	}
	return nil
}

// PendingOutbox returns unsent messages in Seq order (for a restart).
func (s *Store) PendingOutbox(ctx context.Context) ([]OutboxEntry, error) {
	cur, err := s.db.Collection(colOutbox).Find(ctx,
		bson.D{{Key: "status", Value: OutboxPending}},
		options.Find().SetSort(bson.D{{Key: "seq", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("store: reading the outbox: %w", err)
	}
	out, err := decodeAll(ctx, cur)
	if err != nil {
		return nil, fmt.Errorf("store: reading the outbox: %w", err)
	}
	return out, nil
}

// OutboxResult is the outcome of one send attempt that ends a message's life.
type OutboxResult struct {
	ID         string
	Status     string
	TelegramID int
	Error      string
	At         time.Time
}

// FinishOutbox records final outcomes in one round trip.
func (s *Store) FinishOutbox(ctx context.Context, results []OutboxResult) error {
	if len(results) == 0 {
		return nil
	}
	models := make([]mongo.WriteModel, len(results))
	for i, r := range results {
		set := bson.D{{Key: "status", Value: r.Status}, {Key: "sent_at", Value: r.At}}
		if r.TelegramID != 0 {
			set = append(set, bson.E{Key: "telegram_id", Value: r.TelegramID})
		}
		if r.Error != "" {
			set = append(set, bson.E{Key: "error", Value: r.Error})
		}
		models[i] = mongo.NewUpdateOneModel().
			SetFilter(bson.D{{Key: "_id", Value: r.ID}}).
			SetUpdate(bson.D{{Key: "$set", Value: set}})
	}
	_, err := s.db.Collection(colOutbox).BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
	if err != nil {
		return fmt.Errorf("store: recording %d send outcomes: %w", len(results), err)
	}
	return nil
}

// OutboxEntryByID returns one entry (tests and the console use it).
func (s *Store) OutboxEntryByID(ctx context.Context, id string) (*OutboxEntry, error) {
	var d outboxDoc
	if err := s.db.Collection(colOutbox).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		if err == mongo.ErrNoDocuments {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("store: reading outbox entry %s: %w", id, err)
	}
	e := fromDoc(d)
	return &e, nil
}

// SweepOutbox deletes messages that ended (sent, failed, blocked) before
// cutoff.
func (s *Store) SweepOutbox(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := s.db.Collection(colOutbox).DeleteMany(ctx, bson.D{
		{Key: "status", Value: bson.D{{Key: "$ne", Value: OutboxPending}}},
		{Key: "created_at", Value: bson.D{{Key: "$lt", Value: cutoff}}},
	})
	if err != nil {
		return 0, fmt.Errorf("store: sweeping the outbox: %w", err)
	}
	return res.DeletedCount, nil
}
