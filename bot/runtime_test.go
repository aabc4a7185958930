package bot_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/prils-lazio/presidio/bot"
	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/internal/store/storetest"
	"github.com/prils-lazio/presidio/internal/telegramtest"
)

// 1,000 chats each send 20 messages with random pauses, all at once: every
// chat gets its 20 answers, in the order it wrote them.
func TestOrderingAcrossManyChats(t *testing.T) {
	chats, perChat := 1000, 20
	if testing.Short() {
		chats = 100
	}
	emu := newEmulator(t, telegramtest.Options{})
	h := start(t, emu, storetest.Open(t), bot.Config{Parallel: 32})
	var wg sync.WaitGroup
	for c := 1; c <= chats; c++ {
		wg.Add(1)
		go func(id int64) {
			defer wg.Done()
			u := telegramtest.User{ID: id, FirstName: "U", LanguageCode: "it"}
			for i := 1; i <= perChat; i++ {
				emu.SendText(u, strconv.Itoa(i))
				time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
			}
		}(int64(1000 + c))
	}
	wg.Wait()
	outOfOrder := 0
	for c := 1; c <= chats; c++ {
		// Generous: this test is about order, not speed (BENCHMARKS.md
		// measures speed), and CI machines may be busy.
		got := texts(waitSent(t, emu, int64(1000+c), perChat, 8*time.Minute))
		for i, text := range got {
			if text != strconv.Itoa(i+1) {
				outOfOrder++
				t.Errorf("chat %d: answer %d is %q, want %d (all: %v)", 1000+c, i+1, text, i+1, got)
				break
			}
		}
	}
	if outOfOrder > 0 {
		t.Fatalf("%d chats saw answers out of order", outOfOrder)
	}
	settle()
	if n := len(emu.AllSent()); n != chats*perChat {
		t.Fatalf("%d messages sent, want exactly %d", n, chats*perChat)
	}
	_ = h
}

// A panic in the handler is recovered: the person gets the apology in
// their language, the chat is not stuck, other chats go on.
func TestPanicInHandlerApologisesAndGoesOn(t *testing.T) {
	emu := newEmulator(t, telegramtest.Options{})
	h := start(t, emu, storetest.Open(t), bot.Config{})
	u := telegramtest.User{ID: 7, FirstName: "Olena", LanguageCode: "uk"}
	emu.SendText(u, "hello") // sets the session language to "en"
	emu.SendText(u, "boom")
	emu.SendText(u, "still there?")
	got := texts(waitSent(t, emu, 7, 3, 10*time.Second))
	want := []string{"hello", "sorry (en)", "still there?"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q, want %q", got, want)
	}
	if h.rt.Processed("panic") != 1 {
		t.Fatalf("panics counted: %d", h.rt.Processed("panic"))
	}
}

