package cases

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// A person whose every stored string is distinctive, so that FindTraces
// cannot miss a copy of it, nor match anything else.
const (
	zChat    = int64(731900426517)
	zName    = "Zanele-Quarzo-Ntombi"
	zAnswer  = "passaporto-XK99887766"
	zSummary = "sommario-privato-zqx"
	zNote    = "nota-privata-qqz"
	zOutcome = "esito-privato-wwy"
	zText1   = "testo-privato-uno-zz1"
	zText2   = "testo-privato-due-zz2"
	zText3   = "nota-interna-zz3"
	zFile    = "AgAC-file-privato-zz4"
)

var zNeedles = Needles{ChatID: zChat, Strings: []string{zName, zAnswer, zSummary, zNote, zOutcome, zText1, zText2, zText3, zFile}}

// fillPerson stores two cases of the person (one closed with a referral,
// one open) with messages and deliveries, and one case of somebody else.
func fillPerson(t *testing.T, s *Cases) (closed, open, other Case) {
	t.Helper()
	ctx := context.Background()
	op := Operator{ID: "tg:1", Name: "Giulia"}
	req := OpenRequest{ChatID: zChat, PersonName: zName, Lang: "zu", Topic: "permits", HelpPoint: "prils-frascati",
		Answers: map[string]string{"document": zAnswer}, Summary: zSummary}
	closed, _, err := s.Open(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	req.Topic = "health"
	open, _, err = s.Open(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	other, _, err = s.Open(ctx, request(5550001, "permits"))
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range []Case{closed, open, other} {
		if err := s.SetThread(ctx, c.ID, 100+i, 200+i); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Take(ctx, c.ID, op); err != nil {
			t.Fatal(err)
		}
	}
	add := func(m Message) {
		t.Helper()
		if _, err := s.AddMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []Case{closed, open} {
		add(Message{ID: c.ID + "-1", Case: c.ID, Direction: DirIn, Text: zText1, PersonMessageID: 5})
		add(Message{ID: c.ID + "-2", Case: c.ID, Direction: DirOut, Text: zText2, TopicMessageID: 300, OperatorID: op.ID, OperatorName: op.Name})
		add(Message{ID: c.ID + "-3", Case: c.ID, Direction: DirNote, Text: zText3, OperatorID: op.ID})
		add(Message{ID: c.ID + "-4", Case: c.ID, Direction: DirIn, MediaType: "document", FileID: zFile})
		if _, err := s.RecordDelivery(ctx, Delivery{Message: c.ID + "-1", Case: c.ID, TopicMessageID: 301}); err != nil {
			t.Fatal(err)
		}
	}
	add(Message{ID: "other-1", Case: other.ID, Direction: DirIn, Text: "messaggio di un'altra persona"})
	if _, err := s.Refer(ctx, closed.ID, "asl-frascati", op, zNote); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Close(ctx, closed.ID, zOutcome, op); err != nil {
		t.Fatal(err)
	}
	if err := s.SetFeedback(ctx, closed.ID, FeedbackHelped); err != nil {
		t.Fatal(err)
	}
	return closed, open, other
}

func TestForgetErasesEveryTrace(t *testing.T) {
	s, st, _ := newCases(t)
	ctx := context.Background()
	closed, open, other := fillPerson(t, s)

	// The scanner sees the person everywhere before...
	before, err := FindTraces(ctx, st, zNeedles)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, tr := range before {
		seen[tr.Collection] = true
	}
	for _, coll := range []string{colCases, colClaims, colMessages} {
		if !seen[coll] {
			t.Errorf("before Forget, FindTraces found nothing in %s: the check would prove nothing", coll)
		}
	}

	// ...and their export holds all of it, as readable JSON.
	data, err := s.Export(ctx, zChat)
	if err != nil || len(data.Cases) != 2 || len(data.Cases[0].Messages) != 4 {
		t.Fatalf("Export = %+v, %v", data, err)
	}
	js, err := json.MarshalIndent(data, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"person_name": "` + zName, `"text": "` + zText1, `"answers": {`, `"note": "` + zNote, `"chat_id": 731900426517`} {
		if !strings.Contains(string(js), want) {
			t.Errorf("export JSON lacks %s:\n%s", want, js)
		}
	}

	if err := s.Forget(ctx, zChat); err != nil {
		t.Fatal(err)
	}
	after, err := FindTraces(ctx, st, zNeedles)
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range after {
		t.Errorf("after Forget: %s %s: %s", tr.Collection, tr.DocumentID, tr.Where)
	}
	if err := s.Forget(ctx, zChat); err != nil {
		t.Errorf("Forget again: %v", err)
	}
	if n := count(t, st, colDeliveries, bson.D{}); n != 0 {
		t.Errorf("%d deliveries left (only the person's cases had any)", n)
	}

	// Anonymous counts stay.
	for _, id := range []string{closed.ID, open.ID} {
		c, err := s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !c.IsErased() || c.ChatID != 0 || c.Status != StatusClosed || c.Lang != "zu" || c.HelpPoint != "prils-frascati" ||
			c.Created.IsZero() || c.Closed.IsZero() || c.Topic == "" {
			t.Errorf("erased case %+v", c)
		}
		if err := c.Validate(); err != nil {
			t.Errorf("erased case does not validate: %v", err)
		}
		if msgs, _ := s.Messages(ctx, id); len(msgs) != 0 {
			t.Errorf("case %s still has %d messages", id, len(msgs))
		}
	}
	if c, _ := s.Get(ctx, closed.ID); c.Feedback != FeedbackHelped || len(c.Referrals) != 1 || c.Referrals[0].ServiceID != "asl-frascati" {
		t.Errorf("anonymous feedback and referral lost: %+v", c)
	}
	if data, err := s.Export(ctx, zChat); err != nil || len(data.Cases) != 0 {
		t.Errorf("Export after Forget = %+v, %v", data, err)
	}

	// Erased cases accept nothing more.
	if _, err := s.AddMessage(ctx, Message{ID: "late", Case: open.ID, Direction: DirOut, Text: zText2}); !errors.Is(err, ErrErased) {
		t.Errorf("AddMessage on an erased case: %v", err)
	}
	if _, _, err := s.Reopen(ctx, closed.ID); !errors.Is(err, ErrErased) {
		t.Errorf("Reopen of an erased case: %v", err)
	}
	if traces, _ := FindTraces(ctx, st, zNeedles); len(traces) != 0 {
		t.Errorf("refused writes left traces: %+v", traces)
	}

	// Somebody else's case is untouched; the person may start again.
	if c, _ := s.Get(ctx, other.ID); c.IsErased() || c.ChatID != 5550001 {
		t.Errorf("another person's case changed: %+v", c)
	}
	if msgs, _ := s.Messages(ctx, other.ID); len(msgs) != 1 {
		t.Errorf("another person's messages: %d", len(msgs))
	}
	if c, created, err := s.Open(ctx, OpenRequest{ChatID: zChat, Topic: "health"}); err != nil || !created || c.ID == open.ID {
		t.Errorf("Open after Forget = %s %v %v", c.ID, created, err)
	}
}

// TestForgetRacingOperators erases a person while operators keep writing
// to their case: nothing written may survive the erasure.
func TestForgetRacingOperators(t *testing.T) {
	s, st, _ := newCases(t)
	ctx := context.Background()
	c, _, err := s.Open(ctx, OpenRequest{ChatID: zChat, PersonName: zName, Topic: "permits"})
	if err != nil {
		t.Fatal(err)
	}
	const writers, each = 8, 15
	var wg sync.WaitGroup
	var mu sync.Mutex
	refused, written := 0, 0
	halfway := make(chan struct{})
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				mu.Lock()
				if written++; written == writers*each/2 {
					close(halfway)
				}
				mu.Unlock()
				id := fmt.Sprintf("w%d-%d", w, i)
				_, err := s.AddMessage(ctx, Message{ID: id, Case: c.ID, Direction: DirOut, Text: zText1})
				if err == nil {
					_, err = s.RecordDelivery(ctx, Delivery{Message: id, Case: c.ID, PersonMessageID: 1 + i})
				}
				if errors.Is(err, ErrErased) {
					mu.Lock()
					refused++
					mu.Unlock()
				} else if err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Go(func() {
		<-halfway
		if err := s.Forget(ctx, zChat); err != nil {
			t.Error(err)
		}
	})
	wg.Wait()
	traces, err := FindTraces(ctx, st, zNeedles)
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range traces {
		t.Errorf("survived Forget: %s %s: %s", tr.Collection, tr.DocumentID, tr.Where)
	}
	for _, coll := range []string{colMessages, colDeliveries} {
		if n := count(t, st, coll, bson.D{{Key: "case_id", Value: c.ID}}); n != 0 {
			t.Errorf("%d documents of the erased case survived in %s", n, coll)
		}
	}
	t.Logf("%d of %d writes were refused after the erasure; no trace left", refused, writers*each)
}

func TestSweepClosed(t *testing.T) {
	s, st, clock := newCases(t)
	ctx := context.Background()
	op := Operator{ID: "tg:1", Name: "Giulia"}
	start := *clock
	mk := func(chat int64, closeAt time.Duration) Case {
		*clock = start.Add(-48 * time.Hour)
		c, _, err := s.Open(ctx, OpenRequest{ChatID: chat, PersonName: fmt.Sprintf("persona-%d", chat), Topic: "work"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddMessage(ctx, Message{ID: fmt.Sprintf("m%d", chat), Case: c.ID, Direction: DirIn, Text: fmt.Sprintf("testo-%d", chat)}); err != nil {
			t.Fatal(err)
		}
		if closeAt > 0 {
			*clock = start.Add(-closeAt)
			if _, err := s.Close(ctx, c.ID, "fatto", op); err != nil {
				t.Fatal(err)
			}
		}
		return c
	}
	old := mk(61, 30*time.Hour)
	recent := mk(62, time.Hour)
	open := mk(63, 0)
	*clock = start

	n, err := s.SweepClosed(ctx, start.Add(-24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("SweepClosed = %d, %v; want 1", n, err)
	}
	if traces, _ := FindTraces(ctx, st, Needles{ChatID: 61, Strings: []string{"persona-61", "testo-61"}}); len(traces) != 0 {
		t.Errorf("swept case left traces: %+v", traces)
	}
	for _, c := range []Case{recent, open} {
		if got, _ := s.Get(ctx, c.ID); got.IsErased() || got.PersonName == "" {
			t.Errorf("case %s was swept: %+v", c.ID, got)
		}
	}
	if got, _ := s.Get(ctx, old.ID); !got.IsErased() || got.Outcome != "" {
		t.Errorf("old case after the sweep: %+v", got)
	}
	if n := count(t, st, colMessages, bson.D{}); n != 2 {
		t.Errorf("%d messages after the sweep, want 2", n)
	}
	if n, err := s.SweepClosed(ctx, start.Add(-24*time.Hour)); err != nil || n != 0 {
		t.Errorf("second sweep = %d, %v", n, err)
	}
}

// TestErasureInterruptedIsFinished simulates a crash right after a case was
// stripped, before its messages were deleted: the next Forget (which no
// longer finds the case by chat id) or SweepClosed finishes the job.
func TestErasureInterruptedIsFinished(t *testing.T) {
	for _, finish := range []string{"Forget", "SweepClosed"} {
		t.Run(finish, func(t *testing.T) {
			s, st, _ := newCases(t)
			ctx := context.Background()
			closed, open, _ := fillPerson(t, s)
			for _, id := range []string{closed.ID, open.ID} {
				if _, err := s.eraseCase(ctx, id); err != nil {
					t.Fatal(err)
				}
			}
			if traces, _ := FindTraces(ctx, st, zNeedles); len(traces) == 0 {
				t.Fatal("the simulated crash left nothing to finish")
			}
			var err error
			if finish == "Forget" {
				err = s.Forget(ctx, zChat)
			} else {
				_, err = s.SweepClosed(ctx, time.Now())
			}
			if err != nil {
				t.Fatal(err)
			}
			traces, err := FindTraces(ctx, st, zNeedles)
			if err != nil {
				t.Fatal(err)
			}
			for _, tr := range traces {
				t.Errorf("after %s: %s %s: %s", finish, tr.Collection, tr.DocumentID, tr.Where)
			}
			if n := count(t, st, colCases, bson.D{{Key: purgePending, Value: true}}); n != 0 {
				t.Errorf("%d cases still marked %s", n, purgePending)
			}
		})
	}
}
