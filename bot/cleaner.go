package bot

import (
	"context"
	"log/slog"
	"time"
)

// cleaner deletes documents that are no longer needed (updates done,
// copies of sent messages) in batches, off the path of the update or the
// message that finished them. Nothing depends on the delete happening at
// once: a done update found again is recognised by its session, and a sent
// message found again is recognised by its outcome. So a crash before a
// delete costs a little work at the next start, never a repeat.
type cleaner struct {
	what string
	del  func(ctx context.Context, ids []string) error
	// after, if set, is told the ids once deleted (or given up on).
	after func(ids []string)
	log   *slog.Logger
	ch    chan string
	exit  chan struct{}
	// ctx ends when a stop gives up waiting: deletes under way are
	// abandoned and the rest is left for the next start.
	ctx    context.Context
	cancel context.CancelFunc
}

func newCleaner(what string, del func(context.Context, []string) error, after func([]string), log *slog.Logger) *cleaner {
	c := &cleaner{what: what, del: del, after: after, log: log, ch: make(chan string, 4096), exit: make(chan struct{})}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	go c.loop()
	return c
}

// add queues an id for deletion; it waits only when the queue is full.
func (c *cleaner) add(id string) { c.ch <- id }

// skip is for ids whose documents are already deleted (in the same
// transaction as what finished them): they are only reported to after.
func (c *cleaner) skip(ids []string) {
	if c.after != nil {
		c.after(ids)
	}
}

// stop deletes what is queued and ends; once ctx ends it stops waiting
// for the store (a store that does not answer must not hold up a stop)
// and leaves the rest to the next start.
func (c *cleaner) stop(ctx context.Context) {
	close(c.ch)
	select {
	case <-c.exit:
	case <-ctx.Done():
		c.cancel()
		<-c.exit
	}
	c.cancel()
}

func (c *cleaner) loop() {
	defer close(c.exit)
	for id := range c.ch {
		batch := []string{id}
	gather:
		for len(batch) < 500 {
			select {
			case id, ok := <-c.ch:
				if !ok {
					break gather
				}
				batch = append(batch, id)
			default:
				break gather
			}
		}
		for attempt := 1; attempt <= 5 && c.ctx.Err() == nil; attempt++ {
			ctx, cancel := context.WithTimeout(c.ctx, 30*time.Second)
			err := c.del(ctx, batch)
			cancel()
			if err == nil {
				break
			}
			c.log.Warn("deleting finished documents failed; the next start finds them again", "what", c.what, "count", len(batch), "attempt", attempt, "error", err)
			select {
			case <-time.After(backoff(attempt)):
			case <-c.ctx.Done():
			}
		}
		if c.after != nil {
			c.after(batch)
		}
	}
}
