package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/metrics"
	"github.com/prils-lazio/presidio/internal/store"
)

// Handler decides what the bot does with one update of a lane. It may change
// sess.Lang and sess.State and returns the messages to send. The runtime
// persists both before the update counts as done; after a crash the same
// update may reach Handle again with the session as it was before it, so any
// other effect a handler has must be idempotent per update (e.g. an insert
// keyed by the update id).
type Handler interface {
	Handle(ctx context.Context, sess *store.Session, in chat.Incoming) ([]chat.Outgoing, error)
}

// Config of the runtime.
type Config struct {
	Token  string
	APIURL string
	// WebhookURL switches to webhook mode; WebhookSecret is then required.
	WebhookURL    string
	WebhookSecret string
	Limits        Limits
	// Parallel is how many lanes may run at once (default 32).
	Parallel int
	// SendWorkers is how many Bot API calls may be in flight (default 8).
	SendWorkers int
	// PollTimeout is the long-poll wait of getUpdates (default 25s).
	PollTimeout time.Duration
	// HTTPClient for Bot API calls (default: 30s timeout on each call).
	HTTPClient *http.Client
	// Fence, if set, says whether this process may still act as the
	// active one: it is asked before every send and every commit, and a
	// process whose fence is down sends and writes nothing more (its work
	// stays pending in the store for the process that took over).
	Fence func() bool
	// MaxAttempts is how many times a store operation for one update is
	// tried, while the store answers others, before the update is set
	// aside (default 8, about 20 seconds of backoff).
	MaxAttempts int
}

// AllowedUpdates are the update types the bot asks Telegram for.
var AllowedUpdates = []string{"message", "edited_message", "callback_query", "my_chat_member"}

// Runtime is the running pipeline: receive → inbox → lanes → outbox → send.
type Runtime struct {
	cfg     Config
	store   *store.Store
	handler Handler
	apology func(lang string) string
	log     *slog.Logger
	m       *runtimeMetrics
	tg      *telegram
	sender  *sender
	lanes   *lanes
	commits *committer

	feedMu      sync.Mutex
	feed        *feeder
	doneUpdates *cleaner
	done        recentDone

	sessMu   sync.Mutex
	sessions map[string]*store.Session

	stopIntake context.CancelFunc
	pollDone   chan struct{}
	stopOnce   sync.Once
	stopErr    error
	running    atomic.Bool
	reclaim    chan struct{}
	quit       chan struct{}
}

// New wires a runtime; Start begins work. apology returns the short
// localized apology sent when handling an update panics.
func New(cfg Config, st *store.Store, h Handler, apology func(lang string) string, reg *metrics.Registry, log *slog.Logger) (*Runtime, error) {
	if cfg.Parallel <= 0 {
		cfg.Parallel = 128
	}
	if cfg.SendWorkers <= 0 {
		cfg.SendWorkers = 32
	}
	if cfg.PollTimeout <= 0 {
		cfg.PollTimeout = 25 * time.Second
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 8
	}
	if cfg.HTTPClient == nil {
		// Keep a connection per send worker (and the poller) alive: Go's
		// default of 2 idle connections per host makes the sender open and
		// close one per message when it is busy.
		transport := http.DefaultTransport.(*http.Transport).Clone()
		transport.MaxIdleConnsPerHost = cfg.SendWorkers + 2
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second, Transport: transport}
	}
	if cfg.WebhookURL != "" && cfg.WebhookSecret == "" {
		return nil, errors.New("webhook mode needs a secret token")
	}
	t, err := newTelegram(cfg.APIURL, cfg.Token, cfg.HTTPClient)
	if err != nil {
		return nil, err
	}
	r := &Runtime{
		cfg: cfg, store: st, handler: h, apology: apology, log: log,
		m: newRuntimeMetrics(reg), tg: t, sessions: map[string]*store.Session{},
		reclaim: make(chan struct{}, 1), quit: make(chan struct{}),
	}
	r.sender = newSender(t, st, log, r.m, cfg.Limits, cfg.SendWorkers)
	r.sender.fence = r.fenced
	r.sender.onBlocked = func(chatID int64) { r.markBlocked(chatID, true) }
	r.sender.onThreadGone = nil
	reg.NewGaugeFunc("presidio_outbox_depth", "Messages waiting to be sent.", func() float64 { return float64(r.sender.queued()) })
	reg.NewGaugeFunc("presidio_lanes_busy", "Lanes with updates waiting or in progress.", func() float64 {
		if r.lanes == nil {
			return 0
		}
		return float64(r.lanes.busy())
	})
	return r, nil
}

