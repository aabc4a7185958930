package app

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/prils-lazio/presidio/bot"
	"github.com/prils-lazio/presidio/internal/config"
	"github.com/prils-lazio/presidio/internal/observatory"
	"github.com/prils-lazio/presidio/internal/telegramtest"
	"github.com/prils-lazio/presidio/locales"
)

// desk is a sandbox app with an operators' forum group and two operators.
type desk struct {
	t       *testing.T
	a       *App
	emu     *telegramtest.Server
	texts   *locales.Catalog
	person  telegramtest.User
	ops     [2]telegramtest.User
	dataDir string
}

func startDesk(t *testing.T, dataDir string) *desk {
	t.Helper()
	emu := telegramtest.New(telegramtest.Options{})
	t.Cleanup(emu.Close)
	emu.CreateForumGroup(SandboxOperatorChat, "Operatori")
	return startDeskOn(t, dataDir, emu)
}

func startDeskOn(t *testing.T, dataDir string, emu *telegramtest.Server) *desk {
	return startDeskEnv(t, dataDir, emu, nil)
}

// startDeskEnv starts the desk with more settings (name → value).
func startDeskEnv(t *testing.T, dataDir string, emu *telegramtest.Server, env map[string]string) *desk {
	t.Helper()
	return startDeskWith(t, dataDir, emu, env)
}

// startDeskWith starts the desk with more settings (environment variables).
func startDeskWith(t *testing.T, dataDir string, emu *telegramtest.Server, settings map[string]string) *desk {
	t.Helper()
	return startDeskLimits(t, dataDir, emu, settings, bot.Limits{}) // the emulator enforces no limits here; keep tests fast
}

// startDeskLimits starts the desk with send limits (none when zero).
func startDeskLimits(t *testing.T, dataDir string, emu *telegramtest.Server, settings map[string]string, limits bot.Limits) *desk {
	t.Helper()
	cfg, err := config.Parse(nil, func(k string) string {
		if v, ok := settings[k]; ok {
			return v
		}
		return map[string]string{"PRESIDIO_HTTP_ADDR": "127.0.0.1:0", "PRESIDIO_DATA_DIR": dataDir}[k]
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	if os.Getenv("PRESIDIO_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	a := New(cfg, log)
	a.Emulator = emu
	a.Limits = &limits
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopApp(a) })
	texts, _ := locales.Load()
	d := &desk{t: t, a: a, emu: a.Emulator, texts: texts, dataDir: dataDir,
		person: telegramtest.User{ID: 5005, FirstName: "Olena", LanguageCode: "uk"},
		ops:    [2]telegramtest.User{{ID: 9001, FirstName: "Giulia"}, {ID: 9002, FirstName: "Marco"}}}
	for _, op := range d.ops {
		d.emu.AddMember(SandboxOperatorChat, op, false)
	}
	return d
}

func stopApp(a *App) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = a.Stop(ctx)
}

// settle waits until an update is handled and every message sent.
func (d *desk) settle(id int64) {
	d.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !d.a.Runtime.Handled(id) || d.a.Runtime.Queued() > 0 {
		if time.Now().After(deadline) {
			d.t.Fatalf("update %d not handled in time", id)
		}
		time.Sleep(time.Millisecond)
	}
}

func (d *desk) say(text string) { d.settle(d.emu.SendText(d.person, text)) }

func (d *desk) press(u telegramtest.User, chatID int64, label string) {
	d.t.Helper()
	sent := d.emu.Sent(chatID)
	for i := len(sent) - 1; i >= 0; i-- {
		for _, row := range sent[i].Buttons {
			for _, b := range row {
				if b.Text == label {
					d.settle(d.emu.PressButton(u, chatID, sent[i].MessageID, b.Data))
					return
				}
			}
		}
	}
	d.t.Fatalf("no button %q in chat %d", label, chatID)
}

func (d *desk) operator(i, thread int, text string) {
	d.settle(d.emu.SendGroupText(d.ops[i], SandboxOperatorChat, thread, text))
}

