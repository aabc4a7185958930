package bot_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prils-lazio/presidio/bot"
	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/internal/store/storetest"
	"github.com/prils-lazio/presidio/internal/telegramtest"
)

// A message leaves only once its record is on the disk: while the store
// cannot sync (a failing disk), nothing is sent and no update is taken
// from Telegram; when it can again, the message goes out once and the
// person's update is answered.
func TestNothingLeavesWhileTheStoreCannotSync(t *testing.T) {
	st := storetest.Open(t)
	if !st.Embedded {
		t.Skip("syncs are the embedded store's")
	}
	emu := newEmulator(t, telegramtest.Options{})
	h := start(t, emu, st, bot.Config{})
	u := telegramtest.User{ID: 402, FirstName: "D"}
	emu.SendText(u, "first")
	waitSent(t, emu, 402, 1, 10*time.Second)
	var failing atomic.Bool
	failing.Store(true)
	st.InjectSyncFault(func() error {
		if failing.Load() {
			return errors.New("disk failing")
		}
		return nil
	})
	ctx := context.Background()
	if err := h.rt.Enqueue(ctx, []store.OutboxEntry{{ID: "notice-1", Msg: chat.Outgoing{ChatID: 402, Text: "notice"}}}); err != nil {
		t.Fatal(err)
	}
	emu.SendText(u, "second")
	time.Sleep(1500 * time.Millisecond)
	if got := emu.Sent(402); len(got) != 1 {
		t.Fatalf("%d messages went out while their record could be undone", len(got)-1)
	}
	failing.Store(false)
	got := texts(waitSent(t, emu, 402, 3, 30*time.Second))
	if got[1] != "notice" || got[2] != "second" {
		t.Fatalf("after the disk recovered: %q", got)
	}
	settle()
	if n := len(emu.Sent(402)); n != 3 {
		t.Fatalf("%d messages, want 3: a repeat", n)
	}
}
