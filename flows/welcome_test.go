package flows

import (
	"context"
	"strings"
	"testing"

	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/locales"
)

func catalog(t *testing.T) *locales.Catalog {
	c, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func start(lang string) chat.Incoming {
	return chat.Incoming{Kind: chat.KindText, Private: true, ChatID: 5, Text: "/start", From: chat.Person{ID: 5, FirstName: "Amina", LanguageCode: lang}}
}

func TestStartGreetsInTheMatchedLanguage(t *testing.T) {
	texts := catalog(t)
	w := &Welcome{Texts: texts}
	sess := &store.Session{}
	outs, err := w.Handle(context.Background(), sess, start("uk-UA"))
	if err != nil {
		t.Fatal(err)
	}
	if sess.Lang != "uk" {
		t.Fatalf("language = %q, want uk", sess.Lang)
	}
	if want := texts.Text("uk", "start.greeting", map[string]any{"Name": "Amina"}); outs[0].Text != want {
		t.Fatalf("greeting = %q, want %q", outs[0].Text, want)
	}
	if outs[1].Text != texts.Text("uk", "start.choose_language", nil) || len(outs[1].Buttons) != 7 {
		t.Fatalf("picker = %+v", outs[1])
	}
}

// Dari (prs) is not supported and must not land on a wrong language: the
// person gets Italian and the picker with the "not recognised" prompt; a
// tap on a language switches to it.
func TestUnknownLanguageOffersThePicker(t *testing.T) {
	texts := catalog(t)
	w := &Welcome{Texts: texts}
	sess := &store.Session{}
	outs, _ := w.Handle(context.Background(), sess, start("prs"))
	if sess.Lang != "it" || outs[1].Text != texts.Text("it", "language.unsupported", nil) {
		t.Fatalf("lang %q, prompt %q", sess.Lang, outs[1].Text)
	}
	var arabic string
	for _, row := range outs[1].Buttons {
		for _, b := range row {
			if b.Text == "العربية" {
				arabic = b.Data
			}
			if len(b.Data) > 64 {
				t.Fatalf("callback data over 64 bytes: %q", b.Data)
			}
		}
	}
	outs, _ = w.Handle(context.Background(), sess, chat.Incoming{Kind: chat.KindButton, Private: true, ChatID: 5, Data: arabic, CallbackID: "cb1"})
	if sess.Lang != "ar" || outs[0].Text != texts.Text("ar", "language.changed", nil) || outs[0].CallbackID != "cb1" {
		t.Fatalf("after choosing Arabic: lang %q, %+v", sess.Lang, outs[0])
	}
}

func TestStickerGetsAKindAnswerAndGroupsNone(t *testing.T) {
	texts := catalog(t)
	w := &Welcome{Texts: texts}
	sess := &store.Session{Lang: "fr"}
	outs, _ := w.Handle(context.Background(), sess, chat.Incoming{Kind: chat.KindUnsupported, Private: true, ChatID: 5})
	if len(outs) != 1 || outs[0].Text != texts.Text("fr", "update.unsupported_media", nil) {
		t.Fatalf("sticker answer: %+v", outs)
	}
	outs, _ = w.Handle(context.Background(), sess, chat.Incoming{Kind: chat.KindText, ChatID: -100, Text: "hello"})
	if len(outs) != 0 {
		t.Fatalf("answered in a group: %+v", outs)
	}
	if strings.HasPrefix(texts.Text("fr", "update.unsupported_media", nil), "[") {
		t.Fatal("missing text")
	}
}
