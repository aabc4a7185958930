package cases

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/prils-lazio/presidio/internal/store/storetest"
)

// twoProcesses returns two case stores on one store as two Presidio
// processes have them: the second is a client of the first's embedded
// store (through its socket), with its own connection and nothing shared
// in memory.
func twoProcesses(t *testing.T) (a, b *Cases) {
	t.Helper()
	dir := t.TempDir()
	st1 := storetest.OpenAt(t, dir)
	st2 := storetest.OpenAt(t, dir)
	ctx := context.Background()
	a, err := New(ctx, st1)
	if err != nil {
		t.Fatal(err)
	}
	if b, err = New(ctx, st2); err != nil {
		t.Fatal(err)
	}
	return a, b
}

// atOnce runs each function in its own goroutine, released together, and
// waits for all.
func atOnce(fns ...func()) {
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	for _, f := range fns {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			f()
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
}

const rounds = 12

// Two counsellors refer the same person at the same moment from two
// processes (the console on one, the desk on the other): both referrals
// are in the case's history.
func TestConcurrentReferralsFromTwoProcessesAreBothKept(t *testing.T) {
	a, b := twoProcesses(t)
	ctx := context.Background()
	giulia, marco := Operator{ID: "tg:1", Name: "Giulia"}, Operator{ID: "console:marco", Name: "Marco"}
	for i := range rounds {
		c, _, err := a.Open(ctx, request(int64(500+i), "health"))
		if err != nil {
			t.Fatal(err)
		}
		var errA, errB error
		atOnce(
			func() { _, errA = a.Refer(ctx, c.ID, "asl-frascati", giulia, "consultorio") },
			func() { _, errB = b.Refer(ctx, c.ID, "caritas-albano", marco, "pacco viveri") },
		)
		if errA != nil || errB != nil {
			t.Fatalf("round %d: Refer = %v / %v", i, errA, errB)
		}
		for _, s := range []*Cases{a, b} {
			got, err := s.Get(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Referrals) != 2 || got.Status != StatusReferred {
				t.Fatalf("round %d: the case holds %d referrals (%+v), status %s; want both, referred", i, len(got.Referrals), got.Referrals, got.Status)
			}
		}
	}
}

// A case closed in one process while another takes it, answers it (first
// response, waiting) or records the person's feedback stays closed, with
// its outcome: a late write never reopens it, and nothing written by the
// other side is lost.
func TestLateWritesNeverReopenAClosedCase(t *testing.T) {
	a, b := twoProcesses(t)
	ctx := context.Background()
	giulia, marco := Operator{ID: "tg:1", Name: "Giulia"}, Operator{ID: "console:marco", Name: "Marco"}
	for i := range rounds {
		c, _, err := a.Open(ctx, request(int64(600+i), "work"))
		if err != nil {
			t.Fatal(err)
		}
		var closeErr, takeErr error
		var won bool
		atOnce(
			func() { _, closeErr = a.Close(ctx, c.ID, "answered", marco) },
			func() { _, won, takeErr = b.Take(ctx, c.ID, giulia) },
			func() { _ = b.MarkFirstResponse(ctx, c.ID, c.Created) },
			func() { _ = b.SetFeedback(ctx, c.ID, FeedbackHelped) },
		)
		if closeErr != nil {
			t.Fatalf("round %d: Close = %v", i, closeErr)
		}
		if takeErr != nil && !errors.Is(takeErr, ErrClosed) {
			t.Fatalf("round %d: Take = %v", i, takeErr)
		}
		got, err := b.Get(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != StatusClosed || got.Outcome != "answered" || got.Closed.IsZero() {
			t.Fatalf("round %d: after a close and a late take the case is %s (outcome %q, closed %v); want closed", i, got.Status, got.Outcome, got.Closed)
		}
		if got.Feedback != FeedbackHelped || got.FirstResponse.IsZero() {
			t.Fatalf("round %d: a write racing the close was lost: feedback %q, first response %v", i, got.Feedback, got.FirstResponse)
		}
		if won && takeErr == nil && got.Assignee != giulia {
			t.Fatalf("round %d: Take reported a win but the assignee is %+v", i, got.Assignee)
		}
		if _, ok, _ := a.OpenCaseOf(ctx, c.ChatID, c.Topic); ok {
			t.Fatalf("round %d: the closed case still counts as the person's open case", i)
		}
	}
}

// Two operators in two processes take the same case: exactly one wins, and
// the case shows that one, taken.
func TestConcurrentTakesFromTwoProcessesHaveOneWinner(t *testing.T) {
	a, b := twoProcesses(t)
	ctx := context.Background()
	for i := range rounds {
		c, _, err := a.Open(ctx, request(int64(700+i), "home"))
		if err != nil {
			t.Fatal(err)
		}
		ops := []Operator{{ID: "tg:1", Name: "Giulia"}, {ID: "tg:2", Name: "Ahmed"}, {ID: "console:marco", Name: "Marco"}}
		wins := make([]bool, len(ops))
		errs := make([]error, len(ops))
		stores := []*Cases{a, b, b}
		var fns []func()
		for j := range ops {
			fns = append(fns, func() { _, wins[j], errs[j] = stores[j].Take(ctx, c.ID, ops[j]) })
		}
		// and a referral at the same time, which must not undo the take
		fns = append(fns, func() { _, _ = a.Refer(ctx, c.ID, "asl-frascati", ops[0], "") })
		atOnce(fns...)
		winner := -1
		for j := range ops {
			if errs[j] != nil {
				t.Fatalf("round %d: Take = %v", i, errs[j])
			}
			if wins[j] {
				if winner >= 0 {
					t.Fatalf("round %d: %s and %s both won the case", i, ops[winner].Name, ops[j].Name)
				}
				winner = j
			}
		}
		got, err := a.Get(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if winner < 0 || got.Assignee != ops[winner] || got.Status == StatusNew || len(got.Referrals) != 1 {
			t.Fatalf("round %d: winner %d, case assignee %+v status %s referrals %d", i, winner, got.Assignee, got.Status, len(got.Referrals))
		}
	}
}

// A person writes on a closed case (it reopens) while a counsellor in
// another process closes it again or takes it: the case ends either open
// with the person's open-case claim, or closed without it, never open
// without its claim (which would let the person open a second case).
func TestReopenRacingCloseKeepsOneOpenCase(t *testing.T) {
	a, b := twoProcesses(t)
	ctx := context.Background()
	op := Operator{ID: "tg:1", Name: "Giulia"}
	for i := range rounds {
		chatID := int64(800 + i)
		c, _, err := a.Open(ctx, request(chatID, "school"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Close(ctx, c.ID, "answered", op); err != nil {
			t.Fatal(err)
		}
		var reopenErr, closeErr error
		atOnce(
			func() { _, _, reopenErr = a.Reopen(ctx, c.ID) },
			func() { _, closeErr = b.Close(ctx, c.ID, "no_reply", op) },
		)
		if reopenErr != nil || closeErr != nil {
			t.Fatalf("round %d: Reopen = %v, Close = %v", i, reopenErr, closeErr)
		}
		got, err := b.Get(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		open, held, err := a.OpenCaseOf(ctx, chatID, "school")
		if err != nil {
			t.Fatal(err)
		}
		if got.Status.IsOpen() != held || held && open.ID != c.ID {
			t.Fatalf("round %d: the case is %s but the person's open case is %v (%s)", i, got.Status, held, open.ID)
		}
		again, _, err := b.Open(ctx, request(chatID, "school"))
		if err != nil {
			t.Fatal(err)
		}
		if got.Status.IsOpen() && again.ID != c.ID {
			t.Fatalf("round %d: the person got a second open case %s beside %s", i, again.ID, c.ID)
		}
		if _, err := a.Close(ctx, again.ID, "answered", op); err != nil {
			t.Fatal(err)
		}
	}
}
