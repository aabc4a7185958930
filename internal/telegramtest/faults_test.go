package telegramtest

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-telegram/bot"
)

func TestFailNext(t *testing.T) {
	s := newServer(t, Options{})
	s.AddUser(alice)
	b := newClient(t, s)
	ctx := ctxT(t, 5*time.Second)

	s.FailNext("sendMessage", 2, 502)
	s.FailNext("", 1, 500)
	for i, want := range []string{"502 Bad Gateway", "502 Bad Gateway", "500 Internal Server Error"} {
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: alice.ID, Text: "x"})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("call %d: %v, want %s", i, err, want)
		}
	}
	if len(s.Sent(alice.ID)) != 0 {
		t.Fatal("a failed call took effect")
	}
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: alice.ID, Text: "x"}); err != nil {
		t.Fatalf("after the faults: %v", err)
	}
	if got := s.Calls("sendMessage"); got != 4 {
		t.Fatalf("Calls = %d, want 4", got)
	}
	// A fault on another method does not touch sendMessage.
	s.FailNext("getMe", 1, 500)
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: alice.ID, Text: "x"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.GetMe(ctx); err == nil {
		t.Fatal("getMe fault not applied")
	}
	// getUpdates faults leave the queue alone.
	s.SendText(alice, "ciao")
	s.FailNext("getUpdates", 1, 500)
	if st, _, _ := postJSON(t, s, "getUpdates", map[string]any{"offset": 99}); st != 500 || s.PendingUpdates() != 1 {
		t.Fatalf("getUpdates fault: %d, pending %d", st, s.PendingUpdates())
	}
	// An injected 429 carries retry_after.
	s.FailNext("sendMessage", 1, 429)
	_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: alice.ID, Text: "x"})
	var tm *bot.TooManyRequestsError
	if !errors.As(err, &tm) || tm.RetryAfter != 1 {
		t.Fatalf("injected 429: %v", err)
	}
}

func TestLatencyAndOnSent(t *testing.T) {
	s := newServer(t, Options{})
	s.AddUser(alice)
	var seen atomic.Int64
	s.OnSent(func(e Sent) {
		if e.ChatID == alice.ID {
			seen.Add(1)
		}
	})
	s.SetLatency(150 * time.Millisecond)
	start := time.Now()
	if st, _, _ := postJSON(t, s, "sendMessage", map[string]any{"chat_id": alice.ID, "text": "x"}); st != 200 {
		t.Fatal(st)
	}
	if el := time.Since(start); el < 150*time.Millisecond {
		t.Fatalf("answer after %v, latency not applied", el)
	}
	if seen.Load() != 1 {
		t.Fatalf("OnSent called %d times", seen.Load())
	}
	s.SetLatency(0)

	// WaitSent reports how many arrived when it gives up.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	got, err := s.WaitSent(ctx, alice.ID, 3)
	if err == nil || len(got) != 1 || !strings.Contains(err.Error(), "1 arrived") {
		t.Fatalf("WaitSent = %d, %v", len(got), err)
	}
}
