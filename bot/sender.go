package bot

import (
	"context"
	"log/slog"
	"sort"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/store"
)

// sender is the one way out to Telegram. It takes messages that are already
// persisted in the outbox and sends them in Seq order per chat, keeping to
// Limits, waiting the full retry_after of a 429, retrying 5xx and network
// errors with backoff, and recording each final outcome in the outbox.
// Interactive messages go before bulk ones whenever the global limit makes
// messages wait.
type sender struct {
	tg      *telegram
	store   *store.Store
	log     *slog.Logger
	m       *runtimeMetrics
	limits  Limits
	global  *rate.Limiter
	workers int
	// giveUp ends retries of a message that has failed transiently for
	// this long (Telegram was unreachable for two days: it is stale).
	giveUp time.Duration
	// fence reports whether this process must send nothing (it lost its
	// lease): the message is then left pending for the active process.
	fence func() bool
	// sentCopies removes the pending copies of finished messages.
	sentCopies *cleaner
	// onBlocked is told when a person blocked the bot.
	onBlocked func(chatID int64)
	// onThreadGone gives a new forum topic for a deleted one (see
	// Runtime.OnThreadGone); nil gives such messages up.
	onThreadGone func(ctx context.Context, chatID int64, threadID int) (int, bool)

	mu    sync.Mutex
	cond  *sync.Cond
	chats map[int64]*chatQueue
	// held are the ids of messages queued or in flight, until their
	// outcome is recorded: a message handed over twice (a commit retried
	// after a write that landed, a replayed update) is sent once.
	held map[string]bool
	// finished remembers the ids recently finished here, so a message
	// handed over again right after it was sent (Enqueue checked for an
	// outcome a moment before it was recorded) is not sent twice.
	finished recentIDs
	started  bool
	ready    [2][]int64 // by chat.Priority
	depth    int
	closed   bool

	jobs    chan sendJob
	results chan outcome
	ctx     context.Context // ends at the hard stop
	cancel  context.CancelFunc
	// recordCtx bounds the last writes of outcomes after the hard stop.
	recordCtx    context.Context
	recordCancel context.CancelFunc
	done         sync.WaitGroup // dispatcher and workers
	saved        chan struct{}  // closed when the last result is recorded
}

type chatQueue struct {
	items    []store.OutboxEntry
	busy     bool // queued as ready, waiting on a timer, or in flight
	limiter  *rate.Limiter
	reserved bool // a per-chat token is held for the head item
	attempts int  // transient failures of the head item
	idle     time.Time
	// fair, for groups, orders the queue fairly between forum topics
	// (groupqueue.go); nil for private chats.
	fair *fairness
}

// outcome is a final result waiting to be recorded; the chat sends nothing
// more until it is, so after a crash at most one message per chat (the one
// whose outcome was not yet recorded) can be sent a second time.
type outcome struct {
	store.OutboxResult
	chatID    int64
	ephemeral bool
	merged    []store.OutboxResult // of the entries merged into it (coalesce.go)
}

type sendJob struct {
	chatID int64
	entry  store.OutboxEntry
	merged []string // ids of queued entries merged into entry.Msg (coalesce.go)
}

func newSender(tg *telegram, st *store.Store, log *slog.Logger, m *runtimeMetrics, limits Limits, workers int) *sender {
	ctx, cancel := context.WithCancel(context.Background())
	recordCtx, recordCancel := context.WithCancel(context.Background())
	s := &sender{
		recordCtx: recordCtx, recordCancel: recordCancel,
		tg: tg, store: st, log: log, m: m, limits: limits, global: limits.global(),
		workers: max(1, workers), giveUp: 48 * time.Hour,
		chats: map[int64]*chatQueue{}, held: map[string]bool{}, jobs: make(chan sendJob), results: make(chan outcome, 1<<16),
		ctx: ctx, cancel: cancel, saved: make(chan struct{}),
		onBlocked: func(int64) {},
	}
	s.cond = sync.NewCond(&s.mu)
	s.sentCopies = newCleaner("sent messages", st.DropPending, nil, log)
	return s
}

func (s *sender) start() {
	s.mu.Lock()
	s.started = true
	s.mu.Unlock()
	s.done.Add(1 + s.workers)
	go s.dispatch()
	for range s.workers {
		go s.work()
	}
	go s.record()
	go s.janitor()
}

// knows reports whether the sender holds a message or finished it
// recently (a rescan of the queue skips those).
func (s *sender) knows(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.held[id] || s.finished.has(id)
}

