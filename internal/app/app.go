// Package app wires Presidio together: configuration, store, translations,
// the Telegram runtime, the HTTP server (health, metrics, webhook, sandbox)
// and the periodic sweeper. cmd/presidio and cmd/loadgen both start it, and
// tests start it on port 0 with a temporary data folder.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/prils-lazio/presidio/bot"
	"github.com/prils-lazio/presidio/internal/cases"
	"github.com/prils-lazio/presidio/internal/config"
	"github.com/prils-lazio/presidio/internal/escalation"
	"github.com/prils-lazio/presidio/internal/metrics"
	"github.com/prils-lazio/presidio/internal/sandbox"
	"github.com/prils-lazio/presidio/internal/signup"
	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/internal/telegramtest"
	"github.com/prils-lazio/presidio/locales"
)

// App is a running Presidio.
type App struct {
	cfg config.Config
	log *slog.Logger

	// Store, Runtime and (in the sandbox) Emulator are exposed for tests
	// and the load generator.
	Store    *store.Store
	Runtime  *bot.Runtime
	Emulator *telegramtest.Server
	Metrics  *metrics.Registry

	// Limits overrides the send limits (the load generator turns them off).
	Limits *bot.Limits
	// Handler overrides the flows (tests of the runtime use their own).
	Handler bot.Handler

	desk        *escalation.Service
	cases       *cases.Cases
	texts       *locales.Catalog
	signup      *signup.Service
	ownEmulator bool
	stopped     bool
	listener    net.Listener
	server      *http.Server
	stopSweeper context.CancelFunc
	// stopReminders ends the loop that raises unanswered cases again.
	stopReminders context.CancelFunc
	remindersDone chan struct{}
	sweeperDone   chan struct{}
	elect         *election
	activeStarted bool          // set by startActive, only from the election's goroutine or Start
	quit          chan struct{} // closed by Stop: ends background loops
}

// New prepares an app; Start runs it.
func New(cfg config.Config, log *slog.Logger) *App {
	ttl := cfg.LeaseTimeout
	if ttl == 0 {
		ttl = 10 * time.Second
	}
	return &App{cfg: cfg, log: log, Metrics: metrics.NewRegistry(), elect: newElection(ttl), quit: make(chan struct{})}
}

// Start opens the store, starts the runtime and serves HTTP. On error,
// everything already started is stopped again.
func (a *App) Start(ctx context.Context) (err error) {
	defer func() {
		if err != nil {
			_ = a.Stop(context.WithoutCancel(ctx))
		}
	}()
	if err := a.cfg.CheckServe(); err != nil {
		return err
	}
	texts, err := a.loadTexts()
	if err != nil {
		return err
	}
	a.texts = texts
	a.Store, err = store.Open(ctx, store.Config{URI: a.cfg.MongoURI, DataDir: a.cfg.DataDir}, a.log)
	if err != nil {
		return err
	}
	a.Metrics.NewCounterFunc("presidio_store_commands_total", "Commands sent to the database (round trips).", a.Store.Commands)
	a.observeStore()
	// Versions before buttons under old messages were laned by the presser
	// kept one session "other" shared by everyone who pressed one: it mixes
	// several people's data, so it goes.
	if err := a.Store.DeleteSession(ctx, "other"); err != nil {
		return err
	}
	rcfg := bot.Config{
		Token: a.cfg.Token, APIURL: a.cfg.APIURL,
		WebhookURL: a.cfg.WebhookURL, WebhookSecret: a.cfg.WebhookSecret,
		Limits: bot.TelegramLimits,
		Fence:  a.elect.valid,
	}
	if a.cfg.Sandbox() {
		if a.Emulator == nil { // tests may bring their own, to restart on it
			a.Emulator = telegramtest.New(telegramtest.Options{})
			a.Emulator.CreateForumGroup(SandboxOperatorChat, "Operatori PRILS (sandbox)")
			a.ownEmulator = true
		}
		rcfg.Token, rcfg.APIURL = a.Emulator.Token(), a.Emulator.URL()
	}
	if a.Limits != nil {
		rcfg.Limits = *a.Limits
	}
	handler := a.Handler
	if handler == nil {
		if handler, err = a.flowsHandler(ctx, texts); err != nil {
			return err
		}
	}
	// The domain packages made their collections: index them for lookups by
	// _id now rather than at the store's next maintenance pass.
	if err := a.Store.IndexNewCollections(ctx); err != nil {
		return err
	}
	apology := func(lang string) string { return texts.Text(lang, "error.apology", nil) }
	a.Runtime, err = bot.New(rcfg, a.Store, handler, apology, a.Metrics, a.log)
	if err != nil {
		return err
	}
	if a.desk != nil {
		a.wireDesk()
	}
	if err := a.serveHTTP(texts); err != nil {
		return err
	}
	a.Metrics.NewGaugeFunc("presidio_active", "1 while this process holds the lease (the active one), 0 while it stands by.", func() float64 {
		if a.elect.isActive() {
			return 1
		}
		return 0
	})
	if err := a.runElection(ctx); err != nil {
		return err
	}
	if a.cfg.Sandbox() {
		a.log.Info("sandbox ready: open it in a browser to chat with the bot as a migrant", "url", "http://"+a.Addr()+"/")
	}
	return nil
}

