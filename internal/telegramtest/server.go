package telegramtest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"
)

// Options configures a Server. The zero value is usable.
type Options struct {
	// Token is the bot token the server accepts; requests carrying another
	// token get 401. Default "123456:TEST". The bot's user id is the number
	// before the colon (123456 by default).
	Token string
	// FloodLimits turns Telegram's sending limits on from the start (see
	// SetFloodLimits).
	FloodLimits bool
	// BotUsername is the bot's username in getMe. Default "presidio_test_bot".
	BotUsername string
	// BotName is the bot's first name in getMe. Default "Presidio Test Bot".
	BotName string
	// FirstUpdateID is the update_id of the first queued update. Default 1.
	FirstUpdateID int64
}

// Server is a running Bot API emulator. Create it with New, stop it with
// Close. All methods are safe for concurrent use.
type Server struct {
	opts  Options
	botID int64

	ln       net.Listener
	srv      *http.Server
	url      string
	done     chan struct{}
	baseCtx  context.Context
	cancel   context.CancelFunc
	closeOne sync.Once
	wg       sync.WaitGroup

	mu sync.Mutex

	// updates (updates.go)
	updates      []queuedUpdate
	nextUpdateID int64
	updCh        chan struct{}
	allowed      map[string]bool
	pollGen      int64

	// chats and people (state.go, users.go, groups.go)
	chats map[int64]*chatState
	users map[int64]User

	// what the bot did (sent.go)
	sent         []Sent
	sentByChat   map[int64][]Sent
	sentCh       chan struct{}
	onSent       []func(Sent)
	callbacks    map[string]*callbackState
	nextCallback int64
	answers      []CallbackAnswer
	commands     map[string][]models.BotCommand
	actions      map[int64][]string
	deleted      map[int64][]int

	// files (files.go)
	files     map[string][]byte
	filePaths map[string]string

	// faults (faults.go)
	calls    map[string]int
	failures []failRule
	latency  time.Duration

	// flood limits (flood.go)
	flood floodState

	// webhook (webhook.go)
	webhook webhookState
}

// New starts an emulator listening on 127.0.0.1 on a random port. It panics
// if it cannot listen (as httptest.NewServer does). Call Close when done.
func New(opts Options) *Server {
	if opts.Token == "" {
		opts.Token = "123456:TEST"
	}
	if opts.BotUsername == "" {
		opts.BotUsername = "presidio_test_bot"
	}
	if opts.BotName == "" {
		opts.BotName = "Presidio Test Bot"
	}
	if opts.FirstUpdateID <= 0 {
		opts.FirstUpdateID = 1
	}
	botID, err := strconv.ParseInt(strings.SplitN(opts.Token, ":", 2)[0], 10, 64)
	if err != nil || botID <= 0 {
		botID = 123456
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(fmt.Sprintf("telegramtest: listen: %v", err))
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		opts:         opts,
		botID:        botID,
		ln:           ln,
		url:          "http://" + ln.Addr().String(),
		done:         make(chan struct{}),
		baseCtx:      ctx,
		cancel:       cancel,
		nextUpdateID: opts.FirstUpdateID,
		updCh:        make(chan struct{}),
		chats:        map[int64]*chatState{},
		users:        map[int64]User{},
		sentByChat:   map[int64][]Sent{},
		sentCh:       make(chan struct{}),
		callbacks:    map[string]*callbackState{},
		commands:     map[string][]models.BotCommand{},
		actions:      map[int64][]string{},
		deleted:      map[int64][]int{},
		files:        map[string][]byte{},
		filePaths:    map[string]string{},
		calls:        map[string]int{},
		flood:        newFloodState(opts.FloodLimits),
	}
	s.srv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		// Serve only returns once Close was called (ErrServerClosed) or the
		// listener broke; either way there is nothing left to do.
		_ = s.srv.Serve(ln)
	}()
	go s.webhookLoop()
	return s
}

// URL is the server URL to give the client (bot.WithServerURL): requests go
// to URL()+"/bot"+token+"/"+method. It has no trailing slash.
func (s *Server) URL() string { return s.url }

// BotID is the bot's user id (the number before the colon of the token).
func (s *Server) BotID() int64 { return s.botID }

// Token is the token the server accepts.
func (s *Server) Token() string { return s.opts.Token }

// Close stops the server: pending long polls end, webhook delivery stops,
// connections are closed. It is safe to call more than once.
func (s *Server) Close() {
	s.closeOne.Do(func() {
		close(s.done)
		s.cancel()
		_ = s.srv.Close()
		s.wg.Wait()
	})
}

// ServeHTTP answers Bot API requests; it is what the listening server runs.
// It is exported so the emulator can also be mounted in another mux.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if strings.HasPrefix(path, "/file/bot") {
		s.serveFile(w, r)
		return
	}
	rest, ok := strings.CutPrefix(path, "/bot")
	if !ok {
		writeError(w, &apiError{code: http.StatusNotFound, desc: "Not Found"})
		return
	}
	token, method, ok := strings.Cut(rest, "/")
	if !ok || method == "" || strings.Contains(method, "/") {
		writeError(w, &apiError{code: http.StatusNotFound, desc: "Not Found"})
		return
	}
	if token != s.opts.Token {
		writeError(w, &apiError{code: http.StatusUnauthorized, desc: "Unauthorized"})
		return
	}
	m, known := lookupMethod(method)
	name := method
	if known {
		name = m.name
	}
	s.mu.Lock()
	s.calls[name]++
	latency := s.latency
	s.mu.Unlock()

	if !known {
		writeError(w, &apiError{code: http.StatusNotFound, desc: "Not Found: method not found"})
		return
	}
	if latency > 0 {
		t := time.NewTimer(latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		case <-s.done:
			t.Stop()
			return
		}
	}
	if e := s.takeFault(name); e != nil {
		s.writeErr(w, e)
		return
	}
	p, files, err := parseParams(r)
	if err != nil {
		s.writeErr(w, badRequest(err.Error()))
		return
	}
	c := &call{ctx: r.Context(), method: name, p: p, files: files}
	res, e := m.fn(s, c)
	if e != nil {
		s.writeErr(w, e)
		return
	}
	writeResult(w, res)
}

// writeErr writes e and counts 429 answers.
func (s *Server) writeErr(w http.ResponseWriter, e *apiError) {
	if e.code == http.StatusTooManyRequests {
		s.mu.Lock()
		s.flood.tooMany++
		s.mu.Unlock()
	}
	writeError(w, e)
}

// call is one Bot API request being answered.
type call struct {
	ctx    context.Context
	method string
	p      params
	files  map[string]upload
}

// broadcast closes *ch (waking every waiter) and installs a fresh channel.
// The caller holds s.mu.
func broadcast(ch *chan struct{}) {
	close(*ch)
	*ch = make(chan struct{})
}

// now returns the current time; one place to change if a fake clock is ever
// needed.
func now() time.Time { return time.Now() }