// submit hands over messages already persisted in the outbox.
func (s *sender) submit(entries ...store.OutboxEntry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range entries {
		if s.held[e.ID] || s.finished.has(e.ID) {
			continue
		}
		s.held[e.ID] = true
		q := s.chats[e.Msg.ChatID]
		if q == nil {
			q = &chatQueue{limiter: s.limits.forChat(e.Msg.ChatID)}
			if e.Msg.ChatID < 0 {
				q.fair = newFairness()
			}
			s.chats[e.Msg.ChatID] = q
		}
		if q.fair != nil {
			q.fair.insert(q, e, q.busy)
		} else if i := queuePos(q, e); i == len(q.items) {
			q.items = append(q.items, e)
		} else {
			q.items = append(q.items[:i+1], q.items[i:]...)
			q.items[i] = e
		}
		s.depth++
		if !q.busy {
			q.busy = true
			s.pushReadyLocked(e.Msg.ChatID, q)
		}
	}
}

// queuePos is where e goes in a private chat's queue: in Seq order, but
// never before a head that may be in flight (the chat is busy), whose
// outcome finish records as the head's.
func queuePos(q *chatQueue, e store.OutboxEntry) int {
	lo := 0
	if q.busy && len(q.items) > 0 {
		lo = 1
	}
	return lo + sort.Search(len(q.items)-lo, func(i int) bool { return q.items[lo+i].Seq > e.Seq })
}

func (s *sender) pushReadyLocked(chatID int64, q *chatQueue) {
	p := q.items[0].Msg.Priority
	if p != chat.PriorityBulk {
		p = chat.PriorityInteractive
	}
	s.ready[p] = append(s.ready[p], chatID)
	s.cond.Signal()
}

// readyAfter puts a chat back in the ready queue after d.
func (s *sender) readyAfter(chatID int64, d time.Duration) {
	time.AfterFunc(d, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if q := s.chats[chatID]; q != nil && len(q.items) > 0 && !s.closed {
			s.pushReadyLocked(chatID, q)
		}
	})
}

func (s *sender) popReady() (int64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.ready[0]) == 0 && len(s.ready[1]) == 0 && !s.closed {
		s.cond.Wait()
	}
	if s.closed {
		return 0, false
	}
	p := chat.PriorityInteractive
	if len(s.ready[p]) == 0 {
		p = chat.PriorityBulk
	}
	id := s.ready[p][0]
	s.ready[p] = s.ready[p][1:]
	return id, true
}

// dispatch takes ready chats, highest priority first, and hands their head
// message to a worker once both the chat's and the global limits allow.
func (s *sender) dispatch() {
	defer s.done.Done()
	defer close(s.jobs)
	for {
		id, ok := s.popReady()
		if !ok {
			return
		}
		s.mu.Lock()
		q := s.chats[id]
		if q.fair != nil && !q.reserved {
			q.fair.pickHead(q)
		}
		head := q.items[0]
		var wait time.Duration
		if q.limiter != nil && !q.reserved {
			q.reserved = true
			wait = q.limiter.Reserve().Delay()
		}
		s.mu.Unlock()
		if wait > 0 {
			s.m.rateWait.Add(wait.Seconds())
			s.readyAfter(id, wait)
			continue
		}
		if s.global != nil {
			t0 := time.Now()
			if err := s.global.Wait(s.ctx); err != nil {
				return
			}
			s.m.rateWait.Add(time.Since(t0).Seconds())
		}
		if id < 0 && !head.CreatedAt.IsZero() {
			s.m.groupDelay.Observe(time.Since(head.CreatedAt).Seconds())
		}
		select {
		case s.jobs <- s.coalesce(id, head):
		case <-s.ctx.Done():
			return
		}
	}
}

func (s *sender) work() {
	defer s.done.Done()
	for j := range s.jobs {
		if s.fence != nil && s.fence() {
			// Not the active process any more: leave the message
			// pending in the store; this chat stays busy here.
			continue
		}
		if err := s.store.Durable(s.ctx); err != nil {
			// The message's record (and its chat's previous outcome)
			// could be undone by a power cut: not sent until it cannot.
			if s.ctx.Err() != nil {
				return
			}
			s.log.Warn("store could not sync to disk; the message waits", "chat_id", j.chatID, "error", err)
			s.retryLater(j.chatID)
			continue
		}
		msgID, err := s.tg.send(s.ctx, j.entry.Msg)
		if old := j.entry.Msg.ThreadID; threadGone(err) && s.onThreadGone != nil && old != 0 {
			if thread, ok := s.onThreadGone(s.ctx, j.entry.Msg.ChatID, old); ok {
				s.moveThread(j.chatID, old, thread)
				j.entry.Msg.ThreadID = thread
				msgID, err = s.tg.send(s.ctx, j.entry.Msg)
			}
		}
		if err != nil && s.ctx.Err() != nil {
			return // hard stop: the message stays pending in the outbox
		}
		s.finish(j, msgID, err)
	}
}

