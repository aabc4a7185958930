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

// Two lanes can write to one person's chat (their own, and a counsellor's
// answer from the group), so a message can be handed to the sender while
// a later-numbered one is already in flight. It must be sent after it —
// not recorded as sent in its place (lost) while the one in flight goes
// twice.
func TestEarlierMessageArrivingDuringASendIsNotLost(t *testing.T) {
	emu := newEmulator(t, telegramtest.Options{})
	st := storetest.Open(t)
	h := start(t, emu, st, bot.Config{})
	u := telegramtest.User{ID: 909, FirstName: "L"}
	emu.AddUser(u)
	early, late := store.NextSeq(), store.NextSeq()
	emu.SetLatency(300 * time.Millisecond)
	ctx := context.Background()
	if err := h.rt.Enqueue(ctx, []store.OutboxEntry{{ID: "late", Seq: late, Msg: chat.Outgoing{ChatID: u.ID, Text: "late"}}}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // "late" is in flight
	if err := h.rt.Enqueue(ctx, []store.OutboxEntry{{ID: "early", Seq: early, Msg: chat.Outgoing{ChatID: u.ID, Text: "early"}}}); err != nil {
		t.Fatal(err)
	}
	waitSent(t, emu, u.ID, 2, 10*time.Second)
	settle()
	got := texts(emu.Sent(u.ID))
	if len(got) != 2 || got[0] != "late" || got[1] != "early" {
		t.Fatalf("sent %q, want late then early, each once", got)
	}
	for _, id := range []string{"late", "early"} {
		e, err := st.OutboxEntryByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if m, ok := emu.Message(u.ID, e.TelegramID); !ok || m.Text != id {
			t.Fatalf("%s recorded as message %d (%q)", id, e.TelegramID, m.Text)
		}
	}
}