// Start checks the token, resumes what a previous run left (pending outbox
// messages, then pending inbox updates, in order), and starts receiving:
// long polling, or registering the webhook.
func (r *Runtime) Start(ctx context.Context) error {
	if err := r.checkToken(ctx); err != nil {
		return err
	}
	r.doneUpdates = newCleaner("done updates", r.store.DoneInbox, func(keys []string) {
		if f := r.feeder(); f != nil {
			for _, k := range keys {
				f.done(k)
			}
		}
	}, r.log)
	r.commits = newCommitter(r.store, r.doneUpdates, r.fenced)
	r.commits.start()
	go r.reclaimLoop(r.quit)
	r.sender.start()
	r.lanes = newLanes(context.WithoutCancel(ctx), r.cfg.Parallel, r.process)
	// The messages left pending are handed over at once and in Seq order
	// (the store returns them in no particular order): each chat's queue
	// then starts in order, and the first send of a topic sees all of its
	// waiting texts, so texts merged into a message whose outcome was not
	// recorded go again as one message (coalesce.go), not several.
	var pending []store.OutboxEntry
	if err := r.store.PendingOutbox(ctx, func(e store.OutboxEntry) {
		pending = append(pending, e)
	}); err != nil {
		return err
	}
	sort.Slice(pending, func(i, j int) bool { return pending[i].Seq < pending[j].Seq })
	r.sender.submit(pending...)
	if len(pending) > 0 {
		r.log.Info("resuming messages left by the previous run", "messages", len(pending))
	}
	go r.watchOutbox(r.quit)
	// In webhook mode standbys may store updates too: look for them
	// often. Polling is this process's alone: a slow safety net suffices.
	rescan := 30 * time.Second
	if r.cfg.WebhookURL != "" {
		rescan = 2 * time.Second
	}
	f := newFeeder(r.store, r.lanes, r.log, rescan)
	r.feedMu.Lock()
	r.feed = f
	r.feedMu.Unlock()
	f.start() // reads the updates a previous run left first

	intake, cancel := context.WithCancel(context.WithoutCancel(ctx))
	r.stopIntake = cancel
	r.pollDone = make(chan struct{})
	if r.cfg.WebhookURL != "" {
		close(r.pollDone)
		_, err := r.tg.api.SetWebhook(ctx, &tg.SetWebhookParams{
			URL: r.cfg.WebhookURL, SecretToken: r.cfg.WebhookSecret, AllowedUpdates: AllowedUpdates,
		})
		if err != nil {
			return fmt.Errorf("registering the webhook with Telegram: %w", err)
		}
		r.log.Info("receiving updates by webhook")
		r.running.Store(true)
		return nil
	}
	// A webhook left registered would make getUpdates fail with 409.
	if _, err := r.tg.api.DeleteWebhook(ctx, &tg.DeleteWebhookParams{}); err != nil {
		r.log.Warn("could not remove a webhook before polling", "error", err)
	}
	go r.poll(intake)
	r.log.Info("receiving updates by long polling")
	r.running.Store(true)
	return nil
}

// Running reports whether the runtime has started (the backlog is being
// worked off and updates are received) and not stopped: /readyz says ready
// only then.
func (r *Runtime) Running() bool { return r.running.Load() }

// fenced reports whether this process must not act (see Config.Fence).
func (r *Runtime) fenced() bool { return r.cfg.Fence != nil && !r.cfg.Fence() }

// feeder returns the running feeder, or nil before Start (the webhook may
// store updates before the runtime runs; the feeder reads them later).
func (r *Runtime) feeder() *feeder {
	r.feedMu.Lock()
	defer r.feedMu.Unlock()
	return r.feed
}

func (r *Runtime) checkToken(ctx context.Context) error {
	var err error
	for attempt := 1; attempt <= 3; attempt++ {
		c, cancel := context.WithTimeout(ctx, 10*time.Second)
		_, err = r.tg.api.GetMe(c)
		cancel()
		if err == nil {
			return nil
		}
		if errors.Is(err, tg.ErrorUnauthorized) || errors.Is(err, tg.ErrorNotFound) {
			return errors.New("Telegram rejected TELEGRAM_BOT_TOKEN (check it with BotFather)")
		}
		time.Sleep(time.Duration(attempt) * 200 * time.Millisecond)
	}
	r.log.Warn("Telegram is not reachable yet; will keep trying", "error", err)
	return nil
}

// Enqueue persists messages that no update caused (an operator's reply from
// the console, a reminder) and hands them to the sender. IDs must be unique
// and stable for the effect they carry. Texts over Telegram's limit are
// split into several messages (splitEntries).
//
// In a process that is not running (a standby whose console was used) the
// messages are stored and the active process is signalled to read them
// (outboxsignal.go); it sends them within outboxRescan.
func (r *Runtime) Enqueue(ctx context.Context, entries []store.OutboxEntry) error {
	fresh, err := r.store.Enqueue(ctx, splitEntries(entries))
	if err != nil {
		return err
	}
	if !r.Running() {
		return r.store.SignalOutbox(ctx)
	}
	r.sender.submit(fresh...)
	return nil
}

