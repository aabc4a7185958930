package announce

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/prils-lazio/presidio/internal/courses"
	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/internal/store/storetest"
)

// fakeTexts renders "<lang>|<id>|Course=..,Date=..,Place=.." so tests see
// which locale text was used.
type fakeTexts struct{}

func (fakeTexts) Text(lang, id string, data map[string]any) string {
	if len(data) == 0 {
		return lang + "|" + id
	}
	return fmt.Sprintf("%s|%s|%v|%v|%v", lang, id, data["Course"], data["Date"], data["Place"])
}

// queue collects what Send enqueues and the store says is waiting to be
// sent, holding each id once, as the sender does.
type queue struct {
	mu      sync.Mutex
	st      *store.Store
	entries []store.OutboxEntry
	held    map[string]bool
}

func (q *queue) Enqueue(ctx context.Context, es []store.OutboxEntry) error {
	waiting, err := q.st.Enqueue(ctx, es)
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.held == nil {
		q.held = map[string]bool{}
	}
	for _, e := range waiting {
		if !q.held[e.ID] {
			q.held[e.ID] = true
			q.entries = append(q.entries, e)
		}
	}
	return err
}

func newService(t testing.TB) (*Service, *queue) {
	t.Helper()
	st := storetest.Open(t)
	c, err := courses.New(context.Background(), st, courses.Config{})
	if err != nil {
		t.Fatal(err)
	}
	q := &queue{st: st}
	return &Service{Store: st, Courses: c, Texts: fakeTexts{}, Enqueue: q.Enqueue}, q
}

// sess describes a person's session for tests.
type sess struct {
	chatID  int64
	lang    string
	consent string
	news    string
	site    string
	topic   string
	blocked bool
}

func saveSessions(t testing.TB, st *store.Store, list ...sess) {
	t.Helper()
	ctx := context.Background()
	var batch []*store.Session
	for _, p := range list {
		state := bson.D{}
		if p.consent != "" {
			state = append(state, bson.E{Key: "consent", Value: p.consent})
		}
		if p.site != "" {
			state = append(state, bson.E{Key: "site", Value: p.site})
		}
		if p.news != "" {
			state = append(state, bson.E{Key: "news", Value: p.news})
		}
		if p.topic != "" {
			state = append(state, bson.E{Key: "vars", Value: bson.D{{Key: "topic", Value: p.topic}}})
		}
		raw, err := bson.Marshal(state)
		if err != nil {
			t.Fatal(err)
		}
		batch = append(batch, &store.Session{Lane: fmt.Sprint(p.chatID), ChatID: p.chatID, Lang: p.lang, State: raw})
		if len(batch) == 500 {
			if err := st.SaveSessions(ctx, batch); err != nil {
				t.Fatal(err)
			}
			batch = nil
		}
	}
	if err := st.SaveSessions(ctx, batch); err != nil {
		t.Fatal(err)
	}
	for _, p := range list {
		if p.blocked {
			if err := st.SetBlocked(ctx, fmt.Sprint(p.chatID), p.chatID, true); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func quietLogger() *slog.Logger {
	if os.Getenv("PRESIDIO_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}
