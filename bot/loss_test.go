package bot_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prils-lazio/presidio/bot"
	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/internal/store/storetest"
	"github.com/prils-lazio/presidio/internal/telegramtest"
)

// Finding 1: after a restart on the same data, an emulator (or a Telegram
// after a week of silence) numbers updates from a lower id again. Those
// updates must be answered, not refused as seen before.
func TestRestartWithUpdateIDsFromOneAgainIsNotDeaf(t *testing.T) {
	dir := t.TempDir()
	st := storetest.OpenAt(t, dir)
	emu := newEmulator(t, telegramtest.Options{})
	h := start(t, emu, st, bot.Config{})
	u := telegramtest.User{ID: 301, FirstName: "R"}
	for i := range 5 {
		emu.SendText(u, fmt.Sprint("before ", i))
	}
	waitSent(t, emu, 301, 5, 10*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.rt.Stop(ctx); err != nil {
		t.Fatal(err)
	}

	emu2 := newEmulator(t, telegramtest.Options{}) // numbers updates from 1 again
	start(t, emu2, st, bot.Config{})
	for i := range 5 {
		emu2.SendText(u, fmt.Sprint("after ", i))
	}
	got := texts(waitSent(t, emu2, 301, 5, 10*time.Second))
	for i, text := range got {
		if text != fmt.Sprint("after ", i) {
			t.Fatalf("after the restart the bot answered %q", got)
		}
	}
}

// Finding 2: Telegram picks the next update_id at random after a week
// without updates, possibly lower than every id seen. Polling must not
// confirm such ids unseen by passing an offset above them.
func TestPollingAcceptsUpdateIDsThatGoDown(t *testing.T) {
	emu := newEmulator(t, telegramtest.Options{})
	start(t, emu, storetest.Open(t), bot.Config{})
	emu.SetNextUpdateID(100000)
	u := telegramtest.User{ID: 302, FirstName: "W"}
	for i := range 3 {
		emu.SendText(u, fmt.Sprint("high ", i))
	}
	waitSent(t, emu, 302, 3, 10*time.Second)
	time.Sleep(1500 * time.Millisecond) // a quiet spell: the last poll came back empty
	emu.SetNextUpdateID(7)
	for i := range 30 {
		emu.SendText(telegramtest.User{ID: int64(400 + i), FirstName: "L"}, "low")
	}
	for i := range 30 {
		waitSent(t, emu, int64(400+i), 1, 10*time.Second)
	}
}

// Finding 2, webhook: deliveries with ids below ones already seen, out of
// order and repeated, are each answered once.
func TestWebhookUpdateIDsThatGoDownOutOfOrderAndRepeated(t *testing.T) {
	emu := newEmulator(t, telegramtest.Options{})
	st := storetest.Open(t)
	h := startWebhook(t, emu, st)
	emu.SetNextUpdateID(5000)
	for i := range 10 {
		emu.SendText(telegramtest.User{ID: int64(500 + i), FirstName: "H"}, "high")
	}
	for i := range 10 {
		waitSent(t, emu, int64(500+i), 1, 10*time.Second)
	}
	// Lower ids, delivered by hand out of order, each twice.
	var raws [][]byte
	for i := range 20 {
		emu.AddUser(telegramtest.User{ID: int64(600 + i), FirstName: "Q"})
		raws = append(raws, []byte(fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"date":1,"chat":{"id":%d,"type":"private"},"from":{"id":%d,"is_bot":false,"first_name":"Q"},"text":"low %d"}}`, 40-i, 1, 600+i, 600+i, i)))
	}
	for round := range 2 {
		for i := range raws {
			j := (i*7 + round) % len(raws)
			h.deliver(t, raws[j])
		}
	}
	for i := range 20 {
		got := texts(waitSent(t, emu, int64(600+i), 1, 10*time.Second))
		if got[0] != "low "+strconv.Itoa(i) {
			t.Fatalf("chat %d got %q", 600+i, got)
		}
	}
	settle()
	for i := range 20 {
		if n := len(emu.Sent(int64(600 + i))); n != 1 {
			t.Fatalf("chat %d answered %d times, want once", 600+i, n)
		}
	}
}

// Finding 3: a commit whose outbox insert landed but reported an error is
// retried, and the answer goes out at once (before, it waited for a
// restart), exactly once.
func TestCommitAfterAWriteThatLandedSendsTheAnswerOnce(t *testing.T) {
	st, faults := storetest.OpenWithFaults(t)
	emu := newEmulator(t, telegramtest.Options{})
	start(t, emu, st, bot.Config{})
	rule := faults.Add(storetest.Rule{Command: "insert", Collection: "outbox", Fault: storetest.LandThenDrop, Times: 1})
	emu.SendText(telegramtest.User{ID: 303, FirstName: "F"}, "landed")
	got := texts(waitSent(t, emu, 303, 1, 15*time.Second))
	if faults.Hits(rule) != 1 || got[0] != "landed" {
		t.Fatalf("hits %d, answer %q", faults.Hits(rule), got)
	}
	settle()
	if n := len(emu.Sent(303)); n != 1 {
		t.Fatalf("answered %d times, want once", n)
	}
}

// Finding 3, intake: an inbox insert that landed but reported an error is
// processed (before, the retry took the duplicate for "already handled").
func TestIntakeAfterAWriteThatLandedProcessesTheUpdate(t *testing.T) {
	st, faults := storetest.OpenWithFaults(t)
	emu := newEmulator(t, telegramtest.Options{})
	faults.Add(storetest.Rule{Command: "insert", Collection: "pending_updates", Fault: storetest.LandThenDrop, Times: 1})
	start(t, emu, st, bot.Config{})
	emu.SendText(telegramtest.User{ID: 304, FirstName: "I"}, "received")
	if got := texts(waitSent(t, emu, 304, 1, 15*time.Second)); got[0] != "received" {
		t.Fatalf("got %q", got)
	}
	settle()
	if n := len(emu.Sent(304)); n != 1 {
		t.Fatalf("answered %d times, want once", n)
	}
}

// Finding 5: an update whose commit fails every time while the store
// answers (a poison update) is set aside after a bounded number of tries;
// the lane goes on with the person's next message and other chats are
// never held up.
func TestPoisonUpdateIsSetAsideAndDoesNotBlock(t *testing.T) {
	st, faults := storetest.OpenWithFaults(t)
	emu := newEmulator(t, telegramtest.Options{})
	h := start(t, emu, st, bot.Config{MaxAttempts: 3})
	poison := faults.Add(storetest.Rule{Command: "insert", Collection: "outbox", Contains: "poison-pill", Fault: storetest.FailBefore, Times: -1})
	u := telegramtest.User{ID: 305, FirstName: "P"}
	emu.SendText(u, "poison-pill")
	emu.SendText(u, "next")
	for i := range 10 {
		emu.SendText(telegramtest.User{ID: int64(700 + i), FirstName: "O"}, "other")
	}
	for i := range 10 {
		waitSent(t, emu, int64(700+i), 1, 10*time.Second)
	}
	if got := texts(waitSent(t, emu, 305, 1, 30*time.Second)); got[0] != "next" {
		t.Fatalf("the person's next message got %q", got)
	}
	if faults.Hits(poison) < 3 {
		t.Fatalf("the poison update was tried %d times", faults.Hits(poison))
	}
	aside, err := st.SetAsideUpdates(context.Background(), 10)
	if err != nil || len(aside) != 1 || aside[0].Lane != "305" {
		t.Fatalf("set aside: %+v, %v", aside, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		p, _ := st.PendingInbox(context.Background(), 10)
		if len(p) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d updates still pending", len(p))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if v := metricsText(h); !containsLine(v, "presidio_updates_set_aside_total 1") {
		t.Fatalf("metrics do not count the update set aside:\n%s", v)
	}
}

type webhookHarness struct {
	*harness
	url string
}

// startWebhook runs the runtime in webhook mode, registered with the
// emulator, which then delivers its updates by POSTing them.
func startWebhook(t *testing.T, emu *telegramtest.Server, st *store.Store) *webhookHarness {
	t.Helper()
	var rt http.Handler
	mux := http.NewServeMux()
	mux.HandleFunc("/hook", func(w http.ResponseWriter, r *http.Request) { rt.ServeHTTP(w, r) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	h := start(t, emu, st, bot.Config{WebhookURL: srv.URL + "/hook", WebhookSecret: "s3cret"})
	rt = h.rt
	return &webhookHarness{harness: h, url: srv.URL + "/hook"}
}

// deliver posts one update as Telegram would.
func (h *webhookHarness) deliver(t *testing.T, raw []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, h.url, bytes.NewReader(raw))
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "s3cret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("delivery: %v %v", resp, err)
	}
	resp.Body.Close()
}

func metricsText(h *harness) string {
	var b strings.Builder
	h.metrics.Write(&b)
	return b.String()
}

func containsLine(text, line string) bool {
	for _, l := range strings.Split(text, "\n") {
		if l == line {
			return true
		}
	}
	return false
}

// /readyz follows Running: not before the runtime has resumed its backlog
// and receives, and not after it stopped.
func TestRunningOnlyBetweenStartAndStop(t *testing.T) {
	emu := newEmulator(t, telegramtest.Options{})
	rt, err := bot.New(bot.Config{Token: emu.Token(), APIURL: emu.URL(), PollTimeout: time.Second}, storetest.Open(t), &echo{}, apology, newRegistry(), quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	if rt.Running() {
		t.Fatal("running before Start")
	}
	if err := rt.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !rt.Running() {
		t.Fatal("not running after Start")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = rt.Stop(ctx)
	if rt.Running() {
		t.Fatal("running after Stop")
	}
}
