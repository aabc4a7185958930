package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prils-lazio/presidio/internal/observatory"
	"github.com/prils-lazio/presidio/internal/telegramtest"
)

// A feedback button names a case: pressed by anyone but the person whose
// case it is (forged data, another chat), it changes nothing, records no
// observatory event, and thanks nobody.
func TestFeedbackOnlyOnOwnCase(t *testing.T) {
	d := startDesk(t, t.TempDir())
	thread := d.openCase()
	d.operator(0, thread, "/take")
	mallory := telegramtest.User{ID: 6666, FirstName: "Mallory", LanguageCode: "en"}
	d.settle(d.emu.SendText(mallory, "/start"))
	for _, v := range []string{"not", "helped", "partly"} {
		d.settle(d.emu.PressButton(mallory, 0, oldMessage, "fb:"+v+":C-000001"))
		sent := d.emu.Sent(mallory.ID)
		d.settle(d.emu.PressButton(mallory, 0, sent[len(sent)-1].MessageID, "fb:"+v+":C-000001"))
	}
	for _, m := range d.emu.Sent(mallory.ID) {
		if m.Text == d.texts.Text("en", "feedback.thanks", nil) {
			t.Fatal("Mallory was thanked for feedback on someone else's case")
		}
	}
	c, err := d.a.desk.Cases.Get(context.Background(), "C-000001")
	if err != nil {
		t.Fatal(err)
	}
	if c.Feedback != "" {
		t.Fatalf("feedback %q set on Olena's case by Mallory", c.Feedback)
	}
	table, err := observatory.NewReader(d.a.Store).Report(context.Background(), time.Now().Add(-time.Hour), time.Now().Add(time.Hour), observatory.KindDim, observatory.Bucket)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range table.Rows {
		if strings.HasPrefix(strings.Join(r.Keys, "/"), "feedback") {
			t.Fatalf("observatory feedback event from a forged button: %v", r)
		}
	}
	// The closing question's buttons do not carry the case number, and
	// Olena's own buttons work, the old form (with the number) too.
	d.operator(0, thread, "/close fatto")
	closing := d.last(d.person.ID)
	for _, row := range closing.Buttons {
		for _, b := range row {
			if strings.Contains(b.Data, "C-0") {
				t.Fatalf("a feedback button names the case by its number: %q", b.Data)
			}
		}
	}
	d.settle(d.emu.PressButton(mallory, 0, oldMessage, closing.Buttons[0][2].Data))
	if c, _ := d.a.desk.Cases.Get(context.Background(), "C-000001"); c.Feedback != "" {
		t.Fatal("Mallory used Olena's button data")
	}
	d.settle(d.emu.PressButton(d.person, d.person.ID, closing.MessageID, closing.Buttons[0][1].Data))
	if c, _ := d.a.desk.Cases.Get(context.Background(), "C-000001"); c.Feedback != "partly" {
		t.Fatalf("Olena's button: feedback %q", c.Feedback)
	}
	d.settle(d.emu.PressButton(d.person, 0, oldMessage, "fb:helped:C-000001"))
	if got := d.last(d.person.ID).Text; got != d.texts.Text("uk", "feedback.thanks", nil) {
		t.Fatalf("Olena's own feedback: %q", got)
	}
	if c, _ := d.a.desk.Cases.Get(context.Background(), "C-000001"); c.Feedback != "helped" {
		t.Fatalf("Olena's feedback not recorded: %q", c.Feedback)
	}
}