func (s *sender) finish(j sendJob, msgID int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.chats[j.chatID]
	q.reserved = false
	now := time.Now().UTC()
	popHead := func(status, reason string) {
		id, ephemeral := q.items[0].ID, q.items[0].Msg.Ephemeral
		q.items[0] = store.OutboxEntry{}
		q.items = q.items[1:]
		q.attempts = 0
		s.depth--
		r := store.OutboxResult{ID: id, Status: status, TelegramID: msgID, Error: reason, At: now}
		s.results <- outcome{r, j.chatID, ephemeral, s.takeMerged(q, j, r)}
		msgID, j.merged = 0, nil
	}
	if err == nil {
		s.m.sends.Inc("sent")
		popHead(store.OutboxSent, "")
	} else {
		kind, retryAfter := classify(err)
		switch {
		case kind == errRateLimited:
			s.m.sends.Inc("rate_limited")
			s.m.rateWait.Add(retryAfter.Seconds())
			s.log.Warn("telegram asked to slow down", "chat_id", j.chatID, "retry_after", retryAfter)
			s.readyAfter(j.chatID, retryAfter+50*time.Millisecond) // never earlier
			return
		case kind == errBlocked && j.chatID > 0:
			s.m.sends.Add("blocked", uint64(len(q.items)))
			s.log.Info("person blocked the bot; dropping their queued messages", "chat_id", j.chatID, "dropped", len(q.items))
			for len(q.items) > 0 {
				popHead(store.OutboxBlocked, "bot was blocked by the user")
			}
			go s.onBlocked(j.chatID)
		case kind == errPermanent && s.unmerge(q, j):
			s.m.sends.Inc("retry")
			s.log.Warn("telegram refused merged texts; sending them one by one", "chat_id", j.chatID, "error", describe(err))
			s.readyAfter(j.chatID, 0)
			return
		case kind == errPermanent || kind == errBlocked:
			s.m.sends.Inc("failed")
			s.log.Error("telegram refused a message", "chat_id", j.chatID, "outbox_id", j.entry.ID, "error", describe(err))
			popHead(store.OutboxFailed, describe(err))
		case now.Sub(j.entry.CreatedAt) > s.giveUp && !j.entry.CreatedAt.IsZero():
			s.m.sends.Inc("failed")
			s.log.Error("giving up a message after retrying for too long", "chat_id", j.chatID, "outbox_id", j.entry.ID, "error", describe(err))
			popHead(store.OutboxFailed, "gave up: "+describe(err))
		default:
			s.m.sends.Inc("retry")
			q.attempts++
			d := backoff(q.attempts)
			s.log.Warn("send failed, will retry", "chat_id", j.chatID, "attempt", q.attempts, "in", d, "error", describe(err))
			s.readyAfter(j.chatID, d)
			return
		}
	}
	// The chat stays busy until record has persisted the outcome(s).
}

// retryLater frees a chat whose head message could not be tried now and
// tries it again after a backoff.
func (s *sender) retryLater(chatID int64) {
	s.mu.Lock()
	q := s.chats[chatID]
	q.reserved = false
	q.attempts++
	d := backoff(q.attempts)
	s.mu.Unlock()
	s.readyAfter(chatID, d)
}

// moveThread points the chat's queued messages for a deleted topic at its
// replacement.
func (s *sender) moveThread(chatID int64, from, to int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if q := s.chats[chatID]; q != nil {
		for i := range q.items {
			if q.items[i].Msg.ThreadID == from {
				q.items[i].Msg.ThreadID = to
			}
		}
	}
}

// release lets a chat send again once the outcome of its last message is
// recorded, and forgets the recorded messages' ids.
func (s *sender) release(chatIDs map[int64]bool, recorded []store.OutboxResult) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range recorded {
		delete(s.held, r.ID)
		s.finished.add(r.ID)
	}
	now := time.Now()
	for id := range chatIDs {
		q := s.chats[id]
		if q == nil {
			continue
		}
		if len(q.items) > 0 {
			if !s.closed {
				s.pushReadyLocked(id, q)
			}
			continue
		}
		q.busy, q.idle = false, now
		if q.limiter == nil {
			delete(s.chats, id)
		}
	}
}

