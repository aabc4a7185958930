package escalation_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/prils-lazio/presidio/internal/cases"
	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/escalation"
	"github.com/prils-lazio/presidio/internal/store/storetest"
	"github.com/prils-lazio/presidio/locales"
)

const group int64 = -100777

// forum is an operators' group shared by the desks of several processes:
// it numbers topics and remembers which are still there.
type forum struct {
	mu      sync.Mutex
	next    int
	live    map[int]bool
	created int
}

func (f *forum) CreateTopic(_ context.Context, _ int64, _ string) (int, error) {
	time.Sleep(5 * time.Millisecond) // Telegram takes a moment: room for a race
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next++
	f.created++
	f.live[f.next] = true
	return f.next, nil
}

func (f *forum) DeleteTopic(_ context.Context, _ int64, thread int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.live, thread)
	return nil
}

func (f *forum) RenameTopic(context.Context, int64, int, string) error { return nil }
func (f *forum) CloseTopic(context.Context, int64, int) error          { return nil }
func (f *forum) ReopenTopic(context.Context, int64, int) error         { return nil }
func (f *forum) EditButtons(context.Context, int64, int, [][]chat.Button) error {
	return nil
}
func (f *forum) SendNow(context.Context, chat.Outgoing) (int, error) { return 1, nil }

func (f *forum) liveTopics() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []int
	for id := range f.live {
		out = append(out, id)
	}
	return out
}

// A person's messages reach two processes' desks at once (a takeover, two
// lanes) while an operator of the second takes the case: the case ends
// with exactly one topic in the operators' group, the one it records, and
// a later message goes there (no second topic is made).
func TestOneTopicPerCaseAcrossProcesses(t *testing.T) {
	dir := t.TempDir()
	st1, st2 := storetest.OpenAt(t, dir), storetest.OpenAt(t, dir)
	ctx := context.Background()
	texts, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	casesA, err := cases.New(ctx, st1)
	if err != nil {
		t.Fatal(err)
	}
	casesB, err := cases.New(ctx, st2)
	if err != nil {
		t.Fatal(err)
	}
	made := 0
	defer func() { t.Logf("%d topics made for 10 cases; the extra ones were deleted", made) }()
	for round := range 10 {
		f := &forum{next: 1000 * (round + 1), live: map[int]bool{}}
		a := &escalation.Service{Cases: casesA, Topics: f, Texts: texts, OperatorChat: group}
		b := &escalation.Service{Cases: casesB, Topics: f, Texts: texts, OperatorChat: group}
		chatID := int64(4000 + round)
		c, _, err := casesA.Open(ctx, cases.OpenRequest{ChatID: chatID, PersonName: "Amina", Lang: "ar", Topic: "permits"})
		if err != nil {
			t.Fatal(err)
		}
		msg := func(n int) chat.Incoming {
			return chat.Incoming{ChatID: chatID, Private: true, Kind: chat.KindText, Text: fmt.Sprintf("messaggio %d", n), UpdateID: int64(round*10 + n), MessageID: n}
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make([]error, 3)
		run := func(i int, f func() error) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = f()
			}()
		}
		run(0, func() error { _, _, err := a.Relay(ctx, c.ID, msg(1)); return err })
		run(1, func() error { _, _, err := b.Relay(ctx, c.ID, msg(2)); return err })
		run(2, func() error {
			_, _, _, err := b.Take(ctx, c.ID, cases.Operator{ID: "tg:9", Name: "Giulia"})
			return err
		})
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d: call %d: %v", round, i, err)
			}
		}
		if _, _, err := a.Relay(ctx, c.ID, msg(3)); err != nil {
			t.Fatal(err)
		}
		got, err := casesB.Get(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		made += f.created
		live := f.liveTopics()
		if len(live) != 1 || got.ThreadID != live[0] {
			t.Fatalf("round %d: %d topics made, %v left in the group; the case records %d", round, f.created, live, got.ThreadID)
		}
		if got.Assignee.Name != "Giulia" {
			t.Fatalf("round %d: the take was lost: assignee %+v", round, got.Assignee)
		}
	}
}
