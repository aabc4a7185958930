package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/prils-lazio/presidio/bot"
	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/internal/store/storetest"
	"github.com/prils-lazio/presidio/internal/telegramtest"
)

// A message queued by a process that is not sending (a counsellor's reply
// from a standby's console) is sent by the active process within seconds,
// not at its next start, and once.
func TestMessageQueuedByAStandbyIsSentByTheActive(t *testing.T) {
	st := storetest.Open(t)
	emu := newEmulator(t, telegramtest.Options{})
	start(t, emu, st, bot.Config{})
	u := telegramtest.User{ID: 621, FirstName: "S"}
	emu.SendText(u, "hi")
	waitSent(t, emu, 621, 1, 10*time.Second)
	standby, err := bot.New(bot.Config{Token: emu.Token(), APIURL: emu.URL()}, st, &echo{}, apology, newRegistry(), quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	if err := standby.Enqueue(context.Background(), []store.OutboxEntry{{ID: "console-reply-1", Msg: chat.Outgoing{ChatID: 621, Text: "from the standby's console"}}}); err != nil {
		t.Fatal(err)
	}
	got := texts(waitSent(t, emu, 621, 2, 15*time.Second))
	if got[1] != "from the standby's console" {
		t.Fatalf("got %q", got)
	}
	time.Sleep(5 * time.Second) // two more rescans
	if n := len(emu.Sent(621)); n != 2 {
		t.Fatalf("%d messages: the rescan sent it again", n)
	}
}
