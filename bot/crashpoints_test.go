package bot_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/prils-lazio/presidio/bot"
	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/internal/store/storetest"
	"github.com/prils-lazio/presidio/internal/telegramtest"
)

// crashScenario is what two people send: plain texts (one answer each)
// and one update that is answered with two messages, so that intake,
// commit, send, outcome records and clean-up all write.
var crashScenario = []struct {
	user  telegramtest.User
	texts []string
	want  []string
}{
	{telegramtest.User{ID: 601, FirstName: "P"}, []string{"p1", "many:2", "p3"}, []string{"p1", "1/2", "2/2", "p3"}},
	{telegramtest.User{ID: 602, FirstName: "Q"}, []string{"q1", "q2"}, []string{"q1", "q2"}},
}

// runUntilCrash sends the scenario and runs a runtime whose store is
// behind the fault proxy; it returns when every answer arrived or the
// crash point was reached (then the runtime is stopped hard, as a killed
// process would be). The runtime may not reach Telegram once "dead".
func runUntilCrash(t *testing.T, emu *telegramtest.Server, st *store.Store, f *storetest.Faults) {
	t.Helper()
	rt, err := bot.New(bot.Config{Token: emu.Token(), APIURL: emu.URL(), PollTimeout: time.Second,
		Fence: func() bool { return !f.Crashed() }}, st, &echo{}, apology, newRegistry(), quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for !f.Crashed() && !allAnswered(emu) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !f.Crashed() {
		time.Sleep(300 * time.Millisecond) // clean-up writes after the last send
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = rt.Stop(ctx)
	if f.Crashed() {
		// The dead process's connections: its calls would wait for a
		// server to come back until they time out.
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_ = st.Close(ctx)
	}
}

func allAnswered(emu *telegramtest.Server) bool {
	for _, p := range crashScenario {
		if len(emu.Sent(p.user.ID)) < len(p.want) {
			return false
		}
	}
	return true
}

// A crash between any two writes of intake, commit, send and clean-up,
// and a restart: every update is answered, in order, nothing is lost, and
// at most one message per chat is repeated (right after itself). The
// scenario is run once to count its writes, then once per crash point,
// with the crash both just before the write and just after it landed.
func TestCrashAtEveryWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the scenario once per crash point")
	}
	writes := func() int {
		st, f := storetest.OpenWithFaults(t)
		emu := newEmulator(t, telegramtest.Options{})
		for _, p := range crashScenario {
			for _, text := range p.texts {
				emu.SendText(p.user, text)
			}
		}
		runUntilCrash(t, emu, st, f)
		if !allAnswered(emu) {
			t.Fatal("the scenario does not finish without a crash")
		}
		return f.Writes()
	}()
	t.Logf("the scenario makes %d writes; crashing before and after each", writes)
	for k := 1; k <= writes; k++ {
		for _, landed := range []bool{false, true} {
			t.Run(fmt.Sprintf("write%02d/landed=%v", k, landed), func(t *testing.T) {
				t.Parallel() // each has its own store and emulator
				st, f := storetest.OpenWithFaults(t)
				emu := newEmulator(t, telegramtest.Options{})
				for _, p := range crashScenario {
					for _, text := range p.texts {
						emu.SendText(p.user, text)
					}
				}
				f.CrashAtWrite(k, landed)
				runUntilCrash(t, emu, st, f)
				if !f.Crashed() {
					t.Skipf("this run made fewer than %d writes (batches differ from run to run)", k)
				}
				ctx := context.Background()
				restarted, err := store.Open(ctx, store.Config{URI: f.StoreURI(), Database: "presidio"}, quietLogger())
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = restarted.Close(context.Background()) })
				start(t, emu, restarted, bot.Config{})
				for _, p := range crashScenario {
					waitSent(t, emu, p.user.ID, len(p.want), 20*time.Second)
				}
				settle()
				for _, p := range crashScenario {
					got := texts(emu.Sent(p.user.ID))
					if repeats, ok := inOrderWithOneRepeat(got, p.want); !ok {
						t.Fatalf("chat %d got %q, want %q with at most one message repeated (%d repeats)", p.user.ID, got, p.want, repeats)
					}
				}
			})
		}
	}
}

// inOrderWithOneRepeat reports whether got is want with at most one
// message sent twice in a row.
func inOrderWithOneRepeat(got, want []string) (repeats int, ok bool) {
	var dedup []string
	for i, s := range got {
		if i > 0 && got[i-1] == s {
			repeats++
			continue
		}
		dedup = append(dedup, s)
	}
	return repeats, repeats <= 1 && slices.Equal(dedup, want)
}

// A stop while the store does not answer at all returns once its context
// ends (a SIGTERM during a store outage used to wait for every retry of
// the feeder, the committer and the cleaners: minutes).
func TestStopDoesNotWaitForAStoreThatIsGone(t *testing.T) {
	st, f := storetest.OpenWithFaults(t)
	emu := newEmulator(t, telegramtest.Options{})
	rt, err := bot.New(bot.Config{Token: emu.Token(), APIURL: emu.URL(), PollTimeout: time.Second}, st, &echo{}, apology, newRegistry(), quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	u := telegramtest.User{ID: 611, FirstName: "S"}
	emu.SendText(u, "before")
	waitSent(t, emu, 611, 1, 10*time.Second)
	f.CrashAtWrite(1, false) // the store is gone from the next write on
	emu.SendText(u, "during")
	deadline := time.Now().Add(10 * time.Second)
	for !f.Crashed() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	t0 := time.Now()
	done := make(chan struct{})
	go func() { _ = rt.Stop(ctx); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("Stop with a 2 s context still waits for the store after %v", time.Since(t0))
	}
	t.Logf("stopped in %v", time.Since(t0))
	ctx, cancel = context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_ = st.Close(ctx) // the dead process's connections (see runUntilCrash)
}
