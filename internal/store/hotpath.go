package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// The hot path's writes on the embedded store this process opened go
// straight to SQLite (directWriter, sqlitewrite.go); everywhere else, and
// whenever the direct writer cannot (a collection without its table yet, a
// value it does not encode), they go through the driver. Both write the
// same documents: the rest of the code, and every reader, cannot tell.

// direct returns the direct writer, or nil when writes go through the
// driver (MongoDB, or a client of another process's embedded store).
func (s *Store) direct() *directWriter {
	if f := s.files(); f != nil {
		return f.direct
	}
	return nil
}

// inDirect runs f as one transaction of the direct writer. It counts as one
// store command (Commands) and its duration is reported as operation op.
func (s *Store) inDirect(ctx context.Context, w *directWriter, op string, f func(*directTx) error) error {
	start := time.Now()
	s.commands.Add(1)
	err := w.tx(ctx, s.db.Name(), f)
	s.observe(op, time.Since(start))
	return err
}

// fallBack reports whether a direct write's error means "write through the
// driver instead" (nothing was written).
func fallBack(err error) bool {
	return errors.Is(err, errNoTable) || errors.Is(err, errNotSJSON)
}

// encodeAll turns documents into FerretDB's row format before a transaction
// begins, so the write lock is held only for the writes.
func encodeAll[T any](docs []T) ([][]byte, error) {
	out := make([][]byte, len(docs))
	for i, d := range docs {
		raw, err := bson.Marshal(d)
		if err != nil {
			return nil, err
		}
		if out[i], err = sjsonDocument(raw); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// addToInboxDirect is AddToInbox's write on the direct path.
func (s *Store) addToInboxDirect(ctx context.Context, w *directWriter, entries []InboxEntry) error {
	docs, err := encodeAll(entries)
	if err != nil {
		return err
	}
	return s.inDirect(ctx, w, "direct_inbox", func(t *directTx) error {
		_, err := t.insertMany(colInbox, docs)
		return err
	})
}

// enqueueDirect is Enqueue on the direct path: the messages, and the
// pending copies of those without an outcome, in one transaction.
func (s *Store) enqueueDirect(ctx context.Context, w *directWriter, entries []OutboxEntry) ([]OutboxEntry, error) {
	rows, err := encodeOutbox(entries)
	if err != nil {
		return nil, err
	}
	var waiting []OutboxEntry
	err = s.inDirect(ctx, w, "direct_enqueue", func(t *directTx) error {
		waiting, err = t.enqueue(entries, rows)
		return err
	})
	return waiting, err
}

func encodeOutbox(entries []OutboxEntry) ([][]byte, error) {
	docs := make([]outboxDoc, len(entries))
	for i, e := range entries {
		docs[i] = toDoc(e)
	}
	return encodeAll(docs)
}

// enqueue inserts messages (rows: their encoded documents) and the pending
// copies of those without an outcome, and returns those now waiting. When
// every message is new (the usual case) that is two statements; when some
// were there already, each message's outcome is looked up.
func (t *directTx) enqueue(entries []OutboxEntry, rows [][]byte) ([]OutboxEntry, error) {
	allNew, err := t.insertMany(colOutbox, rows)
	if err != nil {
		return nil, err
	}
	waiting, copies := entries, rows
	if !allNew {
		waiting, copies = nil, nil
		for i, e := range entries {
			finished, err := t.exists(colResults, e.ID)
			if err != nil {
				return nil, err
			}
			if !finished {
				waiting, copies = append(waiting, e), append(copies, rows[i])
			}
		}
	}
	if _, err := t.insertMany(colOutboxPending, copies); err != nil {
		return nil, err
	}
	return waiting, nil
}

// finishOutboxDirect is FinishOutbox on the direct path; with drop, the
// messages' pending copies go in the same transaction.
func (s *Store) finishOutboxDirect(ctx context.Context, w *directWriter, results []OutboxResult, drop bool) error {
	rows, err := encodeAll(results)
	if err != nil {
		return err
	}
	return s.inDirect(ctx, w, "direct_outcomes", func(t *directTx) error {
		if _, err := t.insertMany(colResults, rows); err != nil {
			return err
		}
		if !drop {
			return nil
		}
		ids := make([]string, len(results))
		for i, r := range results {
			ids[i] = r.ID
		}
		return t.deleteMany(colOutboxPending, ids)
	})
}

// saveSessionsDirect is SaveSessions' write on the direct path.
func (s *Store) saveSessionsDirect(ctx context.Context, w *directWriter, list []*Session) error {
	rows, err := s.encodeSessions(list)
	if err != nil {
		return err
	}
	return s.inDirect(ctx, w, "direct_sessions", func(t *directTx) error { return t.saveSessions(rows) })
}

// sessionRow is a session ready for the direct writer: its document, and
// the same with "blocked" set.
type sessionRow struct {
	coll, lane   string
	doc, blocked []byte
}

func (s *Store) encodeSessions(list []*Session) ([]sessionRow, error) {
	rows := make([]sessionRow, len(list))
	docs := make([]bson.D, 0, 2*len(list))
	for i, sess := range list {
		rows[i] = sessionRow{coll: s.sessions(sess.Lane).Name(), lane: sess.Lane}
		fields := append(bson.D{{Key: "_id", Value: sess.Lane}}, sessionFields(sess)...)
		docs = append(docs, fields, append(fields[:len(fields):len(fields)], bson.E{Key: "blocked", Value: true}))
	}
	encoded, err := encodeAll(docs)
	if err != nil {
		return nil, err
	}
	for i := range rows {
		rows[i].doc, rows[i].blocked = encoded[2*i], encoded[2*i+1]
	}
	return rows, nil
}

// saveSessions replaces each session whole by the fields its lane owns,
// keeping "blocked" (the sender's, SetBlocked) as the stored document has
// it, in the same statement, so neither writer undoes the other.
func (t *directTx) saveSessions(rows []sessionRow) error {
	for _, r := range rows {
		table, err := t.table(r.coll)
		if err != nil {
			return err
		}
		st, err := t.stmt(fmt.Sprintf(`UPDATE %q SET _ferretdb_sjson = CASE WHEN _ferretdb_sjson->>'$.blocked' THEN ?2 ELSE ?1 END WHERE _ferretdb_sjson->'$._id' = ?3`, table))
		if err != nil {
			return err
		}
		res, err := st.ExecContext(t.ctx, string(r.doc), string(r.blocked), sjsonID(r.lane))
		if err != nil {
			return fmt.Errorf("saving session %s: %w", r.lane, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			if _, err := t.insert(r.coll, r.doc); err != nil {
				return err
			}
		}
	}
	return nil
}

func fieldsOf[R any](rows []R, f func(R) bson.D) []bson.D {
	out := make([]bson.D, len(rows))
	for i, r := range rows {
		out[i] = f(r)
	}
	return out
}

// delete removes the document with this string _id, if there is one.
func (t *directTx) delete(collection, id string) error {
	table, err := t.table(collection)
	if err != nil {
		return err
	}
	st, err := t.stmt(fmt.Sprintf(`DELETE FROM %q WHERE _ferretdb_sjson->'$._id' = ?`, table))
	if err != nil {
		return err
	}
	if _, err := st.ExecContext(t.ctx, sjsonID(id)); err != nil {
		return fmt.Errorf("deleting from %s: %w", collection, err)
	}
	return nil
}

// deleteDirect deletes documents by _id on the direct path, 500 per
// transaction. A collection without a table has nothing to delete.
func (s *Store) deleteDirect(ctx context.Context, w *directWriter, coll string, ids []string) error {
	for len(ids) > 0 {
		n := min(len(ids), 500)
		err := s.inDirect(ctx, w, "direct_delete", func(t *directTx) error { return t.deleteMany(coll, ids[:n]) })
		if errors.Is(err, errNoTable) {
			return nil
		}
		if err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}