// record writes outcomes to the outbox as soon as they come, batching
// whatever arrived during the previous write. If the store fails it retries
// until the hard stop; an outcome not recorded means that message is sent
// once more after a restart, so the window is kept as short as possible.
func (s *sender) record() {
	defer close(s.saved)
	var batch []store.OutboxResult
	var gone []string
	chats := map[int64]bool{}
	for o := range s.results {
		batch = append(batch[:0], o.results()...)
		gone = gone[:0]
		if o.ephemeral {
			gone = append(gone, o.ID)
		}
		clear(chats)
		chats[o.chatID] = true
	gather:
		for len(batch) < 256 {
			select {
			case o, ok := <-s.results:
				if !ok {
					break gather
				}
				batch = append(batch, o.results()...)
				chats[o.chatID] = true
				if o.ephemeral {
					gone = append(gone, o.ID)
				}
			default:
				break gather
			}
		}
		dropped := false
		for attempt := 1; ; attempt++ {
			var err error
			dropped, err = s.store.RecordOutcomes(s.recordCtx, batch)
			if err == nil {
				break
			}
			if s.recordCtx.Err() != nil {
				s.log.Error("could not record send outcomes before stopping; these messages will be sent again", "count", len(batch), "error", err)
				break
			}
			s.log.Warn("recording send outcomes failed, retrying", "error", err)
			time.Sleep(min(backoff(attempt), 5*time.Second))
		}
		if err := s.store.DeleteOutbox(s.recordCtx, gone); err != nil {
			s.log.Warn("could not delete sent ephemeral messages; the sweeper will", "error", err)
		}
		s.release(chats, batch)
		if !dropped { // else taken off the queue with their outcomes
			for _, r := range batch {
				s.sentCopies.add(r.ID) // off the chats' path: see cleaner
			}
		}
	}
}

// janitor forgets chats that have been idle long enough for their limiter
// to refill, so memory follows the number of recently active chats.
func (s *sender) janitor() {
	tick := time.NewTicker(10 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case now := <-tick.C:
			s.mu.Lock()
			for id, q := range s.chats {
				refill := 5 * time.Second
				if id < 0 {
					refill = time.Minute
				}
				if !q.busy && len(q.items) == 0 && now.Sub(q.idle) > refill {
					delete(s.chats, id)
				}
			}
			s.mu.Unlock()
		}
	}
}

// queued returns how many messages wait to be sent.
func (s *sender) queued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.depth
}

// stop sends what is queued until ctx ends, then stops; whatever is left
// stays pending in the outbox for the next start. It reports whether the
// queue was empty at the end.
func (s *sender) stop(ctx context.Context) bool {
	s.mu.Lock()
	started := s.started
	s.mu.Unlock()
	if !started { // Start failed before the sender ran: nothing to drain
		s.cancel()
		s.recordCancel()
		s.sentCopies.stop(ctx)
		return s.queued() == 0
	}
	drained := s.waitDrained(ctx)
	if !drained {
		s.cancel() // abandon in-flight calls: they stay pending
	}
	s.mu.Lock()
	s.closed = true
	s.cond.Broadcast()
	s.mu.Unlock()
	s.done.Wait()
	close(s.results)
	grace := 5 * time.Second // to record the outcomes of messages sent
	if s.fence != nil && s.fence() {
		grace = 0 // not the active process: it must not write
	}
	select {
	case <-s.saved:
	case <-time.After(grace):
		s.recordCancel()
		<-s.saved
	}
	s.cancel()
	s.recordCancel()
	s.sentCopies.stop(ctx)
	return drained
}

func (s *sender) waitDrained(ctx context.Context) bool {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for s.queued() > 0 {
		select {
		case <-ctx.Done():
			return false
		case <-tick.C:
		}
	}
	return true
}

// recentIDs is a bounded set of the ids added most recently.
type recentIDs struct {
	set  map[string]bool
	ring []string
	next int
}

const recentIDsSize = 1 << 16

func (r *recentIDs) add(id string) {
	if r.set == nil {
		r.set, r.ring = map[string]bool{}, make([]string, recentIDsSize)
	}
	if old := r.ring[r.next]; old != "" {
		delete(r.set, old)
	}
	r.ring[r.next] = id
	r.set[id] = true
	r.next = (r.next + 1) % len(r.ring)
}

func (r *recentIDs) has(id string) bool { return r.set[id] }
