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
	// Olena's own (old) button still works.
	d.operator(0, thread, "/close fatto")
	d.settle(d.emu.PressButton(d.person, 0, oldMessage, "fb:helped:C-000001"))
	if got := d.last(d.person.ID).Text; got != d.texts.Text("uk", "feedback.thanks", nil) {
		t.Fatalf("Olena's own feedback: %q", got)
	}
	if c, _ := d.a.desk.Cases.Get(context.Background(), "C-000001"); c.Feedback != "helped" {
		t.Fatalf("Olena's feedback not recorded: %q", c.Feedback)
	}
}