// outboxRescan is how often the active process checks whether another
// process queued messages (Enqueue in a standby).
const outboxRescan = 2 * time.Second

// watchOutbox reads the pending queue again whenever another process
// signalled that it queued messages. Messages the sender holds or has
// finished are skipped without a lookup.
func (r *Runtime) watchOutbox(quit <-chan struct{}) {
	t := time.NewTicker(outboxRescan)
	defer t.Stop()
	last, _ := r.store.OutboxSignal(context.Background())
	for {
		select {
		case <-quit:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		v, err := r.store.OutboxSignal(ctx)
		if err == nil && v != last {
			err = r.store.PendingOutboxExcept(ctx, r.sender.knows, func(e store.OutboxEntry) { r.sender.submit(e) })
			if err == nil {
				last = v
			}
		}
		cancel()
		if err != nil {
			r.log.Warn("checking for messages queued by other processes failed; will retry", "error", err)
		}
	}
}

// Stop stops receiving, lets lanes finish and the sender drain until ctx
// ends, and records what was done. Work left over stays persisted and is
// resumed by the next Start. Stopping again returns the first result.
func (r *Runtime) Stop(ctx context.Context) error {
	r.stopOnce.Do(func() { r.stopErr = r.stop(ctx) })
	return r.stopErr
}

func (r *Runtime) stop(ctx context.Context) error {
	r.running.Store(false)
	if r.fenced() {
		// Not the active process any more: nothing may be sent or
		// written, so there is nothing to wait for.
		c, cancel := context.WithCancel(ctx)
		cancel()
		ctx = c
	}
	defer close(r.quit)
	if r.stopIntake != nil {
		r.stopIntake()
		<-r.pollDone
	}
	lanesDone := true
	if r.lanes != nil {
		lanesDone = r.lanes.stop(ctx)
	}
	if r.commits != nil {
		r.commits.stop(ctx)
		r.doneUpdates.stop(ctx)
	}
	if f := r.feeder(); f != nil {
		f.stop()
	}
	sent := r.sender.stop(ctx)
	if !lanesDone || !sent {
		return errors.New("stopped before all work was finished; it will resume at the next start")
	}
	return nil
}

// Queued is how many messages wait to be sent.
func (r *Runtime) Queued() int { return r.sender.queued() }

// Processed counts handled updates by outcome, for tests and the load
// generator.
func (r *Runtime) Processed(outcome string) uint64 { return r.m.processed.Get(outcome) }

// Command is one entry of the bot's command menu.
type Command struct{ Name, Description string }

// SetCommands registers the command menu for each language (setMyCommands
// with language_code), so people see it in their Telegram's language.
// The Italian menu is also the default for every other language.
func (r *Runtime) SetCommands(ctx context.Context, byLang map[string][]Command) error {
	var errs []error
	for lang, cmds := range byLang {
		list := make([]models.BotCommand, len(cmds))
		for i, c := range cmds {
			list[i] = models.BotCommand{Command: c.Name, Description: c.Description}
		}
		code := lang
		if lang == "fil" { // Telegram takes ISO 639-1 codes: Filipino is Tagalog's "tl"
			code = "tl"
		}
		if _, err := r.tg.api.SetMyCommands(ctx, &tg.SetMyCommandsParams{Commands: list, LanguageCode: code}); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", lang, err))
		}
		if lang == "it" {
			if _, err := r.tg.api.SetMyCommands(ctx, &tg.SetMyCommandsParams{Commands: list}); err != nil {
				errs = append(errs, fmt.Errorf("default: %w", err))
			}
		}
	}
	return errors.Join(errs...)
}

// recentDone remembers the update ids most recently finished (done, or set
// aside), so tests and the load generator can wait for one update.
type recentDone struct {
	mu   sync.Mutex
	ids  map[int64]int
	ring [4096]int64
	next int
}

func (d *recentDone) add(id int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ids == nil {
		d.ids = map[int64]int{}
	}
	if old := d.ring[d.next]; old != 0 {
		if d.ids[old]--; d.ids[old] <= 0 {
			delete(d.ids, old)
		}
	}
	d.ring[d.next] = id
	d.ids[id]++
	d.next = (d.next + 1) % len(d.ring)
}

func (d *recentDone) has(id int64) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.ids[id] > 0
}

// Handled reports whether the update with this id was finished recently
// (among the last 4,096): its effects are persisted, or it was set aside.
func (r *Runtime) Handled(updateID int64) bool { return r.done.has(updateID) }
