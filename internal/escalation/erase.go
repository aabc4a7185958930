package escalation

import (
	"context"

	"github.com/prils-lazio/presidio/internal/cases"
	"github.com/prils-lazio/presidio/internal/chat"
)

// topicEraser is what erasing a person needs of the operators' group, when
// the Topics implementation offers it (the runtime does).
type topicEraser interface {
	DeleteTopic(ctx context.Context, chatID int64, threadID int) error
	CloseTopic(ctx context.Context, chatID int64, threadID int) error
}

// eraseTopic removes the copies of a case in the operators' group: it
// deletes the case's topic with every message in it (the person's copies,
// the card, the replies) and says so in the group's General topic. When
// the bot may not delete (it is not an admin with the right to delete
// messages), it closes the topic and says in General exactly what remains.
// The case's number stays in the notice: it is anonymous once erased.
func (s *Service) eraseTopic(ctx context.Context, c cases.Case) []chat.Outgoing {
	if er, ok := s.Topics.(topicEraser); ok {
		if err := er.DeleteTopic(ctx, s.OperatorChat, c.ThreadID); err == nil {
			return []chat.Outgoing{{ChatID: s.OperatorChat, Text: s.Texts.Text(OperatorLang, "case.topic_deleted", map[string]any{"Case": c.ID})}}
		}
		_ = er.CloseTopic(ctx, s.OperatorChat, c.ThreadID)
		return []chat.Outgoing{{ChatID: s.OperatorChat, Text: s.Texts.Text(OperatorLang, "case.topic_kept", map[string]any{"Case": c.ID})}}
	}
	return []chat.Outgoing{s.toTopic(c, s.Texts.Text(OperatorLang, "case.person_forgot", nil))}
}