func (d *desk) last(chatID int64) telegramtest.Sent {
	sent := d.emu.Sent(chatID)
	if len(sent) == 0 {
		d.t.Fatalf("nothing sent to %d", chatID)
	}
	return sent[len(sent)-1]
}

// openCase walks the person to a counsellor from the permits topic and
// returns the case topic's thread.
func (d *desk) openCase() int {
	d.t.Helper()
	l := d.person.LanguageCode
	d.say("/start")
	d.press(d.person, d.person.ID, "✅ "+d.texts.Text(l, "consent.yes", nil))
	d.press(d.person, d.person.ID, d.texts.Text(l, "main.b.permits", nil))
	d.press(d.person, d.person.ID, d.texts.Text(l, "permits.b.renew", nil))
	d.press(d.person, d.person.ID, "🙋 "+d.texts.Text(l, "nav.human", nil))
	topics := d.emu.Topics(SandboxOperatorChat)
	if len(topics) == 0 {
		d.t.Fatal("no topic was created for the case")
	}
	return topics[len(topics)-1].ID
}

// The whole round trip: the person reaches a counsellor from a topic, the
// case gets a topic named so operators can scan it, with a card; what the
// person writes arrives there, the operator's answer reaches the person in
// the bot's name, /take and /close work, the person rates the help.
func TestEscalationRoundTrip(t *testing.T) {
	d := startDesk(t, t.TempDir())
	thread := d.openCase()
	topic := d.emu.Topics(SandboxOperatorChat)[0]
	if !strings.Contains(topic.Name, "C-000001") || !strings.Contains(topic.Name, "uk") || !strings.Contains(topic.Name, "permits") {
		t.Fatalf("topic name %q", topic.Name)
	}
	card := d.emu.Sent(SandboxOperatorChat)[0]
	if card.ThreadID != thread || !strings.Contains(card.Text, "Olena") || len(card.Buttons) != 1 {
		t.Fatalf("card: %+v", card)
	}
	told := false
	for _, m := range d.emu.Sent(d.person.ID) {
		told = told || strings.Contains(m.Text, "C-000001")
	}
	if !told {
		t.Fatal("the person was not told their case number")
	}

	d.say("Мій дозвіл закінчується наступного тижня")
	relayed := d.last(SandboxOperatorChat)
	if relayed.Method != "copyMessage" || relayed.ThreadID != thread || relayed.Text != "Мій дозвіл закінчується наступного тижня" {
		t.Fatalf("person's message in the topic: %+v", relayed)
	}

	d.operator(0, thread, "/take")
	if got := d.last(SandboxOperatorChat).Text; !strings.Contains(got, "Giulia") {
		t.Fatalf("take: %q", got)
	}
	d.operator(0, thread, "Buongiorno! Porti la ricevuta alla Questura.")
	got := d.last(d.person.ID)
	if !strings.Contains(got.Text, "Porti la ricevuta") || !strings.HasPrefix(got.Text, "🏢 ") || strings.Contains(got.Text, "Giulia") {
		t.Fatalf("operator's reply to the person (signed by the help point, not the operator): %q", got.Text)
	}
	d.operator(0, thread, "/note parla poco italiano")
	if strings.Contains(d.last(d.person.ID).Text, "parla poco") {
		t.Fatal("an internal note reached the person")
	}
	d.operator(0, thread, "/close rinnovo spiegato")
	closed := d.last(d.person.ID)
	if closed.Text != d.texts.Text("uk", "case.closed", nil) || len(closed.Buttons[0]) != 3 {
		t.Fatalf("closing message: %+v", closed)
	}
	d.press(d.person, d.person.ID, d.texts.Text("uk", "feedback.helped", nil))
	if got := d.last(d.person.ID).Text; got != d.texts.Text("uk", "feedback.thanks", nil) {
		t.Fatalf("feedback: %q", got)
	}
	c, _ := d.a.desk.Cases.Get(context.Background(), "C-000001")
	if c.Status != "closed" || c.Feedback != "helped" || c.Outcome != "rinnovo spiegato" || c.FirstResponse.IsZero() {
		t.Fatalf("case: %+v", c)
	}
	table, err := observatory.NewReader(d.a.Store).Report(context.Background(), time.Now().Add(-time.Hour), time.Now().Add(time.Hour), observatory.KindDim, observatory.Bucket)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, r := range table.Rows {
		kinds[strings.Join(r.Keys, "/")] += r.Events
	}
	// Closed with the counsellor's own words: the outcome is "other", the
	// words are not recorded.
	if kinds["first_response/"] != 1 || kinds["case_closed/other"] != 1 || kinds["feedback/helped"] != 1 {
		t.Fatalf("observatory events of the case: %v", kinds)
	}
	// Writing again reopens it.
	d.say("Ще одне питання")
	if got := d.emu.Sent(SandboxOperatorChat); !strings.Contains(got[len(got)-2].Text, d.texts.Text("it", "case.reopened", nil)) {
		t.Fatalf("reopen notice missing: %+v", got[len(got)-2])
	}
}

