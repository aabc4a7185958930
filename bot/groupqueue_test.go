package bot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prils-lazio/presidio/bot"
	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/internal/store/storetest"
	"github.com/prils-lazio/presidio/internal/telegramtest"
)

const opGroup = -1001234

func createTopic(t *testing.T, emu *telegramtest.Server, name string) int {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"chat_id": opGroup, "name": name})
	resp, err := http.Post(emu.URL()+"/bot"+emu.Token()+"/createForumTopic", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env struct {
		Result struct {
			ID int `json:"message_thread_id"`
		} `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil || env.Result.ID == 0 {
		t.Fatalf("createForumTopic: %v", err)
	}
	return env.Result.ID
}

// One person with an open case sending a burst of 30 messages does not hold
// back another person's new case: at the group's rate limit, the new case's
// card and an urgent case's card go out within the next few sends, not after
// the burst; each topic keeps its own order; /metrics shows the delay.
func TestGroupQueueFairBetweenCases(t *testing.T) {
	emu := newEmulator(t, telegramtest.Options{})
	emu.CreateForumGroup(opGroup, "Operatori")
	busy, fresh, urgent := createTopic(t, emu, "C-1"), createTopic(t, emu, "C-2"), createTopic(t, emu, "C-3")
	h := start(t, emu, storetest.Open(t), bot.Config{Limits: bot.Limits{PerGroupPerMinute: 600, PerGroupBurst: 1}})
	ctx := context.Background()
	var burst []store.OutboxEntry
	for i := 1; i <= 30; i++ {
		burst = append(burst, store.OutboxEntry{ID: fmt.Sprintf("burst.%d", i), Seq: store.NextSeq(),
			Msg: chat.Outgoing{ChatID: opGroup, ThreadID: busy, Text: fmt.Sprintf("burst %d", i)}})
	}
	if err := h.rt.Enqueue(ctx, burst); err != nil {
		t.Fatal(err)
	}
	time.Sleep(150 * time.Millisecond) // the burst is being sent
	if err := h.rt.Enqueue(ctx, []store.OutboxEntry{
		{ID: "card.2", Seq: store.NextSeq(), Msg: chat.Outgoing{ChatID: opGroup, ThreadID: fresh, Text: "new case card"}},
		{ID: "card.3", Seq: store.NextSeq(), Msg: chat.Outgoing{ChatID: opGroup, ThreadID: urgent, Text: "urgent case card", Urgent: true}},
	}); err != nil {
		t.Fatal(err)
	}
	sent := waitSent(t, emu, opGroup, 32, 15*time.Second)
	pos := map[string]int{}
	last := 0
	for i, m := range sent {
		pos[m.Text] = i
		if strings.HasPrefix(m.Text, "burst ") {
			var n int
			fmt.Sscanf(m.Text, "burst %d", &n)
			if n != last+1 {
				t.Fatalf("the busy topic's messages out of order: %d after %d", n, last)
			}
			last = n
		}
	}
	if pos["urgent case card"] > 6 || pos["new case card"] > 7 {
		t.Fatalf("new cases waited behind the burst: urgent card sent %dth, new card %dth of 32", pos["urgent case card"]+1, pos["new case card"]+1)
	}
	var b strings.Builder
	h.metrics.Write(&b)
	if !strings.Contains(b.String(), "presidio_group_queue_delay_seconds_count 32") {
		t.Fatalf("no group queue delay in /metrics:\n%s", grep(b.String(), "group_queue"))
	}
}

func grep(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
