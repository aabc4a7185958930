package flows

import (
	"context"
	"strings"

	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/locales"
)

// Catalog is what flows need from locales.
type Catalog interface {
	Text(lang, id string, data map[string]any) string
	Languages() []locales.Language
	Match(telegramLanguageCode string) (tag string, ok bool)
}

// Welcome answers private chats: greeting, language choice, and a kind
// answer to anything it cannot read yet. Group messages get no answer.
type Welcome struct {
	Texts Catalog
}

// languageButtonPrefix starts the callback data of a language button.
const languageButtonPrefix = "lang:"

// Handle implements bot.Handler. It has no effects besides its outputs and
// the session's language, so it is safe to run again after a crash.
func (w *Welcome) Handle(_ context.Context, sess *store.Session, in chat.Incoming) ([]chat.Outgoing, error) {
	if !in.Private {
		return nil, nil
	}
	matched := true
	if sess.Lang == "" {
		sess.Lang, matched = w.Texts.Match(in.From.LanguageCode)
		if !matched {
			sess.Lang = "it"
		}
	}
	reply := func(id string, data map[string]any) chat.Outgoing {
		return chat.Outgoing{ChatID: in.ChatID, Text: w.Texts.Text(sess.Lang, id, data), CallbackID: in.CallbackID}
	}
	switch in.Kind {
	case chat.KindButton:
		if tag, ok := strings.CutPrefix(in.Data, languageButtonPrefix); ok && w.supported(tag) {
			sess.Lang = tag
			return []chat.Outgoing{reply("language.changed", nil), reply("menu.placeholder", nil)}, nil
		}
		return []chat.Outgoing{reply("menu.placeholder", nil)}, nil
	case chat.KindText:
		switch cmd, _ := in.Command(); cmd {
		case "start":
			greeting := reply("start.greeting", map[string]any{"Name": in.From.FirstName})
			if !matched {
				return []chat.Outgoing{greeting, w.picker(in.ChatID, sess.Lang, "language.unsupported")}, nil
			}
			return []chat.Outgoing{greeting, w.picker(in.ChatID, sess.Lang, "start.choose_language")}, nil
		case "language":
			return []chat.Outgoing{w.picker(in.ChatID, sess.Lang, "start.choose_language")}, nil
		}
		return []chat.Outgoing{reply("menu.placeholder", nil)}, nil
	}
	return []chat.Outgoing{reply("update.unsupported_media", nil)}, nil
}

func (w *Welcome) supported(tag string) bool {
	for _, l := range w.Texts.Languages() {
		if l.Tag == tag {
			return true
		}
	}
	return false
}

// picker shows every language in its own name, two per row.
func (w *Welcome) picker(chatID int64, lang, promptID string) chat.Outgoing {
	var rows [][]chat.Button
	for i, l := range w.Texts.Languages() {
		b := chat.Button{Text: l.Name, Data: languageButtonPrefix + l.Tag}
		if i%2 == 0 {
			rows = append(rows, []chat.Button{b})
		} else {
			rows[len(rows)-1] = append(rows[len(rows)-1], b)
		}
	}
	return chat.Outgoing{ChatID: chatID, Text: w.Texts.Text(lang, promptID, nil), Buttons: rows}
}