// Photos and voice notes travel as they are, both ways.
func TestEscalationMediaRelay(t *testing.T) {
	d := startDesk(t, t.TempDir())
	thread := d.openCase()
	d.settle(d.emu.SendMessageUpdate(d.person, d.person.ID, 0, models.Message{Photo: []models.PhotoSize{{FileID: "photo-of-permit", Width: 800, Height: 600}}, Caption: "ось"}))
	in := d.last(SandboxOperatorChat)
	if in.Method != "copyMessage" || in.FileID != "photo-of-permit" || in.ThreadID != thread {
		t.Fatalf("photo in the topic: %+v", in)
	}
	d.settle(d.emu.SendMessageUpdate(d.ops[0], SandboxOperatorChat, thread, models.Message{Voice: &models.Voice{FileID: "voice-answer", Duration: 7}}))
	out := d.last(d.person.ID)
	if out.Method != "copyMessage" || out.FileID != "voice-answer" {
		t.Fatalf("voice note to the person: %+v", out)
	}
}

// Two operators pressing Take at the same moment: exactly one gets the
// case, the other is told who has it — 50 times.
func TestTwoOperatorsTakeAtOnce(t *testing.T) {
	d := startDesk(t, t.TempDir())
	for round := 1; round <= 50; round++ {
		person := telegramtest.User{ID: int64(7000 + round), FirstName: "P", LanguageCode: "en"}
		d.settle(d.emu.SendText(person, "/start"))
		d.settle(d.emu.SendText(person, "I want to talk to a person"))
		d.press(person, person.ID, "✅ "+d.texts.Text("en", "consent.yes", nil)) // what the case keeps
		topics := d.emu.Topics(SandboxOperatorChat)
		thread := topics[len(topics)-1].ID
		var card telegramtest.Sent
		for _, m := range d.emu.Sent(SandboxOperatorChat) {
			if m.ThreadID == thread && len(m.Buttons) > 0 {
				card = m
			}
		}
		if card.MessageID == 0 {
			t.Fatalf("round %d: no card", round)
		}
		var wg sync.WaitGroup
		var ids [2]int64
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ids[i] = d.emu.PressButton(d.ops[i], SandboxOperatorChat, card.MessageID, card.Buttons[0][0].Data)
			}()
		}
		wg.Wait()
		d.settle(max(ids[0], ids[1]))
		taken, told := 0, 0
		for _, m := range d.emu.Sent(SandboxOperatorChat) {
			if m.ThreadID != thread {
				continue
			}
			if strings.HasPrefix(m.Text, "✋ ") {
				taken++
			}
			if strings.HasPrefix(m.Text, "Il caso è già di ") {
				told++
			}
		}
		if taken != 1 || told != 1 {
			t.Fatalf("round %d: %d took the case, %d were told who has it", round, taken, told)
		}
	}
}

