package flows

import (
	"context"
	"testing"
	"time"

	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/store"
)

type fixedUnderstander map[string]string

func (f fixedUnderstander) Understand(_, text string) (string, bool) {
	intent, ok := f[text]
	return intent, ok
}

func testBot(t *testing.T, now *time.Time) *Bot {
	e := loadGood(t)
	tx := texts()
	tx["it"]["welcome.back"], tx["it"]["welcome.continue"], tx["it"]["welcome.restart"] = "Bentornato", "Continua", "Ricomincia"
	tx["it"]["understand.not_understood"] = "Non ho capito"
	return &Bot{Engine: NewEngine(e.flows, tx), Texts: tx, Actions: testActions, Now: func() time.Time { return *now },
		Understand: fixedUnderstander{"voglio parlare con qualcuno": "human"}}
}

func text(s string) chat.Incoming {
	return chat.Incoming{Kind: chat.KindText, Private: true, ChatID: 9, Text: s, From: chat.Person{ID: 9, LanguageCode: "it"}}
}

// Someone who comes back days later in the middle of a topic is asked
// whether to continue there or start again.
func TestComingBackAfterDaysAsksToContinue(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	b := testBot(t, &now)
	sess := &store.Session{Lang: "it"}
	st := State{Consent: "yes"}
	b.Engine.Enter(&st, Turn{ChatID: 9, Lang: "it"}, "@topic")
	st.LastActive = now
	sess.State = encodeState(st)

	now = now.Add(4 * 24 * time.Hour)
	out, err := b.Handle(context.Background(), sess, text("ciao"))
	if err != nil || len(out) != 1 || out[0].Text != "Bentornato" || out[0].Buttons[0][0].Data != navContinue {
		t.Fatalf("after 4 days: %+v %v", out, err)
	}
	out, _ = b.Handle(context.Background(), sess, chat.Incoming{Kind: chat.KindButton, Private: true, ChatID: 9, Data: navContinue})
	if out[0].Text != "Scegli" {
		t.Fatalf("continue: %+v", out)
	}
	// The next day, within the idle time, nothing is asked.
	now = now.Add(time.Hour)
	out, _ = b.Handle(context.Background(), sess, text("Prima"))
	if out[0].Text != "Risposta" {
		t.Fatalf("an hour later, typed choice: %+v", out)
	}
}

// Free text that is not a button label goes to understanding; what is not
// understood gets a kind "I did not understand" and the main menu.
func TestFreeTextUnderstoodOrKindlyNot(t *testing.T) {
	now := time.Now()
	b := testBot(t, &now)
	sess := &store.Session{Lang: "it", State: encodeState(State{Consent: "yes"})}
	out, _ := b.Handle(context.Background(), sess, text("voglio parlare con qualcuno"))
	if len(out) == 0 || out[0].Text != "where?" {
		t.Fatalf("human intent should reach the escalate action: %+v", out)
	}
	out, _ = b.Handle(context.Background(), sess, text("qwzx"))
	if out[0].Text != "Non ho capito" || out[1].Text != "Menu" {
		t.Fatalf("not understood: %+v", out)
	}
}

// Typing "Indietro" (a navigation button's label) works like pressing it.
func TestTypedNavigationWords(t *testing.T) {
	now := time.Now()
	b := testBot(t, &now)
	sess := &store.Session{Lang: "it", State: encodeState(State{Consent: "yes"})}
	b.Handle(context.Background(), sess, chat.Incoming{Kind: chat.KindButton, Private: true, ChatID: 9, Data: choiceData("main", "menu", 0)})
	out, _ := b.Handle(context.Background(), sess, text("indietro"))
	if len(out) == 0 || out[0].Text != "Menu" {
		t.Fatalf("typed back: %+v", out)
	}
}

// /settings offers to stop announcements; one tap stops them, another
// restarts them (the announcer skips people whose state says "off").
func TestSettingsStopAndRestartAnnouncements(t *testing.T) {
	now := time.Now()
	b := testBot(t, &now)
	sess := &store.Session{Lang: "it", State: encodeState(State{Consent: "yes"})}
	out, _ := b.Handle(context.Background(), sess, text("/settings"))
	if len(out) != 1 || out[0].Buttons[0][0].Data != NewsOff {
		t.Fatalf("settings: %+v", out)
	}
	b.Handle(context.Background(), sess, chat.Incoming{Kind: chat.KindButton, Private: true, ChatID: 9, Data: NewsOff})
	if st := decodeState(sess.State); st.News != "off" {
		t.Fatalf("news not stopped: %+v", st)
	}
	out, _ = b.Handle(context.Background(), sess, chat.Incoming{Kind: chat.KindButton, Private: true, ChatID: 9, Data: NewsOn})
	if st := decodeState(sess.State); st.News != "" || out[0].Buttons[0][0].Data != NewsOff {
		t.Fatalf("news not restarted: %+v", st)
	}
}
