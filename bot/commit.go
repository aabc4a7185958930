package bot

import (
	"context"
	"errors"
	"time"

	"github.com/prils-lazio/presidio/internal/store"
)

// committer persists the effects of many lanes' updates together
// (store.CommitUpdates): on the embedded store one transaction with all
// their outbox messages, sessions and inbox removals; on MongoDB one
// insert of all their outbox messages, then one bulk write of all their
// sessions, and the removals after. Each lane waits for its own commit, so the order within a lane
// and the rule "effects persisted before the update is done" are
// unchanged; the store pays one round trip (on the embedded store, one
// SQLite transaction) per batch instead of two per update.
type committer struct {
	store  *store.Store
	fenced func() bool
	done   *cleaner // removes done updates from the inbox
	reqs   chan *commitReq
	quit   chan struct{}
	exit   chan struct{}
	// abort ends a batch under way when a stop gives up waiting for it:
	// its lanes see an error, and their updates stay in the inbox.
	abort    context.Context
	abortNow context.CancelFunc
}

type commitReq struct {
	entries  []store.OutboxEntry
	sess     *store.Session // nil: no session to save
	done     string         // the inbox key of the update, taken off the queue last
	fresh    []store.OutboxEntry
	err      error
	finished chan struct{}
}

// errFenced refuses a commit of a process that lost its lease.
var errFenced = errors.New("not the active process: nothing is written")

// maxBatch bounds one commit; more lanes than that wait for the next.
const maxBatch = 128

func newCommitter(st *store.Store, done *cleaner, fenced func() bool) *committer {
	c := &committer{store: st, done: done, fenced: fenced, reqs: make(chan *commitReq), quit: make(chan struct{}), exit: make(chan struct{})}
	c.abort, c.abortNow = context.WithCancel(context.Background())
	return c
}

func (c *committer) start() { go c.loop() }

// stop ends the loop once the batch under way is committed, or at once
// when ctx ends (the batch then fails: nothing is lost, its updates are
// processed again at the next start).
func (c *committer) stop(ctx context.Context) {
	close(c.quit)
	select {
	case <-c.exit:
	case <-ctx.Done():
		c.abortNow()
		<-c.exit
	}
	c.abortNow()
}

// commit persists entries, then sess, then removes the update (key) from
// the inbox, and returns the entries waiting to be sent. An error means
// nothing can be assumed persisted: the lane retries the whole commit
// (entries are idempotent by id, the session by its applied list).
func (c *committer) commit(ctx context.Context, entries []store.OutboxEntry, sess *store.Session, key string) ([]store.OutboxEntry, error) {
	req := &commitReq{entries: entries, sess: sess, done: key, finished: make(chan struct{})}
	select {
	case c.reqs <- req:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-c.quit:
		return nil, context.Canceled
	}
	<-req.finished // the batch is bounded by the store's own timeout
	return req.fresh, req.err
}

func (c *committer) loop() {
	defer close(c.exit)
	for {
		var first *commitReq
		select {
		case first = <-c.reqs:
		case <-c.quit:
			return
		}
		batch := []*commitReq{first}
	gather:
		for len(batch) < maxBatch {
			select {
			case r := <-c.reqs:
				batch = append(batch, r)
			default:
				break gather
			}
		}
		if !c.flush(batch) && len(batch) > 1 {
			// One lane's bad document must not fail the others: commit
			// each alone, so only the update at fault sees the error.
			for _, r := range batch {
				c.flush([]*commitReq{r})
			}
		}
	}
}

// flush commits a batch. On success it answers every request; on failure
// of a batch of one it answers with the error; on failure of a larger batch
// it answers nothing and reports false, and the caller splits it.
func (c *committer) flush(batch []*commitReq) (ok bool) {
	ctx, cancel := context.WithTimeout(c.abort, 30*time.Second)
	defer cancel()
	var all []store.OutboxEntry
	var sessions []*store.Session
	var keys []string
	for _, r := range batch {
		all = append(all, r.entries...)
		if r.sess != nil {
			sessions = append(sessions, r.sess)
		}
		if r.done != "" {
			keys = append(keys, r.done)
		}
	}
	var fresh []store.OutboxEntry
	removed := false
	err := errFenced
	if !c.fenced() {
		fresh, removed, err = c.store.CommitUpdates(ctx, all, sessions, keys)
	}

	if err != nil && len(batch) > 1 {
		return false
	}
	isFresh := make(map[string]bool, len(fresh))
	for _, e := range fresh {
		isFresh[e.ID] = true
	}
	for _, r := range batch {
		r.err = err
		if err == nil {
			for _, e := range r.entries {
				if isFresh[e.ID] {
					r.fresh = append(r.fresh, e)
				}
			}
		}
		close(r.finished)
	}
	if err == nil {
		if removed { // taken off the inbox in the commit itself
			c.done.skip(keys)
		} else {
			for _, k := range keys {
				c.done.add(k) // off the lanes' path: see cleaner
			}
		}
	}
	return true
}
