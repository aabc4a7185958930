package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/config"
	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/internal/telegramtest"
)

// echoHandler answers every text with itself and counts, in the session,
// the updates applied, so a test can tell "answered once" from "applied
// once" across processes.
type echoHandler struct{}

func (echoHandler) Handle(_ context.Context, sess *store.Session, in chat.Incoming) ([]chat.Outgoing, error) {
	var st struct{ Applied int }
	if len(sess.State) > 0 {
		_ = bson.Unmarshal(sess.State, &st)
	}
	st.Applied++
	sess.State, _ = bson.Marshal(st)
	return []chat.Outgoing{{ChatID: in.ChatID, Text: in.Text}}, nil
}

// TestFailoverChild is not a test: TestFailover runs this binary again as
// a Presidio process on a shared store (the real App, with the echo
// handler), until it is killed.
func TestFailoverChild(t *testing.T) {
	if os.Getenv("FAILOVER_CHILD") == "" {
		t.Skip("helper process")
	}
	cfg, err := config.Parse(nil, os.Getenv, io.Discard)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	a := New(cfg, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	a.Handler = echoHandler{}
	a.Limits = nil
	if err := a.Start(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	<-a.Lost()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = a.Stop(ctx)
	os.Exit(3)
}

type child struct {
	cmd  *exec.Cmd
	addr string
}

func startChild(t *testing.T, emu *telegramtest.Server, storeURI string) *child {
	t.Helper()
	addr := freeTCPAddr(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestFailoverChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "FAILOVER_CHILD=1",
		"TELEGRAM_BOT_TOKEN="+emu.Token(), "TELEGRAM_API_URL="+emu.URL(), "MONGODB_URI="+storeURI,
		"PRESIDIO_HTTP_ADDR="+addr, "PRESIDIO_LEASE_TIMEOUT=3s", "PRESIDIO_OBSERVATORY_SECRET=failover-test-key-0123456789", "PRESIDIO_DATA_DIR="+t.TempDir())
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, addr: addr}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGCONT)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	deadline := time.Now().Add(time.Minute)
	for c.status("/healthz") != 200 {
		if time.Now().After(deadline) {
			t.Fatal("a Presidio process did not come up")
		}
		time.Sleep(50 * time.Millisecond)
	}
	return c
}

