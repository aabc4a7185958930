package bot

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/prils-lazio/presidio/internal/store"
)

// feeder hands pending updates to the lanes, holding at most maxHeld in
// memory. Updates reach it two ways: straight from this process's intake
// (poller or webhook) once they are in the inbox, and from the inbox itself,
// read a page at a time — at start (what a previous run left), whenever it
// fell behind, and every rescanEvery (updates a standby's webhook stored).
//
// Order: while it is behind (it left updates in the inbox because memory
// was full), it takes nothing from the intake either, so a lane never
// overtakes its own older updates; the inbox is then read in arrival order
// until it has caught up.
type feeder struct {
	store  *store.Store
	lanes  *lanes
	log    *slog.Logger
	page   int
	max    int
	rescan time.Duration

	mu     sync.Mutex
	held   map[string]bool // keys queued on a lane or in progress
	behind bool
	// leftBehind counts intake offers left in the inbox while behind: a
	// read that began before one of them cannot have seen it.
	leftBehind int
	nudge      chan struct{}
	quit       chan struct{}
	stopOnce   sync.Once
	exit       chan struct{}
}

// The bounds: how many entries one read asks for beyond those held, and
// how many may be held (queued on lanes or in progress) at once — enough
// to keep every lane slot busy, small enough that a read costs little.
const (
	feederPage = 200
	feederMax  = 600
)

// newFeeder makes a feeder that rereads the inbox every rescan (for
// updates other processes stored: webhook standbys).
func newFeeder(st *store.Store, l *lanes, log *slog.Logger, rescan time.Duration) *feeder {
	return &feeder{
		store: st, lanes: l, log: log, page: feederPage, max: feederMax, rescan: rescan,
		held: map[string]bool{}, behind: true, // a start reads the inbox first
		nudge: make(chan struct{}, 1), quit: make(chan struct{}), exit: make(chan struct{}),
	}
}

func (f *feeder) start() { go f.loop() }

// stop ends the loop; stopping twice is harmless.
func (f *feeder) stop() {
	f.stopOnce.Do(func() { close(f.quit) })
	<-f.exit
}

// offer takes updates just stored by this process's intake. Those it cannot
// take now stay in the inbox, where the loop finds them. The poller offers
// with all set: it waited for room before fetching (room), so it may go
// past the bound by one batch, and it never leaves anything behind.
func (f *feeder) offer(entries []store.InboxEntry, all bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.behind {
		f.leftBehind++
		f.poke()
		return
	}
	if all {
		for _, e := range entries {
			if !f.held[e.Key] {
				f.held[e.Key] = true
				f.lanes.submit(e)
			}
		}
		return
	}
	f.takeLocked(entries)
}

// takeLocked queues the entries not held yet, in arrival order, until
// memory is full; then it is behind.
func (f *feeder) takeLocked(entries []store.InboxEntry) (took int) {
	for _, e := range entries {
		if f.held[e.Key] {
			continue
		}
		if len(f.held) >= f.max {
			// The rest stays in the inbox; a read already under way may
			// not see it, so it must not clear "behind" (see read).
			f.behind = true
			f.leftBehind++
			return took
		}
		f.held[e.Key] = true
		f.lanes.submit(e)
		took++
	}
	return took
}

// done forgets an update whose processing ended (done, or set aside).
func (f *feeder) done(key string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.held, key)
	if f.behind {
		f.poke()
	}
}

// room waits until memory has room for more updates, so the poller does not
// fetch what it cannot hold (Telegram keeps them meanwhile).
func (f *feeder) room(ctx context.Context) {
	for {
		f.mu.Lock()
		ok := !f.behind && len(f.held) < f.max
		f.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (f *feeder) poke() {
	select {
	case f.nudge <- struct{}{}:
	default:
	}
}

func (f *feeder) loop() {
	defer close(f.exit)
	tick := time.NewTicker(f.rescan)
	defer tick.Stop()
	f.poke()
	for {
		select {
		case <-f.quit:
			return
		case <-f.nudge:
		case <-tick.C:
		}
		if f.read() {
			// Behind: read again as lanes make room, but not more often
			// than this, so a large backlog is not re-read per update.
			select {
			case <-f.quit:
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
}

// read takes the next page of the inbox: it asks for as many entries as it
// holds plus a page, so that even when the entries it holds come first it
// sees a page of new ones. It reports whether it is behind: it saw a full
// answer (there may be more) or could not take all it saw.
func (f *feeder) read() (behind bool) {
	f.mu.Lock()
	limit := f.page + len(f.held)
	full := len(f.held) >= f.max
	left := f.leftBehind
	f.mu.Unlock()
	if full {
		return true
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	go func() { // a stop does not wait for a store that does not answer
		select {
		case <-f.quit:
			cancel()
		case <-ctx.Done():
		}
	}()
	page, err := f.store.PendingInbox(ctx, limit)
	if err != nil {
		f.log.Warn("reading pending updates failed; will retry", "error", err)
		return true
	}
	slices.SortStableFunc(page, func(a, b store.InboxEntry) int {
		switch {
		case a.Seq < b.Seq:
			return -1
		case a.Seq > b.Seq:
			return 1
		}
		return 0
	})
	f.mu.Lock()
	defer f.mu.Unlock()
	f.behind = false
	f.takeLocked(page)
	if len(page) == limit || f.leftBehind != left {
		f.behind = true
	}
	return f.behind
}
