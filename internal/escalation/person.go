package escalation

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/prils-lazio/presidio/internal/cases"
	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/store"
)

// Relay copies what a person sends while their case is open into the
// case's topic (voice notes, photos, documents and locations arrive as
// they are) and records it. A closed case is reopened. ok is false when the
// case no longer exists or was erased: the message is then the flows'.
func (s *Service) Relay(ctx context.Context, caseID string, in chat.Incoming) (out []chat.Outgoing, ok bool, err error) {
	c, err := s.Cases.Get(ctx, caseID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if c.IsErased() || c.ChatID != in.ChatID {
		return nil, false, nil
	}
	if c.Status == cases.StatusClosed && s.NewAfterClose {
		fresh, _, err := s.Cases.Open(ctx, cases.OpenRequest{ChatID: c.ChatID, PersonName: c.PersonName, Lang: c.Lang,
			Topic: c.Topic, HelpPoint: c.HelpPoint, Urgent: c.Urgent})
		if err != nil {
			return nil, false, err
		}
		c = fresh
	}
	if c.Status == cases.StatusClosed {
		reopened, _, err := s.Cases.Reopen(ctx, c.ID)
		if err != nil {
			return nil, false, err
		}
		c = reopened
		if c.ThreadID != 0 && s.OperatorChat != 0 {
			_ = s.Topics.ReopenTopic(ctx, s.OperatorChat, c.ThreadID) // cosmetic, like the name
			s.refreshCard(ctx, c)
			out = append(out, s.toTopic(c, s.Texts.Text(OperatorLang, "case.reopened", nil)))
		}
	}
	if c.ThreadID == 0 && s.OperatorChat != 0 {
		var made bool
		if c, made, err = s.ensureTopic(ctx, c); err != nil {
			return nil, false, err
		}
		if made {
			out = append(out, s.postCard(ctx, c)...)
		}
	}
	tr := s.intoItalian(ctx, c, in.Text)
	if _, err := s.Cases.AddMessage(ctx, cases.Message{
		ID: fmt.Sprintf("u%d", in.UpdateID), Case: c.ID, Direction: cases.DirIn,
		Text: in.Text, MediaType: in.MediaType, FileID: in.FileID, PersonMessageID: in.MessageID,
		Translation: tr.Translation, TranslationFailed: tr.Failed,
	}); err != nil {
		return nil, false, err
	}
	if c.Status == cases.StatusWaiting {
		// Closed meanwhile (the console, another process): the message is
		// kept with the closed case, as any late message.
		if _, err := s.Cases.SetWaiting(ctx, c.ID, false); err != nil && !errors.Is(err, cases.ErrClosed) {
			return nil, false, err
		}
	}
	switch {
	case s.OperatorChat == 0:
	case in.Kind == chat.KindEdited: // a correction: shown as such
		out = append(out, s.personText(c, editedMark, in, tr))
	case in.Kind == chat.KindText && tr != (bridged{}): // the original with its translation under it
		out = append(out, s.personText(c, "", in, tr))
	case in.Kind == chat.KindText: // a copy, as the person wrote it, that a burst may merge
		m := s.personText(c, "", in, tr)
		m.CopyOf = &chat.MessageRef{ChatID: in.ChatID, MessageID: in.MessageID}
		out = append(out, m)
	default:
		out = append(out, chat.Outgoing{ChatID: s.OperatorChat, ThreadID: c.ThreadID, Urgent: c.Urgent,
			CopyOf: &chat.MessageRef{ChatID: in.ChatID, MessageID: in.MessageID}})
		if tr != (bridged{}) { // a caption's translation follows the media
			out = append(out, s.toTopic(c, strings.TrimSpace(s.withItalian(c, "", tr))))
		}
	}
	return out, true, nil
}

// Feedback records the person's answer to "did this help?" and thanks them.
// Only the person whose case it is can answer: a button naming someone
// else's case (forged, or pressed from another chat) changes nothing,
// records nothing for the observatory, and gets no messages (the flows then
// treat it as a button they do not know).
func (s *Service) Feedback(ctx context.Context, caseID, value, lang string, chatID int64) ([]chat.Outgoing, error) {
	c, err := s.feedbackCase(ctx, caseID, chatID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	caseID = c.ID
	if chatID == 0 || c.ChatID != chatID || c.IsErased() || !cases.Feedback(value).Valid() {
		return nil, nil
	}
	if err := s.Cases.SetFeedback(ctx, caseID, cases.Feedback(value)); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	s.observe(ctx, "feedback", c, value, 0)
	out := []chat.Outgoing{{ChatID: chatID, Text: s.Texts.Text(lang, "feedback.thanks", nil)}}
	if c.ThreadID != 0 && s.OperatorChat != 0 { // the counsellors see how it went
		out = append(out, s.toTopic(c, s.deskText("console.desk.feedback", map[string]any{"Feedback": s.deskText("console.feedback."+value, nil)})))
	}
	return out, nil
}

// editedMark marks a person's corrected text in the topic.
const editedMark = "✏️ "

// personText is a person's text as it goes to the case's topic: prefix
// (the edit mark), the text with its formatting, and the translation under
// it when the bridge is on. Its coalescing key lets the sender merge a
// burst of them waiting at the group's rate limit into one message; every
// other message in the topic (card, notices, media) has none and is never
// merged.
func (s *Service) personText(c cases.Case, prefix string, in chat.Incoming, tr bridged) chat.Outgoing {
	m := s.toTopic(c, s.withItalian(c, prefix+in.Text, tr))
	m.Entities = chat.ShiftEntities(in.Entities, chat.TextLength(prefix))
	m.Coalesce = "case:" + c.ID
	return m
}

func (s *Service) toTopic(c cases.Case, text string) chat.Outgoing {
	return chat.Outgoing{ChatID: s.OperatorChat, ThreadID: c.ThreadID, Text: text, Urgent: c.Urgent}
}
