package bot_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/prils-lazio/presidio/bot"
	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/metrics"
	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/internal/telegramtest"
)

// echo answers every text with "<text>" so tests can check what was
// answered and in which order; "boom" panics; a sticker gets "unsupported";
// "long:N" answers N characters; "many:N" answers N messages.
type echo struct {
	mu      sync.Mutex
	handled map[int64]int // update id → times Handle ran to completion
}

func (e *echo) Handle(_ context.Context, sess *store.Session, in chat.Incoming) ([]chat.Outgoing, error) {
	if in.Text == "boom" {
		panic("handler bug")
	}
	e.mu.Lock()
	if e.handled == nil {
		e.handled = map[int64]int{}
	}
	e.handled[in.UpdateID]++
	e.mu.Unlock()
	out := func(text string) []chat.Outgoing {
		return []chat.Outgoing{{ChatID: in.ChatID, ThreadID: in.ThreadID, Text: text}}
	}
	switch {
	case in.Kind == chat.KindEdited:
		return nil, nil
	case in.Kind == chat.KindUnsupported:
		return out("unsupported"), nil
	case in.Kind == chat.KindButton:
		return []chat.Outgoing{{ChatID: in.ChatID, Text: "pressed " + in.Data, CallbackID: in.CallbackID}}, nil
	case strings.HasPrefix(in.Text, "long:"):
		var n int
		fmt.Sscanf(in.Text, "long:%d", &n)
		return out(strings.Repeat("parola ", n/7)), nil
	case strings.HasPrefix(in.Text, "many:"):
		var n int
		fmt.Sscanf(in.Text, "many:%d", &n)
		var outs []chat.Outgoing
		for i := 1; i <= n; i++ {
			outs = append(outs, chat.Outgoing{ChatID: in.ChatID, Text: fmt.Sprintf("%d/%d", i, n)})
		}
		return outs, nil
	}
	sess.Lang = "en"
	// Count the updates applied to this chat in the session itself, so a
	// test can prove each was applied exactly once, across crashes too.
	var st struct{ Applied int }
	if len(sess.State) > 0 {
		_ = bson.Unmarshal(sess.State, &st)
	}
	st.Applied++
	sess.State, _ = bson.Marshal(st)
	return out(in.Text), nil
}

// appliedCount reads the counter echo keeps in a session.
func appliedCount(sess *store.Session) int {
	var st struct{ Applied int }
	if len(sess.State) > 0 {
		_ = bson.Unmarshal(sess.State, &st)
	}
	return st.Applied
}

func apology(lang string) string { return "sorry (" + lang + ")" }

type harness struct {
	emu     *telegramtest.Server
	store   *store.Store
	rt      *bot.Runtime
	handler *echo
	metrics *metrics.Registry
}

func quietLogger() *slog.Logger {
	if os.Getenv("PRESIDIO_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// start runs a runtime with the echo handler against emu and st.
func start(t *testing.T, emu *telegramtest.Server, st *store.Store, cfg bot.Config) *harness {
	t.Helper()
	h := &harness{emu: emu, store: st, handler: &echo{}, metrics: newRegistry()}
	cfg.Token, cfg.APIURL = emu.Token(), emu.URL()
	if cfg.PollTimeout == 0 {
		cfg.PollTimeout = time.Second
	}
	rt, err := bot.New(cfg, st, h.handler, apology, h.metrics, quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	h.rt = rt
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = rt.Stop(ctx)
	})
	return h
}

func newEmulator(t *testing.T, opts telegramtest.Options) *telegramtest.Server {
	emu := telegramtest.New(opts)
	t.Cleanup(emu.Close)
	return emu
}

func waitSent(t *testing.T, emu *telegramtest.Server, chatID int64, n int, within time.Duration) []telegramtest.Sent {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	got, err := emu.WaitSent(ctx, chatID, n)
	if err != nil {
		t.Fatalf("chat %d: %v", chatID, err)
	}
	return got
}

func texts(sent []telegramtest.Sent) []string {
	var out []string
	for _, s := range sent {
		out = append(out, s.Text)
	}
	return out
}

// settle waits a little to show that nothing more arrives.
func settle() { time.Sleep(300 * time.Millisecond) }

func newRegistry() *metrics.Registry { return metrics.NewRegistry() }
