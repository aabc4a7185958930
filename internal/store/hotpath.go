package store

import (
	"context"
	"database/sql"
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
		for _, d := range docs {
			if _, err := t.insert(colInbox, d); err != nil {
				return err
			}
		}
		return nil
	})
}

// enqueueDirect is Enqueue on the direct path: the messages, and the
// pending copies of those without an outcome, in one transaction.
func (s *Store) enqueueDirect(ctx context.Context, w *directWriter, entries []OutboxEntry) ([]OutboxEntry, error) {
	docs := make([]outboxDoc, len(entries))
	for i, e := range entries {
		docs[i] = toDoc(e)
	}
	rows, err := encodeAll(docs)
	if err != nil {
		return nil, err
	}
	var waiting []OutboxEntry
	err = s.inDirect(ctx, w, "direct_enqueue", func(t *directTx) error {
		waiting = waiting[:0]
		for i, e := range entries {
			inserted, err := t.insert(colOutbox, rows[i])
			if err != nil {
				return err
			}
			if !inserted {
				finished, err := t.exists(colResults, e.ID)
				if err != nil {
					return err
				}
				if finished {
					continue
				}
			}
			if _, err := t.insert(colOutboxPending, rows[i]); err != nil {
				return err
			}
			waiting = append(waiting, e)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return waiting, nil
}

// finishOutboxDirect is FinishOutbox on the direct path.
func (s *Store) finishOutboxDirect(ctx context.Context, w *directWriter, results []OutboxResult) error {
	rows, err := encodeAll(results)
	if err != nil {
		return err
	}
	return s.inDirect(ctx, w, "direct_outcomes", func(t *directTx) error {
		for _, r := range rows {
			if _, err := t.insert(colResults, r); err != nil {
				return err
			}
		}
		return nil
	})
}

// saveSessionsDirect is SaveSessions' write on the direct path: each
// session replaced whole by the fields its lane owns, keeping "blocked"
// (the sender's, SetBlocked) as the stored document has it, read in the
// same transaction, so neither writer undoes the other.
func (s *Store) saveSessionsDirect(ctx context.Context, w *directWriter, list []*Session) error {
	type row struct {
		coll, lane string
		fields     bson.D
	}
	rows := make([]row, len(list))
	for i, sess := range list {
		rows[i] = row{coll: s.sessions(sess.Lane).Name(), lane: sess.Lane,
			fields: append(bson.D{{Key: "_id", Value: sess.Lane}}, sessionFields(sess)...)}
	}
	plain, err := encodeAll(fieldsOf(rows, func(r row) bson.D { return r.fields }))
	if err != nil {
		return err
	}
	return s.inDirect(ctx, w, "direct_sessions", func(t *directTx) error {
		for i, r := range rows {
			blocked, err := t.blocked(r.coll, r.lane)
			if err != nil {
				return err
			}
			doc := plain[i]
			if blocked {
				withBlocked, err := encodeAll([]bson.D{append(r.fields, bson.E{Key: "blocked", Value: true})})
				if err != nil {
					return err
				}
				doc = withBlocked[0]
			}
			if err := t.replace(r.coll, r.lane, doc); err != nil {
				return err
			}
		}
		return nil
	})
}

func fieldsOf[R any](rows []R, f func(R) bson.D) []bson.D {
	out := make([]bson.D, len(rows))
	for i, r := range rows {
		out[i] = f(r)
	}
	return out
}

// blocked reads a session's "blocked" flag as stored (false when there is
// no session or no flag).
func (t *directTx) blocked(collection, lane string) (bool, error) {
	table, err := t.table(collection)
	if err != nil {
		return false, err
	}
	st, err := t.stmt(fmt.Sprintf(`SELECT coalesce(_ferretdb_sjson->>'$.blocked', 0) FROM %q WHERE _ferretdb_sjson->'$._id' = ?`, table))
	if err != nil {
		return false, err
	}
	var v int
	err = st.QueryRowContext(t.ctx, sjsonID(lane)).Scan(&v)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("reading session %s: %w", lane, err)
	}
	return v == 1, nil
}
