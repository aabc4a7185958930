package store

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// IndexNewCollections gives collections created since the last call the
// embedded store's _id lookup index (see sqliteFiles). Open calls it, and
// the store repeats it every maintainEvery, so a collection a domain
// package creates later is indexed within that time; callers that create
// collections in bulk may call it at once. On MongoDB it does nothing.
func (s *Store) IndexNewCollections(ctx context.Context) error {
	f := s.files()
	if f == nil {
		return nil
	}
	if err := f.ensureIDIndexes(ctx); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// Reclaim gives the space of deleted documents back to the file system and
// empties the write-ahead log, so that what was deleted (swept history, an
// erased person) is no longer in any file of the data folder. Call it after
// sweeps and erasures, off the hot path. On MongoDB it does nothing: there
// the storage engine reuses space itself (and `compact` is an operator's
// choice).
func (s *Store) Reclaim(ctx context.Context) error {
	f := s.files()
	if f == nil {
		return nil
	}
	if err := f.reclaim(ctx); err != nil {
		return fmt.Errorf("store: reclaiming space: %w", err)
	}
	return nil
}

// syncEvery bounds what a power cut can undo of the writes no barrier
// covers (durable.go).
const syncEvery = time.Second

// maintainEvery is how often the embedded store's new collections are
// indexed.
const maintainEvery = 20 * time.Second

func (s *Store) maintain(ctx context.Context, log *slog.Logger) {
	defer close(s.maintainDone)
	t := time.NewTicker(maintainEvery)
	defer t.Stop()
	sync := time.NewTicker(syncEvery)
	defer sync.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-sync.C:
			if s.files() != nil { // this process serves the files
				if err := s.Durable(ctx); err != nil && ctx.Err() == nil {
					log.Warn("store: syncing to disk failed; will retry", "error", err)
				}
			}
		case <-t.C:
			c, cancel := context.WithTimeout(ctx, time.Minute)
			if err := s.IndexNewCollections(c); err != nil && ctx.Err() == nil {
				log.Warn("store maintenance failed; will retry", "error", err)
			}
			cancel()
		}
	}
}

// files returns the SQLite files this process serves: its own embedded
// store's, or, for a process that reached another's store through its
// socket, the files it adopted when that process let the folder go
// (adopt.go). It is nil on MongoDB and for a client that adopted nothing
// (the serving process does the upkeep).
func (s *Store) files() *sqliteFiles {
	if s.embedded != nil {
		return s.embedded.files
	}
	return s.adopter.files()
}
