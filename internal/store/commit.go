package store

import (
	"context"
	"fmt"
)

// CommitUpdates persists what a batch of updates did: the messages they
// queued (as Enqueue), then their lanes' sessions (as SaveSessions), and
// returns the messages now waiting to be sent. On the embedded store this
// process opened it is one transaction, which also takes the updates
// (done, their inbox keys) off the inbox: removed is then true. Otherwise
// the writes are separate commands in that order, and the caller takes
// the updates off the inbox afterwards (DoneInbox).
//
// An error means nothing can be assumed written: the caller repeats the
// whole commit (messages are idempotent by id, sessions by their applied
// list).
func (s *Store) CommitUpdates(ctx context.Context, entries []OutboxEntry, sessions []*Session, done []string) (waiting []OutboxEntry, removed bool, err error) {
	if w := s.direct(); w != nil {
		waiting, err := s.commitDirect(ctx, w, entries, sessions, done)
		if !fallBack(err) {
			if err != nil {
				return nil, false, fmt.Errorf("store: committing %d updates: %w", len(done), err)
			}
			return waiting, true, nil
		}
	}
	if waiting, err = s.Enqueue(ctx, entries); err != nil {
		return nil, false, err
	}
	if err := s.SaveSessions(ctx, sessions); err != nil {
		return nil, false, err
	}
	return waiting, false, nil
}

func (s *Store) commitDirect(ctx context.Context, w *directWriter, entries []OutboxEntry, sessions []*Session, done []string) ([]OutboxEntry, error) {
	for i := range entries {
		prepareEntry(&entries[i])
	}
	rows, err := encodeOutbox(entries)
	if err != nil {
		return nil, err
	}
	if err := s.saveReach(ctx, sessions); err != nil {
		return nil, err
	}
	stampSessions(sessions)
	sessRows, err := s.encodeSessions(sessions)
	if err != nil {
		return nil, err
	}
	var waiting []OutboxEntry
	err = s.inDirect(ctx, w, "direct_commit", func(t *directTx) error {
		if waiting, err = t.enqueue(entries, rows); err != nil {
			return err
		}
		if err := t.saveSessions(sessRows); err != nil {
			return err
		}
		for _, key := range done {
			if err := t.delete(colInbox, key); err != nil {
				return err
			}
		}
		return nil
	})
	return waiting, err
}

// RecordOutcomes records final outcomes (as FinishOutbox). On the embedded
// store this process opened it also takes the messages off the pending
// queue in the same transaction, and dropped is true; otherwise the caller
// does that afterwards (DropPending).
func (s *Store) RecordOutcomes(ctx context.Context, results []OutboxResult) (dropped bool, err error) {
	if len(results) == 0 {
		return true, nil
	}
	if w := s.direct(); w != nil {
		err := s.finishOutboxDirect(ctx, w, results, true)
		if !fallBack(err) {
			if err != nil {
				return false, fmt.Errorf("store: recording %d send outcomes: %w", len(results), err)
			}
			return true, nil
		}
	}
	return false, s.FinishOutbox(ctx, results)
}
