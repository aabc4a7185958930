package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prils-lazio/presidio/internal/telegramtest"
	"github.com/prils-lazio/presidio/locales"
)

const (
	modeThroughput = "throughput"
	modeRate       = "rate"
)

// replyTimeout is how long a measured message may wait for its reply before
// it counts as lost.
const replyTimeout = 30 * time.Second

// languageCodes are the Telegram language codes the simulated people have,
// in turn: the languages Presidio speaks, and one it does not ("ps").
var languageCodes = []string{"it", "en", "ar", "uk", "fr", "es", "ro", "ru", "zh-hans", "bn", "ur", "pa", "sq", "tl", "ps"}

// person is one simulated user with the messages they wait replies to.
type person struct {
	u telegramtest.User
	// placeholder is Presidio's answer to a plain text in the person's
	// language.
	placeholder string

	mu      sync.Mutex
	waiting []*exchange // in the order sent
}

// exchange is one message sent and the replies it still expects.
type exchange struct {
	sent     time.Time
	left     int    // replies still expected
	want     string // text of the (last) reply; "" = not checked
	measured bool
	done     chan struct{} // closed when the last reply arrived; may be nil
}

// tracker matches the emulator's deliveries to the exchanges waiting for
// them and collects latencies.
type tracker struct {
	people map[int64]*person // by chat id; read-only once the run starts

	mu        sync.Mutex
	latencies []time.Duration
	lastReply time.Time

	completed atomic.Int64 // measured exchanges with all their replies
	wrong     atomic.Int64 // replies whose text was not the expected one
	unmatched atomic.Int64 // deliveries nobody was waiting for
}

// onSent runs inside the emulator for every delivery (see OnSent): quick.
func (t *tracker) onSent(s telegramtest.Sent) {
	now := time.Now()
	p := t.people[s.ChatID]
	if p == nil {
		t.unmatched.Add(1)
		return
	}
	p.mu.Lock()
	if len(p.waiting) == 0 {
		p.mu.Unlock()
		t.unmatched.Add(1)
		return
	}
	x := p.waiting[0]
	x.left--
	finished := x.left == 0
	if finished {
		p.waiting[0] = nil
		p.waiting = p.waiting[1:]
	}
	p.mu.Unlock()
	if x.want != "" && finished && s.Text != x.want {
		t.wrong.Add(1)
	}
	if !finished {
		return
	}
	if x.measured {
		t.mu.Lock()
		t.latencies = append(t.latencies, now.Sub(x.sent))
		if now.After(t.lastReply) {
			t.lastReply = now
		}
		t.mu.Unlock()
		t.completed.Add(1)
	}
	if x.done != nil {
		close(x.done)
	}
}

// send queues text from p, expecting replies answers.
func (t *tracker) send(emu *telegramtest.Server, p *person, text string, replies int, want string, measured, wait bool) *exchange {
	x := &exchange{left: replies, want: want, measured: measured}
	if wait {
		x.done = make(chan struct{})
	}
	p.mu.Lock()
	p.waiting = append(p.waiting, x)
	x.sent = time.Now()
	p.mu.Unlock()
	emu.SendText(p.u, text)
	return x
}

func newPeople(n int, texts *locales.Catalog) map[int64]*person {
	people := make(map[int64]*person, n)
	for i := range n {
		code := languageCodes[i%len(languageCodes)]
		lang, ok := texts.Match(code)
		if !ok {
			lang = "it"
		}
		id := int64(1_000_000_000 + i)
		people[id] = &person{
			u:           telegramtest.User{ID: id, FirstName: "Persona", LastName: strconv.Itoa(i), LanguageCode: code},
			placeholder: texts.Text(lang, "menu.placeholder", nil),
		}
	}
	return people
}

// ordered returns the people by id.
func ordered(people map[int64]*person) []*person {
	out := make([]*person, 0, len(people))
	for i := range len(people) {
		out = append(out, people[int64(1_000_000_000+i)])
	}
	return out
}

