package bot

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prils-lazio/presidio/internal/store"
)

// doneBatcher marks handled updates done in the inbox, many per round trip.
// Losing a mark (a crash before the flush) is harmless: the session
// already lists the update as applied, so a restart skips it.
type doneBatcher struct {
	store *store.Store
	log   *slog.Logger
	mu    sync.Mutex
	ids   []int64
	kick  chan struct{}
	quit  chan struct{}
	exit  chan struct{}
}

func newDoneBatcher(st *store.Store, log *slog.Logger) *doneBatcher {
	return &doneBatcher{store: st, log: log, kick: make(chan struct{}, 1), quit: make(chan struct{}), exit: make(chan struct{})}
}

func (d *doneBatcher) add(id int64) {
	d.mu.Lock()
	d.ids = append(d.ids, id)
	d.mu.Unlock()
	select {
	case d.kick <- struct{}{}:
	default:
	}
}

func (d *doneBatcher) start() { go d.loop() }

func (d *doneBatcher) loop() {
	defer close(d.exit)
	for {
		select {
		case <-d.kick:
			time.Sleep(5 * time.Millisecond) // gather a batch
			d.flush()
		case <-d.quit:
			d.flush()
			return
		}
	}
}

func (d *doneBatcher) flush() {
	d.mu.Lock()
	ids := d.ids
	d.ids = nil
	d.mu.Unlock()
	if len(ids) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := d.store.MarkInboxDone(ctx, ids); err != nil {
		// Not fatal: at restart the sessions show these were applied.
		d.log.Warn("could not mark updates done", "count", len(ids), "error", err)
	}
}

func (d *doneBatcher) stop() {
	close(d.quit)
	<-d.exit
}
