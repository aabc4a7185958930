package cases

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/prils-lazio/presidio/internal/store"
)

func TestStatusChanges(t *testing.T) {
	s, _, clock := newCases(t)
	ctx := context.Background()
	op := Operator{ID: "tg:1", Name: "Giulia"}
	c, _, _ := s.Open(ctx, request(21, "permits"))

	if err := s.SetThread(ctx, c.ID, 55, 56); err != nil {
		t.Fatal(err)
	}
	if got, ok, err := s.ByThread(ctx, 55); err != nil || !ok || got.ID != c.ID || got.CardMessageID != 56 {
		t.Errorf("ByThread = %+v %v %v", got, ok, err)
	}
	if _, ok, _ := s.ByThread(ctx, 99); ok {
		t.Error("ByThread found a case for an unknown topic")
	}
	if _, err := s.SetWaiting(ctx, c.ID, true); err == nil {
		t.Error("a new case (nobody took it) became waiting")
	}
	if _, _, err := s.Take(ctx, c.ID, op); err != nil {
		t.Fatal(err)
	}
	if got, err := s.SetWaiting(ctx, c.ID, true); err != nil || got.Status != StatusWaiting {
		t.Errorf("SetWaiting(true) = %s, %v", got.Status, err)
	}
	if got, err := s.SetWaiting(ctx, c.ID, false); err != nil || got.Status != StatusTaken {
		t.Errorf("SetWaiting(false) = %s, %v", got.Status, err)
	}

	first := clock.Add(time.Minute)
	if err := s.MarkFirstResponse(ctx, c.ID, first); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkFirstResponse(ctx, c.ID, first.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, err := s.Refer(ctx, c.ID, "asl-frascati", op, "appuntamento martedì")
	if err != nil || got.Status != StatusReferred || len(got.Referrals) != 1 {
		t.Fatalf("Refer = %+v, %v", got, err)
	}
	if _, err := s.Refer(ctx, c.ID, "Not A Slug", op, ""); err == nil {
		t.Error("a referral to an invalid service id was accepted")
	}
	if err := s.SetFeedback(ctx, c.ID, "great"); err == nil {
		t.Error("unknown feedback accepted")
	}
	if _, err := s.Close(ctx, c.ID, "indirizzata all'ASL", op); err != nil {
		t.Fatal(err)
	}
	if err := s.SetFeedback(ctx, c.ID, FeedbackHelped); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Refer(ctx, c.ID, "asl-frascati", op, ""); !errors.Is(err, ErrClosed) {
		t.Errorf("Refer on a closed case: %v", err)
	}
	got, err = s.Get(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.FirstResponse.Equal(first) || got.Feedback != FeedbackHelped || got.Referrals[0].ServiceID != "asl-frascati" ||
		got.Referrals[0].Note != "appuntamento martedì" || got.ThreadID != 55 || got.Assignee != op {
		t.Errorf("case after the changes: %+v", got)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("stored case does not validate: %v", err)
	}
	if err := s.SetThread(ctx, "C-000404", 1, 2); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetThread on an unknown case: %v", err)
	}
}

// TestConcurrentChangesAreNotLost runs every kind of change on one case at
// once: the embedded store rewrites whole documents, so without the
// per-case serialization some of these fields would be lost.
func TestConcurrentChangesAreNotLost(t *testing.T) {
	s, _, _ := newCases(t)
	ctx := context.Background()
	c, _, _ := s.Open(ctx, request(22, "permits"))
	op := Operator{ID: "tg:1", Name: "Giulia"}
	const refs = 10
	var wg sync.WaitGroup
	wg.Go(func() {
		if _, _, err := s.Take(ctx, c.ID, op); err != nil {
			t.Error(err)
		}
	})
	wg.Go(func() {
		if err := s.SetThread(ctx, c.ID, 700, 701); err != nil {
			t.Error(err)
		}
	})
	wg.Go(func() {
		if err := s.MarkFirstResponse(ctx, c.ID, time.Time{}); err != nil {
			t.Error(err)
		}
	})
	wg.Go(func() {
		if err := s.SetFeedback(ctx, c.ID, FeedbackPartly); err != nil {
			t.Error(err)
		}
	})
	for i := range refs {
		wg.Go(func() {
			if _, err := s.Refer(ctx, c.ID, fmt.Sprintf("service-%d", i), op, ""); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got, err := s.Get(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Assignee != op || got.ThreadID != 700 || got.FirstResponse.IsZero() || got.Feedback != FeedbackPartly ||
		len(got.Referrals) != refs || got.Status != StatusReferred {
		t.Errorf("a concurrent change was lost: %+v", got)
	}
}

func TestListAndUnanswered(t *testing.T) {
	s, _, clock := newCases(t)
	ctx := context.Background()
	start := *clock
	open := func(chat int64, topic, lang string, urgent bool, age time.Duration) Case {
		*clock = start.Add(-age)
		r := request(chat, topic)
		r.Lang, r.Urgent = lang, urgent
		c, _, err := s.Open(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	old := open(31, "permits", "ar", false, 3*time.Hour)
	oldUrgent := open(32, "urgent", "en", true, 2*time.Hour)
	fresh := open(33, "permits", "en", false, time.Minute)
	taken := open(34, "health", "fr", false, 5*time.Hour)
	*clock = start
	if _, _, err := s.Take(ctx, taken.ID, Operator{ID: "tg:1", Name: "Giulia"}); err != nil {
		t.Fatal(err)
	}

	ids := func(list []Case) []string {
		out := make([]string, len(list))
		for i, c := range list {
			out[i] = c.ID
		}
		return out
	}
	yes, no := true, false
	checks := []struct {
		f    Filter
		want []string
	}{
		{Filter{}, []string{taken.ID, old.ID, oldUrgent.ID, fresh.ID}},
		{Filter{Status: StatusNew}, []string{old.ID, oldUrgent.ID, fresh.ID}},
		{Filter{Topic: "permits"}, []string{old.ID, fresh.ID}},
		{Filter{Lang: "en"}, []string{oldUrgent.ID, fresh.ID}},
		{Filter{Urgent: &yes}, []string{oldUrgent.ID}},
		{Filter{Urgent: &no, Status: StatusNew}, []string{old.ID, fresh.ID}},
		{Filter{OlderThan: time.Hour}, []string{taken.ID, old.ID, oldUrgent.ID}},
		{Filter{HelpPoint: "elsewhere"}, []string{}},
	}
	for _, c := range checks {
		list, err := s.List(ctx, c.f)
		if err != nil || fmt.Sprint(ids(list)) != fmt.Sprint(c.want) {
			t.Errorf("List(%+v) = %v, %v; want %v", c.f, ids(list), err, c.want)
		}
	}
	if _, err := s.List(ctx, Filter{Status: "lost"}); err == nil {
		t.Error("List with an unknown status gave no error")
	}
	list, err := s.Unanswered(ctx, 30*time.Minute, start)
	if err != nil || fmt.Sprint(ids(list)) != fmt.Sprint([]string{oldUrgent.ID, old.ID}) {
		t.Errorf("Unanswered = %v, %v; want the urgent one, then the older", ids(list), err)
	}
}
