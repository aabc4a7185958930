package bot_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/prils-lazio/presidio/bot"
	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/internal/store/storetest"
	"github.com/prils-lazio/presidio/internal/telegramtest"
)

// relayed is a person's text as the desk relays it to a case's topic: a
// copy of their message that carries the text, its formatting and a
// coalescing key.
func relayed(id string, thread int, text string, ents ...chat.Entity) store.OutboxEntry {
	return store.OutboxEntry{ID: id, Seq: store.NextSeq(), Msg: chat.Outgoing{ChatID: opGroup, ThreadID: thread,
		Text: text, Entities: ents, Coalesce: "case:busy"}}
}

// burstTexts returns the texts "t01".."tNN" found in the messages of a
// topic, in delivery order, one per part of a merged message.
var burstPart = regexp.MustCompile(`\bt\d\d\b`)

func burstTexts(sent []telegramtest.Sent, thread int) (parts []string, messages int) {
	for _, m := range sent {
		if m.ThreadID != thread {
			continue
		}
		if found := burstPart.FindAllString(m.Text, -1); len(found) > 0 {
			parts = append(parts, found...)
			messages++
		}
	}
	return parts, messages
}

// A person's 30 texts waiting at the group's rate limit reach their topic
// in far fewer messages, in order, every text present with its formatting;
// a message that cannot be merged (media) keeps its place between them;
// another case's card is not held back; every entry's outcome names the
// Telegram message that carried it.
func TestGroupQueueCoalescesABurst(t *testing.T) {
	emu := newEmulator(t, telegramtest.Options{})
	emu.CreateForumGroup(opGroup, "Operatori")
	busy, fresh := createTopic(t, emu, "C-1"), createTopic(t, emu, "C-2")
	st := storetest.Open(t)
	h := start(t, emu, st, bot.Config{Limits: bot.Limits{PerGroupPerMinute: 300, PerGroupBurst: 1}})
	ctx := context.Background()
	var batch []store.OutboxEntry
	for i := 1; i <= 30; i++ {
		e := relayed(fmt.Sprintf("t.%d", i), busy, fmt.Sprintf("t%02d è qui", i))
		if i == 7 { // "qui" in bold
			e.Msg.Entities = []chat.Entity{{Type: "bold", Offset: 6, Length: 3}}
		}
		batch = append(batch, e)
		if i == 15 { // a photo between the texts
			batch = append(batch, store.OutboxEntry{ID: "photo", Seq: store.NextSeq(), Msg: chat.Outgoing{ChatID: opGroup, ThreadID: busy, FileID: "ph-1", MediaType: "photo"}})
		}
		if i == 20 {
			batch = append(batch, store.OutboxEntry{ID: "card", Seq: store.NextSeq(), Msg: chat.Outgoing{ChatID: opGroup, ThreadID: fresh, Text: "new case card"}})
		}
		if i%5 == 0 { // the person's messages come in faster than the group may send
			if err := h.rt.Enqueue(ctx, batch); err != nil {
				t.Fatal(err)
			}
			batch = nil
			time.Sleep(50 * time.Millisecond)
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	var parts []string
	var messages int
	for {
		parts, messages = burstTexts(emu.Sent(opGroup), busy)
		if len(parts) >= 30 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	for i, p := range parts {
		if p != fmt.Sprintf("t%02d", i+1) {
			t.Fatalf("texts lost, repeated or out of order: %v", parts)
		}
	}
	if len(parts) != 30 {
		t.Fatalf("%d of 30 texts arrived: %v", len(parts), parts)
	}
	if messages > 8 {
		t.Fatalf("30 waiting texts took %d group messages", messages)
	}
	t.Logf("30 texts in %d group messages", messages)
	sent := emu.Sent(opGroup)
	photoAt, cardAt, t15At, t16At := -1, -1, -1, -1
	for i, m := range sent {
		switch {
		case m.FileID == "ph-1":
			photoAt = i
		case m.Text == "new case card":
			cardAt = i
		}
		if strings.Contains(m.Text, "t15") {
			t15At = i
		}
		if strings.Contains(m.Text, "t16") {
			t16At = i
		}
	}
	if !(t15At < photoAt && photoAt < t16At) {
		t.Fatalf("the photo lost its place among the texts (t15 at %d, photo at %d)", t15At, photoAt)
	}
	if cardAt < 0 || cardAt > photoAt+3 {
		t.Fatalf("the new case's card waited: sent %dth of %d", cardAt+1, len(sent))
	}
	for _, m := range sent {
		if m.Method != "sendMessage" || !strings.Contains(m.Text, "t07") {
			continue
		}
		msg, _ := emu.Message(opGroup, m.MessageID)
		at := strings.Index(msg.Text, "t07 è qui")
		want := len([]rune(msg.Text[:at])) + 6 // no characters outside the BMP before it but 🕑 (2 units each)
		want += strings.Count(msg.Text[:at], "🕑")
		if len(msg.Entities) != 1 || msg.Entities[0].Type != models.MessageEntityTypeBold || msg.Entities[0].Offset != want || msg.Entities[0].Length != 3 {
			t.Fatalf("the bold word lost its place in the merged text: %+v (want offset %d)\n%s", msg.Entities, want, msg.Text)
		}
	}
	// Every entry's outcome is the message that carried its text.
	for i := 1; i <= 30; i++ {
		e, err := st.OutboxEntryByID(ctx, fmt.Sprintf("t.%d", i))
		if err != nil {
			t.Fatal(err)
		}
		m, ok := emu.Message(opGroup, e.TelegramID)
		if e.Status != store.OutboxSent || !ok || !strings.Contains(m.Text, fmt.Sprintf("t%02d", i)) {
			t.Fatalf("t%02d: outcome %s, message %d %q", i, e.Status, e.TelegramID, m.Text)
		}
	}
	if v := metricsText(h); !strings.Contains(v, "presidio_group_texts_coalesced_total ") || containsLine(v, "presidio_group_texts_coalesced_total 0") {
		t.Fatalf("no coalesced texts in /metrics:\n%s", grep(v, "coalesced"))
	}
}

// With no backlog nothing is merged: each text goes alone, a relayed one
// as a copy of the person's message.
func TestGroupQueueMergesNothingWithoutBacklog(t *testing.T) {
	emu := newEmulator(t, telegramtest.Options{})
	emu.CreateForumGroup(opGroup, "Operatori")
	busy := createTopic(t, emu, "C-1")
	h := start(t, emu, storetest.Open(t), bot.Config{})
	u := telegramtest.User{ID: 808, FirstName: "A"}
	emu.AddUser(u)
	for i := 1; i <= 3; i++ {
		text := fmt.Sprintf("t%02d", i)
		emu.SendText(u, text)
		e := relayed(fmt.Sprintf("t.%d", i), busy, text)
		e.Msg.CopyOf = &chat.MessageRef{ChatID: u.ID, MessageID: personMessage(t, emu, u, text)}
		if err := h.rt.Enqueue(context.Background(), []store.OutboxEntry{e}); err != nil {
			t.Fatal(err)
		}
		waitSent(t, emu, opGroup, i, 10*time.Second)
	}
	for i, m := range emu.Sent(opGroup) {
		if m.Method != "copyMessage" || m.Text != fmt.Sprintf("t%02d", i+1) {
			t.Fatalf("message %d: %s %q", i+1, m.Method, m.Text)
		}
	}
}

// Telegram refusing a merged message for good does not lose its texts:
// they go again one by one.
func TestRefusedMergedMessageIsSentOneByOne(t *testing.T) {
	emu := newEmulator(t, telegramtest.Options{})
	emu.CreateForumGroup(opGroup, "Operatori")
	busy := createTopic(t, emu, "C-1")
	h := start(t, emu, storetest.Open(t), bot.Config{Limits: bot.Limits{PerGroupPerMinute: 600, PerGroupBurst: 1}})
	var burst []store.OutboxEntry
	for i := 1; i <= 6; i++ {
		burst = append(burst, relayed(fmt.Sprintf("t.%d", i), busy, fmt.Sprintf("t%02d", i)))
	}
	emu.FailNext("sendMessage", 1, 400) // the merge of all six
	if err := h.rt.Enqueue(context.Background(), burst); err != nil {
		t.Fatal(err)
	}
	sent := waitSent(t, emu, opGroup, 6, 10*time.Second)
	if parts, messages := burstTexts(sent, busy); strings.Join(parts, " ") != "t01 t02 t03 t04 t05 t06" || messages != 6 {
		t.Fatalf("texts after a refused merged message: %v in %d messages", parts, messages)
	}
}

// personMessage returns the id of the message u wrote with text in its
// private chat.
func personMessage(t *testing.T, emu *telegramtest.Server, u telegramtest.User, text string) int {
	t.Helper()
	for id := 1; id < 1000; id++ {
		if m, ok := emu.Message(u.ID, id); ok && m.From != nil && m.From.ID == u.ID && m.Text == text {
			return id
		}
	}
	t.Fatalf("no message %q from %d", text, u.ID)
	return 0
}

// relayToTopic is the desk's relay reduced to what the runtime sees: each
// private text goes to one case topic as a copy carrying its text and a
// coalescing key.
type relayToTopic struct{ thread int }

func (r relayToTopic) Handle(_ context.Context, sess *store.Session, in chat.Incoming) ([]chat.Outgoing, error) {
	if !in.Private || in.Kind != chat.KindText {
		return nil, nil
	}
	sess.Lang = "it"
	return []chat.Outgoing{{ChatID: opGroup, ThreadID: r.thread, Text: in.Text, Entities: in.Entities,
		CopyOf: &chat.MessageRef{ChatID: in.ChatID, MessageID: in.MessageID}, Coalesce: "case:1"}}, nil
}

// TestCoalesceCrashChild is not a test: TestCrashBetweenMergedSendAndRecord
// runs this test binary again with COALESCE_CHILD_DIR set, and kills it.
func TestCoalesceCrashChild(t *testing.T) {
	dir := os.Getenv("COALESCE_CHILD_DIR")
	if dir == "" {
		t.Skip("helper process for TestCrashBetweenMergedSendAndRecord")
	}
	ctx := context.Background()
	cfg := store.Config{URI: os.Getenv("MONGODB_URI"), DataDir: dir}
	if cfg.URI != "" {
		cfg.Database = os.Getenv("COALESCE_CHILD_DB")
	}
	st, err := store.Open(ctx, cfg, quietLogger())
	if err != nil {
		fmt.Fprintln(os.Stderr, "child: store:", err)
		os.Exit(3)
	}
	thread, _ := strconv.Atoi(os.Getenv("COALESCE_CHILD_THREAD"))
	rt, err := bot.New(bot.Config{
		Token: os.Getenv("COALESCE_CHILD_TOKEN"), APIURL: os.Getenv("COALESCE_CHILD_API"),
		PollTimeout: time.Second, Limits: bot.Limits{PerGroupPerMinute: 120, PerGroupBurst: 1},
	}, st, relayToTopic{thread}, apology, newRegistry(), quietLogger())
	if err == nil {
		err = rt.Start(ctx)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(3)
	}
	select {} // until killed
}

// Kill the process (SIGKILL) at the worst moment, twice: right after
// Telegram accepted a merged message and before the bot heard back, so no
// outcome of its texts is recorded. After each restart the texts are sent
// again (merged again): every text arrives, in order of first arrival, and
// no more than one group message is repeated per kill.
func TestCrashBetweenMergedSendAndRecord(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and restarts processes")
	}
	emu := newEmulator(t, telegramtest.Options{})
	emu.CreateForumGroup(opGroup, "Operatori")
	thread := createTopic(t, emu, "C-1")
	dir := t.TempDir()
	dbName := storetest.DatabaseFor(dir)
	var mu sync.Mutex
	var child *exec.Cmd
	startChild := func() {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCoalesceCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "COALESCE_CHILD_DIR="+dir, "COALESCE_CHILD_DB="+dbName,
			"COALESCE_CHILD_TOKEN="+emu.Token(), "COALESCE_CHILD_API="+emu.URL(), "COALESCE_CHILD_THREAD="+strconv.Itoa(thread))
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		child = cmd
		mu.Unlock()
	}
	const kills = 2
	killed := make(chan *exec.Cmd, kills)
	nKills := 0
	emu.OnSent(func(s telegramtest.Sent) {
		if s.ChatID != opGroup || len(burstPart.FindAllString(s.Text, -1)) < 2 {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if nKills < kills && child != nil {
			nKills++
			_ = child.Process.Kill() // before the bot hears that Telegram took it
			killed <- child
			child = nil
		}
	})
	startChild()
	u := telegramtest.User{ID: 4242, FirstName: "B"}
	go func() {
		for i := 1; i <= 30; i++ {
			emu.SendText(u, fmt.Sprintf("t%02d", i))
			time.Sleep(40 * time.Millisecond)
		}
	}()
	for range kills {
		select {
		case old := <-killed:
			_ = old.Wait() // the data folder's lock is free once it is gone
		case <-time.After(time.Minute):
			t.Fatal("no merged message was sent")
		}
		startChild()
	}
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		if child != nil {
			_ = child.Process.Kill()
			_ = child.Wait()
		}
	}()

	deadline := time.Now().Add(time.Minute)
	for {
		seen := map[string]bool{}
		var order []string
		repeated := 0
		for _, m := range emu.Sent(opGroup) {
			parts := burstPart.FindAllString(m.Text, -1)
			again := false
			for _, p := range parts {
				if seen[p] {
					again = true
					continue
				}
				seen[p] = true
				order = append(order, p)
			}
			if again {
				repeated++
			}
		}
		if len(order) == 30 {
			for i, p := range order {
				if p != fmt.Sprintf("t%02d", i+1) {
					t.Fatalf("texts out of order: %v", order)
				}
			}
			if repeated > kills {
				t.Fatalf("%d group messages repeated for %d kills", repeated, kills)
			}
			t.Logf("%d kills right after a merged send: 30 texts in %d group messages, %d repeated", kills, len(emu.Sent(opGroup)), repeated)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("texts arrived: %v", order)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Texts that together pass Telegram's 4096 characters are merged into as
// many messages as needed, each within the limit, none cut.
func TestMergedTextsStayWithinTelegramsLimit(t *testing.T) {
	emu := newEmulator(t, telegramtest.Options{})
	emu.CreateForumGroup(opGroup, "Operatori")
	busy := createTopic(t, emu, "C-1")
	h := start(t, emu, storetest.Open(t), bot.Config{Limits: bot.Limits{PerGroupPerMinute: 600, PerGroupBurst: 1}})
	var burst []store.OutboxEntry
	for i := 1; i <= 10; i++ {
		burst = append(burst, relayed(fmt.Sprintf("t.%d", i), busy, fmt.Sprintf("t%02d ", i)+strings.Repeat("parola ", 140)))
	}
	if err := h.rt.Enqueue(context.Background(), burst); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for h.rt.Queued() > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	sent := emu.Sent(opGroup)
	parts, messages := burstTexts(sent, busy)
	if strings.Join(parts, " ") != "t01 t02 t03 t04 t05 t06 t07 t08 t09 t10" || messages > 4 {
		t.Fatalf("10 texts of about 1000 characters: %v in %d messages", parts, messages)
	}
	for _, m := range sent {
		if n := len([]rune(m.Text)); n > bot.MaxMessageLen || strings.Count(m.Text, "parola ")%140 != 0 {
			t.Fatalf("a merged message of %d characters, or a text cut: %q…", n, m.Text[:80])
		}
	}
	if emu.Calls("sendMessage") != messages {
		t.Fatalf("%d sends for %d messages: Telegram refused some", emu.Calls("sendMessage"), messages)
	}
}