// Update types the bot does not use never crash it: edits, channel posts,
// polls and inline queries get no answer; a sticker gets a kind one; a
// "blocked" member update marks the person unreachable.
func TestIgnoredAndUnsupportedUpdates(t *testing.T) {
	emu := newEmulator(t, telegramtest.Options{})
	st := storetest.Open(t)
	start(t, emu, st, bot.Config{})
	u := telegramtest.User{ID: 9, FirstName: "Ali", LanguageCode: "ar"}
	chatObj := models.Chat{ID: 9, Type: models.ChatTypePrivate, FirstName: "Ali"}
	from := &models.User{ID: 9, FirstName: "Ali"}
	emu.Inject(models.Update{EditedMessage: &models.Message{ID: 1, Chat: chatObj, From: from, Text: "edited"}})
	emu.Inject(models.Update{ChannelPost: &models.Message{ID: 2, Chat: models.Chat{ID: -100500, Type: models.ChatTypeChannel}, Text: "post"}})
	emu.Inject(models.Update{Poll: &models.Poll{ID: "p1", Question: "?"}})
	emu.Inject(models.Update{InlineQuery: &models.InlineQuery{ID: "q1", From: from, Query: "x"}})
	if _, err := emu.InjectRaw([]byte(`{"message":{"message_id":3,"date":1,"chat":{"id":9,"type":"private"},"from":{"id":9,"is_bot":false,"first_name":"Ali"},"some_future_field":{"x":1}}}`)); err != nil {
		t.Fatal(err)
	}
	emu.SendMessageUpdate(u, 9, 0, models.Message{Sticker: &models.Sticker{FileID: "stk"}})
	emu.SendText(u, "after all that")
	got := texts(waitSent(t, emu, 9, 3, 10*time.Second))
	if got[0] != "unsupported" || got[1] != "unsupported" || got[2] != "after all that" {
		t.Fatalf("got %q", got)
	}
	settle()
	if n := len(emu.AllSent()); n != 3 {
		t.Fatalf("%d messages sent, want 3: %q", n, texts(emu.AllSent()))
	}
	emu.UserBlocksBot(u)
	deadline := time.Now().Add(5 * time.Second)
	for {
		sess, _ := st.LoadSession(context.Background(), "9", 9)
		if sess.Blocked {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("blocking the bot was not recorded")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A second delivery of the same update (Telegram retrying) has no effect.
func TestDuplicateDeliveryHasNoEffect(t *testing.T) {
	emu := newEmulator(t, telegramtest.Options{})
	st := storetest.Open(t)
	h := start(t, emu, st, bot.Config{WebhookURL: "http://127.0.0.1:1/unused", WebhookSecret: "s3cret"})
	emu.AddUser(telegramtest.User{ID: 11, FirstName: "A"})
	srv := httptest.NewServer(h.rt)
	defer srv.Close()
	body := `{"update_id":500,"message":{"message_id":1,"date":1,"chat":{"id":11,"type":"private"},"from":{"id":11,"is_bot":false,"first_name":"A"},"text":"once"}}`
	for range 3 {
		req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(body))
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "s3cret")
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("delivery: %v %v", resp, err)
		}
		resp.Body.Close()
	}
	waitSent(t, emu, 11, 1, 5*time.Second)
	settle()
	if n := len(emu.Sent(11)); n != 1 {
		t.Fatalf("answered %d times, want once", n)
	}
}

