package bot_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/prils-lazio/presidio/bot"
	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/internal/store/storetest"
	"github.com/prils-lazio/presidio/internal/telegramtest"
)

// TestCrashChild is not a test: TestCrashResume runs this test binary again
// with CRASH_CHILD_DIR set, and the runtime below is then killed with
// SIGKILL at an arbitrary point.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv("CRASH_CHILD_DIR")
	if dir == "" {
		t.Skip("helper process for TestCrashResume")
	}
	ctx := context.Background()
	cfg := store.Config{URI: os.Getenv("MONGODB_URI"), DataDir: dir}
	if cfg.URI != "" {
		cfg.Database = os.Getenv("CRASH_CHILD_DB")
	}
	st, err := store.Open(ctx, cfg, quietLogger())
	if err != nil {
		fmt.Fprintln(os.Stderr, "child: store:", err)
		os.Exit(3)
	}
	rt, err := bot.New(bot.Config{
		Token: os.Getenv("CRASH_CHILD_TOKEN"), APIURL: os.Getenv("CRASH_CHILD_API"),
		PollTimeout: time.Second, Parallel: 16,
	}, st, &echo{}, apology, newRegistry(), quietLogger())
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(3)
	}
	if err := rt.Start(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(3)
	}
	select {} // until killed
}

// Kill the process with SIGKILL twice in the middle of a burst and restart
// it: every update is answered, in order, and applied exactly once (the
// sessions count them). Telegram has no idempotency key for sends, so the
// one message per chat whose outcome was not yet recorded at the kill may
// be delivered a second time, right after the first: the test allows that
// (at most one repeat per chat per kill, adjacent) and reports the count.
func TestCrashResume(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and restarts processes")
	}
	const chats, perChat = 40, 15
	emu := newEmulator(t, telegramtest.Options{})
	dir := t.TempDir()
	dbName := storetest.DatabaseFor(dir)
	startChild := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(),
			"CRASH_CHILD_DIR="+dir, "CRASH_CHILD_DB="+dbName,
			"CRASH_CHILD_TOKEN="+emu.Token(), "CRASH_CHILD_API="+emu.URL())
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	kill := func(cmd *exec.Cmd) {
		_ = cmd.Process.Kill() // SIGKILL: no clean-up of any kind
		_ = cmd.Wait()
	}

	child := startChild()
	var wg sync.WaitGroup
	for c := 1; c <= chats; c++ {
		wg.Add(1)
		go func(id int64) {
			defer wg.Done()
			u := telegramtest.User{ID: id, FirstName: "K"}
			for i := 1; i <= perChat; i++ {
				emu.SendText(u, strconv.Itoa(i))
				time.Sleep(time.Duration(5+rand.IntN(40)) * time.Millisecond)
			}
		}(int64(2000 + c))
	}
	for _, at := range []int{120, 330} {
		waitTotal(t, emu, at, time.Minute)
		kill(child)
		t.Logf("killed after %d messages sent", len(emu.AllSent()))
		child = startChild()
	}
	wg.Wait()
	defer kill(child)

	const kills = 2
	duplicates := 0
	for c := 1; c <= chats; c++ {
		id := int64(2000 + c)
		got := texts(waitSent(t, emu, id, perChat, 2*time.Minute))
		deadline := time.Now().Add(2 * time.Minute)
		for {
			var dedup []string
			for i, text := range texts(emu.Sent(id)) {
				if i > 0 && text == texts(emu.Sent(id))[i-1] {
					continue
				}
				dedup = append(dedup, text)
			}
			if len(dedup) == perChat {
				for i, text := range dedup {
					if text != strconv.Itoa(i+1) {
						t.Fatalf("chat %d: answers lost or out of order: %q", id, got)
					}
				}
				extra := len(emu.Sent(id)) - perChat
				if extra > kills {
					t.Errorf("chat %d: %d repeats for %d kills: %q", id, extra, kills, texts(emu.Sent(id)))
				}
				duplicates += extra
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("chat %d: answers %q, want 1..%d", id, texts(emu.Sent(id)), perChat)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	kill(child)

	st := storetest.OpenAt(t, dir)
	for c := 1; c <= chats; c++ {
		id := int64(2000 + c)
		sess, err := st.LoadSession(context.Background(), strconv.FormatInt(id, 10), id)
		if err != nil {
			t.Fatal(err)
		}
		if n := appliedCount(sess); n != perChat {
			t.Errorf("chat %d: %d updates applied, want exactly %d", id, n, perChat)
		}
	}
	t.Logf("%d SIGKILLs: %d updates, all answered in order, each applied once; %d messages repeated right after themselves (sent but not yet recorded at a kill)", kills, chats*perChat, duplicates)
}

func waitTotal(t *testing.T, emu *telegramtest.Server, n int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for len(emu.AllSent()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d messages sent, waited for %d", len(emu.AllSent()), n)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
