package announce

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prils-lazio/presidio/bot"
	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/courses"
	"github.com/prils-lazio/presidio/internal/metrics"
	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/internal/store/storetest"
	"github.com/prils-lazio/presidio/internal/telegramtest"
)

// echo answers every text with the same text.
type echo struct{}

func (echo) Handle(_ context.Context, _ *store.Session, in chat.Incoming) ([]chat.Outgoing, error) {
	return []chat.Outgoing{{ChatID: in.ChatID, Text: "re: " + in.Text}}, nil
}

func startRuntime(t *testing.T, emu *telegramtest.Server, st *store.Store) *bot.Runtime {
	t.Helper()
	rt, err := bot.New(bot.Config{
		Token: emu.Token(), APIURL: emu.URL(), Limits: bot.TelegramLimits, PollTimeout: time.Second,
	}, st, echo{}, func(string) string { return "sorry" }, metrics.NewRegistry(), quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return rt
}

// TestAnnouncementDrain is the done-when: 5,000 recipients through
// the emulator with Telegram's flood limits enforced and a restart in the
// middle; everyone gets the announcement exactly once, no 429 is retried
// early, and interactive replies sent meanwhile keep a p99 under 1 s.
func TestAnnouncementDrain(t *testing.T) {
	if testing.Short() {
		t.Skip("drains 5,000 messages at Telegram's pace (about 3 minutes)")
	}
	const (
		recipients  = 5000
		firstChat   = 100000
		interactive = 10
		firstUser   = 900000
		restartAt   = recipients / 2
	)
	ctx := context.Background()
	emu := telegramtest.New(telegramtest.Options{FloodLimits: true})
	t.Cleanup(emu.Close)
	st := storetest.Open(t)
	cs, err := courses.New(ctx, st, courses.Config{})
	if err != nil {
		t.Fatal(err)
	}

	people := make([]sess, recipients)
	langs := []string{"it", "en", "ar", "uk", "fr"}
	for i := range people {
		id := int64(firstChat + i)
		people[i] = sess{chatID: id, lang: langs[i%len(langs)], consent: "yes"}
		emu.AddUser(telegramtest.User{ID: id, FirstName: "P"})
	}
	saveSessions(t, st, people...)

	// Announcement messages and interactive replies as the emulator sees
	// them.
	var (
		mu        sync.Mutex
		annTimes  []time.Time
		asked     = map[int64]time.Time{} // interactive chat → when its last question was queued
		latencies []time.Duration
	)
	annSent := atomic.Int64{}
	restartNow := make(chan struct{})
	emu.OnSent(func(s telegramtest.Sent) {
		mu.Lock()
		defer mu.Unlock()
		if s.ChatID >= firstUser {
			if t0, ok := asked[s.ChatID]; ok {
				latencies = append(latencies, s.At.Sub(t0))
				delete(asked, s.ChatID)
			}
			return
		}
		annTimes = append(annTimes, s.At)
		if annSent.Add(1) == restartAt {
			close(restartNow)
		}
	})

	var rtMu sync.Mutex
	rt := startRuntime(t, emu, st)
	current := func() *bot.Runtime { rtMu.Lock(); defer rtMu.Unlock(); return rt }
	svc := &Service{Store: st, Courses: cs, Texts: fakeTexts{}, Enqueue: func(ctx context.Context, es []store.OutboxEntry) error {
		return current().Enqueue(ctx, es)
	}}
	a := Announcement{
		ID: NewID(), Author: "coord", Role: RoleCoordinator, Audience: Audience{Kind: KindNews},
		Text: map[string]string{"it": "Domani la scuola è chiusa.", "en": "Tomorrow the school is closed."},
	}
	n, err := svc.Send(ctx, a)
	if err != nil || n != recipients {
		t.Fatalf("Send = %d, %v; want %d", n, err, recipients)
	}
	drainStart := time.Now()

	// Interactive people write every 5 s each (2 questions a second in all) (spread out) while the
	// announcement drains, and pause while the runtime restarts.
	var paused atomic.Bool
	stopTalk := make(chan struct{})
	var talk sync.WaitGroup
	for u := range interactive {
		user := telegramtest.User{ID: int64(firstUser + u), FirstName: "U"}
		emu.AddUser(user)
		talk.Add(1)
		go func() {
			defer talk.Done()
			time.Sleep(time.Duration(u) * 500 * time.Millisecond)
			tick := time.NewTicker(5 * time.Second)
			defer tick.Stop()
			for k := 0; ; k++ {
				select {
				case <-stopTalk:
					return
				case <-tick.C:
				}
				mu.Lock()
				_, waiting := asked[user.ID]
				if !waiting && !paused.Load() {
					asked[user.ID] = time.Now()
					emu.SendText(user, fmt.Sprintf("q%d", k))
				}
				mu.Unlock()
			}
		}()
	}

	// The restart: once half is delivered, wait 10 ms (so no call is in
	// flight: the global limit spaces sends 34 ms apart), stop with a
	// short deadline and start a new runtime on the same store.
	select {
	case <-restartNow:
	case <-time.After(3 * time.Minute):
		t.Fatal("half of the announcement not delivered in 3 minutes")
	}
	paused.Store(true)
	time.Sleep(10 * time.Millisecond)
	restartBegan := time.Now()
	stopCtx, cancel := context.WithTimeout(ctx, 5*time.Millisecond)
	_ = current().Stop(stopCtx) // leaves work pending, by design
	cancel()
	mu.Lock()
	clear(asked) // questions caught by the restart are not measured
	mu.Unlock()
	next := startRuntime(t, emu, st)
	rtMu.Lock()
	rt = next
	rtMu.Unlock()
	restartGap := time.Since(restartBegan)
	time.Sleep(time.Second)
	paused.Store(false)
	t.Cleanup(func() {
		c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = next.Stop(c)
	})

	// Resending the announcement (a retry) queues nobody again.
	if n, err := svc.Send(ctx, a); err != nil || n != recipients {
		t.Fatalf("second Send = %d, %v", n, err)
	}

	deadline := time.Now().Add(4 * time.Minute)
	for annSent.Load() < recipients && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	close(stopTalk)
	talk.Wait()
	time.Sleep(time.Second) // anything sent twice would show by now

	for _, p := range people {
		got := emu.Sent(p.chatID)
		if len(got) != 1 {
			t.Fatalf("chat %d got %d messages, want 1", p.chatID, len(got))
		}
		if p.lang == "ar" && got[0].Text != "ar|announce.from_school\n\nDomani la scuola è chiusa." {
			t.Fatalf("chat %d (ar) got %q", p.chatID, got[0].Text)
		}
	}
	if e := emu.EarlyRetries(); e != 0 {
		t.Errorf("%d requests retried before retry_after", e)
	}
	rep, err := svc.Report(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Total != recipients || rep.Sent != recipients || rep.Pending != 0 || rep.Failed != 0 {
		t.Errorf("report %+v, want all %d sent", rep, recipients)
	}

	mu.Lock()
	defer mu.Unlock()
	slices.Sort(latencies)
	if len(latencies) < 100 {
		t.Fatalf("only %d interactive replies measured", len(latencies))
	}
	p50 := latencies[len(latencies)/2]
	p99 := latencies[(len(latencies)*99)/100]
	span := annTimes[len(annTimes)-1].Sub(annTimes[0])
	rate := float64(len(annTimes)) / span.Seconds()
	rateNoRestart := float64(len(annTimes)) / (span - restartGap).Seconds()
	t.Logf("announcement: %d messages in %v (drain began %v after Send returned): %.2f/s = %.0f%% of 30/s; without the %v restart %.2f/s = %.0f%%",
		len(annTimes), span.Round(time.Millisecond), annTimes[0].Sub(drainStart).Round(time.Millisecond),
		rate, rate/30*100, restartGap.Round(time.Millisecond), rateNoRestart, rateNoRestart/30*100)
	all := 0
	for _, s := range emu.AllSent() {
		if !s.At.Before(annTimes[0]) && !s.At.After(annTimes[len(annTimes)-1]) {
			all++
		}
	}
	t.Logf("all messages during the drain: %d, %.2f/s = %.0f%% of 30/s", all, float64(all)/span.Seconds(), float64(all)/span.Seconds()/30*100)
	t.Logf("interactive replies: %d, p50 %v, p99 %v, max %v; 429 answers %d",
		len(latencies), p50, p99, latencies[len(latencies)-1], emu.TooManyRequests())
	if p99 >= time.Second {
		t.Errorf("interactive p99 %v, want under 1 s", p99)
	}
}
