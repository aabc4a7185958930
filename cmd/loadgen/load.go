package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prils-lazio/presidio/internal/telegramtest"
)

const (
	modeThroughput = "throughput"
	modeRate       = "rate"
)

// maxWrongSamples is how many unexpected replies a report quotes.
const maxWrongSamples = 3

// replyTimeout is how long a measured message may wait for its reply before
// it counts as lost.
const replyTimeout = 30 * time.Second

// languageCodes are the Telegram language codes the simulated people have,
// in turn: the languages Presidio speaks (Dari as Telegram writes it,
// "prs", for Persian), and one it does not ("tg", Tajik), so that answers
// come in every language.
var languageCodes = []string{"it", "en", "ar", "uk", "fr", "es", "ro", "ru", "zh-hans", "bn", "ur", "pa", "sq", "tl", "prs", "ps", "tg"}

// person is one simulated user with the messages they wait replies to.
type person struct {
	u telegramtest.User
	// replies is how many messages the bot answers a plain text with,
	// sample their texts and expect the last one's (learned in the warm-up).
	replies int
	sample  []string
	expect  string

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

	first time.Time // when the first reply arrived

	// absorb takes every reply (warm-up): got counts them, texts are
	// theirs, and done is closed at the first.
	absorb bool
	got    int
	texts  []string
}

// tracker matches the emulator's deliveries to the exchanges waiting for
// them and collects latencies.
type tracker struct {
	people map[int64]*person // by chat id; read-only once the run starts

	mu             sync.Mutex
	latencies      []time.Duration // to the last reply
	firstLatencies []time.Duration // to the first reply
	lastReply      time.Time
	wrongSamples   []string // the first unexpected replies, described

	lastDelivery atomic.Int64 // unix nanoseconds

	completed atomic.Int64 // measured exchanges with all their replies
	wrong     atomic.Int64 // replies whose text was not the expected one
	unmatched atomic.Int64 // deliveries nobody was waiting for
}

// onSent runs inside the emulator for every delivery (see OnSent): quick.
func (t *tracker) onSent(s telegramtest.Sent) {
	now := time.Now()
	t.lastDelivery.Store(now.UnixNano())
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
	if x.absorb {
		x.got++
		x.texts = append(x.texts, s.Text)
		first := x.got == 1
		p.mu.Unlock()
		if first && x.done != nil {
			close(x.done)
		}
		return
	}
	if x.first.IsZero() {
		x.first = now
	}
	x.left--
	finished := x.left == 0
	if finished {
		p.waiting[0] = nil
		p.waiting = p.waiting[1:]
	}
	p.mu.Unlock()
	if x.want != "" && finished && s.Text != x.want {
		if t.wrong.Add(1) <= maxWrongSamples {
			t.mu.Lock()
			t.wrongSamples = append(t.wrongSamples, fmt.Sprintf("person %d (language code %s) expected %q, got %q",
				p.u.ID, p.u.LanguageCode, shorten(x.want), shorten(s.Text)))
			t.mu.Unlock()
		}
	}
	if !finished {
		return
	}
	if x.measured {
		t.mu.Lock()
		t.latencies = append(t.latencies, now.Sub(x.sent))
		t.firstLatencies = append(t.firstLatencies, x.first.Sub(x.sent))
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

func newPeople(n int) map[int64]*person {
	people := make(map[int64]*person, n)
	for i := range n {
		id := int64(1_000_000_000 + i)
		people[id] = &person{u: telegramtest.User{
			ID: id, FirstName: "Persona", LastName: strconv.Itoa(i),
			LanguageCode: languageCodes[i%len(languageCodes)],
		}}
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

// load is one measurement's people and what they expect.
type load struct {
	emu    *telegramtest.Server
	t      *tracker
	people []*person
	target string
}

// text is what people write: always the same greeting. (Presidio
// understands free text: numbers such as 112 or words such as "casa" lead
// to other answers, so no counter or variety is added.)
func (l *load) text() string { return "ciao" }

// want is the expected (last) reply to text from p.
func (l *load) want(p *person, text string) string {
	if l.target == targetEcho {
		return text
	}
	return p.expect
}

// warmUp has every person send /start, then one plain text, and takes
// every answer to both, so sessions and languages are set before measuring.
// It learns how many messages answer a plain text (Presidio's handler
// decides; the echo bot sends one) and what the last one says, which the
// measured texts' replies are then checked against.
func (l *load) warmUp(ctx context.Context) error {
	if _, err := l.absorbAll(ctx, func(*person) string { return "/start" }); err != nil {
		return fmt.Errorf("warm-up /start: %w", err)
	}
	xs, err := l.absorbAll(ctx, func(*person) string { return l.text() })
	if err != nil {
		return fmt.Errorf("warm-up text: %w", err)
	}
	for i, p := range l.people {
		p.replies, p.sample, p.expect = xs[i].got, xs[i].texts, xs[i].texts[len(xs[i].texts)-1]
	}
	return nil
}

// absorbAll has every person send a text and waits until each got at least
// one answer and the bot has been quiet for a second; it returns the
// exchanges with every answer counted.
func (l *load) absorbAll(ctx context.Context, text func(*person) string) ([]*exchange, error) {
	xs := make([]*exchange, len(l.people))
	for i, p := range l.people {
		x := &exchange{absorb: true, done: make(chan struct{})}
		p.mu.Lock()
		p.waiting = append(p.waiting, x)
		x.sent = time.Now()
		p.mu.Unlock()
		l.emu.SendText(p.u, text(p))
		xs[i] = x
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
			return nil, fmt.Errorf("%d of %d people got no answer within 90s", missing, len(xs))
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	const quiet = time.Second
	for limit := time.Now().Add(30 * time.Second); ; {
		since := time.Since(time.Unix(0, l.t.lastDelivery.Load()))
		if since >= quiet {
			break
		}
		if time.Now().After(limit) {
			return nil, errors.New("the bot kept sending for 30s after everybody got an answer")
		}
		select {
		case <-time.After(quiet - since):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	for i, p := range l.people {
		p.mu.Lock()
		if len(p.waiting) != 1 || p.waiting[0] != xs[i] {
			p.mu.Unlock()
			return nil, fmt.Errorf("internal error: person %d waits for %d exchanges", p.u.ID, len(p.waiting))
		}
		p.waiting = p.waiting[:0]
		p.mu.Unlock()
	}
	return xs, nil
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
				x := l.t.send(l.emu, p, text, p.replies, l.want(p, text), true, true)
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
		l.t.send(l.emu, p, text, p.replies, l.want(p, text), true, false)
	}
	sent := i
	deadline := time.Now().Add(replyTimeout)
	for l.t.completed.Load() < sent && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(5 * time.Millisecond)
	}
	return lags, sent - l.t.completed.Load()
}
