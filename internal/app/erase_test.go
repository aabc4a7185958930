package app

import (
	"testing"
)

// When the bot may not delete the case's topic (it is not an admin allowed
// to delete messages), /forget closes the topic and says in General,
// truthfully, that its messages remain and must be deleted by hand.
func TestForgetSaysWhatRemainsInTheGroup(t *testing.T) {
	d := startDesk(t, t.TempDir())
	d.openCase()
	d.say("Мене звати Олена")
	d.emu.FailNext("deleteForumTopic", 1, 400)
	d.say("/forget")
	d.press(d.person, d.person.ID, "🗑 "+d.texts.Text("uk", "forget.yes", nil))
	d.waitIdle()
	topics := d.emu.Topics(SandboxOperatorChat)
	if len(topics) != 1 || topics[0].Deleted || !topics[0].Closed {
		t.Fatalf("the topic should be kept but closed: %+v", topics)
	}
	want := d.texts.Text("it", "case.topic_kept", map[string]any{"Case": "C-000001"})
	found := false
	for _, m := range d.emu.Sent(SandboxOperatorChat) {
		found = found || (m.ThreadID == 0 && m.Text == want)
		if m.Text == d.texts.Text("it", "case.person_forgot", nil) {
			t.Error("the topic was told the messages were erased while they are still there")
		}
	}
	if !found {
		t.Fatal("the topic does not say what remains")
	}
}