// startActive starts what only the active process does: the runtime
// (resuming the backlog, receiving, sending) and the schedulers.
func (a *App) startActive(ctx context.Context) error {
	if a.activeStarted {
		return nil // once per process: a runtime is not started twice
	}
	a.activeStarted = true
	if err := a.Runtime.Start(ctx); err != nil {
		return err
	}
	if err := a.Runtime.SetCommands(ctx, commands(a.texts)); err != nil {
		a.log.Warn("could not register the bot's commands with Telegram", "error", err)
	}
	a.startSweeper()
	a.startReminders()
	return nil
}

func (a *App) loadTexts() (*locales.Catalog, error) {
	if a.cfg.LocalesDir != "" {
		return locales.LoadDir(a.cfg.LocalesDir)
	}
	return locales.Load()
}

// commands are the bot's command menu in every language.
func commands(texts *locales.Catalog) map[string][]bot.Command {
	out := map[string][]bot.Command{}
	for _, l := range texts.Languages() {
		for _, c := range []string{"start", "menu", "services", "courses", "mycourses", "settings", "language", "help", "privacy", "mydata", "forget"} {
			out[l.Tag] = append(out[l.Tag], bot.Command{Name: c, Description: texts.Text(l.Tag, "command."+c, nil)})
		}
	}
	return out
}

func (a *App) serveHTTP(texts *locales.Catalog) error {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if a.Runtime == nil || !a.Runtime.Running() {
			if a.Store != nil && !a.elect.isActive() {
				http.Error(w, "standby", http.StatusServiceUnavailable)
				return
			}
			http.Error(w, "starting", http.StatusServiceUnavailable)
			return
		}
		if err := a.Store.Ping(ctx); err != nil {
			http.Error(w, "store unreachable", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		a.Metrics.Write(w)
	})
	if a.cfg.WebhookURL != "" {
		u, err := url.Parse(a.cfg.WebhookURL)
		if err != nil {
			return err
		}
		path := u.Path
		if path == "" {
			path = "/"
		}
		mux.Handle(path, a.Runtime)
	}
	if a.desk != nil {
		c, err := a.consoleHandler()
		if err != nil {
			return err
		}
		mux.Handle("/console/", c)
	}
	if a.Emulator != nil {
		mux.Handle("/", sandbox.New(a.Emulator, texts, a.operatorChat()))
	}
	ln, err := net.Listen("tcp", a.cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("PRESIDIO_HTTP_ADDR: cannot listen on %s: %w", a.cfg.HTTPAddr, err)
	}
	a.listener = ln
	a.server = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := a.server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Error("http server stopped", "error", err)
		}
	}()
	return nil
}

// Addr is the address the HTTP server listens on (useful with port 0).
func (a *App) Addr() string {
	if a.listener == nil {
		return ""
	}
	return a.listener.Addr().String()
}

// startSweeper deletes old inbox and outbox records every hour: FerretDB
// has no TTL indexes, so expiry is the application's job.
func (a *App) startSweeper() {
	ctx, cancel := context.WithCancel(context.Background())
	a.stopSweeper, a.sweeperDone = cancel, make(chan struct{})
	go func() {
		defer close(a.sweeperDone)
		tick := time.NewTicker(time.Hour)
		defer tick.Stop()
		for {
			now := time.Now()
			if n, err := a.Store.SweepOutbox(ctx, now.Add(-30*24*time.Hour)); err != nil {
				a.log.Warn("sweeping the outbox failed", "error", err)
			} else if n > 0 {
				a.log.Info("swept old outbox records", "count", n)
			}
			a.compactObservatory(ctx, now)
			if a.cases != nil && a.cfg.CaseRetention > 0 {
				if n, err := a.cases.SweepClosed(ctx, now.Add(-a.cfg.CaseRetention)); err != nil {
					a.log.Warn("removing the personal content of old closed cases failed", "error", err)
				} else if n > 0 {
					a.log.Info("removed the personal content of old closed cases", "cases", n)
				}
			}
			a.purgeFinishedCourses(ctx, now)
			if err := a.Store.Reclaim(ctx); err != nil {
				a.log.Warn("giving free space back to the file system failed", "error", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
}

// Stop stops intake, finishes work in progress until ctx ends, and closes
// everything. Work not finished stays persisted for the next start.
func (a *App) Stop(ctx context.Context) error {
	if a.stopped {
		return nil
	}
	a.stopped = true
	close(a.quit)
	var errs []error
	if a.Runtime != nil {
		if err := a.Runtime.Stop(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if a.Store != nil {
		a.stopElection(context.WithoutCancel(ctx))
	}
	if a.stopSweeper != nil {
		a.stopSweeper()
		<-a.sweeperDone
	}
	if a.stopReminders != nil {
		a.stopReminders()
		<-a.remindersDone
	}
	if a.server != nil {
		shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		_ = a.server.Shutdown(shutdownCtx)
		cancel()
	}
	if a.Emulator != nil && a.ownEmulator {
		a.Emulator.Close()
	}
	if a.Store != nil {
		if err := a.Store.Close(context.WithoutCancel(ctx)); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