// loadTexts returns the catalog Presidio answers from.
func loadTexts() (*locales.Catalog, error) {
	if dir := os.Getenv("PRESIDIO_LOCALES_DIR"); dir != "" {
		return locales.LoadDir(dir)
	}
	return locales.Load()
}

// run is one measurement's load: target decides the expected replies.
type load struct {
	emu    *telegramtest.Server
	t      *tracker
	people []*person
	target string
	seq    atomic.Int64 // makes every text unique
}

func (l *load) text() string { return "ciao " + strconv.FormatInt(l.seq.Add(1), 10) }

// want is the expected reply to text from p.
func (l *load) want(p *person, text string) string {
	if l.target == targetEcho {
		return text
	}
	return p.placeholder
}

// warmUp has every person send /start and waits for the answers (two from
// Presidio, one from the echo bot), so sessions exist before measuring.
func (l *load) warmUp(ctx context.Context) error {
	replies := 2
	if l.target == targetEcho {
		replies = 1
	}
	xs := make([]*exchange, len(l.people))
	for i, p := range l.people {
		xs[i] = l.t.send(l.emu, p, "/start", replies, "", false, true)
	}
	deadline := time.NewTimer(90 * time.Second)
	defer deadline.Stop()
	for i, x := range xs {
		select {
		case <-x.done:
		case <-deadline.C:
			missing := 0
			for _, x := range xs[i:] {
				select {
				case <-x.done:
				default:
					missing++
				}
			}
			return fmt.Errorf("warm-up: %d of %d people got no full answer to /start within 90s", missing, len(xs))
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// closedLoop has every person send, wait for the reply, and send again,
// until the deadline or until maxUpdates messages were sent (0: no limit).
// It returns how many messages were sent and how many of them were lost
// (no reply within replyTimeout).
func (l *load) closedLoop(ctx context.Context, deadline time.Time, maxUpdates int64) (sent, lost int64) {
	var tickets, lostN atomic.Int64
	var wg sync.WaitGroup
	for _, p := range l.people {
		wg.Add(1)
		go func() {
			defer wg.Done()
			timer := time.NewTimer(replyTimeout)
			defer timer.Stop()
			for ctx.Err() == nil && time.Now().Before(deadline) {
				if n := tickets.Add(1); maxUpdates > 0 && n > maxUpdates {
					return
				}
				text := l.text()
				x := l.t.send(l.emu, p, text, 1, l.want(p, text), true, true)
				timer.Reset(replyTimeout)
				select {
				case <-x.done:
				case <-timer.C:
					lostN.Add(1)
					return // this person stops: their chat is out of step
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	wg.Wait()
	sent = tickets.Load()
	if maxUpdates > 0 {
		sent = min(sent, maxUpdates)
	}
	return sent, lostN.Load()
}

// openLoop sends n messages at rate per second, spread over the people in
// turn, without waiting for replies, then waits for the replies (up to
// replyTimeout after the last send). It returns the schedule lags (how late
// each send was against its slot) and how many replies never came.
func (l *load) openLoop(ctx context.Context, rate float64, n int64) (lags []time.Duration, lost int64) {
	start := time.Now()
	lags = make([]time.Duration, 0, n)
	var i int64
	for i = 0; i < n && ctx.Err() == nil; i++ {
		slot := start.Add(time.Duration(float64(i) * float64(time.Second) / rate))
		if d := time.Until(slot); d > 0 {
			time.Sleep(d)
		}
		lags = append(lags, max(0, time.Since(slot)))
		p := l.people[i%int64(len(l.people))]
		text := l.text()
		l.t.send(l.emu, p, text, 1, l.want(p, text), true, false)
	}
	sent := i
	deadline := time.Now().Add(replyTimeout)
	for l.t.completed.Load() < sent && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(5 * time.Millisecond)
	}
	return lags, sent - l.t.completed.Load()
}