// A topic deleted by hand is recreated by the next message.
func TestDeletedTopicIsRecreated(t *testing.T) {
	d := startDesk(t, t.TempDir())
	thread := d.openCase()
	d.emu.DeleteTopic(SandboxOperatorChat, thread)
	d.say("ви тут?")
	topics := d.emu.Topics(SandboxOperatorChat)
	if len(topics) != 2 || !topics[0].Deleted || topics[1].Deleted {
		t.Fatalf("topics: %+v", topics)
	}
	if m := d.last(SandboxOperatorChat); m.ThreadID != topics[1].ID || m.Text != "ви тут?" {
		t.Fatalf("message went to %d (%q), want the new topic %d", m.ThreadID, m.Text, topics[1].ID)
	}
	var inNew []telegramtest.Sent
	for _, m := range d.emu.Sent(SandboxOperatorChat) {
		if m.ThreadID == topics[1].ID {
			inNew = append(inNew, m)
		}
	}
	if len(inNew) != 2 || !strings.Contains(inNew[0].Text, "Olena") || len(inNew[0].Buttons) != 1 {
		t.Fatalf("the recreated topic does not start with the case card: %+v", inNew)
	}
}

// A person who blocked the bot: the topic says so.
func TestBlockedPersonShownInTopic(t *testing.T) {
	d := startDesk(t, t.TempDir())
	thread := d.openCase()
	d.emu.Block(d.person.ID)
	d.operator(1, thread, "Mi sente?")
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(d.last(SandboxOperatorChat).Text, "⛔") {
		if time.Now().After(deadline) {
			t.Fatalf("the topic was not told: %+v", d.last(SandboxOperatorChat))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// An operator's reply whose delivery fails until the process restarts is
// delivered once after the restart.
func TestOperatorReplySurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	d := startDesk(t, dir)
	thread := d.openCase()
	d.emu.FailNext("sendMessage", 1000, 502)
	id := d.emu.SendGroupText(d.ops[0], SandboxOperatorChat, thread, "Risposta importante")
	for !d.a.Runtime.Handled(id) {
		time.Sleep(time.Millisecond)
	}
	stopApp(d.a) // the reply is in the outbox, not delivered
	if strings.Contains(d.last(d.person.ID).Text, "Risposta importante") {
		t.Fatal("delivered although Telegram failed")
	}
	d.emu.ClearFaults()
	startDeskOn(t, dir, d.emu) // restart on the same data and emulator
	deadline := time.Now().Add(20 * time.Second)
	for {
		n := 0
		for _, m := range d.emu.Sent(d.person.ID) {
			if strings.Contains(m.Text, "Risposta importante") {
				n++
			}
		}
		if n == 1 {
			break
		}
		if n > 1 || time.Now().After(deadline) {
			t.Fatalf("reply delivered %d times", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// /forget, after a confirmation, erases the person everywhere: no
// collection keeps their chat id, name or anything they wrote, and the
// operators see in the topic that they exercised the right.
func TestForgetLeavesNoPersonalData(t *testing.T) {
	d := startDesk(t, t.TempDir())
	thread := d.openCase()
	d.say("Мене звати Олена Коваленко, телефон 3331234567")
	d.operator(0, thread, "Buongiorno Olena, ci vediamo giovedì")
	d.say("/forget")
	d.press(d.person, d.person.ID, "🗑 "+d.texts.Text("uk", "forget.yes", nil))
	if got := d.last(d.person.ID).Text; got != d.texts.Text("uk", "forget.done", nil) {
		t.Fatalf("confirmation: %q", got)
	}
	deadline := time.Now().Add(5 * time.Second)
	for d.a.Runtime.Queued() > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // outcomes recorded, ephemeral message deleted
	// The copies in the operators' group go too: the case's topic is
	// deleted with its messages, and the General topic says so.
	notice := d.texts.Text("it", "case.topic_deleted", map[string]any{"Case": "C-000001"})
	found := false
	for _, m := range d.emu.Sent(SandboxOperatorChat) {
		found = found || (m.ThreadID == 0 && m.Text == notice)
	}
	if !found {
		t.Error("the operators were not told in the group")
	}
	if topics := d.emu.Topics(SandboxOperatorChat); len(topics) != 1 || !topics[0].Deleted || topics[0].ID != thread {
		t.Errorf("the case's topic was not deleted: %+v", topics)
	}
	for _, m := range d.emu.Sent(SandboxOperatorChat) {
		if _, there := d.emu.Message(SandboxOperatorChat, m.MessageID); there && m.ThreadID == thread {
			t.Errorf("still in the operators' group: %q", m.Text)
		}
	}
	needles := []string{"5005", "Olena", "Олена", "Коваленко", "3331234567", "ci vediamo giovedì"}
	traces, err := scanAll(context.Background(), d.a.Store, needles)
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range traces {
		t.Errorf("personal data left: %s", tr)
	}
}

// /refer sends the person a directory service in their language with a
// map pin and records it; /t sends a ready answer in their language; an
// unknown service or key gets help, not an error.
func TestReferAndCannedAnswers(t *testing.T) {
	d := startDesk(t, t.TempDir())
	thread := d.openCase()
	d.operator(0, thread, "/refer asl-frascati")
	sent := d.emu.Sent(d.person.ID)
	text, venue := sent[len(sent)-2], sent[len(sent)-1]
	if !strings.HasPrefix(text.Text, d.texts.Text("uk", "case.referral", nil)) || !strings.Contains(text.Text, "ASL Roma 6") || venue.Method != "sendVenue" {
		t.Fatalf("referral to the person: %q / %+v", text.Text, venue)
	}
	c, _ := d.a.desk.Cases.Get(context.Background(), "C-000001")
	if c.Status != "referred" || len(c.Referrals) != 1 {
		t.Fatalf("case after referral: %+v", c)
	}
	d.operator(0, thread, "/refer no-such-service")
	if got := d.last(SandboxOperatorChat).Text; !strings.Contains(got, "no-such-service") {
		t.Fatalf("unknown service: %q", got)
	}
	d.operator(0, thread, "/t documents")
	if got := d.last(d.person.ID).Text; !strings.Contains(got, d.texts.Text("uk", "canned.documents", nil)) {
		t.Fatalf("canned answer in Ukrainian: %q", got)
	}
	d.operator(0, thread, "/t")
	if got := d.last(SandboxOperatorChat).Text; !strings.Contains(got, "documents") {
		t.Fatalf("canned keys: %q", got)
	}
}

// Outside office hours the person is told when someone will answer; a case
// nobody takes is raised again in the group, once per period.
func TestOfficeHoursAndUnansweredCases(t *testing.T) {
	d := startDesk(t, t.TempDir())
	sunday := time.Date(2026, 3, 8, 20, 0, 0, 0, rome())
	d.a.desk.Now = func() time.Time { return sunday }
	d.openCase()
	var after string
	monday := d.texts.DateTime("uk", time.Date(2026, 3, 9, 9, 0, 0, 0, rome()))
	for _, m := range d.emu.Sent(d.person.ID) {
		if strings.Contains(m.Text, monday) {
			after = m.Text
		}
	}
	if after == "" {
		t.Fatalf("not told, in Ukrainian, that the next opening is Monday 09:00 (%q): %+v", monday, d.emu.Sent(d.person.ID))
	}
	if strings.Contains(after, "Mo-Fr") || strings.Contains(after, "09/03") {
		t.Fatalf("office hours shown as codes instead of in the person's language: %q", after)
	}
	d.a.desk.Now = func() time.Time { return time.Now().Add(45 * time.Minute) }
	entries, err := d.a.desk.Reminders(context.Background(), 30*time.Minute)
	if err != nil || len(entries) != 1 || !strings.HasPrefix(entries[0].Msg.Text, "⏰") {
		t.Fatalf("reminder: %+v %v", entries, err)
	}
	again, _ := d.a.desk.Reminders(context.Background(), 30*time.Minute)
	if len(again) != 0 {
		t.Fatalf("raised twice in the same period: %+v", again)
	}
}

func rome() *time.Location {
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		panic(err)
	}
	return loc
}

// Only the operators' group reaches the desk: operator commands written in
// another group (or by the person in their private chat) do nothing.
func TestOperatorCommandsOnlyInTheOperatorsGroup(t *testing.T) {
	d := startDesk(t, t.TempDir())
	thread := d.openCase()
	const otherGroup = -1009999
	d.emu.CreateForumGroup(otherGroup, "Another group")
	stranger := telegramtest.User{ID: 4242, FirstName: "Stranger"}
	d.emu.AddMember(otherGroup, stranger, false)
	d.settle(d.emu.SendGroupText(stranger, otherGroup, thread, "/take"))
	d.settle(d.emu.SendGroupText(stranger, otherGroup, 0, "/close"))
	if n := len(d.emu.Sent(otherGroup)); n != 0 {
		t.Fatalf("the bot answered %d times in another group", n)
	}
	d.say("/take")
	d.say("/close done")
	c, _ := d.a.desk.Cases.Get(context.Background(), "C-000001")
	if c.Status != "new" || c.Assignee.ID != "" {
		t.Fatalf("a non-operator changed the case: %+v", c)
	}
}

// What people ask leaves anonymous events for the observatory: the topic
// opened, the request for a counsellor, a question not understood — with
// no chat id, name or text in them.
func TestObservatoryEvents(t *testing.T) {
	d := startDesk(t, t.TempDir())
	d.openCase()
	other := telegramtest.User{ID: 5006, FirstName: "Ali", LanguageCode: "ar"}
	d.settle(d.emu.SendText(other, "/start"))
	d.settle(d.emu.SendText(other, "xqzv blorp")) // no case open: it goes to understanding
	table, err := observatory.NewReader(d.a.Store).Report(context.Background(), time.Now().Add(-time.Hour), time.Now().Add(time.Hour), observatory.KindDim, observatory.Topic)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, r := range table.Rows {
		got[strings.Join(r.Keys, "/")] += r.Events
	}
	if got["topic_view/permits"] != 1 || got["escalation/permits"] != 1 || got["unmatched/"] != 1 {
		t.Fatalf("events: %v", got)
	}
	traces, err := scanAll(context.Background(), d.a.Store, []string{"xqzv", "Olena"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range traces {
		if strings.HasPrefix(tr, "observatory_events") {
			t.Errorf("personal data in an event: %s", tr)
		}
	}
}

// Edits: a person correcting a message shows the correction in the topic;
// an operator correcting theirs sends the corrected text to the person.
func TestEditsReachTheOtherSide(t *testing.T) {
	d := startDesk(t, t.TempDir())
	thread := d.openCase()
	d.say("Mi serve il permeso")
	var personMsgID int
	for id := 1; id < 50; id++ {
		if m, ok := d.emu.Message(d.person.ID, id); ok && m.Text == "Mi serve il permeso" {
			personMsgID = id
		}
	}
	chatObj := models.Chat{ID: d.person.ID, Type: models.ChatTypePrivate}
	d.settle(d.emu.Inject(models.Update{EditedMessage: &models.Message{ID: personMsgID, Chat: chatObj,
		From: &models.User{ID: d.person.ID, FirstName: "Olena"}, Text: "Mi serve il permesso"}}))
	if got := d.last(SandboxOperatorChat); got.ThreadID != thread || got.Text != "✏️ Mi serve il permesso" {
		t.Fatalf("topic got %+v", got)
	}
	d.settle(d.emu.Inject(models.Update{EditedMessage: &models.Message{ID: 99, IsTopicMessage: true, MessageThreadID: thread,
		Chat: models.Chat{ID: SandboxOperatorChat, Type: models.ChatTypeSupergroup, IsForum: true},
		From: &models.User{ID: d.ops[0].ID, FirstName: "Giulia"}, Text: "Domani alle 10"}}))
	if got := d.last(d.person.ID).Text; !strings.Contains(got, "✏️ Domani alle 10") {
		t.Fatalf("person got %q", got)
	}
}
