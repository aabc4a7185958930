package app

import (
	"context"
	"strings"
	"testing"

	"github.com/prils-lazio/presidio/internal/console"
)

// buttonsOf returns the inline buttons a message in the operators' group
// has now (after edits).
func (d *desk) buttonsOf(messageID int) int {
	m, ok := d.emu.Message(SandboxOperatorChat, messageID)
	if !ok || m.ReplyMarkup == nil {
		return 0
	}
	n := 0
	for _, row := range m.ReplyMarkup.InlineKeyboard {
		n += len(row)
	}
	return n
}

// Take and Close as a new counsellor meets them: Take leaves the card,
// /close asks the outcome with buttons and confirms, the topic is marked
// and closed, the person's feedback shows in the topic and the console,
// and a person writing again reopens case and topic.
func TestCloseAsksOutcomeAndClosesTheTopic(t *testing.T) {
	d := startDesk(t, t.TempDir())
	thread := d.openCase()
	card := d.emu.Sent(SandboxOperatorChat)[0]
	if n := d.buttonsOf(card.MessageID); n != 2 {
		t.Fatalf("a new case's card has %d buttons, want Take and Close", n)
	}
	d.operator(0, thread, "/take") // the card was sent at once: its buttons follow commands too
	if n := d.buttonsOf(card.MessageID); n != 1 {
		t.Fatalf("after /take the card has %d buttons, want only Close", n)
	}

	d.operator(0, thread, "/close")
	ask := d.last(SandboxOperatorChat)
	if len(ask.Buttons) != 5 || !strings.Contains(ask.Text, "C-000001") {
		t.Fatalf("/close without an outcome: %+v", ask)
	}
	if c, _ := d.a.cases.Get(context.Background(), "C-000001"); c.Status == "closed" {
		t.Fatal("/close closed at once without an outcome")
	}
	d.press(d.ops[0], SandboxOperatorChat, "altro (scritto)")
	if got := d.last(SandboxOperatorChat).Text; !strings.Contains(got, "/close") {
		t.Fatalf("'other' does not ask for the words: %q", got)
	}
	d.press(d.ops[0], SandboxOperatorChat, "risposta data")
	if got := d.last(d.person.ID).Text; got != d.texts.Text("uk", "case.closed", nil) {
		t.Fatalf("the person was not told: %q", got)
	}
	confirm := d.emu.Sent(SandboxOperatorChat)
	if !strings.Contains(confirm[len(confirm)-1].Text, "risposta data") {
		t.Fatalf("closing not confirmed with the outcome in words: %q", confirm[len(confirm)-1].Text)
	}
	c, _ := d.a.cases.Get(context.Background(), "C-000001")
	if c.Status != "closed" || c.Outcome != "answered" {
		t.Fatalf("case: %s %q", c.Status, c.Outcome)
	}
	topic := d.emu.Topics(SandboxOperatorChat)[0]
	if !topic.Closed || !strings.HasPrefix(topic.Name, "🔒 ") {
		t.Fatalf("closed case's topic: %+v", topic)
	}
	if d.buttonsOf(card.MessageID) != 0 || d.buttonsOf(ask.MessageID) != 0 {
		t.Fatal("buttons left on the card or the outcome question after closing")
	}

	// Feedback reaches the topic (the bot still posts in the closed topic) and the console.
	d.press(d.person, d.person.ID, d.texts.Text("uk", "feedback.partly", nil))
	if got := d.last(SandboxOperatorChat).Text; !strings.Contains(got, "in parte") {
		t.Fatalf("feedback in the topic: %q", got)
	}
	op := d.consoleLogin("marta", console.RoleOperator, "")
	if page := op.get("/cases/C-000001"); !strings.Contains(page, "in parte") || !strings.Contains(page, "risposta data") {
		t.Fatalf("console case page without feedback or outcome in words: %.3000s", page)
	}

	// Writing again reopens the case and its topic.
	d.say("Ще одне питання")
	topic = d.emu.Topics(SandboxOperatorChat)[0]
	if topic.Closed || strings.HasPrefix(topic.Name, "🔒") {
		t.Fatalf("reopened case's topic: %+v", topic)
	}
	if d.buttonsOf(card.MessageID) != 1 {
		t.Fatalf("the reopened case's card has %d buttons, want Close", d.buttonsOf(card.MessageID))
	}
	// /close with words closes at once with them.
	d.operator(0, thread, "/close accompagnata in Questura")
	if c, _ := d.a.cases.Get(context.Background(), "C-000001"); c.Status != "closed" || c.Outcome != "accompagnata in Questura" {
		t.Fatalf("/close with words: %s %q", c.Status, c.Outcome)
	}
}

// /services finds services by words and refers with one tap; a wrong or
// empty /refer answers with suggestions or how to search.
func TestServicesSearchAndReferSuggestions(t *testing.T) {
	d := startDesk(t, t.TempDir())
	thread := d.openCase()
	d.operator(0, thread, "/services health frascati")
	found := d.last(SandboxOperatorChat)
	if len(found.Buttons) == 0 || !strings.Contains(found.Buttons[0][0].Text, "Frascati") {
		t.Fatalf("/services health frascati: %+v", found)
	}
	d.settle(d.emu.PressButton(d.ops[0], SandboxOperatorChat, found.MessageID, found.Buttons[0][0].Data))
	c, _ := d.a.cases.Get(context.Background(), "C-000001")
	if len(c.Referrals) != 1 || !strings.HasPrefix(found.Buttons[0][0].Data, "op:ref:C-000001:"+c.Referrals[0].ServiceID) {
		t.Fatalf("one tap did not refer: %+v", c.Referrals)
	}
	sent := d.emu.Sent(d.person.ID)
	if !strings.HasPrefix(sent[len(sent)-2].Text, d.texts.Text("uk", "case.referral", nil)) {
		t.Fatalf("the person did not get the service: %q", sent[len(sent)-2].Text)
	}

	d.operator(0, thread, "/services zzzqqq")
	if got := d.last(SandboxOperatorChat); len(got.Buttons) != 0 || !strings.Contains(got.Text, "zzzqqq") {
		t.Fatalf("no match: %+v", got)
	}
	d.operator(0, thread, "/refer asl-frascatti")
	if got := d.last(SandboxOperatorChat); len(got.Buttons) == 0 || !strings.Contains(got.Text, "asl-frascatti") {
		t.Fatalf("a wrong id gets no suggestions: %+v", got)
	}
	d.operator(0, thread, "/refer")
	if got := d.last(SandboxOperatorChat).Text; !strings.Contains(got, "/services") {
		t.Fatalf("an empty /refer: %q", got)
	}
}

// /help, in a case's topic or the group's general topic, lists every
// counsellor command.
func TestDeskHelpListsEveryCommand(t *testing.T) {
	d := startDesk(t, t.TempDir())
	thread := d.openCase()
	for _, where := range []int{thread, 0} {
		d.operator(0, where, "/help")
		got := d.last(SandboxOperatorChat).Text
		for _, cmd := range []string{"/take", "/close", "/note", "/services", "/refer", "/t ", "/bridge", "/languages", "/help"} {
			if !strings.Contains(got, cmd) {
				t.Errorf("/help in thread %d does not list %s", where, cmd)
			}
		}
	}
}
