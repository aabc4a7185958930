package flows

import (
	"context"
	"strings"

	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/store"
)

// Desk connects a person with an open case to the counsellors
// (internal/escalation implements it).
type Desk interface {
	// Relay forwards what the person sent to their case; ok is false when
	// the case no longer exists, and the message is then the flows'.
	Relay(ctx context.Context, caseID string, in chat.Incoming) (out []chat.Outgoing, ok bool, err error)
	// Feedback records the answer to "did this help?".
	Feedback(ctx context.Context, caseID, value, lang string, chatID int64) ([]chat.Outgoing, error)
}

// Rights serves the person's data rights: what is stored about them, and
// erasing it everywhere.
type Rights interface {
	Export(ctx context.Context, chatID int64, lang string) ([]chat.Outgoing, error)
	// Forget erases the person's data in every store except the session,
	// which the runtime deletes when the handler sets sess.Erase.
	Forget(ctx context.Context, chatID int64) ([]chat.Outgoing, error)
}

// CourseDesk serves /mycourses and the course buttons outside the sign-up
// flow (cancel, accept an offered seat); internal/signup implements it.
type CourseDesk interface {
	Mine(ctx context.Context, chatID int64, lang string) ([]chat.Outgoing, error)
	Button(ctx context.Context, chatID int64, lang, data string) (out []chat.Outgoing, handled bool, err error)
}

// caseVar is the flow variable holding the person's open case.
const caseVar = "case"

// Callback data of the data-rights, feedback and news buttons.
const (
	// NewsOff and NewsOn stop and restart announcements; announcements
	// carry the NewsOff button.
	NewsOff      = "news:off"
	NewsOn       = "news:on"
	forgetYes    = "forget:yes"
	forgetNo     = "forget:no"
	feedbackData = "fb:" // fb:<value>:<case>
)

// relay hands a message to the person's open case, if any.
func (b *Bot) relay(ctx context.Context, st *State, in chat.Incoming) ([]chat.Outgoing, bool, error) {
	caseID := st.Vars[caseVar]
	if caseID == "" || b.Desk == nil {
		return nil, false, nil
	}
	out, ok, err := b.Desk.Relay(ctx, caseID, in)
	if err != nil {
		return nil, false, err
	}
	if !ok {
		delete(st.Vars, caseVar)
	}
	return out, ok, nil
}

// rightsCommand handles /mydata and /forget (with a confirmation).
func (b *Bot) rightsCommand(ctx context.Context, t Turn, cmd string) ([]chat.Outgoing, error) {
	if cmd == "mydata" {
		if b.Rights == nil {
			return []chat.Outgoing{b.privacyNotice(t)}, nil
		}
		return b.Rights.Export(ctx, t.ChatID, t.Lang)
	}
	m := b.say(t, "forget.confirm")
	m.Buttons = [][]chat.Button{{
		{Text: "🗑 " + b.Texts.Text(t.Lang, "forget.yes", nil), Data: forgetYes},
		{Text: b.Texts.Text(t.Lang, "forget.no", nil), Data: forgetNo},
	}}
	return []chat.Outgoing{m}, nil
}

// rightsButton handles the /forget confirmation and the feedback buttons;
// handled is false for other data.
func (b *Bot) rightsButton(ctx context.Context, sess *store.Session, st *State, t Turn, data string) (out []chat.Outgoing, handled bool, err error) {
	switch {
	case data == NewsOff || data == NewsOn:
		st.News = ""
		id := "news.resumed"
		if data == NewsOff {
			st.News, id = "off", "news.stopped"
		}
		m := b.settings(st, t)
		m.Text = b.Texts.Text(t.Lang, id, nil) + "\n\n" + m.Text
		m.CallbackID = t.CallbackID
		return []chat.Outgoing{m}, true, nil
	case data == forgetNo:
		return []chat.Outgoing{{ChatID: t.ChatID, Text: b.Texts.Text(t.Lang, "forget.kept", nil), CallbackID: t.CallbackID}}, true, nil
	case data == forgetYes:
		if b.Rights != nil {
			if out, err = b.Rights.Forget(ctx, t.ChatID); err != nil {
				return nil, true, err
			}
		}
		// The session goes too: language, consent, answers, history.
		*st = State{}
		sess.Erase = true
		done := chat.Outgoing{ChatID: t.ChatID, Text: b.Texts.Text(t.Lang, "forget.done", nil), CallbackID: t.CallbackID, Ephemeral: true}
		return append(out, done), true, nil
	case strings.HasPrefix(data, feedbackData) && b.Desk != nil:
		value, caseID, _ := strings.Cut(strings.TrimPrefix(data, feedbackData), ":")
		out, err = b.Desk.Feedback(ctx, caseID, value, t.Lang, t.ChatID)
		if len(out) > 0 {
			out[0].CallbackID = t.CallbackID
		}
		// No answer: not this person's case; the flows treat it as an
		// unknown button (the menu).
		return out, len(out) > 0 || err != nil, err
	}
	return nil, false, nil
}

// settings shows what the person can change: language, announcements,
// their data.
func (b *Bot) settings(st *State, t Turn) chat.Outgoing {
	news := chat.Button{Text: "🔕 " + b.Texts.Text(t.Lang, "settings.news_off", nil), Data: NewsOff}
	if st.News == "off" {
		news = chat.Button{Text: "🔔 " + b.Texts.Text(t.Lang, "settings.news_on", nil), Data: NewsOn}
	}
	return chat.Outgoing{ChatID: t.ChatID, Text: b.Texts.Text(t.Lang, "settings.text", nil), Buttons: [][]chat.Button{
		{news},
		{{Text: "🌐 " + b.Texts.Text(t.Lang, "nav.language", nil), Data: navLanguage}},
	}}
}
