package announce

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/prils-lazio/presidio/internal/courses"
	"github.com/prils-lazio/presidio/internal/store/storetest"
	"github.com/prils-lazio/presidio/internal/telegramtest"
)

// TestAnnouncementRateAlone measures the sustained rate of an announcement
// when nobody is chatting, as a share of Telegram's 30 messages/s (the
// figure BENCHMARKS.md reports). It takes about a minute, so it runs only
// with PRESIDIO_BENCH=1.
func TestAnnouncementRateAlone(t *testing.T) {
	if os.Getenv("PRESIDIO_BENCH") == "" {
		t.Skip("a measurement: PRESIDIO_BENCH=1 go test ./internal/announce -run RateAlone -v")
	}
	const recipients, firstChat = 1500, 300000
	ctx := context.Background()
	emu := telegramtest.New(telegramtest.Options{FloodLimits: true})
	t.Cleanup(emu.Close)
	st := storetest.Open(t)
	cs, err := courses.New(ctx, st, courses.Config{})
	if err != nil {
		t.Fatal(err)
	}
	people := make([]sess, recipients)
	for i := range people {
		people[i] = sess{chatID: int64(firstChat + i), lang: "it", consent: "yes"}
		emu.AddUser(telegramtest.User{ID: people[i].chatID, FirstName: "P"})
	}
	saveSessions(t, st, people...)
	var mu sync.Mutex
	var times []time.Time
	emu.OnSent(func(s telegramtest.Sent) {
		mu.Lock()
		times = append(times, s.At)
		mu.Unlock()
	})
	rt := startRuntime(t, emu, st)
	svc := &Service{Store: st, Courses: cs, Texts: fakeTexts{}, Enqueue: rt.Enqueue}
	if _, err := svc.Send(ctx, Announcement{ID: NewID(), Author: "coord", Role: RoleCoordinator,
		Audience: Audience{Kind: KindNews}, Text: map[string]string{"it": "Avviso di prova."}}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Minute)
	for {
		mu.Lock()
		n := len(times)
		mu.Unlock()
		if n >= recipients || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(times) < recipients {
		t.Fatalf("only %d of %d delivered", len(times), recipients)
	}
	span := times[len(times)-1].Sub(times[0])
	rate := float64(len(times)-1) / span.Seconds()
	t.Logf("%d announcement messages in %v: %.2f/s = %.1f%% of 30/s; 429 answers %d, early retries %d",
		len(times), span.Round(time.Millisecond), rate, rate/30*100, emu.TooManyRequests(), emu.EarlyRetries())
	if emu.EarlyRetries() != 0 {
		t.Errorf("%d early retries", emu.EarlyRetries())
	}
}
