package escalation_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/prils-lazio/presidio/internal/cases"
	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/escalation"
	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/internal/store/storetest"
	"github.com/prils-lazio/presidio/locales"
)

// Two real processes on one embedded store (the second and third are
// clients through the first's socket) relay a person's first message at
// the same moment, each in its own desk: the case gets one topic in the
// operators' group, the one it records; the topic the loser made is
// deleted. (In one process the desk's lanes take turns; only processes
// race.)
func TestOneTopicPerCaseAcrossRealProcesses(t *testing.T) {
	if os.Getenv("PRESIDIO_TOPIC_CHILD") != "" {
		topicChild(t)
		return
	}
	dir := t.TempDir()
	st := storetest.OpenAt(t, dir)
	ctx := context.Background()
	cs, err := cases.New(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	next, live := 0, map[int]bool{}
	forum := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		switch r.URL.Path {
		case "/create":
			next++
			live[next] = true
			fmt.Fprint(w, next)
		case "/delete":
			id, _ := strconv.Atoi(r.URL.Query().Get("id"))
			delete(live, id)
		}
	}))
	defer forum.Close()
	for round := range 3 {
		c, _, err := cs.Open(ctx, cases.OpenRequest{ChatID: int64(6000 + round), PersonName: "Amina", Lang: "ar", Topic: "permits"})
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		clear(live)
		mu.Unlock()
		start := time.Now().Add(1500 * time.Millisecond)
		var wg sync.WaitGroup
		outs := make([][]byte, 2)
		errs := make([]error, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cmd := exec.Command(os.Args[0], "-test.run=^TestOneTopicPerCaseAcrossRealProcesses$", "-test.count=1")
				cmd.Env = append(os.Environ(), "PRESIDIO_TOPIC_CHILD=1", "PRESIDIO_TOPIC_DIR="+dir,
					"PRESIDIO_TOPIC_DB="+storetest.DatabaseFor(dir), "PRESIDIO_TOPIC_CASE="+c.ID,
					"PRESIDIO_TOPIC_CHAT="+strconv.FormatInt(c.ChatID, 10), "PRESIDIO_TOPIC_FORUM="+forum.URL,
					"PRESIDIO_TOPIC_START="+strconv.FormatInt(start.UnixNano(), 10), fmt.Sprintf("PRESIDIO_TOPIC_UPDATE=%d", round*10+i))
				outs[i], errs[i] = cmd.CombinedOutput()
			}()
		}
		wg.Wait()
		for i := range 2 {
			if errs[i] != nil {
				t.Fatalf("round %d, process %d: %v\n%s", round, i, errs[i], outs[i])
			}
		}
		got, err := cs.Get(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		var left []int
		for id := range live {
			left = append(left, id)
		}
		mu.Unlock()
		if len(left) != 1 || got.ThreadID != left[0] {
			t.Fatalf("round %d: topics left in the group %v; the case records %d", round, left, got.ThreadID)
		}
	}
}

// topicChild is one process: a desk on the shared store relaying the
// person's message at the agreed instant.
func topicChild(t *testing.T) {
	ctx := context.Background()
	cfg := store.Config{DataDir: os.Getenv("PRESIDIO_TOPIC_DIR")}
	if uri := os.Getenv("MONGODB_URI"); uri != "" {
		cfg.URI, cfg.Database = uri, os.Getenv("PRESIDIO_TOPIC_DB")
	}
	st, err := store.Open(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close(ctx)
	cs, err := cases.New(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	texts, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	desk := &escalation.Service{Cases: cs, Topics: httpForum(os.Getenv("PRESIDIO_TOPIC_FORUM")), Texts: texts, OperatorChat: group}
	chatID, _ := strconv.ParseInt(os.Getenv("PRESIDIO_TOPIC_CHAT"), 10, 64)
	update, _ := strconv.ParseInt(os.Getenv("PRESIDIO_TOPIC_UPDATE"), 10, 64)
	startNano, _ := strconv.ParseInt(os.Getenv("PRESIDIO_TOPIC_START"), 10, 64)
	time.Sleep(time.Until(time.Unix(0, startNano)))
	in := chat.Incoming{ChatID: chatID, Private: true, Kind: chat.KindText, Text: "ciao", UpdateID: update, MessageID: int(update) + 1}
	if _, _, err := desk.Relay(ctx, os.Getenv("PRESIDIO_TOPIC_CASE"), in); err != nil {
		t.Fatal(err)
	}
}

// httpForum creates and deletes topics in the parent test's forum.
type httpForum string

func (f httpForum) CreateTopic(ctx context.Context, _ int64, _ string) (int, error) {
	resp, err := http.Get(string(f) + "/create")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	time.Sleep(50 * time.Millisecond) // Telegram takes a moment
	return strconv.Atoi(string(b))
}

func (f httpForum) DeleteTopic(ctx context.Context, _ int64, thread int) error {
	resp, err := http.Get(fmt.Sprintf("%s/delete?id=%d", f, thread))
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func (httpForum) RenameTopic(context.Context, int64, int, string) error          { return nil }
func (httpForum) CloseTopic(context.Context, int64, int) error                   { return nil }
func (httpForum) ReopenTopic(context.Context, int64, int) error                  { return nil }
func (httpForum) EditButtons(context.Context, int64, int, [][]chat.Button) error { return nil }
func (httpForum) SendNow(context.Context, chat.Outgoing) (int, error)            { return 1, nil }
