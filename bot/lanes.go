package bot

import (
	"context"
	"sync"

	"github.com/prils-lazio/presidio/internal/store"
)

// lanes runs received updates: one goroutine per lane with work, handling
// that lane's updates one at a time in the order submitted, and at most
// `parallel` lanes at once. A lane with nothing queued has no goroutine, so
// memory follows the number of busy chats, not of all chats.
type lanes struct {
	handle func(ctx context.Context, e store.InboxEntry)
	slots  chan struct{}

	mu     sync.Mutex
	queues map[string][]store.InboxEntry
	// closed refuses new submissions; stopped also ends lanes after the
	// update in hand.
	closed, stopped bool
	wg              sync.WaitGroup
	ctx             context.Context
	cancel          context.CancelFunc
}

func newLanes(ctx context.Context, parallel int, handle func(context.Context, store.InboxEntry)) *lanes {
	if parallel < 1 {
		parallel = 1
	}
	ctx, cancel := context.WithCancel(ctx)
	return &lanes{
		handle: handle,
		cancel: cancel,
		slots:  make(chan struct{}, parallel),
		queues: make(map[string][]store.InboxEntry),
		ctx:    ctx,
	}
}

// submit queues entries (already persisted in the inbox) on their lanes.
// Entries must be submitted in update_id order for each lane. After stop,
// submit does nothing: the entries stay pending in the inbox.
func (l *lanes) submit(entries ...store.InboxEntry) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	for _, e := range entries {
		q, busy := l.queues[e.Lane]
		l.queues[e.Lane] = append(q, e)
		if !busy {
			l.wg.Add(1)
			go l.run(e.Lane)
		}
	}
}

func (l *lanes) run(lane string) {
	defer l.wg.Done()
	for {
		l.mu.Lock()
		q := l.queues[lane]
		if len(q) == 0 || l.stopped {
			delete(l.queues, lane)
			l.mu.Unlock()
			return
		}
		e := q[0]
		l.mu.Unlock()

		select {
		case l.slots <- struct{}{}:
		case <-l.ctx.Done():
			return
		}
		l.handle(l.ctx, e)
		<-l.slots

		l.mu.Lock()
		q = l.queues[lane]
		q[0] = store.InboxEntry{} // let the raw update be collected
		l.queues[lane] = q[1:]
		l.mu.Unlock()
	}
}

// stop refuses new work and lets the lanes drain what they hold until ctx
// ends; then each lane stops after the update in hand, and what is still
// queued stays pending in the inbox for the next start. It reports whether
// everything queued was handled.
func (l *lanes) stop(ctx context.Context) bool {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	done := make(chan struct{})
	go func() { l.wg.Wait(); close(done) }()
	select {
	case <-done:
		l.cancel()
		return true
	case <-ctx.Done():
		l.mu.Lock()
		l.stopped = true
		l.mu.Unlock()
		l.cancel() // abandon retries: the update stays pending in the inbox
		<-done
		return false
	}
}

// busy returns how many lanes have queued work.
func (l *lanes) busy() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.queues)
}
