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
	// colOutboxPending holds a copy of each message not yet finished: the
	// sender's work queue, as small as the backlog. A restart reads it, not
	// the month of history in outbox.
	colOutboxPending = "outbox_pending"
)

// OutboxEntry is one message waiting to be sent, or sent. Its ID is chosen
// by whoever caused it (e.g. "u<update_id>.<n>" for a reply to an update), so
// persisting the same effect twice keeps one copy.
//
// The outbox is the history of messages (a month, swept): inserted once,
// its outcome inserted once into outbox_results under the same id. Beside
// it, outbox_pending holds a copy of each message until its outcome is
// recorded: that, not the history, is what a restart reads.
type OutboxEntry struct {
	ID string `bson:"_id"`
	// Seq orders the messages of one chat: they are sent in Seq order.
	Seq       int64         `bson:"seq"`
	Msg       chat.Outgoing `bson:"msg"`
	CreatedAt time.Time     `bson:"created_at"`
	// Cause is the lane whose update caused the message (a case card in the
	// operators' group caused by a person's message): erasing the person
	// erases it too.
	Cause string `bson:"cause,omitempty"`
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

// Enqueue persists messages to send and returns those that are now waiting
// to be sent: new ones, and ones already in the outbox without an outcome
// (a write of ours that landed although it reported an error, or a crash
// before the copy in outbox_pending was made). Messages already finished
// are not returned: enqueueing the same id again never sends it twice. The
// sender ignores ids it already holds, so returning a message twice is
// harmless.
func (s *Store) Enqueue(ctx context.Context, entries []OutboxEntry) ([]OutboxEntry, error) {
	if len(entries) == 0 {
		return nil, nil
	}
	docs := make([]any, len(entries))
	for i := range entries {
		prepareEntry(&entries[i])
		docs[i] = toDoc(entries[i])
	}
	if w := s.direct(); w != nil {
		waiting, err := s.enqueueDirect(ctx, w, entries)
		if !fallBack(err) {
			if err != nil {
				return nil, fmt.Errorf("store: queueing %d messages: %w", len(entries), err)
			}
			return waiting, nil
		}
	}
	_, err := s.db.Collection(colOutbox).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	dup, onlyDup := map[int]bool{}, true
	if err != nil {
		if dup, onlyDup = duplicateIndexes(err); !onlyDup {
			return nil, fmt.Errorf("store: queueing %d messages: %w", len(entries), err)
		}
	}
	var waiting []OutboxEntry
	var copies []any
	for i, e := range entries {
		if dup[i] {
			finished, err := s.finished(ctx, e.ID)
			if err != nil {
				return nil, err
			}
			if finished {
				continue
			}
		}
		waiting = append(waiting, e)
		copies = append(copies, docs[i])
	}
	if len(copies) > 0 {
		if _, err := s.db.Collection(colOutboxPending).InsertMany(ctx, copies, options.InsertMany().SetOrdered(false)); err != nil {
			if _, onlyDup := duplicateIndexes(err); !onlyDup {
				return nil, fmt.Errorf("store: queueing %d messages: %w", len(copies), err)
			}
		}
	}
	return waiting, nil
}

// prepareEntry gives a message about to be queued its order, status and
// date.
func prepareEntry(e *OutboxEntry) {
	if e.Seq == 0 {
		e.Seq = NextSeq()
	}
	e.Status = OutboxPending
	if e.CreatedAt.IsZero() {
		e.CreatedAt = time.Now().UTC()
	}
}

// finished reports whether a message has its outcome recorded.
func (s *Store) finished(ctx context.Context, id string) (bool, error) {
	err := s.db.Collection(colResults).FindOne(ctx, bson.D{{Key: "_id", Value: id}},
		options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: reading the outcome of %s: %w", id, err)
	}
	return true, nil
}

// PendingOutbox calls f with every message waiting to be sent, in no
// particular order (the sender orders each chat's messages by Seq). It
// reads the queue of pending copies through a cursor, so neither the month
// of history nor the whole backlog is held at once; a copy whose outcome is
// already recorded (its removal had not happened yet) is removed, not
// returned. Its cost follows the backlog, never the history.
func (s *Store) PendingOutbox(ctx context.Context, f func(OutboxEntry)) error {
	return s.PendingOutboxExcept(ctx, func(string) bool { return false }, f)
}

// PendingOutboxExcept is PendingOutbox for a caller that already knows
// some messages: those for which known(id) is true are skipped without
// looking up their outcome (a rescan by the running sender).
func (s *Store) PendingOutboxExcept(ctx context.Context, known func(id string) bool, f func(OutboxEntry)) error {
	cur, err := s.db.Collection(colOutboxPending).Find(ctx, bson.D{})
	if err != nil {
		return fmt.Errorf("store: reading the outbox: %w", err)
	}
	defer cur.Close(ctx)
	var stale []string
	for cur.Next(ctx) {
		var d outboxDoc
		if err := cur.Decode(&d); err != nil {
			return fmt.Errorf("store: reading the outbox: %w", err)
		}
		if known(d.ID) {
			continue
		}
		done, err := s.finished(ctx, d.ID)
		if err != nil {
			return err
		}
		if done {
			stale = append(stale, d.ID)
			continue
		}
		e := fromDoc(d)
		e.Status = OutboxPending
		f(e)
	}
	if err := cur.Err(); err != nil {
		return fmt.Errorf("store: reading the outbox: %w", err)
	}
	return s.DropPending(ctx, stale)
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
// outcome twice keeps the first. Take the messages off the pending queue
// afterwards with DropPending (it need not be at once: PendingOutbox skips
// messages whose outcome is recorded).
func (s *Store) FinishOutbox(ctx context.Context, results []OutboxResult) error {
	if len(results) == 0 {
		return nil
	}
	if w := s.direct(); w != nil {
		err := s.finishOutboxDirect(ctx, w, results, false)
		if !fallBack(err) {
			if err != nil {
				return fmt.Errorf("store: recording %d send outcomes: %w", len(results), err)
			}
			return nil
		}
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

// DropPending takes finished messages off the pending queue.
func (s *Store) DropPending(ctx context.Context, ids []string) error {
	if err := s.deleteByID(ctx, colOutboxPending, ids); err != nil {
		return fmt.Errorf("store: taking %d finished messages off the queue: %w", len(ids), err)
	}
	return nil
}

// deleteByID deletes documents by _id in one round trip, each delete an
// index lookup on every store (a `$in` filter would read the whole
// collection on the embedded store). On the embedded store this process
// opened the deletes go straight to SQLite (the direct writer), one
// transaction per 500 ids.
func (s *Store) deleteByID(ctx context.Context, coll string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	if w := s.direct(); w != nil {
		err := s.deleteDirect(ctx, w, coll, ids)
		if !fallBack(err) {
			return err
		}
	}
	models := make([]mongo.WriteModel, len(ids))
	for i, id := range ids {
		models[i] = mongo.NewDeleteOneModel().SetFilter(bson.D{{Key: "_id", Value: id}})
	}
	_, err := s.db.Collection(coll).BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
	return err
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

// SweepOutbox deletes messages and outcomes older than cutoff, in batches:
// no statement grows with the backlog, so a sweep of any size completes.
// On the embedded store it deletes rows in SQLite directly (5,000 a
// statement, see sqliteFiles.deleteBefore); elsewhere each batch reads the
// oldest documents first and deletes them by _id.
func (s *Store) SweepOutbox(ctx context.Context, cutoff time.Time) (int64, error) {
	n, err := s.sweep(ctx, colOutbox, "created_at", cutoff)
	if err != nil {
		return n, fmt.Errorf("store: sweeping the outbox: %w", err)
	}
	if _, err := s.sweep(ctx, colResults, "at", cutoff); err != nil {
		return n, fmt.Errorf("store: sweeping send outcomes: %w", err)
	}
	return n, nil
}

const sweepBatch = 1000

func (s *Store) sweep(ctx context.Context, coll, field string, cutoff time.Time) (int64, error) {
	if f := s.files(); f != nil {
		return f.deleteBefore(ctx, s.db.Name(), coll, field, cutoff, 5000)
	}
	var total int64
	for {
		cur, err := s.db.Collection(coll).Find(ctx,
			bson.D{{Key: field, Value: bson.D{{Key: "$lt", Value: cutoff}}}},
			options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}).SetLimit(sweepBatch))
		if err != nil {
			return total, err
		}
		var docs []struct {
			ID string `bson:"_id"`
		}
		if err := cur.All(ctx, &docs); err != nil {
			return total, err
		}
		ids := make([]string, len(docs))
		for i, d := range docs {
			ids[i] = d.ID
		}
		if err := s.deleteByID(ctx, coll, ids); err != nil {
			return total, err
		}
		total += int64(len(ids))
		if len(ids) < sweepBatch {
			return total, nil
		}
	}
}

// DeleteOutbox deletes sent messages that must leave no trace (ephemeral
// ones). Their outcomes, which hold no content, stay.
func (s *Store) DeleteOutbox(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	if err := s.deleteByID(ctx, colOutbox, ids); err != nil {
		return fmt.Errorf("store: deleting %d sent messages: %w", len(ids), err)
	}
	return nil
}

// OutboxForChat returns the messages to one chat still in the history, with
// their outcomes, in Seq order (tests and diagnosis; not on the hot path:
// on the embedded store it reads the whole history).
func (s *Store) OutboxForChat(ctx context.Context, chatID int64) ([]OutboxEntry, error) {
	cur, err := s.db.Collection(colOutbox).Find(ctx, bson.D{{Key: "msg.chat_id", Value: chatID}},
		options.Find().SetSort(bson.D{{Key: "seq", Value: 1}}).SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("store: reading the outbox of a chat: %w", err)
	}
	var ids []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &ids); err != nil {
		return nil, fmt.Errorf("store: reading the outbox of a chat: %w", err)
	}
	out := make([]OutboxEntry, 0, len(ids))
	for _, d := range ids {
		e, err := s.OutboxEntryByID(ctx, d.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, *e)
	}
	return out, nil
}