func (c *child) status(path string) int {
	client := http.Client{Timeout: time.Second}
	resp, err := client.Get("http://" + c.addr + path)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

func (c *child) waitReady(t *testing.T, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for c.status("/readyz") != 200 {
		if time.Since(start) > within {
			t.Fatalf("the process at %s did not become active within %v", c.addr, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(start)
}

func freeTCPAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// Two Presidio processes on one store: one active, one standing by. The
// active is killed with SIGKILL in the middle of a load: the standby takes
// over, every message is answered in order and applied once, and a chat
// sees at most one answer twice (the one sent but not recorded at the
// kill). Then a third process stands by and the new active is paused with
// SIGSTOP while its sends fail: the third takes over, and the paused one,
// resumed, sends nothing (fencing) and exits.
func TestFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("runs several processes")
	}
	if os.Getenv("MONGODB_URI") != "" {
		t.Skip("shares an embedded store between processes")
	}
	ctx := context.Background()
	emb, err := store.StartEmbedded(ctx, t.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer emb.Close()
	emu := telegramtest.New(telegramtest.Options{})
	defer emu.Close()

	a := startChild(t, emu, emb.URI())
	a.waitReady(t, 30*time.Second)
	b := startChild(t, emu, emb.URI())
	time.Sleep(500 * time.Millisecond)
	if b.status("/readyz") == 200 {
		t.Fatal("two processes are active on one store")
	}

	const chats, perChat = 30, 12
	var wg sync.WaitGroup
	send := func(from, to int) {
		for c := 1; c <= chats; c++ {
			wg.Add(1)
			go func(id int64) {
				defer wg.Done()
				u := telegramtest.User{ID: id, FirstName: "F"}
				for i := from; i <= to; i++ {
					emu.SendText(u, strconv.Itoa(i))
					time.Sleep(time.Duration(20+id%30) * time.Millisecond)
				}
			}(int64(8000 + c))
		}
	}
	send(1, perChat/2)
	for len(emu.AllSent()) < 80 {
		time.Sleep(5 * time.Millisecond)
	}
	killedAt := time.Now()
	_ = a.cmd.Process.Kill()
	_ = a.cmd.Wait()
	sentAtKill := len(emu.AllSent())
	took := b.waitReady(t, 30*time.Second)
	for len(emu.AllSent()) == sentAtKill {
		if time.Since(killedAt) > 30*time.Second {
			t.Fatal("no reply after the active was killed")
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Logf("takeover: standby active %v after the kill, first reply %v after it", took.Round(time.Millisecond), time.Since(killedAt).Round(time.Millisecond))
	send(perChat/2+1, perChat)
	wg.Wait()
	checkAnswers(t, emu, chats, perChat, 1)

	// Pause the active while its sends fail; a standby takes over.
	c := startChild(t, emu, emb.URI())
	time.Sleep(500 * time.Millisecond)
	emu.FailNext("sendMessage", 1<<20, 502)
	for i := 1; i <= chats; i++ {
		emu.SendText(telegramtest.User{ID: int64(8000 + i), FirstName: "F"}, "paused")
	}
	time.Sleep(1500 * time.Millisecond) // b has them, and keeps failing to send
	_ = b.cmd.Process.Signal(syscall.SIGSTOP)
	emu.ClearFaults()
	c.waitReady(t, 30*time.Second)
	deadline := time.Now().Add(60 * time.Second)
	for {
		done := 0
		for i := 1; i <= chats; i++ {
			sent := emu.Sent(int64(8000 + i))
			if len(sent) > 0 && sent[len(sent)-1].Text == "paused" {
				done++
			}
		}
		if done == chats {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the new active answered %d of %d chats", done, chats)
		}
		time.Sleep(20 * time.Millisecond)
	}
	before := len(emu.AllSent())
	_ = b.cmd.Process.Signal(syscall.SIGCONT)
	exit := make(chan error, 1)
	go func() { exit <- b.cmd.Wait() }()
	select {
	case err := <-exit:
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 {
			t.Fatalf("the resumed process ended with %v, want exit code 3 (lost the lease)", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the resumed process did not notice it lost the lease")
	}
	time.Sleep(500 * time.Millisecond)
	if after := len(emu.AllSent()); after != before {
		var extra []string
		for _, m := range emu.AllSent()[before:] {
			extra = append(extra, fmt.Sprintf("%d:%q", m.ChatID, m.Text))
		}
		t.Fatalf("after the paused process resumed, %d more messages were sent: %s", after-before, strings.Join(extra, " "))
	}
}

// checkAnswers: every chat got 1..perChat in order, with at most maxRepeats
// answers repeated right after themselves.
func checkAnswers(t *testing.T, emu *telegramtest.Server, chats, perChat, maxRepeats int) {
	t.Helper()
	for c := 1; c <= chats; c++ {
		id := int64(8000 + c)
		deadline := time.Now().Add(60 * time.Second)
		for {
			var dedup []string
			sent := emu.Sent(id)
			for i, m := range sent {
				if i > 0 && m.Text == sent[i-1].Text {
					continue
				}
				dedup = append(dedup, m.Text)
			}
			if len(dedup) >= perChat {
				for i := range perChat {
					if dedup[i] != strconv.Itoa(i+1) {
						t.Fatalf("chat %d: answers out of order or lost: %q", id, dedup)
					}
				}
				if extra := len(sent) - len(dedup); extra > maxRepeats {
					t.Fatalf("chat %d: %d answers repeated", id, extra)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("chat %d: answers %q, want 1..%d", id, dedup, perChat)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}
