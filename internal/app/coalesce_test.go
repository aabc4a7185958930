package app

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/go-telegram/bot/models"

	"github.com/prils-lazio/presidio/bot"
	"github.com/prils-lazio/presidio/internal/cases"
	"github.com/prils-lazio/presidio/internal/telegramtest"
)

// At the operators' group's rate limit, one person writing 30 messages on
// an open case while another person's case opens: the new case's card is
// not held back, the 30 texts reach the first case's topic in order in far
// fewer group messages with nothing missing, the case's log keeps all 30,
// and /forget still deletes the merged messages with the topic.
func TestBurstOnOpenCaseIsMergedAndNewCaseNotHeldBack(t *testing.T) {
	emu := telegramtest.New(telegramtest.Options{})
	t.Cleanup(emu.Close)
	emu.CreateForumGroup(SandboxOperatorChat, "Operatori")
	d := startDeskLimits(t, t.TempDir(), emu, nil, bot.Limits{PerGroupPerMinute: 60, PerGroupBurst: 1})
	alice := d.person
	threadA := d.openCase()

	bob := telegramtest.User{ID: 5006, FirstName: "Bohdan", LanguageCode: "uk"}
	d.person = bob
	d.say("/start")
	d.press(bob, bob.ID, "✅ "+d.texts.Text("uk", "consent.yes", nil))
	d.press(bob, bob.ID, d.texts.Text("uk", "main.b.permits", nil))
	d.press(bob, bob.ID, d.texts.Text("uk", "permits.b.renew", nil))

	before := len(emu.Sent(SandboxOperatorChat))
	for i := 1; i <= 30; i++ {
		if i == 12 { // a link, kept wherever the text lands
			emu.SendMessageUpdate(alice, alice.ID, 0, models.Message{Text: "рядок12 дивись тут",
				Entities: []models.MessageEntity{{Type: models.MessageEntityTypeTextLink, Offset: 15, Length: 3, URL: "https://example.org/"}}})
		} else {
			emu.SendText(alice, fmt.Sprintf("рядок%02d", i))
		}
		time.Sleep(10 * time.Millisecond)
	}
	d.pressNoWait(bob, bob.ID, "🙋 "+d.texts.Text("uk", "nav.human", nil))

	line := regexp.MustCompile(`рядок\d\d`)
	deadline := time.Now().Add(30 * time.Second)
	var got []string
	var messages, cardAt int
	for {
		got, messages, cardAt = nil, 0, -1
		for i, m := range emu.Sent(SandboxOperatorChat)[before:] {
			if m.ThreadID == threadA {
				if found := line.FindAllString(m.Text, -1); len(found) > 0 {
					got = append(got, found...)
					messages++
				}
			} else if m.ThreadID != 0 && cardAt < 0 {
				cardAt = i
			}
		}
		if len(got) >= 30 && cardAt >= 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	for i, s := range got {
		if s != fmt.Sprintf("рядок%02d", i+1) {
			t.Fatalf("texts in the topic lost, repeated or out of order: %v", got)
		}
	}
	if len(got) != 30 || cardAt < 0 {
		t.Fatalf("%d of 30 texts arrived; new case's card sent: %v", len(got), cardAt >= 0)
	}
	if messages > 6 {
		t.Fatalf("30 texts took %d group messages", messages)
	}
	if cardAt > 3 {
		t.Fatalf("the new case's card waited behind %d messages of the burst", cardAt)
	}
	t.Logf("30 texts in %d group messages; the new case's card was group message %d after the burst began", messages, cardAt+1)

	for _, m := range emu.Sent(SandboxOperatorChat) {
		if !strings.Contains(m.Text, "рядок12") {
			continue
		}
		msg, _ := emu.Message(SandboxOperatorChat, m.MessageID)
		units := utf16.Encode([]rune(msg.Text))
		var linked []string
		for _, e := range msg.Entities {
			if e.Type == models.MessageEntityTypeTextLink && e.URL == "https://example.org/" {
				linked = append(linked, string(utf16.Decode(units[e.Offset:e.Offset+e.Length])))
			}
		}
		if len(linked) != 1 || linked[0] != "тут" {
			t.Fatalf("the person's link in the topic (%s): %q", m.Method, linked)
		}
	}

	log, err := d.a.desk.Cases.Messages(context.Background(), "C-000001")
	if err != nil {
		t.Fatal(err)
	}
	in := 0
	for _, m := range log {
		if m.Direction == cases.DirIn && line.MatchString(m.Text) {
			in++
		}
	}
	if in != 30 {
		t.Fatalf("the case's log has %d of the 30 messages", in)
	}

	d.person = alice
	d.waitIdle()
	d.say("/forget")
	d.press(alice, alice.ID, "🗑 "+d.texts.Text("uk", "forget.yes", nil))
	d.waitIdle()
	for _, m := range emu.Sent(SandboxOperatorChat) {
		if _, there := emu.Message(SandboxOperatorChat, m.MessageID); there && m.ThreadID == threadA {
			t.Errorf("still in the operators' group after /forget: %q", m.Text)
		}
	}
}

// pressNoWait presses a button and returns at once (the update's id).
func (d *desk) pressNoWait(u telegramtest.User, chatID int64, label string) int64 {
	d.t.Helper()
	sent := d.emu.Sent(chatID)
	for i := len(sent) - 1; i >= 0; i-- {
		for _, row := range sent[i].Buttons {
			for _, b := range row {
				if b.Text == label {
					return d.emu.PressButton(u, chatID, sent[i].MessageID, b.Data)
				}
			}
		}
	}
	d.t.Fatalf("no button %q in chat %d", label, chatID)
	return 0
}
