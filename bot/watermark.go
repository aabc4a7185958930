package bot

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prils-lazio/presidio/internal/store"
)

// watermark tracks which received updates are finished and saves, now and
// then, the highest update_id at or below which all are: the inbox is
// append-only, so this one number is how a restart knows where to resume.
// Saving it late is harmless (a restart looks at a few finished updates
// again and their sessions say they were applied); saving it early would
// lose updates, which the in-flight set prevents.
type watermark struct {
	store *store.Store
	log   *slog.Logger

	mu       sync.Mutex
	inflight map[int64]struct{}
	maxSeen  int64
	saved    int64

	quit chan struct{}
	exit chan struct{}
}

func newWatermark(st *store.Store, log *slog.Logger, saved int64) *watermark {
	return &watermark{store: st, log: log, inflight: map[int64]struct{}{}, maxSeen: saved, saved: saved,
		quit: make(chan struct{}), exit: make(chan struct{})}
}

// received registers updates persisted in the inbox and about to be handled.
func (w *watermark) received(entries []store.InboxEntry) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, e := range entries {
		w.inflight[e.UpdateID] = struct{}{}
		w.maxSeen = max(w.maxSeen, e.UpdateID)
	}
}

// finished marks an update whose effects are persisted.
func (w *watermark) finished(id int64) {
	w.mu.Lock()
	delete(w.inflight, id)
	w.mu.Unlock()
}

// value is the highest id at or below which every received update is done.
func (w *watermark) value() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	v := w.maxSeen
	for id := range w.inflight {
		v = min(v, id-1)
	}
	return v
}

func (w *watermark) start() { go w.loop() }

func (w *watermark) loop() {
	defer close(w.exit)
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			w.save()
		case <-w.quit:
			w.save()
			return
		}
	}
}

func (w *watermark) save() {
	v := w.value()
	if v <= w.saved {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := w.store.SaveWatermark(ctx, v); err != nil {
		w.log.Warn("could not save the inbox watermark; will retry", "error", err)
		return
	}
	w.saved = v
}

func (w *watermark) stop() {
	close(w.quit)
	<-w.exit
}