// The webhook refuses requests without the right secret and stores
// nothing; malformed bodies get 400; Telegram's own deliveries (the
// emulator posting to the registered URL with the secret) are answered.
func TestWebhookSecretAndBadBodies(t *testing.T) {
	emu := newEmulator(t, telegramtest.Options{})
	st := storetest.Open(t)
	var rt http.Handler
	mux := http.NewServeMux()
	mux.HandleFunc("/tg/hook", func(w http.ResponseWriter, r *http.Request) { rt.ServeHTTP(w, r) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	h := start(t, emu, st, bot.Config{WebhookURL: srv.URL + "/tg/hook", WebhookSecret: "right_secret"})
	rt = h.rt
	if info := emu.WebhookInfo(); info.URL != srv.URL+"/tg/hook" {
		t.Fatalf("webhook not registered: %+v", info)
	}
	emu.AddUser(telegramtest.User{ID: 12, FirstName: "B"})
	update := `{"update_id":900,"message":{"message_id":1,"date":1,"chat":{"id":12,"type":"private"},"from":{"id":12,"is_bot":false,"first_name":"B"},"text":"forged"}}`
	cases := []struct {
		name, secret, body string
		want               int
	}{
		{"no secret", "", update, 401},
		{"wrong secret", "wrong", update, 401},
		{"not JSON", "right_secret", "{not json", 400},
		{"JSON but no update_id", "right_secret", `{"message":{}}`, 400},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/tg/hook", strings.NewReader(c.body))
		if c.secret != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", c.secret)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("%s: status %d, want %d", c.name, resp.StatusCode, c.want)
		}
	}
	if p, _ := st.PendingInbox(context.Background(), 10); len(p) != 0 {
		t.Fatalf("a refused request was stored (%d in the inbox)", len(p))
	}
	emu.SendText(telegramtest.User{ID: 13, FirstName: "C"}, "via webhook")
	if got := texts(waitSent(t, emu, 13, 1, 5*time.Second)); got[0] != "via webhook" {
		t.Fatalf("got %q", got)
	}
	if emu.Sent(12) != nil {
		t.Fatal("a forged update was answered")
	}
}

// Telegram answering 5xx makes the sender retry with backoff; the message
// arrives once.
func TestServerErrorsAreRetried(t *testing.T) {
	emu := newEmulator(t, telegramtest.Options{})
	start(t, emu, storetest.Open(t), bot.Config{})
	emu.FailNext("sendMessage", 3, 502)
	emu.SendText(telegramtest.User{ID: 21, FirstName: "D"}, "despite errors")
	if got := texts(waitSent(t, emu, 21, 1, 10*time.Second)); got[0] != "despite errors" {
		t.Fatalf("got %q", got)
	}
	settle()
	if n := len(emu.Sent(21)); n != 1 {
		t.Fatalf("delivered %d times", n)
	}
	if c := emu.Calls("sendMessage"); c != 4 {
		t.Fatalf("sendMessage called %d times, want 3 failures + 1 success", c)
	}
}

// With limits faster than Telegram's, the emulator answers 429: the sender
// waits the whole retry_after (no early retry), and every message arrives
// once, in order.
func TestTooManyRequestsWaitsRetryAfter(t *testing.T) {
	emu := newEmulator(t, telegramtest.Options{FloodLimits: true})
	h := start(t, emu, storetest.Open(t), bot.Config{Limits: bot.Limits{PerChat: 100, PerChatBurst: 100}})
	emu.SendText(telegramtest.User{ID: 31, FirstName: "E"}, "many:6")
	got := texts(waitSent(t, emu, 31, 6, 30*time.Second))
	for i, text := range got {
		if text != fmt.Sprintf("%d/6", i+1) {
			t.Fatalf("out of order after 429s: %q", got)
		}
	}
	if emu.TooManyRequests() == 0 {
		t.Fatal("the emulator never answered 429: the test did not exercise it")
	}
	if emu.EarlyRetries() != 0 {
		t.Fatalf("%d retries came before retry_after", emu.EarlyRetries())
	}
	if h.handler == nil {
		t.Fatal()
	}
}

// With Telegram's limits configured, a burst to several chats and a group
// never draws a 429.
func TestTelegramLimitsAvoid429(t *testing.T) {
	emu := newEmulator(t, telegramtest.Options{FloodLimits: true})
	start(t, emu, storetest.Open(t), bot.Config{Limits: bot.TelegramLimits})
	for id := int64(41); id <= 43; id++ {
		emu.SendText(telegramtest.User{ID: id, FirstName: "F"}, "many:5")
	}
	for id := int64(41); id <= 43; id++ {
		waitSent(t, emu, id, 5, 30*time.Second)
	}
	if n := emu.TooManyRequests(); n != 0 {
		t.Fatalf("%d answers were 429 although the sender keeps to Telegram's limits", n)
	}
}

// A person who blocked the bot: the 403 marks them unreachable and their
// queued messages are dropped, with no retry loop.
func TestBlockedPersonIsMarkedAndNotRetried(t *testing.T) {
	emu := newEmulator(t, telegramtest.Options{})
	st := storetest.Open(t)
	start(t, emu, st, bot.Config{})
	emu.Block(51)
	emu.SendText(telegramtest.User{ID: 51, FirstName: "G"}, "many:3")
	deadline := time.Now().Add(5 * time.Second)
	for {
		sess, _ := st.LoadSession(context.Background(), "51", 51)
		if sess.Blocked {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the person was not marked as having blocked the bot")
		}
		time.Sleep(20 * time.Millisecond)
	}
	settle()
	if c := emu.Calls("sendMessage"); c != 1 {
		t.Fatalf("sendMessage called %d times for a blocked person, want 1", c)
	}
	entries, err := st.OutboxForChat(context.Background(), 51)
	if err != nil || len(entries) != 3 {
		t.Fatalf("outbox of the blocked person: %d entries, %v", len(entries), err)
	}
	for i, e := range entries {
		if e.Status != store.OutboxBlocked {
			t.Fatalf("outbox entry %d: %+v", i, e)
		}
	}
}

// Long answers are split into Telegram-sized messages, in order.
func TestLongAnswersAreSplit(t *testing.T) {
	emu := newEmulator(t, telegramtest.Options{})
	start(t, emu, storetest.Open(t), bot.Config{})
	emu.SendText(telegramtest.User{ID: 61, FirstName: "H"}, "long:9000")
	got := waitSent(t, emu, 61, 3, 10*time.Second)
	total := 0
	for _, m := range got {
		if len([]rune(m.Text)) > bot.MaxMessageLen {
			t.Fatalf("a part has %d characters", len([]rune(m.Text)))
		}
		total += len(m.Text)
	}
	if total < 8900 {
		t.Fatalf("only %d characters arrived", total)
	}
}
